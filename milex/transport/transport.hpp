#pragma once
/// How milex reaches a machine: run a command there, put a file there, make a directory there.
/// Everything above (scheduler, submission, configuration) is the same code for every machine.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "milex/util/error.hpp"
#include "milex/util/process.hpp"

namespace milex::transport {

enum class FileMode { plain, executable };

/// The connection to a machine broke (or stopped answering) while milex was using it: what was
/// under way may or may not have happened there. Callers that keep a journal say what is done.
class ConnectionLost : public Error {
public:
    /// `reason` is what the other side or the network said ("Connection closed by remote host").
    ConnectionLost(std::string message, std::string reason) : Error(std::move(message)), m_reason(std::move(reason)) {}
    const std::string& reason() const { return m_reason; }

private:
    std::string m_reason;
};

/// One file of Transport::write_files.
struct FileWrite {
    std::string path;
    std::string content;
    FileMode mode = FileMode::plain;
};

class Transport {
public:
    virtual ~Transport() = default;

    /// Runs `argv` on the machine (no shell is involved: each element arrives as one argument)
    /// and returns its exit status and output. Throws Error when it cannot be run at all.
    virtual util::ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) = 0;

    /// Runs `argv` like run(), handing each line of its standard output (without its newline) to
    /// `line` as it arrives, so that a long command can report as it goes; the result's `out`
    /// keeps only an unfinished last line. Over SSH the lines stream back while the command runs;
    /// here (the default) they are handed over when it ends. When `line` throws, the command is
    /// abandoned (over SSH its shell is dropped) and the exception goes on.
    virtual util::ProcessResult run_lines(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                          const std::function<void(std::string_view)>& line);

    /// Writes `content` to `path` on the machine, atomically. Throws Error naming the path.
    virtual void write_file(const std::string& path, std::string_view content, FileMode mode) = 0;

    /// Writes every file, each atomically, in as few round trips as the transport allows (one
    /// per directory over SSH). Throws Error naming the first path that failed.
    virtual void write_files(const std::vector<FileWrite>& files) {
        for (const auto& file : files) write_file(file.path, file.content, file.mode);
    }

    /// The content of `path` on the machine. Throws Error naming it.
    virtual std::string read_file(const std::string& path) = 0;

    /// `path` with a leading `~`, `~user` or `$VARS` expanded as the machine's shell does it
    /// (asked once per connection and path). An unset variable is an Error naming it.
    virtual std::string resolve_path(const std::string& path) = 0;

    /// Copies the file `local_path` of this host to `path` on the machine, atomically (whole or
    /// not at all), without holding it in memory: container images are gigabytes. Throws Error
    /// naming both.
    virtual void copy_file(const std::string& local_path, const std::string& path) = 0;

    /// Unpacks the tar archive `local_archive` (a file of this host) into the directory `path`
    /// on the machine, whole or not at all: it is unpacked into a temporary directory beside
    /// `path` and renamed; when `path` appeared meanwhile (another run shipped it), that one is
    /// kept. Over SSH the archive goes as one tar stream through the connection; this default
    /// (for other transports) copies it with copy_file, then unpacks it. Throws Error naming `path`.
    virtual void unpack_archive(const std::string& local_archive, const std::string& path);

    /// mkdir -p on the machine. Throws Error naming the directory.
    virtual void make_directories(const std::string& path) = 0;

    /// Where commands run, for messages: "this host", "ada@narval".
    virtual std::string where() const = 0;

    /// How the machine is reached, for messages: "" for this host, "libssh2", "openssh (ssh -G
    /// shows a ProxyJump)".
    virtual std::string via() const { return {}; }

    /// Waits `duration` between two commands (--watch, --follow, --wait), keeping the connection
    /// alive: over libssh2 it sends SSH keepalives meanwhile, so that an idle NAT or firewall does
    /// not drop it. Here and over OpenSSH (ServerAliveInterval) it only sleeps.
    virtual void idle(std::chrono::milliseconds duration);
};

/// The shell command that unpacks the tar archive `source` (`-`: stdin) into the directory
/// `directory` as Transport::unpack_archive promises.
std::string unpack_directory_command(const std::string& directory, const std::string& source);

/// Runs commands on this host.
class LocalTransport : public Transport {
public:
    util::ProcessResult run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) override;
    void write_file(const std::string& path, std::string_view content, FileMode mode) override;
    void copy_file(const std::string& local_path, const std::string& path) override;
    void unpack_archive(const std::string& local_archive, const std::string& path) override;
    void make_directories(const std::string& path) override;
    std::string read_file(const std::string& path) override;
    std::string resolve_path(const std::string& path) override;
    std::string where() const override { return "this host"; }
};

} // namespace milex::transport
