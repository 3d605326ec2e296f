"""Alternative correct answers to every exercise, one module per chapter.

Each module names its ``CHAPTER`` and maps every solution cell (its nbgrader grade_id) to
correct bodies written unlike the reference: ``{description: code}``. The grading tests swap
each one in and require full marks on every grade cell: hidden tests must reward any correct
answer, not the reference's way of writing it.
"""

from __future__ import annotations

import importlib
import pkgutil

ALTERNATIVES: dict[str, dict[str, dict[str, str]]] = {}

for _module in pkgutil.iter_modules(__path__):
    _chapter = importlib.import_module(f"{__name__}.{_module.name}")
    ALTERNATIVES[_chapter.CHAPTER] = _chapter.ALTERNATIVES
