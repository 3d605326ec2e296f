"""Measure every figure a chapter shows, while the book executes it.

The book's kernel runs :func:`install` at start (``tools.book`` passes it to ipykernel's
``exec_lines``). From then on, each time a figure is turned into a PNG for the notebook, one JSON
line is appended to the file named by ``$COURSE_FIGURE_AUDIT``:

- ``sha256``: of the PNG bytes, which is also the name Jupyter Book gives the image file, so the
  page's ``<img>`` can be matched to its record;
- ``width``, ``dpi``: the PNG's width in pixels and the resolution it was drawn at;
- ``legends``: for each legend, its smallest font size (points, at the figure's own size) and
  what it covers (points of lines and scatters, bars, texts, axis labels and titles of any axes
  under its box);
- ``alt``: a description of the figure (titles, axis labels, legend entries), the image's alt text.

It draws nothing and changes no output: the PNG is the one matplotlib made anyway.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import os
import re

import numpy as np

__all__ = ["install", "audit"]

ALT_LIMIT = 400          # characters of alt text; a screen reader reads all of it
SAMPLE_PX = 2.0          # line segments are sampled every 2 px to find the parts under a legend
INSET_PX = 2.0           # a point must lie this far inside a legend's box to count as covered


def install(path: str | None = None) -> None:
    """Wrap matplotlib's ``print_figure`` so that every PNG made is also measured."""
    from matplotlib.backend_bases import FigureCanvasBase

    target = path or os.environ.get("COURSE_FIGURE_AUDIT")
    if not target or getattr(FigureCanvasBase.print_figure, "_course_audit", False):
        return
    original = FigureCanvasBase.print_figure

    def print_figure(self, filename, *args, **kwargs):
        result = original(self, filename, *args, **kwargs)
        if isinstance(filename, io.BytesIO) and filename.getvalue()[:8] == b"\x89PNG\r\n\x1a\n":
            try:
                record = audit(self.figure, filename.getvalue(), dpi=kwargs.get("dpi"))
            except Exception as error:  # a measurement must never break a chapter
                record = {"sha256": hashlib.sha256(filename.getvalue()).hexdigest(),
                          "error": f"{type(error).__name__}: {error}"}
            try:
                from IPython import get_ipython
                shell = get_ipython()
                record["execution_count"] = shell.execution_count if shell else None
            except ImportError:
                record["execution_count"] = None
            with open(target, "a", encoding="utf-8") as out:
                out.write(json.dumps(record) + "\n")
        return result

    print_figure._course_audit = True
    FigureCanvasBase.print_figure = print_figure


def audit(fig, png: bytes, *, dpi: float | None = None) -> dict:
    """The record of one figure (see the module docstring) drawn into ``png``."""
    import matplotlib

    fig.draw_without_rendering()      # lay out at the figure's own dpi, as when it was printed
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else fig._get_renderer()
    saved_dpi = dpi or matplotlib.rcParams["savefig.dpi"]
    saved_dpi = fig.dpi if saved_dpi == "figure" else float(saved_dpi)
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    return {
        "sha256": hashlib.sha256(png).hexdigest(),
        "width": int.from_bytes(png[16:20], "big"),      # the PNG header's IHDR width
        "dpi": saved_dpi,
        "legends": [_legend_record(legend, fig, renderer) for legend in legends
                    if legend.get_visible()],
        "alt": describe(fig),
    }


def _legend_record(legend, fig, renderer) -> dict:
    texts = [t for t in legend.get_texts() if t.get_visible() and t.get_text()]
    title = legend.get_title()
    if title.get_visible() and title.get_text():
        texts.append(title)
    box = legend.get_window_extent(renderer)
    return {
        "labels": [t.get_text() for t in legend.get_texts()],
        "fontsize": min((t.get_fontsize() for t in texts), default=None),
        "covers": _covered(box, legend, fig, renderer),
    }


def _covered(box, legend, fig, renderer) -> list[str]:
    """What of the figure's data lies under the legend's box (empty when nothing does)."""
    x0, y0, x1, y1 = box.x0 + INSET_PX, box.y0 + INSET_PX, box.x1 - INSET_PX, box.y1 - INSET_PX
    if x1 <= x0 or y1 <= y0:
        return []

    def inside(points: np.ndarray) -> int:
        points = points[np.isfinite(points).all(axis=1)]
        return int(((points[:, 0] > x0) & (points[:, 0] < x1)
                    & (points[:, 1] > y0) & (points[:, 1] < y1)).sum())

    covered = []
    for ax in fig.axes:
        if not ax.get_visible() or not box.overlaps(ax.get_tightbbox(renderer)):
            continue                                        # (the tight box has the labels)
        clip = ax.bbox
        for line in ax.get_lines():
            if not line.get_visible() or len(line.get_xydata()) == 0:
                continue
            points = line.get_transform().transform(np.asarray(line.get_xydata(), dtype=float))
            if line.get_linestyle() not in ("None", "none", "", " "):
                points = _sampled(points)
            points = points[(points[:, 0] >= clip.x0) & (points[:, 0] <= clip.x1)
                            & (points[:, 1] >= clip.y0) & (points[:, 1] <= clip.y1)]
            if n := inside(points):
                covered.append(f"line {line.get_label()!r} ({n} points)")
        for collection in ax.collections:
            offsets = collection.get_offsets()
            if not collection.get_visible() or len(offsets) == 0 or len(collection.get_paths()) == 0:
                continue
            if type(collection).__name__ != "PathCollection":   # scatter; areas are not points
                continue
            points = collection.get_offset_transform().transform(np.asarray(offsets, dtype=float))
            if n := inside(points):
                covered.append(f"scatter {collection.get_label()!r} ({n} points)")
        for patch in ax.patches:
            if patch.get_visible() and _overlap_area(box, patch.get_window_extent(renderer)) > 0.01:
                covered.append(f"{type(patch).__name__} {patch.get_label()!r}")
        for text in [*ax.texts, ax.xaxis.label, ax.yaxis.label, ax.title]:
            if text.get_visible() and text.get_text().strip() \
                    and _overlap_area(box, text.get_window_extent(renderer)) > 0.01:
                covered.append(f"text {text.get_text()!r}")
    return covered


def _sampled(points: np.ndarray) -> np.ndarray:
    """A polyline's vertices plus points every SAMPLE_PX along each segment."""
    points = points[np.isfinite(points).all(axis=1)]
    if len(points) < 2:
        return points
    out = [points[:1]]
    for a, b in zip(points[:-1], points[1:]):
        n = min(int(math.ceil(np.hypot(*(b - a)) / SAMPLE_PX)), 2000)
        if n > 1:
            t = np.linspace(0, 1, n + 1)[1:, None]
            out.append(a + t * (b - a))
        else:
            out.append(b[None])
    return np.concatenate(out)


def _overlap_area(box, other) -> float:
    """Area of the intersection of two boxes, as a fraction of the first one's."""
    w = min(box.x1, other.x1) - max(box.x0, other.x0)
    h = min(box.y1, other.y1) - max(box.y0, other.y0)
    area = box.width * box.height
    return max(w, 0) * max(h, 0) / area if area > 0 else 0.0


_SYMBOLS = {"alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "eta": "η",
            "theta": "θ", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "pi": "π", "rho": "ρ",
            "sigma": "σ", "tau": "τ", "phi": "φ", "omega": "ω", "Delta": "Δ", "Sigma": "Σ",
            "nabla": "∇", "partial": "∂", "propto": "∝", "times": "×", "cdot": "·", "approx": "≈",
            "leq": "≤", "geq": "≥", "infty": "∞", "to": "→", "sqrt": "√", "ln": "ln", "log": "log",
            "exp": "exp", "mathbf": "", "mathrm": "", "text": "", "frac": "", "left": "", "right": ""}


def _plain(text: str) -> str:
    """Matplotlib's mathtext ($\\lambda_k$) as plain words for a screen reader (λ_k)."""
    if "$" not in text:
        return text
    text = re.sub(r"\\([A-Za-z]+)", lambda m: _SYMBOLS.get(m[1], m[1]), text.replace("$", ""))
    return re.sub(r"\\[,;:! ]", " ", text).replace("{", "").replace("}", "")


def describe(fig) -> str:
    """A short description of a figure from its own words: titles, axis labels, legends."""

    def clean(text: str) -> str:
        return " ".join(_plain(text).split())

    parts = []
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_text().strip():
        parts.append(clean(suptitle.get_text()))
    axes = [ax for ax in fig.axes if ax.get_visible() and ax.has_data()]
    images = [ax for ax in axes if ax.images and not ax.lines]
    if len(images) > 6 and len(images) >= len(axes) - 1:
        titles = [clean(ax.get_title()) for ax in images if ax.get_title().strip()]
        panel = f"a grid of {len(images)} images"
        if titles:
            panel += " titled " + ", ".join(titles)
        parts.append(panel)
    else:
        for number, ax in enumerate(axes, start=1):
            what = []
            if ax.get_title().strip():
                what.append(clean(ax.get_title()))
            if ax.images and not ax.lines:
                what.append("image")
            labels = [clean(label) for label in (ax.get_xlabel(), ax.get_ylabel())]
            if any(labels):
                what.append(" against ".join(l for l in labels[::-1] if l))
            legend = ax.get_legend()
            if legend is not None:
                what.append("legend: " + ", ".join(clean(t.get_text()) for t in legend.get_texts()))
            if what:
                parts.append((f"panel {number}: " if len(axes) > 1 else "") + "; ".join(what))
    for legend in fig.legends:
        parts.append("legend: " + ", ".join(clean(t.get_text()) for t in legend.get_texts()))
    text = "Figure: " + ". ".join(p for p in parts if p) if parts else "Figure drawn by the code above"
    return text if len(text) <= ALT_LIMIT else text[: ALT_LIMIT - 1].rsplit(" ", 1)[0] + "…"
