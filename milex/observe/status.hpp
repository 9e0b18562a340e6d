#pragma once
/// What became of a run: each job's latest attempt as the scheduler sees it now, with the
/// record as the memory of what already ended (finished jobs are never asked about again, which
/// also keeps them known after SLURM forgets them).
#include <map>
#include <string>
#include <vector>

#include "milex/scheduler/scheduler.hpp"
#include "milex/store/run_store.hpp"

namespace milex::observe {

struct JobStatus {
    std::string name;
    std::string job_id;
    int attempt = 1;
    scheduler::JobState state;
    std::map<std::string, scheduler::JobState> tasks;  ///< for an array: each task's
    std::vector<std::string> after;
};

/// Asks `scheduler` once about every job whose latest attempt has not ended, adds what changed
/// to the record's state history and saves it (under the run's lock). A job gone from the
/// queue without a trace, one of whose dependencies failed, never ran.
std::vector<JobStatus> refresh(store::StoredRun& run, scheduler::Scheduler& scheduler, const store::RunStore& runs);

/// Records that these jobs (their latest attempts) are now in `state`, e.g. after a cancel.
void mark(store::StoredRun& run, const store::RunStore& runs, const std::vector<std::string>& jobs,
          scheduler::State state, const std::string& reason);

/// The statuses as last recorded, without asking anyone (for `milex list`).
std::vector<JobStatus> recorded(const model::RunRecord& record);

/// Whether every job has ended (completed, failed, cancelled, … or never ran).
bool all_ended(const std::vector<JobStatus>& jobs);

/// "never ran: dependency failed" for NEVER_RAN, else the state's name.
std::string state_text(const scheduler::JobState& state);

} // namespace milex::observe
