"""The published book, read from the built HTML: builds without warnings, chapters executed,
the student's code (never a solution or a hidden test) anywhere in the build unless solutions
are published, the download is the student notebook, nothing loaded from another machine, every
internal link resolves, readable figures, author-year bibliography. The same pages in a real
browser: tests/test_browser.py."""

from __future__ import annotations

import functools
import html
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import pytest
from bs4 import BeautifulSoup

from nbtools import ROOT, chapters
from tools import book
from tools.book_extension import author_year_label

MIN_LEGEND_PT = 8.0
# where a page names a resource it loads, by tag and attribute (links: by rel, below)
RESOURCES = {"script": ["src"], "img": ["src", "srcset"], "iframe": ["src"], "source": ["src", "srcset"],
             "video": ["src", "poster"], "audio": ["src"], "embed": ["src"], "object": ["data"],
             "track": ["src"], "input": ["src"]}
LOADED_LINKS = {"stylesheet", "icon", "shortcut", "preload", "modulepreload", "prefetch",
                "manifest", "apple-touch-icon", "mask-icon", "dns-prefetch", "preconnect"}
CSS_URL = re.compile(r"""(?:url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"])""")


def text_of(page: str) -> str:
    """The visible text of an HTML page (tags removed, entities decoded)."""
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def page_of(html_root: Path, chapter: str) -> str:
    return (html_root / "notebooks" / chapter / f"{chapter}.html").read_text()


def solution_cells(nb) -> list:
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]


def source(chapter: str):
    return nbformat.read(ROOT / "solutions" / chapter / f"{chapter}.ipynb", as_version=4)


def release(chapter: str):
    return nbformat.read(ROOT / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)


@functools.cache
def public_text() -> str:
    """Everything meant for readers: every student release, every chapter's page but its
    solution cells, and the book's own pages (book/*.md)."""
    public = [p.read_text() for p in (ROOT / "book").glob("*.md")]
    for chapter in chapters():
        public += [c.source for c in release(chapter).cells]
        public += [c.source for c in book.reader_page(source(chapter)).cells
                   if not c.metadata.get("nbgrader", {}).get("solution")]
    return "\n".join(public)


def authors_hidden_inputs(chapter: str) -> int:
    """Cells other than solutions that the chapter's author collapsed (tag hide-input)."""
    return sum("hide-input" in c.metadata.get("tags", []) for c in source(chapter).cells
               if not c.metadata.get("nbgrader", {}).get("solution"))


def secret_lines(chapter: str) -> list[str]:
    """Lines of the chapter's solution regions and hidden tests that appear nowhere public (a
    shared hint, `with torch.no_grad():` or a seeded generator used by a demo prove nothing)."""
    nb = source(chapter)
    public = public_text()
    secret = []
    for cell in nb.cells:
        regions = re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
        regions += re.findall(r"### BEGIN HIDDEN TESTS\n(.*?)### END HIDDEN TESTS", cell.source, re.S)
        for region in regions:
            for line in region.splitlines():
                line = line.strip()
                if len(line) > 12 and not line.startswith("#") and line not in public:
                    secret.append(line)
    return secret


def built_text(html_root: Path) -> dict[str, str]:
    """Every text file a reader can download from the build, as the text it carries: pages
    without their tags, notebooks as their cells' sources and outputs, the rest as it is
    (except the scripts and styles of _static/, copied from the theme and MathJax: nothing of a
    chapter goes there, and their code matches short solution lines like `return result`)."""
    texts = {}
    for path in html_root.rglob("*"):
        if not path.is_file() or path.suffix in (".png", ".jpg", ".svg", ".woff", ".woff2", ".ttf",
                                                 ".eot", ".ico", ".gif", ".inv", ".pickle"):
            continue
        if path.is_relative_to(html_root / "_static"):
            continue        # the theme's and MathJax's own files, the same in every book
        raw = path.read_text(errors="replace")
        if path.suffix == ".html":
            raw = text_of(raw)
        elif path.suffix == ".ipynb":
            nb = json.loads(raw)
            raw = "\n".join("".join(c.get("source", "")) + "\n" + json.dumps(c.get("outputs", []))
                            for c in nb.get("cells", []))
        texts[str(path.relative_to(html_root))] = raw
    return texts


class Pages(dict):
    """The chapter pages of a built book, read when first asked for."""

    def __init__(self, html_root: Path):
        super().__init__()
        self.html_root = html_root

    def __missing__(self, chapter: str) -> str:
        self[chapter] = page_of(self.html_root, chapter)
        return self[chapter]


@pytest.fixture(scope="module")
def built(book_html):
    return Pages(book_html)


@pytest.fixture(scope="module")
def everything(book_html):
    return built_text(book_html)


def html_pages(html_root: Path) -> list[Path]:
    return sorted(p for p in html_root.rglob("*.html") if "_static" not in p.parts)


@pytest.mark.slow
def test_front_matter_pages_exist(book_html):
    """Are the introduction, set-up, instructor guide and bibliography published?"""
    for page in ("index.html", "book/intro.html", "book/setup.html", "book/instructor_guide.html"):
        assert (book_html / page).is_file(), page
    bibliography = text_of((book_html / "book" / "bibliography.html").read_text())
    for author in ("Goodfellow", "LeCun", "Krizhevsky", "Simonyan", "Szegedy", "Ioffe", "Glorot",
                   "Kingma", "Zeiler", "Zhou", "Selvaraju", "Gatys", "Ronneberger"):
        assert author in bibliography, author


@pytest.mark.slow
@pytest.mark.parametrize("chapter", chapters())
def test_chapter_is_executed_with_figures(book_html, built, chapter):
    """Does the chapter page show executed output, every figure the execution made, and math?"""
    page = built[chapter]
    executed = nbformat.read(book_html.parent / "book_src" / "notebooks" / chapter / f"{chapter}.ipynb", as_version=4)
    figures = sum("image/png" in output.get("data", {}) for cell in executed.cells
                  if cell.cell_type == "code" for output in cell.outputs)
    assert "cell_output" in page
    assert figures >= 1, "the chapter produced no figure"
    assert len(re.findall(r"<img [^>]*src=\"[^\"]*_images/", page)) >= figures
    assert 'class="math' in page


@pytest.mark.slow
@pytest.mark.parametrize("chapter", chapters())
def test_page_shows_the_student_code(built, chapter):
    """Does each exercise show the student's stub, as in the release, not collapsed?"""
    page, visible = built[chapter], text_of(built[chapter])
    stubs = solution_cells(release(chapter))
    assert stubs, "the chapter has no exercise"
    assert page.count("tag_hide-input") == authors_hidden_inputs(chapter), \
        "solutions are not published: no exercise is collapsed"
    for cell in stubs:
        for line in cell.source.splitlines():
            assert line.strip() in visible, f"the stub line {line.strip()!r} is not on the page"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", chapters())
def test_no_solution_or_hidden_test_anywhere_in_the_build(everything, chapter):
    """Is no line of any solution or hidden test in any file of _build/html (pages, the search
    index, downloads), and no solution or hidden-test marker in anything made from a chapter?"""
    secret = secret_lines(chapter)
    for name, text in everything.items():
        leaked = [line for line in secret if line in text]
        assert not leaked, f"{name} contains solution or hidden-test code of {chapter}: {leaked[:3]}"
        if chapter in name:
            for marker in ("BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "hidden_tests("):
                assert marker not in text, f"{name} contains {marker!r}"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", chapters())
def test_download_is_the_student_notebook(book_html, built, chapter):
    """Does the page's download button hand out the student release, byte for byte?"""
    download = book_html / "_sources" / "notebooks" / chapter / f"{chapter}.ipynb"
    assert f"_sources/notebooks/{chapter}/{chapter}.ipynb" in built[chapter]
    assert download.read_bytes() == (ROOT / "notebooks" / chapter / f"{chapter}.ipynb").read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("chapter", chapters())
def test_launch_buttons_open_the_student_notebook(built, chapter):
    """Do the page's Colab and Binder links point at the student release of this chapter?"""
    page = built[chapter]
    path = f"notebooks/{chapter}/{chapter}.ipynb"
    assert re.search(rf"colab\.research\.google\.com/github/[^\"]+/blob/main/{path}", page)
    assert "mybinder.org/v2/gh/" in page


@pytest.mark.slow
@pytest.mark.parametrize("chapter", chapters())
def test_title_first_and_one_box_per_printout(built, chapter):
    """Does the page open with the chapter's title (no build machine's device line above it,
    the badges under it, from the book itself), and does each cell's printout sit in one box?"""
    page = built[chapter]
    body = page[page.find("<article"):]
    before_title = text_of(body[: body.find("<h1")])
    assert before_title.strip() == "", f"text above the chapter's title: {before_title.strip()[:200]!r}"
    badges = re.findall(r'<img [^>]*alt="(?:Open in Colab|Launch on Binder)"[^>]*>', body)
    assert len(badges) == 2, "the Colab and Binder badges should sit under the title"
    assert all("_images/" in badge and "http" not in badge for badge in badges), badges
    outputs = page.split('class="cell_output docutils container"')[1:]
    split = [o for o in outputs if o.split('class="cell docutils container"')[0].count("output stream") > 1]
    assert not split, f"{len(split)} cells print into several boxes"


def _external(url: str) -> bool:
    parts = urlsplit(url.strip())
    return bool(parts.scheme and parts.scheme not in ("data", "blob")) or url.strip().startswith("//")


def _local_file(page: Path, url: str, html_root: Path) -> Path:
    path = unquote(urlsplit(url).path)
    return (html_root / path.lstrip("/")) if path.startswith("/") else (page.parent / path)


@pytest.mark.slow
def test_self_contained(book_html):
    """Does every page load its scripts, styles, images, fonts and frames from the book itself
    (MathJax included), and do those files exist? Links to other sites are fine."""
    problems, pages = [], html_pages(book_html)
    assert len(pages) >= 5
    for page in pages:
        soup = BeautifulSoup(page.read_text(), "html.parser")
        urls = []
        for tag, attributes in RESOURCES.items():
            for element in soup.find_all(tag):
                for attribute in attributes:
                    value = element.get(attribute)
                    if value:
                        urls += [part.split()[0] for part in value.split(",")] if "srcset" in attribute else [value]
        for link in soup.find_all("link"):
            if LOADED_LINKS & {r.lower() for r in link.get("rel", [])} and link.get("href"):
                urls.append(link["href"])
        for style in soup.find_all("style"):
            urls += [a or b for a, b in CSS_URL.findall(style.get_text())]
        for element in soup.find_all(style=True):
            urls += [a or b for a, b in CSS_URL.findall(element["style"])]
        for url in urls:
            if _external(url):
                problems.append(f"{page.relative_to(book_html)} loads {url}")
            elif not url.startswith(("data:", "#")) and not _local_file(page, url, book_html).is_file():
                problems.append(f"{page.relative_to(book_html)} loads a missing file {url}")
    for css in (book_html / "_static").rglob("*.css"):
        for a, b in CSS_URL.findall(css.read_text(errors="replace")):
            url = a or b
            if _external(url):
                problems.append(f"{css.relative_to(book_html)} loads {url}")
    mathjax = book_html / "_static" / "mathjax" / "tex-mml-chtml.js"
    assert mathjax.is_file(), "MathJax is not in the book"
    assert (book_html / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
    assert not problems, "\n".join(problems[:30])


@pytest.mark.slow
def test_internal_links_resolve(book_html):
    """Does every link from one page of the book to another (and to an anchor) arrive?"""
    ids: dict[Path, set[str]] = {}

    def anchors(path: Path) -> set[str]:
        if path not in ids:
            soup = BeautifulSoup(path.read_text(), "html.parser")
            ids[path] = {e["id"] for e in soup.find_all(id=True)} | {e["name"] for e in soup.find_all("a", attrs={"name": True})}
        return ids[path]

    broken, checked = [], 0
    for page in html_pages(book_html):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for a in soup.find_all("a", href=True):
            href = a["href"].strip()
            if _external(href) or href.startswith(("mailto:", "javascript:")) or not href:
                continue
            parts = urlsplit(href)
            target = page if not parts.path else _local_file(page, href, book_html)
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_file():
                broken.append(f"{page.relative_to(book_html)} -> {href} (no such file)")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in anchors(target):
                broken.append(f"{page.relative_to(book_html)} -> {href} (no such anchor)")
    assert checked > 50
    assert not broken, "\n".join(broken[:30])


@pytest.mark.slow
def test_bibliography_labels_read_like_the_citations(book_html):
    """Are the bibliography's labels "Goodfellow et al., 2016", the words of the citations in
    the text, and never alpha labels like [GBC16]?"""
    from pybtex.database import parse_file

    page = (book_html / "book" / "bibliography.html").read_text()
    labels = re.findall(r'<span class="label"><span class="fn-bracket">\[</span>(.*?)<span class="fn-bracket">\]</span>', page)
    entries = parse_file(str(ROOT / "book" / "references.bib")).entries
    assert len(labels) == len(entries)
    expected = {author_year_label(entry) for entry in entries.values()}
    assert {re.sub(r"(\d{4})[a-z]$", r"\1", html.unescape(text_of(label))) for label in labels} == expected
    assert not re.search(r"\[[A-Z][A-Za-z+]{1,3}\d{2}[a-z]?\]", text_of(page)), "alpha labels like [GBC16]"
    intro = text_of((book_html / "book" / "intro.html").read_text())
    assert "Goodfellow et al. (2016)" in intro, "a textual citation reads as in the notebooks"
    assert "Goodfellow et al., 2016" in text_of(page)


def cited_keys() -> set[str]:
    """Every bibliography key cited by a chapter (Markdown citation links) or a book page (roles)."""
    cited = set()
    for chapter in chapters():
        for cell in source(chapter).cells:
            if cell.cell_type == "markdown":
                cited |= {m["key"] for m in book.CITATION.finditer(cell.source)}
    for page in (ROOT / "book").glob("*.md"):
        for keys in re.findall(r"\{cite(?::[a-z]+)?\}`([^`]+)`", page.read_text()):
            cited |= {key.strip() for key in keys.split(",")}
    return cited


def test_every_reference_is_cited():
    """Is every entry of book/references.bib cited somewhere in the book? An entry nobody cites
    is a missing citation or an entry to remove. (Citations of missing entries:
    test_tools.py::test_citations_read_well_in_jupyterlab_and_link_in_the_book.)"""
    from pybtex.database import parse_file

    uncited = set(parse_file(str(ROOT / "book" / "references.bib")).entries) - cited_keys()
    assert not uncited, f"in references.bib but cited nowhere: {sorted(uncited)}"


@pytest.mark.slow
@pytest.mark.parametrize("chapter", chapters())
def test_figure_legends_are_readable_and_clear_of_the_data(book_html, chapter):
    """Is every legend the chapter draws at least 8 pt, and does none cover its data (lines,
    points, bars, texts)? Measured by tools.figure_audit as the book executed the chapter."""
    records = [json.loads(line) for line in (book_html.parent / "book_src" / book.FIGURES).read_text().splitlines()]
    records = [r for r in records if r["chapter"] == chapter]
    assert records, "no figure of this chapter was measured"
    problems = [f"figure {r['sha256'][:12]}: {r['error']}" for r in records if "error" in r]
    for r in records:
        for legend in r.get("legends", []):
            where = f"the figure {r['alt'][:70]!r}, legend {legend['labels'][:3]}"
            if legend["fontsize"] is not None and legend["fontsize"] < MIN_LEGEND_PT:
                problems.append(f"{where}: {legend['fontsize']:g} pt (at least {MIN_LEGEND_PT:g})")
            if legend["covers"]:
                problems.append(f"{where} covers {', '.join(legend['covers'][:4])}")
    assert not problems, "\n".join(problems)


@pytest.mark.slow
@pytest.mark.parametrize("chapter", chapters())
def test_figures_have_alt_text(built, chapter):
    """Does every image on the page have alt text that describes it (not its file name)?"""
    soup = BeautifulSoup(built[chapter], "html.parser")
    images = soup.find_all("img")
    missing = [img.get("src") for img in images
               if not img.get("alt", "").strip() or re.search(r"\.(png|svg|jpe?g)$", img["alt"])]
    assert not missing, f"images without a description: {missing}"
    described = [img["alt"] for img in images if "_images/" in img.get("src", "")]
    assert any(alt.startswith("Figure:") for alt in described), described[:3]


@pytest.mark.slow
def test_published_solutions_are_collapsed(published_html):
    """With `course: publish_solutions: true`, is every solution on the page, collapsed, and
    still no hidden test?"""
    chapter = chapters()[0]
    page = page_of(published_html, chapter)
    visible = text_of(page)
    solutions = solution_cells(source(chapter))
    assert page.count("tag_hide-input") == len(solutions) + authors_hidden_inputs(chapter)
    assert "BEGIN SOLUTION" not in visible and "HIDDEN TESTS" not in visible
    bodies = [line.strip() for cell in solutions
              for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", cell.source, re.S)
              for line in region.splitlines() if len(line.strip()) > 12]
    assert bodies and all(line in visible for line in bodies)
    hidden = [line for line in secret_lines(chapter) if line not in bodies]
    assert not [line for line in hidden if line in visible], "hidden tests on the published page"
    download = published_html / "_sources" / "notebooks" / chapter / f"{chapter}.ipynb"
    assert download.read_bytes() == (ROOT / "notebooks" / chapter / f"{chapter}.ipynb").read_bytes()
