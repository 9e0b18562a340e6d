#include "milex/transport/ssh_config.hpp"

#include <pwd.h>
#include <cctype>
#include <unistd.h>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/path.hpp"
#include "milex/util/process.hpp"
#include "milex/util/text.hpp"

namespace milex::transport {

namespace {

std::string expand_home(const std::string& file, const std::string& home) {
    if (file == "~") return home;
    if (file.starts_with("~/")) return home + file.substr(1);
    return file;
}

} // namespace

std::string SshTarget::known_hosts_name() const {
    if (!host_key_alias.empty()) return host_key_alias;
    return port == 22 ? host : fmt::format("[{}]:{}", host, port);
}

std::string SshTarget::where() const { return user.empty() ? alias : user + "@" + alias; }

SshTarget parse_ssh_g(std::string_view text, const std::string& home) {
    SshTarget target;
    std::string control_master, control_path, control_persist = "no";
    for (const auto& raw : util::split(std::string(text), '\n')) {
        std::string line(util::trim(raw));
        auto space = line.find(' ');
        if (space == std::string::npos) continue;
        std::string key = line.substr(0, space);
        for (char& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        std::string value(util::trim(line.substr(space + 1)));
        if (key == "hostname") target.host = value;
        else if (key == "user") target.user = value;
        else if (key == "port") target.port = std::atoi(value.c_str());
        else if (key == "identityfile") target.identity_files.push_back(expand_home(value, home));
        else if (key == "userknownhostsfile") {
            for (const auto& file : util::split(value, ' '))
                if (!file.empty()) target.known_hosts_files.push_back(expand_home(file, home));
        } else if (key == "hostkeyalias") target.host_key_alias = value;
        else if (key == "proxyjump" && value != "none") target.proxy_jump = value;
        else if (key == "proxycommand" && value != "none") target.proxy_command = value;
        else if (key == "controlmaster") control_master = value;
        else if (key == "controlpath" && value != "none") control_path = value;
        else if (key == "controlpersist") control_persist = value;
        else if (key == "serveraliveinterval" && std::atoi(value.c_str()) > 0)
            target.server_alive_interval = std::atoi(value.c_str());
    }
    if ((control_master == "auto" || control_master == "autoask") && !control_path.empty() && control_persist != "no")
        target.shared_control_path = control_path;
    if (target.port <= 0) target.port = 22;
    return target;
}

std::vector<std::string> ssh_program() {
    std::vector<std::string> argv = {"ssh"};
    if (auto config = util::environment_variable("MILEX_SSH_CONFIG"); config && !config->empty()) {
        argv.push_back("-F");
        argv.push_back(*config);
    }
    return argv;
}

std::string user_home() {
    if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
    return util::environment_variable("HOME").value_or("/");
}

SshTarget resolve_target(const model::Machine& machine) {
    const std::string alias = machine.hostname.empty() ? machine.hosturl : machine.hostname;
    const std::string home = user_home();
    SshTarget target;
    if (util::find_on_path("ssh")) {
        auto argv = ssh_program();
        argv.insert(argv.end(), {"-G", alias});
        util::ProcessOptions options;
        options.timeout = std::chrono::seconds(10);
        auto result = util::run_process(argv, options);
        if (result && result->succeeded()) {
            target = parse_ssh_g(result->out, home);
            target.from_ssh_config = true;
        } else if (result) {
            throw Error(fmt::format("machine \"{}\": ssh -G {} fails: {}", machine.name, alias,
                                    util::last_line(result->err.empty() ? result->describe_end() : result->err)));
        }
    }
    target.alias = alias;
    if (!target.from_ssh_config) {
        target.host = alias;
        for (const char* name : {"id_ed25519", "id_ecdsa", "id_rsa"})
            target.identity_files.push_back(home + "/.ssh/" + name);
        target.known_hosts_files.push_back(home + "/.ssh/known_hosts");
        if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_name) target.user = pw->pw_name;
    }
    // The machine's own keys win over ~/.ssh/config.
    if (!machine.hosturl.empty()) target.host = machine.hosturl;
    if (!machine.username.empty()) target.user = machine.username;
    if (machine.port) target.port = *machine.port;
    if (!machine.key_path.empty()) {
        auto expanded = util::expand_path(machine.key_path);
        target.identity_files = {expanded ? *expanded : machine.key_path};
    }
    return target;
}

} // namespace milex::transport
