#pragma once
/// Time stamps in the forms milex writes to file names and records.
#include <chrono>
#include <optional>
#include <string>

namespace milex::util {

using SystemTime = std::chrono::system_clock::time_point;

/// `YYYYmmddHHMMSS` in local time: the bundle file stamp the Python milex uses.
std::string file_stamp(SystemTime t);
/// Parses a file stamp back; nullopt when `text` is not 14 digits of a valid time.
std::optional<SystemTime> parse_file_stamp(const std::string& text);
/// ISO 8601 in UTC with seconds, e.g. `2026-11-22T02:38:40Z`, for records.
std::string iso_utc(SystemTime t);

/// The seconds (a positive number, fractions allowed) in the environment variable `name`, or
/// `fallback` when it is unset. Throws Error when it holds anything else.
std::chrono::milliseconds seconds_from_environment(const std::string& name, std::chrono::milliseconds fallback);

} // namespace milex::util
