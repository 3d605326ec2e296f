"""Chapter 02 reproduces what its text claims: the probe reads the chapter's own values."""

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow
PROBE = "probe = {'x': x.tolist(), 'scaled': scale(x, 2.0).tolist()}"


@pytest.fixture(scope="module")
def measured(once):
    return once("02_backpropagation", lambda: run_with_probe(
        ROOT / "solutions" / "02_backpropagation" / "02_backpropagation.ipynb", PROBE))


def test_the_demo_and_the_exercise_agree(measured):
    assert measured["scaled"] == [2 * v for v in measured["x"]]
