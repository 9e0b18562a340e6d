"""milex-train: an application spelled the way real ones are.

Its options have dashes (`--learning-rate`, dest `learning_rate`), short forms (`-n`, and `-b`
for `--batch-size`), a positional (`data`), a list (`--layers`, nargs='+'), flags in both
directions (`--augment`, `--no-cache`) and options users rarely type (`--seed`). The Python milex
rendered every dest back as `--dest=value`, which this parser refuses; milex keeps the spelling.

`milex-train-cli ARGS` prints the parsed ARGS as one JSON object; `milex-train ARGS` prints what
it received, one line, so tests compare the two.
"""

import argparse
import json
import os
import sys


def build_parser():
    """Return the one parser shared by `milex-train` and `milex-train-cli`."""
    p = argparse.ArgumentParser(prog="milex-train", description="Example training application for milex.")
    p.add_argument("data", help="the training data file")
    p.add_argument("--learning-rate", type=float, default=0.01, help="step size")
    p.add_argument("-n", type=int, default=1, help="number of epochs")
    p.add_argument("-b", "--batch-size", type=int, default=32, help="examples per step")
    p.add_argument("--layers", nargs="+", type=int, default=[64], help="hidden layer widths")
    p.add_argument("--augment", action="store_true", help="augment the data")
    p.add_argument("--no-cache", dest="cache", action="store_false", help="do not cache the data")
    p.add_argument("--seed", type=int, default=0, help="random seed")
    p.add_argument("--tag", default="", help="free text")
    return p


def cli():
    """Entry point of `milex-train-cli`: print the parsed arguments as one JSON object."""
    print(json.dumps(vars(build_parser().parse_args())))


def main():
    """Entry point of `milex-train`: print what was received as `milex-train: args <json>`."""
    args = build_parser().parse_args()
    sys.stdout.reconfigure(errors="surrogateescape")
    print("milex-train: args " + json.dumps(vars(args), sort_keys=True, ensure_ascii=False), flush=True)
    print("milex-train: slurm job=%s" % os.environ.get("SLURM_JOB_ID", ""), flush=True)


if __name__ == "__main__":
    main()
