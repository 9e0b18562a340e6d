#pragma once
/// Bundle files under `<local path>/jobs/`: `<name>_<YYYYmmddHHMMSS>.json`, as the Python milex
/// names them. Creating never overwrites; appending is serialised by a lock file.
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "milex/model/bundle.hpp"
#include "milex/util/clock.hpp"

namespace milex::store {

namespace fs = std::filesystem;

struct BundleFile {
    fs::path path;
    std::string name;   ///< the bundle's name, e.g. "diamond"
    std::string stamp;  ///< YYYYmmddHHMMSS
    /// `name_stamp`, or just the name for a file named freely (outside the jobs folder).
    std::string stem() const { return stamp.empty() ? name : name + "_" + stamp; }
};

/// Splits `diamond_20261122023840.json` into name and stamp; nullopt for other file names.
std::optional<BundleFile> parse_bundle_file_name(const fs::path& path);

/// How a job whose name is already in the bundle is added: renamed `name_001`, `name_002`, …
/// like the Python milex (for a name milex chose), or refused (for a name the user chose).
enum class NameClash { rename, refuse };

struct AppendResult {
    fs::path path;
    std::string job_name;  ///< the name the job got
    bool created = false;  ///< no bundle of that name existed; a new file was written
};

class BundleStore {
public:
    explicit BundleStore(fs::path jobs_dir);
    const fs::path& directory() const { return m_dir; }

    /// The bundle meant by `reference`: a path to a file; an exact stem (`diamond_20261122023840`);
    /// or a name, whose newest file is taken. Only files of exactly that name match (`pi` never
    /// finds `pipe_…`). The error lists the bundles that are there.
    BundleFile locate(const std::string& reference) const;

    /// The files of bundle `name`, newest first.
    std::vector<BundleFile> versions(const std::string& name) const;

    /// Writes `bundle` as a new file of `name`. When the stamp of `now` is taken, the next free
    /// second is used, as the Python milex does, so two bundles written in the same second
    /// never overwrite each other.
    BundleFile create(const std::string& name, const model::Bundle& bundle, util::SystemTime now) const;

    /// Adds a job to the newest bundle of `name` (or a new one), under the bundle's lock.
    /// `make_job` gets the bundle as it is now and returns the job to add; it may throw to refuse
    /// (an unknown dependency), and nothing is written then.
    AppendResult append(const std::string& name, const std::function<model::Job(const model::Bundle&)>& make_job,
                        NameClash clash, util::SystemTime now) const;

private:
    fs::path m_dir;
};

/// Reads and validates a bundle file.
model::Bundle read_bundle(const fs::path& path);

} // namespace milex::store
