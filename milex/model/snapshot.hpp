#pragma once
/// A job's code snapshot: the commit of the application's code (and, for a tree with changes,
/// their diff) recorded by milex-schedule --snapshot, shipped once per snapshot to
/// `<machine path>/code/<id>/` by milex-run, where the job runs it. Only what identifies the
/// code is in the bundle; the archive and its branch and remote stay on the computer that
/// scheduled the job (`<local path>/code/`), so that the bundle holds no path, user or host.
#include <functional>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace milex::model {

struct Snapshot {
    std::string commit;       ///< 40 (or 64) hex digits
    bool dirty = false;       ///< the tree had changes, snapshotted with --snapshot-dirty
    std::string diff_sha256;  ///< of the changes (git diff --binary against the commit), when dirty
    /// The folder of the application's executable in the tree (`bin`, `.`), when it is in the
    /// tree: the job finds the snapshot's copy first on PATH. Empty when it is not (a console
    /// script of an editable pip install).
    std::string bin;

    /// The snapshot's name on both sides: the commit, or `<commit>-dirty-<first 12 of the diff's SHA-256>`.
    std::string id() const;
    nlohmann::ordered_json to_json() const;
};

/// Reads a job's "snapshot" value; each problem goes to `problem` (and nothing is returned).
std::optional<Snapshot> snapshot_from_json(const nlohmann::ordered_json& v,
                                           const std::function<void(const std::string&)>& problem);

/// Why `path` cannot be a job's "code" (a folder of the code tree, relative to its root, with no
/// `..`), or an empty string when it can.
std::string code_path_problem(const std::string& path);

} // namespace milex::model
