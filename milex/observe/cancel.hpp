#pragma once
/// Cancelling a run's jobs, for `milex cancel` and the dashboard.
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

} // namespace milex::observe
