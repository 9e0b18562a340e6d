#include <doctest/doctest.h>

#include <map>

#include "milex/util/path.hpp"
#include "unit/support.hpp"

using namespace milex::util;

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
