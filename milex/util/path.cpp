#include "milex/util/path.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/shell.hpp"

namespace milex::util {

std::optional<std::string> environment_variable(const std::string& name) {
    const char* value = std::getenv(name.c_str());
    if (!value) return std::nullopt;
    return std::string(value);
}

std::chrono::milliseconds seconds_from_environment(const std::string& name, std::chrono::milliseconds fallback) {
    auto text = environment_variable(name);
    if (!text || text->empty()) return fallback;
    char* end = nullptr;
    const double seconds = std::strtod(text->c_str(), &end);
    if (end == text->c_str() || *end != '\0' || !(seconds > 0) || seconds > 1e6)
        throw Error(fmt::format("{}=\"{}\" is not a number of seconds; unset it or give one such as 2 or 0.5", name,
                                *text));
    return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

namespace {

tl::expected<std::string, std::string> home_of(const std::string& user, const Lookup& lookup) {
    if (user.empty()) {
        if (auto home = lookup("HOME"); home && !home->empty()) return *home;
        if (const passwd* pw = ::getpwuid(::getuid())) return std::string(pw->pw_dir);
        return tl::unexpected(std::string("cannot expand ~: HOME is not set"));
    }
    if (const passwd* pw = ::getpwnam(user.c_str())) return std::string(pw->pw_dir);
    return tl::unexpected(fmt::format("cannot expand ~{}: no such user", user));
}

} // namespace

tl::expected<std::string, std::string> expand_path(const std::string& text, const Lookup& lookup) {
    std::string out;
    size_t i = 0;
    if (!text.empty() && text[0] == '~') {
        size_t end = text.find('/');
        if (end == std::string::npos) end = text.size();
        auto home = home_of(text.substr(1, end - 1), lookup);
        if (!home) return home;
        out = *home;
        i = end;
    }
    while (i < text.size()) {
        char c = text[i];
        if (c != '$') {
            out += c;
            ++i;
            continue;
        }
        std::string name;
        size_t next = i + 1;
        if (next < text.size() && text[next] == '{') {
            size_t close = text.find('}', next);
            if (close == std::string::npos)
                return tl::unexpected(fmt::format("unclosed ${{ in \"{}\"", text));
            name = text.substr(next + 1, close - next - 1);
            next = close + 1;
        } else {
            while (next < text.size() && shell_name_char(text[next])) name += text[next++];
        }
        if (name.empty()) {  // a lone '$' stays as it is
            out += c;
            ++i;
            continue;
        }
        auto value = lookup(name);
        if (!value) return tl::unexpected(fmt::format("${} in \"{}\" is not set", name, text));
        out += *value;
        i = next;
    }
    return out;
}

} // namespace milex::util
