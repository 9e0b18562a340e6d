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

TEST_CASE("with spellings: options as typed, list options first, then positionals; untyped keys left out") {
    ordered_json args = ordered_json::parse(R"({"data": "data.csv", "learning_rate": 0.1, "n": -3, "batch_size": 64,
        "layers": [128, 64], "augment": false, "cache": false, "seed": 0, "tag": "", "files": ["a", "b"]})");
    ordered_json options = ordered_json::parse(R"({"data": 0, "learning_rate": "--learning-rate", "n": "-n",
        "batch_size": "-b", "layers": "--layers", "augment": "--augment",
        "cache": {"flag": "--no-cache", "when": false}, "seed": null, "tag": "-t", "files": 1})");
    CHECK(application_words(args, options) == std::vector<std::string>{
                                                  "--layers", "128", "64", "--learning-rate=0.1", "-n-3", "-b64",
                                                  "--no-cache", "-t", "", "data.csv", "a", "b"});
    CHECK(words_for_key(args, options, "cache") == std::vector<std::string>{"--no-cache"});
    CHECK(words_for_key(args, options, "seed").empty());
    CHECK(words_for_key(args, nullptr, "seed") == std::vector<std::string>{"--seed=0"});
}

TEST_CASE("a REMAINDER positional follows the options, so that it cannot swallow them") {
    ordered_json args = ordered_json::parse(R"({"config_file": "cfg.yaml", "eval_only": true, "num_gpus": 1,
        "opts": ["SOLVER.BASE_LR", "0.0025", "MODEL.WEIGHTS", "w.pth"]})");
    ordered_json options = ordered_json::parse(R"({"config_file": "--config-file", "eval_only": "--eval-only",
        "num_gpus": "--num-gpus", "opts": 0})");
    CHECK(application_words(args, options) ==
          std::vector<std::string>{"--config-file=cfg.yaml", "--eval-only", "--num-gpus=1", "SOLVER.BASE_LR", "0.0025",
                                   "MODEL.WEIGHTS", "w.pth"});
    auto split = split_application_words(args, options);
    CHECK(split.options.size() == 3);
    CHECK(split.positionals.size() == 4);
}

TEST_CASE("-- goes before positionals that look like options or follow nothing but list options") {
    CHECK(application_words(ordered_json::parse(R"({"x": "-v", "n": 1})"), ordered_json::parse(R"({"x": 0, "n": "-n"})")) ==
          std::vector<std::string>{"-n1", "--", "-v"});
    CHECK(application_words(ordered_json::parse(R"({"x": "-5"})"), ordered_json::parse(R"({"x": 0})")) ==
          std::vector<std::string>{"-5"});
    CHECK(application_words(ordered_json::parse(R"({"layers": [1, 2], "files": ["a", "b"]})"),
                            ordered_json::parse(R"({"layers": "--layers", "files": 0})")) ==
          std::vector<std::string>{"--layers", "1", "2", "--", "a", "b"});
    CHECK(application_words(ordered_json::parse(R"({"layers": [1, 2], "data": "d.csv"})"),
                            ordered_json::parse(R"({"layers": "--layers", "data": 0})")) ==
          std::vector<std::string>{"d.csv", "--layers", "1", "2"});
}
