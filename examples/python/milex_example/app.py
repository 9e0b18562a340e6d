"""milex-example: a small application that speaks the milex -cli protocol.

`milex-example-cli ARGS` prints the parsed ARGS as one JSON object and exits 0.
`milex-example ARGS` does the (pretend) work: it prints what it received, sleeps,
and exits with --exit_code.

Every option is spelled exactly like its argparse dest (`--exit_code`, not
`--exit-code`), so that milex's `--dest=value` rendering parses back to the same
arguments.
"""

import argparse
import json
import os
import sys
import time

PROG = "milex-example"


def build_parser():
    """Return the one parser shared by `milex-example` and `milex-example-cli`."""
    p = argparse.ArgumentParser(description="Example application for milex.")
    p.add_argument("--message", type=str, default="hello", help="text to print")
    p.add_argument("--repeat", type=int, default=1, help="how many times to print the message")
    p.add_argument("--sleep", type=float, default=0.0, help="seconds to sleep")
    p.add_argument("--exit_code", type=int, default=0, help="exit status (make a job fail on purpose)")
    p.add_argument("--words", nargs="*", default=[], help="a list of strings")
    p.add_argument("--numbers", nargs="*", type=float, default=[], help="a list of numbers")
    p.add_argument("--shout", action="store_true", help="upper-case the message")
    p.add_argument("--out", type=str, default=None, help="also write the received arguments as JSON here")
    p.add_argument("--wandb_url", type=str, default=None, help="print a W&B-style run link")
    p.add_argument("--lines_per_second", type=int, default=0,
                   help="print this many numbered progress lines per second while sleeping")
    return p


def cli():
    """Entry point of `milex-example-cli`: print the parsed arguments as one JSON object."""
    args = build_parser().parse_args()
    print(json.dumps(vars(args)))
    sys.exit(0)


def _say(text):
    """Print one line prefixed with the program name and flush it."""
    print(PROG + ": " + text, flush=True)


def _sleep(seconds, lines_per_second):
    """Sleep `seconds`, printing `tick N` lines at `lines_per_second` if it is > 0."""
    if seconds <= 0:
        return
    if lines_per_second <= 0:
        time.sleep(seconds)
        return
    start = time.monotonic()
    ticks = int(seconds * lines_per_second + 1e-9)  # one per 1/N second that fits in the sleep
    for n in range(1, ticks + 1):
        delay = start + n / lines_per_second - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        _say("tick %d" % n)
    rest = start + seconds - time.monotonic()
    if rest > 0:
        time.sleep(rest)


def main():
    """Entry point of `milex-example`: print what was received, sleep, exit with --exit_code."""
    args = build_parser().parse_args()
    # Arguments that are not valid UTF-8 reach Python as surrogate escapes: write those bytes back as they came.
    sys.stdout.reconfigure(errors="surrogateescape")
    _say("start %.6f" % time.time())
    received = json.dumps(vars(args), sort_keys=True, ensure_ascii=False)
    _say("args " + received)
    msg = args.message.upper() if args.shout else args.message
    for _ in range(args.repeat):
        _say("message " + msg)
    _sleep(args.sleep, args.lines_per_second)
    if args.out is not None:
        with open(args.out, "w", encoding="utf-8", errors="surrogateescape") as f:
            f.write(received + "\n")
    if args.wandb_url is not None:
        print("wandb: \U0001F680 View run at " + args.wandb_url, flush=True)
    _say("slurm job=%s array_task=%s" % (os.environ.get("SLURM_JOB_ID", ""),
                                        os.environ.get("SLURM_ARRAY_TASK_ID", "")))
    _say("end %.6f" % time.time())
    sys.exit(args.exit_code)


if __name__ == "__main__":
    main()
