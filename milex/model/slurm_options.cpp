#include "milex/model/slurm_options.hpp"

#include <algorithm>
#include <regex>

#include <fmt/format.h>

namespace milex::model {

namespace {

enum class Kind { time, memory, array, count, range, gres, gpus, word };

struct KeySpec {
    const char* key;
    Kind kind;
    bool machine_only;
};

// Upstream's six keys first, then the sbatch options researchers ask for most.
constexpr KeySpec k_keys[] = {
    {"array", Kind::array, false},          {"tasks", Kind::count, false},
    {"cpus_per_task", Kind::count, false},  {"gres", Kind::gres, false},
    {"mem", Kind::memory, false},           {"time", Kind::time, false},
    {"partition", Kind::word, false},       {"nodes", Kind::range, false},
    {"ntasks", Kind::count, false},         {"ntasks_per_node", Kind::count, false},
    {"mem_per_cpu", Kind::memory, false},   {"mem_per_gpu", Kind::memory, false},
    {"gpus", Kind::gpus, false},            {"gpus_per_node", Kind::gpus, false},
    {"gpus_per_task", Kind::gpus, false},   {"qos", Kind::word, false},
    {"constraint", Kind::word, false},      {"reservation", Kind::word, false},
    {"exclude", Kind::word, false},         {"nodelist", Kind::word, false},
    {"licenses", Kind::word, false},        {"signal", Kind::word, false},
    {"output", Kind::word, false},          {"error", Kind::word, false},
    {"mail_type", Kind::word, false},       {"mail_user", Kind::word, false},
    {"account", Kind::word, true},
};

const KeySpec* spec_of(const std::string& key) {
    for (const auto& spec : k_keys)
        if (key == spec.key) return &spec;
    return nullptr;
}

bool all_digits(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::string> check_time(const std::string& v) {
    // SLURM's own forms; it normalises out-of-range fields (0:90 is 90 seconds) so we do not
    // refuse them.
    static const std::regex k_forms(R"(^\d{1,9}(:\d{1,2}){0,2}$|^\d{1,6}-\d{1,2}(:\d{1,2}){0,2}$)");
    if (v == "UNLIMITED" || v == "INFINITE" || v == "unlimited" || v == "infinite") return std::nullopt;
    if (!std::regex_match(v, k_forms))
        return fmt::format("\"{}\" is not a SLURM time; use minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS "
                           "(e.g. 01:30:00), or UNLIMITED",
                           v);
    return std::nullopt;
}

std::optional<std::string> check_memory(const std::string& v) {
    // Whole numbers only: sbatch refuses 1.5G.
    static const std::regex k_form(R"(^\d{1,12}([KMGTkmgt][Bb]?)?$)");
    if (!std::regex_match(v, k_form))
        return fmt::format("\"{}\" is not a SLURM memory size; use a whole number with an optional unit K, M, G or "
                           "T (e.g. 16G or 1500M; plain numbers are megabytes)",
                           v);
    return std::nullopt;
}

std::optional<std::string> check_array(const std::string& v) {
    static const std::regex k_form(R"(^(\d+(-\d+(:\d+)?)?)(,\d+(-\d+(:\d+)?)?)*(%\d+)?$)");
    static const std::string k_help = "use indices and ranges such as 0-15, 1,3,5, 0-99:2 or 0-99%10";
    if (!std::regex_match(v, k_form)) return fmt::format("\"{}\" is not a SLURM array; {}", v, k_help);
    static const std::regex k_range(R"((\d+)-(\d+)(?::(\d+))?)");
    for (auto it = std::sregex_iterator(v.begin(), v.end(), k_range); it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        if (std::stoull(m[1]) > std::stoull(m[2]))
            return fmt::format("\"{}\": range {} runs backwards; {}", v, m.str(0), k_help);
        if (m[3].matched && std::stoull(m[3]) == 0) return fmt::format("\"{}\": a step of 0; {}", v, k_help);
    }
    auto percent = v.find('%');
    if (percent != std::string::npos && std::stoull(v.substr(percent + 1)) == 0)
        return fmt::format("\"{}\": %0 would never run a task; {}", v, k_help);
    return std::nullopt;
}

std::optional<std::string> check_word(const std::string& key, const std::string& v) {
    if (v.empty()) return fmt::format("is empty; remove \"{}\" or give it a value", key);
    for (char c : v) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == ' ' || c == '"' || c == '\'' || c == '\\')
            return fmt::format("\"{}\" holds a space, quote, backslash or control character, which an #SBATCH "
                               "line cannot carry",
                               v);
    }
    return std::nullopt;
}

} // namespace

const std::vector<std::string>& known_slurm_keys(OptionOwner owner) {
    static const std::vector<std::string> job_keys = [] {
        std::vector<std::string> keys;
        for (const auto& spec : k_keys)
            if (!spec.machine_only) keys.emplace_back(spec.key);
        return keys;
    }();
    static const std::vector<std::string> machine_keys = [] {
        std::vector<std::string> keys;
        for (const auto& spec : k_keys) keys.emplace_back(spec.key);
        return keys;
    }();
    return owner == OptionOwner::job ? job_keys : machine_keys;
}

std::optional<std::string> check_slurm_value(const std::string& key, const std::string& value) {
    const KeySpec* spec = spec_of(key);
    if (!spec) return fmt::format("is not a known sbatch option");
    switch (spec->kind) {
    case Kind::time:
        return check_time(value);
    case Kind::memory:
        return check_memory(value);
    case Kind::array:
        return check_array(value);
    case Kind::count:
        if (!all_digits(value) || std::stoull(value.substr(0, 9)) == 0 || value.size() > 9)
            return fmt::format("\"{}\" must be a whole number of at least 1", value);
        return std::nullopt;
    case Kind::range: {
        static const std::regex k_form(R"(^[1-9]\d{0,6}(-[1-9]\d{0,6})?$)");
        if (!std::regex_match(value, k_form))
            return fmt::format("\"{}\" must be a count or a range such as 2 or 2-4", value);
        return std::nullopt;
    }
    case Kind::gres: {
        static const std::regex k_form(R"(^[A-Za-z][\w/]*(:[\w.-]+)?(:\d+[KMG]?)?(,[A-Za-z][\w/]*(:[\w.-]+)?(:\d+[KMG]?)?)*$)");
        if (!std::regex_match(value, k_form))
            return fmt::format("\"{}\" is not a SLURM gres; use name[:type]:count such as gpu:1 or gpu:a100:2",
                               value);
        return std::nullopt;
    }
    case Kind::gpus: {
        static const std::regex k_form(R"(^([\w.-]+:)?[1-9]\d*$)");
        if (!std::regex_match(value, k_form))
            return fmt::format("\"{}\" must be a GPU count, optionally with a type (e.g. 2 or a100:2)", value);
        return std::nullopt;
    }
    case Kind::word:
        return check_word(key, value);
    }
    return std::nullopt;
}

std::string sbatch_option(const std::string& key) {
    // The Python milex wrote --tasks, an undocumented alias; milex writes the documented name.
    std::string name = key == "tasks" ? "ntasks" : key;
    std::replace(name.begin(), name.end(), '_', '-');
    return "--" + name;
}

const std::string* find_option(const SlurmOptions& options, const std::string& key) {
    for (const auto& option : options)
        if (option.key == key) return &option.value;
    return nullptr;
}

void set_option(SlurmOptions& options, const std::string& key, const std::string& value) {
    for (auto& option : options) {
        if (option.key == key) {
            option.value = value;
            return;
        }
    }
    options.push_back({key, value});
}

SlurmOptions merged(const SlurmOptions& base, const SlurmOptions& over) {
    SlurmOptions out = base;
    for (const auto& option : over) set_option(out, option.key, option.value);
    return out;
}

} // namespace milex::model
