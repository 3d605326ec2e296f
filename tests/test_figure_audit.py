"""tools.figure_audit: what the book measures about every figure (legend sizes, legends over
data, alt text), checked on figures made here."""

from __future__ import annotations

import io
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from tools import figure_audit  # noqa: E402


def png_of(fig) -> bytes:
    buffer = io.BytesIO()
    fig.canvas.print_figure(buffer, format="png")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_a_legend_over_a_line_is_reported():
    """Does a legend placed on top of a curve count as covering it, and one beside it not?"""
    fig, (covered, clear) = plt.subplots(1, 2, figsize=(8, 3))
    x = np.linspace(0, 1, 50)
    covered.plot(x, np.full_like(x, 0.95), label="flat line at the top")
    covered.set_ylim(0, 1)
    covered.legend(loc="upper center", fontsize=7)
    clear.plot(x, x, label="diagonal")
    clear.legend(loc="upper left")
    record = figure_audit.audit(fig, png_of(fig))
    first, second = record["legends"]
    assert first["covers"] and "flat line" in first["covers"][0]
    assert first["fontsize"] == 7
    assert second["covers"] == [] and second["fontsize"] == 10
    assert record["width"] == 800 and record["dpi"] == fig.dpi


def test_the_alt_text_reads_the_figure_s_own_words():
    """Is the description made of the title, the axis labels and the legend, math in plain words?"""
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4], label="training")
    ax.set(title="Loss curves", xlabel="epoch", ylabel=r"loss $\lambda_k$")
    ax.legend()
    alt = figure_audit.describe(fig)
    assert alt.startswith("Figure:")
    for words in ("Loss curves", "epoch", "loss λ_k", "training"):
        assert words in alt, (words, alt)


def test_install_records_every_png_and_changes_nothing(tmp_path, monkeypatch):
    """Once installed, does every PNG made go on record, byte for byte the same PNG as before?"""
    from matplotlib.backend_bases import FigureCanvasBase

    # put matplotlib back as it was after the test (install() wraps print_figure for good)
    monkeypatch.setattr(FigureCanvasBase, "print_figure", FigureCanvasBase.print_figure)
    target = tmp_path / "figures.jsonl"
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="line")
    ax.legend()
    before = png_of(fig)
    figure_audit.install(str(target))
    after = png_of(fig)
    assert before == after
    record = json.loads(target.read_text().splitlines()[-1])
    assert record["legends"][0]["labels"] == ["line"]
    import hashlib
    assert record["sha256"] == hashlib.sha256(after).hexdigest()


def test_a_legend_over_an_axis_label_is_reported():
    """Does a legend pushed under the axes onto the x label count as covering it?"""
    fig, ax = plt.subplots(figsize=(4, 3))
    ax.plot([0, 1], [0, 1], label="a line")
    ax.set_xlabel("the x label")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1))
    record = figure_audit.audit(fig, png_of(fig))
    assert any("the x label" in c for c in record["legends"][0]["covers"])
