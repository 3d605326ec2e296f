"""What the grader reads from a notebook: the code to run where the student's code runs, and the
grade cells with their hidden tests and points."""

from __future__ import annotations

from dataclasses import dataclass

from .hidden import hidden_source, visible_source


@dataclass(frozen=True)
class GradeCell:
    grade_id: str
    source: str          # as the instructor wrote it, hidden tests included
    points: float


def nbgrader_meta(cell) -> dict:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return meta if isinstance(meta, dict) else {}


def is_autograded_test(cell) -> bool:
    meta = nbgrader_meta(cell)
    return (cell.get("cell_type") == "code" and bool(meta.get("grade")) and not meta.get("solution")
            and isinstance(meta.get("grade_id"), str))


def grade_cells(trusted_nb) -> list[GradeCell]:
    """The autograded test cells of the instructor's notebook, in order."""
    cells = []
    for cell in trusted_nb.cells:
        if is_autograded_test(cell):
            meta = nbgrader_meta(cell)
            cells.append(GradeCell(meta["grade_id"], _text(cell.source), float(meta.get("points", 0))))
    return cells


def program(submission_nb, trusted: dict[str, str] | None = None) -> list[str]:
    """The code cells to run, in the submission's order, with every grade cell's hidden tests
    left out. ``trusted`` maps grade ids to the instructor's source, which replaces whatever the
    submission holds under that id (nbgrader's OverwriteCells does the same)."""
    sources = []
    for cell in submission_nb.cells:
        if cell.get("cell_type") != "code":
            continue
        source = _text(cell.get("source", ""))
        grade_id = nbgrader_meta(cell).get("grade_id")
        if trusted is not None and isinstance(grade_id, str) and grade_id in trusted:
            source = trusted[grade_id]
        sources.append(visible_source(source) if hidden_source(source) is not None else source)
    return sources


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source)
