#pragma once
/// Sweeps at schedule time: the combinations a user asked for, checked with the application's
/// -cli without running it once per combination.
#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "milex/introspect/argparse_help.hpp"
#include "milex/introspect/cli_protocol.hpp"
#include "milex/model/job.hpp"

namespace milex::introspect {

/// A sweep as typed: option names with or without their dashes ("lr", "learning-rate", "n",
/// "--n") and the values of each combination, in order.
struct SweepSpec {
    std::vector<std::string> options;
    std::vector<std::vector<nlohmann::ordered_json>> combinations;
    size_t limit = 0;
};

/// `--sweep lr=0.1,0.01 --sweep batch=32,64`: every combination of the lists (the last option
/// varying fastest). Values stay the text typed.
SweepSpec sweep_from_flags(const std::vector<std::string>& flags);

/// A YAML (or JSON) file: option names to lists, whose grid is taken, and/or `combinations:` a
/// list of maps naming every option. Values keep their YAML types.
SweepSpec sweep_from_file(const std::filesystem::path& path);
/// The same from the file's text; `source` is its name as shown (it tells JSON from YAML).
SweepSpec sweep_from_text(const std::string& text, const std::string& source);

/// How one -cli call is made: describe_arguments, or a fake in tests.
using DescribeArguments = std::function<nlohmann::ordered_json(
    const std::string& app, const std::vector<std::string>& args, std::chrono::milliseconds timeout)>;

/// Describes a sweep job: the -cli reads the application's words with the first combination
/// (script_args, script_options), then once with each other distinct value of each option, so
/// that every value was accepted once (not once per combination: a 100×100 grid costs 199
/// calls, not 10,000). The calls are independent: up to `jobs` run at once (cli_jobs()), and
/// the error is the one the calls made one by one would give (the first refused value in the
/// order above). Throws Error naming the option and value the application refused.
/// `map` (the application's parser, when known) resolves each option to the spelling the
/// application accepts (see sweep_option) and reads the words as argparse does.
void describe_sweep(model::Job& job, const std::vector<std::string>& app_words, const SweepSpec& spec,
                    std::chrono::milliseconds timeout, const ParserMap* map = nullptr, size_t jobs = 1,
                    const DescribeArguments& describe = describe_arguments);

/// The option string a sweep option as typed stands for. With dashes it is taken as typed (an
/// abbreviation becomes the option it abbreviates). Without, the application's parser decides:
/// `n` is `--n` when that is what it has, `-n` when it has that; `learning_rate` is the option
/// whose dest it is. Without a map: `-n` for one letter, `--name` otherwise.
std::string sweep_option(const std::string& typed, const ParserMap* map);

/// The word an option string and value become: `--name=value`, or `-nVALUE` for a short option.
std::string sweep_word(const std::string& option, const nlohmann::ordered_json& value);

} // namespace milex::introspect
