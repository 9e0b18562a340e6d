#include <doctest/doctest.h>

#include "milex/util/shell.hpp"
#include "milex/util/process.hpp"
#include "unit/support.hpp"

using namespace milex;

namespace {
// Every character class that breaks naive quoting, and text in several scripts.
const std::vector<std::string> k_hazards = {
    "plain",   "two words", "it's",           "\"double\"",  "$(id)",   "`id`",   "a;b",    "line\nbreak",
    "tab\there", "é 日本 🚀",  "back\\slash",     "$HOME",      "*",       "~",      "",       "'",
    "''",      "--flag=va lue", "!history",  "a|b&c>d<e",  "#not a comment", "\r",
};
} // namespace

TEST_CASE("quoted words are single-quoted with embedded quotes escaped") {
    CHECK(util::shell_quote("simple") == "'simple'");
    CHECK(util::shell_quote("it's") == "'it'\\''s'");
    CHECK(util::shell_quote("") == "''");
    CHECK(util::shell_quote("$(id)") == "'$(id)'");
}

TEST_CASE("every hazard word reaches a program through bash byte for byte") {
    for (const auto& word : k_hazards) {
        auto result = util::run_process({"bash", "-c", "printf '%s' " + util::shell_quote(word)});
        REQUIRE(result);
        CHECK_MESSAGE(result->out == word, "word: " << word);
    }
}

TEST_CASE("a path word expands only a leading ~ or variable, and makes relative paths absolute") {
    CHECK(util::shell_path_word("/data/my set", "MILEX") == "'/data/my set'");
    CHECK(util::shell_path_word("data", "MILEX") == "\"${MILEX:?}\"'/data'");
    CHECK(util::shell_path_word("./data/x", "MILEX") == "\"${MILEX:?}\"'/data/x'");
    CHECK(util::shell_path_word(".", "MILEX") == "\"${MILEX:?}\"");
    CHECK(util::shell_path_word("$MILEX", "MILEX") == "\"${MILEX:?}\"");
    CHECK(util::shell_path_word("$SCRATCH/it's $(id)", "MILEX") == "\"${SCRATCH:?}\"'/it'\\''s $(id)'");
    CHECK(util::shell_path_word("${SCRATCH}/d", "MILEX") == "\"${SCRATCH:?}\"'/d'");
    CHECK(util::shell_path_word("~/d", "MILEX") == "\"${HOME:?}\"'/d'");
    CHECK(util::leading_expansion("$1x") == 0);
    CHECK(util::leading_expansion("${A") == 0);
    CHECK(util::leading_expansion("~ada/x") == 0);
    CHECK(util::leading_expansion("$A_1/x") == 4);
}

TEST_CASE("a path word arrives as the path it names, and an unset variable stops bash") {
    const std::string odd = "/tmp/a b/it's/`id`/$(id)/é";
    for (const auto& [path, expected] : std::vector<std::pair<std::string, std::string>>{
             {"sub/" + odd, "/base dir/sub/" + odd}, {"$MILEX" + odd, "/base dir" + odd}, {odd, odd}, {"~/x", "/home/ada/x"}}) {
        auto result = util::run_process(
            {"bash", "-c", "MILEX='/base dir' HOME=/home/ada; printf '%s' " + util::shell_path_word(path, "MILEX")});
        REQUIRE(result);
        CHECK_MESSAGE(result->out == expected, "path: " << path);
    }
    auto unset = util::run_process({"bash", "-c", "unset SCRATCH; printf '%s' " +
                                                      util::shell_path_word("$SCRATCH/data", "MILEX") + "; echo after"});
    REQUIRE(unset);
    CHECK(unset->exit_code != 0);
    CHECK(unset->out == "");
    CHECK(unset->err.find("SCRATCH: parameter null or not set") != std::string::npos);
}
