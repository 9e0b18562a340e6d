#include "milex/scheduler/connect.hpp"

#include <fmt/format.h>

#include "milex/scheduler/slurm.hpp"
#include "milex/util/error.hpp"

namespace milex::scheduler {

std::unique_ptr<Scheduler> make_scheduler(const model::Machine& machine, transport::Transport& transport) {
    if (machine.scheduler == model::SchedulerKind::slurm) return std::make_unique<SlurmScheduler>(transport);
    throw Error(fmt::format("machine \"{}\" has \"scheduler\": \"none\" (jobs run directly, without SLURM), which "
                            "this milex cannot do yet; use a machine with SLURM",
                            machine.name));
}

} // namespace milex::scheduler
