#pragma once
/// Small text helpers that know nothing about jobs.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace milex::util {

/// Edit distance counting a swap of neighbours as one edit, for "did you mean" suggestions.
size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate closest to `word` when it is close enough to be a plausible typo (ninja's rule:
/// at most a third of the word's length, at least 1), or one that differs only in '-' versus '_'
/// or case.
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

/// `" (did you mean \"x\"?)"` or an empty string.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::vector<std::string> split(std::string_view text, char separator);
std::string_view trim(std::string_view text);

/// The last non-empty line of `text` (programs put their verdict there), trimmed.
std::string last_line(std::string_view text);

/// `text` cut to `limit` bytes (at a UTF-8 boundary) with "…" appended when cut, and control
/// characters shown as escapes, for quoting unknown program output in a one-line message.
std::string excerpt(std::string_view text, size_t limit = 60);

} // namespace milex::util
