#include <doctest/doctest.h>

#include "milex/introspect/argparse_help.hpp"
#include "unit/support.hpp"

using namespace milex::introspect;

namespace {
// What Python 3.11's argparse prints for detectron2's default_argument_parser (epilog included).
const std::string k_detectron = R"(usage: train_net.py [-h] [--config-file FILE] [--resume] [--eval-only]
                    [--num-gpus NUM_GPUS] [--num-machines NUM_MACHINES]
                    [--machine-rank MACHINE_RANK] [--dist-url DIST_URL]
                    ...

positional arguments:
  opts                  Modify config options at the end of the command. For
                        Yacs configs, use space-separated "PATH.KEY VALUE"
                        pairs.

options:
  -h, --help            show this help message and exit
  --config-file FILE    path to config file
  --resume              Whether to attempt to resume from the checkpoint
  --eval-only           perform evaluation only
  --num-gpus NUM_GPUS   number of gpus *per machine*
  --num-machines NUM_MACHINES
                        total number of machines
  --machine-rank MACHINE_RANK
                        the rank of this machine (unique per machine)
  --dist-url DIST_URL   initialization URL for pytorch distributed backend.

Examples:

Run on single machine:
    $ train_net.py --num-gpus 8 --config-file cfg.yaml
)";

// Python 3.9's format ("optional arguments:", `[W [W ...]]`), with the nargs of each kind.
const std::string k_kinds = R"(usage: x [-h] [-a ARCH] [-b BATCH_SIZE] [--lr LR] [-e]
         [--layers LAYERS [LAYERS ...]] [--w [W [W ...]]] [--q [Q]]
         [--two TWO TWO] [--n N] [--x | --y]
         [DIR] src src [rest [rest ...]]

positional arguments:
  DIR                   path to dataset
  src
  rest

optional arguments:
  -h, --help            show this help message and exit
  -a ARCH, --arch ARCH  model
  -b BATCH_SIZE, --batch-size BATCH_SIZE
                        x
  --lr LR, --learning-rate LR
                        initial learning rate
  -e, --evaluate        evaluate model on validation set
  --layers LAYERS [LAYERS ...]
  --w [W [W ...]]
  --q [Q]
  --two TWO TWO
  --x
  --y

training:
  things about training

  --n N
)";
} // namespace

TEST_CASE("detectron2's parser: options with their arity and dests, a REMAINDER positional") {
    auto map = parse_argparse_help(k_detectron);
    REQUIRE(map);
    REQUIRE(map->options.size() == 8);
    CHECK(map->options[0].strings == std::vector<std::string>{"-h", "--help"});
    CHECK(map->options[0].nargs == Nargs::none);
    CHECK(map->options[0].help == "show this help message and exit");
    const ParsedOption* config = map->find("--config-file");
    REQUIRE(config);
    CHECK(config->dest == "config_file");
    CHECK(config->nargs == Nargs::one);
    CHECK(map->find("--eval-only")->nargs == Nargs::none);
    CHECK(map->find("--num-machines")->help == "total number of machines");
    REQUIRE(map->positionals.size() == 1);
    CHECK(map->positionals[0].name == "opts");
    CHECK(map->positionals[0].nargs == Nargs::remainder);
    // argparse's abbreviations: a unique prefix, never an ambiguous one.
    CHECK(map->find("--config") == config);
    CHECK(map->find("--num") == nullptr);
    CHECK(map->find("--nothing") == nullptr);
}

TEST_CASE("every nargs as argparse prints it, dests by argparse's rule, groups and 3.9's headings") {
    auto map = parse_argparse_help(k_kinds);
    REQUIRE(map);
    CHECK(map->find("-b")->dest == "batch_size");
    CHECK(map->find("--learning-rate")->dest == "lr");  // the first long option string
    CHECK(map->find("-e")->dest == "evaluate");
    CHECK(map->find("-e")->nargs == Nargs::none);
    CHECK(map->find("--layers")->nargs == Nargs::some);
    CHECK(map->find("--w")->nargs == Nargs::any);
    CHECK(map->find("--q")->nargs == Nargs::optional);
    CHECK(map->find("--two")->nargs == Nargs::exactly);
    CHECK(map->find("--two")->count == 2);
    CHECK(map->find("--n")->dest == "n");
    CHECK(map->find("-n") == nullptr);
    REQUIRE(map->positionals.size() == 3);
    CHECK(map->positionals[0].name == "DIR");
    CHECK(map->positionals[0].nargs == Nargs::optional);
    CHECK(map->positionals[1].nargs == Nargs::exactly);
    CHECK(map->positionals[1].count == 2);
    CHECK(map->positionals[2].nargs == Nargs::any);
    CHECK(ParserMap::from_json(map->to_json()).to_json() == map->to_json());
}

TEST_CASE("Python 3.13 prints the metavar once, after the last option string") {
    auto map = parse_argparse_help("usage: x [-h] [-b N] data [rest ...]\n\npositional arguments:\n  data\n  rest\n\n"
                                   "options:\n  -h, --help  show this help message and exit\n"
                                   "  -b, --batch-size N  examples per step\n");
    REQUIRE(map);
    CHECK(map->find("-b")->nargs == Nargs::one);
    CHECK(map->find("-b")->dest == "batch_size");
    CHECK(map->find("-b")->help == "examples per step");
    REQUIRE(map->positionals.size() == 2);
    CHECK(map->positionals[1].nargs == Nargs::any);
}

TEST_CASE("help that is not argparse's, or has sub-commands, gives no map") {
    CHECK_FALSE(parse_argparse_help(""));
    CHECK_FALSE(parse_argparse_help("{\"name\": \"--help!\"}\n"));
    CHECK_FALSE(parse_argparse_help("usage: milex-example-sh-cli [-h] [--message TEXT] [--count N]\n"));
    CHECK_FALSE(parse_argparse_help("usage: git [-h] {clone,pull} ...\n\npositional arguments:\n  {clone,pull}\n\n"
                                    "options:\n  -h, --help  show this help message and exit\n"));
}
