"""Every chapter's source notebook runs from top to bottom without an error (checked by nbval)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nbtools import ROOT, chapters, course_env

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("chapter", chapters())
def test_solution_notebook_executes(chapter):
    """Does the chapter, solutions included, run in a fresh kernel without errors (nbval-lax)?"""
    path = ROOT / "solutions" / chapter / f"{chapter}.ipynb"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
         "-p", "no:xdist", "--rootdir", str(path.parent), str(path)],
        cwd=path.parent, env=course_env(), capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
