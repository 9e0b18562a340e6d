#include "milex/transport/remote_shell.hpp"

#include <cctype>
#include <random>

#include <fmt/format.h>

#include "milex/transport/transport.hpp"
#include "milex/util/shell.hpp"

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

bool name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

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
        while (end < path.size() && (name_char(path[end]) || path[end] == '.' || path[end] == '-')) ++end;
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
            while (end < path.size() && name_char(path[end])) ++end;
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

RemoteShell::RemoteShell(std::function<std::unique_ptr<Channel>()> open, std::string where)
    : m_open(std::move(open)), m_where(std::move(where)) {}

util::ProcessResult RemoteShell::run(const std::string& line, std::chrono::milliseconds timeout) {
    if (!m_channel) {
        m_channel = m_open();
        m_marker = random_marker();
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto lost = [&](const std::string& why) {
        m_channel.reset();
        return ConnectionLost(fmt::format("connection to {} lost ({})", m_where, why));
    };
    // The command reads /dev/null, never the rest of the shell's own input.
    const std::string request = fmt::format("{} </dev/null; printf '%s%d\\n' {} \"$?\"; printf '%s\\n' {} >&2\n",
                                            line, m_marker, m_marker, m_marker);
    if (auto io = m_channel->write(request, deadline); io != Channel::Io::done) {
        if (io == Channel::Io::closed) throw lost("the connection closed");
        m_channel.reset();
        util::ProcessResult result;
        result.timed_out = true;
        return result;
    }
    std::string out, err;
    size_t out_end = std::string::npos, err_end = std::string::npos;
    int status = -1;
    for (;;) {
        if (out_end == std::string::npos) {
            if (auto at = out.find(m_marker); at != std::string::npos) {
                auto newline = out.find('\n', at);
                if (newline != std::string::npos) {
                    status = std::atoi(out.c_str() + at + m_marker.size());
                    out_end = at;
                }
            }
        }
        if (err_end == std::string::npos) {
            if (auto at = err.find(m_marker + "\n"); at != std::string::npos) err_end = at;
        }
        if (out_end != std::string::npos && err_end != std::string::npos) break;
        auto io = m_channel->read(out, err, deadline);
        if (io == Channel::Io::closed) {
            std::string why = "the connection closed";
            if (auto last = err.find_last_not_of('\n'); last != std::string::npos) {
                auto begin = err.rfind('\n', last);
                why = err.substr(begin == std::string::npos ? 0 : begin + 1, last - (begin == std::string::npos ? 0 : begin + 1) + 1);
            }
            throw lost(why);
        }
        if (io == Channel::Io::timeout) {
            m_channel.reset();  // still busy with the command: a new shell next time
            util::ProcessResult result;
            result.timed_out = true;
            result.out = std::move(out);
            result.err = std::move(err);
            return result;
        }
    }
    util::ProcessResult result;
    result.exit_code = status;
    out.resize(out_end);
    err.resize(err_end);
    result.out = std::move(out);
    result.err = std::move(err);
    return result;
}

} // namespace milex::transport
