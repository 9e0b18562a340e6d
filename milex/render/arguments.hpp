#pragma once
/// The application's arguments as command-line words, from the `script_args` its -cli printed
/// and the `script_options` that say how each was typed.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace milex::render {

/// The words after the application's name.
///
/// Without spellings (a bundle of the Python milex) every key is `--key=value`; true is
/// `--key`; false and null are left out; a list is `--key` then one word per item; an object
/// is `--key=<its JSON>`.
///
/// With spellings (see model::Job::script_options) each typed option comes first, as it was
/// typed: `--long=value`, `-sVALUE` (attached, so a value starting with '-' stays a value), a
/// list as the option then its items, a flag when its value is the one it was given for. Then
/// the positionals, in their places: after the options, so that a REMAINDER or `nargs='*'`
/// positional cannot swallow an option. When positionals follow, list options come before the
/// other options (so that none takes a positional as an item), and `--` goes before the
/// positionals when their first word looks like an option or only list options precede them
/// (then single positionals go first instead). Keys that were not typed are left out.
///
/// Numbers are written the way Python prints them (`0.001`, `1e-05`, `3.0`), so the
/// application reads what its -cli saw.
std::vector<std::string> application_words(const nlohmann::ordered_json& script_args,
                                           const nlohmann::ordered_json& script_options = nullptr);

/// The same words in their two parts: the options, then the positionals (which a sweep's
/// options must not follow).
struct ApplicationWords {
    std::vector<std::string> options;
    std::vector<std::string> positionals;
};
ApplicationWords split_application_words(const nlohmann::ordered_json& script_args,
                                         const nlohmann::ordered_json& script_options = nullptr);

/// The words one key becomes (for messages that name what a key was rendered as).
std::vector<std::string> words_for_key(const nlohmann::ordered_json& script_args,
                                       const nlohmann::ordered_json& script_options, const std::string& key);

/// One JSON value as the application receives it.
std::string argument_text(const nlohmann::ordered_json& value);

} // namespace milex::render
