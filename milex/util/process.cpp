#include "milex/util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <map>
#include <utility>

#include <fmt/format.h>

extern char** environ;

namespace milex::util {

namespace {

using Clock = std::chrono::steady_clock;

/// Closes a file descriptor when it goes out of scope.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : m_fd(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return m_fd; }
    void reset(int fd = -1) {
        if (m_fd >= 0) ::close(m_fd);
        m_fd = fd;
    }
    int release() {
        int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd = -1;
};

struct Pipe {
    Fd read;
    Fd write;
};

tl::expected<void, std::string> make_pipe(Pipe& p) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return tl::unexpected(std::string("pipe: ") + std::strerror(errno));
    p.read.reset(fds[0]);
    p.write.reset(fds[1]);
    return {};
}

/// Owns the posix_spawn attribute and file-action objects.
struct SpawnSetup {
    posix_spawn_file_actions_t actions{};
    posix_spawnattr_t attr{};
    SpawnSetup() {
        posix_spawn_file_actions_init(&actions);
        posix_spawnattr_init(&attr);
    }
    ~SpawnSetup() {
        posix_spawn_file_actions_destroy(&actions);
        posix_spawnattr_destroy(&attr);
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
};

/// The child starts with default dispositions and an empty mask, whatever milex itself set.
void reset_signals(posix_spawnattr_t& attr, short flags) {
    sigset_t none;
    sigemptyset(&none);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (int sig : {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD})
        sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, static_cast<short>(flags | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
    std::vector<char*> out;
    out.reserve(argv.size() + 1);
    for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
    out.push_back(nullptr);
    return out;
}

/// Our environment with `overrides` applied, as storage plus a NULL-terminated pointer list.
struct Environment {
    std::vector<std::string> storage;
    std::vector<char*> pointers;
};

Environment make_environment(const std::vector<std::pair<std::string, std::string>>& overrides) {
    std::map<std::string, std::string> vars;
    std::vector<std::string> order;
    for (char** e = environ; e && *e; ++e) {
        std::string entry(*e);
        auto eq = entry.find('=');
        std::string key = entry.substr(0, eq);
        if (!vars.count(key)) order.push_back(key);
        vars[key] = eq == std::string::npos ? "" : entry.substr(eq + 1);
    }
    for (const auto& [key, value] : overrides) {
        if (!vars.count(key)) order.push_back(key);
        vars[key] = value;
    }
    Environment env;
    env.storage.reserve(order.size());
    for (const auto& key : order) env.storage.push_back(key + "=" + vars[key]);
    for (auto& s : env.storage) env.pointers.push_back(s.data());
    env.pointers.push_back(nullptr);
    return env;
}

void decode_status(int status, ProcessResult& result) {
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.exit_code = -1;
        result.term_signal = WTERMSIG(status);
    }
}

/// Reads what is available on `fd` into `sink`; returns false at end of file or error.
bool drain(int fd, std::string& sink) {
    std::array<char, 65536> buffer;
    for (;;) {
        ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n > 0) {
            sink.append(buffer.data(), static_cast<size_t>(n));
            continue;
        }
        if (n == 0) return false;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK;
    }
}

} // namespace

std::string ProcessResult::describe_end(std::chrono::milliseconds timeout) const {
    if (timed_out) return fmt::format("did not finish within {:.1f} s", timeout.count() / 1000.0);
    if (term_signal != 0) return fmt::format("was killed by signal {} ({})", term_signal, strsignal(term_signal));
    return fmt::format("exited with status {}", exit_code);
}

namespace {

/// The child of run_process or PipedProcess, with our ends of its pipes.
struct Spawned {
    pid_t pid = -1;
    Fd in, out, err;
};

/// Starts `argv` with its stdout and stderr on pipes, stdin on a pipe when `piped_stdin`, else
/// /dev/null. Our ends are non-blocking.
tl::expected<void, std::string> spawn(const std::vector<std::string>& argv, const ProcessOptions& options,
                                      bool piped_stdin, Spawned& child) {
    if (argv.empty() || argv[0].empty()) return tl::unexpected(std::string("empty command"));
    Pipe out_pipe, err_pipe, in_pipe;
    for (Pipe* p : {&out_pipe, &err_pipe}) {
        if (auto made = make_pipe(*p); !made) return tl::unexpected(made.error());
    }
    if (piped_stdin) {
        if (auto made = make_pipe(in_pipe); !made) return tl::unexpected(made.error());
    }

    SpawnSetup setup;
    if (piped_stdin)
        posix_spawn_file_actions_adddup2(&setup.actions, in_pipe.read.get(), STDIN_FILENO);
    else
        posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&setup.actions, out_pipe.write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&setup.actions, err_pipe.write.get(), STDERR_FILENO);
    if (!options.cwd.empty())
        posix_spawn_file_actions_addchdir_np(&setup.actions, options.cwd.c_str());
    // A group of its own, so that a timeout kills the program and everything it started.
    if (options.own_group) posix_spawnattr_setpgroup(&setup.attr, 0);
    reset_signals(setup.attr, options.own_group ? POSIX_SPAWN_SETPGROUP : 0);

    auto args = c_argv(argv);
    Environment env;
    char** envp = environ;
    if (!options.env.empty()) {
        env = make_environment(options.env);
        envp = env.pointers.data();
    }
    // posix_spawnp reports its failure in its return value; it does not set errno.
    int rc = ::posix_spawnp(&child.pid, args[0], &setup.actions, &setup.attr, args.data(), envp);
    if (rc != 0) return tl::unexpected(fmt::format("{}: {}", argv[0], std::strerror(rc)));
    for (Fd* fd : {&out_pipe.read, &err_pipe.read, &in_pipe.write}) {
        if (fd->get() >= 0) ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
    }
    child.out.reset(out_pipe.read.release());
    child.err.reset(err_pipe.read.release());
    child.in.reset(in_pipe.write.release());
    return {};
}

} // namespace

tl::expected<ProcessResult, std::string> run_process(const std::vector<std::string>& argv,
                                                     const ProcessOptions& options) {
    const bool feed = options.stdin_data.has_value();
    Spawned child;
    if (auto started = spawn(argv, options, feed, child); !started) return tl::unexpected(started.error());
    const pid_t pid = child.pid;
    Pipe out_pipe, err_pipe, in_pipe;
    out_pipe.read.reset(child.out.release());
    err_pipe.read.reset(child.err.release());
    in_pipe.write.reset(child.in.release());

    ProcessResult result;
    const auto deadline = Clock::now() + options.timeout;
    size_t written = 0;
    bool out_open = true, err_open = true;
    bool exited = false;
    int status = 0;
    if (feed && options.stdin_data->empty()) in_pipe.write.reset();
    // The child's end is seen through a pidfd in the same poll as its pipes: no sleeping, and a
    // grandchild that keeps the pipes open does not hold us once the child itself is gone.
    Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

    for (;;) {
        std::array<pollfd, 4> fds{};
        nfds_t n = 0;
        if (out_open) fds[n++] = {out_pipe.read.get(), POLLIN, 0};
        if (err_open) fds[n++] = {err_pipe.read.get(), POLLIN, 0};
        if (in_pipe.write.get() >= 0) fds[n++] = {in_pipe.write.get(), POLLOUT, 0};
        if (pidfd.get() >= 0) fds[n++] = {pidfd.get(), POLLIN, 0};

        // Without a pidfd (kernels before 5.3) the end is checked every 10 ms instead.
        int wait_ms = pidfd.get() >= 0 ? -1 : 10;
        if (options.timeout.count() > 0) {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
            if (left <= 0) {
                result.timed_out = true;
                break;
            }
            wait_ms = wait_ms < 0 ? static_cast<int>(left) : static_cast<int>(std::min<long long>(left, wait_ms));
        }
        int ready = ::poll(fds.data(), n, wait_ms);
        if (ready < 0 && errno != EINTR) break;
        bool child_ended = false;
        for (nfds_t i = 0; i < n && ready > 0; ++i) {
            if (fds[i].revents == 0) continue;
            if (fds[i].fd == out_pipe.read.get()) {
                out_open = drain(fds[i].fd, result.out);
            } else if (fds[i].fd == err_pipe.read.get()) {
                err_open = drain(fds[i].fd, result.err);
            } else if (fds[i].fd == pidfd.get()) {
                child_ended = true;
            } else {
                const std::string& data = *options.stdin_data;
                ssize_t w = ::write(fds[i].fd, data.data() + written, data.size() - written);
                if (w > 0) written += static_cast<size_t>(w);
                if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == data.size())
                    in_pipe.write.reset();
            }
        }
        if (child_ended || (pidfd.get() < 0 && ::waitpid(pid, &status, WNOHANG) == pid)) {
            if (child_ended) {
                while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
                }
            }
            exited = true;
            // What the program wrote before it ended is in the pipes: take it all.
            if (out_open) drain(out_pipe.read.get(), result.out);
            if (err_open) drain(err_pipe.read.get(), result.err);
            break;
        }
    }

    if (result.timed_out) {
        // SIGTERM first, so that the program can clean up; what is left after the grace period
        // (the program, or anything it started in its group) gets SIGKILL. The child is not
        // reaped before that, so its id cannot have been reused by then.
        const pid_t target = options.own_group ? -pid : pid;
        ::kill(target, SIGTERM);
        const auto grace_end = Clock::now() + options.grace;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(grace_end - Clock::now()).count();
            if (left <= 0) break;
            if (pidfd.get() >= 0) {
                pollfd fd{pidfd.get(), POLLIN, 0};
                if (::poll(&fd, 1, static_cast<int>(left)) > 0) break;
            } else {
                siginfo_t info{};
                if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid)
                    break;
                ::usleep(10000);
            }
        }
        ::kill(target, SIGKILL);
        if (out_open) drain(out_pipe.read.get(), result.out);
        if (err_open) drain(err_pipe.read.get(), result.err);
    }
    if (!exited) {
        while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    decode_status(status, result);
    if (result.timed_out) {
        result.exit_code = -1;
        result.term_signal = 0;
    }
    return result;
}

tl::expected<PipedProcess, std::string> PipedProcess::start(const std::vector<std::string>& argv,
                                                            const ProcessOptions& options) {
    // Writing to a child that died must be an error to handle, not SIGPIPE ending milex.
    ::signal(SIGPIPE, SIG_IGN);
    Spawned child;
    if (auto started = spawn(argv, options, true, child); !started) return tl::unexpected(started.error());
    PipedProcess process;
    process.m_pid = child.pid;
    process.m_in = child.in.release();
    process.m_out = child.out.release();
    process.m_err = child.err.release();
    process.m_group = options.own_group;
    return process;
}

PipedProcess::PipedProcess(PipedProcess&& other) noexcept { *this = std::move(other); }

PipedProcess& PipedProcess::operator=(PipedProcess&& other) noexcept {
    if (this == &other) return *this;
    release();
    m_pid = std::exchange(other.m_pid, -1);
    m_in = std::exchange(other.m_in, -1);
    m_out = std::exchange(other.m_out, -1);
    m_err = std::exchange(other.m_err, -1);
    m_group = other.m_group;
    m_reaped = std::exchange(other.m_reaped, false);
    return *this;
}

PipedProcess::~PipedProcess() { release(); }

void PipedProcess::release() {
    for (int* fd : {&m_in, &m_out, &m_err}) {
        if (*fd >= 0) ::close(*fd);
        *fd = -1;
    }
    if (m_pid > 0 && !m_reaped) {
        kill(SIGKILL);
        int status = 0;
        while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
        }
    }
    m_pid = -1;
}

namespace {
int ms_until(PipedProcess::Deadline deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 1 << 30));
}
} // namespace

PipedProcess::Io PipedProcess::write(std::string_view data, Deadline deadline) {
    size_t written = 0;
    while (written < data.size()) {
        if (m_in < 0) return Io::closed;
        ssize_t w = ::write(m_in, data.data() + written, data.size() - written);
        if (w > 0) {
            written += static_cast<size_t>(w);
            continue;
        }
        if (w < 0 && errno == EINTR) continue;
        if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK) return Io::closed;
        pollfd fd{m_in, POLLOUT, 0};
        const int wait = ms_until(deadline);
        if (wait == 0) return Io::timeout;
        if (::poll(&fd, 1, wait) < 0 && errno != EINTR) return Io::closed;
        if (fd.revents & (POLLERR | POLLHUP)) return Io::closed;
    }
    return Io::done;
}

void PipedProcess::close_input() {
    if (m_in >= 0) ::close(m_in);
    m_in = -1;
}

PipedProcess::Io PipedProcess::read(std::string& out, std::string& err, Deadline deadline) {
    for (;;) {
        std::array<pollfd, 2> fds{};
        nfds_t n = 0;
        if (m_out >= 0) fds[n++] = {m_out, POLLIN, 0};
        if (m_err >= 0) fds[n++] = {m_err, POLLIN, 0};
        if (n == 0) return Io::closed;
        int ready = ::poll(fds.data(), n, ms_until(deadline));
        if (ready < 0 && errno == EINTR) continue;
        if (ready <= 0) return ready == 0 ? Io::timeout : Io::closed;
        const size_t out_before = out.size(), err_before = err.size();
        for (nfds_t i = 0; i < n; ++i) {
            if (fds[i].revents == 0) continue;
            int& fd = fds[i].fd == m_out ? m_out : m_err;
            if (!drain(fd, fd == m_out ? out : err)) {
                ::close(fd);
                fd = -1;
            }
        }
        if (out.size() > out_before || err.size() > err_before) return Io::done;
    }
}

void PipedProcess::kill(int signal) {
    if (m_pid > 0 && !m_reaped) ::kill(m_group ? -m_pid : m_pid, signal);
}

ProcessResult PipedProcess::wait(Deadline deadline) {
    ProcessResult result;
    if (m_pid <= 0 || m_reaped) return result;
    int status = 0;
    for (;;) {
        pid_t done = ::waitpid(m_pid, &status, WNOHANG);
        if (done == m_pid) break;
        if (done < 0 && errno != EINTR) return result;
        if (Clock::now() >= deadline) {
            kill(SIGKILL);
            result.timed_out = true;
            while (::waitpid(m_pid, &status, 0) < 0 && errno == EINTR) {
            }
            break;
        }
        ::usleep(2000);
    }
    m_reaped = true;
    decode_status(status, result);
    return result;
}

tl::expected<int, std::string> run_interactive(const std::vector<std::string>& argv) {
    if (argv.empty() || argv[0].empty()) return tl::unexpected(std::string("empty command"));
    SpawnSetup setup;
    reset_signals(setup.attr, 0);
    auto args = c_argv(argv);
    pid_t pid = -1;
    int rc = ::posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), environ);
    if (rc != 0) return tl::unexpected(fmt::format("{}: {}", argv[0], std::strerror(rc)));
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

std::optional<std::filesystem::path> find_on_path(const std::string& name) {
    auto executable = [](const std::filesystem::path& p) {
        struct stat st {};
        return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
    };
    if (name.empty()) return std::nullopt;
    if (name.find('/') != std::string::npos) {
        if (executable(name)) return std::filesystem::path(name);
        return std::nullopt;
    }
    const char* path = std::getenv("PATH");
    std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    size_t start = 0;
    while (start <= dirs.size()) {
        size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        std::string dir = dirs.substr(start, end - start);
        std::filesystem::path candidate = (dir.empty() ? std::filesystem::path(".") : std::filesystem::path(dir)) / name;
        if (executable(candidate)) return candidate;
        start = end + 1;
    }
    return std::nullopt;
}

} // namespace milex::util
