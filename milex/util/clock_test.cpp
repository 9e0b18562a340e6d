#include <doctest/doctest.h>

#include "milex/util/clock.hpp"

using milex::util::parse_age;
using std::chrono::seconds;

TEST_CASE("ages as users type them: a whole number and a unit") {
    CHECK(parse_age("90s") == seconds(90));
    CHECK(parse_age("45m") == seconds(45 * 60));
    CHECK(parse_age("12h") == seconds(12 * 3600));
    CHECK(parse_age("30d") == seconds(30 * 86400));
    CHECK(parse_age("2w") == seconds(14 * 86400));
    CHECK(parse_age("0d") == seconds(0));
    for (const char* bad : {"", "30", "d", "1.5d", "-3d", "30 d", "30days", "3y", "99999999999d"})
        CHECK_MESSAGE(!parse_age(bad), bad);
}
