#pragma once
/// How the arguments were typed: which word sets which key of the -cli's answer. The -cli only
/// says what the application made of the words (argparse's dests); to call the application the
/// same way in the batch script, milex needs the spelling too (`--learning-rate`, `-n`, a
/// positional).
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace milex::introspect {

/// The script_options (see model::Job) that explain `words` given the -cli's `answer`:
///   - `--some-name` sets `some_name` (argparse's default dest); `-n` sets `n`;
///   - an option whose dest differs (`-b` for `batch_size`, `dest=` in argparse) is matched by
///     the value that follows it;
///   - words that are neither options nor their values are positionals, matched in order to
///     the keys left, by value;
///   - keys not typed are null (left to the application's defaults).
/// Inference can be wrong for unusual parsers; verify_round_trip catches that before anything
/// is written.
nlohmann::ordered_json infer_spellings(const std::vector<std::string>& words, const nlohmann::ordered_json& answer);

} // namespace milex::introspect
