#pragma once
/// Cancelling a run's jobs, for `milex cancel`, `milex stop` and the dashboard.
#include <string>
#include <vector>

#include "milex/scheduler/scheduler.hpp"
#include "milex/store/run_store.hpp"

namespace milex::observe {

/// Cancels the jobs of `run` that have not ended (only `names` when not empty; jobs held behind a
/// failed dependency count as not ended), in one scheduler call, and records them as cancelled
/// with `reason`. Returns the names cancelled (empty: nothing left to cancel). An unknown name
/// is an Error listing the run's jobs.
std::vector<std::string> cancel_jobs(store::StoredRun& run, const store::RunStore& runs,
                                     scheduler::Scheduler& scheduler, const std::vector<std::string>& names,
                                     const std::string& reason);

/// What `milex stop` did: the jobs it stopped and when (ISO 8601 UTC).
struct Stopped {
    std::vector<std::string> jobs;
    std::string time;
};

/// Stops the jobs of `run` that have not ended, in one scheduler call like cancel_jobs, but
/// records them STOPPED ("stopped by you at <time>"), not CANCELLED, and notes the stop in the
/// record: a stop is the user's choice, not a failure, and `milex resume` submits them again.
/// With `names`, those jobs and every job that waits for them (directly or not: they could never
/// start). Jobs held behind a failed dependency are taken out of the queue and stay NEVER_RAN.
/// Nothing stopped (every job had ended): empty. An unknown name is an Error as for cancel_jobs.
Stopped stop_jobs(store::StoredRun& run, const store::RunStore& runs, scheduler::Scheduler& scheduler,
                  const std::vector<std::string>& names);

} // namespace milex::observe
