#include "milex/scheduler/connect.hpp"

#include <fmt/format.h>

#include "milex/scheduler/direct.hpp"
#include "milex/scheduler/slurm.hpp"
#include "milex/util/error.hpp"

namespace milex::scheduler {

std::unique_ptr<Scheduler> make_scheduler(const model::Machine& machine, transport::Transport& transport) {
    if (machine.scheduler == model::SchedulerKind::slurm)
        return std::make_unique<SlurmScheduler>(transport, SlurmSite{machine.path + "/slurm", machine.accounting});
    return std::make_unique<DirectScheduler>(transport, machine.path + "/slurm");
}

} // namespace milex::scheduler
