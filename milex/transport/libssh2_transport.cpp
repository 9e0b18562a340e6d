#include "milex/transport/libssh2_transport.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <libssh2.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "milex/transport/keys.hpp"
#include "milex/transport/prompt.hpp"
#include "milex/transport/remote_transport.hpp"
#include "milex/util/error.hpp"
#include "milex/util/path.hpp"
#include "milex/util/text.hpp"

namespace milex::transport {

namespace {

using Clock = std::chrono::steady_clock;

/// The libssh2 functions milex calls, looked up in libssh2.so.1 once.
struct Api {
    decltype(&libssh2_init) init = nullptr;
    decltype(&libssh2_session_init_ex) session_init_ex = nullptr;
    decltype(&libssh2_session_set_blocking) set_blocking = nullptr;
    decltype(&libssh2_session_method_pref) method_pref = nullptr;
    decltype(&libssh2_session_handshake) handshake = nullptr;
    decltype(&libssh2_session_hostkey) hostkey = nullptr;
    decltype(&libssh2_session_block_directions) block_directions = nullptr;
    decltype(&libssh2_session_last_error) last_error = nullptr;
    decltype(&libssh2_session_last_errno) last_errno = nullptr;
    decltype(&libssh2_session_disconnect_ex) disconnect_ex = nullptr;
    decltype(&libssh2_session_free) session_free = nullptr;
    decltype(&libssh2_knownhost_init) kh_init = nullptr;
    decltype(&libssh2_knownhost_readfile) kh_readfile = nullptr;
    decltype(&libssh2_knownhost_checkp) kh_checkp = nullptr;
    decltype(&libssh2_knownhost_free) kh_free = nullptr;
    decltype(&libssh2_userauth_list) auth_list = nullptr;
    decltype(&libssh2_userauth_authenticated) authenticated = nullptr;
    decltype(&libssh2_userauth_publickey_fromfile_ex) auth_file = nullptr;
    decltype(&libssh2_userauth_keyboard_interactive_ex) auth_keyboard = nullptr;
    decltype(&libssh2_agent_init) agent_init = nullptr;
    decltype(&libssh2_agent_connect) agent_connect = nullptr;
    decltype(&libssh2_agent_list_identities) agent_list = nullptr;
    decltype(&libssh2_agent_get_identity) agent_get = nullptr;
    decltype(&libssh2_agent_userauth) agent_auth = nullptr;
    decltype(&libssh2_agent_disconnect) agent_disconnect = nullptr;
    decltype(&libssh2_agent_free) agent_free = nullptr;
    decltype(&libssh2_channel_open_ex) channel_open_ex = nullptr;
    decltype(&libssh2_channel_process_startup) process_startup = nullptr;
    decltype(&libssh2_channel_read_ex) read_ex = nullptr;
    decltype(&libssh2_channel_write_ex) write_ex = nullptr;
    decltype(&libssh2_channel_send_eof) send_eof = nullptr;
    decltype(&libssh2_channel_eof) channel_eof = nullptr;
    decltype(&libssh2_channel_close) channel_close = nullptr;
    decltype(&libssh2_channel_wait_closed) wait_closed = nullptr;
    decltype(&libssh2_channel_get_exit_status) exit_status = nullptr;
    decltype(&libssh2_channel_free) channel_free = nullptr;
    decltype(&libssh2_poll_channel_read) queued = nullptr;
    decltype(&libssh2_keepalive_config) keepalive_config = nullptr;
    decltype(&libssh2_keepalive_send) keepalive_send = nullptr;
    std::string problem;  ///< why it could not be loaded
};

template <typename F>
void bind(void* library, F& function, const char* name, std::string& problem) {
    function = reinterpret_cast<F>(::dlsym(library, name));
    if (!function && problem.empty()) problem = fmt::format("libssh2.so.1 has no {}", name);
}

const Api& load() {
    static const Api api = [] {
        Api a;
        void* library = ::dlopen("libssh2.so.1", RTLD_NOW | RTLD_LOCAL);
        if (!library) {
            const char* why = ::dlerror();
            a.problem = why ? why : "libssh2.so.1 cannot be loaded";
            return a;
        }
        std::string& p = a.problem;
        bind(library, a.init, "libssh2_init", p);
        bind(library, a.session_init_ex, "libssh2_session_init_ex", p);
        bind(library, a.set_blocking, "libssh2_session_set_blocking", p);
        bind(library, a.method_pref, "libssh2_session_method_pref", p);
        bind(library, a.handshake, "libssh2_session_handshake", p);
        bind(library, a.hostkey, "libssh2_session_hostkey", p);
        bind(library, a.block_directions, "libssh2_session_block_directions", p);
        bind(library, a.last_error, "libssh2_session_last_error", p);
        bind(library, a.last_errno, "libssh2_session_last_errno", p);
        bind(library, a.disconnect_ex, "libssh2_session_disconnect_ex", p);
        bind(library, a.session_free, "libssh2_session_free", p);
        bind(library, a.kh_init, "libssh2_knownhost_init", p);
        bind(library, a.kh_readfile, "libssh2_knownhost_readfile", p);
        bind(library, a.kh_checkp, "libssh2_knownhost_checkp", p);
        bind(library, a.kh_free, "libssh2_knownhost_free", p);
        bind(library, a.auth_list, "libssh2_userauth_list", p);
        bind(library, a.authenticated, "libssh2_userauth_authenticated", p);
        bind(library, a.auth_file, "libssh2_userauth_publickey_fromfile_ex", p);
        bind(library, a.auth_keyboard, "libssh2_userauth_keyboard_interactive_ex", p);
        bind(library, a.agent_init, "libssh2_agent_init", p);
        bind(library, a.agent_connect, "libssh2_agent_connect", p);
        bind(library, a.agent_list, "libssh2_agent_list_identities", p);
        bind(library, a.agent_get, "libssh2_agent_get_identity", p);
        bind(library, a.agent_auth, "libssh2_agent_userauth", p);
        bind(library, a.agent_disconnect, "libssh2_agent_disconnect", p);
        bind(library, a.agent_free, "libssh2_agent_free", p);
        bind(library, a.channel_open_ex, "libssh2_channel_open_ex", p);
        bind(library, a.process_startup, "libssh2_channel_process_startup", p);
        bind(library, a.read_ex, "libssh2_channel_read_ex", p);
        bind(library, a.write_ex, "libssh2_channel_write_ex", p);
        bind(library, a.send_eof, "libssh2_channel_send_eof", p);
        bind(library, a.channel_eof, "libssh2_channel_eof", p);
        bind(library, a.channel_close, "libssh2_channel_close", p);
        bind(library, a.wait_closed, "libssh2_channel_wait_closed", p);
        bind(library, a.exit_status, "libssh2_channel_get_exit_status", p);
        bind(library, a.channel_free, "libssh2_channel_free", p);
        bind(library, a.queued, "libssh2_poll_channel_read", p);
        bind(library, a.keepalive_config, "libssh2_keepalive_config", p);
        bind(library, a.keepalive_send, "libssh2_keepalive_send", p);
        if (p.empty() && a.init(0) != 0) p = "libssh2_init failed";
        return a;
    }();
    return api;
}

const Api& api_for(const model::Machine& machine) {
    const Api& a = load();
    if (!a.problem.empty())
        throw Error(fmt::format("machine \"{}\": the libssh2 transport needs libssh2 ({}); install libssh2-1 "
                                "(apt-get install libssh2-1) or set \"transport\": \"openssh\"",
                                machine.name, a.problem));
    return a;
}

std::string host_port(const SshTarget& target) {
    return target.port == 22 ? target.host : fmt::format("{} port {}", target.host, target.port);
}

void keyboard_callback(const char*, int, const char* instruction, int instruction_length, int prompt_count,
                       const LIBSSH2_USERAUTH_KBDINT_PROMPT* prompts, LIBSSH2_USERAUTH_KBDINT_RESPONSE* responses,
                       void**) {
    std::string said = instruction_length > 0 ? std::string(instruction, static_cast<size_t>(instruction_length)) : "";
    for (int i = 0; i < prompt_count; ++i) {
        std::string prompt(reinterpret_cast<const char*>(prompts[i].text), prompts[i].length);
        std::string answer = ask(i == 0 ? said : "", prompt).value_or("");
        responses[i].text = static_cast<char*>(std::malloc(answer.size() + 1));
        if (!responses[i].text) continue;
        std::memcpy(responses[i].text, answer.c_str(), answer.size() + 1);
        responses[i].length = static_cast<unsigned>(answer.size());
    }
}

/// One TCP connection and its SSH session, non-blocking, each step bounded by a deadline.
class Session {
public:
    Session(const Api& api, const model::Machine& machine, SshTarget target)
        : a(api), m_machine(machine.name), m_target(std::move(target)), m_step(ssh_timeout()) {}
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session() {
        if (m_session) {
            const auto deadline = Clock::now() + std::chrono::milliseconds(500);
            if (!m_broken) retry([&] { return a.disconnect_ex(m_session, SSH_DISCONNECT_BY_APPLICATION, "bye", ""); },
                                 deadline, std::nothrow);
            a.session_free(m_session);
        }
        if (m_socket >= 0) ::close(m_socket);
    }

    const Api& a;

    Deadline step_deadline() const { return Clock::now() + m_step; }
    std::string error_text() const {
        char* message = nullptr;
        int length = 0;
        a.last_error(m_session, &message, &length, 0);
        return message && length > 0 ? std::string(message, static_cast<size_t>(length)) : "unknown error";
    }
    bool broken() const { return m_broken; }
    void mark_broken() { m_broken = true; }
    /// Keepalives every `seconds` (ssh_config's ServerAliveInterval), without asking for a reply:
    /// they keep an idle NAT mapping, and a dead link shows on the next command anyway.
    void configure_keepalive(int seconds) { a.keepalive_config(m_session, 0, static_cast<unsigned>(seconds)); }
    /// Sends a keepalive if one is due. Only between commands: nothing else is half-sent then.
    void keep_alive() {
        if (m_broken) return;
        int next = 0;
        a.keepalive_send(m_session, &next);
    }
    LIBSSH2_SESSION* get() const { return m_session; }
    const SshTarget& target() const { return m_target; }
    const std::string& machine() const { return m_machine; }

    /// Waits until the socket is ready in the direction libssh2 waits for; false at the deadline.
    bool wait(Deadline deadline) {
        // Acknowledge what arrives at once: sshd holds a reply's next small packet until the
        // last one is acknowledged (no TCP_NODELAY without a terminal), and a delayed ACK
        // costs ~40 ms a command. Linux leaves quick-ack mode on its own, so it is set again
        // before every wait.
        int one = 1;
        ::setsockopt(m_socket, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
        const int directions = a.block_directions(m_session);
        pollfd fd{m_socket, 0, 0};
        if (directions & LIBSSH2_SESSION_BLOCK_INBOUND) fd.events |= POLLIN;
        if (directions & LIBSSH2_SESSION_BLOCK_OUTBOUND) fd.events |= POLLOUT;
        if (fd.events == 0) fd.events = POLLIN;
        for (;;) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) return false;
            int ready = ::poll(&fd, 1, static_cast<int>(std::min<long long>(left, 1000)));
            if (ready > 0) return true;
            if (ready < 0 && errno != EINTR) return false;
        }
    }

    /// Calls `call` until it stops saying EAGAIN; the timed-out value is LIBSSH2_ERROR_TIMEOUT.
    template <typename F>
    int retry(F call, Deadline deadline, std::nothrow_t) {
        for (;;) {
            int rc = static_cast<int>(call());
            if (rc != LIBSSH2_ERROR_EAGAIN) return rc;
            if (!wait(deadline)) return LIBSSH2_ERROR_TIMEOUT;
        }
    }

    void open_socket() {
        addrinfo hints{};
        hints.ai_family = AF_UNSPEC;
        hints.ai_socktype = SOCK_STREAM;
        addrinfo* found = nullptr;
        const std::string port = std::to_string(m_target.port);
        if (int rc = ::getaddrinfo(m_target.host.c_str(), port.c_str(), &hints, &found); rc != 0)
            throw Error(fmt::format("machine \"{}\": cannot find host \"{}\": {}", m_machine, m_target.host,
                                    ::gai_strerror(rc)));
        std::string failure;
        bool timed_out = false;
        for (addrinfo* at = found; at && m_socket < 0; at = at->ai_next) {
            int fd = ::socket(at->ai_family, at->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, at->ai_protocol);
            if (fd < 0) continue;
            int rc = ::connect(fd, at->ai_addr, at->ai_addrlen);
            if (rc != 0 && errno == EINPROGRESS) {
                pollfd p{fd, POLLOUT, 0};
                const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(m_step).count();
                rc = ::poll(&p, 1, static_cast<int>(ms));
                if (rc == 0) {
                    timed_out = true;
                    ::close(fd);
                    continue;
                }
                int error = 0;
                socklen_t length = sizeof error;
                ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
                errno = error;
                rc = error == 0 ? 0 : -1;
            }
            if (rc == 0) {
                // Each command is one small packet: send it now, not after the last one's ACK.
                int one = 1;
                ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                m_socket = fd;
                break;
            }
            failure = std::strerror(errno);
            if (errno == ECONNREFUSED) failure = "refused";
            ::close(fd);
        }
        ::freeaddrinfo(found);
        if (m_socket >= 0) return;
        if (timed_out)
            throw Error(fmt::format("machine \"{}\": no answer from {} within {} s; check the host name, the port and "
                                    "your network (MILEX_SSH_TIMEOUT sets the wait)",
                                    m_machine, host_port(m_target), seconds()));
        if (failure == "refused")
            throw Error(fmt::format("machine \"{}\": connection to {} refused; is sshd running there, and is \"port\" "
                                    "right?",
                                    m_machine, host_port(m_target)));
        throw Error(fmt::format("machine \"{}\": cannot connect to {}: {}", m_machine, host_port(m_target), failure));
    }

    std::string seconds() const { return fmt::format("{:g}", m_step.count() / 1000.0); }

    /// TCP connection and SSH handshake, host key types on file asked for first.
    void handshake(const std::string& preferred_host_keys) {
        open_socket();
        m_session = a.session_init_ex(nullptr, nullptr, nullptr, nullptr);
        if (!m_session) throw Error(fmt::format("machine \"{}\": libssh2 cannot start a session", m_machine));
        a.set_blocking(m_session, 0);
        if (!preferred_host_keys.empty()) a.method_pref(m_session, LIBSSH2_METHOD_HOSTKEY, preferred_host_keys.c_str());
        int rc = retry([&] { return a.handshake(m_session, m_socket); }, step_deadline(), std::nothrow);
        if (rc == LIBSSH2_ERROR_TIMEOUT) {
            m_broken = true;
            throw Error(fmt::format("machine \"{}\": {} sent no SSH greeting within {} s; is it an SSH server, and is "
                                    "\"port\" right? (MILEX_SSH_TIMEOUT sets the wait)",
                                    m_machine, host_port(m_target), seconds()));
        }
        if (rc != 0) {
            m_broken = true;
            throw Error(fmt::format("machine \"{}\": SSH handshake with {} failed ({}); is it an SSH server, and is "
                                    "\"port\" right?",
                                    m_machine, host_port(m_target), error_text()));
        }
    }

    /// The host key the server presented: its blob and libssh2 type.
    std::pair<std::string, int> host_key() const {
        size_t length = 0;
        int type = 0;
        const char* key = a.hostkey(m_session, &length, &type);
        if (!key) throw Error(fmt::format("machine \"{}\": {} sent no host key", m_machine, host_port(m_target)));
        return {std::string(key, length), type};
    }

private:
    std::string m_machine;
    SshTarget m_target;
    std::chrono::milliseconds m_step;
    int m_socket = -1;
    LIBSSH2_SESSION* m_session = nullptr;
    bool m_broken = false;
};

/// libssh2's known_hosts key type bit for a host key type.
int known_host_type(int hostkey_type) {
    switch (hostkey_type) {
    case LIBSSH2_HOSTKEY_TYPE_RSA:
        return LIBSSH2_KNOWNHOST_KEY_SSHRSA;
    case LIBSSH2_HOSTKEY_TYPE_DSS:
        return LIBSSH2_KNOWNHOST_KEY_SSHDSS;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_256;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_384:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_384;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_521:
        return LIBSSH2_KNOWNHOST_KEY_ECDSA_521;
    case LIBSSH2_HOSTKEY_TYPE_ED25519:
        return LIBSSH2_KNOWNHOST_KEY_ED25519;
    default:
        return LIBSSH2_KNOWNHOST_KEY_UNKNOWN;
    }
}

/// The known_hosts files of a target, read into one libssh2 collection.
class KnownHosts {
public:
    KnownHosts(const Api& api, LIBSSH2_SESSION* session, const SshTarget& target) : a(api), m_target(target) {
        m_hosts = a.kh_init(session);
        for (const auto& file : target.known_hosts_files) {
            if (::access(file.c_str(), R_OK) != 0) continue;
            if (a.kh_readfile(m_hosts, file.c_str(), LIBSSH2_KNOWNHOST_FILE_OPENSSH) >= 0 && m_file.empty()) m_file = file;
        }
    }
    ~KnownHosts() {
        if (m_hosts) a.kh_free(m_hosts);
    }
    KnownHosts(const KnownHosts&) = delete;
    KnownHosts& operator=(const KnownHosts&) = delete;

    int check(const std::string& key, int type_bit) const {
        libssh2_knownhost* found = nullptr;
        const bool alias = !m_target.host_key_alias.empty();
        const std::string& name = alias ? m_target.host_key_alias : m_target.host;
        return a.kh_checkp(m_hosts, name.c_str(), alias ? -1 : m_target.port, key.data(), key.size(),
                           LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW | type_bit, &found);
    }

    /// Host key methods, those the files hold a key of for this host first: libssh2 checks
    /// only the type it negotiated, so it must negotiate the type we know.
    std::string preference() const {
        struct Method {
            const char* name;
            int bit;
        };
        static const std::array<Method, 5> k_methods = {Method{"ssh-ed25519", LIBSSH2_KNOWNHOST_KEY_ED25519},
                                                        {"ecdsa-sha2-nistp256", LIBSSH2_KNOWNHOST_KEY_ECDSA_256},
                                                        {"ecdsa-sha2-nistp384", LIBSSH2_KNOWNHOST_KEY_ECDSA_384},
                                                        {"ecdsa-sha2-nistp521", LIBSSH2_KNOWNHOST_KEY_ECDSA_521},
                                                        {"ssh-rsa", LIBSSH2_KNOWNHOST_KEY_SSHRSA}};
        std::vector<std::string> known, other;
        for (const auto& method : k_methods) {
            // A dummy key "mismatches" exactly when the host has a key of that type on file.
            (check(std::string(1, '\0'), method.bit) == LIBSSH2_KNOWNHOST_CHECK_MISMATCH ? known : other)
                .push_back(method.name);
        }
        known.insert(known.end(), other.begin(), other.end());
        return util::join(known, ",");
    }
    const std::string& file() const { return m_file; }

private:
    const Api& a;
    const SshTarget& m_target;
    LIBSSH2_KNOWNHOSTS* m_hosts = nullptr;
    std::string m_file;
};

class Libssh2Channel : public Channel {
public:
    Libssh2Channel(Session& session, LIBSSH2_CHANNEL* channel) : m_session(session), m_channel(channel) {}
    ~Libssh2Channel() override {
        const auto deadline = Clock::now() + std::chrono::milliseconds(200);
        if (!m_session.broken() && !m_closed) m_session.retry([&] { return a().channel_close(m_channel); }, deadline, std::nothrow);
        if (m_session.broken()) return;  // freeing would talk to a dead peer; the session goes soon
        m_session.retry([&] { return a().channel_free(m_channel); }, deadline, std::nothrow);
    }
    Libssh2Channel(const Libssh2Channel&) = delete;
    Libssh2Channel& operator=(const Libssh2Channel&) = delete;

    Io write(std::string_view data, Deadline deadline) override {
        size_t done = 0;
        while (done < data.size()) {
            ssize_t n = a().write_ex(m_channel, 0, data.data() + done, data.size() - done);
            if (n > 0) {
                done += static_cast<size_t>(n);
                continue;
            }
            if (n == LIBSSH2_ERROR_EAGAIN) {
                if (!m_session.wait(deadline)) return Io::timeout;
                continue;
            }
            if (n < 0) failed(static_cast<int>(n));
            return Io::closed;
        }
        return Io::done;
    }
    void close_input() override {
        m_session.retry([&] { return a().send_eof(m_channel); }, m_session.step_deadline(), std::nothrow);
    }
    Io read(std::string& out, std::string& err, Deadline deadline) override {
        std::array<char, 32768> buffer;
        for (;;) {
            bool got = false;
            for (int stream : {0, SSH_EXTENDED_DATA_STDERR}) {
                for (;;) {
                    ssize_t n = a().read_ex(m_channel, stream, buffer.data(), buffer.size());
                    if (n > 0) {
                        (stream == 0 ? out : err).append(buffer.data(), static_cast<size_t>(n));
                        got = true;
                        continue;
                    }
                    if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
                        failed(static_cast<int>(n));
                        return Io::closed;
                    }
                    break;
                }
            }
            if (got) return Io::done;
            if (a().channel_eof(m_channel)) return Io::closed;
            // Reading one stream may have queued a packet of the other from the socket: the
            // socket would then stay quiet while that waits in libssh2's queue.
            if (a().queued(m_channel, 0) || a().queued(m_channel, SSH_EXTENDED_DATA_STDERR)) continue;
            if (!m_session.wait(deadline)) return Io::timeout;
        }
    }
    int exit_status(Deadline deadline) override {
        if (m_session.broken()) return -1;
        if (m_session.retry([&] { return a().channel_close(m_channel); }, deadline, std::nothrow) != 0) return -1;
        m_closed = true;
        if (m_session.retry([&] { return a().wait_closed(m_channel); }, deadline, std::nothrow) != 0) return -1;
        return a().exit_status(m_channel);
    }

private:
    const Api& a() const { return m_session.a; }
    void failed(int rc) {
        if (rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_SEND || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT ||
            rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_SOCKET_TIMEOUT)
            m_session.mark_broken();
    }
    Session& m_session;
    LIBSSH2_CHANNEL* m_channel;
    bool m_closed = false;
};

class Libssh2Carrier : public Carrier {
public:
    explicit Libssh2Carrier(std::unique_ptr<Session> session) : m_session(std::move(session)) {}
    std::unique_ptr<Channel> open_shell() override { return exec("exec /bin/sh"); }
    Replies replies() const override { return Replies::streamed; }
    void keep_alive() override { m_session->keep_alive(); }
    std::unique_ptr<Channel> exec(const std::string& command) override {
        Session& s = *m_session;
        auto lost = [&](const std::string& why) {
            return ConnectionLost(fmt::format("connection to {} lost ({})", s.target().where(), why), why);
        };
        if (s.broken()) throw lost("the connection broke earlier");
        const auto deadline = s.step_deadline();
        LIBSSH2_CHANNEL* channel = nullptr;
        for (;;) {
            channel = s.a.channel_open_ex(s.get(), "session", 7, LIBSSH2_CHANNEL_WINDOW_DEFAULT,
                                          LIBSSH2_CHANNEL_PACKET_DEFAULT, nullptr, 0);
            if (channel) break;
            if (s.a.last_errno(s.get()) != LIBSSH2_ERROR_EAGAIN) {
                s.mark_broken();
                throw lost("cannot open a channel: " + s.error_text());
            }
            if (!s.wait(deadline)) {
                s.mark_broken();
                throw lost("no answer within " + s.seconds() + " s");
            }
        }
        auto wrapped = std::make_unique<Libssh2Channel>(s, channel);
        int rc = s.retry(
            [&] {
                return s.a.process_startup(channel, "exec", 4, command.data(), static_cast<unsigned>(command.size()));
            },
            deadline, std::nothrow);
        if (rc != 0) {
            s.mark_broken();
            throw lost("cannot start a command: " + s.error_text());
        }
        return wrapped;
    }

private:
    std::unique_ptr<Session> m_session;
};

std::string key_list(const std::vector<std::string>& keys) { return util::join(keys, ", "); }

/// Logs in as target.user: ssh-agent, then the key files, then keyboard-interactive on a
/// terminal. Throws the Error that says why none worked and what to do.
void authenticate(Session& s, const model::Machine& machine) {
    const Api& a = s.a;
    const SshTarget& target = s.target();
    const std::string& user = target.user;
    const auto deadline = s.step_deadline();
    const char* methods = nullptr;
    for (;;) {
        methods = a.auth_list(s.get(), user.c_str(), static_cast<unsigned>(user.size()));
        if (methods || a.authenticated(s.get())) break;
        if (a.last_errno(s.get()) != LIBSSH2_ERROR_EAGAIN || !s.wait(deadline))
            throw Error(fmt::format("machine \"{}\": {} stopped answering while logging in ({})", machine.name,
                                    host_port(target), s.error_text()));
    }
    if (a.authenticated(s.get())) return;
    const std::string offered = methods ? methods : "";
    const bool publickey = offered.find("publickey") != std::string::npos;

    if (publickey && util::environment_variable("SSH_AUTH_SOCK")) {
        LIBSSH2_AGENT* agent = a.agent_init(s.get());
        bool in = false;
        if (agent && a.agent_connect(agent) == 0 && a.agent_list(agent) == 0) {
            libssh2_agent_publickey* identity = nullptr;
            libssh2_agent_publickey* previous = nullptr;
            while (!in && a.agent_get(agent, &identity, previous) == 0) {
                in = s.retry([&] { return a.agent_auth(agent, user.c_str(), identity); }, s.step_deadline(),
                             std::nothrow) == 0;
                previous = identity;
            }
            a.agent_disconnect(agent);
        }
        if (agent) a.agent_free(agent);
        if (in) return;
    }

    const bool explicit_key = !machine.key_path.empty();
    std::vector<std::string> refused, rsa_refused;
    if (publickey) {
        for (const auto& file : target.identity_files) {
            auto key = read_key_file(file);
            if (!key) {
                if (explicit_key)
                    throw Error(fmt::format("machine \"{}\": cannot use the key {}: {}; point \"key_path\" at your "
                                            "private key",
                                            machine.name, file, key.error()));
                continue;
            }
            std::optional<std::string> passphrase;
            if (key->encrypted) {
                passphrase = ask("", fmt::format("passphrase for {}: ", file));
                if (!passphrase) {
                    if (explicit_key)
                        throw Error(fmt::format("machine \"{}\": the key {} has a passphrase and there is no terminal to "
                                                "ask it; add the key to ssh-agent (ssh-add {})",
                                                machine.name, file, file));
                    continue;
                }
            }
            int rc = s.retry(
                [&] {
                    return a.auth_file(s.get(), user.c_str(), static_cast<unsigned>(user.size()), nullptr, file.c_str(),
                                       passphrase ? passphrase->c_str() : nullptr);
                },
                s.step_deadline(), std::nothrow);
            if (rc == 0) return;
            if (rc == LIBSSH2_ERROR_TIMEOUT || rc == LIBSSH2_ERROR_SOCKET_RECV || rc == LIBSSH2_ERROR_SOCKET_DISCONNECT)
                throw Error(fmt::format("machine \"{}\": {} stopped answering while logging in", machine.name,
                                        host_port(target)));
            if (rc == LIBSSH2_ERROR_FILE && key->encrypted)
                throw Error(fmt::format("machine \"{}\": wrong passphrase for the key {}", machine.name, file));
            if (rc == LIBSSH2_ERROR_FILE)
                throw Error(fmt::format("machine \"{}\": libssh2 cannot read the key {} ({}); use an ed25519 key in "
                                        "OpenSSH format, or set \"transport\": \"openssh\"",
                                        machine.name, file, s.error_text()));
            (key->type == "ssh-rsa" ? rsa_refused : refused).push_back(file);
        }
    }

    if (offered.find("keyboard-interactive") != std::string::npos && can_ask()) {
        int rc = s.retry(
            [&] {
                return a.auth_keyboard(s.get(), user.c_str(), static_cast<unsigned>(user.size()), &keyboard_callback);
            },
            Clock::now() + std::chrono::minutes(5), std::nothrow);
        if (rc == 0) return;
    }

    if (!rsa_refused.empty() && refused.empty())
        throw Error(fmt::format("machine \"{}\": libssh2 1.10 cannot sign with the RSA key {} for OpenSSH 8.8 and "
                                "later; make an ed25519 key (ssh-keygen -t ed25519) and authorise it there, or set "
                                "\"transport\": \"openssh\"",
                                machine.name, key_list(rsa_refused)));
    refused.insert(refused.end(), rsa_refused.begin(), rsa_refused.end());
    if (refused.empty())
        throw Error(fmt::format("machine \"{}\": no key to log in to {} with (no key file found, none in ssh-agent); "
                                "set \"key_path\" to your private key",
                                machine.name, target.where()));
    throw Error(fmt::format("machine \"{}\": {} did not accept the key {}; authorise its public key there "
                            "(ssh-copy-id), or set \"key_path\" to a key it accepts",
                            machine.name, target.where(), key_list(refused)));
}

/// Connects and checks the host key; returns the session ready to authenticate.
std::unique_ptr<Session> open_checked(const Api& a, const model::Machine& machine, const SshTarget& target,
                                      bool check_key) {
    auto session = std::make_unique<Session>(a, machine, target);
    // A throw-away session reads the known_hosts files to learn which key types are on file.
    std::string preference;
    {
        LIBSSH2_SESSION* probe = a.session_init_ex(nullptr, nullptr, nullptr, nullptr);
        if (probe) {
            KnownHosts known(a, probe, target);
            preference = known.preference();
        }
        if (probe) a.session_free(probe);
    }
    session->handshake(preference);
    if (!check_key) return session;
    auto [key, type] = session->host_key();
    KnownHosts known(a, session->get(), target);
    const std::string shown = fmt::format("{} {}", key_blob_type(key), fingerprint(key));
    const std::string name = target.known_hosts_name();
    switch (known.check(key, known_host_type(type))) {
    case LIBSSH2_KNOWNHOST_CHECK_MATCH:
        return session;
    case LIBSSH2_KNOWNHOST_CHECK_MISMATCH:
        throw Error(fmt::format("machine \"{}\": the host key of {} changed (it now shows {}); refusing to connect; "
                                "if the machine really has a new key, remove the old one (ssh-keygen -R '{}') and run "
                                "milex-configuration --trust-host {}",
                                machine.name, name, shown, name, machine.name));
    default:
        throw Error(fmt::format("machine \"{}\": the host key of {} is not known ({}); check it and run "
                                "milex-configuration --trust-host {}",
                                machine.name, name, shown, machine.name));
    }
}

} // namespace

bool libssh2_available() { return load().problem.empty(); }

std::unique_ptr<RemoteTransport> connect_libssh2(const model::Machine& machine, const SshTarget& target) {
    const Api& a = api_for(machine);
    auto session = open_checked(a, machine, target, true);
    authenticate(*session, machine);
    session->configure_keepalive(target.server_alive_interval);
    std::string where = target.where();
    return std::make_unique<RemoteTransport>(std::make_unique<Libssh2Carrier>(std::move(session)), where);
}

std::string fetch_host_key(const model::Machine& machine, const SshTarget& target) {
    const Api& a = api_for(machine);
    auto session = open_checked(a, machine, target, false);
    return session->host_key().first;
}

} // namespace milex::transport
