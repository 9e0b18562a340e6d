#pragma once
/// What an argparse parser says about itself in `APP-cli --help`: every option string, how many
/// words it takes, and the positionals in order. The -cli's JSON answer only holds dests and
/// values; this map tells which typed word set which dest without guessing from values.
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace milex::introspect {

/// How many words an argument takes (argparse's nargs, read back from the help's metavars).
enum class Nargs { none, one, optional, any, some, exactly, remainder };

struct ParsedOption {
    std::vector<std::string> strings;  ///< `-b`, `--batch-size`, in the parser's order
    std::string dest;                  ///< argparse's default dest: the first long string, dashes to underscores
    Nargs nargs = Nargs::none;
    size_t count = 0;  ///< for Nargs::exactly
    std::string help;  ///< the first line of its help text
};

struct ParsedPositional {
    std::string name;  ///< its metavar (the dest unless metavar= was given)
    Nargs nargs = Nargs::one;
    size_t count = 0;
};

struct ParserMap {
    std::vector<ParsedOption> options;
    /// The positionals in order; empty when the usage line could not be read (then positionals
    /// are matched by value alone).
    std::vector<ParsedPositional> positionals;

    /// The option a word names as argparse resolves it: the exact string, else the one long
    /// option it is a unique prefix of (argparse's abbreviations). Null when none or ambiguous.
    const ParsedOption* find(const std::string& option_string) const;
    /// The option whose default dest is `dest`, if exactly one.
    const ParsedOption* by_dest(const std::string& dest) const;
    bool has_dest(const std::string& dest) const { return by_dest(dest) != nullptr; }

    nlohmann::ordered_json to_json() const;
    /// Throws nlohmann::json::exception on a malformed map.
    static ParserMap from_json(const nlohmann::ordered_json& json);
};

/// The map of a help text in argparse's format (Python 3.8 to 3.13), or nothing when the text
/// is not argparse's (no `usage:` line, no options section) or describes sub-commands, which
/// one map cannot (then milex falls back to matching words by value).
std::optional<ParserMap> parse_argparse_help(const std::string& help);

/// argparse's default dest of an option: `--batch-size` → `batch_size`, `-n` → `n`.
std::string default_dest(const std::vector<std::string>& strings);

} // namespace milex::introspect
