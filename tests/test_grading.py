"""The nbgrader round trip, driven through nbgrader itself on scratch copies of the course.

For every chapter: the source notebook (with solutions) scores full marks, the student release
scores zero, and each typical wrong answer in tests/wrong_answers/ scores less than full marks
on its exercise. Grades are read back from nbgrader's gradebook.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader.api import Gradebook

from nbtools import ROOT, cell_by_id, chapters, course_env, with_body
from wrong_answers import AFFECTS, WRONG_ANSWERS

pytestmark = pytest.mark.slow


def nbgrader(root: Path, *args: str) -> None:
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=root, env=course_env(),
                            capture_output=True, text=True, timeout=1200)
    assert result.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"


def grade(tmp_path: Path, chapter: str, submissions: dict[str, nbformat.NotebookNode]) -> dict:
    """Autograde submissions (student id -> notebook) in a scratch course; return the grades.

    Returns {student: {grade cell id: (score, max_score)}}.
    """
    root = tmp_path / "course"
    root.mkdir()
    shutil.copy(ROOT / "nbgrader_config.py", root)
    shutil.copytree(ROOT / "solutions" / chapter, root / "solutions" / chapter)
    nbgrader(root, "generate_assignment", chapter, "--force")
    for student, nb in submissions.items():
        folder = root / "submitted" / student / chapter
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{chapter}.ipynb")
    nbgrader(root, "autograde", chapter)
    grades = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for student in submissions:
            notebook = gb.find_submission_notebook(chapter, chapter, student)
            grades[student] = {g.name: (g.score, g.max_score) for g in notebook.grades
                               if g.cell_type == "code" and g.max_score > 0}
    return grades


def source(chapter: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)


def release(chapter: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)


def test_every_exercise_has_a_wrong_answer():
    """Does every solution cell of every chapter have at least one typical wrong answer?"""
    for chapter in chapters():
        solutions = {c.metadata["nbgrader"]["grade_id"] for c in source(chapter).cells
                     if c.metadata.get("nbgrader", {}).get("solution")}
        assert solutions, f"{chapter} has no exercises"
        missing = solutions - set(WRONG_ANSWERS.get(chapter, {}))
        assert not missing, f"{chapter}: no wrong answers for {sorted(missing)}"


@pytest.mark.parametrize("chapter", chapters())
def test_source_scores_full_marks_and_release_zero(tmp_path, chapter):
    """Does the reference solution get every point, and the untouched student stub none?"""
    grades = grade(tmp_path, chapter, {"reference": source(chapter), "stub": release(chapter)})
    full = grades["reference"]
    assert full, "no grade cells were found"
    for cell, (score, max_score) in full.items():
        assert score == max_score, f"the reference solution lost points on {cell}: {score}/{max_score}"
    for cell, (score, max_score) in grades["stub"].items():
        assert score == 0, f"the unanswered stub scored {score}/{max_score} on {cell}"


def submission_rounds(chapter: str) -> list[dict[str, tuple[str, str]]]:
    """The chapter's wrong answers grouped into as few submissions as honesty allows.

    A submission carries at most one wrong answer per exercise, and never two exercises of which
    one legitimately affects the other's grade cell (AFFECTS), so that every lost point can be
    traced to the wrong answer of that very exercise. Returns one {solution id: (description,
    body)} per submission.
    """
    affects = AFFECTS.get(chapter, {})

    def conflict(a: str, b: str) -> bool:
        return f"{b}_tests" in affects.get(a, set()) or f"{a}_tests" in affects.get(b, set())

    pending = {sid: list(answers.items()) for sid, answers in WRONG_ANSWERS.get(chapter, {}).items()}
    rounds = []
    while any(pending.values()):
        chosen: dict[str, tuple[str, str]] = {}
        for sid, queue in pending.items():
            if queue and not any(conflict(sid, other) for other in chosen):
                chosen[sid] = queue.pop(0)
        rounds.append(chosen)
    return rounds


def _wrong_cases():
    for chapter in chapters():
        for k, round_ in enumerate(submission_rounds(chapter)):
            yield pytest.param(chapter, round_, id=f"{chapter}-round{k}")


@pytest.mark.parametrize("chapter, wrong", list(_wrong_cases()))
def test_typical_wrong_answers_lose_points(tmp_path, chapter, wrong):
    """Does each typical wrong answer score less than full marks on its own exercise, and cost
    nothing on exercises that do not depend on it?"""
    nb = source(chapter)
    for solution_id, (_description, body) in wrong.items():
        cell = cell_by_id(nb, solution_id)
        cell.source = with_body(cell.source, body)
    grades = grade(tmp_path, chapter, {"wrong": nb})["wrong"]
    allowed = set()
    for solution_id, (description, _body) in wrong.items():
        test_cell = f"{solution_id}_tests"
        score, max_score = grades[test_cell]
        assert score < max_score, f"{chapter}/{solution_id}: '{description}' still got {score}/{max_score}"
        allowed |= {test_cell} | AFFECTS.get(chapter, {}).get(solution_id, set())
    others = {c: s for c, s in grades.items() if c not in allowed and s[0] < s[1]}
    assert not others, f"{sorted(d for d, _ in wrong.values())} also cost points elsewhere: {others}"


def test_rounds_cover_every_wrong_answer_once():
    """Is every wrong answer submitted exactly once, never beside an exercise it affects?"""
    for chapter in chapters():
        seen = [(sid, d) for r in submission_rounds(chapter) for sid, (d, _) in r.items()]
        expected = [(sid, d) for sid, answers in WRONG_ANSWERS.get(chapter, {}).items() for d in answers]
        assert sorted(seen) == sorted(expected)
        for round_ in submission_rounds(chapter):
            for sid in round_:
                assert not AFFECTS.get(chapter, {}).get(sid, set()) & {f"{o}_tests" for o in round_}
