#pragma once
/// Time stamps in the forms milex writes to file names and records.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace milex::util {

using SystemTime = std::chrono::system_clock::time_point;

/// `YYYYmmddHHMMSS` in local time: the bundle file stamp the Python milex uses.
std::string file_stamp(SystemTime t);
/// Parses a file stamp back; nullopt when `text` is not 14 digits of a valid time.
std::optional<SystemTime> parse_file_stamp(const std::string& text);
/// ISO 8601 in UTC with seconds, e.g. `2026-11-22T02:38:40Z`, for records.
std::string iso_utc(SystemTime t);
/// An age or a span as users type it: a whole number and a unit, `90s`, `45m`, `12h`, `30d`, `2w`.
/// nullopt for anything else (no unit, a fraction, a negative number, one too large).
std::optional<std::chrono::seconds> parse_age(const std::string& text);

} // namespace milex::util
