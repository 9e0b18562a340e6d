#pragma once
/// Running programs without a shell. Every external program milex starts (an application's
/// -cli, sbatch, ssh, the user's editor) goes through here.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <tl/expected.hpp>

namespace milex::util {

struct ProcessOptions {
    /// Kill the whole process group after this long; zero means no limit.
    std::chrono::milliseconds timeout{0};
    /// Written to the child's stdin, which is then closed; without it stdin is /dev/null.
    std::optional<std::string> stdin_data;
    /// Working directory of the child; empty means ours.
    std::filesystem::path cwd;
    /// Variables set (or replaced) in the child's environment, on top of ours.
    std::vector<std::pair<std::string, std::string>> env;
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

/// Runs `argv` attached to our terminal (an editor) and waits; returns its exit status, or the
/// unexpected value when it could not be started.
tl::expected<int, std::string> run_interactive(const std::vector<std::string>& argv);

/// The executable file `name` resolves to on $PATH (or `name` itself when it holds a '/').
std::optional<std::filesystem::path> find_on_path(const std::string& name);

} // namespace milex::util
