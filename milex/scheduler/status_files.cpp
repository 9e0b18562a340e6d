#include "milex/scheduler/status_files.hpp"

#include "milex/util/text.hpp"

namespace milex::scheduler {

std::map<std::string, std::string> read_status_files(transport::Transport& transport,
                                                     const std::vector<std::string>& files,
                                                     std::chrono::milliseconds timeout) {
    std::map<std::string, std::string> contents;
    if (files.empty()) return contents;
    std::vector<std::string> argv = {"sh", "-c", "for f; do printf '==%s\\n' \"$f\"; cat -- \"$f\" 2>/dev/null; done",
                                     "milex-status"};
    argv.insert(argv.end(), files.begin(), files.end());
    auto result = transport.run(argv, timeout);
    std::string current;
    for (const auto& line : util::split(result.out, '\n')) {
        if (line.starts_with("==")) current = line.substr(2);
        else if (!current.empty()) contents[current] += line + "\n";
    }
    return contents;
}

} // namespace milex::scheduler
