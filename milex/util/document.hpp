#pragma once
/// A JSON or YAML file read into a JSON tree that remembers the line of every key, so that
/// validation can say `~/.milexconfig:12: unknown key …` for either format.
#include <map>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>
#include <tl/expected.hpp>

namespace milex::util {

struct Document {
    std::string source;  ///< the file name as shown in messages
    nlohmann::ordered_json root;
    /// JSON pointer of each key (e.g. "/local/path") → 1-based line; "" → line of the root.
    std::map<std::string, int> lines;

    /// "source:line" for the key at `pointer`, or just "source" when its line is unknown.
    std::string where(const std::string& pointer) const;
};

/// "a string", "a number", "true/false", "null", "a list" or "an object", for messages.
std::string type_name(const nlohmann::ordered_json& value);

/// JSON pointer of `key` inside `parent` ("/a" + "b" → "/a/b"), escaping '~' and '/'.
std::string child_pointer(const std::string& parent, const std::string& key);

/// Parses JSON; a syntax error comes back as `source:LINE:COLUMN: invalid JSON: <reason>`;
/// a key given twice in one object is an error too (JSON readers disagree on which one wins).
tl::expected<Document, std::string> parse_json_document(const std::string& text, const std::string& source);

/// Parses YAML; unquoted scalars become numbers, booleans or null when they read as such.
tl::expected<Document, std::string> parse_yaml_document(const std::string& text, const std::string& source);

/// Whether a YAML reader could take the plain (unquoted) scalar `text` for something other than a
/// string: this file's reader (null, true/false, numbers) or a YAML 1.1 one such as PyYAML (`yes`,
/// `off`, `0x10`, `0o17`, `2026-01-01`, `1:30`, `.inf`, `1_000`). Such strings must be quoted.
bool yaml_plain_is_not_a_string(const std::string& text);

/// `root` as block-style YAML, ending with a newline, that parse_yaml_document (and any YAML
/// reader) reads back as the same tree: strings that would read as another type are quoted.
std::string dump_yaml(const nlohmann::ordered_json& root);

/// The one rule for which files milex reads as YAML (configs, sweeps, container files): by name,
/// `.yaml`/`.yml` are YAML and `.json` is JSON; any other name (`~/.milexconfig`) is JSON when
/// its text starts with `{` or `[`, else YAML.
bool is_yaml(std::string_view name, std::string_view text);

/// JSON or YAML by is_yaml(source, text).
tl::expected<Document, std::string> parse_document(const std::string& text, const std::string& source);

/// `source:LINE:COLUMN: invalid JSON: <reason>` for nlohmann's parse error.
std::string json_error_text(const nlohmann::json::parse_error& e, const std::string& source);
/// The same for the message of any of nlohmann's exceptions (`what()`); without a place, just
/// `source: invalid JSON: <reason>`.
std::string json_error_text(const std::string& what, const std::string& source);

} // namespace milex::util
