#include <doctest/doctest.h>

#include "milex/render/arguments.hpp"
#include "unit/support.hpp"

using namespace milex::render;
using nlohmann::ordered_json;

TEST_CASE("script_args become --key=value words as the upstream protocol says") {
    ordered_json args = ordered_json::parse(R"({
        "message": "hello world", "repeat": 3, "lr": 0.001, "tiny": 1e-05, "whole": 3.0,
        "shout": true, "quiet": false, "out": null, "words": ["a b", "c"], "numbers": [1, 2.5],
        "empty": [], "nested": {"k": [1, 2]}
    })");
    CHECK(application_words(args) == std::vector<std::string>{
                                         "--message=hello world", "--repeat=3", "--lr=0.001", "--tiny=1e-05",
                                         "--whole=3.0", "--shout", "--words", "a b", "c", "--numbers", "1", "2.5",
                                         "--empty", "--nested={\"k\":[1,2]}"});
}

TEST_CASE("list items that are not strings read as Python prints them") {
    CHECK(argument_text(true) == "True");
    CHECK(argument_text(nullptr) == "None");
    CHECK(argument_text(-2) == "-2");
}
