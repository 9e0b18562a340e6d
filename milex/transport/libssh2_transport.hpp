#pragma once
/// The SSH transport built on libssh2: one TCP connection and one session for the whole milex
/// command, the remote shell on one channel, uploads on channels of their own. libssh2 is
/// loaded with dlopen on first use, so that milex's other commands never load it (nor
/// libcrypto) and a machine without it still runs everything local.
#include <memory>
#include <string>

#include "milex/model/machine.hpp"
#include "milex/transport/ssh_config.hpp"
#include "milex/transport/remote_transport.hpp"

namespace milex::transport {

/// Whether libssh2.so.1 can be loaded here.
bool libssh2_available();

/// Connects to `target` and authenticates (agent, key files, keyboard-interactive; secrets are
/// asked through transport::ask), checking the host key strictly. Every refusal is an Error naming `machine` and
/// the fix.
std::unique_ptr<RemoteTransport> connect_libssh2(const model::Machine& machine, const SshTarget& target);

/// The host key `target` presents (its SSH blob), fetched without authenticating, for
/// milex-configuration --trust-host.
std::string fetch_host_key(const model::Machine& machine, const SshTarget& target);

} // namespace milex::transport
