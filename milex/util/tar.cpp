#include "milex/util/tar.hpp"

#include <ctime>
#include <cstring>

#include <fmt/format.h>

#include "milex/util/error.hpp"

namespace milex::util {

namespace {

constexpr size_t k_block = 512;

/// `value` in octal, zero-padded, NUL-terminated, in a field of `width` bytes.
void octal(char* field, size_t width, unsigned long long value) {
    const std::string text = fmt::format("{:0{}o}", value, width - 1);
    std::memcpy(field, text.data(), width - 1);
    field[width - 1] = '\0';
}

} // namespace

size_t tar_end(std::string_view archive) {
    size_t at = 0;
    while (at + k_block <= archive.size()) {
        const std::string_view header = archive.substr(at, k_block);
        if (header.find_first_not_of('\0') == std::string_view::npos) return at;
        // The size field: octal digits, possibly space- or NUL-terminated.
        unsigned long long size = 0;
        for (char c : header.substr(124, 12)) {
            if (c == '\0' || c == ' ') continue;
            if (c < '0' || c > '7') throw Error("not a tar archive: a header's size field is not octal");
            size = size * 8 + static_cast<unsigned long long>(c - '0');
        }
        at += k_block + (size + k_block - 1) / k_block * k_block;
    }
    throw Error("not a tar archive: it has no end-of-archive block");
}

void TarWriter::add_file(std::string_view name, std::string_view content, unsigned mode) {
    std::string_view prefix, base = name;
    if (name.size() > 100) {
        // Split at a '/' so that the prefix fits in 155 bytes and the rest in 100.
        size_t cut = name.rfind('/', 155);
        while (cut != std::string_view::npos && name.size() - cut - 1 > 100) cut = std::string_view::npos;
        if (cut == std::string_view::npos || cut == 0)
            throw Error(fmt::format("file name too long to send: {}", name));
        prefix = name.substr(0, cut);
        base = name.substr(cut + 1);
    }
    char header[k_block] = {};
    if (!base.empty()) std::memcpy(header, base.data(), base.size());
    octal(header + 100, 8, mode & 07777);
    octal(header + 108, 8, 0);
    octal(header + 116, 8, 0);
    octal(header + 124, 12, content.size());
    octal(header + 136, 12, static_cast<unsigned long long>(std::time(nullptr)));
    header[156] = '0';
    std::memcpy(header + 257, "ustar", 6);  // magic "ustar\0", version "00"
    std::memcpy(header + 263, "00", 2);
    if (!prefix.empty()) std::memcpy(header + 345, prefix.data(), prefix.size());
    // The checksum is computed with its own field as spaces.
    std::memset(header + 148, ' ', 8);
    unsigned sum = 0;
    for (unsigned char c : header) sum += c;
    const std::string check = fmt::format("{:06o}", sum);
    std::memcpy(header + 148, check.data(), 6);
    header[154] = '\0';
    header[155] = ' ';
    m_data.append(header, k_block);
    m_data.append(content);
    m_data.append((k_block - content.size() % k_block) % k_block, '\0');
}

std::string TarWriter::finish() {
    m_data.append(2 * k_block, '\0');
    std::string out;
    out.swap(m_data);
    return out;
}

} // namespace milex::util
