#pragma once
/// The exit-status files the batch scripts write (`<job>-<id>[_<task>].status`), read in one command.
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "milex/transport/transport.hpp"

namespace milex::scheduler {

/// path → content of each of `files` that exists, read on the machine in one command.
std::map<std::string, std::string> read_status_files(transport::Transport& transport,
                                                     const std::vector<std::string>& files,
                                                     std::chrono::milliseconds timeout);

/// The id of the job `job_name` whose exit-status file in `dir` holds the line `tag <tag>` (the
/// script writes it from MILEX_TAG), or "" when none does.
std::string find_tagged_status(transport::Transport& transport, const std::string& dir, const std::string& job_name,
                               const std::string& tag, std::chrono::milliseconds timeout);

} // namespace milex::scheduler
