"""The red-team suite: abusive submissions graded as a class, beside honest classmates.

One scratch course holds chapter 01, three honest students (the reference, the untouched stub,
and a partly wrong answer) and every attack of ``redteam/attacks.py``. The whole class is graded
once with ``course_utils.grading.batch --jobs 2`` (the real nbgrader pipeline and sandbox); then
each test checks one promise: no attack scores more than it earned, nothing leaks into its
feedback, classmates' grades and files are untouched, the grader survived, and nothing the
attacks started is still running.
"""

from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import nbformat
import pytest

from course_utils.grading.hidden import visible_source
from nbtools import ROOT, cell_by_id, course_env, scratch_course, with_body
from nbtools import hand_in as submit
from redteam.attacks import ATTACKS, CANARY_OTHER, CANARY_OUTSIDE, FULL

pytestmark = pytest.mark.slow
CHAPTER = "01_losses"
HONEST = {"alice": FULL, "bob": 0.0}          # carol: partly wrong, checked separately


def _nb(kind: str) -> nbformat.NotebookNode:
    """The release ("stub"), or the release with every answer written ("reference"): the
    instructor's notebook without its hidden tests, as a perfect student hands it in."""
    folder = "solutions" if kind == "reference" else "notebooks"
    nb = nbformat.read(ROOT / folder / CHAPTER / f"{CHAPTER}.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = visible_source(cell.source)
    return nb


def _student_id(k: int) -> str:
    return f"attack{k:02d}"


def _hashes(root: Path, exclude: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_file() and not rel.startswith(exclude):
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _sandbox_processes() -> list[str]:
    result = subprocess.run(["ps", "-eo", "uid=,pid=,args="], capture_output=True, text=True)
    # the batch's workers use slots 0, 1, ... (uids 61000, 61001, ...); other tests use 900+
    return [line for line in result.stdout.splitlines()
            if line.split() and 61000 <= int(line.split()[0]) < 61100]


def _grade_class(tmp: Path) -> dict:
    root = scratch_course(tmp / "course", CHAPTER)
    with open(root / "nbgrader_config.py", "a") as config:   # shorter limits, same mechanism
        config.write("\nc.SandboxGrade.cell_timeout = 20\nc.SandboxGrade.call_timeout = 10\n"
                     "c.SandboxGrade.total_timeout = 300\n")
    (root / "outside-canary.txt").write_text(CANARY_OUTSIDE)
    outside_tmp = Path("/tmp") / f"outside-canary-{uuid.uuid4().hex}.txt"
    outside_tmp.write_text(CANARY_OUTSIDE)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.5)
    connections: list[str] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, addr = listener.accept()
                connections.append(str(addr))
                conn.close()
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()

    def hand_in(student: str, nb, files: dict[str, bytes] | None = None) -> None:
        submit(root, CHAPTER, student, nb, files)

    alice = _nb("reference")
    alice.cells.append(nbformat.v4.new_markdown_cell(f"my notes {CANARY_OTHER}"))
    hand_in("alice", alice)
    hand_in("bob", _nb("stub"))
    carol = _nb("reference")
    cell = cell_by_id(carol, "softmax")
    cell.source = with_body(cell.source, "e = torch.exp(scores)\nreturn e / e.sum(dim=1, keepdim=True)")
    hand_in("carol", carol)
    for k, attack in enumerate(ATTACKS):
        nb = _nb(attack.base)
        files: dict[str, bytes] = {}
        attack.edit(nb, files)
        if "network" in attack.name:
            files["port.txt"] = str(listener.getsockname()[1]).encode()
        hand_in(_student_id(k), nb, files)
    before = _hashes(root, ("autograded", "gradebook.db", "feedback", "solutions"))

    env = course_env()
    result = subprocess.run([sys.executable, "-m", "course_utils.grading.batch", CHAPTER,
                             "--jobs", "2"], cwd=root, env=env, capture_output=True, text=True,
                            timeout=1800)
    feedback = subprocess.run([sys.executable, "-m", "nbgrader", "generate_feedback", CHAPTER],
                              cwd=root, env=env, capture_output=True, text=True, timeout=600)
    stop.set()
    thread.join(timeout=5)
    listener.close()
    leftovers = _sandbox_processes()

    from nbgrader.api import Gradebook
    grades = {}
    with Gradebook(f"sqlite:///{root / 'gradebook.db'}") as gb:
        for folder in sorted((root / "submitted").iterdir()):
            try:
                nb = gb.find_submission_notebook(CHAPTER, CHAPTER, folder.name)
            except Exception:
                continue
            grades[folder.name] = {g.name: g.score for g in nb.grades if g.max_score > 0}
    texts = {}
    for student in grades:
        parts = []
        for sub in ("autograded", "feedback"):
            for path in (root / sub / student / CHAPTER).glob("*.*"):
                if path.suffix in (".ipynb", ".html"):
                    parts.append(path.read_text(errors="replace"))
        texts[student] = "\n".join(parts)
    after = _hashes(root, ("autograded", "gradebook.db", "feedback", "solutions"))
    planted = [p for p in ("/tmp/planted.txt", "/var/tmp/planted.txt", "/root/planted.txt",
                           str(root / "planted.txt"), str(root / "submitted" / "planted.txt"))
               if os.path.exists(p)]
    outside_intact = outside_tmp.read_text() == CANARY_OUTSIDE
    outside_tmp.unlink()
    for p in planted:
        os.unlink(p)
    return {"returncode": result.returncode, "stdout": result.stdout[-20000:],
            "stderr": result.stderr[-5000:], "feedback_rc": feedback.returncode,
            "feedback_err": feedback.stderr[-3000:], "grades": grades, "texts": texts,
            "changed": sorted(k for k in before if before[k] != after.get(k)),
            "leftovers": leftovers, "connections": connections, "planted": planted,
            "outside_intact": outside_intact,
            "hidden_markers": {s: ("BEGIN HIDDEN TESTS" in t or "def hidden_tests" in t)
                               for s, t in texts.items()}}


@pytest.fixture(scope="session")
def graded(once, tmp_path_factory):
    return once("redteam", lambda: _grade_class(tmp_path_factory.mktemp("redteam")))


def test_the_whole_class_was_graded(graded):
    """Did the batch grade every submission, attacks included, and exit cleanly?"""
    expected = set(HONEST) | {"carol"} | {_student_id(k) for k in range(len(ATTACKS))}
    missing = expected - set(graded["grades"])
    assert not missing, f"not graded: {sorted(missing)}\n{graded['stdout']}\n{graded['stderr']}"
    assert graded["returncode"] == 0, graded["stdout"] + graded["stderr"]
    assert graded["feedback_rc"] == 0, graded["feedback_err"]


def test_honest_classmates_get_what_they_earned(graded):
    grades = graded["grades"]
    assert sum(grades["alice"].values()) == FULL, grades["alice"]
    assert sum(grades["bob"].values()) == 0, grades["bob"]
    carol = grades["carol"]
    assert 0 < carol["softmax_tests"] < 2, carol
    assert all(v == m for k, v in carol.items() if k != "softmax_tests"
               for m in [dict(hinge_loss_tests=2, cross_entropy_tests=3, soft_dice_loss_tests=2,
                              train_linear_classifier_tests=3)[k]]), carol


def _scored_cases():
    for k, attack in enumerate(ATTACKS):
        marks = [pytest.mark.xfail(strict=True, reason=attack.note)] if attack.known_gap else []
        yield pytest.param(k, marks=marks, id=attack.name)


@pytest.mark.parametrize("k", list(_scored_cases()))
def test_attack_scores_no_more_than_it_earned(graded, k):
    attack = ATTACKS[k]
    grades = graded["grades"][_student_id(k)]
    total = sum(grades.values())
    assert total <= attack.honest + 1e-9, f"{attack.name}: {total} > {attack.honest}: {grades}"
    for cell, most in attack.cell_max.items():
        assert grades[cell] <= most + 1e-9, f"{attack.name}: {cell} scored {grades[cell]} > {most}"
    if attack.honest == FULL:
        assert total == FULL, f"{attack.name} should keep its honest full marks: {grades}"


@pytest.mark.parametrize("k", range(len(ATTACKS)), ids=[a.name for a in ATTACKS])
def test_attack_leaks_nothing(graded, k):
    text = graded["texts"][_student_id(k)]
    assert CANARY_OTHER not in text, "a classmate's notebook leaked into the feedback"
    assert CANARY_OUTSIDE not in text, "a file outside the submission leaked into the feedback"
    assert not graded["hidden_markers"][_student_id(k)], "hidden tests are in the feedback"


def test_nobody_was_harmed(graded):
    """Classmates' files, files outside the submissions, the network and the process table."""
    assert graded["changed"] == [], f"files changed by grading: {graded['changed']}"
    assert graded["outside_intact"], "a file in /tmp was overwritten"
    assert graded["planted"] == [], f"files written outside a submission: {graded['planted']}"
    assert graded["connections"] == [], f"a sandbox reached the network: {graded['connections']}"
    assert graded["leftovers"] == [], f"sandbox processes outlived grading: {graded['leftovers']}"
