#include "milex/util/shell.hpp"

#include <cctype>

namespace milex::util {

bool shell_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

namespace {

std::string expanded(std::string_view variable) { return "\"${" + std::string(variable) + ":?}\""; }

} // namespace

std::string shell_quote(std::string_view word) {
    std::string out;
    out.reserve(word.size() + 2);
    out += '\'';
    for (char c : word) {
        if (c == '\'') out += "'\\''";
        else out += c;
    }
    out += '\'';
    return out;
}

size_t leading_expansion(std::string_view path) {
    if (path.starts_with("~")) return path.size() == 1 || path[1] == '/' ? 1 : 0;
    if (!path.starts_with("$")) return 0;
    const bool braced = path.starts_with("${");
    size_t end = braced ? 2 : 1;
    const size_t first = end;
    while (end < path.size() && shell_name_char(path[end])) ++end;
    if (end == first || std::isdigit(static_cast<unsigned char>(path[first]))) return 0;
    if (!braced) return end;
    return end < path.size() && path[end] == '}' ? end + 1 : 0;
}

std::string shell_path_word(std::string_view path, std::string_view base_variable) {
    if (const size_t length = leading_expansion(path); length > 0) {
        std::string_view variable = path[0] == '~' ? std::string_view("HOME") : path.substr(1, length - 1);
        if (variable.starts_with("{")) variable = variable.substr(1, variable.size() - 2);
        const std::string_view rest = path.substr(length);
        return expanded(variable) + (rest.empty() ? std::string() : shell_quote(rest));
    }
    if (path.starts_with("/")) return shell_quote(path);
    while (path.starts_with("./")) path.remove_prefix(2);
    if (path.empty() || path == ".") return expanded(base_variable);
    return expanded(base_variable) + shell_quote("/" + std::string(path));
}

} // namespace milex::util
