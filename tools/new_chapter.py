"""Create a new chapter from the course's skeleton: source notebook, release, tests, toc entry.

    python -m tools.new_chapter 06_regularization "Regularization"

Writes ``solutions/<id>/<id>.ipynb`` (header and set-up cells, imports, one example exercise with
visible checks and hidden tests in the house form), the student release in ``notebooks/``, the
chapter's test folder ``tests/chapters/<id>/`` (a claims probe, typical wrong answers, two
alternative correct answers) and the chapter's entry in ``_toc.yml``. The skeleton passes
``make test`` untouched; replace the example with the chapter's content (see CONTRIBUTING.md).
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from pathlib import Path

import nbformat
import yaml

from . import headers
from .course import ROOT

ID = re.compile(r"^(?P<number>\d\d)_[a-z][a-z0-9_]*$")


def _meta(grade_id: str, *, solution=False, grade=False, locked=True, points=None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def skeleton(chapter: str, title: str) -> nbformat.NotebookNode:
    number = chapter[:2]
    md, code = nbformat.v4.new_markdown_cell, nbformat.v4.new_code_cell
    cells = [
        md(f"# {number} {title}\n\nWhat this chapter teaches, in two or three sentences.\n\n"
           "| exercise | what you write | points |\n|---|---|---|\n| 1 | `scale` | 1 |\n\n"
           "Each exercise is followed by a cell of checks: run it after your answer. More tests "
           "run when your notebook is graded.", id="intro"),
        code("import matplotlib.pyplot as plt\nimport torch\n\nfrom course_utils import pick_device\n"
             "from course_utils.checks import check_close, exercise\n\n"
             "device = pick_device()", id="imports"),
        md("## 1. The first idea\n\nText, formulas ($y = a x$) and a demo per idea.", id="idea1"),
        code("x = torch.linspace(0, 1, 5)\nprint(x)\n\nfig, ax = plt.subplots(figsize=(4, 3))\n"
             "ax.plot(x, 2 * x, marker='o', label='$y = 2x$')\nax.set_xlabel('x')\n"
             "ax.set_ylabel('y')\nax.legend()\nplt.show()", id="demo1"),
        md("### Exercise 1: scale a tensor (1 point)\n\nWrite `scale(x, factor)`, returning "
           "`factor * x` as a new tensor (leave `x` unchanged). Graded by hidden tests: the "
           "point is shared among 3 cases (a vector, a matrix, `x` left unchanged).", id="ex1_task"),
        code(textwrap.dedent('''\
            def scale(x: torch.Tensor, factor: float) -> torch.Tensor:
                """Multiply every entry of x by factor.

                Args:
                    x: a float tensor of any shape.
                    factor: the number to multiply by.

                Returns:
                    A new tensor of x's shape.
                """
                ### BEGIN SOLUTION
                return factor * x
                ### END SOLUTION'''), id="scale"),
        code(textwrap.dedent('''\
            with exercise("Exercise 1"):
                check_close(scale(torch.tensor([1.0, 2.0]), 3.0), [3.0, 6.0], name="scale([1, 2], 3)",
                            hint="Multiply, do not add.")
            ### BEGIN HIDDEN TESTS
            def hidden_tests(student, case):
                import torch
                from course_utils.checks import check_close

                g = torch.Generator().manual_seed(0)
                for name, x, factor in [("a vector", torch.randn(7, generator=g), -1.5),
                                        ("a matrix", torch.randn(3, 4, generator=g), 0.25)]:
                    with case(f"scales {name}", weight=2):
                        check_close(student.scale(x, factor), factor * x, name="scale", atol=1e-6)
                with case("leaves x unchanged", rule=True):
                    call = student.call("scale", torch.ones(3), 2.0)
                    assert not call.mutated, "scale changed x in place: return a new tensor"
            ### END HIDDEN TESTS'''), id="scale_tests"),
        md("## Summary\n\nWhat to remember, in a few bullet points.", id="summary"),
    ]
    cells[0].metadata = _meta("intro")
    cells[4].metadata = _meta("ex1_task")
    cells[5].metadata = _meta("scale", solution=True, locked=False)
    cells[6].metadata = _meta("scale_tests", grade=True, points=1)
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata.update({"kernelspec": {"name": "python3", "display_name": "Python 3",
                                       "language": "python"},
                        "language_info": {"name": "python"}})
    headers.stamp(nb, chapter)
    return nb


TESTS = {
    "test_{chapter}.py": '''\
        """Chapter {number} reproduces what its text claims: the probe reads the chapter's own values."""

        import pytest

        from nbtools import ROOT, run_with_probe

        pytestmark = pytest.mark.slow
        PROBE = "probe = {{'x': x.tolist(), 'scaled': scale(x, 2.0).tolist()}}"


        @pytest.fixture(scope="module")
        def measured(once):
            return once("{chapter}", lambda: run_with_probe(
                ROOT / "solutions" / "{chapter}" / "{chapter}.ipynb", PROBE))


        def test_the_demo_and_the_exercise_agree(measured):
            assert measured["scaled"] == [2 * v for v in measured["x"]]
        ''',
    "wrong_answers.py": '''\
        """Typical wrong answers to chapter {number}'s exercises (see tests/test_grading.py)."""

        AFFECTS: dict[str, set[str]] = {{}}

        WRONG_ANSWERS = {{
            "scale": {{
                "adds instead of multiplying": "return x + factor",
                "scales in place": "x.mul_(factor)\\nreturn x",
            }},
        }}
        ''',
    "alternatives.py": '''\
        """Correct answers to chapter {number}'s exercises written unlike the reference."""

        ALTERNATIVES = {{
            "scale": {{
                "torch.mul": "return torch.mul(x, factor)",
                "a copy scaled in place": "y = x.clone()\\ny *= factor\\nreturn y",
            }},
        }}
        ''',
}


def add_to_toc(toc_path: Path, chapter: str) -> None:
    """Insert notebooks/<id>/<id> into _toc.yml after the chapter numbered just below it."""
    toc = yaml.safe_load(toc_path.read_text())
    entry = f"notebooks/{chapter}/{chapter}"
    parts = toc["parts"]
    best = None
    for p, part in enumerate(parts):
        for c, item in enumerate(part.get("chapters", [])):
            m = re.match(r"notebooks/(\d\d)_", item.get("file", ""))
            if m and m.group(1) < chapter[:2]:
                best = (p, c)
            if item.get("file") == entry:
                return
    text = toc_path.read_text()
    if best is None:           # the first chapter: before the instructors' part
        raise SystemExit("add the chapter to _toc.yml by hand: no earlier chapter to follow")
    previous = parts[best[0]]["chapters"][best[1]]["file"]
    line = next(l for l in text.splitlines() if l.strip() == f"- file: {previous}")
    indent = line[: len(line) - len(line.lstrip())]
    toc_path.write_text(text.replace(line + "\n", f"{line}\n{indent}- file: {entry}\n", 1))


def create(chapter: str, title: str, root: Path = ROOT) -> list[Path]:
    """Write the skeleton of ``chapter`` under ``root``; return the files written."""
    m = ID.match(chapter)
    if not m:
        raise SystemExit(f"a chapter id is two digits, an underscore and a lower-case name "
                         f"(06_regularization), not {chapter!r}")
    source = root / "solutions" / chapter / f"{chapter}.ipynb"
    tests = root / "tests" / "chapters" / chapter
    if source.exists() or tests.exists():
        raise SystemExit(f"{chapter} exists already ({source.parent} or {tests})")
    source.parent.mkdir(parents=True)
    nbformat.write(skeleton(chapter, title), source)
    tests.mkdir(parents=True)
    written = [source]
    for name, template in TESTS.items():
        path = tests / name.format(chapter=chapter)
        path.write_text(textwrap.dedent(template).format(chapter=chapter, number=m.group("number")))
        written.append(path)
    add_to_toc(root / "_toc.yml", chapter)
    written.append(root / "_toc.yml")
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", help="the chapter id, e.g. 06_regularization")
    parser.add_argument("title", help='the chapter title, e.g. "Regularization"')
    args = parser.parse_args(argv)
    for path in create(args.chapter, args.title):
        print(f"wrote {path.relative_to(ROOT)}")
    from . import release
    release.main([args.chapter])
    print("next: write the chapter in JupyterLab, then `make release` and `make test`")
    return 0


if __name__ == "__main__":
    sys.exit(main())
