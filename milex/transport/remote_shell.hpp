#pragma once
/// The protocol milex speaks with a machine over SSH: every command goes, as one shell-quoted
/// line, to ONE long-lived `/bin/sh` on the machine; after each command the shell prints a
/// random marker and the exit status on stdout and the marker on stderr, so milex knows where
/// the command's output ends. A command then costs a fork on the machine and one round trip,
/// not a login shell and a channel of its own.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "milex/util/process.hpp"

namespace milex::transport {

using Deadline = std::chrono::steady_clock::time_point;

/// One byte stream pair to a program on the machine: an SSH channel, or a child `ssh`.
class Channel {
public:
    virtual ~Channel() = default;
    enum class Io { done, timeout, closed };
    /// Writes all of `data` to the program's stdin.
    virtual Io write(std::string_view data, Deadline deadline) = 0;
    virtual void close_input() = 0;
    /// Waits until stdout or stderr brings something (appended), both end (`closed`), or the
    /// deadline passes.
    virtual Io read(std::string& out, std::string& err, Deadline deadline) = 0;
    /// After read() said `closed`: the program's exit status, -1 when unknown.
    virtual int exit_status(Deadline deadline) = 0;
};

/// A Channel over a local child process's pipes (ssh carrying the shell, or `sh` in tests).
class ProcessChannel : public Channel {
public:
    explicit ProcessChannel(util::PipedProcess process) : m_process(std::move(process)) {}
    Io write(std::string_view data, Deadline deadline) override;
    void close_input() override { m_process.close_input(); }
    Io read(std::string& out, std::string& err, Deadline deadline) override;
    int exit_status(Deadline deadline) override;
    util::PipedProcess& process() { return m_process; }

private:
    util::PipedProcess m_process;
};

/// `argv` as one line for sh, each word arriving byte for byte.
std::string command_line(const std::vector<std::string>& argv);

/// A shell word for `path` in which a leading `~` or `~user` and every `$NAME`/`${NAME}`
/// expand and nothing else does; `variables` gets the names used.
std::string expandable_path_word(std::string_view path, std::vector<std::string>& variables);

/// How a command's reply travels back: in one write through a file on the machine (`buffered`,
/// for any client), or as it comes (`streamed`, for a client that acknowledges at once).
enum class Replies { buffered, streamed };

/// Runs commands through one remote `/bin/sh`, opened by `open` when first needed and again
/// after a command timed out (the old one is dropped with whatever it was doing).
class RemoteShell {
public:
    /// `open` gives a channel whose program is `/bin/sh` reading commands from stdin; it throws
    /// ConnectionLost when it cannot. `where` names the machine in messages. The first command
    /// on a new shell may take `login_allowance` longer (when opening it only starts the login,
    /// as with OpenSSH, where a user may be typing a passphrase or an MFA code).
    RemoteShell(std::function<std::unique_ptr<Channel>()> open, std::string where,
                std::chrono::milliseconds login_allowance = {}, Replies replies = Replies::buffered);

    /// Runs `line` (a shell command line, see command_line) with stdin from /dev/null; gives
    /// its exit status and output byte for byte. A command still running after `timeout`
    /// comes back timed out and the shell is replaced. Throws ConnectionLost when the shell
    /// dies or the connection drops. With `on_line`, each line the command prints on stdout is
    /// handed to it as it arrives (and left out of the result's `out`); the command's output
    /// then comes straight through, not through a file (see Replies).
    util::ProcessResult run(const std::string& line, std::chrono::milliseconds timeout,
                            const std::function<void(std::string_view)>& on_line = {});

    /// Drops the shell (the next run opens a new one).
    void reset() { m_channel.reset(); }

private:
    std::function<std::unique_ptr<Channel>()> m_open;
    std::string m_where;
    std::chrono::milliseconds m_login_allowance;
    Replies m_replies;
    std::unique_ptr<Channel> m_channel;
    std::string m_marker;
};

} // namespace milex::transport
