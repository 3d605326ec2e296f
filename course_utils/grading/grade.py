"""Grade one submission: run it in a sandbox, then its hidden tests in this (trusted) process.

``grade_submission`` is what ``nbgrader autograde`` (through ``nbgrader_plugin``), the class
batch and the tests all call. A cell that kills or hangs the student's process is skipped on a
fresh start (at most ``RESTARTS`` times), so one bad cell costs only what depends on it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from .hidden import SandboxGone, Verdict, run_hidden_tests
from .notebook import GradeCell, program
from .sandbox import Limits, Session, zygote

RESTARTS = 3


@dataclass
class SubmissionResult:
    verdicts: list[Verdict]
    cells: list[dict | None]              # one report per code cell run (None: not run)
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def score(self) -> float:
        return sum(v.score for v in self.verdicts)


class _Runner:
    def __init__(self, sources, files, slot, limits, hide):
        self.sources, self.files, self.slot, self.limits, self.hide = sources, files, slot, limits, hide
        self.skip: set[int] = set()
        self.restarts = 0
        self.notes: list[str] = []
        self.reports: list[dict | None] = [None] * len(sources)
        self.session: Session | None = None

    def start(self) -> Session | None:
        """A live session that has run the notebook (restarting past cells that killed it), or
        None once the notebook's process has ended too often."""
        while self.session is None or self.session.gone:
            if self.session is not None:
                if self.restarts == RESTARTS:
                    if not self.notes or not self.notes[-1].startswith("grading stopped"):
                        self.notes.append("grading stopped: the notebook's process ended too often")
                    return None
                self.restarts += 1
            self.session = zygote().spawn(self.files, slot=self.slot, limits=self.limits, hide=self.hide)
            for i, source in enumerate(self.sources):
                if i in self.skip:
                    continue
                try:
                    self.reports[i] = self.session.run_cell(source)
                except SandboxGone as error:
                    self.skip.add(i)
                    self.reports[i] = {"output": "", "seconds": 0.0, "error": {
                        "type": "Stopped", "message": f"{error}; this cell is skipped", "where": ""}}
                    self.notes.append(f"code cell {i + 1}: {error}; it was skipped and the "
                                      "notebook run again without it")
                    break
        return self.session

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


def grade_submission(cells: list[GradeCell], submission_nb, *, files: dict[str, bytes] | None = None,
                     slot: int = 0, limits: Limits | None = None,
                     hide: list[str] | None = None) -> SubmissionResult:
    """Grade ``submission_nb`` against the instructor's grade ``cells`` (with hidden tests).

    ``files``: the files handed in beside the notebook (name -> bytes), copied into the
    sandbox's working folder.
    """
    start = time.perf_counter()
    sources = program(submission_nb, {c.grade_id: c.source for c in cells})
    runner = _Runner(sources, files, slot, limits or Limits(), hide)
    verdicts = []
    try:
        for cell in cells:
            session = runner.start()
            if session is None:
                verdicts.append(Verdict(cell.grade_id, cell.points,
                                        error="the notebook could not be run to the end"))
                continue
            verdicts.append(run_hidden_tests(cell.grade_id, cell.source, cell.points, session.student))
            if session.gone:
                runner.notes.append(f"{cell.grade_id}: {session.gone}")
    finally:
        runner.close()
    return SubmissionResult(verdicts, runner.reports, runner.notes, time.perf_counter() - start)
