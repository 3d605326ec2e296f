"""Explorers: validation, the static small multiples, and live widgets on ipywidgets 8 and 7.7."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from course_utils.widgets import Choice, Explorer, Slider, explore  # noqa: E402
from nbtools import ROOT  # noqa: E402


def draw_line(ax, slope, style):
    ax.plot([0, 1], [0, slope], style)


CONTROLS = {"slope": Slider(-2.0, 2.0, 1.0), "style": Choice(("-", "--"))}


@pytest.mark.parametrize("args, error, match", [
    ((2.0, 1.0, 1.5), ValueError, "min < max"),
    ((0.0, 1.0, 2.0), ValueError, "outside"),
    ((0.0, 1.0, 0.5, 0.0), ValueError, "step must be positive"),
    ((0.0, float("nan"), 0.5), ValueError, "finite"),
    (("0", 1.0, 0.5), TypeError, "must be numbers"),
])
def test_slider_rejects_bad_arguments(args, error, match):
    """Does a Slider refuse inconsistent bounds, values and steps with a clear message?"""
    with pytest.raises(error, match=match):
        Slider(*args)


def test_choice_and_explorer_reject_bad_arguments():
    """Are empty choices, unknown values, unknown controls and non-controls refused?"""
    with pytest.raises(ValueError, match="at least one option"):
        Choice(())
    with pytest.raises(ValueError, match="not one of"):
        Choice(("a", "b"), "c")
    with pytest.raises(ValueError, match="unknown controls \\['slop'\\]"):
        Explorer(draw_line, CONTROLS, static_settings=[{"slop": 1.0}])
    with pytest.raises(ValueError, match="outside"):
        Explorer(draw_line, CONTROLS, static_settings=[{"slope": 5.0}])
    with pytest.raises(ValueError, match="not one of"):
        Explorer(draw_line, CONTROLS, static_settings=[{"style": ":"}])
    with pytest.raises(TypeError, match="Slider or a Choice"):
        Explorer(draw_line, {"slope": (0, 1)})
    with pytest.raises(TypeError, match="draw must be a function"):
        Explorer("draw", CONTROLS)
    with pytest.raises(ValueError, match="at least one control"):
        Explorer(draw_line, {})


def test_static_figure_has_one_panel_per_setting():
    """Without a front end, is every static setting drawn in its own titled panel?"""
    settings = [{}, {"slope": -1.5}, {"slope": 0.5, "style": "--"}]
    fig = explore(draw_line, CONTROLS, static_settings=settings, static=True)
    assert isinstance(fig, Figure)
    panels = [ax for ax in fig.axes if ax.lines]
    assert len(panels) == 3
    assert [ax.lines[0].get_ydata()[1] for ax in panels] == [1.0, -1.5, 0.5]
    assert "slope=-1.5" in panels[1].get_title()
    plt.close("all")


def test_static_mode_follows_the_environment(monkeypatch):
    """Does COURSE_STATIC=1 give the static figure and its absence the live widget?"""
    monkeypatch.setenv("COURSE_STATIC", "1")
    assert isinstance(explore(draw_line, CONTROLS), Figure)
    monkeypatch.setenv("COURSE_STATIC", "0")
    import ipywidgets

    assert isinstance(explore(draw_line, CONTROLS), ipywidgets.VBox)
    plt.close("all")


LIVE_SCRIPT = textwrap.dedent("""
    import json, time
    import matplotlib
    matplotlib.use("agg")
    import ipywidgets
    from course_utils.widgets import Explorer, Slider, Choice
    calls = []
    def draw(ax, slope, style):
        calls.append([slope, style])
        ax.plot([0, 1], [0, slope], style)
    box = Explorer(draw, {"slope": Slider(-2.0, 2.0, 1.0), "style": Choice(("-", "--"))}).widget()
    slider, dropdown = box.children[0].children
    start = time.perf_counter()
    slider.value = 1.5
    dropdown.value = "--"
    seconds = (time.perf_counter() - start) / 2
    print("RESULT" + json.dumps({"version": ipywidgets.__version__, "calls": calls,
                                 "kinds": [type(slider).__name__, type(dropdown).__name__],
                                 "seconds": seconds}))
""")


def run_live(pythonpath: str | None = None) -> dict:
    env = None
    if pythonpath:
        import os

        env = {**os.environ, "PYTHONPATH": pythonpath}
    result = subprocess.run([sys.executable, "-c", LIVE_SCRIPT], capture_output=True, text=True,
                            env=env, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.split("RESULT", 1)[1])


def check_live(result: dict) -> None:
    assert result["kinds"] == ["FloatSlider", "Dropdown"]
    # drawn once at start, then once per change, with the new values
    assert result["calls"] == [[1.0, "-"], [1.5, "-"], [1.5, "--"]]


def test_live_widget_redraws_on_every_change_ipywidgets_8():
    """With ipywidgets 8, does moving a control redraw with the new value?"""
    result = run_live()
    assert result["version"].startswith("8.")
    check_live(result)


@pytest.fixture(scope="session")
def ipywidgets7(tmp_path_factory):
    """ipywidgets 7.7.1, what Colab ships, installed beside the environment (not into it).
    Needs the package registry once (then cached in _build/): skipped, saying so, without it."""
    target = ROOT / "_build" / "ipywidgets7"
    if not (target / "ipywidgets" / "__init__.py").exists():
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
             "ipywidgets==7.7.1", "ipython_genutils==0.2.0"],
            capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            offline = any(word in result.stderr for word in (
                "Could not find a version", "NewConnectionError", "Temporary failure",
                "No matching distribution", "Network is unreachable", "ProxyError"))
            if offline:
                pytest.skip("ipywidgets 7.7.1 is not installed and the package registry cannot "
                            "be reached (the test needs it once)")
            pytest.fail(f"could not install ipywidgets 7.7.1:\n{result.stderr}")
    return str(target)


@pytest.mark.network
def test_live_widget_redraws_on_every_change_ipywidgets_7(ipywidgets7):
    """With Colab's ipywidgets 7.7.1, does the same explorer build and redraw the same way?"""
    result = run_live(ipywidgets7)
    assert result["version"] == "7.7.1"
    check_live(result)
