"""Helpers the tests share: run a notebook, read a chapter, build submissions for nbgrader."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from tools.course import ROOT, chapters  # noqa: F401 (re-exported for the tests)

SOLUTION_REGION = re.compile(r"(?ms)^(?P<indent>[ \t]*)### BEGIN SOLUTION\n.*?^[ \t]*### END SOLUTION\n?")


def course_env(**extra: str) -> dict[str, str]:
    """The environment notebooks run under in tests: static widgets, fast mode."""
    # nbgrader starts helpers (alembic) found on PATH: put this environment's bin first
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "COURSE_STATIC": "1", "COURSE_FAST": "1", "PATH": path}
    env.update(extra)
    return env


def execute(nb: nbformat.NotebookNode, *, cwd: Path, timeout: int = 300,
            allow_errors: bool = False) -> nbformat.NotebookNode:
    """Execute a notebook in a fresh kernel (the test environment's python3)."""
    old = dict(os.environ)
    os.environ.update(course_env())
    try:
        client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                allow_errors=allow_errors, resources={"metadata": {"path": str(cwd)}})
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(old)
    return nb


def run_with_probe(path: Path, probe: str, *, timeout: int = 300) -> dict:
    """Execute a notebook with one extra cell at the end that prints a JSON object; return it.

    The probe reads the values the chapter computed, so tests check the chapter's own numbers.
    """
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(probe + "\nimport json as _json\nprint('PROBE' + _json.dumps(probe))"))
    execute(nb, cwd=path.parent, timeout=timeout)
    for output in nb.cells[-1].outputs:
        if output.get("name") == "stdout" and "PROBE" in output.text:
            return json.loads(output.text.split("PROBE", 1)[1])
    raise AssertionError(f"the probe printed nothing: {nb.cells[-1].outputs}")


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
