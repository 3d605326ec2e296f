"""Build the static HTML book from the chapter sources.

For every chapter, the page is made from ``solutions/<chapter>/<chapter>.ipynb``:
hidden tests are removed with nbgrader's own ``ClearHiddenTests``, the solution markers are
dropped, and solution cells are collapsed behind a toggle (the ``hide-input`` tag). Pages are
written to ``_build/book_src/notebooks/<chapter>/<chapter>.ipynb``, the same path as the student
release, so the book's Colab and Binder buttons open the student notebook. Jupyter Book then
executes every page (``COURSE_STATIC=1``: widgets draw their static figures) into ``_build/html``.

    python -m tools.book            # build the book
    python -m tools.book --pages    # only write the pages
"""

from __future__ import annotations

import argparse
import copy
import re
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
from nbgrader.preprocessors import ClearHiddenTests

from . import headers
from .course import BOOK, ROOT, chapters, source_notebook, toc_problems

BUILD = ROOT / "_build"
SOURCE = BUILD / "book_src"
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
# Citations in the notebooks are Markdown links that read well anywhere (JupyterLab, Colab):
# [Ioffe and Szegedy (2015)](cite:t:ioffe2015batch) or [(Ioffe and Szegedy, 2015)](cite:p:ioffe2015batch).
# The book turns them into sphinxcontrib-bibtex roles, which link to the bibliography.
CITATION = re.compile(r"\[(?P<text>[^\]]+)\]\(cite:(?P<kind>[pt]):(?P<key>[\w:.-]+)\)")


def citations_to_roles(markdown: str) -> str:
    """Markdown citation links -> {cite:p}`key` / {cite:t}`key` roles for the book."""
    return CITATION.sub(lambda m: f"{{cite:{m['kind']}}}`{m['key']}`", markdown)


def book_page(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The reader's version of a chapter: no hidden tests, solutions collapsed, no markers.
    Works on a copy: the notebook given is left as it is."""
    nb, _ = ClearHiddenTests().preprocess(copy.deepcopy(nb), {})
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = citations_to_roles(cell.source)
        if cell.get("id") in (headers.BADGES_ID, headers.SETUP_ID):
            # the page's own launch buttons replace the badges; the set-up cell still runs, but
            # the build machine's device line is no reader's business: the title comes first
            tags = cell.metadata.setdefault("tags", [])
            if "remove-cell" not in tags:
                tags.append("remove-cell")
        grading = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and grading.get("solution"):
            lines = cell.source.split("\n")
            cell.source = "\n".join(l for l in lines if l.strip() not in SOLUTION_MARKERS)
            tags = cell.metadata.setdefault("tags", [])
            if "hide-input" not in tags:
                tags.append("hide-input")
    return nb


def write_pages(target: Path = SOURCE) -> list[Path]:
    """Copy the book's configuration and pages into ``target``; return the chapter pages."""
    problems = toc_problems()
    if problems:
        raise SystemExit("the table of contents does not match solutions/:\n  " + "\n  ".join(problems))
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name in ("_config.yml", "_toc.yml"):
        shutil.copy(ROOT / name, target / name)
    shutil.copytree(BOOK, target / "book")
    pages = []
    for chapter in chapters():
        nb = nbformat.read(source_notebook(chapter), as_version=4)
        page = target / "notebooks" / chapter / f"{chapter}.ipynb"
        shutil.copytree(source_notebook(chapter).parent, page.parent,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        nbformat.write(book_page(nb), page)
        pages.append(page)
    return pages


def build(*, fast: bool = False) -> int:
    """Write the pages and run Jupyter Book; warnings are errors."""
    write_pages()
    env = {**os.environ, "COURSE_STATIC": "1"}
    if fast:
        env["COURSE_FAST"] = "1"
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [str(jb), "build", str(SOURCE), "--path-output", str(ROOT),
               "--warningiserror", "--keep-going", "--all"]
    return subprocess.run(command, env=env, cwd=ROOT).returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="only write the pages")
    parser.add_argument("--fast", action="store_true", help="execute chapters in fast mode")
    args = parser.parse_args(argv)
    if args.pages:
        for page in write_pages():
            print(f"wrote {page.relative_to(ROOT)}")
        return 0
    status = build(fast=args.fast)
    if status == 0:
        print(f"book built: {(BUILD / 'html' / 'index.html').relative_to(ROOT)}")
    return status


if __name__ == "__main__":
    sys.exit(main())
