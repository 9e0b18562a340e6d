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

tl::expected<ProcessResult, std::string> run_process(const std::vector<std::string>& argv,
                                                     const ProcessOptions& options) {
    if (argv.empty() || argv[0].empty()) return tl::unexpected(std::string("empty command"));

    Pipe out_pipe, err_pipe, in_pipe;
    for (Pipe* p : {&out_pipe, &err_pipe}) {
        if (auto made = make_pipe(*p); !made) return tl::unexpected(made.error());
    }
    const bool feed = options.stdin_data.has_value();
    if (feed) {
        if (auto made = make_pipe(in_pipe); !made) return tl::unexpected(made.error());
    }

    SpawnSetup setup;
    if (feed)
        posix_spawn_file_actions_adddup2(&setup.actions, in_pipe.read.get(), STDIN_FILENO);
    else
        posix_spawn_file_actions_addopen(&setup.actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&setup.actions, out_pipe.write.get(), STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&setup.actions, err_pipe.write.get(), STDERR_FILENO);
    if (!options.cwd.empty())
        posix_spawn_file_actions_addchdir_np(&setup.actions, options.cwd.c_str());
    // A group of its own, so that a timeout kills the program and everything it started.
    posix_spawnattr_setpgroup(&setup.attr, 0);
    reset_signals(setup.attr, POSIX_SPAWN_SETPGROUP);

    auto args = c_argv(argv);
    Environment env;
    char** envp = environ;
    if (!options.env.empty()) {
        env = make_environment(options.env);
        envp = env.pointers.data();
    }
    pid_t pid = -1;
    // posix_spawnp reports its failure in its return value; it does not set errno.
    int rc = ::posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), envp);
    if (rc != 0) return tl::unexpected(fmt::format("{}: {}", argv[0], std::strerror(rc)));

    out_pipe.write.reset();
    err_pipe.write.reset();
    in_pipe.read.reset();
    for (int fd : {out_pipe.read.get(), err_pipe.read.get(), in_pipe.write.get()}) {
        if (fd >= 0) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    }

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

    if (result.timed_out) ::kill(-pid, SIGKILL);
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
