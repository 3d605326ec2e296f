"""All benchmarks in one run: `make bench`. Results also go to _build/benchmarks.json."""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_chapters  # noqa: E402
import bench_fit  # noqa: E402
import bench_grading  # noqa: E402
import bench_widgets  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    print(f"machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} torch "
          f"threads, torch {torch.__version__}, cuda {torch.cuda.is_available()}\n")
    print("(a) fit against a bare hand-written loop")
    fit_result = bench_fit.run()
    print("\n(b) chapter run times, default configuration")
    chapters = bench_chapters.run()
    print(bench_chapters.table(chapters))
    print("\n(c) widget redraw times (draw one setting and render it)")
    widgets = bench_widgets.run()
    print(bench_widgets.table(widgets))
    print("\n(d) grading a class of 60 chapter-01 submissions, 1 and 2 workers")
    grading = bench_grading.run()
    print(bench_grading.table(grading))
    out = ROOT / "_build" / "benchmarks.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"fit": fit_result, "chapters": chapters, "widgets": widgets, "grading": grading}, indent=2, default=str))
    print(f"\nwritten {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
