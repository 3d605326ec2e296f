"""Argument checks shared by every module: one place, one message style, one exception type
per mistake: a value of the wrong type raises ``TypeError``, a value of the right type outside
its allowed range raises ``ValueError``. Each returns the value as a plain Python number."""

from __future__ import annotations

import math
import numbers
from typing import Any


def integer(name: str, value: Any, minimum: int | None = None, *, what: str | None = None) -> int:
    """An integer (not a bool), at least ``minimum`` when given. ``what`` names the kind in the
    message ("a positive integer")."""
    what = what or (f"an integer >= {minimum}" if minimum is not None else "an integer")
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be {what}, got {value!r}")
    if minimum is not None and value < minimum:
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def positive_int(name: str, value: Any) -> int:
    """An integer >= 1."""
    return integer(name, value, 1, what="a positive integer")


def seed(value: Any, *, allow_none: bool = False) -> int | None:
    """A seed: a non-negative integer (or None where allowed)."""
    if value is None and allow_none:
        return None
    return integer("seed", value, 0,
                   what="a non-negative integer" + (" or None" if allow_none else ""))


def number(name: str, value: Any, low: float = -math.inf, high: float = math.inf, *,
           low_open: bool = False) -> float:
    """A real number (not a bool, not NaN) in [low, high] (or (low, high] with ``low_open``)."""
    left = "(" if low_open else "["
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in {left}{low}, {high}], got {value!r}")
    x = float(value)
    below = x <= low if low_open else x < low
    if math.isnan(x) or below or x > high:
        raise ValueError(f"{name} must be in {left}{low}, {high}], got {value!r}")
    return x


def flag(name: str, value: Any, *, allow_none: bool = False) -> bool | None:
    """True or False (or None where allowed)."""
    if isinstance(value, bool) or (allow_none and value is None):
        return value
    choices = "True, False or None" if allow_none else "True or False"
    raise TypeError(f"{name} must be {choices}, got {value!r}")
