#include <doctest/doctest.h>

#include "milex/util/clock.hpp"
#include "unit/support.hpp"

using namespace milex::util;
using std::chrono::hours;
using std::chrono::seconds;

TEST_CASE("parse_age reads a whole number and one unit, and nothing else") {
    CHECK(parse_age("30d") == hours(24 * 30));
    CHECK(parse_age("12h") == hours(12));
    CHECK(parse_age("45m") == seconds(45 * 60));
    CHECK(parse_age("90s") == seconds(90));
    CHECK(parse_age("2w") == hours(24 * 14));
    CHECK(parse_age("0d") == seconds(0));
    for (const char* bad : {"", "d", "30", "30x", "-3d", "+3d", "3.5d", "3 d", " 3d", "30dd", "d30", "30D", "1000000000000d"})
        CHECK_MESSAGE(!parse_age(bad), bad);
}
