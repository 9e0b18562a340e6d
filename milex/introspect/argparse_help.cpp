#include "milex/introspect/argparse_help.hpp"

#include <array>

#include "milex/util/text.hpp"

namespace milex::introspect {

using nlohmann::ordered_json;

namespace {

constexpr std::array<std::pair<Nargs, std::string_view>, 7> k_nargs_names = {{
    {Nargs::none, "none"},
    {Nargs::one, "one"},
    {Nargs::optional, "?"},
    {Nargs::any, "*"},
    {Nargs::some, "+"},
    {Nargs::exactly, "N"},
    {Nargs::remainder, "..."},
}};

std::string nargs_name(Nargs nargs) {
    for (const auto& [value, name] : k_nargs_names)
        if (value == nargs) return std::string(name);
    return "one";
}

Nargs nargs_from(const std::string& name) {
    for (const auto& [value, text] : k_nargs_names)
        if (text == name) return value;
    throw ordered_json::other_error::create(501, "unknown nargs \"" + name + "\"", nullptr);
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines = util::split(text, '\n');
    for (auto& line : lines)
        if (!line.empty() && line.back() == '\r') line.pop_back();
    return lines;
}

size_t indentation(const std::string& line) {
    size_t n = 0;
    while (n < line.size() && line[n] == ' ') ++n;
    return n;
}

/// An item of a section: `  INVOCATION  help…` (help may start on the next, deeper line).
bool is_item(const std::string& line) { return indentation(line) == 2 && line.size() > 2; }

/// argparse's metavar text after an option string (or a positional's usage part) as nargs.
std::pair<Nargs, size_t> classify(std::string_view args) {
    args = util::trim(args);
    if (args.empty()) return {Nargs::none, 0};
    if (args == "..." || args.ends_with(" ...")) return {Nargs::remainder, 0};  // REMAINDER (or a PARSER)
    const bool repeated = args.find("...") != std::string_view::npos;  // [X ...], [X [X ...]], X [X ...]
    if (args.starts_with("[")) return {repeated ? Nargs::any : Nargs::optional, 0};
    if (repeated) return {Nargs::some, 0};
    const size_t words = util::split(std::string(args), ' ').size();
    return {words == 1 ? Nargs::one : Nargs::exactly, words};
}

/// `-b BATCH_SIZE, --batch-size BATCH_SIZE` (Python ≤ 3.12) or `-b, --batch-size BATCH_SIZE`
/// (3.13): the option strings and what they take.
std::optional<ParsedOption> parse_invocation(const std::string& invocation) {
    ParsedOption option;
    std::string args;
    size_t start = 0;
    while (start < invocation.size()) {
        size_t end = invocation.find(", -", start);
        const std::string part = invocation.substr(start, end == std::string::npos ? std::string::npos : end - start);
        const size_t space = part.find(' ');
        const std::string string = part.substr(0, space);
        if (string.size() < 2 || string[0] != '-') return std::nullopt;
        option.strings.push_back(string);
        if (space != std::string::npos) args = part.substr(space + 1);
        if (end == std::string::npos) break;
        start = end + 2;
    }
    if (option.strings.empty()) return std::nullopt;
    std::tie(option.nargs, option.count) = classify(args);
    option.dest = default_dest(option.strings);
    return option;
}

/// The top-level parts of the usage text: `[-h]`, `[--lr LR]`, `data`, `[rest ...]`, `...`.
std::vector<std::string> usage_parts(const std::string& usage) {
    std::vector<std::string> parts;
    std::string current;
    int depth = 0;
    for (char c : usage) {
        if (c == '[' || c == '(') ++depth;
        if ((c == ']' || c == ')') && depth > 0) --depth;
        if (c == ' ' && depth == 0) {
            if (!current.empty()) parts.push_back(std::move(current));
            current.clear();
            continue;
        }
        current += c;
    }
    if (!current.empty()) parts.push_back(std::move(current));
    return parts;
}

bool optional_part(const std::string& part) {
    return part.starts_with("-") || part.starts_with("[-") || part.starts_with("(-");
}

/// The positionals the usage shows after its options; nothing for sub-commands (`{a,b} ...`).
std::optional<std::vector<ParsedPositional>> usage_positionals(const std::vector<std::string>& parts) {
    size_t first = parts.empty() ? 0 : 1;  // after the program's name
    for (size_t i = 0; i < parts.size(); ++i)
        if (optional_part(parts[i])) first = i + 1;
    std::vector<ParsedPositional> positionals;
    for (size_t i = first; i < parts.size(); ++i) {
        const std::string& part = parts[i];
        if (part.starts_with("{")) return std::nullopt;
        ParsedPositional positional;
        if (part == "...") {
            positional.nargs = Nargs::remainder;
        } else if (part.starts_with("[")) {
            const std::string inner = part.substr(1, part.size() - 2);
            positional.name = inner.substr(0, inner.find(' '));
            positional.nargs = inner.find("...") != std::string::npos ? Nargs::any : Nargs::optional;
        } else {
            positional.name = part;
            size_t same = 1;
            while (i + same < parts.size() && parts[i + same] == part) ++same;
            if (same > 1) {
                positional.nargs = Nargs::exactly;
                positional.count = same;
                i += same - 1;
            } else if (i + 1 < parts.size() && parts[i + 1].starts_with("[" + part + " ") &&
                       parts[i + 1].ends_with("...]")) {
                positional.nargs = Nargs::some;
                ++i;
            }
        }
        positionals.push_back(std::move(positional));
    }
    return positionals;
}

} // namespace

std::string default_dest(const std::vector<std::string>& strings) {
    std::string chosen = strings.empty() ? std::string() : strings.front();
    for (const auto& s : strings) {
        if (s.starts_with("--")) {
            chosen = s;
            break;
        }
    }
    size_t dashes = 0;
    while (dashes < chosen.size() && chosen[dashes] == '-') ++dashes;
    std::string dest = chosen.substr(dashes);
    for (char& c : dest)
        if (c == '-') c = '_';
    return dest;
}

const ParsedOption* ParserMap::find(const std::string& option_string) const {
    for (const auto& option : options)
        for (const auto& s : option.strings)
            if (s == option_string) return &option;
    if (!option_string.starts_with("--") || option_string.size() < 3) return nullptr;
    const ParsedOption* found = nullptr;
    for (const auto& option : options) {
        for (const auto& s : option.strings) {
            if (!s.starts_with(option_string)) continue;
            if (found && found != &option) return nullptr;  // ambiguous: argparse refuses it
            found = &option;
        }
    }
    return found;
}

const ParsedOption* ParserMap::by_dest(const std::string& dest) const {
    const ParsedOption* found = nullptr;
    for (const auto& option : options) {
        if (option.dest != dest) continue;
        if (found) return nullptr;
        found = &option;
    }
    return found;
}

ordered_json ParserMap::to_json() const {
    ordered_json json = {{"options", ordered_json::array()}, {"positionals", ordered_json::array()}};
    for (const auto& o : options)
        json["options"].push_back(
            {{"strings", o.strings}, {"dest", o.dest}, {"nargs", nargs_name(o.nargs)}, {"count", o.count}, {"help", o.help}});
    for (const auto& p : positionals)
        json["positionals"].push_back({{"name", p.name}, {"nargs", nargs_name(p.nargs)}, {"count", p.count}});
    return json;
}

ParserMap ParserMap::from_json(const ordered_json& json) {
    ParserMap map;
    for (const auto& o : json.at("options")) {
        ParsedOption option;
        option.strings = o.at("strings").get<std::vector<std::string>>();
        option.dest = o.at("dest").get<std::string>();
        option.nargs = nargs_from(o.at("nargs").get<std::string>());
        option.count = o.at("count").get<size_t>();
        option.help = o.at("help").get<std::string>();
        map.options.push_back(std::move(option));
    }
    for (const auto& p : json.at("positionals")) {
        ParsedPositional positional;
        positional.name = p.at("name").get<std::string>();
        positional.nargs = nargs_from(p.at("nargs").get<std::string>());
        positional.count = p.at("count").get<size_t>();
        map.positionals.push_back(std::move(positional));
    }
    return map;
}

std::optional<ParserMap> parse_argparse_help(const std::string& help) {
    const std::vector<std::string> lines = lines_of(help);
    size_t i = 0;
    while (i < lines.size() && util::trim(lines[i]).empty()) ++i;
    if (i == lines.size() || !lines[i].starts_with("usage: ")) return std::nullopt;
    std::string usage = lines[i].substr(7);
    for (++i; i < lines.size() && !util::trim(lines[i]).empty(); ++i) usage += " " + std::string(util::trim(lines[i]));

    ParserMap map;
    std::vector<std::string> section_positionals;
    bool options_section = false;
    std::string section;
    for (; i < lines.size(); ++i) {
        const std::string& line = lines[i];
        if (!line.empty() && line[0] != ' ' && line.back() == ':') {
            section = line;
            if (section == "options:" || section == "optional arguments:") options_section = true;
            continue;
        }
        if (!is_item(line)) continue;
        const std::string text = line.substr(2);
        const size_t gap = text.find("  ");
        const std::string invocation = text.substr(0, gap);
        std::string help_text = gap == std::string::npos ? std::string() : std::string(util::trim(text.substr(gap)));
        if (help_text.empty() && i + 1 < lines.size() && indentation(lines[i + 1]) > 2)
            help_text = util::trim(lines[i + 1]);
        if (invocation.starts_with("-")) {
            auto option = parse_invocation(invocation);
            if (!option) continue;
            option->help = help_text;
            map.options.push_back(std::move(*option));
        } else if (section == "positional arguments:") {
            section_positionals.push_back(invocation);
        }
    }
    if (!options_section && map.options.empty()) return std::nullopt;

    auto positionals = usage_positionals(usage_parts(usage));
    if (!positionals) return std::nullopt;  // sub-commands
    if (positionals->size() == section_positionals.size()) {
        for (size_t p = 0; p < positionals->size(); ++p) (*positionals)[p].name = section_positionals[p];
        map.positionals = std::move(*positionals);
    }
    return map;
}

} // namespace milex::introspect
