"""What `make test` costs per chapter, and what it would cost with twelve chapters.

Runs the whole suite once as CI does (`pytest -n 2`, with a JUnit report), attributes every
test's time to the chapter it names (its node id or parameters contain the chapter id) or to the
platform (everything else), and projects the wall-clock time to 12 chapters:

    projected = wall * (platform + 12/n * chapters) / (platform + chapters)

where ``platform`` and ``chapters`` are summed test times and ``n`` the chapters there are now.
Target: under 25 minutes on this 2-core machine (CI's limit is 90).

    python benchmarks/bench_ci.py [pytest args...]
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tools.course import chapters  # noqa: E402

TARGET_MIN = 25.0


def run(extra: list[str] | None = None) -> dict:
    names = chapters()
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "junit.xml"
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "-q",
                                 f"--junitxml={report}", *(extra or [])], cwd=ROOT)
        wall = time.perf_counter() - start
        cases = ET.parse(report).getroot().iter("testcase")
        per_chapter = {c: 0.0 for c in names}
        platform = 0.0
        count = 0
        for case in cases:
            count += 1
            seconds = float(case.get("time", 0))
            ident = f"{case.get('classname')}::{case.get('name')}"
            owner = next((c for c in names if c in ident or f"ch{c[:2]}_" in ident), None)
            if owner:
                per_chapter[owner] += seconds
            else:
                platform += seconds
    chapter_sum = sum(per_chapter.values())
    n = max(1, len(names))
    projected = wall * (platform + 12 / n * chapter_sum) / max(platform + chapter_sum, 1e-9)
    return {"returncode": result.returncode, "tests": count, "wall_s": wall,
            "platform_s": platform, "per_chapter_s": per_chapter, "chapters": n,
            "projected_12_s": projected}


def table(r: dict) -> str:
    lines = [f"{r['tests']} tests, wall {r['wall_s'] / 60:.1f} min with -n 2 "
             f"(exit {r['returncode']}); summed test time: platform {r['platform_s']:.0f} s"]
    for chapter, seconds in r["per_chapter_s"].items():
        lines.append(f"  {chapter:24s} {seconds:7.0f} s")
    lines.append(f"projected for 12 chapters: {r['projected_12_s'] / 60:.1f} min "
                 f"(target < {TARGET_MIN:g} min: {'PASS' if r['projected_12_s'] < TARGET_MIN * 60 else 'FAIL'})")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run(sys.argv[1:])))
