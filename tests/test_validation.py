"""The shared argument checks: TypeError for the wrong type, ValueError for a bad value."""

import math

import numpy as np
import pytest

from course_utils import validation as valid


def test_integers():
    assert valid.integer("n", np.int64(3), 1) == 3 and type(valid.integer("n", 3)) is int
    for bad in (2.5, "3", True, None):
        with pytest.raises(TypeError, match="n must be"):
            valid.integer("n", bad, 1)
    with pytest.raises(ValueError, match="n must be an integer >= 1, got 0"):
        valid.integer("n", 0, 1)
    with pytest.raises(ValueError, match="width must be a positive integer, got -2"):
        valid.positive_int("width", -2)


def test_seeds_numbers_and_flags():
    assert valid.seed(None, allow_none=True) is None
    with pytest.raises(TypeError, match="seed must be a non-negative integer, got None"):
        valid.seed(None)
    with pytest.raises(ValueError, match="seed"):
        valid.seed(-1)
    assert valid.number("lr", 1, 0.0, low_open=True) == 1.0
    for bad, error in ((0.0, ValueError), (math.nan, ValueError), ("1", TypeError), (True, TypeError)):
        with pytest.raises(error, match="lr"):
            valid.number("lr", bad, 0.0, low_open=True)
    assert valid.flag("amp", False) is False and valid.flag("p", None, allow_none=True) is None
    with pytest.raises(TypeError, match="amp must be True or False, got 1"):
        valid.flag("amp", 1)
