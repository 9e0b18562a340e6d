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

} // namespace milex::scheduler
