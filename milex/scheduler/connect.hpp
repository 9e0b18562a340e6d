#pragma once
#include <memory>

#include "milex/model/machine.hpp"
#include "milex/scheduler/scheduler.hpp"
#include "milex/transport/transport.hpp"

namespace milex::scheduler {

/// The batch system of `machine`, driven through `transport` (which must outlive it).
std::unique_ptr<Scheduler> make_scheduler(const model::Machine& machine, transport::Transport& transport);

} // namespace milex::scheduler
