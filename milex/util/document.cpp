#include "milex/util/document.hpp"

#include <cctype>
#include <algorithm>

#include <cerrno>
#include <cstdlib>
#include <iterator>
#include <regex>
#include <vector>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace milex::util {

using nlohmann::ordered_json;

std::string Document::where(const std::string& pointer) const {
    auto it = lines.find(pointer);
    if (it == lines.end() || it->second <= 0) return source;
    return fmt::format("{}:{}", source, it->second);
}

std::string type_name(const ordered_json& value) {
    if (value.is_string()) return "a string";
    if (value.is_number()) return "a number";
    if (value.is_boolean()) return "true/false";
    if (value.is_null()) return "null";
    if (value.is_array()) return "a list";
    return "an object";
}

std::string child_pointer(const std::string& parent, const std::string& key) {
    std::string escaped;
    for (char c : key) {
        if (c == '~') escaped += "~0";
        else if (c == '/') escaped += "~1";
        else escaped += c;
    }
    return parent + "/" + escaped;
}

namespace {

/// A character iterator that counts the newlines it has passed; the JSON lexer reads through
/// it, so at each SAX event the count is the line being read.
class LineCountingIterator {
public:
    using iterator_category = std::input_iterator_tag;
    using value_type = char;
    using difference_type = std::ptrdiff_t;
    using pointer = const char*;
    using reference = const char&;

    LineCountingIterator(const char* p, int* line) : m_p(p), m_line(line) {}
    reference operator*() const { return *m_p; }
    LineCountingIterator& operator++() {
        if (*m_p == '\n') ++*m_line;
        ++m_p;
        return *this;
    }
    LineCountingIterator operator++(int) {
        auto copy = *this;
        ++*this;
        return copy;
    }
    bool operator==(const LineCountingIterator& other) const { return m_p == other.m_p; }
    bool operator!=(const LineCountingIterator& other) const { return m_p != other.m_p; }

private:
    const char* m_p;
    int* m_line;
};

/// Records the line of each key and finds keys given twice.
class LineRecorder : public nlohmann::json_sax<ordered_json> {
public:
    LineRecorder(const int* line, std::map<std::string, int>& lines) : m_line(line), m_lines(lines) {}
    std::string duplicate;  ///< pointer of the first key seen twice

    bool null() override { return value(); }
    bool boolean(bool) override { return value(); }
    bool number_integer(number_integer_t) override { return value(); }
    bool number_unsigned(number_unsigned_t) override { return value(); }
    bool number_float(number_float_t, const string_t&) override { return value(); }
    bool string(string_t&) override { return value(); }
    bool binary(binary_t&) override { return value(); }
    bool start_object(std::size_t) override {
        open(true);
        return true;
    }
    bool key(string_t& k) override {
        Frame& frame = m_stack.back();
        frame.pending = child_pointer(frame.pointer, k);
        if (m_lines.count(frame.pending) && duplicate.empty()) duplicate = frame.pending;
        m_lines[frame.pending] = *m_line;
        return true;
    }
    bool end_object() override {
        m_stack.pop_back();
        return true;
    }
    bool start_array(std::size_t) override {
        open(false);
        return true;
    }
    bool end_array() override {
        m_stack.pop_back();
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    struct Frame {
        std::string pointer;
        bool object;
        std::string pending;  // pointer of the key whose value comes next
        size_t index = 0;
    };

    std::string next_pointer() {
        if (m_stack.empty()) return "";
        Frame& frame = m_stack.back();
        if (frame.object) return frame.pending;
        std::string p = frame.pointer + "/" + std::to_string(frame.index++);
        if (!m_lines.count(p)) m_lines[p] = *m_line;
        return p;
    }
    bool value() {
        next_pointer();
        return true;
    }
    void open(bool object) {
        std::string pointer = next_pointer();
        if (m_stack.empty()) m_lines[""] = *m_line;
        m_stack.push_back({pointer, object, "", 0});
    }

    const int* m_line;
    std::map<std::string, int>& m_lines;
    std::vector<Frame> m_stack;
};

std::string key_path_text(const std::string& pointer) {
    // "/local/path" → "local.path" for messages.
    std::string out;
    for (char c : pointer.substr(pointer.empty() ? 0 : 1)) out += c == '/' ? '.' : c;
    return out;
}

/// What this reader makes of an unquoted scalar.
ordered_json plain_value(const std::string& text) {
    if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
    if (text == "true" || text == "True" || text == "TRUE") return true;
    if (text == "false" || text == "False" || text == "FALSE") return false;
    // A number when the whole scalar reads as one (strtoll/strtod, not std::regex: see
    // model/slurm_options.cpp); "1e3" and ".5" are floats, "0x10" and "inf" stay text.
    const char* begin = text.c_str();
    char* end = nullptr;
    const bool plain = text.find_first_of("xXnN") == std::string::npos;
    errno = 0;
    long long whole = std::strtoll(begin, &end, 10);
    if (plain && *end == '\0' && errno == 0) return whole;
    errno = 0;
    double real = std::strtod(begin, &end);
    if (plain && *end == '\0' && errno == 0) return real;
    return text;
}

ordered_json scalar_value(const YAML::Node& node) {
    if (node.Tag() == "!") return node.Scalar();  // quoted: always a string
    return plain_value(node.Scalar());
}

void emit_string(YAML::Emitter& out, const std::string& text) {
    if (yaml_plain_is_not_a_string(text)) out << YAML::DoubleQuoted;
    out << text;  // yaml-cpp quotes what cannot be plain at all (": ", "#", leading "-", …) itself
}

void emit_yaml(YAML::Emitter& out, const ordered_json& value) {
    switch (value.type()) {
    case ordered_json::value_t::object:
        out << YAML::BeginMap;
        for (const auto& [key, item] : value.items()) {
            out << YAML::Key;
            emit_string(out, key);
            out << YAML::Value;
            emit_yaml(out, item);
        }
        out << YAML::EndMap;
        break;
    case ordered_json::value_t::array:
        out << YAML::BeginSeq;
        for (const auto& item : value) emit_yaml(out, item);
        out << YAML::EndSeq;
        break;
    case ordered_json::value_t::string:
        emit_string(out, value.get<std::string>());
        break;
    case ordered_json::value_t::null:
        out << YAML::Null;
        break;
    default:  // true, false and numbers as JSON writes them, which YAML reads alike
        out << value.dump();
        break;
    }
}

ordered_json from_yaml(const YAML::Node& node, const std::string& pointer, std::map<std::string, int>& lines) {
    lines[pointer] = node.Mark().line + 1;
    switch (node.Type()) {
    case YAML::NodeType::Map: {
        ordered_json object = ordered_json::object();
        for (const auto& item : node) {
            std::string key = item.first.Scalar();
            std::string child = child_pointer(pointer, key);
            object[key] = from_yaml(item.second, child, lines);
            lines[child] = item.first.Mark().line + 1;
        }
        return object;
    }
    case YAML::NodeType::Sequence: {
        ordered_json array = ordered_json::array();
        size_t i = 0;
        for (const auto& item : node) array.push_back(from_yaml(item, pointer + "/" + std::to_string(i++), lines));
        return array;
    }
    case YAML::NodeType::Scalar:
        return scalar_value(node);
    default:
        return nullptr;
    }
}


} // namespace

bool yaml_plain_is_not_a_string(const std::string& text) {
    if (!plain_value(text).is_string()) return true;
    std::string lower;
    for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    // YAML 1.1 booleans and special floats.
    for (const char* word : {"y", "n", "yes", "no", "on", "off", ".inf", "+.inf", "-.inf", ".nan"})
        if (lower == word) return true;
    // Whatever starts like a number may be one to some reader: hex, octal, binary, 1_000,
    // sexagesimal 1:30, dates and timestamps. Quoting them too costs nothing.
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (digit(text[0])) return true;
    if ((text[0] == '+' || text[0] == '-' || text[0] == '.') && text.size() > 1 &&
        (digit(text[1]) || (text[1] == '.' && text.size() > 2 && digit(text[2]))))
        return true;
    return false;
}

std::string dump_yaml(const ordered_json& root) {
    YAML::Emitter out;
    emit_yaml(out, root);
    return std::string(out.c_str()) + "\n";
}

namespace {
/// The offset of the first byte of `text` that does not belong to valid UTF-8 (overlong forms and
/// surrogates included, as JSON readers reject them), or npos.
size_t first_invalid_utf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        const size_t length = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 0;
        if (length == 0 || i + length > text.size()) return i;
        for (size_t k = 1; k < length; ++k)
            if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80) return i;
        const auto next = static_cast<unsigned char>(text[i + 1 < text.size() ? i + 1 : i]);
        if ((length == 2 && c < 0xc2) || (c == 0xe0 && next < 0xa0) || (c == 0xed && next >= 0xa0) ||
            (c == 0xf0 && next < 0x90) || c > 0xf4 || (c == 0xf4 && next >= 0x90))
            return i;
        i += length;
    }
    return std::string_view::npos;
}
} // namespace

namespace {
/// nlohmann's message without its "[json.exception.out_of_range.406] " prefix.
std::string json_reason(const nlohmann::json::exception& e) {
    std::string what = e.what();
    if (what.starts_with("[json.exception.")) what = what.substr(what.find("] ") + 2);
    return what;
}
} // namespace

std::string json_error_text(const nlohmann::json::parse_error& e, const std::string& source) {
    return json_error_text(std::string(e.what()), source);
}

std::string json_error_text(const std::string& what, const std::string& source) {
    static const std::regex k_where(R"(at line (\d+), column (\d+): (.*)$)");
    std::smatch m;
    if (std::regex_search(what, m, k_where))
        return fmt::format("{}:{}:{}: invalid JSON: {}", source, m[1].str(), m[2].str(), m[3].str());
    std::string reason = what;
    if (reason.starts_with("[json.exception.")) reason = reason.substr(reason.find("] ") + 2);
    if (reason.starts_with("parse error") && reason.find(": ") != std::string::npos)
        reason = reason.substr(reason.find(": ") + 2);
    return fmt::format("{}: invalid JSON: {}", source, reason);
}

bool is_yaml(std::string_view name, std::string_view text) {
    if (name.ends_with(".yaml") || name.ends_with(".yml")) return true;
    if (name.ends_with(".json")) return false;
    const auto first = text.find_first_not_of(" \t\r\n");
    return first != std::string_view::npos && text[first] != '{' && text[first] != '[';
}

tl::expected<Document, std::string> parse_json_document(const std::string& text, const std::string& source) {
    Document doc;
    doc.source = source;
    try {
        doc.root = ordered_json::parse(text);
    } catch (const ordered_json::parse_error& e) {
        return tl::unexpected(json_error_text(e, source));
    } catch (const ordered_json::exception& e) {  // a number too large: out_of_range 406, no place given
        return tl::unexpected(fmt::format("{}: invalid JSON: {}", source, json_reason(e)));
    }
    int line = 1;
    LineRecorder recorder(&line, doc.lines);
    LineCountingIterator first(text.data(), &line), last(text.data() + text.size(), &line);
    ordered_json::sax_parse(first, last, &recorder);
    if (!recorder.duplicate.empty())
        return tl::unexpected(fmt::format("{}: key \"{}\" is given twice; keep one", doc.where(recorder.duplicate),
                                          key_path_text(recorder.duplicate)));
    return doc;
}

tl::expected<Document, std::string> parse_yaml_document(const std::string& text, const std::string& source) {
    // yaml-cpp passes bytes that are not UTF-8 on, and nlohmann's dump (of any message that
    // quotes the value) throws on them: they are refused here, where the place is known.
    if (const size_t bad = first_invalid_utf8(text); bad != std::string::npos) {
        const size_t line_start = text.rfind('\n', bad == 0 ? 0 : bad - 1);
        const size_t column = line_start == std::string::npos || bad == 0 ? bad + 1 : bad - line_start;
        return tl::unexpected(fmt::format("{}:{}:{}: invalid YAML: byte 0x{:02x} is not UTF-8 text; save the file as UTF-8",
                                          source, 1 + std::count(text.begin(), text.begin() + static_cast<long>(bad), '\n'),
                                          column, static_cast<unsigned char>(text[bad])));
    }
    Document doc;
    doc.source = source;
    try {
        YAML::Node node = YAML::Load(text);
        doc.root = from_yaml(node, "", doc.lines);
        (void)doc.root.dump();  // an escape such as "\uD800" makes a string that is not UTF-8 either
    } catch (const YAML::Exception& e) {
        return tl::unexpected(
            fmt::format("{}:{}:{}: invalid YAML: {}", source, e.mark.line + 1, e.mark.column + 1, e.msg));
    } catch (const ordered_json::type_error&) {
        return tl::unexpected(fmt::format("{}: invalid YAML: an escape makes a string that is not UTF-8 text", source));
    }
    return doc;
}

tl::expected<Document, std::string> parse_document(const std::string& text, const std::string& source) {
    return is_yaml(source, text) ? parse_yaml_document(text, source) : parse_json_document(text, source);
}

} // namespace milex::util
