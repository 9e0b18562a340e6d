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

std::string find_tagged_status(transport::Transport& transport, const std::string& dir, const std::string& job_name,
                               const std::string& tag, std::chrono::milliseconds timeout) {
    if (dir.empty() || tag.empty()) return "";
    auto files = transport.run({"sh", "-c", "grep -lxF -e \"tag $1\" -- \"$2/$3\"-*.status 2>/dev/null; exit 0",
                                "milex-find", tag, dir, job_name},
                               timeout);
    const std::string prefix = dir + "/" + job_name + "-";
    for (const auto& line : util::split(files.out, '\n')) {
        if (line.rfind(prefix, 0) != 0) continue;
        const std::string rest = line.substr(prefix.size());
        const std::string id = rest.substr(0, rest.find_first_of("_."));
        if (!id.empty() && id.find_first_not_of("0123456789") == std::string::npos) return id;
    }
    return "";
}

} // namespace milex::scheduler
