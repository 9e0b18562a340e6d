#pragma once
/// What became of a run: each job's latest attempt as the scheduler sees it now, with the
/// record as the memory of what already ended (finished jobs are never asked about again, which
/// also keeps them known after SLURM forgets them).
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "milex/scheduler/scheduler.hpp"
#include "milex/store/run_store.hpp"

namespace milex::observe {

/// An array task that an earlier attempt ran and the latest did not run again (resubmit
/// --failed runs only the failed tasks of an array).
struct EarlierTask {
    std::string job_id;  ///< the id of that attempt (its part's, for an array submitted in parts)
    std::string index;   ///< the task's index under that id
    int attempt = 1;
};

struct JobStatus {
    std::string name;
    std::string job_id;
    int attempt = 1;
    scheduler::JobState state;
    /// For an array: each task's, from the latest attempt that ran it; once the latest attempt
    /// has ended, `state` counts them all.
    std::map<std::string, scheduler::JobState> tasks;
    std::map<std::string, EarlierTask> earlier_tasks;  ///< the tasks of `tasks` an earlier attempt ran
    std::vector<std::string> after;
    /// The earlier runs under this id that the scheduler queued again (preempted, node failure,
    /// retry on timeout): the attempt of now is attempt + requeues.size().
    std::vector<model::Requeue> requeues;
    int retries = 0;  ///< the retries on the cluster it may still use in all: attempts up to attempt + retries

    /// The attempt running (or last run) now: milex's attempts plus the scheduler's requeues.
    int current_attempt() const { return attempt + static_cast<int>(requeues.size()); }
    /// "B", "B (attempt 2)", "B (attempt 3 of 4)".
    std::string title() const;
};

/// For an array job: each task index → the latest attempt of `job` in `record` that ran it.
/// Empty for a job that is not an array.
std::map<std::string, const model::JobRun*> task_attempts(const model::RunRecord& record, const std::string& job);

/// Asks `scheduler` once about every job whose latest attempt has not ended, adds what changed
/// to the record's state history and saves it (under the run's lock). A job gone from the
/// queue without a trace, one of whose dependencies failed, never ran.
std::vector<JobStatus> refresh(store::StoredRun& run, scheduler::Scheduler& scheduler, const store::RunStore& runs);

/// Records that these jobs (their latest attempts) are now in `state`, e.g. after a cancel;
/// `also` changes the record further in the same write (under the same lock).
void mark(store::StoredRun& run, const store::RunStore& runs, const std::vector<std::string>& jobs,
          scheduler::State state, const std::string& reason,
          const std::function<void(model::RunRecord&)>& also = {});

/// The statuses as last recorded, without asking anyone (for `milex list`).
std::vector<JobStatus> recorded(const model::RunRecord& record);

/// Whether every job has ended (completed, failed, cancelled, … or never ran).
bool all_ended(const std::vector<JobStatus>& jobs);

/// "never ran: dependency failed" for NEVER_RAN, else the state's name.
std::string state_text(const scheduler::JobState& state);

} // namespace milex::observe
