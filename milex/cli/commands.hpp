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
int list_command(const Args& args);
int container_command(const Args& args);
int dashboard_command(const Args& args);

/// argv of the process: picks the command from `milex-X` or `milex X`, runs it, and holds the
/// single catch that prints `milex: error: …`.
int main(int argc, char** argv);

} // namespace milex::cli
