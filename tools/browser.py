"""The built book in a real browser: a web server on 127.0.0.1 and Debian's Chromium, headless,
driven by Playwright. Shared by the browser tests and ``make screenshots``.

Playwright's own browser downloads are not needed (nor reachable everywhere): it drives the
system's Chromium (``apt-get install chromium``; ``$COURSE_CHROMIUM`` names another binary).
Every request that would leave the machine is blocked and recorded, so a page that needs the
network shows it.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .course import ROOT

__all__ = ["AXE", "chromium", "serve", "browser", "offline_context", "toc_pages", "wait_for_page"]

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WIDTH = 1280                                   # the width pages are tested and shot at
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}


def chromium() -> str | None:
    """The Chromium binary to drive, or None when there is none."""
    named = os.environ.get("COURSE_CHROMIUM")
    if named:
        return named if Path(named).is_file() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        pass


@contextmanager
def serve(root: Path) -> Iterator[str]:
    """Serve the folder ``root`` on 127.0.0.1 (a free port); yield its URL ("http://.../")."""
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def browser():
    """A headless Chromium (Playwright's Browser); RuntimeError when there is none to drive."""
    from playwright.sync_api import sync_playwright

    binary = chromium()
    if binary is None:
        raise RuntimeError("no Chromium found: `apt-get install chromium` (Debian), or name the "
                           "binary in $COURSE_CHROMIUM")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=binary)
        try:
            yield instance
        finally:
            instance.close()


def offline_context(instance, *, width: int = WIDTH, height: int = 900):
    """A browser context that blocks every request leaving the machine and lists them in
    ``context.external_requests``."""
    context = instance.new_context(viewport={"width": width, "height": height})
    context.external_requests = []

    def route(route_):
        host = urlsplit(route_.request.url).hostname or ""
        if route_.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route_.continue_()
        else:
            context.external_requests.append(route_.request.url)
            route_.abort()

    context.route("**/*", route)
    return context


def wait_for_page(page) -> None:
    """Wait until MathJax has typeset the page and every image has loaded (or failed)."""
    page.wait_for_load_state("load")
    page.evaluate("""async () => {
        if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
            await MathJax.startup.promise;
        }
        for (const img of document.images) { img.loading = "eager"; }
        await Promise.all([...document.images].map(img => img.complete ? null :
            new Promise(done => { img.addEventListener("load", done); img.addEventListener("error", done); })));
    }""")


def toc_pages() -> list[str]:
    """The book's HTML pages, from _toc.yml (relative to the html folder), and Sphinx's own
    search and index pages."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [str(item["file"]) for item in part.get("chapters", []) if "file" in item]
    return [f"{name}.html" for name in files] + ["search.html", "genindex.html"]
