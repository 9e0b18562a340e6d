#include "milex/cli/flags.hpp"

#include <algorithm>
#include <iostream>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/path.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

namespace {
// CLI11 drops empty arguments; they are carried through it under this name and restored.
constexpr std::string_view k_empty = "\x01milex-empty-argument\x01";

void restore_empty(std::string& word) {
    if (word == k_empty) word.clear();
}
} // namespace

model::Config load_config() {
    const auto path = model::config_path();
    model::Config config = model::load_config(path);
    if (auto warning = model::exposed_keys_warning(config, path)) std::cerr << "milex: warning: " << *warning << "\n";
    return config;
}

std::optional<int> parse(CLI::App& app, const std::vector<std::string>& args, std::vector<std::string>& extras) {
    app.allow_extras();
    std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes them backwards
    for (auto& word : reversed)
        if (word.empty()) word = k_empty;
    try {
        app.parse(reversed);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::CallForVersion&) {
        return 0;
    } catch (const CLI::ParseError& e) {
        std::string message = e.what();
        if (!message.empty()) message[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(message[0])));
        throw UsageError(fmt::format("{}: {} (see {} --help)", app.get_name(), message, app.get_name()));
    }
    extras = app.remaining();
    for (auto& word : extras) restore_empty(word);
    // Values given to milex's own options come back empty too.
    for (CLI::Option* option : app.get_options()) {
        if (option->count() == 0) continue;
        auto results = option->results();
        bool changed = false;
        for (auto& word : results) {
            if (word == k_empty) {
                word.clear();
                changed = true;
            }
        }
        if (changed) {
            option->clear();
            option->add_result(results);
            option->run_callback();
        }
    }
    return std::nullopt;
}

std::optional<int> parse_strict(CLI::App& app, const std::vector<std::string>& args) {
    std::vector<std::string> extras;
    if (auto done = parse(app, args, extras)) return done;
    refuse_extras(app, extras);
    return std::nullopt;
}

std::vector<std::string> flag_names(const CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::Option* option : app.get_options()) {
        for (const auto& name : option->get_lnames()) names.push_back("--" + name);
    }
    return names;
}

void refuse_extras(const CLI::App& app, const std::vector<std::string>& extras) {
    if (extras.empty()) return;
    const std::string& first = extras.front();
    if (first.starts_with("-")) {
        std::string flag = first.substr(0, first.find('='));
        throw UsageError(fmt::format("{}: unknown flag \"{}\"{} (see {} --help)", app.get_name(), flag,
                                     util::did_you_mean(flag, flag_names(app)), app.get_name()));
    }
    throw UsageError(fmt::format("{}: unexpected argument \"{}\" (see {} --help)", app.get_name(), first, app.get_name()));
}

void MachineFlags::add_to(CLI::App& app) {
    app.add_option("--machine", machine, "machine of the config to run on (default: local)");
    // Plain options with a help group: CLI11 2.1's option groups loop forever on some inputs
    // when extras are allowed.
    const std::string group = "Machine overrides (for this command only)";
    app.add_option("--hostname", hostname, "ssh alias of the machine")->group(group);
    app.add_option("--hosturl", hosturl, "host name or address of the machine")->group(group);
    app.add_option("--username", username, "user name on the machine")->group(group);
    app.add_option("--key_path,--key-path", key_path, "ssh private key")->group(group);
    app.add_option("--env_command,--env-command", env_command, "command that activates the environment")->group(group);
    app.add_option("--slurm_account,--slurm-account", slurm_account, "SLURM account to charge")->group(group);
    app.add_option("--path", path, "milex's directory on the machine")->group(group);
}

model::Machine MachineFlags::resolve(const model::Config& config) const {
    model::Machine m = config.get(machine);
    if (hostname) m.hostname = *hostname;
    if (hosturl) m.hosturl = *hosturl;
    if (username) m.username = *username;
    if (key_path) m.key_path = *key_path;
    if (env_command) m.env_command = *env_command;
    if (slurm_account) m.slurm_account = *slurm_account;
    if (path) {
        m.path = *path;
        if (!m.remote()) {
            auto expanded = util::expand_path(*path);
            if (!expanded) throw UsageError(fmt::format("--path: {}", expanded.error()));
            if (expanded->empty() || (*expanded)[0] != '/')
                throw UsageError(fmt::format("--path must be absolute, not \"{}\"", *path));
            m.path = *expanded;
        }
    }
    return m;
}

} // namespace milex::cli
