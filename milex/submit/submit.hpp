#pragma once
/// Submitting a bundle to a machine: the one place that ties the store, the dependency order,
/// the renderer and the scheduler together. Reports progress through callbacks; prints nothing.
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "milex/model/bundle.hpp"
#include "milex/model/machine.hpp"
#include "milex/model/run.hpp"
#include "milex/scheduler/scheduler.hpp"
#include "milex/store/bundle_store.hpp"
#include "milex/store/run_store.hpp"
#include "milex/submit/containers.hpp"
#include "milex/submit/snapshots.hpp"
#include "milex/transport/transport.hpp"
#include "milex/util/file.hpp"

namespace milex::submit {

/// A bundle read, validated and put in dependency order.
struct Plan {
    store::BundleFile file;
    model::Bundle bundle;
    std::vector<size_t> order;
    std::string bundle_sha256;
};

/// Finds the bundle meant by `reference` (see BundleStore::locate) and orders it; every problem
/// of the file is thrown at once, before anything is submitted.
Plan plan_bundle(const store::BundleStore& bundles, const std::string& reference);

/// `<machine path>/slurm/<bundle stem>_<job>.sh`; later submissions of the same bundle add
/// `.run<N>` so that each record's script stays as it was.
std::string script_path(const model::Machine& machine, const std::string& bundle_stem, const std::string& job,
                        int submission);

/// `<machine path>/slurm/<bundle stem>.run<N>.lock`: held on the machine by the loop that
/// submits run N's jobs in one go (Scheduler::submit_bundle), taken by its resume first.
std::string bundle_lock_path(const model::Machine& machine, const std::string& bundle_stem, int submission);

enum class Previous { none, partial, complete };

/// What to do when the bundle was submitted to the machine before.
enum class Again { no, yes };

struct Progress {
    /// A job was submitted now (`done` of `total` in this run, counting resumed ones).
    std::function<void(const model::JobRun& job, size_t done, size_t total)> submitted;
    /// A run that stopped half-way is resumed: `kept` of its `total` jobs were submitted before,
    /// `adopted` of them found in the queue by their tags (milex stopped during their sbatch).
    /// Called once those are known, before anything is submitted.
    std::function<void(const model::RunRecord& record, size_t kept, size_t adopted, size_t total)> resuming;
    /// A job was already submitted by an earlier, interrupted milex-run and is kept.
    std::function<void(const model::JobRun& job)> kept;
    /// A conversion job was submitted (or, on resume, the one submitted before is waited for).
    std::function<void(const ImagePlan& image, const std::string& job_id, bool resumed)> conversion;
};

/// One bundle on one machine, under the lock that keeps a second milex-run of the same pair out.
class RunSession {
public:
    RunSession(const model::Config& config, const model::Machine& machine, Plan plan);

    Previous previous() const;
    /// Throws when the run that submit() would resume was stopped with milex stop (milex resume
    /// goes on with it; Again::yes starts a new one).
    void check_not_stopped() const;
    /// The newest earlier run of this bundle on this machine, if any.
    const std::optional<store::StoredRun>& last() const { return m_last; }
    const Plan& plan() const { return m_plan; }

    /// Submits the bundle. A run that stopped half-way is resumed (nothing submitted twice;
    /// dependencies wired to the recorded ids); with Again::yes, or when there is no earlier
    /// run, a new submission starts. The record is written before the first and after every
    /// single sbatch. Returns the final record and its path.
    ///
    /// Container jobs run the images as `containers` says (plan_containers; prepare_images has
    /// run): an image to convert gets its conversion job first, and its jobs wait for it. Jobs
    /// with a code snapshot (shipped by ship_snapshots) have it in their entry of the record.
    store::StoredRun submit(transport::Transport& transport, scheduler::Scheduler& scheduler, Again again,
                            const Progress& progress, const ContainerPlan& containers = {},
                            const SnapshotPlan& snapshots = {});

    /// After submit(): how many jobs did not fit under the machine's queue cap or in its
    /// controller (MaxJobCount); they wait for the next submit, which resumes the run. And why:
    /// "at most 5 queued on \"local\"".
    size_t waiting() const { return m_waiting; }
    const std::string& waits_for() const { return m_waits_for; }

    /// Lets go of the run's lock once nothing more is to be submitted, for a caller that goes
    /// on to watch the run (each look takes the lock to save what changed).
    void release() { m_lock.reset(); }

private:
    model::RunRecord new_record(int submission) const;
    /// Writes and submits the conversion job of each image of `used` that needs one (on resume,
    /// reuses the one the record names); returns image → conversion job id.
    std::map<std::string, std::string> submit_conversions(transport::Transport& transport,
                                                          scheduler::Scheduler& scheduler,
                                                          const ContainerPlan& containers,
                                                          const std::set<std::string>& used, store::StoredRun& run,
                                                          const Progress& progress);

    const model::Config& m_config;
    const model::Machine& m_machine;
    Plan m_plan;
    store::RunStore m_runs;
    std::optional<util::FileLock> m_lock;
    std::optional<store::StoredRun> m_last;
    size_t m_waiting = 0;
    std::string m_waits_for;
};

/// Submits again the jobs in `chosen` and every job depending on them (directly or not), as new
/// attempts in `run`'s record. A dependency on a job that completed or is still queued is wired
/// to its real id; one on a job submitted again to the new id. Earlier attempts still in the queue (held behind a failed dependency) are cancelled
/// first, in one call. `tasks` names, for array jobs whose other tasks completed, the task
/// indices to run again (the array is resubmitted with just those; its old attempt stays).
/// Throws Error, before anything is submitted, when a job would wait for one that ended badly
/// and is not chosen. Returns the names submitted, in order.
std::vector<std::string> resubmit(const model::Machine& machine, const Plan& plan, store::StoredRun& run,
                                  const store::RunStore& runs, const std::map<std::string, scheduler::State>& states,
                                  std::set<std::string> chosen, const std::map<std::string, std::vector<size_t>>& tasks,
                                  transport::Transport& transport, scheduler::Scheduler& scheduler,
                                  const Progress& progress);

/// The scripts and the commands RunSession::submit would run for a new submission, as text
/// handed to `emit` piece by piece (a 10,000-job bundle is never held whole): first what each
/// container image needs and its conversion job, then each code snapshot, then the jobs.
/// Writes nothing, not even a lock file.
void dry_run(const model::Config& config, const model::Machine& machine, const Plan& plan,
             const scheduler::Scheduler& scheduler, const std::function<void(std::string_view)>& emit,
             const ContainerPlan& containers = {}, const SnapshotPlan& snapshots = {});

/// The batch script of `job` on `machine`, its container image as `containers` prepared it, as
/// attempt `attempt` of submission `submission` of the bundle (whose lock a retrying job takes).
std::string render_job(const model::Job& job, const model::Machine& machine, const std::string& bundle_stem,
                       const ContainerPlan& containers, int attempt = 1, int submission = 1);

} // namespace milex::submit
