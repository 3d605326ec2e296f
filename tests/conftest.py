"""Shared fixtures. Expensive products (the built book, an executed chapter) are made once per
test run even when pytest-xdist spreads the tests over several workers."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from filelock import FileLock


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
