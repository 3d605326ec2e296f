"""Screenshots of every page of the built book, for review: full-page PNGs at 1280 px wide.

    python -m tools.screenshots                 # _build/html -> _build/screenshots/
    python -m tools.screenshots --html DIR --out DIR

Builds the book first (``python -m tools.book``) when there is none. Each page is shot after
MathJax has typeset it and its images have loaded; a page is named after its path
(``notebooks/01_losses/01_losses.html`` -> ``notebooks__01_losses__01_losses.png``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from . import book
from .browser import WIDTH, browser, offline_context, serve, wait_for_page
from .course import ROOT

HTML = ROOT / "_build" / "html"
OUT = ROOT / "_build" / "screenshots"


def pages(html: Path) -> list[str]:
    """Every page of the built book except the redirecting index.html."""
    names = (str(p.relative_to(html)) for p in html.rglob("*.html"))
    return sorted(n for n in names if n != "index.html" and n.split("/")[0] not in ("_static", "_sources"))


def shoot(html: Path = HTML, out: Path = OUT) -> list[Path]:
    """Write one PNG per page into ``out``; return their paths."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with serve(html) as url, browser() as instance:
        context = offline_context(instance, width=WIDTH)
        for name in pages(html):
            page = context.new_page()
            page.goto(url + name)
            wait_for_page(page)
            target = out / (name.removesuffix(".html").replace("/", "__") + ".png")
            page.screenshot(path=str(target), full_page=True)
            page.close()
            written.append(target)
            print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
        if context.external_requests:
            print("blocked requests that would have left the machine:",
                  *sorted(set(context.external_requests)), sep="\n  ")
        context.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", type=Path, default=HTML, help="the built book (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.html == HTML and not (HTML / "index.html").is_file():
        print("no built book in _build/html: building it first")
        if book.build() != 0:
            return 1
    shots = shoot(args.html, args.out)
    print(f"{len(shots)} screenshots at {WIDTH} px wide in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
