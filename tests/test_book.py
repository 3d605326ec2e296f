"""The published book: builds without warnings, chapters executed, solutions collapsed, no
hidden tests, launch buttons to the student notebooks, references rendered."""

from __future__ import annotations

import html
import re

import nbformat
import pytest

from nbtools import ROOT, chapters
from tools import book

pytestmark = pytest.mark.slow
HTML = ROOT / "_build" / "html"


def text_of(page: str) -> str:
    """The visible text of an HTML page (tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


@pytest.fixture(scope="module")
def built(once):
    status = once("book", lambda: book.build(fast=True))
    assert status == 0, "the book build failed or warned (warnings are errors)"
    return {chapter: (HTML / "notebooks" / chapter / f"{chapter}.html").read_text()
            for chapter in chapters()}


def test_front_matter_pages_exist(built):
    """Are the introduction, set-up, instructor guide and bibliography published?"""
    for page in ("index.html", "book/intro.html", "book/setup.html", "book/instructor_guide.html"):
        assert (HTML / page).is_file(), page
    bibliography = text_of((HTML / "book" / "bibliography.html").read_text())
    for author in ("Goodfellow", "LeCun", "Krizhevsky", "Simonyan", "Szegedy", "Ioffe", "Glorot",
                   "Kingma", "Zeiler", "Zhou", "Selvaraju", "Gatys", "Ronneberger"):
        assert author in bibliography, author


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_is_executed_with_figures(built, chapter):
    """Does the chapter page show executed output, every figure the execution made, and math?"""
    page = built[chapter]
    executed = nbformat.read(ROOT / "_build" / "jupyter_execute" / "notebooks" / chapter / f"{chapter}.ipynb",
                             as_version=4)
    figures = sum("image/png" in output.get("data", {}) for cell in executed.cells
                  if cell.cell_type == "code" for output in cell.outputs)
    assert "cell_output" in page
    assert figures >= 1, "the chapter produced no figure"
    assert len(re.findall(r"<img [^>]*src=\"[^\"]*_images/", page)) >= figures
    assert 'class="math' in page


@pytest.mark.parametrize("chapter", chapters())
def test_solutions_collapsed_and_hidden_tests_absent(built, chapter):
    """Is every solution behind a toggle, and no line of any hidden test on the page?"""
    page, visible = built[chapter], text_of(built[chapter])
    source = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    solutions = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert page.count("tag_hide-input") == len(solutions)
    assert "BEGIN SOLUTION" not in visible and "HIDDEN TESTS" not in visible
    published = "\n".join(cell.source for cell in book.book_page(source).cells)
    source = nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)
    for cell in source.cells:
        for region in re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S):
            for line in region.splitlines():
                # text that also occurs in the published cells (a shared hint, `with
                # torch.no_grad():`) proves nothing; anything else on the page is a leak
                if len(line.strip()) > 20 and line.strip() not in published:
                    assert line.strip() not in visible, f"hidden test leaked: {line.strip()}"


@pytest.mark.parametrize("chapter", chapters())
def test_launch_buttons_open_the_student_notebook(built, chapter):
    """Do the page's Colab and Binder links point at the student release of this chapter?"""
    page = built[chapter]
    path = f"notebooks/{chapter}/{chapter}.ipynb"
    assert re.search(rf"colab\.research\.google\.com/github/[^\"]+/blob/main/{path}", page)
    assert "mybinder.org/v2/gh/" in page


@pytest.mark.parametrize("chapter", chapters())
def test_title_first_and_one_box_per_printout(built, chapter):
    """Does the page open with the chapter's title (no badges, no build machine's device line
    above it), and does each cell's printed output sit in one box?"""
    page = built[chapter]
    body = page[page.find("<main"):]
    before_title = text_of(body[: body.find("<h1")])
    assert "Open in Colab" not in body and "colab-badge" not in body
    assert "torch" not in before_title and "device" not in before_title.lower()
    outputs = page.split('class="cell_output docutils container"')[1:]
    split = [o for o in outputs if o.split('class="cell docutils container"')[0].count("output stream") > 1]
    assert not split, f"{len(split)} cells print into several boxes"
