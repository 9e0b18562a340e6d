#include <unistd.h>

#include <iostream>

#include <fmt/format.h>

#include "milex/cli/commands.hpp"
#include "milex/cli/flags.hpp"
#include "milex/cli/terminal.hpp"
#include "milex/model/config_setting.hpp"
#include "milex/store/layout.hpp"
#include "milex/store/run_store.hpp"
#include "milex/transport/connect.hpp"
#include "milex/transport/keys.hpp"
#include "milex/transport/libssh2_transport.hpp"
#include "milex/transport/ssh_config.hpp"
#include "milex/transport/transport.hpp"
#include "milex/util/document.hpp"
#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/hash.hpp"
#include "milex/util/path.hpp"
#include "milex/util/process.hpp"
#include "milex/util/text.hpp"

namespace milex::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

/// The config written back in the form it was read in: one rule with the reader (util::is_yaml:
/// the name, else the text), so a YAML ~/.milexconfig stays YAML.
std::string serialise(const ordered_json& root, const fs::path& path, std::string_view was) {
    return util::is_yaml(path.string(), was) ? util::dump_yaml(root) : root.dump(4) + "\n";
}

/// The editor a user expects: $VISUAL, $EDITOR, git's core.editor, else nano.
std::string editor() {
    for (const char* var : {"VISUAL", "EDITOR"}) {
        if (auto value = util::environment_variable(var); value && !util::trim(*value).empty()) return *value;
    }
    util::ProcessOptions options;
    options.timeout = std::chrono::seconds(5);
    if (auto git = util::run_process({"git", "config", "core.editor"}, options); git && git->succeeded()) {
        std::string value(util::trim(git->out));
        if (!value.empty()) return value;
    }
    return "nano";
}

/// Makes each machine's folders; done before the config is saved, so that a path that cannot
/// be made leaves the config as it was.
void make_folders(const model::Config& config) {
    transport::LocalTransport here;
    for (const auto& machine : config.machines) {
        if (machine.remote()) continue;
        try {
            store::create_layout(here, machine.path);
        } catch (const Error& e) {
            throw Error(fmt::format("machine \"{}\": {}; choose a \"path\" you can write to", machine.name, e.what()));
        }
    }
}

/// What a remote machine's set-up depends on: where it is reached and its path.
std::string set_up_key(const model::Machine& machine) {
    const ordered_json settings = {{"hostname", machine.hostname}, {"hosturl", machine.hosturl},
                                   {"username", machine.username}, {"key_path", machine.key_path},
                                   {"port", machine.port.value_or(0)},  {"transport", static_cast<int>(machine.transport)},
                                   {"path", machine.path}};
    return util::sha256_hex(settings.dump());
}

/// Makes the folders of each remote machine and its MILEX line, over one SSH connection each.
/// Done after the config is saved (a machine not reachable yet, e.g. whose host key is still to
/// be trusted, must not keep the config from being written); a failure is an Error at the end.
/// Only a machine that is new, or whose connection settings or path changed since it was last
/// set up, is connected to: `--set local.x=…` asks no passphrase or MFA code for another one.
void set_up_remote(const model::Config& config) {
    std::vector<std::string> problems;
    const store::RunStore memory(config.local().path + "/runs");
    for (const auto& configured : config.machines) {
        if (!configured.remote()) continue;
        model::Machine machine = configured;
        const std::string key = set_up_key(machine);
        if (memory.machine_cache(machine.name, "set_up") == ordered_json(key)) continue;
        try {
            auto transport = transport::connect(machine);
            try {
                store::create_layout(*transport, machine.path);
            } catch (const Error& e) {
                throw Error(fmt::format("machine \"{}\": {}; choose a \"path\" you can write to", machine.name, e.what()));
            }
            std::cout << fmt::format("milex-configuration: machine \"{}\": {} ready on {} ({})\n", machine.name,
                                     machine.path, transport->where(), util::join(store::layout_directories(), " "));
            const auto lines = store::ensure_machine_lines(*transport, machine.name, machine.path);
            if (lines.milex_kept)
                std::cout << fmt::format("milex-configuration: ~/.bashrc on {} keeps export MILEX={} (another machine "
                                         "entry's path); this machine's is in ${}\n",
                                         transport->where(), *lines.milex_kept, store::machine_variable(machine.name));
            else if (lines.change != store::BashrcChange::unchanged)
                std::cout << fmt::format("milex-configuration: {} export MILEX={} and {} in ~/.bashrc on {}\n",
                                         lines.change == store::BashrcChange::added ? "wrote" : "set", machine.path,
                                         store::machine_variable(machine.name), transport->where());
            memory.set_machine_cache(machine.name, "set_up", key);
        } catch (const Error& e) {
            problems.insert(problems.end(), e.lines().begin(), e.lines().end());
        }
    }
    if (!problems.empty()) throw Error(problems);
}

/// --trust-host: shows the host key of a remote machine and appends it to known_hosts after a
/// yes on the terminal (or --yes).
int trust_host(const std::string& name, bool yes) {
    const model::Config config = load_config();
    const model::Machine& machine = config.get(name);
    if (!machine.remote())
        throw UsageError(fmt::format("--trust-host {}: machine \"{}\" is this host, not reached over SSH", name, name));
    const transport::SshTarget target = transport::resolve_target(machine);
    // milex fetches the key over a direct connection: behind a proxy that is not the key ssh sees.
    if (target.proxied())
        throw Error(fmt::format("machine \"{}\" is reached through a proxy ({}); accept its host key with ssh {} once",
                                machine.name, target.proxy_jump.empty() ? "ProxyCommand" : "ProxyJump " + target.proxy_jump,
                                target.alias));
    const std::string key = transport::fetch_host_key(machine, target);
    const std::string name_on_file = target.known_hosts_name();
    const std::string file = target.known_hosts_files.empty() ? transport::user_home() + "/.ssh/known_hosts"
                                                              : target.known_hosts_files.front();
    const std::string line = transport::known_hosts_line(name_on_file, key);
    // ssh reads the known_hosts of the account's home (from the password database), whatever
    // HOME says: said where a user running with another HOME (a container, CI) would not expect it.
    std::string shown_file = file;
    const auto home = util::environment_variable("HOME");
    if (home && !home->empty() && *home != transport::user_home() && !file.starts_with(*home + "/"))
        shown_file += " (in your account's home, where ssh looks whatever HOME says)";
    std::cout << fmt::format("milex-configuration: machine \"{}\" ({}) shows the host key {} {}\n", machine.name,
                             name_on_file, transport::key_blob_type(key), transport::fingerprint(key))
              << std::flush;
    if (auto text = util::read_file(file); text && text->find(line) != std::string::npos) {
        std::cout << fmt::format("milex-configuration: that key is already in {}\n", shown_file);
        return 0;
    }
    if (!yes) {
        if (!interactive())
            throw Error(fmt::format("machine \"{}\": no terminal to confirm the host key on; compare the fingerprint "
                                    "with the one the site publishes and run milex-configuration --trust-host {} --yes",
                                    machine.name, machine.name));
        if (!ask_yes_no(fmt::format("is this the key of {}? add it to {}", machine.name, shown_file), false)) {
            std::cout << "milex-configuration: not trusted; nothing written\n";
            return 1;
        }
    }
    if (auto added = transport::append_known_host(file, line); !added) throw Error(added.error());
    std::cout << fmt::format("milex-configuration: added the host key of {} to {}\n", name_on_file, shown_file);
    return 0;
}

/// Saves a validated config atomically, then says what is ready and puts MILEX into ~/.bashrc.
void save_and_set_up(const fs::path& path, const std::string& text, const model::Config& config) {
    make_folders(config);
    // Mode 600, an existing file too (write_file_atomic keeps an existing file's mode): the
    // config names accounts, hosts and key files, and an older file may have been made 644.
    std::error_code ec;
    if (fs::exists(path, ec)) fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, ec);
    if (auto written = util::write_file_atomic(path, text, fs::perms(0600)); !written) throw Error(written.error());
    std::cout << fmt::format("milex-configuration: saved {}\n", model::display_path(path));
    for (const auto& machine : config.machines) {
        if (!machine.remote())
            std::cout << fmt::format("milex-configuration: machine \"{}\": {} ready ({})\n", machine.name,
                                     model::display_path(machine.path), util::join(store::layout_directories(), " "));
    }
    auto bashrc = util::expand_path("~/.bashrc");
    if (!bashrc) throw Error(bashrc.error());
    switch (store::ensure_milex_line(*bashrc, config.local().path)) {
    case store::BashrcChange::added:
        std::cout << fmt::format("milex-configuration: added export MILEX={} to ~/.bashrc\n", config.local().path);
        break;
    case store::BashrcChange::updated:
        std::cout << fmt::format("milex-configuration: set export MILEX={} in ~/.bashrc\n", config.local().path);
        break;
    case store::BashrcChange::unchanged:
        break;
    }
    set_up_remote(config);
}

int set_settings(const fs::path& path, const std::vector<std::string>& settings) {
    util::Document document;
    document.source = model::display_path(path);
    document.root = ordered_json::object();
    std::error_code ec;
    std::string was;
    if (fs::exists(path, ec)) {
        auto text = util::read_file(path);
        if (!text) throw Error(text.error());
        was = std::move(*text);
        auto parsed = util::parse_document(was, model::display_path(path));
        if (!parsed) throw Error(parsed.error());
        document = std::move(*parsed);
    }
    for (const auto& setting : settings) model::apply_setting(document.root, setting);
    const std::string text = serialise(document.root, path, was);
    // Validated as it will be read back, so the error lines point at the file's lines.
    auto reread = util::parse_document(text, model::display_path(path));
    if (!reread) throw Error(reread.error());
    const model::Config config = model::config_from_document(std::move(*reread));
    save_and_set_up(path, text, config);
    return 0;
}

int edit(const fs::path& path) {
    std::error_code ec;
    const bool existed = fs::exists(path, ec);
    std::string original = model::example_config();
    if (existed) {
        auto text = util::read_file(path);
        if (!text) throw Error(text.error());
        original = std::move(*text);
    }
    // The copy is edited, so the real file only ever holds a config that passed validation.
    const char* tmpdir = std::getenv("TMPDIR");
    std::string pattern = fmt::format("{}/milexconfig.XXXXXX{}", tmpdir && *tmpdir ? tmpdir : "/tmp",
                                      util::is_yaml(path.string(), original) ? ".yaml" : ".json");
    int fd = ::mkstemps(pattern.data(), 5);
    if (fd < 0) throw Error(fmt::format("cannot create a temporary file in {}", tmpdir && *tmpdir ? tmpdir : "/tmp"));
    ::close(fd);
    const fs::path copy = pattern;
    if (auto written = util::write_file_atomic(copy, original, fs::perms(0600)); !written) throw Error(written.error());

    const std::string command = editor();
    for (;;) {
        // Through sh, as git does, so that EDITOR="code --wait" works.
        auto status = util::run_interactive({"/bin/sh", "-c", command + " \"$@\"", "milex-configuration", copy.string()});
        if (!status) throw Error(fmt::format("cannot start the editor \"{}\": {}", command, status.error()));
        if (*status != 0)
            throw Error(fmt::format("the editor \"{}\" exited with status {}; {} is unchanged (your edit is in {})",
                                    command, *status, model::display_path(path), copy.string()));
        auto text = util::read_file(copy);
        if (!text) throw Error(text.error());
        if (existed && *text == original) {
            fs::remove(copy, ec);
            std::cout << fmt::format("milex-configuration: no changes to {}\n", model::display_path(path));
            return 0;
        }
        try {
            auto document = util::parse_document(*text, model::display_path(path));
            if (!document) throw Error(document.error());
            const model::Config config = model::config_from_document(std::move(*document));
            save_and_set_up(path, *text, config);
            fs::remove(copy, ec);
            return 0;
        } catch (const Error& e) {
            for (const auto& line : e.lines()) std::cerr << "milex: error: " << line << "\n";
            if (!interactive())
                throw Error(fmt::format("{} is unchanged; your edit is kept in {}", model::display_path(path),
                                        copy.string()));
            if (!ask_yes_no("edit again?", true)) {
                std::cerr << fmt::format("milex-configuration: {} is unchanged; your edit is kept in {}\n",
                                         model::display_path(path), copy.string());
                return 1;
            }
        }
    }
}

} // namespace

int configuration_command(const Args& args) {
    CLI::App app{"Edit the machine config in your editor, validated on save; or show, check or set it.\n"
                 "The file is $MILEX_CONFIG, else ~/.milexconfig.",
                 "milex-configuration"};
    bool show = false, check = false;
    std::vector<std::string> settings;
    app.add_flag("--show", show, "print the config with paths expanded");
    app.add_flag("--check", check, "validate the config and report every problem");
    app.add_option("--set", settings, "set machine.key=value (or machine.sbatch.option=value); repeatable")
        ->allow_extra_args(false);
    std::string trust;
    bool yes = false;
    app.add_option("--trust-host,--trust_host", trust,
                   "show the SSH host key of a remote machine and add it to known_hosts once you confirm");
    app.add_flag("--yes", yes, "with --trust-host: add the key without asking");
    if (auto done = parse_strict(app, args)) return *done;
    if (!trust.empty()) return trust_host(trust, yes);

    const fs::path path = model::config_path();
    if (show) {
        const model::Config config = load_config();
        ordered_json out = ordered_json::object();
        for (const auto& machine : config.machines) out[machine.name] = machine.to_json();
        std::cout << out.dump(4) << "\n";
        return 0;
    }
    if (check) {
        const model::Config config = load_config();
        std::cout << fmt::format("{}: ok ({} machine{}: {})\n", model::display_path(path), config.machines.size(),
                                 config.machines.size() == 1 ? "" : "s", util::join(config.names(), ", "));
        return 0;
    }
    if (!settings.empty()) return set_settings(path, settings);
    return edit(path);
}

} // namespace milex::cli
