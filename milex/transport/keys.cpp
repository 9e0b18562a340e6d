#include "milex/transport/keys.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "milex/util/base64.hpp"
#include "milex/util/file.hpp"
#include "milex/util/hash.hpp"

namespace milex::transport {

namespace {

/// Reads SSH wire-format strings (uint32 length, bytes) from a buffer.
struct WireReader {
    std::string_view data;
    bool ok = true;
    std::string_view string() {
        if (data.size() < 4) {
            ok = false;
            return {};
        }
        const auto* b = reinterpret_cast<const unsigned char*>(data.data());
        const uint32_t length = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
        if (data.size() - 4 < length) {
            ok = false;
            return {};
        }
        std::string_view out = data.substr(4, length);
        data.remove_prefix(4 + length);
        return out;
    }
    uint32_t number() {
        if (data.size() < 4) {
            ok = false;
            return 0;
        }
        const auto* b = reinterpret_cast<const unsigned char*>(data.data());
        const uint32_t n = (uint32_t(b[0]) << 24) | (uint32_t(b[1]) << 16) | (uint32_t(b[2]) << 8) | b[3];
        data.remove_prefix(4);
        return n;
    }
};

/// The base64 body between `begin` and the next "-----END" line, PEM headers skipped.
std::string pem_body(const std::string& text, size_t begin) {
    size_t start = text.find('\n', begin);
    size_t end = text.find("-----END", begin);
    if (start == std::string::npos || end == std::string::npos || end < start) return {};
    std::string body;
    size_t pos = start + 1;
    while (pos < end) {
        size_t eol = text.find('\n', pos);
        if (eol == std::string::npos || eol > end) eol = end;
        std::string line = text.substr(pos, eol - pos);
        if (line.find(':') == std::string::npos) body += line;
        pos = eol + 1;
    }
    return body;
}

} // namespace

tl::expected<KeyFile, std::string> read_key_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return tl::unexpected(std::string("a directory, not a key"));
    std::ifstream in(path, std::ios::binary);
    if (!in) return tl::unexpected(std::string(std::strerror(errno)));
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (text.size() > 1 << 20) return tl::unexpected(std::string("not a private key"));
    KeyFile key;
    if (auto at = text.find("-----BEGIN OPENSSH PRIVATE KEY-----"); at != std::string::npos) {
        auto raw = util::base64_decode(pem_body(text, at));
        static constexpr std::string_view k_magic("openssh-key-v1\0", 15);
        if (!raw || !std::string_view(*raw).starts_with(k_magic)) return tl::unexpected(std::string("not a private key"));
        WireReader reader{std::string_view(*raw).substr(k_magic.size())};
        const auto cipher = reader.string();
        reader.string();  // kdf name
        reader.string();  // kdf options
        const uint32_t count = reader.number();
        const auto public_key = reader.string();
        if (!reader.ok || count < 1) return tl::unexpected(std::string("not a private key"));
        key.type = key_blob_type(public_key);
        key.encrypted = cipher != "none";
        return key;
    }
    struct Pem {
        const char* header;
        const char* type;
    };
    for (const Pem& pem : {Pem{"-----BEGIN RSA PRIVATE KEY-----", "ssh-rsa"}, Pem{"-----BEGIN DSA PRIVATE KEY-----", "ssh-dss"},
                           Pem{"-----BEGIN EC PRIVATE KEY-----", "ecdsa"}, Pem{"-----BEGIN PRIVATE KEY-----", ""},
                           Pem{"-----BEGIN ENCRYPTED PRIVATE KEY-----", ""}}) {
        if (text.find(pem.header) == std::string::npos) continue;
        key.type = pem.type;
        key.pem = true;
        key.encrypted = text.find("Proc-Type: 4,ENCRYPTED") != std::string::npos ||
                        std::string_view(pem.header).find("ENCRYPTED") != std::string_view::npos;
        return key;
    }
    if (text.starts_with("ssh-") || text.starts_with("ecdsa-"))
        return tl::unexpected(std::string("a public key, not the private key"));
    return tl::unexpected(std::string("not a private key"));
}

std::string key_blob_type(std::string_view blob) {
    WireReader reader{blob};
    auto type = reader.string();
    return reader.ok ? std::string(type) : std::string();
}

std::string fingerprint(std::string_view blob) {
    return "SHA256:" + util::base64_encode(util::sha256_raw(blob), util::Padding::no);
}

std::string known_hosts_line(const std::string& name, std::string_view blob) {
    return fmt::format("{} {} {}", name, key_blob_type(blob), util::base64_encode(blob));
}

tl::expected<void, std::string> append_known_host(const std::string& path, const std::string& line) {
    std::error_code ec;
    const auto parent = std::filesystem::path(path).parent_path();
    if (!parent.empty() && !std::filesystem::exists(parent, ec)) {
        std::filesystem::create_directories(parent, ec);
        if (ec) return tl::unexpected(fmt::format("cannot create directory {}: {}", parent.string(), ec.message()));
        std::filesystem::permissions(parent, std::filesystem::perms::owner_all, ec);
    }
    std::string existing;
    if (std::filesystem::exists(path, ec)) {
        std::ifstream in(path, std::ios::binary);
        existing.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    std::ofstream out(path, std::ios::binary | std::ios::app);
    if (!out) return tl::unexpected(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    if (!existing.empty() && existing.back() != '\n') out << '\n';
    out << line << '\n';
    out.flush();
    if (!out) return tl::unexpected(fmt::format("cannot write {}: {}", path, std::strerror(errno)));
    return {};
}

} // namespace milex::transport
