#pragma once
/// What the two SSH transports share: commands through one remote shell (remote_shell.hpp),
/// files as one tar stream per directory over a second channel, unpacked into a temporary
/// directory beside their place and moved there (atomic, and many scripts cost one round
/// trip). The remote side needs a POSIX sh, cat, tar, mktemp and mv.
#include <map>
#include <memory>
#include <string>

#include "milex/transport/remote_shell.hpp"
#include "milex/transport/transport.hpp"

namespace milex::transport {

/// The connection a RemoteTransport runs over: libssh2's session or OpenSSH's master.
class Carrier {
public:
    virtual ~Carrier() = default;
    /// A channel whose program is a long-lived `/bin/sh` reading commands from stdin. Throws
    /// ConnectionLost when it cannot be opened.
    virtual std::unique_ptr<Channel> open_shell() = 0;
    /// A channel running `command` (a line for the user's shell on the machine).
    virtual std::unique_ptr<Channel> exec(const std::string& command) = 0;
    /// How much longer than usual the first command on a new shell may take (see RemoteShell).
    virtual std::chrono::milliseconds login_allowance() const { return {}; }
    /// `streamed` when this client acknowledges what it receives at once (see RemoteShell).
    virtual Replies replies() const { return Replies::buffered; }
    /// Sends a keepalive if one is due; called about once a second while milex waits between
    /// commands (never while a command is under way). OpenSSH's client sends its own.
    virtual void keep_alive() {}
};

/// How long one step of the connection may take: $MILEX_SSH_TIMEOUT seconds, default 15.
std::chrono::milliseconds ssh_timeout();

/// The shell command that unpacks a tar stream on stdin into `directory`: made if missing,
/// each file moved into place from a temporary directory beside it.
std::string unpack_command(const std::string& directory, const std::vector<std::string>& names);

class RemoteTransport : public Transport {
public:
    RemoteTransport(std::unique_ptr<Carrier> carrier, std::string where);

    util::ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) override;
    util::ProcessResult run_lines(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                  const std::function<void(std::string_view)>& line) override;
    void write_file(const std::string& path, std::string_view content, FileMode mode) override;
    void write_files(const std::vector<FileWrite>& files) override;
    std::string read_file(const std::string& path) override;
    std::string resolve_path(const std::string& path) override;
    void copy_file(const std::string& local_path, const std::string& path) override;
    void unpack_archive(const std::string& local_archive, const std::string& path) override;
    void make_directories(const std::string& path) override;
    std::string where() const override { return m_where; }
    std::string via() const override { return m_via; }
    void set_via(std::string via) { m_via = std::move(via); }
    void idle(std::chrono::milliseconds duration) override;

protected:
    Carrier& carrier() { return *m_carrier; }

private:
    /// Runs `command` on a channel of its own, feeding it `input` (produced piece by piece);
    /// throws Error(`what`: last stderr line) when it fails.
    void run_fed(const std::string& command, const std::function<bool(std::string&)>& next_piece,
                 const std::string& what);

    std::unique_ptr<Carrier> m_carrier;
    std::string m_where;
    std::string m_via;
    RemoteShell m_shell;
    std::map<std::string, std::string> m_resolved;
};

} // namespace milex::transport
