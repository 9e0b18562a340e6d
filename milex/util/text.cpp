#include "milex/util/text.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace milex::util {

size_t edit_distance(std::string_view a, std::string_view b) {
    // Optimal string alignment: insertions, deletions, substitutions and swaps of neighbours
    // ("lcoal" is one typo away from "local").
    std::vector<size_t> before(b.size() + 1), previous(b.size() + 1), current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) previous[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            const size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                current[j] = std::min(current[j], before[j - 2] + 1);
        }
        std::swap(before, previous);
        std::swap(previous, current);
    }
    return previous[b.size()];
}

namespace {
std::string normalized(std::string_view word) {
    std::string out;
    for (char c : word) out += c == '-' ? '_' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}
} // namespace

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    const std::string plain = normalized(word);
    const size_t allowed = std::max<size_t>(1, word.size() / 3);
    std::optional<std::string> best;
    size_t best_distance = allowed + 1;
    for (const auto& candidate : candidates) {
        const std::string other = normalized(candidate);
        if (other == plain) return candidate;
        // The whole name, or a part after '_' ("acount" is a typo of slurm_account's "account").
        size_t d = edit_distance(plain, other);
        for (size_t at = other.find('_'); at != std::string::npos; at = other.find('_', at + 1))
            d = std::min(d, edit_distance(plain, std::string_view(other).substr(at + 1)));
        // A distance as long as the word itself is a different word, not a typo.
        if (d < best_distance && d < plain.size()) {
            best_distance = d;
            best = candidate;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    auto match = closest_match(word, candidates);
    return match ? fmt::format(" (did you mean \"{}\"?)", *match) : std::string();
}

std::string join(const std::vector<std::string>& parts, std::string_view separator) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) {
        if (i) out += separator;
        out += parts[i];
    }
    return out;
}

std::vector<std::string> split(std::string_view text, char separator) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (;;) {
        size_t end = text.find(separator, start);
        parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) break;
        start = end + 1;
    }
    return parts;
}

std::string_view trim(std::string_view text) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!text.empty() && blank(text.front())) text.remove_prefix(1);
    while (!text.empty() && blank(text.back())) text.remove_suffix(1);
    return text;
}

std::string last_line(std::string_view text) {
    std::vector<std::string> lines = split(text, '\n');
    for (auto it = lines.rbegin(); it != lines.rend(); ++it) {
        std::string_view line = trim(*it);
        if (!line.empty()) return std::string(line);
    }
    return {};
}

std::string excerpt(std::string_view text, size_t limit) {
    bool cut = false;
    if (text.size() > limit) {
        size_t end = limit;
        // Step back over UTF-8 continuation bytes so a character is never split.
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
        text = text.substr(0, end);
        cut = true;
    }
    std::string out;
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else if (c == '\r') out += "\\r";
        else if (u < 0x20 || u == 0x7f) out += fmt::format("\\x{:02x}", u);
        else out += c;
    }
    if (cut) out += "…";
    return out;
}

} // namespace milex::util
