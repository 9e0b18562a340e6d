#pragma once
/// Base64 (RFC 4648, standard alphabet): SSH keys and fingerprints are written in it.
#include <optional>
#include <string>
#include <string_view>

namespace milex::util {

enum class Padding { yes, no };

std::string base64_encode(std::string_view data, Padding padding = Padding::yes);

/// The bytes `text` encodes; whitespace is skipped, padding is optional. nullopt when `text`
/// holds anything else.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace milex::util
