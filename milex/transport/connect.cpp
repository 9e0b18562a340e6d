#include "milex/transport/connect.hpp"

#include <fmt/format.h>

#include "milex/transport/keys.hpp"
#include "milex/transport/libssh2_transport.hpp"
#include "milex/transport/openssh_transport.hpp"
#include "milex/transport/remote_transport.hpp"
#include "milex/util/error.hpp"
#include "milex/util/path.hpp"
#include "milex/util/process.hpp"

namespace milex::transport {

namespace {

bool only_rsa_keys(const SshTarget& target) {
    bool any = false;
    for (const auto& file : target.identity_files) {
        auto key = read_key_file(file);
        if (!key) continue;
        if (key->type != "ssh-rsa") return false;
        any = true;
    }
    return any;
}

} // namespace

TransportChoice choose_transport(const model::Machine& machine, const SshTarget& target, bool libssh2_loadable,
                                 bool agent) {
    using model::TransportKind;
    if (machine.transport != TransportKind::automatic) return {machine.transport, "the machine says so"};
    if (target.proxied())
        return {TransportKind::openssh, fmt::format("ssh -G shows a {}", target.proxy_jump.empty() ? "ProxyCommand" : "ProxyJump")};
    if (!libssh2_loadable) return {TransportKind::openssh, "libssh2 cannot be loaded"};
    if (!agent && only_rsa_keys(target)) return {TransportKind::openssh, "the only keys at hand are RSA"};
    return {TransportKind::libssh2, "ssh -G shows no proxy"};
}

std::unique_ptr<Transport> connect(model::Machine& machine) {
    if (!machine.remote()) return std::make_unique<LocalTransport>();
    const SshTarget target = resolve_target(machine);
    const bool agent = util::environment_variable("SSH_AUTH_SOCK").has_value();
    const bool libssh2 =
        machine.transport != model::TransportKind::openssh && (target.proxied() ? false : libssh2_available());
    const TransportChoice choice = choose_transport(machine, target, libssh2, agent);
    if (choice.kind == model::TransportKind::openssh && !util::find_on_path("ssh"))
        throw Error(fmt::format("machine \"{}\": the openssh transport needs the ssh client ({}); install "
                                "openssh-client",
                                machine.name, choice.reason));
    std::unique_ptr<RemoteTransport> transport = choice.kind == model::TransportKind::libssh2
                                                     ? connect_libssh2(machine, target)
                                                     : connect_openssh(machine, target);
    const char* name = choice.kind == model::TransportKind::libssh2 ? "libssh2" : "openssh";
    transport->set_via(machine.transport == model::TransportKind::automatic
                           ? fmt::format("{} ({})", name, choice.reason)
                           : name);
    try {
        const std::string path = transport->resolve_path(machine.path);
        const std::string cache = machine.container_cache;
        if (!path.starts_with("/"))
            throw Error(fmt::format("machine \"{}\": \"path\" {} is {} on {}, not an absolute path", machine.name,
                                    machine.path, path.empty() ? "empty" : path, target.where()));
        if (cache.starts_with(machine.path)) machine.container_cache = path + cache.substr(machine.path.size());
        else if (!cache.empty()) machine.container_cache = transport->resolve_path(cache);
        machine.path = path;
    } catch (const ConnectionLost& e) {
        // The first command is where OpenSSH's refusals (host key, log in) show: in its words.
        throw Error(fmt::format("machine \"{}\": ssh to {} failed: {}; run ssh {} by hand to see why{}", machine.name,
                                target.where(), e.reason(), target.alias,
                                e.reason().find("Host key verification failed") != std::string::npos
                                    ? fmt::format(" (a new host: milex-configuration --trust-host {})", machine.name)
                                    : ""));
    } catch (const Error& e) {
        if (std::string_view(e.what()).starts_with("machine ")) throw;
        throw Error(fmt::format("machine \"{}\": \"path\" {}", machine.name, e.what()));
    }
    return transport;
}

std::string describe_connection(const model::Machine& machine) {
    const std::string alias = machine.hostname.empty() ? machine.hosturl : machine.hostname;
    std::string who = machine.username.empty() ? alias : machine.username + "@" + alias;
    if (machine.port) who += fmt::format(" port {}", *machine.port);
    const char* kind = machine.transport == model::TransportKind::libssh2   ? "libssh2"
                       : machine.transport == model::TransportKind::openssh ? "openssh"
                                                                            : "auto";
    return fmt::format("ssh ({}) to {}", kind, who);
}

} // namespace milex::transport
