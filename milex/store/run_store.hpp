#pragma once
/// Run records under `<local path>/runs/`: `<bundle stem>@<machine>.<submission>.json` ('@' is in
/// neither kind of name, so the parts never blur).
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
};

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

    /// Reads one record again from disk.
    StoredRun load(const fs::path& path) const;

    /// Writes the record atomically (it is rewritten after every submission).
    void save(const fs::path& path, const model::RunRecord& record) const;

private:
    fs::path m_dir;
};

} // namespace milex::store
