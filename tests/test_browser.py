"""The built book in a real browser (Debian's Chromium, headless, through Playwright), served
on 127.0.0.1 with every request to another machine blocked: each page renders its formulas
(MathJax, from the book itself) without errors, loads every image, logs no error, leaves no raw
TeX, passes axe-core's accessibility check (no serious or critical violation); search finds
every chapter; the solution toggle of a published build opens and closes.

Skipped, saying why, only when there is no Chromium (`make browser` installs it as root)."""

from __future__ import annotations

import re

import pytest

from nbtools import chapters
from tools import book
from tools.browser import AXE, WIDTH, browser, chromium, offline_context, serve, toc_pages, wait_for_page

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(chromium() is None, reason="no Chromium to drive: `make browser` installs "
                       "Debian's (apt-get install chromium, as root), or set $COURSE_CHROMIUM"),
]
# axe-core rules whose serious findings are the theme's and not the book's, with the reason.
# (Empty: the two the theme had, label-content-name-mismatch on its search and colour-mode
# buttons, are fixed by the templates in book/_templates.)
KNOWN_THEME_FALSE_POSITIVES: dict[str, str] = {}

PAGE_REPORT = """async () => {
    const skip = "pre, code, mjx-container, script, style, textarea, .highlight, .cell_output";
    const walker = document.createTreeWalker(document.querySelector("main") || document.body,
                                             NodeFilter.SHOW_TEXT);
    const raw = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement;
        if (!parent || parent.closest(skip) || !parent.offsetParent) continue;
        const text = node.textContent;
        const found = text.match(/\\$|\\\\[()\\[\\]]|\\\\(begin|frac|lambda|mathbf|sum|left)\\b/);
        if (found) raw.push(text.slice(Math.max(0, found.index - 40), found.index + 40));
    }
    return {
        mathjax: !!(window.MathJax && MathJax.startup && MathJax.startup.document),
        math: document.querySelectorAll(".math").length,
        untypeset: [...document.querySelectorAll("span.math, div.math")]
            .filter(e => !e.querySelector("mjx-container")).map(e => e.textContent.slice(0, 80)),
        errors: [...document.querySelectorAll("mjx-merror")]
            .map(e => e.getAttribute("data-mjx-error") || e.textContent),
        broken: [...document.images].filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src),
        no_alt: [...document.images].filter(i => !(i.getAttribute("alt") || "").trim()
            || /\\.(png|svg|jpe?g)$/.test(i.alt)).map(i => i.src),
        raw: raw,
        title: (document.querySelector("main h1") || {}).textContent || "",
    };
}"""


@pytest.fixture(scope="module")
def chrome():
    with browser() as instance:
        yield instance


@pytest.fixture(scope="module")
def site(book_html):
    with serve(book_html) as url:
        yield url


def open_page(chrome, url: str):
    """A fresh visitor (new context: empty storage) opens ``url``; return (context, page, log)."""
    context = offline_context(chrome, width=WIDTH)
    page = context.new_page()
    log = []
    page.on("console", lambda message: log.append(f"console {message.type}: {message.text}")
            if message.type in ("error", "warning") else None)
    page.on("pageerror", lambda error: log.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: log.append(f"request failed: {request.url}"))
    page.on("response", lambda response: log.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 else None)
    page.goto(url)
    wait_for_page(page)
    return context, page, log


def test_every_page_is_tested(book_html):
    """Is every HTML page of the build one that the browser tests open?"""
    built = {str(p.relative_to(book_html)) for p in book_html.rglob("*.html")
             if p.relative_to(book_html).parts[0] not in ("_static", "_sources")}
    assert built - {"index.html"} == set(toc_pages())


@pytest.mark.parametrize("name", toc_pages())
def test_page_renders_offline(chrome, site, name):
    """Does the page typeset all its math without an error, load every image (each with alt
    text), log no error, show no raw TeX, and ask nothing of another machine?"""
    context, page, log = open_page(chrome, site + name)
    report = page.evaluate(PAGE_REPORT)
    problems = list(log)
    problems += [f"request to another machine: {url}" for url in context.external_requests]
    if report["math"]:
        problems += [] if report["mathjax"] else ["MathJax did not start"]
        problems += [f"math not typeset: {t!r}" for t in report["untypeset"]]
    problems += [f"MathJax error: {e!r}" for e in report["errors"]]
    problems += [f"image not loaded: {src}" for src in report["broken"]]
    problems += [f"image without alt text: {src}" for src in report["no_alt"]]
    problems += [f"raw TeX in the text: {t!r}" for t in report["raw"]]
    context.close()
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", toc_pages())
def test_page_is_accessible(chrome, site, name):
    """Does axe-core (from npm, run in the page) find no serious or critical violation?"""
    assert AXE.is_file(), "axe-core is missing: run `make web` (npm ci)"
    context, page, _ = open_page(chrome, site + name)
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("""async () => (await axe.run(document, {resultTypes: ["violations"]}))
        .violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                               nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))""")
    context.close()
    serious = [v for v in violations if v["impact"] in ("serious", "critical")
               and v["id"] not in KNOWN_THEME_FALSE_POSITIVES]
    assert not serious, "\n".join(f"{v['impact']} {v['id']}: {v['help']} at {v['nodes']}" for v in serious)


@pytest.mark.parametrize("chapter", chapters())
def test_search_finds_the_chapter(chrome, site, chapter):
    """Does the search page find the chapter by a word of its title, quoting the pages it found
    without raw TeX?"""
    title = book.chapter_title(chapter)
    words = sorted(re.findall(r"[A-Za-z]{3,}", title.split(" ", 1)[-1]), key=len, reverse=True)
    assert words, f"no word to search for in the title {title!r}"
    context, page, log = open_page(chrome, site + f"search.html?q={words[0]}")
    page.wait_for_function("() => /Search finished/.test(document.querySelector('#search-results')"
                           "?.textContent || '')", timeout=60_000)
    found = page.eval_on_selector_all("#search-results ul.search li a", "links => links.map(a => a.href)")
    raw = page.evaluate(PAGE_REPORT)["raw"]          # the quotes of the pages found
    context.close()
    assert any(f"notebooks/{chapter}/{chapter}.html" in href for href in found), (words[0], found[:5])
    assert not raw, f"raw TeX in the search results: {raw[:5]}"
    assert not log, log


def test_solution_toggle_opens_and_closes(chrome, published_html):
    """In a build with published solutions, is a solution hidden until its toggle is clicked,
    shown after, and hidden again on a second click?"""
    chapter = chapters()[0]
    with serve(published_html) as url:
        context, page, log = open_page(chrome, url + f"notebooks/{chapter}/{chapter}.html")
        cell = page.locator(".tag_hide-input").first
        code = cell.locator(".cell_input")
        summary = cell.locator("summary").first
        assert summary.is_visible() and not code.is_visible()
        summary.click()
        code.wait_for(state="visible", timeout=5_000)
        assert "def " in code.inner_text()
        summary.click()
        code.wait_for(state="hidden", timeout=5_000)
        context.close()
    assert not log, log
