"""The course tools: a student's working copy is never overwritten; packaging keeps Colab's
preinstalled versions."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement

from nbtools import ROOT
from tools.workspace import sync


def test_workspace_never_overwrites_and_announces_new_releases(tmp_path, capsys):
    """Does `make lab` copy a chapter once, keep the student's edits through a new release,
    and put the new release beside their file instead?"""
    release, work = tmp_path / "notebooks", tmp_path / "work"
    (release / "01_x").mkdir(parents=True)
    (release / "01_x" / "01_x.ipynb").write_text("release 1")
    sync(release, work)
    mine = work / "01_x" / "01_x.ipynb"
    assert mine.read_text() == "release 1"

    mine.write_text("my answers")
    sync(release, work)  # nothing new: nothing happens
    assert mine.read_text() == "my answers"
    assert not (work / "01_x" / "01_x.new-release.ipynb").exists()

    (release / "01_x" / "01_x.ipynb").write_text("release 2")
    (release / "02_y").mkdir()
    (release / "02_y" / "02_y.ipynb").write_text("chapter 2")
    capsys.readouterr()
    sync(release, work)
    assert mine.read_text() == "my answers"
    assert (work / "01_x" / "01_x.new-release.ipynb").read_text() == "release 2"
    assert (work / "02_y" / "02_y.ipynb").read_text() == "chapter 2"
    assert "your 01_x.ipynb is untouched" in capsys.readouterr().out


def test_dependency_ranges_keep_colab_versions():
    """Do pyproject's ranges admit what Colab preinstalls (torch 2.x, ipywidgets 7.7.1), so the
    set-up cell's install keeps them, and keep Jupyter Book below 2?"""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = {Requirement(r).name: Requirement(r) for r in project["dependencies"]}
    assert requirements["ipywidgets"].specifier.contains("7.7.1")
    assert requirements["ipywidgets"].specifier.contains("8.1.5")
    for version in ("2.5.1", "2.8.0", "2.15.0"):
        assert requirements["torch"].specifier.contains(version)
    book = [Requirement(r) for r in project["optional-dependencies"]["book"]]
    jupyter_book = next(r for r in book if r.name == "jupyter-book")
    assert jupyter_book.specifier.contains("1.0.4") and not jupyter_book.specifier.contains("2.0.0")


def test_the_table_of_contents_lists_every_chapter_once_in_order(tmp_path):
    """_toc.yml cannot drift from solutions/: a missing or extra entry names itself."""
    from tools.course import toc_problems

    assert toc_problems() == []
    solutions = tmp_path / "solutions"
    for c in ("01_a", "02_b"):
        (solutions / c).mkdir(parents=True)
        (solutions / c / f"{c}.ipynb").write_text("{}")
    toc = tmp_path / "_toc.yml"
    toc.write_text("parts:\n  - chapters:\n      - file: notebooks/01_a/01_a\n      - file: notebooks/03_c/03_c\n")
    problems = toc_problems(toc, solutions)
    assert any("solutions/02_b/ is a chapter but _toc.yml has no entry" in p for p in problems)
    assert any("notebooks/03_c/03_c but solutions/03_c/03_c.ipynb does not exist" in p for p in problems)


def test_the_book_tool_leaves_the_notebook_it_is_given_unchanged():
    import copy

    import nbformat

    from tools import book
    from tools.course import release_notebook, source_notebook

    nb = nbformat.read(source_notebook("01_losses"), as_version=4)
    release = nbformat.read(release_notebook("01_losses"), as_version=4)
    before, release_before = copy.deepcopy(nb), copy.deepcopy(release)
    page = book.reader_page(nb)
    book.with_student_code(page, release)
    assert nb == before and release == release_before


def _exercise_notebook():
    import nbformat

    meta = lambda grade_id, **kw: {"nbgrader": {"grade_id": grade_id, "schema_version": 3,  # noqa: E731
                                                "locked": False, "grade": False, "task": False, **kw}}
    source = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell(
            '<a href="https://colab.example/nb"><img src="https://colab.research.google.com/assets/'
            'colab-badge.svg" alt="Open in Colab"/></a>', id="header_badges"),
        nbformat.v4.new_code_cell("course_utils.report()", id="setup"),
        nbformat.v4.new_markdown_cell("# 99 Title\n\nText [(Goodfellow et al., 2016)](cite:p:goodfellow2016deep).",
                                      id="intro"),
        nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION",
                                  id="f", metadata=meta("f", solution=True)),
        nbformat.v4.new_code_cell("assert f(1) == 2\n### BEGIN HIDDEN TESTS\nassert f(3) == 6\n"
                                  "### END HIDDEN TESTS", id="f_tests", metadata=meta("f_tests", grade=True, points=1)),
    ])
    release = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError()",
                                  id="f", metadata=meta("f", solution=True))])
    return source, release


def test_the_book_page_shows_the_stub_unless_solutions_are_published():
    """Does the reader's page lose the hidden tests and the set-up cell's output, carry local
    badges under the title and citation roles, and show the release's stub (or, published,
    the solution collapsed)?"""
    from tools import book

    source, release = _exercise_notebook()
    page = book.reader_page(source)
    assert [c.id for c in page.cells] == ["setup", "intro", "f", "f_tests"]
    assert "remove-cell" in page.cells[0].metadata["tags"]
    title = page.cells[1].source
    assert title.startswith("# 99 Title\n\n[![Open in Colab](/book/images/colab-badge.svg)](https://colab.example/nb)")
    assert "{cite:p}`goodfellow2016deep`" in title
    assert "HIDDEN" not in page.cells[3].source and "f(3)" not in page.cells[3].source
    assert page.cells[2].source == "def f(x):\n    return 2 * x"       # what the book executes
    student = book.with_student_code(page, release)
    assert student.cells[2].source == release.cells[0].source
    assert "tags" not in student.cells[2].metadata
    published = book.with_student_code(page, release, publish_solutions=True)
    assert published.cells[2].source == "def f(x):\n    return 2 * x"
    assert published.cells[2].metadata["tags"] == ["hide-input"]


def test_the_book_refuses_a_stale_release_and_an_unknown_badge():
    import pytest

    from tools import book

    source, release = _exercise_notebook()
    release.cells[0].metadata["nbgrader"]["grade_id"] = "renamed"
    with pytest.raises(SystemExit, match="make release"):
        book.with_student_code(book.reader_page(source), release)
    with pytest.raises(ValueError, match="book/images"):
        book.local_badges('<a href="x"><img src="https://example.org/other.svg" alt="Other"/></a>')


def test_a_book_of_some_chapters_keeps_the_front_matter():
    from tools import book
    from tools.course import chapters

    toc = book._toc_for(chapters()[:1])
    files = [item["file"] for part in toc["parts"] for item in part["chapters"]]
    assert f"notebooks/{chapters()[0]}/{chapters()[0]}" in files
    assert not any(f.startswith("notebooks/") and chapters()[0] not in f for f in files)
    assert "book/setup" in files and "book/bibliography" in files


def test_a_new_chapter_skeleton_is_complete_and_grades(tmp_path):
    """tools.new_chapter writes the source, the tests and the toc entry, and its exercise grades
    as every exercise must: reference full, stub zero, wrong answers less, alternatives full."""
    import importlib.util
    import shutil

    import nbformat

    from course_utils.grading.local import grade_locally
    from tools import new_chapter
    from tools.course import toc_chapters

    shutil.copy(ROOT / "_toc.yml", tmp_path / "_toc.yml")
    written = new_chapter.create("06_skeleton", "Skeleton", root=tmp_path)
    assert {p.name for p in written} >= {"06_skeleton.ipynb", "test_06_skeleton.py",
                                          "wrong_answers.py", "alternatives.py", "_toc.yml"}
    listed = toc_chapters(tmp_path / "_toc.yml")
    assert listed.index("06_skeleton") == listed.index("05_batchnorm") + 1
    nb = nbformat.read(tmp_path / "solutions" / "06_skeleton" / "06_skeleton.ipynb", as_version=4)
    [verdict] = grade_locally(nb, quiet=True)
    assert verdict.score == verdict.points == 1
    from nbtools import cell_by_id, with_body

    def module(name):
        spec = importlib.util.spec_from_file_location(name, tmp_path / "tests" / "chapters" / "06_skeleton" / f"{name}.py")
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        return mod

    for table, full in ((module("wrong_answers").WRONG_ANSWERS, False),
                        (module("alternatives").ALTERNATIVES, True)):
        for body in table["scale"].values():
            swapped = nbformat.from_dict(nb)
            cell = cell_by_id(swapped, "scale")
            cell.source = with_body(cell.source, body)
            [v] = grade_locally(nb, swapped, quiet=True)
            assert (v.score == 1) if full else (v.score < 1), v.report()
    stub = nbformat.from_dict(nb)
    cell = cell_by_id(stub, "scale")
    cell.source = with_body(cell.source, "raise NotImplementedError()")
    [v] = grade_locally(nb, stub, quiet=True)
    assert v.score == 0


def test_versions_are_stated_once_and_agree():
    """The Python floor is pyproject's requires-python, and the README and set-up page say the
    same; environment.yml holds pyproject's ranges; torch's floor has nn.init's generator=."""
    import re

    import yaml

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    floor = re.fullmatch(r">=(3\.\d+)", project["requires-python"]).group(1)
    for page in ("README.md", "book/setup.md"):
        stated = set(re.findall(r"Python (3\.\d+) or newer", (ROOT / page).read_text()))
        assert stated == {floor}, f"{page} states Python {stated}, pyproject says {floor}"
    requirements = {Requirement(r).name: Requirement(r) for r in project["dependencies"]}
    assert not requirements["torch"].specifier.contains("2.1.2"), "chapter 04 needs torch >= 2.2"
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    conda = {re.split(r"[<>=]", d)[0]: d[len(re.split(r"[<>=]", d)[0]):] for d in conda
             if isinstance(d, str)}
    for name, conda_name in (("torch", "pytorch"), ("torchvision", "torchvision"),
                             ("ipywidgets", "ipywidgets"), ("numpy", "numpy")):
        lower = str(requirements[name].specifier).split(",")
        lower = next(s for s in lower if s.startswith(">="))
        assert lower in conda[conda_name].split(","), \
            f"environment.yml's {conda_name}{conda[conda_name]} and pyproject's {name}{requirements[name].specifier} disagree"


def test_citations_read_well_in_jupyterlab_and_link_in_the_book():
    """No raw {cite:p} roles in the notebooks (they show raw in JupyterLab and Colab); every
    citation link names its first author and year and a key of references.bib."""
    import re

    import nbformat

    from tools.book import CITATION, citations_to_roles
    from tools.course import chapters, source_notebook

    bib = (ROOT / "book" / "references.bib").read_text()
    keys = set(re.findall(r"@\w+\{([^,]+),", bib))
    found = 0
    for chapter in chapters():
        for cell in nbformat.read(source_notebook(chapter), as_version=4).cells:
            if cell.cell_type != "markdown":
                continue
            assert "{cite:" not in cell.source, f"{chapter}: a raw citation role: write [text](cite:p:key)"
            for m in CITATION.finditer(cell.source):
                found += 1
                assert m["key"] in keys, f"{chapter}: {m['key']} is not in references.bib"
                entry = bib[bib.index(m["key"] + ","):].split("\n}", 1)[0]
                year = re.search(r"year\s*=\s*\{?(\d{4})", entry).group(1)
                first = re.search(r"author\s*=\s*\{([^,}]+)", entry).group(1).split()[-1].strip("{}")
                assert year in m["text"] and first in m["text"], f"{chapter}: {m[0]} vs {first} {year}"
    assert found >= 5
    assert citations_to_roles("see [(Ioffe and Szegedy, 2015)](cite:p:ioffe2015batch).") == \
        "see {cite:p}`ioffe2015batch`."
