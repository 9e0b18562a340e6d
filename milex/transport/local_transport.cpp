#include <thread>

#include <fmt/format.h>

#include "milex/transport/transport.hpp"
#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/path.hpp"

namespace milex::transport {

void Transport::idle(std::chrono::milliseconds duration) { std::this_thread::sleep_for(duration); }

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
