#include "milex/transport/remote_transport.hpp"

#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/path.hpp"
#include "milex/util/shell.hpp"
#include "milex/util/tar.hpp"
#include "milex/util/text.hpp"

namespace milex::transport {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::chrono::milliseconds k_file_timeout{120000};

std::string last_line(const std::string& text) {
    std::string line(util::last_line(text));
    return line.empty() ? std::string("no message") : line;
}

std::string parent_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

std::string base_of(const std::string& path) {
    auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

} // namespace

std::chrono::milliseconds ssh_timeout() {
    return util::seconds_from_environment("MILEX_SSH_TIMEOUT", std::chrono::seconds(15));
}

std::string unpack_command(const std::string& directory, const std::vector<std::string>& names) {
    const std::string dir = util::shell_quote(directory);
    std::string moves;
    for (const auto& name : names)
        moves += fmt::format(" && mv -f \"$T\"/{} {}/{}", util::shell_quote(name), dir, util::shell_quote(name));
    // The temporary directory sits beside the files, on the same file system: each mv is a
    // rename. A failure leaves no half-written file in place.
    return fmt::format("mkdir -p {0} && T=$(mktemp -d {0}/.milex.XXXXXX) && {{ tar -x -C \"$T\" -f -{1} && rmdir \"$T\" || {{ rm -rf \"$T\"; exit 1; }}; }}",
                       dir, moves);
}

void RemoteTransport::idle(std::chrono::milliseconds duration) {
    const auto end = std::chrono::steady_clock::now() + duration;
    for (;;) {
        m_carrier->keep_alive();
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
        if (left.count() <= 0) return;
        std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(1000)));
    }
}

RemoteTransport::RemoteTransport(std::unique_ptr<Carrier> carrier, std::string where)
    : m_carrier(std::move(carrier)),
      m_where(where),
      m_shell([this] { return m_carrier->open_shell(); }, std::move(where), m_carrier->login_allowance(),
              m_carrier->replies()) {}

util::ProcessResult RemoteTransport::run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    if (argv.empty()) throw Error("empty command");
    return m_shell.run(command_line(argv), timeout.count() > 0 ? timeout : std::chrono::hours(24));
}

util::ProcessResult RemoteTransport::run_lines(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                              const std::function<void(std::string_view)>& line) {
    if (argv.empty()) throw Error("empty command");
    return m_shell.run(command_line(argv), timeout.count() > 0 ? timeout : std::chrono::hours(24), line);
}

void RemoteTransport::write_file(const std::string& path, std::string_view content, FileMode mode) {
    write_files({FileWrite{path, std::string(content), mode}});
}

void RemoteTransport::run_fed(const std::string& command, const std::function<bool(std::string&)>& next_piece,
                              const std::string& what) {
    auto channel = m_carrier->exec(command);
    const auto deadline = Clock::now() + k_file_timeout;
    std::string out, err, piece;
    auto lost = [&] {
        return ConnectionLost(fmt::format("connection to {} lost while writing {}", m_where, what), "no answer");
    };
    while (next_piece(piece)) {
        auto io = channel->write(piece, deadline);
        if (io == Channel::Io::timeout) throw lost();
        if (io == Channel::Io::closed) break;  // it stopped reading: its stderr says why
        piece.clear();
    }
    channel->close_input();
    for (;;) {
        auto io = channel->read(out, err, deadline);
        if (io == Channel::Io::closed) break;
        if (io == Channel::Io::timeout) throw lost();
    }
    const int status = channel->exit_status(deadline);
    if (status != 0) {
        if (status < 0 && err.empty()) throw lost();
        throw Error(fmt::format("cannot write {} on {}: {}", what, m_where, last_line(err)));
    }
}

void RemoteTransport::write_files(const std::vector<FileWrite>& files) {
    std::map<std::string, std::vector<const FileWrite*>> by_directory;
    for (const auto& file : files) by_directory[parent_of(file.path)].push_back(&file);
    for (const auto& [directory, group] : by_directory) {
        util::TarWriter tar;
        std::vector<std::string> names;
        for (const FileWrite* file : group) {
            names.push_back(base_of(file->path));
            tar.add_file(names.back(), file->content, file->mode == FileMode::executable ? 0755 : 0644);
        }
        std::string stream = tar.finish();
        bool sent = false;
        run_fed(unpack_command(directory, names),
                [&](std::string& piece) {
                    if (sent) return false;
                    piece.swap(stream);
                    sent = true;
                    return true;
                },
                group.size() == 1 ? group.front()->path : fmt::format("{} files in {}", group.size(), directory));
    }
}

std::string RemoteTransport::read_file(const std::string& path) {
    auto result = run({"cat", "--", path}, k_file_timeout);
    if (!result.succeeded())
        throw Error(fmt::format("cannot read {} on {}: {}", path, m_where,
                                result.timed_out ? result.describe_end(k_file_timeout) : last_line(result.err)));
    return std::move(result.out);
}

std::string RemoteTransport::resolve_path(const std::string& path) {
    if (auto it = m_resolved.find(path); it != m_resolved.end()) return it->second;
    std::vector<std::string> variables;
    const std::string word = expandable_path_word(path, variables);
    std::string checks;
    for (const auto& name : variables)
        checks += fmt::format("[ -n \"${{{0}}}\" ] || {{ printf '%s' {0} >&2; exit 3; }}; ", name);
    // In a subshell: an `exit` there leaves the shell that carries the commands alone.
    auto result = m_shell.run(fmt::format("( {}printf '%s' {} )", checks, word), ssh_timeout());
    if (result.exit_code == 3)
        throw Error(fmt::format("\"{}\": ${} is not set on {}", path, util::trim(result.err), m_where));
    if (!result.succeeded())
        throw Error(fmt::format("\"{}\": cannot expand it on {}: {}", path, m_where,
                                result.timed_out ? result.describe_end(ssh_timeout()) : last_line(result.err)));
    std::string resolved = result.out;
    if (resolved.size() > 1 && resolved.back() == '/') resolved.pop_back();
    m_resolved[path] = resolved;
    return resolved;
}

void RemoteTransport::copy_file(const std::string& local_path, const std::string& path) {
    std::ifstream in(local_path, std::ios::binary);
    if (!in) throw Error(fmt::format("cannot read {}", local_path));
    const std::string dir = util::shell_quote(parent_of(path));
    const std::string command =
        fmt::format("mkdir -p {0} && T=$(mktemp {0}/.milex.XXXXXX) && {{ cat >\"$T\" && chmod 644 \"$T\" && mv -f \"$T\" {1} "
                    "|| {{ rm -f \"$T\"; exit 1; }}; }}",
                    dir, util::shell_quote(path));
    run_fed(command,
            [&](std::string& piece) {
                piece.resize(1 << 20);
                in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
                piece.resize(static_cast<size_t>(in.gcount()));
                return !piece.empty();
            },
            fmt::format("{} (a copy of {})", path, local_path));
}

void RemoteTransport::unpack_archive(const std::string& local_archive, const std::string& path) {
    std::ifstream in(local_archive, std::ios::binary);
    if (!in) throw Error(fmt::format("cannot read {}", local_archive));
    run_fed(unpack_directory_command(path, "-"),
            [&](std::string& piece) {
                piece.resize(1 << 20);
                in.read(piece.data(), static_cast<std::streamsize>(piece.size()));
                piece.resize(static_cast<size_t>(in.gcount()));
                return !piece.empty();
            },
            path);
}

void RemoteTransport::make_directories(const std::string& path) {
    auto result = run({"mkdir", "-p", "--", path}, ssh_timeout());
    if (!result.succeeded()) {
        std::string reason = result.timed_out ? result.describe_end(ssh_timeout()) : last_line(result.err);
        // mkdir says "mkdir: cannot create directory '/x': Permission denied": keep the reason.
        if (auto colon = reason.rfind(": "); colon != std::string::npos) reason = reason.substr(colon + 2);
        throw Error(fmt::format("cannot create directory {} on {}: {}", path, m_where, reason));
    }
}

} // namespace milex::transport
