#pragma once
/// Running programs without a shell. Every external program milex starts (an application's
/// -cli, sbatch, ssh, the user's editor) goes through here.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>

#include <sys/types.h>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace milex::util {

struct ProcessOptions {
    /// Stop the whole process group after this long (SIGTERM, then SIGKILL after `grace`);
    /// zero means no limit.
    std::chrono::milliseconds timeout{0};
    /// How long a program that timed out has, after SIGTERM, to clean up (remove its temporary
    /// files, release a lock) before SIGKILL.
    std::chrono::milliseconds grace{2000};
    /// Written to the child's stdin, which is then closed; without it stdin is /dev/null.
    std::optional<std::string> stdin_data;
    /// Working directory of the child; empty means ours.
    std::filesystem::path cwd;
    /// Variables set (or replaced) in the child's environment, on top of ours.
    std::vector<std::pair<std::string, std::string>> env;
    /// A process group of its own (so a timeout kills everything it started). Off for a child
    /// that must stay in the terminal's foreground group to prompt there (ssh asking for a
    /// passphrase or an MFA code).
    bool own_group = true;
};

struct ProcessResult {
    int exit_code = -1;   ///< exit status, or -1 when killed by a signal
    int term_signal = 0;  ///< the signal that ended it, if any
    bool timed_out = false;
    std::string out;
    std::string err;

    bool succeeded() const { return exit_code == 0 && !timed_out; }
    /// "exited with status 3", "was killed by signal 9", "did not finish within 2.0 s".
    std::string describe_end(std::chrono::milliseconds timeout = {}) const;
};

/// Runs `argv` (argv[0] looked up on PATH unless it holds a '/') in a process group of its own,
/// reading stdout and stderr together with poll(2) so that a child writing megabytes to both
/// never deadlocks. Fails (the unexpected value) only when the program could not be started;
/// the message then names it ("foo-cli: No such file or directory").
tl::expected<ProcessResult, std::string> run_process(const std::vector<std::string>& argv,
                                                     const ProcessOptions& options = {});

/// A long-lived child talked to through its three pipes (a remote shell behind ssh). The
/// destructor kills it (SIGKILL) and reaps it if it still runs.
class PipedProcess {
public:
    /// Starts `argv` with pipes on stdin, stdout and stderr (options.stdin_data and timeout are
    /// not used). Fails only when it could not be started.
    static tl::expected<PipedProcess, std::string> start(const std::vector<std::string>& argv,
                                                         const ProcessOptions& options = {});
    PipedProcess(PipedProcess&& other) noexcept;
    PipedProcess& operator=(PipedProcess&& other) noexcept;
    PipedProcess(const PipedProcess&) = delete;
    PipedProcess& operator=(const PipedProcess&) = delete;
    ~PipedProcess();

    using Deadline = std::chrono::steady_clock::time_point;
    enum class Io { done, timeout, closed };

    /// Writes all of `data` to the child's stdin; `closed` when the child no longer reads.
    Io write(std::string_view data, Deadline deadline);
    void close_input();
    /// Waits until stdout or stderr has something (appended to `out`/`err`) or both are at end
    /// of file (`closed`), or the deadline passes.
    Io read(std::string& out, std::string& err, Deadline deadline);
    /// Sends `signal` to the child (its group when it has one of its own).
    void kill(int signal);
    /// Waits for the end of the child (at most until `deadline`, then kills it) and returns its
    /// end as a ProcessResult without output.
    ProcessResult wait(Deadline deadline);
    pid_t pid() const { return m_pid; }

private:
    PipedProcess() = default;
    void release();
    pid_t m_pid = -1;
    int m_in = -1, m_out = -1, m_err = -1;
    bool m_group = true;
    bool m_reaped = false;
};

/// Runs `argv` attached to our terminal (an editor) and waits; returns its exit status, or the
/// unexpected value when it could not be started.
tl::expected<int, std::string> run_interactive(const std::vector<std::string>& argv);

/// The executable file `name` resolves to on $PATH (or `name` itself when it holds a '/').
std::optional<std::filesystem::path> find_on_path(const std::string& name);

} // namespace milex::util
