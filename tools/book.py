"""Build the static HTML book from the chapter sources.

For every chapter, the page is made from ``solutions/<chapter>/<chapter>.ipynb``:

1. hidden tests are removed (nbgrader's own ``ClearHiddenTests``), citations become
   bibliography roles, the set-up cell is hidden and the Colab/Binder badges (stored in
   ``book/images``) move under the title;
2. the page is executed here, with the reference solutions in it, by the course's one notebook
   runner (``tools.runner``, ``COURSE_STATIC=1``), so every figure and number is real; the
   result is cached in ``_build/executed/`` until the chapter, its folder or ``course_utils``
   change; ``tools.figure_audit`` measures every figure on the way (legend sizes, legends over
   data, a description for the alt text);
3. each solution cell then shows the student's code, taken from the release in ``notebooks/``,
   with the outputs of the reference run. With ``course: publish_solutions: true`` in
   ``_config.yml`` (after the deadline) the solution is shown instead, collapsed behind a toggle.

Pages are written to ``_build/book_src/notebooks/<chapter>/<chapter>.ipynb``, the same path as
the student release, so the Colab and Binder buttons open the student notebook. Jupyter Book
renders them without executing again (``execute_notebooks: "off"``) into ``_build/html``, with
MathJax served from the book itself (npm's ``mathjax``, installed by ``make web``). Finally the
page's download button is pointed at the student release.

    python -m tools.book                           # build the book
    python -m tools.book --fast                    # chapters in fast mode (what the tests build)
    python -m tools.book --chapters 01_losses      # a few chapters only (front matter included)
    python -m tools.book --publish-solutions       # as if course.publish_solutions were true
    python -m tools.book --pages                   # only execute and write the pages
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml
from nbgrader.preprocessors import ClearHiddenTests

from . import headers
from .course import BOOK, ROOT, chapters, release_notebook, source_notebook, toc_problems
from .runner import execute

BUILD = ROOT / "_build"
SOURCE = BUILD / "book_src"
EXECUTED = BUILD / "executed"
MATHJAX = ROOT / "node_modules" / "mathjax" / "es5"
FIGURES = "_figures.jsonl"          # every figure's record, in the book's source folder
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")
# Citations in the notebooks are Markdown links that read well anywhere (JupyterLab, Colab):
# [Ioffe and Szegedy (2015)](cite:t:ioffe2015batch) or [(Ioffe and Szegedy, 2015)](cite:p:ioffe2015batch).
# The book turns them into sphinxcontrib-bibtex roles, which link to the bibliography.
CITATION = re.compile(r"\[(?P<text>[^\]]+)\]\(cite:(?P<kind>[pt]):(?P<key>[\w:.-]+)\)")
# The notebooks' badges load their pictures from Colab and Binder; the book has its own copies.
BADGE = re.compile(r'<a href="(?P<href>[^"]+)"><img src="(?P<src>[^"]+)" alt="(?P<alt>[^"]+)"\s*/?></a>')
LOCAL_BADGES = {"colab-badge.svg": "/book/images/colab-badge.svg",
                "badge_logo.svg": "/book/images/binder-badge.svg"}
# What MathJax needs at run time: the one component Sphinx loads, and what it loads lazily.
MATHJAX_FILES = ("tex-mml-chtml.js", "input", "output/chtml", "a11y", "ui", "sre", "adaptors")


def settings() -> dict:
    """The ``course:`` section of _config.yml (``publish_solutions``: false unless set)."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text()) or {}
    return {"publish_solutions": False, **(config.get("course") or {})}


def citations_to_roles(markdown: str) -> str:
    """Markdown citation links -> {cite:p}`key` / {cite:t}`key` roles for the book."""
    return CITATION.sub(lambda m: f"{{cite:{m['kind']}}}`{m['key']}`", markdown)


def local_badges(html: str) -> str:
    """The badges cell as Markdown images stored in the book: ``[![alt](local)](href)``."""
    badges = []
    for match in BADGE.finditer(html):
        name = match["src"].rsplit("/", 1)[-1]
        if name not in LOCAL_BADGES:
            raise ValueError(f"no local copy of the badge {match['src']}: add it to book/images "
                             f"and to LOCAL_BADGES in tools/book.py")
        badges.append(f"[![{match['alt']}]({LOCAL_BADGES[name]})]({match['href']})")
    return " ".join(badges)


def reader_page(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The notebook the book executes: no hidden tests, no solution markers, citations as roles,
    the set-up cell hidden (the build machine's device line is no reader's business) and the
    badges under the chapter's title. Works on a copy: the notebook given is left as it is."""
    nb, _ = ClearHiddenTests().preprocess(copy.deepcopy(nb), {})
    badges = ""
    cells = []
    for cell in nb.cells:
        if cell.get("id") == headers.BADGES_ID:
            badges = local_badges(cell.source)
            continue
        if cell.cell_type == "markdown":
            cell.source = citations_to_roles(cell.source)
        if cell.get("id") == headers.SETUP_ID:
            _tag(cell, "remove-cell")      # it still runs
        if cell.cell_type == "code" and _is_solution(cell):
            lines = cell.source.split("\n")
            cell.source = "\n".join(l for l in lines if l.strip() not in SOLUTION_MARKERS)
        cells.append(cell)
    title = next((c for c in cells if c.cell_type == "markdown" and c.source.startswith("# ")), None)
    if badges and title is not None:
        heading, _, rest = title.source.partition("\n")
        title.source = f"{heading}\n\n{badges}\n\n{rest.lstrip()}".rstrip() + "\n"
    nb.cells = cells
    return nb


def with_student_code(executed: nbformat.NotebookNode, release: nbformat.NotebookNode, *,
                      publish_solutions: bool = False) -> nbformat.NotebookNode:
    """The published page: each solution cell keeps the outputs of the reference run but shows
    the release's code (the student's stub), or, when solutions are published, the solution
    collapsed behind a toggle. Works on a copy."""
    page = copy.deepcopy(executed)
    stubs = {c.metadata["nbgrader"]["grade_id"]: c.source for c in release.cells if _is_solution(c)}
    for cell in page.cells:
        if not _is_solution(cell):
            continue
        grade_id = cell.metadata["nbgrader"].get("grade_id")
        if grade_id not in stubs:
            raise SystemExit(f"the release has no solution cell {grade_id!r}: notebooks/ is stale "
                             f"(run `make release`)")
        if publish_solutions:
            _tag(cell, "hide-input")
        else:
            cell.source = stubs[grade_id]
    return page


def chapter_title(chapter: str) -> str:
    """The chapter's title: the first level-one heading of its source."""
    for cell in nbformat.read(source_notebook(chapter), as_version=4).cells:
        if cell.cell_type == "markdown" and cell.source.startswith("# "):
            return cell.source.split("\n", 1)[0][2:].strip()
    raise ValueError(f"{chapter} has no title (a Markdown cell starting with '# ')")


def _is_solution(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("solution"))


def _tag(cell, tag: str) -> None:
    tags = cell.metadata.setdefault("tags", [])
    if tag not in tags:
        tags.append(tag)


def _fingerprint(chapter: str, page: nbformat.NotebookNode, fast: bool) -> str:
    """What the executed page depends on: the page, the chapter's files, course_utils, the mode."""
    digest = hashlib.sha256(nbformat.writes(page).encode())
    digest.update(b"fast" if fast else b"full")
    folder = source_notebook(chapter).parent
    dependencies = [p for p in sorted(folder.rglob("*")) if p.is_file() and p.suffix != ".ipynb"
                    and ".ipynb_checkpoints" not in p.parts]
    dependencies += sorted((ROOT / "course_utils").rglob("*.py"))
    dependencies += [ROOT / "tools" / "figure_audit.py", ROOT / "tools" / "runner.py"]
    for path in dependencies:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def executed_page(chapter: str, page: nbformat.NotebookNode, *, cwd: Path, fast: bool,
                  timeout: int) -> tuple[nbformat.NotebookNode, list[dict]]:
    """``page`` executed in ``cwd`` (from the cache when nothing it depends on changed), and
    the records of the figures it drew."""
    cache = EXECUTED / ("fast" if fast else "full")
    cached, records_file = cache / f"{chapter}.ipynb", cache / f"{chapter}.figures.json"
    key = _fingerprint(chapter, page, fast)
    if cached.is_file() and records_file.is_file() \
            and cached.with_suffix(".key").is_file() and cached.with_suffix(".key").read_text() == key:
        return nbformat.read(cached, as_version=4), json.loads(records_file.read_text())
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        audit = Path(tmp) / "figures.jsonl"
        audit.touch()
        startup = f"__import__('runpy').run_path({str(ROOT / 'tools' / 'figure_audit.py')!r})['install']()"
        try:
            execute(page, cwd=cwd, fast=fast, timeout=timeout, env={"COURSE_FIGURE_AUDIT": str(audit)},
                    startup=[startup])
        except Exception as error:
            raise SystemExit(f"{chapter} failed while the book executed it:\n{error}") from None
        records = [json.loads(line) for line in audit.read_text().splitlines() if line.strip()]
    for record in records:
        record["chapter"] = chapter
    print(f"executed {chapter} in {time.perf_counter() - started:.0f} s", flush=True)
    cache.mkdir(parents=True, exist_ok=True)
    nbformat.write(page, cached)
    records_file.write_text(json.dumps(records))
    cached.with_suffix(".key").write_text(key)
    return page, records


def _toc_for(selected: list[str]) -> dict:
    """_toc.yml with only the ``selected`` chapters (all other pages kept)."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    for part in toc.get("parts", []):
        part["chapters"] = [item for item in part.get("chapters", [])
                            if not str(item.get("file", "")).startswith("notebooks/")
                            or str(item["file"]).split("/")[1] in selected]
    toc["parts"] = [part for part in toc.get("parts", []) if part["chapters"]]
    return toc


def write_pages(target: Path = SOURCE, *, fast: bool = False, only: list[str] | None = None,
                publish_solutions: bool | None = None) -> list[Path]:
    """Write the book's source into ``target``: configuration, front matter, MathJax and the
    executed chapter pages (``only`` these chapters, default all); return the chapter pages."""
    problems = toc_problems()
    if problems:
        raise SystemExit("the table of contents does not match solutions/:\n  " + "\n  ".join(problems))
    if not (MATHJAX / "tex-mml-chtml.js").is_file():
        raise SystemExit("MathJax is missing from node_modules/: run `make web` (npm ci)")
    selected = only or chapters()
    unknown = set(selected) - set(chapters())
    if unknown:
        raise SystemExit(f"unknown chapters {sorted(unknown)}; the chapters are {chapters()}")
    publish = settings()["publish_solutions"] if publish_solutions is None else publish_solutions
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    timeout = int(config.get("execute", {}).get("timeout", 300))
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy(ROOT / "_config.yml", target / "_config.yml")
    (target / "_toc.yml").write_text(yaml.safe_dump(_toc_for(selected), sort_keys=False))
    shutil.copytree(BOOK, target / "book")
    for item in MATHJAX_FILES:
        source, copy_to = MATHJAX / item, target / "_assets" / "mathjax" / item
        if source.is_dir():
            shutil.copytree(source, copy_to)
        else:
            copy_to.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, copy_to)
    pages, records = [], []
    for chapter in selected:
        page = target / "notebooks" / chapter / f"{chapter}.ipynb"
        shutil.copytree(source_notebook(chapter).parent, page.parent,
                        ignore=shutil.ignore_patterns("*.ipynb", ".ipynb_checkpoints"))
        reader = reader_page(nbformat.read(source_notebook(chapter), as_version=4))
        executed, figures = executed_page(chapter, reader, cwd=page.parent, fast=fast, timeout=timeout)
        release = nbformat.read(release_notebook(chapter), as_version=4)
        nbformat.write(with_student_code(executed, release, publish_solutions=publish), page)
        pages.append(page)
        records += figures
    (target / FIGURES).write_text("".join(json.dumps(r) + "\n" for r in records))
    return pages


def offer_student_notebooks(html: Path, selected: list[str]) -> None:
    """The download button hands out ``_sources/<page>.ipynb``: make it the student release."""
    for chapter in selected:
        download = html / "_sources" / "notebooks" / chapter / f"{chapter}.ipynb"
        if download.is_file():
            shutil.copy(release_notebook(chapter), download)


def build(*, fast: bool = False, only: list[str] | None = None,
          publish_solutions: bool | None = None, output: Path = ROOT) -> int:
    """Write the pages and run Jupyter Book into ``output``/_build/html; warnings are errors."""
    source = SOURCE if output == ROOT else output / "_build" / "book_src"
    write_pages(source, fast=fast, only=only, publish_solutions=publish_solutions)
    # the book's Sphinx extension (tools.book_extension) is imported from the repository
    path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "COURSE_STATIC": "1", "PYTHONPATH": path}
    jb = Path(sys.executable).with_name("jupyter-book")
    command = [str(jb), "build", str(source), "--path-output", str(output),
               "--warningiserror", "--keep-going", "--all"]
    status = subprocess.run(command, env=env, cwd=ROOT).returncode
    if status == 0:
        offer_student_notebooks(output / "_build" / "html", only or chapters())
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", action="store_true", help="only execute and write the pages")
    parser.add_argument("--fast", action="store_true", help="execute chapters in fast mode")
    parser.add_argument("--chapters", nargs="+", metavar="ID", help="only these chapters")
    parser.add_argument("--publish-solutions", action=argparse.BooleanOptionalAction, default=None,
                        help="show the solutions, collapsed (default: course.publish_solutions "
                             "in _config.yml)")
    parser.add_argument("--output", type=Path, default=ROOT,
                        help="build into OUTPUT/_build/html (default: the repository)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    if args.pages:
        for page in write_pages(fast=args.fast, only=args.chapters,
                                publish_solutions=args.publish_solutions):
            print(f"wrote {page.relative_to(ROOT)}")
        return 0
    status = build(fast=args.fast, only=args.chapters, publish_solutions=args.publish_solutions,
                   output=args.output.resolve())
    if status == 0:
        index = args.output.resolve() / "_build" / "html" / "index.html"
        print(f"book built in {time.perf_counter() - started:.0f} s: {index}")
    return status


if __name__ == "__main__":
    sys.exit(main())
