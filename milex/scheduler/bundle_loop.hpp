#pragma once
/// A bundle submitted in one call to the machine (Scheduler::submit_bundle for SLURM and Grid
/// Engine): one shell loop that submits job after job, wires each job's dependencies to the ids
/// it has just received, and prints each id as it is made.
#include <functional>
#include <string>
#include <vector>

#include "milex/scheduler/scheduler.hpp"
#include "milex/transport/transport.hpp"

namespace milex::scheduler {

/// What the loop needs of a scheduler.
struct LoopDialect {
    /// The submit command of a request (submit_command).
    std::function<std::vector<std::string>(const SubmitRequest&)> command;
    /// The submission that a run of the command means; throws Error, as submit() does, when the
    /// scheduler refused the job or printed no id.
    std::function<Submission(const SubmitRequest&, const util::ProcessResult&)> result;
    /// sh code setting `i` to the id dependencies name, from `o`, the command's last line of
    /// output (SLURM: `1234;cluster`, Grid Engine: `1234.1-3:1`).
    std::string id_from_line;
};

/// The loop's script for /bin/sh (see submit_in_one_go). It prints `N` and submits nothing when
/// the machine has no flock(1), `B` when another loop holds `lock`; then per job `S <k> <last
/// line of output>` or, on a refusal, `F <k> <status>` (the scheduler's words on stderr), and
/// stops there. Empty lines (every 2 s) find out whether its connection is still there.
std::string bundle_script(const std::vector<BundleJob>& jobs, const std::string& lock, const LoopDialect& dialect);

/// Runs bundle_script through `transport`, handing each id to `submitted` as its line arrives.
/// Returns false, having submitted nothing, when the machine has no flock(1) (the caller
/// submits job by job). Throws as Scheduler::submit_bundle says.
bool submit_in_one_go(transport::Transport& transport, const std::vector<BundleJob>& jobs, const std::string& lock,
                      const LoopDialect& dialect, const BundleSubmitted& submitted);

/// Scheduler::wait_for_bundle through `transport`: flock -w on `lock`, when it exists and the
/// machine has flock(1). The wait is $MILEX_LOCK_WAIT seconds (default 60).
void wait_for_lock(transport::Transport& transport, const std::string& lock);

} // namespace milex::scheduler
