"""How much slower is ``course_utils.training.fit`` than a bare, hand-written training loop?

Both train the same architecture on the same data for the same epochs, batch size, optimizer
and seed. The bare loop does the work fit does (a new shuffle each epoch; forward, loss,
backward and step per batch; validation loss and accuracy after each epoch) without fit's
History, progress bar, training-set metrics and argument checks. Runs alternate, after a
warm-up; the median over repetitions of the ratio of wall times is compared with the target:
fit may be at most 5 % slower.

Usage::

    python benchmarks/bench_fit.py [--repeats 5] [--json results.json]

A benchmark measures: it prints PASS or FAIL but always exits with status 0.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout, uninstalled

from course_utils.models import MLP  # noqa: E402
from course_utils.training import fit  # noqa: E402

TARGET = 1.05  # fit's wall time / the bare loop's wall time, at most
WORKLOAD = dict(  # what both loops train
    n_train=4000,  # random 1x28x28 images, 10 classes
    n_val=1000,
    hidden=(256, 128),  # MLP 784 -> 256 -> 128 -> 10
    epochs=20,
    batch_size=64,
    lr=0.05,  # plain SGD
    seed=0,
)


def make_data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Random images (n, 1, 28, 28) in [0, 1] and labels (n,) int64 in 0..9, seeded."""
    generator = torch.Generator().manual_seed(seed)
    images = torch.rand(n, 1, 28, 28, generator=generator)
    labels = torch.randint(0, 10, (n,), generator=generator)
    return images, labels


def new_model(w: dict) -> MLP:
    return MLP(28 * 28, list(w["hidden"]), 10, seed=w["seed"])


def bare_loop(train, val, w: dict) -> None:
    """The same training without the helper: what a student would write by hand."""
    model = new_model(w)
    optimizer = torch.optim.SGD(model.parameters(), lr=w["lr"])
    x_train, y_train = train
    x_val, y_val = val
    n, batch_size = len(x_train), w["batch_size"]
    val_batch_size = 2 * batch_size  # as fit does
    shuffler = torch.Generator().manual_seed(w["seed"])
    for _epoch in range(w["epochs"]):
        model.train()
        order = torch.randperm(n, generator=shuffler)
        for start in range(0, n, batch_size):
            index = order[start:start + batch_size]
            optimizer.zero_grad(set_to_none=True)
            loss = F.cross_entropy(model(x_train[index]), y_train[index])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            loss_sum, correct = torch.zeros(()), torch.zeros((), dtype=torch.int64)
            for start in range(0, len(x_val), val_batch_size):
                x = x_val[start:start + val_batch_size]
                y = y_val[start:start + val_batch_size]
                output = model(x)
                loss_sum += F.cross_entropy(output, y, reduction="sum")
                correct += (output.argmax(1) == y).sum()
            _val_loss, _val_acc = loss_sum.item() / len(x_val), correct.item() / len(x_val)


def fit_loop(train, val, w: dict) -> None:
    """The same training through course_utils.training.fit."""
    fit(new_model(w), train, val, epochs=w["epochs"], lr=w["lr"], batch_size=w["batch_size"],
        seed=w["seed"], device="cpu", progress=False)


def run(repeats: int = 5, *, quiet: bool = False) -> dict:
    """Time both loops ``repeats`` times each, alternating, after a warm-up; print the table.

    Returns:
        A dict with "workload", "threads", "bare_s" and "fit_s" (median wall times in
        seconds), "ratio" (median over repetitions of fit's time / the bare loop's time),
        "target", "pass", and every timed run in "bare_runs" and "fit_runs".
    """
    if isinstance(repeats, bool) or not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    w = WORKLOAD
    train, val = make_data(w["n_train"], w["seed"]), make_data(w["n_val"], w["seed"] + 1)
    times: dict[str, list[float]] = {"bare": [], "fit": []}
    loops = {"bare": bare_loop, "fit": fit_loop}
    for repeat in range(repeats + 1):
        for name in ("bare", "fit") if repeat % 2 == 0 else ("fit", "bare"):
            start = time.perf_counter()
            loops[name](train, val, w)
            if repeat > 0:  # repeat 0 is the warm-up
                times[name].append(time.perf_counter() - start)
    # The two runs of a repetition see the same load on a shared machine, so the median of the
    # per-repetition ratios is steadier than the ratio of the medians.
    ratio = statistics.median(f / b for f, b in zip(times["fit"], times["bare"]))
    hidden = "-".join(map(str, w["hidden"]))
    result = {
        "workload": (f"MLP 784-{hidden}-10, {w['n_train']} train + {w['n_val']} val 1x28x28, "
                     f"{w['epochs']} epochs, batch {w['batch_size']}, SGD, cpu"),
        "threads": torch.get_num_threads(),
        "bare_s": statistics.median(times["bare"]),
        "fit_s": statistics.median(times["fit"]),
        "ratio": ratio,
        "target": TARGET,
        "pass": ratio <= TARGET,
        "bare_runs": times["bare"],
        "fit_runs": times["fit"],
    }
    if not quiet:
        print(table(result))
    return result


def table(result: dict) -> str:
    """The result of :func:`run` as a small text table."""
    width = len(result["workload"])
    verdict = "PASS" if result["pass"] else "FAIL"
    target = f"<= {result['target']:.2f}"
    lines = [
        f"torch {torch.__version__}, {result['threads']} threads, "
        f"median of {len(result['fit_runs'])} runs",
        f"{'workload':<{width}} {'bare s':>7} {'fit s':>7} {'ratio':>6} {'target':>7}  result",
        f"{result['workload']} {result['bare_s']:7.3f} {result['fit_s']:7.3f} "
        f"{result['ratio']:6.3f} {target:>7}  {verdict}",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs per loop (default 5)")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the results here")
    args = parser.parse_args(argv)
    result = run(args.repeats)
    if args.json is not None:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
