#pragma once
/// What the observing commands (status, logs, cancel, resubmit) and the dashboard share: finding the run a user
/// means, and reaching the machine it ran on.
#include <memory>
#include <optional>
#include <string>

#include "milex/model/machine.hpp"
#include "milex/scheduler/scheduler.hpp"
#include "milex/store/run_store.hpp"
#include "milex/transport/transport.hpp"

namespace milex::observe {

/// A machine of the config with its transport and scheduler.
struct MachineAccess {
    model::Machine machine;
    std::unique_ptr<transport::Transport> transport;
    std::unique_ptr<scheduler::Scheduler> scheduler;
};
MachineAccess open_machine(const model::Config& config, const std::string& name);

/// The run records under the local machine's path.
store::RunStore run_store(const model::Config& config);

/// The run `reference` means: empty for the newest run; a bundle name or stem for its newest
/// run; `stem@machine` or `stem@machine.N` for that one. `machine` narrows it down. The error
/// lists the bundles that have runs.
store::StoredRun select_run(const store::RunStore& runs, const std::string& reference,
                            const std::optional<std::string>& machine);

/// The one run `reference` means, for commands that must not guess (milex delete): a bundle
/// name or stem with several runs is an Error listing them; an unknown one as for select_run.
store::StoredRun select_one_run(const store::RunStore& runs, const std::string& reference,
                                const std::optional<std::string>& machine);

/// What the commands that look at one run start from: the config, its run records, the run
/// `reference` means (see select_run) and the machine it ran on.
struct RunAccess {
    model::Config config;
    store::RunStore runs;
    store::StoredRun run;
    MachineAccess access;
};
RunAccess open_run(model::Config config, const std::string& reference, const std::optional<std::string>& machine);

} // namespace milex::observe
