#include <doctest/doctest.h>

#include "milex/introspect/spelling.hpp"
#include "unit/support.hpp"

using milex::introspect::infer_spellings;
using nlohmann::ordered_json;

namespace {
// What milex-train-cli (examples/python/milex_example/train.py) answers, key order included.
ordered_json train(ordered_json changes) {
    ordered_json answer = ordered_json::parse(R"({"data": "data.csv", "learning_rate": 0.01, "n": 1,
        "batch_size": 32, "layers": [64], "augment": false, "cache": true, "seed": 0, "tag": ""})");
    for (const auto& [key, value] : changes.items()) answer[key] = value;
    return answer;
}
} // namespace

TEST_CASE("dashed, short and positional arguments keep their spelling") {
    auto spellings = infer_spellings({"data.csv", "--learning-rate", "0.1", "-n", "3", "-b", "64", "--layers", "128",
                                      "64", "--augment", "--no-cache"},
                                     train({{"learning_rate", 0.1}, {"n", 3}, {"batch_size", 64},
                                            {"layers", {128, 64}}, {"augment", true}, {"cache", false}}));
    CHECK(spellings == ordered_json::parse(R"({"data": 0, "learning_rate": "--learning-rate", "n": "-n",
        "batch_size": "-b", "layers": "--layers", "augment": "--augment",
        "cache": {"flag": "--no-cache", "when": false}, "seed": null, "tag": null})"));
}

TEST_CASE("attached values and positionals anywhere") {
    auto spellings = infer_spellings({"--learning-rate=0.5", "-n7", "--tag=x y", "in.csv", "--seed", "3"},
                                     train({{"data", "in.csv"}, {"learning_rate", 0.5}, {"n", 7}, {"tag", "x y"},
                                            {"seed", 3}}));
    CHECK(spellings["learning_rate"] == "--learning-rate");
    CHECK(spellings["n"] == "-n");
    CHECK(spellings["tag"] == "--tag");
    CHECK(spellings["seed"] == "--seed");
    CHECK(spellings["data"] == 0);
    CHECK(spellings["batch_size"].is_null());
}

TEST_CASE("upstream-style options spelled like their dests map to themselves") {
    auto spellings = infer_spellings({"--exit_code=3", "--words", "a b", "c", "--shout"},
                                     ordered_json::parse(R"({"message": "hello", "exit_code": 3, "words": ["a b", "c"],
                                         "shout": true})"));
    CHECK(spellings == ordered_json::parse(R"({"message": null, "exit_code": "--exit_code", "words": "--words",
        "shout": "--shout"})"));
}

TEST_CASE("several positionals, a list positional, and -- before a dashed value") {
    auto spellings = infer_spellings({"a.txt", "--", "-5", "x", "y"},
                                     ordered_json::parse(R"({"source": "a.txt", "offset": "-5", "rest": ["x", "y"],
                                         "verbose": false})"));
    CHECK(spellings == ordered_json::parse(R"({"source": 0, "offset": 1, "rest": 2, "verbose": null})"));
}

TEST_CASE("a cluster of short flags and a short flag for a long dest") {
    auto cluster = infer_spellings({"-vq"}, ordered_json::parse(R"({"v": true, "q": true, "x": false})"));
    CHECK(cluster == ordered_json::parse(R"({"v": "-v", "q": "-q", "x": null})"));
    auto verbose = infer_spellings({"-v"}, ordered_json::parse(R"({"verbose": true, "dry": false})"));
    CHECK(verbose == ordered_json::parse(R"({"verbose": "-v", "dry": null})"));
}

TEST_CASE("an option whose dest cannot be told is left for the round trip to report") {
    auto spellings = infer_spellings({"--lr"}, ordered_json::parse(R"({"learning": 0.1, "other": 0.2})"));
    CHECK(spellings == ordered_json::parse(R"({"learning": null, "other": null})"));
}
