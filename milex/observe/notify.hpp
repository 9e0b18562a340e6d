#pragma once
/// Telling the user that a run has ended: the machine's `notify_command`, run on this machine
/// with the run's summary as JSON on its stdin.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "milex/model/machine.hpp"
#include "milex/observe/status.hpp"

namespace milex::observe {

/// What the notify command reads: `milex status --json`'s object plus "ended": true,
/// "all_completed" and "counts" (state name → jobs in it).
nlohmann::ordered_json run_summary(const store::StoredRun& run, const std::vector<JobStatus>& jobs);

/// Runs `machine.notify_command` through /bin/sh with `summary` on stdin and MILEX_RUN
/// (`stem@machine.N`) and MILEX_RUN_RESULT (`completed` or `failed`) in its environment, for at
/// most `timeout`. Nothing when the machine has none. Returns a one-line problem (the command
/// failed, timed out, could not start) for the caller to show; a failed notification never
/// changes the run's outcome.
std::optional<std::string> notify_run_ended(const model::Machine& machine, const nlohmann::ordered_json& summary,
                                            std::chrono::milliseconds timeout = std::chrono::seconds(60));

} // namespace milex::observe
