#include <doctest/doctest.h>

#include "milex/util/text.hpp"
#include "unit/support.hpp"

using namespace milex::util;

TEST_CASE("edit distance counts single-character edits") {
    CHECK(edit_distance("", "") == 0);
    CHECK(edit_distance("acount", "account") == 1);
    CHECK(edit_distance("kitten", "sitting") == 3);
    CHECK(edit_distance("lcoal", "local") == 1);
    CHECK(edit_distance("ab", "ba") == 1);
}

TEST_CASE("did you mean suggests close names and dash/underscore twins only") {
    const std::vector<std::string> keys = {"path", "env_command", "slurm_account", "hostname"};
    CHECK(did_you_mean("slurm_acount", keys) == " (did you mean \"slurm_account\"?)");
    CHECK(did_you_mean("env-command", keys) == " (did you mean \"env_command\"?)");
    CHECK(did_you_mean("Path", keys) == " (did you mean \"path\"?)");
    CHECK(did_you_mean("completely_different", keys).empty());
    CHECK(did_you_mean("x", keys).empty());
}

TEST_CASE("last_line and excerpt make program output fit one message line") {
    CHECK(last_line("usage: x\nerror: unrecognized arguments: --y\n\n") == "error: unrecognized arguments: --y");
    CHECK(last_line("") == "");
    CHECK(excerpt("a\tb\nc") == "a\\tb\\nc");
    CHECK(excerpt(std::string(100, 'x'), 10) == std::string(10, 'x') + "…");
    // Never cuts a UTF-8 character in half.
    CHECK(excerpt("ééééé", 3) == "é…");
}

TEST_CASE("split and join are inverses") {
    CHECK(split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
    CHECK(join(split("a,,b", ','), ",") == "a,,b");
    CHECK(trim("  x y \n") == "x y");
}
