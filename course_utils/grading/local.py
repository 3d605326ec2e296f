"""For chapter authors: grade a notebook in this process, without a sandbox, and print the cases.

    python -m course_utils.grading.local solutions/01_losses/01_losses.ipynb
    python -m course_utils.grading.local solutions/01_losses/01_losses.ipynb --submission my.ipynb

Runs the submission's code cells (default: the instructor's notebook itself) in an IPython shell
in this process, then every grade cell's hidden tests against it through ``LocalStudent``: the
same plain-data path as real grading, but nothing is isolated. Real grading is
``make autograde`` (or ``course_utils.grading.sandbox``).
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import nbformat

from .hidden import LocalStudent, run_hidden_tests
from .notebook import grade_cells, program
from .runner import make_shell, run_cell


def grade_locally(trusted_nb, submission_nb=None, *, quiet: bool = False):
    os.environ.setdefault("COURSE_FAST", "1")
    os.environ.setdefault("COURSE_STATIC", "1")
    os.environ.setdefault("MPLBACKEND", "Agg")
    cells = grade_cells(trusted_nb)
    shell = make_shell()
    for k, source in enumerate(program(submission_nb or trusted_nb, {c.grade_id: c.source for c in cells})):
        report = run_cell(shell, source)
        if report["error"] and not quiet:
            e = report["error"]
            print(f"cell {k}: {e['type']}: {e['message']}", file=sys.stderr)
    student = LocalStudent(shell.user_ns)
    return [run_hidden_tests(c.grade_id, c.source, c.points, student) for c in cells]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", help="the instructor's notebook (with hidden tests)")
    parser.add_argument("--submission", help="a student's notebook (default: the notebook itself)")
    args = parser.parse_args(argv)
    trusted = nbformat.read(args.notebook, as_version=4)
    submission = nbformat.read(args.submission, as_version=4) if args.submission else None
    start = time.perf_counter()
    verdicts = grade_locally(trusted, submission)
    total = sum(v.score for v in verdicts)
    for v in verdicts:
        print(v.report())
    print(f"total: {total:g} of {sum(v.points for v in verdicts):g} points "
          f"({time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
