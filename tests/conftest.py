"""Shared fixtures. Expensive products (the built book, an executed chapter) are made once per
test run even when pytest-xdist spreads the tests over several workers."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock

# The chapters' numbers are stated for the course checkpoint: never try to download ImageNet
# weights in a test run, even on a machine with a network (course_utils.pretrained).
os.environ.setdefault("COURSE_OFFLINE", "1")


def _shared_dir(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    # xdist workers each get a subfolder of one folder per run; without xdist, use our own
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def once(tmp_path_factory) -> Callable[[str, Callable[[], object]], object]:
    """``once(name, make)``: run ``make()`` in one worker only; every worker gets its JSON result."""
    shared = _shared_dir(tmp_path_factory)

    def run(name: str, make: Callable[[], object]) -> object:
        result = shared / f"{name}.json"
        with FileLock(str(shared / f"{name}.lock")):
            if not result.exists():
                result.write_text(json.dumps(make()))
        return json.loads(result.read_text())

    return run


@pytest.fixture(scope="session")
def book_html(once) -> Path:
    """The book as `make book` builds it (chapters in fast mode, solutions not published):
    built once per test run, for the static and the browser tests."""
    from tools import book

    if os.environ.get("COURSE_TEST_BOOK"):      # developing the tests: a book built before
        return Path(os.environ["COURSE_TEST_BOOK"]) / "_build" / "html"
    status = once("book", lambda: book.build(fast=True))
    assert status == 0, "the book build failed or warned (warnings are errors)"
    return book.ROOT / "_build" / "html"


@pytest.fixture(scope="session")
def published_html(once, book_html) -> Path:
    """A small book (the first chapter) built with the solutions published, as after a deadline;
    it reuses the executed pages of ``book_html``."""
    from tools import book

    output = book_html.parent / "published"
    status = once("published", lambda: book.build(fast=True, only=book.chapters()[:1],
                                                  publish_solutions=True, output=output))
    assert status == 0, "the book build with published solutions failed or warned"
    return output / "_build" / "html"
