#include "milex/transport/connect.hpp"

#include <fmt/format.h>

#include "milex/util/error.hpp"

namespace milex::transport {

std::unique_ptr<Transport> connect(const model::Machine& machine) {
    if (!machine.remote()) return std::make_unique<LocalTransport>();
    throw Error(fmt::format("machine \"{}\" is reached over SSH ({}), which this milex cannot do yet; run milex-run "
                            "on that machine itself",
                            machine.name, machine.hostname.empty() ? machine.hosturl : machine.hostname));
}

} // namespace milex::transport
