#include "milex/web/security.hpp"

#include <sys/random.h>

#include <array>
#include <cerrno>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/text.hpp"

namespace milex::web {

std::string new_token() {
    std::array<unsigned char, 32> bytes{};
    size_t got = 0;
    while (got < bytes.size()) {
        const ssize_t n = ::getrandom(bytes.data() + got, bytes.size() - got, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw Error("cannot read random bytes for the dashboard's token (getrandom failed)");
        got += static_cast<size_t>(n);
    }
    std::string hex;
    for (unsigned char b : bytes) hex += fmt::format("{:02x}", b);
    return hex;
}

bool same_secret(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

bool host_allowed(std::string_view host) {
    std::string_view name = host;
    if (name.starts_with("[")) {
        const auto close = name.find(']');
        if (close == std::string_view::npos) return false;
        const std::string_view rest = name.substr(close + 1);
        name = name.substr(0, close + 1);
        if (!rest.empty() && !rest.starts_with(":")) return false;
        return name == "[::1]";
    }
    if (const auto colon = name.find(':'); colon != std::string_view::npos) {
        const std::string_view port = name.substr(colon + 1);
        if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
        name = name.substr(0, colon);
    }
    return name == "127.0.0.1" || name == "localhost";
}

std::string cookie_name(int port) { return fmt::format("milex-dashboard-{}", port); }

std::optional<std::string> cookie_value(std::string_view header, std::string_view name) {
    for (const auto& part : util::split(header, ';')) {
        const std::string_view item = util::trim(part);
        const auto eq = item.find('=');
        if (eq == std::string_view::npos) continue;
        if (item.substr(0, eq) == name) return std::string(item.substr(eq + 1));
    }
    return std::nullopt;
}

std::optional<std::string> authorization_token(std::string_view header) {
    constexpr std::string_view prefix = "token ";
    if (!header.starts_with(prefix)) return std::nullopt;
    return std::string(util::trim(header.substr(prefix.size())));
}

bool origin_allowed(std::string_view origin, std::string_view host) {
    return !host.empty() && host_allowed(host) && origin == fmt::format("http://{}", host);
}

} // namespace milex::web
