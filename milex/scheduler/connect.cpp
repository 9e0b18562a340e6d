#include "milex/scheduler/connect.hpp"

#include <fmt/format.h>

#include "milex/scheduler/direct.hpp"
#include "milex/scheduler/sge.hpp"
#include "milex/scheduler/slurm.hpp"
#include "milex/util/error.hpp"

namespace milex::scheduler {

std::unique_ptr<Scheduler> make_scheduler(const model::Machine& machine, transport::Transport& transport) {
    switch (machine.scheduler) {
    case model::SchedulerKind::slurm:
        return std::make_unique<SlurmScheduler>(transport, SlurmSite{machine.path + "/slurm", machine.accounting});
    case model::SchedulerKind::sge:
        return std::make_unique<SgeScheduler>(transport, machine.path + "/slurm");
    case model::SchedulerKind::none:
        return std::make_unique<DirectScheduler>(transport, machine.path + "/slurm");
    }
    // Never a fallback to the direct runner: a kind milex does not know is a bug here.
    throw Error(fmt::format("machine \"{}\": no scheduler of kind {}", machine.name, static_cast<int>(machine.scheduler)));
}

} // namespace milex::scheduler
