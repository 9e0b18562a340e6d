#include "milex/introspect/sweep.hpp"

#include <algorithm>
#include <exception>
#include <set>

#include <fmt/format.h>

#include "milex/introspect/cli_protocol.hpp"
#include "milex/introspect/spelling.hpp"
#include "milex/model/machine.hpp"
#include "milex/render/arguments.hpp"
#include "milex/util/document.hpp"
#include "milex/util/error.hpp"
#include "milex/util/file.hpp"
#include "milex/util/parallel.hpp"
#include "milex/util/text.hpp"

namespace milex::introspect {

using nlohmann::ordered_json;

namespace {

/// More combinations than any queue takes (each is an array task), and more than fit in memory
/// soon after: a grid larger is a typing mistake, refused before it is built.
constexpr size_t k_max_combinations = 100000;

/// Every combination of `lists`, the last varying fastest. `where` names the sweep in the error.
std::vector<std::vector<ordered_json>> grid(const std::vector<std::vector<ordered_json>>& lists, const std::string& where) {
    size_t count = 1;
    for (const auto& list : lists) {
        if (!list.empty() && count > k_max_combinations / list.size())
            throw UsageError(fmt::format("{}: the sweep has more than {} combinations; split it into several sweeps",
                                         where, k_max_combinations));
        count *= list.size();
    }
    std::vector<std::vector<ordered_json>> out = {{}};
    for (const auto& list : lists) {
        std::vector<std::vector<ordered_json>> next;
        next.reserve(out.size() * list.size());
        for (const auto& partial : out) {
            for (const auto& value : list) {
                next.push_back(partial);
                next.back().push_back(value);
            }
        }
        out = std::move(next);
    }
    return out;
}

void check_option_name(const std::string& option, const std::string& where) {
    const size_t dashes = option.find_first_not_of('-');
    if (dashes == std::string::npos || dashes > 2 || option.find_first_of(" =\t\n") != std::string::npos)
        throw UsageError(fmt::format("{}: \"{}\" is not an option name; write it as the application spells it, "
                                     "with or without its dashes, e.g. lr, learning-rate or --learning-rate",
                                     where, option));
}

/// A sweep option's name as typed, with its dashes.
std::string exactly(const std::string& typed) { return typed.size() == 1 ? "-" + typed : "--" + typed; }

} // namespace

std::string sweep_option(const std::string& typed, const ParserMap* map) {
    if (typed.starts_with("-")) {
        if (!map) return typed;
        const ParsedOption* option = map->find(typed);
        if (!option) return typed;  // the -cli will say it does not know it
        for (const auto& s : option->strings)
            if (s.starts_with(typed)) return s;
        return typed;
    }
    if (!map) return exactly(typed);
    // The application's own spelling: --n or -n, as it has it; else the option whose dest it is.
    for (const std::string& candidate : {"--" + typed, "-" + typed})
        for (const auto& option : map->options)
            if (std::find(option.strings.begin(), option.strings.end(), candidate) != option.strings.end())
                return candidate;
    std::string dest = typed;
    std::replace(dest.begin(), dest.end(), '-', '_');
    if (const ParsedOption* option = map->by_dest(dest)) return option->strings.back();
    return exactly(typed);
}

std::string sweep_word(const std::string& option, const ordered_json& value) {
    const std::string text = render::argument_text(value);
    const bool short_option = option.size() == 2 && option[0] == '-' && option[1] != '-';
    return short_option ? option + text : option + "=" + text;
}

SweepSpec sweep_from_flags(const std::vector<std::string>& flags) {
    SweepSpec spec;
    std::vector<std::vector<ordered_json>> lists;
    for (const auto& flag : flags) {
        const auto eq = flag.find('=');
        if (eq == std::string::npos || eq + 1 == flag.size())
            throw UsageError(fmt::format("--sweep \"{}\": write option=value1,value2,… (e.g. --sweep lr=0.1,0.01)", flag));
        const std::string option = flag.substr(0, eq);
        check_option_name(option, "--sweep " + flag);
        if (std::find(spec.options.begin(), spec.options.end(), option) != spec.options.end())
            throw UsageError(fmt::format("--sweep {}: given twice; list all its values in one --sweep", option));
        std::vector<ordered_json> values;
        for (const auto& value : util::split(flag.substr(eq + 1), ',')) values.emplace_back(value);
        spec.options.push_back(option);
        lists.push_back(std::move(values));
    }
    spec.combinations = grid(lists, "--sweep");
    return spec;
}

SweepSpec sweep_from_file(const std::filesystem::path& path) {
    auto text = util::read_file(path);
    if (!text) throw Error(text.error());
    return sweep_from_text(*text, model::display_path(path));
}

SweepSpec sweep_from_text(const std::string& text, const std::string& source) {
    auto doc = util::parse_document(text, source);
    if (!doc) throw Error(doc.error());
    const ordered_json& root = doc->root;
    if (!root.is_object())
        throw Error(fmt::format("{}: a sweep file maps option names to lists of values (and/or has \"combinations\")",
                                source));
    SweepSpec spec;
    std::vector<std::vector<ordered_json>> lists;
    for (const auto& [key, value] : root.items()) {
        if (key == "combinations") continue;
        check_option_name(key, doc->where(util::child_pointer("", key)));
        if (!value.is_array() || value.empty())
            throw Error(fmt::format("{}: \"{}\" must be a list of values", doc->where(util::child_pointer("", key)), key));
        spec.options.push_back(key);
        lists.emplace_back(value.begin(), value.end());
    }
    if (!lists.empty()) spec.combinations = grid(lists, source);
    if (root.contains("combinations")) {
        const ordered_json& explicit_list = root["combinations"];
        const std::string where = doc->where("/combinations");
        if (!explicit_list.is_array())
            throw Error(fmt::format("{}: \"combinations\" must be a list of maps of option to value", where));
        for (const auto& combination : explicit_list) {
            if (!combination.is_object())
                throw Error(fmt::format("{}: each combination must be a map of option to value", where));
            if (spec.options.empty())
                for (const auto& [key, value] : combination.items()) {
                    check_option_name(key, where);
                    spec.options.push_back(key);
                }
            std::vector<ordered_json> values;
            for (const auto& option : spec.options) {
                if (!combination.contains(option))
                    throw Error(fmt::format("{}: a combination has no \"{}\"; every combination names every option",
                                            where, option));
                values.push_back(combination[option]);
            }
            if (combination.size() != spec.options.size())
                throw Error(fmt::format("{}: a combination names an option the others do not ({})", where,
                                        combination.dump()));
            spec.combinations.push_back(std::move(values));
        }
    }
    if (spec.combinations.empty()) throw Error(fmt::format("{}: the sweep has no combinations", source));
    return spec;
}

void describe_sweep(model::Job& job, const std::vector<std::string>& app_words, const SweepSpec& spec,
                    std::chrono::milliseconds timeout, const ParserMap* map, size_t jobs,
                    const DescribeArguments& describe) {
    std::vector<std::string> spelled;
    for (const auto& option : spec.options) spelled.push_back(sweep_option(option, map));
    // The swept options go before the typed words, so that a REMAINDER positional typed there
    // cannot swallow them.
    auto words_with = [&](const std::vector<ordered_json>& combination) {
        std::vector<std::string> words;
        for (size_t i = 0; i < spec.options.size(); ++i) words.push_back(sweep_word(spelled[i], combination[i]));
        words.insert(words.end(), app_words.begin(), app_words.end());
        return words;
    };
    const auto& first = spec.combinations.front();

    // The calls: the first combination, then each other value of each option with the others
    // as in the first combination, so that every value is accepted once.
    struct Check {
        size_t option;  ///< the option whose value differs from the first combination's
        const ordered_json* value;
    };
    std::vector<Check> checks = {{0, nullptr}};
    for (size_t i = 0; i < spec.options.size(); ++i) {
        std::set<std::string> seen = {first[i].dump()};
        for (const auto& combination : spec.combinations)
            if (seen.insert(combination[i].dump()).second) checks.push_back({i, &combination[i]});
    }
    ordered_json answer;
    bool answered = false;
    std::exception_ptr refused;
    try {
        util::for_each_index(checks.size(), jobs, [&](size_t c) {
            if (c == 0) {
                answer = describe(job.script, words_with(first), timeout);
                answered = true;
                return;
            }
            auto changed = first;
            changed[checks[c].option] = *checks[c].value;
            try {
                describe(job.script, words_with(changed), timeout);
            } catch (const Error& e) {
                throw Error(fmt::format("--sweep {}={}: {}", spec.options[checks[c].option],
                                        render::argument_text(*checks[c].value), e.what()))
                    .with_details(e.details());
            }
        });
    } catch (...) {
        refused = std::current_exception();
    }
    // The errors in the order of the calls made one by one: the first combination's, then an
    // option that sets no key, then the first value refused.
    if (!answered) std::rethrow_exception(refused);
    ordered_json spellings = infer_spellings(words_with(first), answer, map);

    // Which key of the answer each swept option sets.
    model::Sweep sweep;
    for (size_t i = 0; i < spec.options.size(); ++i) {
        std::string key;
        for (const auto& [k, spelling] : spellings.items())
            if (spelling == spelled[i]) key = k;
        if (key.empty())
            throw Error(fmt::format("--sweep {}: {}-cli has no option {} that takes a value", spec.options[i],
                                    job.script, spelled[i]));
        sweep.keys.push_back(key);
    }
    if (refused) std::rethrow_exception(refused);
    sweep.combinations = spec.combinations;
    sweep.limit = spec.limit;
    job.script_args = std::move(answer);
    job.script_options = std::move(spellings);
    job.sweep = std::move(sweep);
}

} // namespace milex::introspect
