"""The one way the tests, the benchmarks and the tools run a notebook: a fresh kernel (as a
student's "Restart and run all"), with the course's switches set for that kernel only."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import nbformat
from nbclient import NotebookClient


def course_env(*, fast: bool = True, static: bool = True, **extra: str) -> dict[str, str]:
    """The environment a notebook runs under: this environment's bin first on PATH (nbgrader
    starts alembic from there), no front end (static widgets), fast mode unless asked."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = {**os.environ, "COURSE_STATIC": "1" if static else "0",
           "COURSE_FAST": "1" if fast else "0", "PATH": path}
    env.update(extra)
    return env


def execute(nb: nbformat.NotebookNode, *, cwd: Path, fast: bool = True, timeout: int = 600,
            allow_errors: bool = False, env: dict[str, str] | None = None,
            startup: Sequence[str] = ()) -> nbformat.NotebookNode:
    """Execute ``nb`` in place in a fresh python3 kernel started in ``cwd``; return it.

    ``env`` adds variables to the kernel's environment; ``startup`` is Python lines the kernel
    runs before the first cell, outside the notebook's history (ipykernel's ``exec_lines``).
    """
    saved = dict(os.environ)
    os.environ.update(course_env(fast=fast, **(env or {})))   # the kernel inherits them
    arguments = [f"--IPKernelApp.exec_lines={json.dumps(list(startup))}"] if startup else []
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=allow_errors,
                       extra_arguments=arguments,
                       resources={"metadata": {"path": str(cwd)}}).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def run_with_probe(path: Path, probe: str, *, fast: bool = True, timeout: int = 600) -> dict:
    """Execute a notebook with one extra cell at the end that prints a JSON object; return it.

    The probe reads the values the chapter computed, so tests check the chapter's own numbers.
    """
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        probe + "\nimport json as _json\nprint('PROBE' + _json.dumps(probe))"))
    execute(nb, cwd=path.parent, fast=fast, timeout=timeout)
    for output in nb.cells[-1].outputs:
        if output.get("name") == "stdout" and "PROBE" in output.text:
            return json.loads(output.text.split("PROBE", 1)[1])
    raise AssertionError(f"the probe printed nothing: {nb.cells[-1].outputs}")
