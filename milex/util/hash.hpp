#pragma once
#include <string>
#include <string_view>

namespace milex::util {

/// Lower-case hex SHA-256 of `data`.
std::string sha256_hex(std::string_view data);

/// The 32 bytes of the SHA-256 of `data` (for SSH fingerprints, which print them in base64).
std::string sha256_raw(std::string_view data);

} // namespace milex::util
