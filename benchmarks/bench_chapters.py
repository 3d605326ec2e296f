"""How long each chapter takes to run from top to bottom, in its default (full) configuration.

Target: under 60 s per chapter on a 2-core CPU. Each notebook runs in a fresh kernel, as a student
would run it ("Restart and run all"), with COURSE_STATIC=1 (no front end here), so the time
includes starting the kernel and importing torch.

    python benchmarks/bench_chapters.py [--fast] [--json PATH] [CHAPTER ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.course import chapters, source_notebook  # noqa: E402
from tools.runner import execute  # noqa: E402  (the one notebook runner)
TARGET_S = 60.0


def time_chapter(path: Path, *, fast: bool = False) -> float:
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    execute(nb, cwd=path.parent, fast=fast)
    return time.perf_counter() - start


def run(*, fast: bool = False, only: list[str] | None = None) -> list[dict]:
    rows = []
    unknown = sorted(set(only or []) - set(chapters()))
    if unknown:
        raise SystemExit(f"unknown chapters {unknown}; choose from {chapters()}")
    for chapter in only or chapters():
        path = source_notebook(chapter)
        seconds = time_chapter(path, fast=fast)
        rows.append({"chapter": path.stem, "seconds": round(seconds, 1), "target_s": TARGET_S,
                     "pass": seconds < TARGET_S})
    return rows


def table(rows: list[dict]) -> str:
    lines = [f"{'chapter':24s} {'seconds':>8s} {'target':>8s}  result", "-" * 52]
    for row in rows:
        lines.append(f"{row['chapter']:24s} {row['seconds']:8.1f} {'< 60 s':>8s}  "
                     f"{'PASS' if row['pass'] else 'FAIL'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fast", action="store_true", help="time the fast (test) configuration")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    parser.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    args = parser.parse_args(argv)
    rows = run(fast=args.fast, only=args.chapters)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
