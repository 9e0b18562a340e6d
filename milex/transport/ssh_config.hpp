#pragma once
/// Where a machine is reached over SSH, as OpenSSH's own config resolves it (`ssh -G`), with
/// the machine's explicit keys (hosturl, username, port, key_path) taking priority.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "milex/model/machine.hpp"

namespace milex::transport {

struct SshTarget {
    std::string alias;  ///< the name ssh was asked about (the machine's hostname or hosturl)
    std::string host;   ///< what to connect to (HostName)
    std::string user;
    int port = 22;
    std::vector<std::string> identity_files;
    std::vector<std::string> known_hosts_files;
    std::string host_key_alias;
    std::string proxy_jump;
    std::string proxy_command;
    /// Seconds between keepalives on an idle connection (ServerAliveInterval; 0 there, the
    /// default of `ssh -G`, means 30 here, so that --watch survives an idle NAT).
    int server_alive_interval = 30;
    bool from_ssh_config = false;  ///< `ssh -G` answered
    /// The user's own ControlPath when their ssh_config keeps shared connections (`ControlMaster
    /// auto` or `autoask` with `ControlPersist`): milex's OpenSSH transport then goes through
    /// that master, so that a cluster behind MFA asks no code while the user's master lives.
    std::string shared_control_path;

    bool proxied() const { return !proxy_jump.empty() || !proxy_command.empty(); }
    /// The name known_hosts lists the host under: HostKeyAlias, `host`, or `[host]:port`.
    std::string known_hosts_name() const;
    /// "ada@narval" (the alias, as the user wrote it), for messages.
    std::string where() const;
};

/// The fields of `ssh -G` output that milex uses; `~` in file names becomes `home`.
SshTarget parse_ssh_g(std::string_view text, const std::string& home);

/// `ssh`, plus `-F $MILEX_SSH_CONFIG` when that is set: the start of every ssh milex runs.
std::vector<std::string> ssh_program();

/// The real user's home directory (the one ssh reads ~/.ssh from, whatever $HOME says).
std::string user_home();

/// The target of `machine`: `ssh -G` when OpenSSH is installed, else defaults; then the
/// machine's explicit keys on top. Throws Error when ssh -G rejects the config.
SshTarget resolve_target(const model::Machine& machine);

} // namespace milex::transport
