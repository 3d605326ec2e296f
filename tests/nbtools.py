"""Helpers the tests share: read a chapter, build submissions; notebooks run through
tools.runner (the runner the benchmarks use too)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import nbformat

from tools.course import ROOT, chapters  # noqa: F401 (re-exported for the tests)
from tools.runner import course_env, execute, run_with_probe  # noqa: F401 (re-exported)

SOLUTION_REGION = re.compile(r"(?ms)^(?P<indent>[ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n?")


def cell_by_id(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id:
            return cell
    raise KeyError(f"no cell with grade_id {grade_id!r}")


def with_body(source: str, body: str) -> str:
    """Replace the solution region of a solution cell by ``body`` (indented like the region)."""
    match = SOLUTION_REGION.search(source)
    if match is None:
        raise ValueError("the cell has no ### BEGIN SOLUTION / ### END SOLUTION region")
    indent = match.group("indent")
    lines = body.strip("\n").split("\n")
    common = min((len(l) - len(l.lstrip()) for l in lines if l.strip()), default=0)
    indented = "".join(f"{indent}{l[common:]}\n" if l.strip() else "\n" for l in lines)
    return source[: match.start()] + indented + source[match.end():]


def scratch_course(root: Path, chapter: str) -> Path:
    """A course folder for grading ``chapter`` at ``root``: nbgrader_config.py and the source."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / chapter, root / "solutions" / chapter)
    return root


def hand_in(root: Path, chapter: str, student: str, nb: nbformat.NotebookNode,
            files: dict[str, bytes] | None = None) -> None:
    """Put a student's notebook (and files beside it) where `make autograde` looks."""
    folder = root / "submitted" / student / chapter
    folder.mkdir(parents=True)
    nbformat.write(nb, folder / f"{chapter}.ipynb")
    for name, data in (files or {}).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
