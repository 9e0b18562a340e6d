#include "milex/util/base64.hpp"

#include <cstdint>

namespace milex::util {

namespace {
constexpr std::string_view k_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view data, Padding padding) {
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        uint32_t v = (uint32_t(uint8_t(data[i])) << 16) | (uint32_t(uint8_t(data[i + 1])) << 8) | uint8_t(data[i + 2]);
        for (int shift = 18; shift >= 0; shift -= 6) out += k_alphabet[(v >> shift) & 63];
    }
    const size_t rest = data.size() - i;
    if (rest > 0) {
        uint32_t v = uint32_t(uint8_t(data[i])) << 16;
        if (rest == 2) v |= uint32_t(uint8_t(data[i + 1])) << 8;
        out += k_alphabet[(v >> 18) & 63];
        out += k_alphabet[(v >> 12) & 63];
        if (rest == 2) out += k_alphabet[(v >> 6) & 63];
        if (padding == Padding::yes) out.append(rest == 1 ? 2 : 1, '=');
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string out;
    uint32_t buffer = 0;
    int bits = 0;
    bool padded = false;
    for (char c : text) {
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
        if (c == '=') {
            padded = true;
            continue;
        }
        auto at = k_alphabet.find(c);
        if (at == std::string_view::npos || padded) return std::nullopt;
        buffer = (buffer << 6) | static_cast<uint32_t>(at);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return out;
}

} // namespace milex::util
