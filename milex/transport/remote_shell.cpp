#include "milex/transport/remote_shell.hpp"

#include <cctype>
#include <random>

#include <fmt/format.h>

#include "milex/transport/transport.hpp"
#include "milex/util/shell.hpp"
#include "milex/util/text.hpp"

namespace milex::transport {

namespace {

Channel::Io to_io(util::PipedProcess::Io io) {
    switch (io) {
    case util::PipedProcess::Io::done:
        return Channel::Io::done;
    case util::PipedProcess::Io::timeout:
        return Channel::Io::timeout;
    case util::PipedProcess::Io::closed:
        break;
    }
    return Channel::Io::closed;
}

std::string random_marker() {
    std::random_device device;
    std::uniform_int_distribution<unsigned long long> pick;
    return fmt::format("__milex_{:016x}{:016x}_", pick(device), pick(device));
}

} // namespace

Channel::Io ProcessChannel::write(std::string_view data, Deadline deadline) {
    return to_io(m_process.write(data, deadline));
}

Channel::Io ProcessChannel::read(std::string& out, std::string& err, Deadline deadline) {
    return to_io(m_process.read(out, err, deadline));
}

int ProcessChannel::exit_status(Deadline deadline) {
    auto end = m_process.wait(deadline);
    return end.exit_code;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string line;
    for (const auto& word : argv) {
        if (!line.empty()) line += ' ';
        line += util::shell_quote(word);
    }
    return line;
}

std::string expandable_path_word(std::string_view path, std::vector<std::string>& variables) {
    std::string word;
    size_t i = 0;
    if (path.starts_with("~")) {
        // The tilde prefix must stay unquoted up to its '/', or the shell leaves it alone.
        size_t end = 1;
        while (end < path.size() && (util::shell_name_char(path[end]) || path[end] == '.' || path[end] == '-')) ++end;
        if (end == path.size() || path[end] == '/') {
            word = std::string(path.substr(0, end));
            if (end < path.size()) word += '/';
            i = end + (end < path.size() ? 1 : 0);
        }
    }
    std::string literal;
    auto flush = [&] {
        if (!literal.empty()) word += util::shell_quote(literal);
        literal.clear();
    };
    while (i < path.size()) {
        if (path[i] == '$') {
            const bool braced = i + 1 < path.size() && path[i + 1] == '{';
            size_t start = i + (braced ? 2 : 1), end = start;
            while (end < path.size() && util::shell_name_char(path[end])) ++end;
            const bool valid = end > start && !std::isdigit(static_cast<unsigned char>(path[start])) &&
                               (!braced || (end < path.size() && path[end] == '}'));
            if (valid) {
                flush();
                std::string name(path.substr(start, end - start));
                word += "\"${" + name + "}\"";
                variables.push_back(name);
                i = end + (braced ? 1 : 0);
                continue;
            }
        }
        literal += path[i++];
    }
    flush();
    if (word.empty()) word = "''";
    return word;
}

RemoteShell::RemoteShell(std::function<std::unique_ptr<Channel>()> open, std::string where,
                         std::chrono::milliseconds login_allowance, Replies replies)
    : m_open(std::move(open)), m_where(std::move(where)), m_login_allowance(login_allowance), m_replies(replies) {}

util::ProcessResult RemoteShell::run(const std::string& line, std::chrono::milliseconds timeout,
                                     const std::function<void(std::string_view)>& on_line) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    const bool fresh = !m_channel;
    if (!m_channel) {
        m_channel = m_open();
        m_marker = random_marker();
        deadline += m_login_allowance;  // the first command waits for the login as well
    }
    auto lost = [&](const std::string& why) {
        m_channel.reset();
        return ConnectionLost(fmt::format("connection to {} lost ({})", m_where, why), why);
    };
    // The command reads /dev/null, never the rest of the shell's own input. sshd sets no
    // TCP_NODELAY for a session without a terminal: a reply in several small writes waits, after
    // the first, for that one's ACK, which the client delays ~40 ms unless it acks at once
    // (Replies::streamed, libssh2 with TCP_QUICKACK). Otherwise (OpenSSH's client) the output
    // goes through a file and comes back in ONE write: out, marker, status, err, marker.
    const bool streamed = m_replies == Replies::streamed;
    std::string request;
    if (fresh && !streamed)
        request = "__milex_d=$(mktemp -d) || exit 1; trap 'rm -rf \"$__milex_d\"' EXIT; trap 'exit 1' HUP TERM\n";
    if (streamed)
        request += fmt::format("{} </dev/null; printf '%s%d\\n' {} \"$?\"; printf '%s\\n' {} >&2\n", line, m_marker,
                               m_marker);
    else if (on_line)  // the lines as they come; the end (status, errors, marker) still in one write
        request += fmt::format("{} </dev/null 2>\"$__milex_d/e\"; {{ printf '%s%d\\n' {} \"$?\"; "
                               "! [ -s \"$__milex_d/e\" ] || cat \"$__milex_d/e\"; printf '%s\\n' {}; }} "
                               ">\"$__milex_d/o\"; cat \"$__milex_d/o\"\n",
                               line, m_marker, m_marker);
    else
        request += fmt::format("{{ {} </dev/null 2>\"$__milex_d/e\"; printf '%s%d\\n' {} \"$?\"; "
                               "! [ -s \"$__milex_d/e\" ] || cat \"$__milex_d/e\"; printf '%s\\n' {}; }} "
                               ">\"$__milex_d/o\"; cat \"$__milex_d/o\"\n",
                               line, m_marker, m_marker);
    if (auto io = m_channel->write(request, deadline); io != Channel::Io::done) {
        if (io == Channel::Io::closed) throw lost("the connection closed");
        m_channel.reset();
        util::ProcessResult result;
        result.timed_out = true;
        return result;
    }
    std::string out, err;
    // Where the status marker starts in `out`; where the error text begins and ends (in `out`
    // when buffered, in `err` when streamed).
    size_t status_at = std::string::npos, err_begin = std::string::npos, err_end = std::string::npos;
    const std::string end_marker = m_marker + "\n";
    size_t delivered = 0;  // with on_line: the lines before this were handed over
    auto deliver = [&] {
        for (size_t newline; (newline = out.find('\n', delivered)) != std::string::npos; delivered = newline + 1) {
            if (out.compare(delivered, m_marker.size(), m_marker) == 0) break;  // the status line
            try {
                on_line(std::string_view(out).substr(delivered, newline - delivered));
            } catch (...) {
                m_channel.reset();  // the command still runs: never read its rest as another's
                throw;
            }
        }
    };
    for (;;) {
        if (on_line && status_at == std::string::npos) deliver();
        if (status_at == std::string::npos) {
            if (auto at = out.find(m_marker); at != std::string::npos) status_at = at;
        }
        if (status_at != std::string::npos && err_begin == std::string::npos) {
            if (auto newline = out.find('\n', status_at); newline != std::string::npos)
                err_begin = streamed ? 0 : newline + 1;
        }
        const std::string& tail = streamed ? err : out;
        if (err_begin != std::string::npos && tail.size() >= err_begin + end_marker.size() &&
            tail.compare(tail.size() - end_marker.size(), end_marker.size(), end_marker) == 0) {
            err_end = tail.size() - end_marker.size();
            break;
        }
        auto io = m_channel->read(out, err, deadline);
        if (io == Channel::Io::closed) {
            // ssh's own last word (it ends lines with \r\n), if it said anything.
            std::string why = util::last_line(err);
            throw lost(why.empty() ? "the connection closed" : why);
        }
        if (io == Channel::Io::timeout) {
            m_channel.reset();  // still busy with the command: a new shell next time
            util::ProcessResult result;
            result.timed_out = true;
            return result;
        }
    }
    const int status = std::atoi(out.c_str() + status_at + m_marker.size());
    err = (streamed ? err : out).substr(err_begin, err_end - err_begin);
    out.resize(status_at);
    out.erase(0, std::min(delivered, out.size()));
    util::ProcessResult result;
    result.exit_code = status;
    result.out = std::move(out);
    result.err = std::move(err);
    return result;
}

} // namespace milex::transport
