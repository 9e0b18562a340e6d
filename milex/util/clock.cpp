#include "milex/util/clock.hpp"

#include <ctime>

#include <fmt/format.h>

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

std::optional<std::chrono::seconds> parse_age(std::string_view text) {
    if (text.size() < 2 || text.size() > 12) return std::nullopt;
    long long number = 0;
    for (char c : text.substr(0, text.size() - 1)) {
        if (c < '0' || c > '9') return std::nullopt;
        number = number * 10 + (c - '0');
    }
    switch (text.back()) {
        case 's': return std::chrono::seconds(number);
        case 'm': return std::chrono::minutes(number);
        case 'h': return std::chrono::hours(number);
        case 'd': return std::chrono::hours(24 * number);
        case 'w': return std::chrono::hours(24 * 7 * number);
        default: return std::nullopt;
    }
}

} // namespace milex::util
