#pragma once
/// The commands of the multi-call binary. Each takes its arguments (without the command name)
/// and returns the exit code; errors are thrown as milex::Error and printed by cli::main.
#include <string>
#include <vector>

namespace milex::cli {

using Args = std::vector<std::string>;

int schedule_command(const Args& args);
int run_command(const Args& args);
int configuration_command(const Args& args);
int status_command(const Args& args);
int logs_command(const Args& args);
int cancel_command(const Args& args);
int resubmit_command(const Args& args);
int stop_command(const Args& args);
int resume_command(const Args& args);
int delete_command(const Args& args);
int clean_command(const Args& args);
int resources_command(const Args& args);
int usage_command(const Args& args);
int list_command(const Args& args);
int container_command(const Args& args);
/// `milex dashboard`: the server lives in its own executable, milex-dashboard (it links
/// cpp-httplib and with it OpenSSL, zlib and brotli, whose loading cost every other command 11 ms
/// of its start). In `milex` this replaces the process with milex-dashboard found beside it; in
/// milex-dashboard it serves (serve_dashboard, registered by that executable's main).
int dashboard_command(const Args& args);
int serve_dashboard(const Args& args);
void register_dashboard_server(int (*serve)(const Args&));

/// argv of the process: picks the command from `milex-X` or `milex X`, runs it, and holds the
/// single catch that prints `milex: error: …`.
int main(int argc, char** argv);

} // namespace milex::cli
