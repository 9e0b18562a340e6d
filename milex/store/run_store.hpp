#pragma once
/// Run records under `<local path>/runs/`: `<bundle stem>@<machine>.<submission>.json` ('@' is in
/// neither kind of name, so the parts never blur).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "milex/model/run.hpp"
#include "milex/util/file.hpp"

namespace milex::store {

namespace fs = std::filesystem;

struct StoredRun {
    fs::path path;
    model::RunRecord record;
    /// The file's size and modification time when it was read (and its journal's size), to
    /// tell whether it changed since.
    std::uintmax_t size = 0;
    fs::file_time_type modified{};
    std::uintmax_t journal_size = 0;
};

/// A run record known by its file name alone: `<bundle stem>@<machine>.<submission>.json`.
struct RunFile {
    fs::path path;
    std::string bundle;  ///< the bundle stem
    std::string machine;
    int submission = 0;
    fs::file_time_type modified{};
};

/// A run record's text and its journal's (nullopt when there is none) as one record. A line of
/// the journal torn at its end by a crash is left out; anything else that is not milex's
/// (garbage, a torn line in the middle, a record of a newer milex) is an Error naming `source`
/// (the record's path as shown) and the line.
model::RunRecord parse_run_record(const std::string& text, const std::optional<std::string>& journal,
                                  const std::string& source);

class RunStore {
public:
    explicit RunStore(fs::path runs_dir);
    const fs::path& directory() const { return m_dir; }

    /// Held while a bundle is being submitted to a machine, so that two milex-run calls for the
    /// same pair never both submit.
    util::FileLock lock(const std::string& bundle_stem, const std::string& machine) const;

    /// The runs of a bundle file on a machine, oldest submission first.
    std::vector<StoredRun> runs(const std::string& bundle_stem, const std::string& machine,
                                const std::string& bundle_file) const;

    /// The number the next submission of this stem to this machine gets (1 for the first).
    int next_submission(const std::string& bundle_stem, const std::string& machine) const;

    fs::path path_for(const std::string& bundle_stem, const std::string& machine, int submission) const;

    /// Every run record, newest first (by creation time, then submission).
    std::vector<StoredRun> all() const;

    /// Every run record file, newest first, without reading any.
    std::vector<RunFile> files() const;

    /// Reads one record from disk.
    StoredRun load(const fs::path& path) const;

    /// Notes the size and time of `run`'s file after this process saved it.
    void note_saved(StoredRun& run) const;

    /// Reads the record again when its file changed since `run` was read.
    void reload_if_changed(StoredRun& run) const;

    /// What milex learnt about a machine and keeps (e.g. its MaxArraySize), by key.
    std::optional<nlohmann::ordered_json> machine_cache(const std::string& machine, const std::string& key) const;
    void set_machine_cache(const std::string& machine, const std::string& key, const nlohmann::ordered_json& value) const;

    /// Notes in the record's journal (`<record>.journal`, one JSON line each, flushed to disk)
    /// that job entry `index` is now as in `run` — O(1) however large the record, so a bundle
    /// of thousands of jobs is recorded after every sbatch. load() applies the journal; save()
    /// folds it into the record.
    void record_job(const StoredRun& run, size_t index) const;
    /// Notes that the record now has only `count` job entries (an intent withdrawn).
    void record_truncation(const StoredRun& run, size_t count) const;

    /// Writes the record atomically and folds its journal in.
    void save(const fs::path& path, const model::RunRecord& record) const;

    /// The journal of the record at `path`.
    static fs::path journal_of(const fs::path& path);

private:
    fs::path m_dir;
};

} // namespace milex::store
