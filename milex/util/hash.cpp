#include "milex/util/hash.hpp"

#include <openssl/evp.h>

#include <fmt/format.h>

namespace milex::util {

std::string sha256_hex(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr);
    std::string hex;
    hex.reserve(length * 2);
    for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
    return hex;
}

} // namespace milex::util
