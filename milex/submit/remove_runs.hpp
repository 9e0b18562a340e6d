#pragma once
/// `milex delete` and `milex clean`: what a run left on its machine (scripts, logs, exit-status
/// files, checkpoints) and here (its record), removed. Bundles are never touched.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "milex/model/bundle.hpp"
#include "milex/model/machine.hpp"
#include "milex/model/run.hpp"
#include "milex/observe/runs.hpp"
#include "milex/store/run_store.hpp"
#include "milex/transport/transport.hpp"

namespace milex::submit {

enum class DryRun { no, yes };

/// A file or folder removed (in a dry run: that would be), and its size in bytes.
struct RemovedPath {
    std::string machine;  ///< the machine it was on; "" for a run record of this host
    std::string path;
    std::uintmax_t bytes = 0;
};

/// What delete or clean did.
struct Removal {
    std::vector<std::string> runs;  ///< the runs removed, as stem@machine.N
    std::vector<RemovedPath> removed;
    std::vector<std::string> problems;  ///< what could not be reached or removed (its run is kept), one line each
};

/// The files of a run on its machine: exact paths, and shell patterns (a job's logs and
/// exit-status files by its name and id) expanded there.
struct RunFiles {
    std::vector<std::string> paths;
    std::vector<std::string> patterns;
};

/// `<machine path>/checkpoints/<bundle stem>`: every job's MILEX_CHECKPOINT_DIR is under it.
std::string checkpoint_folder(const model::Machine& machine, const std::string& bundle_stem);

/// What `record` left on `machine`: each attempt's script, logs (as `bundle`'s jobs name them
/// when the bundle is at hand) and exit-status files; with `checkpoints`, the bundle's
/// checkpoint folder (only when no other run of the bundle on that machine is kept).
RunFiles run_files(const model::RunRecord& record, const model::Machine& machine, const model::Bundle* bundle,
                   bool checkpoints);

/// Removes `files` on the machine behind `transport` (with DryRun::yes only measures them), in
/// one command for up to 1,000 of them (one round trip over SSH, not one per file); returns
/// what existed and its size in bytes. What could not be removed is added to `problems`.
std::vector<RemovedPath> remove_on_machine(transport::Transport& transport, const std::string& machine,
                                           const RunFiles& files, DryRun dry, std::vector<std::string>& problems);

/// milex delete: cancels the run's jobs that have not ended (their names go to `cancelled`) and
/// waits, a minute at most, for them to leave the queue (so that a job's last words do not land
/// after the removal); then, under the run's lock, removes its files on the machine (and its
/// checkpoints when it is the bundle's last run there) and its record.
Removal delete_run(const model::Config& config, store::StoredRun& run, const store::RunStore& runs,
                   observe::MachineAccess& access, std::vector<std::string>& cancelled);

/// A run record as clean weighs it.
struct RunAge {
    std::string bundle;
    std::string machine;
    std::filesystem::file_time_type modified;  ///< when milex last wrote its record
    bool ended = false;                        ///< every job has ended (or never ran)
};

/// A run clean removes: its index in the list, and whether its bundle's checkpoint folder on its
/// machine goes too (every run of that bundle there goes).
struct CleanPick {
    size_t index = 0;
    bool checkpoints = false;
};

/// The runs clean removes: ended, on `machine` when one is given, with their record last written
/// before `cutoff`. A live run is never picked, however old.
std::vector<CleanPick> pick_runs_to_clean(const std::vector<RunAge>& runs, std::filesystem::file_time_type cutoff,
                                          const std::optional<std::string>& machine);

/// milex clean: the ended runs whose record was last written more than `older_than` ago (on
/// `machine` when given), their files removed on each machine and their records here. A run
/// recorded as live is asked about once (its machine is reached); a machine that cannot be
/// reached keeps its runs (a problem says so). With DryRun::yes nothing is removed.
Removal clean_runs(const model::Config& config, std::chrono::seconds older_than,
                   const std::optional<std::string>& machine, DryRun dry);

} // namespace milex::submit
