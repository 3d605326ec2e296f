"""Grading a class: 60 synthetic submissions of chapter 01 with 1 and 2 workers.

The class mixes 20 correct, 15 typically wrong, 15 blank and 10 abusive submissions (from the
red-team suite). Each run grades the same class into a fresh course folder through the real
pipeline (``course_utils.grading.batch``: nbgrader autograde with the sandbox) and reports
submissions per minute and the speed-up of 2 workers over 1 (target >= 1.7 on 2 cores). The
sandbox's own cost per submission (fork a child from the warm zygote, isolate it, run an empty
cell, end it) is measured separately (target < 2 s).

    python benchmarks/bench_grading.py [--n 60] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
CHAPTER = "01_losses"


def synthetic_class(n: int) -> dict[str, tuple[nbformat.NotebookNode, dict]]:
    from nbtools import cell_by_id, with_body
    from redteam.attacks import ATTACKS
    from chapter_tests import WRONG_ANSWERS

    reference = nbformat.read(ROOT / "solutions" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)
    stub = nbformat.read(ROOT / "notebooks" / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)
    wrong = [(sid, body) for sid, answers in WRONG_ANSWERS[CHAPTER].items() for body in answers.values()]
    cheap_attacks = [a for a in ATTACKS if a.base == "stub" and not any(
        word in a.name for word in ("infinite", "memory", "flood", "fork", "network", "outlives"))]
    students: dict[str, tuple[nbformat.NotebookNode, dict]] = {}
    for k in range(n):
        kind = k % 12
        if kind < 4:                                   # 20 of 60 correct
            nb, files = reference, {}
        elif kind < 7:                                 # 15 wrong
            sid, body = wrong[k % len(wrong)]
            nb = nbformat.from_dict(reference)
            cell = cell_by_id(nb, sid)
            cell.source = with_body(cell.source, body)
            files = {}
        elif kind < 10:                                # 15 blank
            nb, files = stub, {}
        else:                                          # 10 abusive
            attack = cheap_attacks[k % len(cheap_attacks)]
            nb, files = nbformat.from_dict(stub), {}
            attack.edit(nb, files)
        students[f"s{k:03d}"] = (nb, files)
    return students


def grade(students, jobs: int) -> float:
    from nbtools import course_env, hand_in, scratch_course

    with tempfile.TemporaryDirectory() as tmp:
        root = scratch_course(Path(tmp), CHAPTER)
        for student, (nb, files) in students.items():
            hand_in(root, CHAPTER, student, nb, files)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "course_utils.grading.batch", CHAPTER,
                                 "--jobs", str(jobs)], cwd=root, capture_output=True, text=True,
                                env=course_env())
        seconds = time.perf_counter() - start
        if result.returncode != 0:
            raise RuntimeError(result.stdout[-3000:] + result.stderr[-3000:])
        return seconds


def sandbox_overhead(repeats: int = 20) -> dict:
    from course_utils.grading.sandbox import isolation, zygote

    start = time.perf_counter()
    z = zygote()
    warm = time.perf_counter() - start
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        session = z.spawn({}, slot=990)
        session.run_cell("pass")
        session.close()
        times.append(time.perf_counter() - t)
    return {"zygote_start_s": warm, "per_submission_s": statistics.median(times),
            "max_s": max(times), "isolation": isolation().describe()}


def run(n: int = 60, jobs: tuple[int, ...] = (1, 2)) -> dict:
    students = synthetic_class(n)
    overhead = sandbox_overhead()
    rows = {}
    for j in jobs:
        seconds = grade(students, j)
        rows[j] = {"seconds": seconds, "per_minute": 60 * n / seconds}
    base = rows[jobs[0]]["seconds"]
    for j in jobs:
        rows[j]["speedup"] = base / rows[j]["seconds"]
    return {"n": n, "rows": rows, "overhead": overhead}


def table(result: dict) -> str:
    o = result["overhead"]
    lines = [f"{o['isolation']}",
             f"sandbox overhead per submission: median {o['per_submission_s'] * 1000:.0f} ms, "
             f"max {o['max_s'] * 1000:.0f} ms (target < 2 s); zygote start {o['zygote_start_s']:.1f} s "
             "once per worker",
             f"{'workers':>8} {'seconds':>9} {'subm./min':>10} {'speed-up':>9}"]
    for j, r in result["rows"].items():
        lines.append(f"{j:>8} {r['seconds']:>9.1f} {r['per_minute']:>10.1f} {r['speedup']:>9.2f}")
    best = max(r["speedup"] for r in result["rows"].values())
    lines.append(f"{result['n']} submissions; speed-up target >= 1.7 with 2 workers: "
                 f"{'PASS' if best >= 1.7 else 'FAIL'}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=60)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(table(run(args.n, tuple(args.jobs))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
