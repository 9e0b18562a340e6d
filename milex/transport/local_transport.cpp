#include <thread>

#include <fmt/format.h>

#include "milex/transport/transport.hpp"
#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/path.hpp"
#include "milex/util/shell.hpp"
#include "milex/util/text.hpp"

namespace milex::transport {

void Transport::idle(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

std::string unpack_directory_command(const std::string& directory, const std::string& source) {
    std::string parent = directory.substr(0, directory.rfind('/'));
    if (parent.empty()) parent = "/";
    const std::string dir = util::shell_quote(directory);
    return fmt::format("mkdir -p {0} && T=$(mktemp -d {0}/.milex.XXXXXX) && chmod 755 \"$T\" && {{ tar -x -C \"$T\" -f "
                       "{1} && {{ [ -d {2} ] && rm -rf \"$T\" || mv \"$T\" {2}; }} || {{ rm -rf \"$T\"; exit 1; }}; }}",
                       util::shell_quote(parent), util::shell_quote(source), dir);
}

namespace {
void unpack_with(Transport& transport, const std::string& command, const std::string& path) {
    auto result = transport.run({"sh", "-c", command}, std::chrono::minutes(30));
    if (!result.succeeded())
        throw Error(fmt::format("cannot unpack into {} on {}: {}", path, transport.where(),
                                result.timed_out ? result.describe_end(std::chrono::minutes(30))
                                                 : std::string(util::last_line(result.err))));
}
} // namespace

void Transport::unpack_archive(const std::string& local_archive, const std::string& path) {
    const std::string copy = path + ".tar";
    copy_file(local_archive, copy);
    unpack_with(*this, unpack_directory_command(path, copy) + "; s=$?; rm -f " + util::shell_quote(copy) + "; exit $s",
                path);
}

void LocalTransport::unpack_archive(const std::string& local_archive, const std::string& path) {
    unpack_with(*this, unpack_directory_command(path, local_archive), path);
}

util::ProcessResult Transport::run_lines(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                                         const std::function<void(std::string_view)>& line) {
    auto result = run(argv, timeout);
    size_t at = 0;
    for (size_t newline; (newline = result.out.find('\n', at)) != std::string::npos; at = newline + 1)
        line(std::string_view(result.out).substr(at, newline - at));
    result.out.erase(0, at);
    return result;
}

util::ProcessResult LocalTransport::run(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    util::ProcessOptions options;
    options.timeout = timeout;
    auto result = util::run_process(argv, options);
    if (!result) throw Error(fmt::format("cannot run {}", result.error()));
    return std::move(*result);
}

void LocalTransport::write_file(const std::string& path, std::string_view content, FileMode mode) {
    auto perms = mode == FileMode::executable ? std::filesystem::perms(0755) : std::filesystem::perms(0644);
    if (auto written = util::write_file_atomic(path, content, perms); !written) throw Error(written.error());
}

void LocalTransport::copy_file(const std::string& local_path, const std::string& path) {
    if (auto copied = util::copy_file_atomic(local_path, path); !copied) throw Error(copied.error());
}

void LocalTransport::make_directories(const std::string& path) {
    if (auto made = util::make_directories(path); !made) throw Error(made.error());
}

std::string LocalTransport::read_file(const std::string& path) {
    auto text = util::read_file(path);
    if (!text) throw Error(text.error());
    return std::move(*text);
}

std::string LocalTransport::resolve_path(const std::string& path) {
    auto expanded = util::expand_path(path);
    if (!expanded) throw Error(expanded.error());
    return *expanded;
}

} // namespace milex::transport
