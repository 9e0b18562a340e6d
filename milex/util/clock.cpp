#include "milex/util/clock.hpp"

#include <ctime>

#include <fmt/format.h>

#include "milex/util/error.hpp"
#include "milex/util/path.hpp"

namespace milex::util {

std::string file_stamp(SystemTime t) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm local{};
    ::localtime_r(&seconds, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y%m%d%H%M%S", &local);
    return text;
}

std::optional<SystemTime> parse_file_stamp(const std::string& text) {
    if (text.size() != 14) return std::nullopt;
    for (char c : text)
        if (c < '0' || c > '9') return std::nullopt;
    auto number = [&](size_t pos, size_t len) { return std::stoi(text.substr(pos, len)); };
    std::tm local{};
    local.tm_year = number(0, 4) - 1900;
    local.tm_mon = number(4, 2) - 1;
    local.tm_mday = number(6, 2);
    local.tm_hour = number(8, 2);
    local.tm_min = number(10, 2);
    local.tm_sec = number(12, 2);
    local.tm_isdst = -1;
    if (local.tm_mon > 11 || local.tm_mday < 1 || local.tm_mday > 31 || local.tm_hour > 23 || local.tm_min > 59 ||
        local.tm_sec > 60)
        return std::nullopt;
    std::time_t seconds = std::mktime(&local);
    if (seconds == -1) return std::nullopt;
    return std::chrono::system_clock::from_time_t(seconds);
}

std::string iso_utc(SystemTime t) {
    std::time_t seconds = std::chrono::system_clock::to_time_t(t);
    std::tm utc{};
    ::gmtime_r(&seconds, &utc);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", utc.tm_year + 1900, utc.tm_mon + 1, utc.tm_mday,
                       utc.tm_hour, utc.tm_min, utc.tm_sec);
}

std::chrono::milliseconds seconds_from_environment(const std::string& name, std::chrono::milliseconds fallback) {
    auto text = environment_variable(name);
    if (!text) return fallback;
    try {
        double seconds = std::stod(*text);
        if (seconds > 0) return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
    } catch (const std::exception&) {
    }
    throw Error(fmt::format("{}=\"{}\" is not a number of seconds", name, *text));
}

} // namespace milex::util
