#include <doctest/doctest.h>

#include <chrono>
#include <map>

#include <fmt/format.h>

#include "milex/util/path.hpp"
#include "unit/support.hpp"

using namespace milex::util;
namespace test = milex::test;

namespace {
Lookup vars(std::map<std::string, std::string> values) {
    return [values](const std::string& name) -> std::optional<std::string> {
        auto it = values.find(name);
        if (it == values.end()) return std::nullopt;
        return it->second;
    };
}
} // namespace

TEST_CASE("paths expand ~ and $VARS like a shell, without one") {
    auto env = vars({{"HOME", "/home/ada"}, {"SCRATCH", "/scratch/ada"}});
    CHECK(expand_path("~", env).value() == "/home/ada");
    CHECK(expand_path("~/milex", env).value() == "/home/ada/milex");
    CHECK(expand_path("$SCRATCH/milex", env).value() == "/scratch/ada/milex");
    CHECK(expand_path("${SCRATCH}x/y", env).value() == "/scratch/adax/y");
    CHECK(expand_path("/a/$/b", env).value() == "/a/$/b");
    CHECK(expand_path("~root/x", env).value() == "/root/x");
}

TEST_CASE("an unset variable in a path is an error that names it") {
    auto env = vars({{"HOME", "/home/ada"}});
    auto result = expand_path("$PROJECT/milex", env);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error() == "$PROJECT in \"$PROJECT/milex\" is not set");
    CHECK(expand_path("${A", env).error() == "unclosed ${ in \"${A\"");
    CHECK(expand_path("~nosuchuser_xyz/a", env).error() == "cannot expand ~nosuchuser_xyz: no such user");
}

TEST_CASE("seconds from the environment: unset is the default, a bad value names the variable") {
    using namespace std::chrono_literals;
    CHECK(seconds_from_environment("MILEX_TEST_UNSET_SECONDS", 7s) == 7000ms);
    {
        test::ScopedEnv value("MILEX_TEST_SECONDS", "0.25");
        CHECK(seconds_from_environment("MILEX_TEST_SECONDS", 7s) == 250ms);
    }
    for (const char* bad : {"soon", "0", "-1", "2s", "nan"}) {
        test::ScopedEnv value("MILEX_TEST_SECONDS", bad);
        const std::string expected = fmt::format("MILEX_TEST_SECONDS=\"{}\" is not a number of seconds", bad);
        CHECK_THROWS_WITH(seconds_from_environment("MILEX_TEST_SECONDS", 7s), doctest::Contains(expected.c_str()));
    }
}
