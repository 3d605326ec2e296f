"""Every exercise's hidden tests, graded the way submissions are: in the sandbox.

For every chapter, one sandboxed process runs the instructor's notebook; then each grade cell's
hidden tests run in this process against it. The reference must earn every point. Each typical
wrong answer (tests/wrong_answers/) and each alternative correct answer (tests/alternatives/) is
swapped in by running its solution cell again in the same process (what a student does when
editing a cell), and the whole notebook is graded: a wrong answer must lose points on its own
exercise and cost nothing elsewhere (except the exercises declared in AFFECTS), an alternative
must earn full marks everywhere. The untouched student release must score zero.
"""

from __future__ import annotations

import nbformat
import pytest

from chapter_tests import AFFECTS, ALTERNATIVES, WRONG_ANSWERS
from course_utils.grading.grade import grade_submission
from course_utils.grading.hidden import SandboxGone, run_hidden_tests
from course_utils.grading.notebook import grade_cells, program
from course_utils.grading.sandbox import Limits, zygote
from nbtools import ROOT, cell_by_id, chapters, with_body

pytestmark = pytest.mark.slow
LIMITS = Limits(cell_timeout=300, call_timeout=120, total_timeout=3600)


def source(chapter: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)


def release(chapter: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)


class Graded:
    """The instructor's notebook running in a sandbox, graded again after each swapped cell."""

    def __init__(self, chapter: str) -> None:
        self.nb = source(chapter)
        self.cells = grade_cells(self.nb)
        self.sources = program(self.nb, {c.grade_id: c.source for c in self.cells})
        self.session = None

    def start(self) -> None:
        self.session = zygote().spawn({}, slot=900, limits=LIMITS, hide=[str(ROOT / "solutions")])
        for k, src in enumerate(self.sources):
            report = self.session.run_cell(src)
            assert report["error"] is None, f"code cell {k + 1} of the reference failed: {report}"

    def grade(self, swap: str | None = None) -> dict[str, tuple[float, float, str]]:
        """{grade cell: (score, points, report)}, after running ``swap`` (a cell's source)."""
        if self.session is None or self.session.gone:
            self.start()
        if swap is not None:
            self.session.run_cell(swap)
        out = {}
        for cell in self.cells:
            verdict = run_hidden_tests(cell.grade_id, cell.source, cell.points, self.session.student)
            out[cell.grade_id] = (verdict.score, verdict.points, verdict.report())
        return out

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


@pytest.fixture(scope="module")
def graded_chapters():
    made: dict[str, Graded] = {}

    def get(chapter: str) -> Graded:
        if chapter not in made:
            made[chapter] = Graded(chapter)
        return made[chapter]

    yield get
    for g in made.values():
        g.close()


def test_every_exercise_has_wrong_and_alternative_answers():
    """Does every solution cell have a typical wrong answer and two alternative correct ones?"""
    for chapter in chapters():
        solutions = {c.metadata["nbgrader"]["grade_id"] for c in source(chapter).cells
                     if c.metadata.get("nbgrader", {}).get("solution")}
        assert solutions, f"{chapter} has no exercises"
        missing = solutions - set(WRONG_ANSWERS.get(chapter, {}))
        assert not missing, f"{chapter}: no wrong answers for {sorted(missing)}"
        alternatives = ALTERNATIVES.get(chapter, {})
        few = sorted(s for s in solutions if len(alternatives.get(s, {})) < 2)
        assert not few, f"{chapter}: fewer than two alternative correct answers for {few}"


def test_every_grade_cell_has_hidden_tests_in_the_house_form():
    for chapter in chapters():
        for cell in grade_cells(source(chapter)):
            assert "def hidden_tests(student, case):" in cell.source, (
                f"{chapter}/{cell.grade_id}: hidden tests must define hidden_tests(student, case)")


@pytest.mark.parametrize("chapter", chapters())
def test_reference_scores_full_marks(graded_chapters, chapter):
    grades = graded_chapters(chapter).grade()
    lost = {c: r for c, (s, p, r) in grades.items() if s != p}
    assert not lost, "the reference lost points:\n" + "\n".join(lost.values())


@pytest.mark.parametrize("chapter", chapters())
def test_release_scores_zero(chapter):
    nb = release(chapter)
    result = grade_submission(grade_cells(source(chapter)), nb, limits=LIMITS,
                              hide=[str(ROOT / "solutions")], slot=901)
    scored = {v.cell: v.report() for v in result.verdicts if v.score > 0}
    assert not scored, "the untouched stub scored:\n" + "\n".join(scored.values())


def _swaps(table: dict, chapter: str):
    for chapter_ in ([chapter] if chapter else chapters()):
        for solution_id, answers in table.get(chapter_, {}).items():
            for description in answers:
                yield pytest.param(chapter_, solution_id, description,
                                   id=f"{chapter_}-{solution_id}-{description[:40]}")


def _graded_with(graded_chapters, chapter, solution_id, body):
    g = graded_chapters(chapter)
    reference = cell_by_id(g.nb, solution_id).source
    try:
        return g.grade(with_body(reference, body))
    except SandboxGone:
        g.session = None
        raise
    finally:
        if g.session is not None and not g.session.gone:
            g.session.run_cell(reference)          # put the reference back for the next case


@pytest.mark.parametrize("chapter, solution_id, description", list(_swaps(WRONG_ANSWERS, None)))
def test_typical_wrong_answer_loses_points(graded_chapters, chapter, solution_id, description):
    body = WRONG_ANSWERS[chapter][solution_id][description]
    grades = _graded_with(graded_chapters, chapter, solution_id, body)
    own = f"{solution_id}_tests"
    score, points, report = grades[own]
    assert score < points, f"'{description}' still got {score}/{points}:\n{report}"
    allowed = {own} | AFFECTS.get(chapter, {}).get(solution_id, set())
    others = {c: r for c, (s, p, r) in grades.items() if c not in allowed and s < p}
    assert not others, f"'{description}' also cost points elsewhere:\n" + "\n".join(others.values())


@pytest.mark.parametrize("chapter, solution_id, description", list(_swaps(ALTERNATIVES, None)))
def test_alternative_correct_answer_scores_full(graded_chapters, chapter, solution_id, description):
    body = ALTERNATIVES[chapter][solution_id][description]
    grades = _graded_with(graded_chapters, chapter, solution_id, body)
    lost = {c: r for c, (s, p, r) in grades.items() if s != p}
    assert not lost, f"the correct alternative '{description}' lost points:\n" + "\n".join(lost.values())


DO_NOTHING = {"returns None": "return None", "returns 0.0": "return 0.0",
              "returns a zero tensor": "import torch\nreturn torch.zeros(())",
              "returns its first argument": "_args = list(locals().values())\n"
                                            "return _args[0] if _args else None"}


def _do_nothing_cases():
    for chapter in chapters():
        for cell in source(chapter).cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("solution") and cell.cell_type == "code":
                yield pytest.param(chapter, meta["grade_id"], id=f"{chapter}-{meta['grade_id']}")


@pytest.mark.parametrize("chapter, solution_id", list(_do_nothing_cases()))
def test_an_answer_that_does_nothing_earns_nothing(graded_chapters, chapter, solution_id):
    """A function that returns None, 0, a zero tensor or its own input earns no point on its
    exercise: requirements on *how* (inputs unchanged, no forbidden function, the return type)
    are rule cases, which only count once the answer works somewhere."""
    for description, body in DO_NOTHING.items():
        grades = _graded_with(graded_chapters, chapter, solution_id, body)
        score, points, report = grades[f"{solution_id}_tests"]
        assert score == 0, f"an answer that {description} scored {score}/{points}:\n{report}"
