#pragma once
#include <memory>

#include "milex/model/machine.hpp"
#include "milex/transport/transport.hpp"

namespace milex::transport {

/// The transport that reaches `machine`: this host for a machine without `hostname`/`hosturl`.
/// Remote machines (over SSH) are refused with a clear error until the SSH transports exist.
std::unique_ptr<Transport> connect(const model::Machine& machine);

} // namespace milex::transport
