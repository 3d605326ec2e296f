"""Run All on every untouched student notebook reaches the end with no error cell (nbval-lax).

(The solution notebooks run once per test session, in each chapter's claims probe under
tests/chapters/; an error there fails those tests.)
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from nbtools import ROOT, chapters, course_env

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("chapter", chapters())
def test_student_notebook_runs_to_the_end(chapter):
    """Does the release, every exercise unfinished, run in a fresh kernel without an error cell?"""
    path = ROOT / "notebooks" / chapter / f"{chapter}.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         "-p", "no:xdist", "--rootdir", str(path.parent), str(path)],
        cwd=path.parent, env=course_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
