#include "milex/model/machine.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/path.hpp"
#include "milex/util/text.hpp"

namespace milex::model {

using nlohmann::ordered_json;

const char* scheduler_name(SchedulerKind kind) {
    switch (kind) {
    case SchedulerKind::slurm:
        return "slurm";
    case SchedulerKind::sge:
        return "sge";
    case SchedulerKind::none:
        return "none";
    }
    return "slurm";
}

namespace {

const char* transport_name(TransportKind kind) {
    switch (kind) {
    case TransportKind::automatic:
        return "auto";
    case TransportKind::libssh2:
        return "libssh2";
    case TransportKind::openssh:
        return "openssh";
    }
    return "auto";
}

const std::vector<std::string>& runtime_names() {
    static const std::vector<std::string> names = {"apptainer", "singularity", "podman", "docker"};
    return names;
}

/// Letters, digits, '.', '-' and '_' only: machine names, partitions, GPU types.
bool is_plain_name(const std::string& name) {
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
    });
}

/// Validation of one machine; problems are appended with their location.
class MachineReader {
public:
    MachineReader(const util::Document& doc, std::vector<std::string>& problems) : m_doc(doc), m_problems(problems) {}

    std::optional<Machine> read(const std::string& name, const ordered_json& value) {
        const std::string pointer = util::child_pointer("", name);
        m_pointer = pointer;
        m_name = name;
        if (!value.is_object()) {
            problem(pointer, fmt::format("machine \"{}\" must be an object such as {{\"path\": \"~/milex\"}}, not {}",
                                         name, util::type_name(value)));
            return std::nullopt;
        }
        if (!is_plain_name(name))
            problem(pointer, fmt::format("machine name \"{}\" may hold only letters, digits, '.', '-' and '_'", name));
        Machine m;
        m.name = name;
        for (const auto& [key, v] : value.items()) {
            const std::string at = util::child_pointer(pointer, key);
            if (key == "path") m.path = text(at, key, v);
            else if (key == "env_command") m.env_command = text(at, key, v);
            else if (key == "slurm_account") m.slurm_account = text(at, key, v);
            else if (key == "hostname") m.hostname = text(at, key, v);
            else if (key == "hosturl") m.hosturl = text(at, key, v);
            else if (key == "username") m.username = text(at, key, v);
            else if (key == "key_path") m.key_path = text(at, key, v);
            else if (key == "partition") m.partition = text(at, key, v);
            else if (key == "parallel_environment") m.parallel_environment = text(at, key, v);
            else if (key == "memory_complex") m.memory_complex = v.is_null() ? "h_vmem" : text(at, key, v);
            else if (key == "port") m.port = port(at, v);
            else if (key == "transport") m.transport = transport(at, v);
            else if (key == "scheduler") m.scheduler = scheduler(at, v);
            else if (key == "modules") m.modules = strings(at, key, v, "module names", true);
            else if (key == "allowed_partitions") m.allowed_partitions = names(at, key, v, "partition names such as [\"debug\", \"gpu\"]");
            else if (key == "allowed_gpu_types") m.allowed_gpu_types = names(at, key, v, "GPU types such as [\"a100\", \"v100\"]");
            else if (key == "container_runtime") m.container_runtime = runtime(at, v);
            else if (key == "container_cache") m.container_cache = text(at, key, v);
            else if (key == "container_options") m.container_options = strings(at, key, v, "words such as [\"--runtime\", \"runc\"]", false);
            else if (key == "container_gpus") m.container_gpus = flag(at, key, v);
            else if (key == "sbatch") m.sbatch = sbatch(at, v);
            else if (key == "mail_user") m.mail_user = mail_user(at, v);
            else if (key == "mail_type") m.mail_type = mail_type(at, v);
            else if (key == "notify_command") m.notify_command = text(at, key, v);
            else if (key == "accounting") m.accounting = boolean(at, key, v);
            else if (key == "max_array_size") m.max_array_size = count(at, key, v);
            else if (key == "max_queued") m.max_queued = count(at, key, v);
            else
                problem(at, fmt::format("unknown key \"{}\" in machine \"{}\"{}", key, name,
                                        util::did_you_mean(key, machine_keys())));
        }
        finish(m);
        return m;
    }

private:
    void problem(const std::string& pointer, const std::string& message) {
        m_problems.push_back(fmt::format("{}: {}", m_doc.where(pointer), message));
    }

    std::string text(const std::string& at, const std::string& key, const ordered_json& v) {
        if (v.is_null()) return {};
        if (!v.is_string()) {
            problem(at, fmt::format("machine \"{}\": \"{}\" must be a string, not {}", m_name, key, util::type_name(v)));
            return {};
        }
        return v.get<std::string>();
    }

    std::string mail_user(const std::string& at, const ordered_json& v) {
        std::string address = text(at, "mail_user", v);
        if (address.find_first_of(" \t\n,;\"'") != std::string::npos)
            problem(at, fmt::format("machine \"{}\": \"mail_user\" \"{}\" must be one address such as "
                                    "\"ada@example.org\" (no spaces, commas or quotes)",
                                    m_name, address));
        return address;
    }

    /// SLURM's mail types, comma-separated, each known (a typo would silently send nothing).
    std::string mail_type(const std::string& at, const ordered_json& v) {
        std::string types = text(at, "mail_type", v);
        for (const std::string& type : util::split(types, ',')) {
            if (std::find(mail_types().begin(), mail_types().end(), type) != mail_types().end()) continue;
            problem(at, fmt::format("machine \"{}\": unknown \"mail_type\" \"{}\"{}; use a comma-separated list of {}",
                                    m_name, type, util::did_you_mean(type, mail_types()),
                                    util::join(mail_types(), ", ")));
            return {};
        }
        return types;
    }

    std::optional<bool> boolean(const std::string& at, const std::string& key, const ordered_json& v) {
        if (v.is_null()) return std::nullopt;
        if (v.is_boolean()) return v.get<bool>();
        problem(at, fmt::format("machine \"{}\": \"{}\" must be true or false", m_name, key));
        return std::nullopt;
    }

    std::optional<size_t> count(const std::string& at, const std::string& key, const ordered_json& v) {
        if (v.is_null()) return std::nullopt;
        if (v.is_number_unsigned() && v.get<size_t>() > 0) return v.get<size_t>();
        problem(at, fmt::format("machine \"{}\": \"{}\" must be a whole number of at least 1", m_name, key));
        return std::nullopt;
    }

    std::optional<int> port(const std::string& at, const ordered_json& v) {
        if (v.is_null()) return std::nullopt;
        if (v.is_number_integer() && v.get<long long>() >= 1 && v.get<long long>() <= 65535) return v.get<int>();
        problem(at, fmt::format("machine \"{}\": \"port\" must be a number from 1 to 65535", m_name));
        return std::nullopt;
    }

    TransportKind transport(const std::string& at, const ordered_json& v) {
        if (v == "auto" || v.is_null()) return TransportKind::automatic;
        if (v == "libssh2") return TransportKind::libssh2;
        if (v == "openssh") return TransportKind::openssh;
        problem(at, fmt::format("machine \"{}\": \"transport\" must be \"auto\", \"libssh2\" or \"openssh\"", m_name));
        return TransportKind::automatic;
    }

    SchedulerKind scheduler(const std::string& at, const ordered_json& v) {
        if (v.is_null()) return SchedulerKind::slurm;
        for (auto kind : {SchedulerKind::slurm, SchedulerKind::sge, SchedulerKind::none})
            if (v == scheduler_name(kind)) return kind;
        // Never a fallback: a typo would otherwise run every job on the login node.
        const std::string given = v.is_string() ? v.get<std::string>() : v.dump();
        problem(at, fmt::format("machine \"{}\": unknown scheduler \"{}\"{}; use \"slurm\", \"sge\" (Grid Engine) or "
                                "\"none\" (run jobs directly)",
                                m_name, given, util::did_you_mean(given, {"slurm", "sge", "none"})));
        return SchedulerKind::slurm;
    }

    std::vector<std::string> strings(const std::string& at, const std::string& key, const ordered_json& v,
                                     const char* what, bool one_string_is_one_item) {
        std::vector<std::string> out;
        if (v.is_string() && one_string_is_one_item) return {v.get<std::string>()};
        if (v.is_array()) {
            for (const auto& item : v) {
                if (!item.is_string()) {
                    problem(at, fmt::format("machine \"{}\": \"{}\" must be a list of {}", m_name, key, what));
                    return {};
                }
                out.push_back(item.get<std::string>());
            }
            return out;
        }
        if (!v.is_null()) problem(at, fmt::format("machine \"{}\": \"{}\" must be a list of {}", m_name, key, what));
        return out;
    }

    /// A list of scheduler names (partitions, GPU types): words SLURM would accept, none twice.
    std::vector<std::string> names(const std::string& at, const std::string& key, const ordered_json& v,
                                   const char* what) {
        const auto problems_before = m_problems.size();
        std::vector<std::string> out = strings(at, key, v, what, false);
        if (m_problems.size() != problems_before) return {};
        for (const std::string& name : out) {
            if (name.empty() || !is_plain_name(name)) {
                problem(at, fmt::format("machine \"{}\": \"{}\" item \"{}\" is not a name; use letters, digits, "
                                        "'.', '-' and '_'",
                                        m_name, key, name));
                return {};
            }
            if (std::count(out.begin(), out.end(), name) > 1) {
                problem(at, fmt::format("machine \"{}\": \"{}\" names \"{}\" twice", m_name, key, name));
                return {};
            }
        }
        return out;
    }

    std::optional<bool> flag(const std::string& at, const std::string& key, const ordered_json& v) {
        if (v.is_null()) return std::nullopt;
        if (v.is_boolean()) return v.get<bool>();
        problem(at, fmt::format("machine \"{}\": \"{}\" must be true or false, not {}", m_name, key, util::type_name(v)));
        return std::nullopt;
    }

    ContainerRuntime runtime(const std::string& at, const ordered_json& v) {
        if (v.is_null()) return ContainerRuntime::none;
        const std::string name = v.is_string() ? v.get<std::string>() : v.dump();
        for (auto kind : {ContainerRuntime::apptainer, ContainerRuntime::singularity, ContainerRuntime::podman,
                          ContainerRuntime::docker})
            if (name == runtime_name(kind)) return kind;
        problem(at, fmt::format("machine \"{}\": unknown \"container_runtime\" \"{}\"{}; use apptainer, singularity, "
                                "podman or docker",
                                m_name, name, util::did_you_mean(name, runtime_names())));
        return ContainerRuntime::none;
    }

    SlurmOptions sbatch(const std::string& at, const ordered_json& v) {
        SlurmOptions out;
        if (v.is_null()) return out;
        if (!v.is_object()) {
            problem(at, fmt::format("machine \"{}\": \"sbatch\" must be an object such as {{\"qos\": \"normal\"}}", m_name));
            return out;
        }
        const auto& known = known_slurm_keys(OptionOwner::machine);
        for (const auto& [key, value] : v.items()) {
            const std::string option_at = util::child_pointer(at, key);
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                problem(option_at, fmt::format("machine \"{}\": unknown sbatch option \"{}\"{}", m_name, key,
                                               util::did_you_mean(key, known)));
                continue;
            }
            std::string text_value;
            if (value.is_string()) text_value = value.get<std::string>();
            else if (value.is_number_integer()) text_value = std::to_string(value.get<long long>());
            else if (value.is_null()) continue;
            else {
                problem(option_at, fmt::format("machine \"{}\": sbatch \"{}\" must be a string or a whole number",
                                               m_name, key));
                continue;
            }
            if (auto wrong = check_slurm_value(key, text_value))
                problem(option_at, fmt::format("machine \"{}\": sbatch \"{}\" {}", m_name, key, *wrong));
            else
                set_option(out, key, text_value);
        }
        return out;
    }

    void finish(Machine& m) {
        const std::string at = m_pointer;
        if (m.path.empty()) {
            problem(at, fmt::format("machine \"{}\" has no \"path\"; add \"path\": \"/where/milex/keeps/its/files\"", m_name));
        } else if (!m.remote()) {
            // On this host the path is ours to expand; on a remote one its shell does it.
            auto expanded = util::expand_path(m.path);
            const std::string path_at = util::child_pointer(at, "path");
            if (!expanded) {
                problem(path_at, fmt::format("machine \"{}\": \"path\": {}", m_name, expanded.error()));
            } else if (expanded->empty() || (*expanded)[0] != '/') {
                problem(path_at, fmt::format("machine \"{}\": \"path\" must be absolute (start with / or ~), not \"{}\"",
                                             m_name, m.path));
            } else {
                m.path = std::filesystem::path(*expanded).lexically_normal().string();
                if (m.path.size() > 1 && m.path.back() == '/') m.path.pop_back();
            }
        }
        finish_container_cache(m);
        finish_allowed_partition(m, util::child_pointer(at, "partition"), m.partition);
        if (const std::string* partition = find_option(m.sbatch, "partition"))
            finish_allowed_partition(m, util::child_pointer(util::child_pointer(at, "sbatch"), "partition"), *partition);
        if (!m.remote()) {
            auto needs_host = [&](const char* key, bool set) {
                if (set)
                    problem(util::child_pointer(at, key),
                            fmt::format("machine \"{}\": \"{}\" needs \"hostname\" (an ssh alias) or \"hosturl\"",
                                        m_name, key));
            };
            needs_host("username", !m.username.empty());
            needs_host("key_path", !m.key_path.empty());
            needs_host("port", m.port.has_value());
            needs_host("transport", m.transport != TransportKind::automatic);
        }
    }

    /// The machine's own partition (`partition`, or `sbatch.partition`) must be one it allows.
    void finish_allowed_partition(const Machine& m, const std::string& at, const std::string& partition) {
        if (partition.empty() || m.allowed_partitions.empty()) return;
        if (std::find(m.allowed_partitions.begin(), m.allowed_partitions.end(), partition) != m.allowed_partitions.end())
            return;
        problem(at, fmt::format("machine \"{}\": partition \"{}\" is not in its \"allowed_partitions\" ({}); add it there "
                            "or pick one of those",
                            m_name, partition, util::join(m.allowed_partitions, ", ")));
    }

    /// The cache defaults to `<path>/containers`; on this host it is expanded like `path`.
    void finish_container_cache(Machine& m) {
        if (m.container_cache.empty()) {
            if (!m.path.empty()) m.container_cache = m.path + "/containers";
            return;
        }
        if (m.remote()) return;
        const std::string at = util::child_pointer(m_pointer, "container_cache");
        auto expanded = util::expand_path(m.container_cache);
        if (!expanded) problem(at, fmt::format("machine \"{}\": \"container_cache\": {}", m_name, expanded.error()));
        else if (expanded->empty() || (*expanded)[0] != '/')
            problem(at, fmt::format("machine \"{}\": \"container_cache\" must be absolute (start with / or ~), not "
                                    "\"{}\"",
                                    m_name, m.container_cache));
        else m.container_cache = std::filesystem::path(*expanded).lexically_normal().string();
    }

    const util::Document& m_doc;
    std::vector<std::string>& m_problems;
    std::string m_pointer;
    std::string m_name;
};

} // namespace

const std::vector<std::string>& machine_keys() {
    static const std::vector<std::string> keys = {
        "path",      "env_command", "slurm_account", "hostname",  "hosturl", "username", "key_path",
        "port",      "transport",   "scheduler",     "partition", "modules", "sbatch",   "accounting",
        "max_array_size", "max_queued", "container_runtime", "container_cache", "container_options", "container_gpus",
        "parallel_environment", "memory_complex", "allowed_partitions", "allowed_gpu_types",
        "mail_user", "mail_type", "notify_command",
    };
    return keys;
}

const std::vector<std::string>& mail_types() {
    static const std::vector<std::string> types = {
        "NONE",      "BEGIN",         "END",           "FAIL",          "REQUEUE",       "ALL",
        "INVALID_DEPEND", "STAGE_OUT", "TIME_LIMIT",   "TIME_LIMIT_90", "TIME_LIMIT_80", "TIME_LIMIT_50",
        "ARRAY_TASKS",
    };
    return types;
}

const char* runtime_name(ContainerRuntime runtime) {
    switch (runtime) {
    case ContainerRuntime::none:
        return "";
    case ContainerRuntime::apptainer:
        return "apptainer";
    case ContainerRuntime::singularity:
        return "singularity";
    case ContainerRuntime::podman:
        return "podman";
    case ContainerRuntime::docker:
        return "docker";
    }
    return "";
}

bool Machine::gpus_in_containers() const {
    return container_gpus.value_or(container_runtime == ContainerRuntime::apptainer ||
                                   container_runtime == ContainerRuntime::singularity);
}

ordered_json Machine::to_json() const {
    ordered_json j = ordered_json::object();
    j["path"] = path;
    if (!env_command.empty()) j["env_command"] = env_command;
    if (!slurm_account.empty()) j["slurm_account"] = slurm_account;
    if (!hostname.empty()) j["hostname"] = hostname;
    if (!hosturl.empty()) j["hosturl"] = hosturl;
    if (!username.empty()) j["username"] = username;
    if (!key_path.empty()) j["key_path"] = key_path;
    if (port) j["port"] = *port;
    if (remote()) j["transport"] = transport_name(transport);
    j["scheduler"] = scheduler_name(scheduler);
    if (!partition.empty()) j["partition"] = partition;
    if (scheduler == SchedulerKind::sge) {
        if (!parallel_environment.empty()) j["parallel_environment"] = parallel_environment;
        j["memory_complex"] = memory_complex;
    }
    if (!allowed_partitions.empty()) j["allowed_partitions"] = allowed_partitions;
    if (!allowed_gpu_types.empty()) j["allowed_gpu_types"] = allowed_gpu_types;
    if (!modules.empty()) j["modules"] = modules;
    if (accounting) j["accounting"] = *accounting;
    if (max_array_size) j["max_array_size"] = *max_array_size;
    if (max_queued) j["max_queued"] = *max_queued;
    if (!mail_user.empty()) j["mail_user"] = mail_user;
    if (!mail_type.empty()) j["mail_type"] = mail_type;
    if (!notify_command.empty()) j["notify_command"] = notify_command;
    if (!sbatch.empty()) {
        ordered_json options = ordered_json::object();
        for (const auto& option : sbatch) options[option.key] = option.value;
        j["sbatch"] = options;
    }
    if (container_runtime != ContainerRuntime::none) {
        j["container_runtime"] = runtime_name(container_runtime);
        j["container_cache"] = container_cache;
        if (!container_options.empty()) j["container_options"] = container_options;
        j["container_gpus"] = gpus_in_containers();
    }
    return j;
}

const Machine* Config::find(const std::string& name) const {
    for (const auto& m : machines)
        if (m.name == name) return &m;
    return nullptr;
}

std::vector<std::string> Config::names() const {
    std::vector<std::string> out;
    for (const auto& m : machines) out.push_back(m.name);
    return out;
}

const Machine& Config::get(const std::string& name) const {
    if (const Machine* m = find(name)) return *m;
    throw Error(fmt::format("unknown machine \"{}\"{}; {} has: {}", name, util::did_you_mean(name, names()),
                            document.source, util::join(names(), ", ")));
}

Config config_from_document(util::Document document) {
    std::vector<std::string> problems;
    Config config;
    const ordered_json& root = document.root;
    if (!root.is_object()) {
        throw Error(fmt::format("{}: the config must be a JSON object of machines, such as {{\"local\": {{\"path\": "
                                "\"~/milex\"}}}}",
                                document.where("")));
    }
    MachineReader reader(document, problems);
    for (const auto& [name, value] : root.items()) {
        if (auto machine = reader.read(name, value)) config.machines.push_back(std::move(*machine));
    }
    if (!root.contains("local"))
        problems.push_back(fmt::format("{}: no \"local\" machine; add \"local\": {{\"path\": \"~/milex\"}} for this "
                                       "computer",
                                       document.source));
    if (!problems.empty()) throw Error(problems);
    config.document = std::move(document);
    return config;
}

std::filesystem::path config_path() {
    if (auto env = util::environment_variable("MILEX_CONFIG"); env && !env->empty()) return *env;
    auto home = util::expand_path("~/.milexconfig");
    if (!home) throw Error(home.error());
    return *home;
}

std::string display_path(const std::filesystem::path& path) {
    auto home = util::environment_variable("HOME");
    std::string p = path.string();
    if (home && !home->empty() && p.size() > home->size() && p.compare(0, home->size(), *home) == 0 &&
        p[home->size()] == '/')
        return "~" + p.substr(home->size());
    return p;
}

std::optional<std::string> exposed_keys_warning(const Config& config, const std::filesystem::path& path) {
    std::vector<std::string> naming;
    for (const auto& machine : config.machines)
        if (!machine.key_path.empty()) naming.push_back(fmt::format("\"{}\"", machine.name));
    std::error_code ec;
    const auto mode = std::filesystem::status(path, ec).permissions();
    using std::filesystem::perms;
    if (naming.empty() || ec || (mode & (perms::group_read | perms::others_read)) == perms::none) return std::nullopt;
    return fmt::format("{} can be read by other users and names SSH key files (machine{} {}); chmod 600 {}",
                       display_path(path), naming.size() == 1 ? "" : "s", util::join(naming, ", "),
                       display_path(path));
}

Config load_config(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
        throw Error(fmt::format("no machine config at {}; run milex-configuration to create one (or set MILEX_CONFIG)",
                                display_path(path)));
    }
    auto text = util::read_file(path);
    if (!text) throw Error(text.error());
    auto document = util::parse_document(*text, display_path(path));
    if (!document) throw Error(document.error());
    return config_from_document(std::move(*document));
}

std::string example_config() {
    return R"({
    "local": {
        "path": "~/milex",
        "env_command": "",
        "slurm_account": ""
    }
}
)";
}

} // namespace milex::model
