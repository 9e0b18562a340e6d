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

namespace {
// pytorch/examples imagenet/main.py's parser as `--help` shows it (Python 3.11), and its answer
// for no arguments.
const std::string k_imagenet_help = R"(usage: main.py [-h] [-a ARCH] [-j N] [--epochs N] [-b N] [--lr LR] [--wd W] [-p N]
               [-e] [--pretrained] [--seed SEED]
               [DIR]

positional arguments:
  DIR                   path to dataset (default: imagenet)

options:
  -h, --help            show this help message and exit
  -a ARCH, --arch ARCH  model architecture: alexnet | resnet18 | vgg16
  -j N, --workers N     number of data loading workers (default: 4)
  --epochs N            number of total epochs to run
  -b N, --batch-size N  mini-batch size (default: 256), this is the total
  --lr LR, --learning-rate LR
                        initial learning rate
  --wd W, --weight-decay W
                        weight decay (default: 1e-4)
  -p N, --print-freq N  print frequency (default: 10)
  -e, --evaluate        evaluate model on validation set
  --pretrained          use pre-trained model
  --seed SEED           seed for initializing training.
)";

ordered_json imagenet(ordered_json changes) {
    ordered_json answer = ordered_json::parse(R"({"data": "imagenet", "arch": "resnet18", "workers": 4,
        "epochs": 90, "batch_size": 256, "lr": 0.1, "weight_decay": 0.0001, "print_freq": 10,
        "evaluate": false, "pretrained": false, "seed": null})");
    for (const auto& [key, value] : changes.items()) answer[key] = value;
    return answer;
}

ordered_json typed_only(const ordered_json& spellings) {
    ordered_json typed = ordered_json::object();
    for (const auto& [key, value] : spellings.items())
        if (!value.is_null()) typed[key] = value;
    return typed;
}
} // namespace

TEST_CASE("with the parser's map: a short flag for a long dest just before a positional") {
    auto map = milex::introspect::parse_argparse_help(k_imagenet_help);
    REQUIRE(map);
    auto answer = imagenet({{"arch", "resnet18"}, {"pretrained", true}, {"evaluate", true}, {"data", "/data/set"}});
    CHECK(typed_only(infer_spellings({"-a", "resnet18", "--pretrained", "-e", "/data/set"}, answer, &*map)) ==
          ordered_json::parse(R"({"data": 0, "arch": "-a", "evaluate": "-e", "pretrained": "--pretrained"})"));
    CHECK(typed_only(infer_spellings({"-a", "resnet18", "-e", "--pretrained", "/data/set"}, answer, &*map)) ==
          ordered_json::parse(R"({"data": 0, "arch": "-a", "evaluate": "-e", "pretrained": "--pretrained"})"));
    // Without the map, the value of -e is taken for the positional (the issue's class 2).
    CHECK(infer_spellings({"-a", "resnet18", "--pretrained", "-e", "/data/set"}, answer)["data"] != 0);
}

TEST_CASE("with the parser's map: equal values, -b=64, abbreviations and a dest= the help does not show") {
    auto map = milex::introspect::parse_argparse_help(k_imagenet_help);
    REQUIRE(map);
    auto answer = imagenet({{"print_freq", 1}, {"lr", 1.0}, {"batch_size", 64}, {"weight_decay", 0.001},
                            {"epochs", 3}});
    CHECK(typed_only(infer_spellings({"-p", "1", "--lr", "1", "-b=64", "--weight-decay", "0.001", "--epo", "3"},
                                     answer, &*map)) ==
          ordered_json::parse(R"({"epochs": "--epochs", "batch_size": "-b", "lr": "--lr",
              "weight_decay": "--weight-decay", "print_freq": "-p"})"));
    CHECK(typed_only(infer_spellings({"-p1", "-b64", "--learning-rate=1"}, imagenet({{"print_freq", 1}, {"lr", 1.0},
                                                                                     {"batch_size", 64}}),
                                     &*map)) ==
          ordered_json::parse(R"({"batch_size": "-b", "lr": "--learning-rate", "print_freq": "-p"})"));
}

TEST_CASE("with the parser's map: a REMAINDER positional takes every word after its first") {
    auto map = milex::introspect::parse_argparse_help(
        "usage: train_net.py [-h] [--config-file FILE] [--eval-only] [--num-gpus NUM_GPUS]\n                    ...\n\n"
        "positional arguments:\n  opts                  Modify config options\n\noptions:\n"
        "  -h, --help            show this help message and exit\n  --config-file FILE    path to config file\n"
        "  --eval-only           perform evaluation only\n  --num-gpus NUM_GPUS   number of gpus *per machine*\n");
    REQUIRE(map);
    auto answer = ordered_json::parse(R"({"config_file": "cfg.yaml", "eval_only": false, "num_gpus": 1,
        "opts": ["SOLVER.BASE_LR", "0.0025", "--eval-only", "MODEL.WEIGHTS", "w.pth"]})");
    const std::vector<std::string> words = {"--config-file", "cfg.yaml", "--num-gpus", "1", "SOLVER.BASE_LR",
                                            "0.0025", "--eval-only", "MODEL.WEIGHTS", "w.pth"};
    CHECK(infer_spellings(words, answer, &*map) == ordered_json::parse(R"({"config_file": "--config-file",
        "eval_only": null, "num_gpus": "--num-gpus", "opts": 0})"));
}
