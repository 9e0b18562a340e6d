#pragma once
/// What `milex status` prints, shared with `milex-run --wait`, which watches the run it submitted.
#include "milex/model/machine.hpp"
#include "milex/scheduler/scheduler.hpp"
#include "milex/store/run_store.hpp"
#include "milex/transport/transport.hpp"

namespace milex::cli {

/// Prints `run`'s table (or JSON) once; with `watch`, again at growing intervals until every job
/// has ended, then runs the machine's notify_command if the end came while it watched. Returns
/// the exit code: 0, or with `watch` 1 when some job did not complete.
int show_run(store::StoredRun& run, const store::RunStore& runs, const model::Machine& machine,
             transport::Transport& transport, scheduler::Scheduler& scheduler, bool watch, bool json);

} // namespace milex::cli
