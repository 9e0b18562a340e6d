#pragma once
#include <memory>
#include <string>

#include "milex/model/machine.hpp"
#include "milex/transport/ssh_config.hpp"
#include "milex/transport/transport.hpp"

namespace milex::transport {

struct TransportChoice {
    model::TransportKind kind;
    std::string reason;  ///< why `auto` chose it, for messages ("ssh -G shows a ProxyJump")
};

/// The transport for a remote machine: what it says, or for `auto` openssh when `ssh -G` shows
/// a ProxyJump/ProxyCommand, when the only keys at hand are RSA (libssh2 1.10 cannot sign with
/// them for OpenSSH 8.8+), or when libssh2 cannot be loaded; libssh2 otherwise.
TransportChoice choose_transport(const model::Machine& machine, const SshTarget& target, bool libssh2_loadable,
                                 bool agent);

/// The transport that reaches `machine`: this host for a machine without `hostname`/`hosturl`,
/// else one SSH connection for the whole command. For a remote machine its `path` and
/// `container_cache` are then resolved there (`~`, `$VARS`), once, so that rendered scripts
/// hold absolute paths. Every refusal is an Error naming the machine and the fix.
std::unique_ptr<Transport> connect(model::Machine& machine);

/// What `connect` would do, for --dry-run: "ssh (libssh2) to ada@narval", without connecting.
std::string describe_connection(const model::Machine& machine);

} // namespace milex::transport
