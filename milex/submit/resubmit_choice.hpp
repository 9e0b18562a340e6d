#pragma once
/// Which jobs of a run go again, for `milex resubmit` and the dashboard: the failed and/or
/// timed-out ones and the named ones, then submit::resubmit.
#include <functional>
#include <string>
#include <vector>

#include "milex/model/machine.hpp"
#include "milex/submit/submit.hpp"

namespace milex::submit {

enum class Verify { yes, no };

struct ResubmitChoice {
    bool failed = false;   ///< failed, out of memory, node failure, preempted
    bool timeout = false;  ///< reached the time limit
    std::vector<std::string> names;
    Verify verify = Verify::yes;  ///< check edited jobs with their applications' -cli first
};

/// Refreshes the run's states, picks the jobs `choice` means (an array whose other tasks
/// completed goes again with just its chosen tasks, unless named) and resubmits them with
/// everything that depends on them; `starting` is called once there is something to submit, just
/// before. Returns the names submitted again; empty: nothing to do.
/// An unknown name is an Error listing the run's jobs.
std::vector<std::string> resubmit_chosen(const model::Config& config, store::StoredRun& run,
                                         const store::RunStore& runs, const model::Machine& machine,
                                         transport::Transport& transport, scheduler::Scheduler& scheduler,
                                         const ResubmitChoice& choice, const Progress& progress,
                                         const std::function<void()>& starting);

} // namespace milex::submit
