#include "milex/util/json_members.hpp"

#include <doctest/doctest.h>

using milex::util::for_each_member;
using nlohmann::ordered_json;

namespace {

struct Seen {
    std::vector<std::string> keys;
    std::vector<ordered_json> values;
};

tl::expected<milex::util::MemberScan, std::string> scan(const std::string& text, Seen& seen) {
    return for_each_member(text, [&](std::string key, ordered_json value) {
        seen.keys.push_back(std::move(key));
        seen.values.push_back(std::move(value));
    });
}

} // namespace

TEST_CASE("members come in file order with their whole values, nested order kept") {
    Seen seen;
    auto result = scan(R"({"b": {"z": 1, "a": [1, {"y": null, "x": true}], "s": "t"}, "a": 2.5, "c": [], "d": {}})", seen);
    REQUIRE(result);
    CHECK(result->object);
    CHECK(result->members == 4);
    CHECK(result->duplicates.empty());
    CHECK(seen.keys == std::vector<std::string>{"b", "a", "c", "d"});
    CHECK(seen.values[0].dump() == R"({"z":1,"a":[1,{"y":null,"x":true}],"s":"t"})");
    CHECK(seen.values[1] == 2.5);
    CHECK(seen.values[2] == ordered_json::array());
    CHECK(seen.values[3] == ordered_json::object());
}

TEST_CASE("the same tree as ordered_json::parse for each member") {
    const std::string text = R"({"job": {"script": "train", "script_args": {"lr": 0.1, "n": 3, "u": 18446744073709551615,
        "neg": -4, "list": ["a", "b"], "s": "it's \"quoted\" \u00e9"}, "slurm": {"time": null}}})";
    Seen seen;
    REQUIRE(scan(text, seen));
    CHECK(seen.values.at(0) == ordered_json::parse(text)["job"]);
    CHECK(seen.values.at(0).dump() == ordered_json::parse(text)["job"].dump());
}

TEST_CASE("keys given twice are named, text that is no object is said, syntax errors carry the place") {
    Seen seen;
    auto twice = scan(R"({"a": 1, "b": 2, "a": 3})", seen);
    REQUIRE(twice);
    CHECK(twice->duplicates == std::vector<std::string>{"a"});
    CHECK(seen.keys == std::vector<std::string>{"a", "b", "a"});

    for (const char* text : {"[1, 2]", "3", "\"x\"", "null"}) {
        Seen none;
        auto result = scan(text, none);
        REQUIRE(result);
        CHECK_FALSE(result->object);
        CHECK(none.keys.empty());
    }

    Seen partial;
    auto broken = scan("{\"a\": 1,\n \"b\": }", partial);
    REQUIRE_FALSE(broken);
    CHECK(broken.error() == "parse error at line 2, column 7: syntax error while parsing value - unexpected '}'; "
                            "expected '[', '{', or a literal");
    CHECK(partial.keys == std::vector<std::string>{"a"});
    Seen trailing;
    CHECK_FALSE(scan(R"({"a": 1} {"b": 2})", trailing));
}

TEST_CASE("100,000 members are read, in order") {
    std::string text = "{";
    for (int i = 0; i < 100000; ++i) text += (i ? ",\"j" : "\"j") + std::to_string(i) + "\": {\"i\": " + std::to_string(i) + "}";
    text += "}";
    long sum = 0;
    size_t count = 0;
    bool ordered = true;
    auto result = for_each_member(text, [&](std::string key, ordered_json value) {
        ordered = ordered && key == "j" + std::to_string(count);
        sum += value["i"].get<long>();
        ++count;
    });
    REQUIRE(result);
    CHECK(result->members == 100000);
    CHECK(ordered);
    CHECK(sum == 4999950000L);
}
