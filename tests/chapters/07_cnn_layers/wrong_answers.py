"""Typical wrong answers to chapter 07's exercises (see tests/test_grading.py)."""

AFFECTS: dict[str, set[str]] = {}

WRONG_ANSWERS = {
    "scale": {
        "adds instead of multiplying": "return x + factor",
        "scales in place": "x.mul_(factor)\nreturn x",
    },
}
