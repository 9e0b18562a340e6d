"""milex-long-train: a training loop that survives time limits, preemption and node failures.

It is the pattern of a PyTorch training script (a model state, an optimizer step per batch, a
checkpoint saved with the equivalent of torch.save) without torch, so that it runs anywhere.
The contract with milex (see "Long jobs" in the README):

- milex runs it with MILEX_CHECKPOINT_DIR (the same folder on every attempt of the job) and
  MILEX_ATTEMPT (1, 2, ...);
- before the time limit it gets the job's --signal (e.g. USR1), and when SLURM preempts or
  cancels the job it gets TERM: on either it saves a checkpoint at the end of the current step
  and exits with 75 (EX_TEMPFAIL); SLURM then queues the job again (--requeue, --retries);
- on each start it resumes from the checkpoint if there is one.

`milex-long-train-cli ARGS` prints the parsed ARGS as one JSON object.
"""

import argparse
import json
import os
import pickle
import signal
import sys
import time


def build_parser():
    """Return the one parser shared by `milex-long-train` and `milex-long-train-cli`."""
    p = argparse.ArgumentParser(prog="milex-long-train", description="A training loop that checkpoints on a signal.")
    p.add_argument("--epochs", type=int, default=10, help="epochs to train")
    p.add_argument("--step-seconds", type=float, default=1.0, help="time one epoch takes")
    p.add_argument("--learning-rate", type=float, default=0.1, help="step size")
    return p


def cli():
    """Entry point of `milex-long-train-cli`: print the parsed arguments as one JSON object."""
    print(json.dumps(vars(build_parser().parse_args())))


stop = []  # the signal that asked us to stop, set by the handler, read between steps


def main():
    """Entry point of `milex-long-train`."""
    args = build_parser().parse_args()
    for sig in (signal.SIGUSR1, signal.SIGUSR2, signal.SIGTERM):
        signal.signal(sig, lambda number, frame: stop.append(signal.Signals(number).name))
    path = os.path.join(os.environ.get("MILEX_CHECKPOINT_DIR", "."), "checkpoint.pkl")
    attempt = os.environ.get("MILEX_ATTEMPT", "1")

    # The loop, as with torch: load the checkpoint, step, save on a signal.
    state = {"epoch": 0, "weight": 0.0}                 # model.state_dict(), optimizer.state_dict()
    if os.path.exists(path):
        with open(path, "rb") as f:
            state = pickle.load(f)                      # state = torch.load(path)
        print(f"milex-long-train: attempt {attempt} resumes at epoch {state['epoch']}", flush=True)
    else:
        print(f"milex-long-train: attempt {attempt} starts at epoch 0", flush=True)
    while state["epoch"] < args.epochs:
        time.sleep(args.step_seconds)                   # loss.backward(); optimizer.step()
        state["weight"] += args.learning_rate * (1.0 - state["weight"])
        state["epoch"] += 1
        if stop and state["epoch"] < args.epochs:
            with open(path + ".tmp", "wb") as f:
                pickle.dump(state, f)                   # torch.save(state, path + ".tmp")
            os.replace(path + ".tmp", path)
            print(f"milex-long-train: attempt {attempt} got {stop[0]}; checkpoint at epoch {state['epoch']}",
                  flush=True)
            sys.exit(75)
    print(f"milex-long-train: attempt {attempt} finished {state['epoch']} epochs, weight {state['weight']:.4f}",
          flush=True)


if __name__ == "__main__":
    main()
