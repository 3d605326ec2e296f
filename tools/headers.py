"""Stamp the two opening cells of every chapter from one template.

Every notebook opens with Colab/Binder badges and a set-up cell that installs ``course_utils``
when it is missing. Both name the repository, whose URL is written only in ``_config.yml``;
this script writes them into ``solutions/`` (the release and the book inherit them), so nobody
edits them by hand. ``python -m tools.headers --check`` fails when a notebook is out of date.
"""

from __future__ import annotations

import argparse
import sys
from urllib.parse import quote

import nbformat

from .course import chapters, repository, source_notebook

BADGES_ID = "header_badges"
SETUP_ID = "setup"


def badges_source(chapter: str, url: str, branch: str) -> str:
    path = f"notebooks/{chapter}/{chapter}.ipynb"
    slug = url.removeprefix("https://github.com/")
    colab = f"https://colab.research.google.com/github/{slug}/blob/{branch}/{path}"
    binder = f"https://mybinder.org/v2/gh/{slug}/{branch}?labpath={quote(path, safe='')}"
    return (
        f'<a href="{colab}"><img src="https://colab.research.google.com/assets/colab-badge.svg" '
        f'alt="Open in Colab"/></a>\n'
        f'<a href="{binder}"><img src="https://mybinder.org/badge_logo.svg" '
        f'alt="Launch on Binder"/></a>'
    )


def setup_source(url: str) -> str:
    return (
        "# Set-up: installs the course helpers when they are missing (Colab, a bare Binder),\n"
        "# keeping the torch and ipywidgets already there; then reports where this notebook runs.\n"
        "try:\n"
        "    import course_utils\n"
        "except ModuleNotFoundError:\n"
        f'    %pip install --quiet "course_utils @ git+{url}"\n'
        "    import course_utils\n"
        "course_utils.report()"
    )


def _meta(grade_id: str) -> dict:
    return {
        "nbgrader": {
            "grade": False,
            "grade_id": grade_id,
            "locked": True,
            "schema_version": 3,
            "solution": False,
            "task": False,
        }
    }


def stamp(nb: nbformat.NotebookNode, chapter: str) -> bool:
    """Write (or refresh) the header cells of one notebook; return whether anything changed."""
    url, branch = repository()
    wanted = [
        nbformat.v4.new_markdown_cell(badges_source(chapter, url, branch), id=BADGES_ID),
        nbformat.v4.new_code_cell(setup_source(url), id=SETUP_ID),
    ]
    for cell in wanted:
        cell.metadata = _meta(cell.id)
    changed = False
    for position, cell in enumerate(wanted):
        index = next((i for i, c in enumerate(nb.cells) if c.get("id") == cell.id), None)
        if index is None:
            nb.cells.insert(position, cell)
            changed = True
        elif nb.cells[index].source != cell.source or nb.cells[index].metadata != cell.metadata:
            nb.cells[index].source = cell.source
            nb.cells[index].metadata = cell.metadata
            changed = True
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter ids (default: all)")
    parser.add_argument("--check", action="store_true", help="only report stale notebooks")
    args = parser.parse_args(argv)
    stale = []
    for chapter in args.chapters or chapters():
        path = source_notebook(chapter)
        nb = nbformat.read(path, as_version=4)
        if stamp(nb, chapter):
            stale.append(str(path))
            if not args.check:
                nbformat.write(nb, path)
    if args.check and stale:
        print("headers out of date (run `make release`):", *stale, sep="\n  ")
        return 1
    for path in stale:
        print(f"stamped {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
