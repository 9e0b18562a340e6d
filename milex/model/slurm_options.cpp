#include "milex/model/slurm_options.hpp"

#include <algorithm>
#include <cctype>
#include <string_view>

#include <fmt/format.h>
#include <tl/expected.hpp>

namespace milex::model {

namespace {

enum class Kind { time, memory, array, count, range, gres, gpus, word, signal, boolean };

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
    {"licenses", Kind::word, false},        {"signal", Kind::signal, false},
    {"requeue", Kind::boolean, false},
    {"output", Kind::word, false},          {"error", Kind::word, false},
    {"mail_type", Kind::word, false},       {"mail_user", Kind::word, false},
    {"account", Kind::word, true},
};

struct SignalName {
    const char* name;
    int number;
};
// The signals a batch script can catch and pass on (KILL and STOP cannot be caught), with
// their Linux numbers, which SLURM takes too.
constexpr SignalName k_signals[] = {{"HUP", 1},   {"INT", 2},   {"QUIT", 3},  {"USR1", 10}, {"USR2", 12},
                                    {"ALRM", 14}, {"TERM", 15}, {"CONT", 18}, {"URG", 23},  {"XCPU", 24}};

std::string catchable_signal_names() {
    std::string out;
    for (const auto& signal : k_signals) out += (out.empty() ? "" : ", ") + std::string(signal.name);
    return out;
}

const KeySpec* spec_of(const std::string& key) {
    for (const auto& spec : k_keys)
        if (key == spec.key) return &spec;
    return nullptr;
}

// The value grammars below are read by hand: std::regex takes ~0.5 ms to compile each pattern,
// more than the rest of a milex-schedule call.

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool all_digits(std::string_view s, size_t max = 18) {
    return !s.empty() && s.size() <= max && std::all_of(s.begin(), s.end(), is_digit);
}

bool word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

std::vector<std::string_view> pieces(std::string_view text, char separator) {
    std::vector<std::string_view> out;
    size_t start = 0;
    for (;;) {
        size_t end = text.find(separator, start);
        out.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) return out;
        start = end + 1;
    }
}

/// A time limit in seconds, SLURM's forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS;
/// 0 for UNLIMITED; nullopt when it is none of them. SLURM normalises out-of-range fields (0:90
/// is 90 seconds), so they are not refused.
std::optional<long long> parse_time(std::string_view v) {
    if (v == "UNLIMITED" || v == "INFINITE" || v == "unlimited" || v == "infinite") return 0;
    long long days = 0;
    const size_t dash = v.find('-');
    const bool with_days = dash != std::string_view::npos;
    if (with_days) {
        if (!all_digits(v.substr(0, dash), 6)) return std::nullopt;
        days = std::stoll(std::string(v.substr(0, dash)));
        v = v.substr(dash + 1);
    }
    auto fields = pieces(v, ':');
    if (fields.size() > 3) return std::nullopt;
    std::vector<long long> n;
    for (size_t i = 0; i < fields.size(); ++i) {
        // The first field of a plain time is any number of minutes; the others have two digits.
        const size_t max = (i == 0 && !with_days) ? 9 : 2;
        if (!all_digits(fields[i], max)) return std::nullopt;
        n.push_back(std::stoll(std::string(fields[i])));
    }
    if (with_days) {
        const long long h = n[0], m = n.size() > 1 ? n[1] : 0, sec = n.size() > 2 ? n[2] : 0;
        return ((days * 24 + h) * 60 + m) * 60 + sec;
    }
    if (n.size() == 1) return n[0] * 60;
    if (n.size() == 2) return n[0] * 60 + n[1];
    return (n[0] * 60 + n[1]) * 60 + n[2];
}

std::optional<std::string> check_time(const std::string& v) {
    if (parse_time(v)) return std::nullopt;
    return fmt::format("\"{}\" is not a SLURM time; use minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM or D-HH:MM:SS "
                       "(e.g. 01:30:00), or UNLIMITED",
                       v);
}

std::optional<std::string> check_memory(const std::string& v) {
    // Whole numbers only: sbatch refuses 1.5G.
    size_t digits = 0;
    while (digits < v.size() && is_digit(v[digits])) ++digits;
    std::string_view unit = std::string_view(v).substr(digits);
    const bool unit_ok = unit.empty() || (std::string_view("KMGTkmgt").find(unit[0]) != std::string_view::npos &&
                                          (unit.size() == 1 || (unit.size() == 2 && (unit[1] == 'B' || unit[1] == 'b'))));
    if (digits == 0 || digits > 12 || !unit_ok)
        return fmt::format("\"{}\" is not a SLURM memory size; use a whole number with an optional unit K, M, G or "
                           "T (e.g. 16G or 1500M; plain numbers are megabytes)",
                           v);
    return std::nullopt;
}

struct IndexRange {
    unsigned long long first, last, step;
};

/// An array spec's ranges ("1,5-9:2%3" → 1-1:1, 5-9:2) and its %limit (0: none), or what is wrong.
tl::expected<std::pair<std::vector<IndexRange>, unsigned long long>, std::string> parse_array(const std::string& v) {
    static const std::string k_help = "use indices and ranges such as 0-15, 1,3,5, 0-99:2 or 0-99%10";
    auto wrong = [&] { return tl::unexpected(fmt::format("\"{}\" is not a SLURM array; {}", v, k_help)); };
    std::string_view indices = v;
    unsigned long long limit = 0;
    const size_t percent = indices.find('%');
    if (percent != std::string_view::npos) {
        std::string_view text = indices.substr(percent + 1);
        if (!all_digits(text, 9)) return wrong();
        limit = std::stoull(std::string(text));
        if (limit == 0) return tl::unexpected(fmt::format("\"{}\": %0 would never run a task; {}", v, k_help));
        indices = indices.substr(0, percent);
    }
    std::vector<IndexRange> ranges;
    for (std::string_view item : pieces(indices, ',')) {
        const size_t dash = item.find('-');
        if (dash == std::string_view::npos) {
            if (!all_digits(item, 9)) return wrong();
            const auto n = std::stoull(std::string(item));
            ranges.push_back({n, n, 1});
            continue;
        }
        std::string_view first = item.substr(0, dash), last = item.substr(dash + 1), step;
        if (const size_t colon = last.find(':'); colon != std::string_view::npos) {
            step = last.substr(colon + 1);
            last = last.substr(0, colon);
            if (!all_digits(step, 9)) return wrong();
        }
        if (!all_digits(first, 9) || !all_digits(last, 9)) return wrong();
        const IndexRange range{std::stoull(std::string(first)), std::stoull(std::string(last)),
                               step.empty() ? 1 : std::stoull(std::string(step))};
        if (range.first > range.last)
            return tl::unexpected(
                fmt::format("\"{}\": range {} runs backwards; {}", v, item.substr(0, dash + 1 + last.size()), k_help));
        if (range.step == 0) return tl::unexpected(fmt::format("\"{}\": a step of 0; {}", v, k_help));
        ranges.push_back(range);
    }
    return std::pair{ranges, limit};
}

std::optional<std::string> check_array(const std::string& v) {
    auto parsed = parse_array(v);
    if (!parsed) return parsed.error();
    return std::nullopt;
}

/// name[:type][:count] items, comma-separated: gpu, gpu:2, gpu:a100:2, shard:1G.
std::optional<std::string> check_gres(const std::string& v) {
    auto name_ok = [](std::string_view s) {
        return !s.empty() && std::isalpha(static_cast<unsigned char>(s[0])) &&
               std::all_of(s.begin(), s.end(), [](char c) { return word_char(c) || c == '/'; });
    };
    auto type_ok = [](std::string_view s) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return word_char(c) || c == '.' || c == '-'; });
    };
    auto count_ok = [](std::string_view s) {
        if (!s.empty() && std::string_view("KMG").find(s.back()) != std::string_view::npos) s.remove_suffix(1);
        return all_digits(s, 9);
    };
    for (std::string_view item : pieces(v, ',')) {
        auto parts = pieces(item, ':');
        bool ok = name_ok(parts[0]);
        if (parts.size() == 2) ok = ok && (count_ok(parts[1]) || type_ok(parts[1]));
        else if (parts.size() == 3) ok = ok && type_ok(parts[1]) && count_ok(parts[2]);
        else if (parts.size() > 3) ok = false;
        if (!ok)
            return fmt::format("\"{}\" is not a SLURM gres; use name[:type]:count such as gpu:1 or gpu:a100:2", v);
    }
    return std::nullopt;
}

bool positive(std::string_view s, size_t max) { return all_digits(s, max) && s[0] != '0'; }

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
        if (!positive(value, 9)) return fmt::format("\"{}\" must be a whole number of at least 1", value);
        return std::nullopt;
    case Kind::range: {
        const size_t dash = value.find('-');
        const bool ok = dash == std::string::npos
                            ? positive(value, 7)
                            : positive(std::string_view(value).substr(0, dash), 7) &&
                                  positive(std::string_view(value).substr(dash + 1), 7);
        if (!ok) return fmt::format("\"{}\" must be a count or a range such as 2 or 2-4", value);
        return std::nullopt;
    }
    case Kind::gres:
        return check_gres(value);
    case Kind::gpus: {
        const size_t colon = value.rfind(':');
        const std::string_view count = colon == std::string::npos ? std::string_view(value)
                                                                  : std::string_view(value).substr(colon + 1);
        const std::string_view type = colon == std::string::npos ? std::string_view("x")
                                                                 : std::string_view(value).substr(0, colon);
        const bool type_ok = !type.empty() && std::all_of(type.begin(), type.end(), [](char c) {
            return word_char(c) || c == '.' || c == '-';
        });
        if (!positive(count, 9) || !type_ok)
            return fmt::format("\"{}\" must be a GPU count, optionally with a type (e.g. 2 or a100:2)", value);
        return std::nullopt;
    }
    case Kind::word:
        return check_word(key, value);
    case Kind::signal:
        if (parse_signal(value)) return std::nullopt;
        return fmt::format("\"{}\" is not a signal; write SIGNAL@SECONDS, e.g. USR1@300 (USR1 300 seconds before "
                           "the time limit; one of {})",
                           value, catchable_signal_names());
    case Kind::boolean:
        if (value == "true" || value == "false") return std::nullopt;
        return fmt::format("\"{}\" must be true or false", value);
    }
    return std::nullopt;
}

std::optional<SignalSpec> parse_signal(const std::string& value) {
    SignalSpec spec;
    std::string_view v = value;
    if (v.starts_with("B:") || v.starts_with("R:") || v.starts_with("RB:") || v.starts_with("BR:")) {
        const size_t colon = v.find(':');
        spec.prefix = std::string(v.substr(0, colon));
        v = v.substr(colon + 1);
    }
    const size_t at = v.find('@');
    std::string name(v.substr(0, at));
    if (at != std::string_view::npos) {
        const std::string_view seconds = v.substr(at + 1);
        if (!all_digits(seconds, 5)) return std::nullopt;
        spec.seconds = std::stoll(std::string(seconds));
        if (spec.seconds > 65535) return std::nullopt;  // SLURM's largest
    }
    if (name.starts_with("SIG")) name = name.substr(3);
    for (const auto& known : k_signals) {
        if (name == known.name || name == std::to_string(known.number)) {
            spec.name = known.name;
            return spec;
        }
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

std::vector<std::string> array_indices(const std::string& spec, size_t limit) {
    std::vector<std::string> out;
    auto parsed = parse_array(spec);
    if (!parsed) return out;
    for (const auto& range : parsed->first)
        for (unsigned long long i = range.first; i <= range.last && out.size() < limit; i += range.step)
            out.push_back(std::to_string(i));
    return out;
}

std::string fold_indices(const std::vector<size_t>& sorted) {
    std::string out;
    for (size_t i = 0; i < sorted.size();) {
        size_t j = i;
        while (j + 1 < sorted.size() && sorted[j + 1] == sorted[j] + 1) ++j;
        if (!out.empty()) out += ',';
        out += j == i ? std::to_string(sorted[i]) : fmt::format("{}-{}", sorted[i], sorted[j]);
        i = j + 1;
    }
    return out;
}

long long time_limit_seconds(const std::string& limit) { return parse_time(limit).value_or(0); }

} // namespace milex::model
