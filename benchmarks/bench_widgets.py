"""How fast each chapter's explorers redraw: the time from a new setting to a finished PNG.

Target: well under a second on a CPU (COURSE_DESIGN.md). Every chapter runs in a fresh kernel
with ``course_utils.widgets.explore`` wrapped so that, for each explorer the chapter builds, every
one of its static settings is drawn and rendered once more and timed, as a slider move would be.

    python benchmarks/bench_widgets.py [--json PATH]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tools.runner import execute  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
TARGET_S = 1.0

PROLOGUE = """
import io as _io, time as _time
import matplotlib.pyplot as _plt
import course_utils.widgets as _widgets
_redraws, _explore = [], _widgets.explore

def _timed_explore(draw, controls, *, static_settings=None, static=None, **options):
    explorer = _widgets.Explorer(draw, controls, static_settings=static_settings, **options)
    for setting in explorer.static_settings:
        start = _time.perf_counter()
        figure = explorer.figure(**setting)
        figure.savefig(_io.BytesIO(), format="png")
        _plt.close(figure)
        _redraws.append(_time.perf_counter() - start)
    return _explore(draw, controls, static_settings=static_settings, static=static, **options)

_widgets.explore = _timed_explore
"""
EPILOGUE = "import json as _json\nprint('REDRAWS' + _json.dumps(_redraws))"


def time_redraws(path: Path) -> list[float]:
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(PROLOGUE))
    nb.cells.append(nbformat.v4.new_code_cell(EPILOGUE))
    execute(nb, cwd=path.parent, fast=False)
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    return json.loads(text.split("REDRAWS", 1)[1])


def run() -> list[dict]:
    rows = []
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        redraws = time_redraws(path)
        if not redraws:
            continue
        rows.append({"chapter": path.stem, "redraws": len(redraws),
                     "median_s": round(statistics.median(redraws), 3),
                     "max_s": round(max(redraws), 3), "target_s": TARGET_S,
                     "pass": max(redraws) < TARGET_S})
    return rows


def table(rows: list[dict]) -> str:
    lines = [f"{'chapter':24s} {'redraws':>7s} {'median s':>9s} {'max s':>7s} {'target':>8s}  result",
             "-" * 68]
    for r in rows:
        lines.append(f"{r['chapter']:24s} {r['redraws']:7d} {r['median_s']:9.3f} {r['max_s']:7.3f} "
                     f"{'< 1 s':>8s}  {'PASS' if r['pass'] else 'FAIL'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    rows = run()
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
