"""nbgrader preprocessors that put the sandboxed grader into ``nbgrader autograde``.

In ``nbgrader_config.py``::

    from course_utils.grading.nbgrader_plugin import configure
    configure(c)

- ``RepairSubmission`` (first sanitizer): makes any submission gradable: duplicated cells
  (a copy-paste in JupyterLab), cell ids, grade ids that the gradebook does not know, edited
  metadata and cell types are put right, so one student's notebook never stops the batch;
- ``SandboxGrade`` (in place of ``Execute``): runs the submission in the sandbox, computes every
  grade cell's verdict here, from the instructor's hidden tests in the gradebook, and writes the
  grade cells' outputs itself: a report of the cases, and the score as the cell's result, which
  nbgrader's ``SaveAutoGrades`` reads as partial credit. Nothing the student's code printed or
  displayed ever lands in a grade cell.
"""

from __future__ import annotations

import os
import uuid

from nbconvert.preprocessors import Preprocessor
from nbformat.v4 import new_code_cell, new_output
from nbgrader.api import Gradebook, MissingEntry
from traitlets import Bool, Float, Integer, List, Unicode

from .batch import MARKER
from .grade import grade_submission
from .hidden import visible_source
from .notebook import GradeCell, nbgrader_meta
from .sandbox import Limits, warn_once

MAX_FILE = 8 * 2**20            # a file handed in beside the notebook larger than this is left out


def _gradebook_cells(resources) -> tuple[dict, list]:
    """The instructor's cells of this notebook from the gradebook: ({grade_id: cell}, grade cells)."""
    nb = resources["nbgrader"]
    with Gradebook(nb["db_url"]) as gb:
        notebook = gb.find_notebook(nb["notebook"], nb["assignment"])
        source = {c.name: {"source": c.source, "cell_type": c.cell_type, "locked": c.locked}
                  for c in notebook.source_cells}
        grades = [(g.name, g.max_score, g.cell_type) for g in notebook.grade_cells]
        solutions = {c.name for c in notebook.solution_cells}
        tasks = {c.name for c in getattr(notebook, "task_cells", [])}
    for name in source:
        source[name]["solution"] = name in solutions
        source[name]["task"] = name in tasks
    for name, points, _ in grades:
        if name in source:
            source[name]["points"] = points
    return source, grades


class RepairSubmission(Preprocessor):
    """Put a submission's structure right before nbgrader's own sanitizers run."""

    enabled = Bool(True).tag(config=True)

    def preprocess(self, nb, resources):
        try:
            known, _ = _gradebook_cells(resources)
        except (MissingEntry, KeyError):
            return nb, resources
        seen_ids, seen_grade_ids, cells = set(), set(), []
        for cell in nb.cells:
            if cell.get("cell_type") not in ("code", "markdown", "raw"):
                continue
            if not isinstance(cell.get("metadata"), dict):
                cell["metadata"] = {}
            cid = cell.get("id")
            if not isinstance(cid, str) or cid in seen_ids or not cid:
                cell["id"] = uuid.uuid4().hex[:12]
            seen_ids.add(cell["id"])
            meta = nbgrader_meta(cell)
            grade_id = meta.get("grade_id") if meta else None
            if meta and (grade_id not in known or grade_id in seen_grade_ids):
                # unknown, or a copy of a cell already seen: an ordinary cell from now on
                cell["metadata"].pop("nbgrader", None)
                if cell.get("cell_type") == "code" and "outputs" not in cell:
                    cell["outputs"], cell["execution_count"] = [], None
                cells.append(cell)
                continue
            if meta:
                seen_grade_ids.add(grade_id)
                cells.append(self._restore(cell, grade_id, known[grade_id]))
            else:
                cells.append(cell)
        # a deleted test cell comes back (at the end), so the exercise is still graded
        for grade_id, trusted in known.items():
            if grade_id not in seen_grade_ids and "points" in trusted and not trusted["solution"] \
                    and trusted["cell_type"] == "code":
                cell = new_code_cell(trusted["source"], id=uuid.uuid4().hex[:12])
                cells.append(self._restore(cell, grade_id, trusted))
        nb.cells = cells
        return nb, resources

    @staticmethod
    def _restore(cell, grade_id, trusted):
        """The instructor's metadata and type; a locked cell's source too."""
        cell_type = trusted["cell_type"]
        if cell.get("cell_type") != cell_type:
            cell["cell_type"] = cell_type
        if cell_type == "code":
            cell.setdefault("outputs", [])
            cell.setdefault("execution_count", None)
        else:
            cell.pop("outputs", None)
            cell.pop("execution_count", None)
        meta = {"grade_id": grade_id, "locked": bool(trusted["locked"]),
                "solution": bool(trusted["solution"]), "task": bool(trusted["task"]),
                "grade": "points" in trusted, "schema_version": 3}
        if "points" in trusted:
            meta["points"] = trusted["points"]
        cell["metadata"]["nbgrader"] = meta
        if trusted["locked"] or not trusted["solution"]:
            cell["source"] = trusted["source"]
        return cell


class SandboxGrade(Preprocessor):
    """Grade the notebook in the sandbox; write grade cells' outputs from the verdicts."""

    enabled = Bool(True).tag(config=True)
    cell_timeout = Float(120.0, help="seconds one cell may run").tag(config=True)
    call_timeout = Float(60.0, help="seconds one graded call may run").tag(config=True)
    total_timeout = Float(900.0, help="seconds one submission may run in all").tag(config=True)
    memory_mb = Integer(3072, help="memory a submission may allocate, MiB").tag(config=True)
    hide = List(Unicode(), help="more folders the student's code must not see").tag(config=True)

    def preprocess(self, nb, resources):
        warn_once(self.log)
        trusted, grades = _gradebook_cells(resources)
        cells = [GradeCell(name, trusted[name]["source"], float(points))
                 for name, points, cell_type in grades
                 if cell_type == "code" and name in trusted and not trusted[name]["solution"]]
        path = resources.get("metadata", {}).get("path") or "."
        nb_name = resources.get("unique_key", "")
        files = {}
        for root, _, names in os.walk(path):
            for name in names:
                full = os.path.join(root, name)
                rel = os.path.relpath(full, path)
                if (rel.endswith(".ipynb") or name == MARKER or os.path.islink(full)
                        or os.path.getsize(full) > MAX_FILE):
                    continue
                with open(full, "rb") as f:
                    files[rel] = f.read()
        # the course folder: autograded/<student>/<assignment>/ lies three levels below it
        here = os.path.abspath(path)
        hide = [os.getcwd(), here, os.path.dirname(os.path.dirname(os.path.dirname(here)))]
        hide += list(self.hide)
        limits = Limits(cell_timeout=self.cell_timeout, call_timeout=self.call_timeout,
                        total_timeout=self.total_timeout,
                        memory_mb=self.memory_mb)
        result = grade_submission(cells, nb, files=files, limits=limits, hide=hide,
                                  slot=_slot())
        by_id = {v.cell: v for v in result.verdicts}
        code_index = 0
        for cell in nb.cells:
            if cell.get("cell_type") != "code":
                continue
            report = result.cells[code_index] if code_index < len(result.cells) else None
            code_index += 1
            grade_id = nbgrader_meta(cell).get("grade_id")
            verdict = by_id.get(grade_id)
            if verdict is not None:
                # the graded copy (and so the feedback) keeps the visible checks only
                cell.source = visible_source(cell.source).rstrip() + "\n"
                cell.outputs = [
                    new_output("stream", name="stdout", text=verdict.report() + "\n"),
                    new_output("execute_result", data={"text/plain": f"{verdict.score:g}"},
                               execution_count=None),
                ]
            elif report:
                text = report.get("output") or ""
                cell.outputs = [new_output("stream", name="stdout", text=text)] if text else []
        for note in result.notes:
            self.log.warning("%s: %s", nb_name, note)
        resources.setdefault("nbgrader", {})["sandbox_notes"] = list(result.notes)
        return nb, resources


def _slot() -> int:
    """A uid slot per grading process, so that two concurrent sandboxes never share a user."""
    return int(os.environ.get("COURSE_GRADING_SLOT", os.getpid() % 900))


def configure(c) -> None:
    """Use the sandboxed grader in ``nbgrader autograde`` (call from nbgrader_config.py)."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearOutput,
                                        DeduplicateIds, LimitOutput, OverwriteCells,
                                        OverwriteKernelspec, SaveAutoGrades)

    c.Autograde.sanitize_preprocessors = [RepairSubmission, ClearOutput, DeduplicateIds,
                                          OverwriteKernelspec, OverwriteCells, CheckCellMetadata]
    c.Autograde.autograde_preprocessors = [SandboxGrade, ClearMetadataPreprocessor, LimitOutput,
                                           SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
    db_url = os.environ.get("COURSE_DB_URL")
    if db_url:
        c.CourseDirectory.db_url = db_url
