#pragma once
/// The dashboard's rules for who may talk to it, apart from HTTP so they can be tested alone.
/// A login node is shared and 127.0.0.1 is reachable by every local user, so every request
/// needs the token; the Host check stops DNS rebinding; the Origin check stops other pages
/// from posting with the cookie.
#include <optional>
#include <string>
#include <string_view>

namespace milex::web {

/// 32 random bytes from the kernel, as 64 hex digits.
std::string new_token();

/// Compares in time that depends only on the lengths, so the token cannot be guessed by timing.
bool same_secret(std::string_view a, std::string_view b);

/// Whether a Host header names this machine's loopback: `127.0.0.1`, `localhost` or `[::1]`,
/// with any port (so that `ssh -L 9000:localhost:PORT` from a laptop works).
bool host_allowed(std::string_view host);

/// The cookie's name: browsers do not separate cookies by port, so two dashboards on one
/// machine need two names.
std::string cookie_name(int port);

/// The value of cookie `name` in a Cookie header, if there.
std::optional<std::string> cookie_value(std::string_view header, std::string_view name);

/// The token of an `Authorization: token ...` header, if it has that form.
std::optional<std::string> authorization_token(std::string_view header);

/// Whether a state-changing request authenticated by the cookie comes from the dashboard's own
/// page: Origin exactly `http://` + Host.
bool origin_allowed(std::string_view origin, std::string_view host);

} // namespace milex::web
