"""The chapter sources are well formed and the generated files are current."""

from __future__ import annotations

import re

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from nbtools import ROOT, chapters
from tools import headers, release


def _source(chapter):
    return nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)


def _release(chapter):
    return nbformat.read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)


@pytest.mark.slow
def test_release_is_up_to_date():
    """Is notebooks/ exactly what `make release` would generate from solutions/ now?"""
    assert release.stale_chapters() == [], "notebooks/ is stale: run `make release`"


def test_headers_are_current():
    """Do all chapters open with the badges and set-up cell made from _config.yml's URL?"""
    assert headers.main(["--check"]) == 0


@pytest.mark.parametrize("chapter", chapters())
def test_source_has_no_outputs(chapter):
    """Is the source committed without outputs, so that diffs stay reviewable?"""
    for cell in _source(chapter).cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, cell.source[:80]


@pytest.mark.parametrize("chapter", chapters())
def test_every_exercise_is_complete(chapter):
    """Does every solution cell have a task text, a grade cell with the points it announces,
    a solution region inside a function or class, and hidden tests?"""
    cells = _source(chapter).cells
    solutions = [i for i, c in enumerate(cells) if c.metadata.get("nbgrader", {}).get("solution")]
    assert solutions
    for i in solutions:
        cell, grade_id = cells[i], cells[i].metadata["nbgrader"]["grade_id"]
        assert re.search(r"^(def \w+\(|class \w+[(:])", cell.source, re.M), (
            f"{grade_id}: no function or class signature")
        assert re.search(r"^\s+### BEGIN SOLUTION", cell.source, re.M), f"{grade_id}: marker not in a body"
        test = next((c for c in cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"{grade_id}_tests"), None)
        assert test is not None and test.metadata["nbgrader"]["grade"], f"{grade_id}: no grade cell"
        assert "### BEGIN HIDDEN TESTS" in test.source, f"{grade_id}: no hidden tests"
        task = cells[i - 1]
        points = test.metadata["nbgrader"]["points"]
        assert task.cell_type == "markdown" and f"({points} point" in task.source, (
            f"{grade_id}: the task text should announce ({points} points)")


@pytest.mark.parametrize("chapter", chapters())
def test_release_stubs_parse_and_raise(chapter):
    """Does every release cell parse, each stub raise NotImplementedError, no hidden test leak?"""
    transform = TransformerManager().transform_cell
    nb = _release(chapter)
    for cell in nb.cells:
        if cell.cell_type == "code":
            compile(transform(cell.source), f"<{chapter}>", "exec")
            if cell.metadata.get("nbgrader", {}).get("solution"):
                assert "raise NotImplementedError()" in cell.source
                assert "BEGIN SOLUTION" not in cell.source
        assert "HIDDEN TESTS" not in cell.source, "hidden tests leaked into the release"
