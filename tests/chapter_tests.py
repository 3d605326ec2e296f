"""Each chapter's tests live together in tests/chapters/<chapter>/:

- ``test_<chapter>.py``: the numbers the chapter states, read from its own run by a probe;
- ``wrong_answers.py``: ``WRONG_ANSWERS = {solution id: {description: body}}`` (each must lose
  points on its own exercise) and ``AFFECTS = {solution id: {grade cells it may also cost}}``;
- ``alternatives.py``: ``ALTERNATIVES = {solution id: {description: body}}``, correct answers
  written unlike the reference (each must earn full marks).

This module finds them for every chapter in solutions/ (pytest discovers the test files itself).
"""

from __future__ import annotations

import importlib.util
from types import ModuleType

from tools.course import ROOT, chapters

CHAPTER_TESTS = ROOT / "tests" / "chapters"


def chapter_module(chapter: str, name: str) -> ModuleType | None:
    path = CHAPTER_TESTS / chapter / f"{name}.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(f"chapter_{chapter}_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


WRONG_ANSWERS: dict[str, dict[str, dict[str, str]]] = {}
AFFECTS: dict[str, dict[str, set[str]]] = {}
ALTERNATIVES: dict[str, dict[str, dict[str, str]]] = {}

for _chapter in chapters():
    _wrong = chapter_module(_chapter, "wrong_answers")
    if _wrong is not None:
        WRONG_ANSWERS[_chapter] = _wrong.WRONG_ANSWERS
        AFFECTS[_chapter] = getattr(_wrong, "AFFECTS", {})
    _alternatives = chapter_module(_chapter, "alternatives")
    if _alternatives is not None:
        ALTERNATIVES[_chapter] = _alternatives.ALTERNATIVES

