"""Typical wrong answers to every exercise, one module per chapter.

Each module names its ``CHAPTER`` and maps every solution cell (its nbgrader grade_id) to
wrong bodies: ``{description: code}``. The grading tests submit the source notebook with exactly
one body replaced (the code between the solution markers) and require that exercise's grade cell
(``<grade_id>_tests``) to score less than full marks. Every exercise needs at least one entry.

``AFFECTS`` names the grade cells of later exercises that legitimately build on an earlier one
(chapter 01's training exercise calls the student's cross_entropy); anywhere else a wrong answer
must cost points on its own exercise only.
"""

from __future__ import annotations

import importlib
import pkgutil

WRONG_ANSWERS: dict[str, dict[str, dict[str, str]]] = {}
AFFECTS: dict[str, dict[str, set[str]]] = {}

for _module in pkgutil.iter_modules(__path__):
    _chapter = importlib.import_module(f"{__name__}.{_module.name}")
    WRONG_ANSWERS[_chapter.CHAPTER] = _chapter.WRONG_ANSWERS
    AFFECTS[_chapter.CHAPTER] = getattr(_chapter, "AFFECTS", {})
