"""Grading that the student's code cannot reach.

- ``hidden``: how hidden tests are written (``hidden_tests(student, case)``), partial credit,
  and the verdict, computed in the grader's own process;
- ``wire``: the plain data that may cross from the student's process to the grader;
- ``calls`` and ``runner``: what runs where the student's code runs (cells, graded calls);
- ``sandbox``: the student's process: a fork of a clean, pre-warmed process, with its own
  network, mount and PID namespaces, an unprivileged user and resource limits;
- ``nbgrader_plugin``: the preprocessors that put all this into ``nbgrader autograde``;
- ``batch``: a whole class in parallel (``make autograde JOBS=N``);
- ``local``: for authors, grade a notebook in-process (no isolation).
"""

from .hidden import Call, LocalStudent, Student, StudentError, Verdict, run_hidden_tests

__all__ = ["Call", "LocalStudent", "Student", "StudentError", "Verdict", "run_hidden_tests"]
