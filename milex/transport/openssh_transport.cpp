#include "milex/transport/openssh_transport.hpp"

#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>

#include <fmt/format.h>

#include "milex/transport/remote_transport.hpp"
#include "milex/util/error.hpp"
#include "milex/util/path.hpp"

namespace milex::transport {

namespace {

using Clock = std::chrono::steady_clock;

/// The host word ssh is given: the alias (so that ~/.ssh/config applies) or the hosturl.
std::string host_word(const model::Machine& machine) {
    return machine.hostname.empty() ? machine.hosturl : machine.hostname;
}

/// Options both the master and the clients of its socket take.
std::vector<std::string> common_options(const model::Machine& machine, const SshTarget& target) {
    std::vector<std::string> argv = ssh_program();
    if (machine.port) argv.insert(argv.end(), {"-p", std::to_string(*machine.port)});
    if (!machine.username.empty()) argv.insert(argv.end(), {"-l", machine.username});
    if (!machine.key_path.empty()) argv.insert(argv.end(), {"-i", target.identity_files.front()});
    if (!machine.hostname.empty() && !machine.hosturl.empty())
        argv.insert(argv.end(), {"-o", "HostName=" + machine.hosturl});
    return argv;
}

/// The shell's channel: ssh, the master. Closing its input ends the shell, and ssh then
/// removes its socket itself; killed only if it does not end.
class MasterChannel : public ProcessChannel {
public:
    using ProcessChannel::ProcessChannel;
    ~MasterChannel() override {
        process().close_input();
        process().wait(Clock::now() + std::chrono::seconds(3));
    }
};

class OpensshCarrier : public Carrier {
public:
    OpensshCarrier(const model::Machine& machine, SshTarget target) : m_machine(machine), m_target(std::move(target)) {
        const auto base = util::environment_variable("XDG_RUNTIME_DIR").value_or("");
        std::string pattern = (base.empty() || ::access(base.c_str(), W_OK) != 0 ? std::string("/tmp") : base) +
                              "/milex-ssh.XXXXXX";
        if (!::mkdtemp(pattern.data())) throw Error(fmt::format("cannot create a directory for ssh's socket ({})", pattern));
        m_dir = pattern;
        // The user's own shared master when their ssh_config keeps one, else one of milex's.
        m_socket = m_target.shared_control_path.empty() ? m_dir + "/cm-%C" : m_target.shared_control_path;
        m_batch = !::isatty(STDIN_FILENO);
    }
    ~OpensshCarrier() override {
        std::error_code ec;
        std::filesystem::remove_all(m_dir, ec);
    }
    OpensshCarrier(const OpensshCarrier&) = delete;
    OpensshCarrier& operator=(const OpensshCarrier&) = delete;

    std::unique_ptr<Channel> open_shell() override {
        util::ProcessOptions options;
        // On a terminal ssh stays in its foreground group, to ask for a passphrase or a code.
        options.own_group = m_batch;
        auto master = util::PipedProcess::start(openssh_master_argv(m_machine, m_target, m_socket, m_batch), options);
        if (!master) throw Error(fmt::format("machine \"{}\": cannot run ssh: {}", m_machine.name, master.error()));
        return std::make_unique<MasterChannel>(std::move(*master));
    }

    std::chrono::milliseconds login_allowance() const override {
        // On a terminal, ssh may be waiting for a person (passphrase, MFA code); without one
        // BatchMode stops it at once and ConnectTimeout bounds the rest.
        return m_batch ? ssh_timeout() : std::chrono::minutes(5);
    }

    std::unique_ptr<Channel> exec(const std::string& command) override {
        auto argv = common_options(m_machine, m_target);
        argv.insert(argv.end(), {"-o", "ControlMaster=no", "-o", "ControlPath=" + m_socket, "-o", "BatchMode=yes",
                                 "-T", host_word(m_machine), command});
        auto client = util::PipedProcess::start(argv);
        if (!client) throw Error(fmt::format("machine \"{}\": cannot run ssh: {}", m_machine.name, client.error()));
        return std::make_unique<ProcessChannel>(std::move(*client));
    }

private:
    model::Machine m_machine;
    SshTarget m_target;
    std::string m_dir;
    std::string m_socket;
    bool m_batch = true;
};

} // namespace

std::vector<std::string> openssh_master_argv(const model::Machine& machine, const SshTarget& target,
                                             const std::string& control_path, bool batch) {
    auto argv = common_options(machine, target);
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(ssh_timeout()).count();
    if (target.shared_control_path.empty())
        argv.insert(argv.end(), {"-o", "ControlMaster=yes", "-o", "ControlPath=" + control_path, "-o", "ControlPersist=no"});
    else  // through the user's master when it lives (no login, no MFA code), else it becomes it
        argv.insert(argv.end(), {"-o", "ControlMaster=auto", "-o", "ControlPath=" + target.shared_control_path});
    argv.insert(argv.end(), {"-o", fmt::format("ConnectTimeout={}", std::max<long long>(seconds, 1)), "-o",
                             "ServerAliveInterval=15"});
    if (batch) argv.insert(argv.end(), {"-o", "BatchMode=yes"});
    argv.insert(argv.end(), {"-T", host_word(machine), "exec /bin/sh"});
    return argv;
}

std::unique_ptr<RemoteTransport> connect_openssh(const model::Machine& machine, const SshTarget& target) {
    return std::make_unique<RemoteTransport>(std::make_unique<OpensshCarrier>(machine, target), target.where());
}

} // namespace milex::transport
