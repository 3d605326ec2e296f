"""nbgrader's gradebook on a real PostgreSQL server (started and stopped by the tests, see pg.py)."""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

import pytest
from nbgrader.api import Gradebook

from pg import postgres_available, postgres_server

_UNAVAILABLE = postgres_available()
pytestmark = pytest.mark.skipif(_UNAVAILABLE is not None, reason=_UNAVAILABLE or "")


@pytest.fixture(autouse=True)
def _alembic_on_path(monkeypatch):
    """A new gradebook runs ``alembic`` from PATH: use this environment's (also when .venv/bin
    is not on PATH because pytest was started as .venv/bin/python -m pytest)."""
    monkeypatch.setenv("PATH", os.pathsep.join([str(Path(sys.executable).parent),
                                                os.environ.get("PATH", "")]))


def test_gradebook_roundtrip(tmp_path):
    with postgres_server(tmp_path) as url:
        assert url.startswith("postgresql+psycopg://")
        with Gradebook(url) as gb:
            gb.add_student("ada", first_name="Ada", last_name="Lovelace", email="ada@example.org")
            gb.add_assignment("ps1")
        with Gradebook(url) as gb:  # a new connection reads what the first one committed
            [student] = gb.students
            assert (student.id, student.first_name, student.last_name, student.email) == \
                ("ada", "Ada", "Lovelace", "ada@example.org")
            assert [a.name for a in gb.assignments] == ["ps1"]
            assert gb.find_assignment("ps1").name == "ps1"


def _write_students(url: str, prefix: str, count: int, barrier) -> None:
    """In a child process: add ``count`` students and their submissions to ps1."""
    with Gradebook(url) as gb:
        barrier.wait(timeout=60)  # both processes connected: now write at the same time
        for i in range(count):
            gb.add_student(f"{prefix}{i:02d}")
            gb.add_submission("ps1", f"{prefix}{i:02d}")


def test_two_processes_write_concurrently(tmp_path):
    count = 25
    with postgres_server(tmp_path) as url:
        with Gradebook(url) as gb:  # create the schema once, before the writers start
            gb.add_assignment("ps1")
        ctx = multiprocessing.get_context("spawn")  # no database connections inherited by fork
        barrier = ctx.Barrier(2)
        procs = [ctx.Process(target=_write_students, args=(url, prefix, count, barrier))
                 for prefix in ("a", "b")]
        for p in procs:
            p.start()
        try:
            for p in procs:
                p.join(timeout=120)
            assert [p.exitcode for p in procs] == [0, 0]
        finally:
            for p in procs:
                if p.is_alive():
                    p.kill()
                    p.join(timeout=10)
        with Gradebook(url) as gb:
            expected = sorted(f"{prefix}{i:02d}" for prefix in "ab" for i in range(count))
            assert sorted(s.id for s in gb.students) == expected
            assert sorted(s.student.id for s in gb.find_assignment("ps1").submissions) == expected


def _class_folder(root: Path) -> list[str]:
    """A small class of chapter 01: the reference, the stub and two typical wrong answers."""
    import nbformat

    from chapter_tests import WRONG_ANSWERS
    from nbtools import ROOT, cell_by_id, hand_in, scratch_course, with_body

    chapter = "01_losses"
    scratch_course(root, chapter)
    reference = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    students = {"ref": reference,
                "stub": nbformat.read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)}
    for sid in ("softmax", "hinge_loss"):
        nb = nbformat.from_dict(reference)
        cell = cell_by_id(nb, sid)
        cell.source = with_body(cell.source, next(iter(WRONG_ANSWERS[chapter][sid].values())))
        students[f"wrong_{sid}"] = nb
    for student, nb in students.items():
        hand_in(root, chapter, student, nb)
    return sorted(students)


def _grades(url: str, students: list[str]) -> dict:
    with Gradebook(url) as gb:
        return {s: {g.name: g.score for g in gb.find_submission_notebook("01_losses", "01_losses", s).grades
                    if g.max_score > 0} for s in students}


@pytest.mark.slow
def test_a_class_gets_identical_grades_in_sqlite_and_postgres(tmp_path):
    """`make autograde JOBS=2` into SQLite and into PostgreSQL: the same grades, none lost."""
    import subprocess

    from nbtools import course_env

    results = {}
    for backend in ("sqlite", "postgres"):
        root = tmp_path / backend
        students = _class_folder(root)
        command = [sys.executable, "-m", "course_utils.grading.batch", "01_losses", "--jobs", "2"]
        if backend == "sqlite":
            out = subprocess.run(command, cwd=root, env=course_env(), capture_output=True, text=True)
            assert out.returncode == 0, out.stdout + out.stderr
            results[backend] = _grades(f"sqlite:///{root / 'gradebook.db'}", students)
        else:
            (tmp_path / "pg").mkdir()
            with postgres_server(tmp_path / "pg") as url:
                out = subprocess.run(command, cwd=root, env=course_env(COURSE_DB_URL=url),
                                     capture_output=True, text=True)
                assert out.returncode == 0, out.stdout + out.stderr
                results[backend] = _grades(url, students)
                # resuming grades nothing twice
                again = subprocess.run(command, cwd=root, env=course_env(COURSE_DB_URL=url),
                                       capture_output=True, text=True)
                assert "0 of 4 submissions to grade" in again.stdout, again.stdout
                assert _grades(url, students) == results[backend]
            assert not (root / "gradebook.db").exists(), "COURSE_DB_URL was ignored"
    assert results["sqlite"] == results["postgres"]
    sqlite = results["sqlite"]
    assert sum(sqlite["ref"].values()) == 12 and sum(sqlite["stub"].values()) == 0
    assert sqlite["wrong_softmax"]["softmax_tests"] < 2
    assert sqlite["wrong_hinge_loss"]["hinge_loss_tests"] < 2
