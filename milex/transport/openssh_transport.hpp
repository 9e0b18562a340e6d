#pragma once
/// The SSH transport through the system's `ssh`, for hosts that need what only OpenSSH does
/// (ProxyJump, ProxyCommand, MFA, Kerberos, RSA keys with OpenSSH 8.8+). One `ssh` per milex
/// command is both the ControlMaster (a socket in a private directory of milex's own, removed
/// at the end) and the carrier of the remote shell; uploads go through its socket. A user
/// types an MFA code once per command, not once per job.
#include <memory>
#include <string>
#include <vector>

#include "milex/model/machine.hpp"
#include "milex/transport/ssh_config.hpp"
#include "milex/transport/remote_transport.hpp"

namespace milex::transport {

/// The argv of the ssh that carries the shell: each option and its value separate words.
/// `control_path` is the ControlPath; `batch` adds BatchMode=yes (no terminal to prompt on).
std::vector<std::string> openssh_master_argv(const model::Machine& machine, const SshTarget& target,
                                             const std::string& control_path, bool batch);

std::unique_ptr<RemoteTransport> connect_openssh(const model::Machine& machine, const SshTarget& target);

} // namespace milex::transport
