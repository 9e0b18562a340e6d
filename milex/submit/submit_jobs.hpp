#pragma once
/// Inside submit/: what a submission, a resume and a resubmission share. A run's jobs written,
/// then submitted one by one with their intent recorded first.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "milex/submit/submit.hpp"

namespace milex::submit {

/// Now, ISO 8601 UTC.
std::string now_iso();
/// The hash of a job's definition, which tells a changed job from the one submitted before.
std::string job_hash(const model::Job& job);

/// Everything submit_jobs works with.
struct Target {
    Target(const model::Machine& m, const Plan& p, const store::RunStore& r, transport::Transport& t,
           scheduler::Scheduler& s)
        : machine(m), plan(p), runs(r), transport(t), scheduler(s) {}
    const model::Machine& machine;
    const Plan& plan;
    const store::RunStore& runs;
    transport::Transport& transport;
    scheduler::Scheduler& scheduler;
    size_t max_array = 0;  ///< the site's MaxArraySize; 0 when no array needs to know
    std::optional<size_t> limit;  ///< the most jobs the user may have queued, if capped
    size_t room = 0;              ///< with a limit: how many more fit now
    /// When arrays are submitted: the most jobs the controller takes (MaxJobCount less one, as
    /// SLURM refuses a submission that would reach it), and how many more fit now.
    std::optional<size_t> held_limit;
    size_t held_room = 0;
    /// Why the first job that did not fit waits: "at most 5 queued on \"local\"".
    std::string waits_for;
    const ContainerPlan* containers = nullptr;  ///< the images of container jobs, when any
    const SnapshotPlan* snapshots = nullptr;    ///< the code snapshots of the jobs, when any
    /// Submits the conversion jobs of these images (once each) and gives image → job id.
    std::function<std::map<std::string, std::string>(const std::set<std::string>&)> convert;
    /// Consecutive jobs of one sbatch each go in one go (Scheduler::submit_bundle), not one by one.
    bool one_go = false;
};

/// Whether milex-run sends a remote machine's jobs in one go: yes unless $MILEX_ONE_GO is 0.
bool one_go_enabled();

/// Submits one piece, adopting it when sbatch failed after the scheduler took it (`adopted` then
/// says so); throws when it did not reach the queue (the caller decides what to keep).
scheduler::Submission submit_piece(scheduler::Scheduler& scheduler, const scheduler::SubmitRequest& request,
                                   const std::string& since, std::string& adopted);

/// Writes the scripts of the jobs at `indices` (in dependency order), then submits them one by
/// one: each dependency in `ids` is waited for (afterok on all its ids), one that is not has
/// ended well already. The record gets every job as it is submitted, as the next attempt of
/// that job, its intent saved before each sbatch. `tasks` lists, for array jobs that run again
/// in part, the task indices to run. Returns how many did not fit under the queue cap.
size_t submit_jobs(Target& target, const std::vector<size_t>& indices,
                   std::unordered_map<std::string, std::vector<std::string>>& ids, store::StoredRun& run,
                   const Progress& progress, size_t done, size_t total,
                   const std::map<std::string, std::vector<size_t>>& tasks = {});

/// Resuming: throws when a job of the record was changed in the bundle since it was submitted.
void check_unchanged(const Plan& plan, const store::StoredRun& run);

/// Resuming a submission under way when milex stopped: adopts what the scheduler has (found by
/// tag); a job that never reached the queue is forgotten (the caller submits it again); the
/// missing parts of a split array are submitted now. Returns how many jobs were found by tag.
size_t adopt_interrupted(scheduler::Scheduler& scheduler, const store::RunStore& runs, store::StoredRun& run);

/// Makes the machine's slurm/ folder, where the scripts go: the first thing a submission writes, so
/// that an unusable `path` stops it before anything else (a cache, a record) is written.
void make_script_folder(Target& target);

} // namespace milex::submit
