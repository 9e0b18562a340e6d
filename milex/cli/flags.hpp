#pragma once
/// Command-line parsing shared by the commands (CLI11), and the flags that several take.
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "milex/model/machine.hpp"

namespace milex::cli {

/// Parses `args` with `app`. Help prints and returns 0; a mistake throws UsageError (exit 2)
/// with CLI11's reason and a pointer to --help. Tokens the app does not know are returned in
/// order; callers that take none turn them into "unknown flag" errors with a suggestion.
std::optional<int> parse(CLI::App& app, const std::vector<std::string>& args, std::vector<std::string>& extras);

/// parse() for commands that take no words beyond their own: anything else is a UsageError.
std::optional<int> parse_strict(CLI::App& app, const std::vector<std::string>& args);

/// Throws UsageError for the first of `extras`, suggesting the closest flag of `app`.
void refuse_extras(const CLI::App& app, const std::vector<std::string>& extras);

/// The long flag names of `app` ("--machine", …), for suggestions.
std::vector<std::string> flag_names(const CLI::App& app);

/// The user's machine config ($MILEX_CONFIG, else ~/.milexconfig), read and validated; says on
/// stderr when other users can read it and it names SSH key files.
model::Config load_config();

/// The upstream flags that override a machine's settings for one command.
struct MachineFlags {
    std::string machine = "local";
    std::optional<std::string> hostname, hosturl, username, key_path, env_command, slurm_account, path;

    void add_to(CLI::App& app);
    /// The named machine of `config` with the overrides applied and checked.
    model::Machine resolve(const model::Config& config) const;
};

} // namespace milex::cli
