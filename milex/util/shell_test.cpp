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
