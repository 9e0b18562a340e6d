#pragma once
/// How the arguments were typed: which word sets which key of the -cli's answer. The -cli only
/// says what the application made of the words (argparse's dests); to call the application the
/// same way in the batch script, milex needs the spelling too (`--learning-rate`, `-n`, a
/// positional).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "milex/introspect/argparse_help.hpp"

namespace milex::introspect {

/// The script_options (see model::Job) that explain `words` given the -cli's `answer`.
///
/// With the application's parser `map` (learnt from its --help), each option word is read the
/// way argparse reads it: the option string names the dest (argparse's rule, the first long
/// string), the map says how many words follow, `-b=64` and `-b64` are one word, a flag takes
/// none, and a REMAINDER positional takes every word after its first. Words the map does not
/// know, and options whose dest the answer lacks (a `dest=` the help does not show), fall back
/// to the guesses below.
///
/// Without a map (a parser that is not argparse's):
///   - `--some-name` sets `some_name` (argparse's default dest); `-n` sets `n`;
///   - an option whose dest differs (`-b` for `batch_size`, `dest=` in argparse) is matched by
///     the value that follows it;
///   - words that are neither options nor their values are positionals, matched in order to
///     the keys left, by value;
///   - keys not typed are null (left to the application's defaults).
/// Inference can be wrong for unusual parsers; verify_round_trip catches that before anything
/// is written.
nlohmann::ordered_json infer_spellings(const std::vector<std::string>& words, const nlohmann::ordered_json& answer,
                                       const ParserMap* map = nullptr);

} // namespace milex::introspect
