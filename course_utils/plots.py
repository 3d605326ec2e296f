"""Figures the chapters share: training curves, image grids and small multiples.

Introduced in chapter 01. Every function returns its matplotlib Figure and closes nothing; in a
notebook, end the line with ``;`` or assign the figure, so that it is not shown twice.
:func:`small_multiples` is also what the widgets draw when no live front end is attached (book
build, autograding), so that the printed book shows what a slider would.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from . import validation as valid

__all__ = ["plot_history", "show_images", "small_multiples", "format_setting"]


def plot_history(history, *, axes=None) -> Figure:
    """Loss curves (training and validation) on one axes, accuracy on a second; best epoch marked.

    Args:
        history: a :class:`~course_utils.training.History` (anything with its list attributes
            ``train_loss``, ``val_loss``, ``train_acc``, ``val_acc`` and ``best_epoch``).
        axes: a pair of Axes (loss, accuracy) to draw into; None (default) makes a new figure.

    Returns:
        The Figure.
    """
    if axes is None:
        fig, axes = plt.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
    if not hasattr(axes, "__len__") or len(axes) != 2:
        raise ValueError(f"axes must be a pair (loss axes, accuracy axes), e.g. from "
                         f"plt.subplots(1, 2); got {axes!r}")
    loss_ax, acc_ax = axes
    for ax, quantity, scale, label in ((loss_ax, "loss", 1, "loss (mean per sample)"),
                                       (acc_ax, "acc", 100, "accuracy (%)")):
        for split, style in (("train", "-"), ("val", "--")):
            values = np.asarray(getattr(history, f"{split}_{quantity}"), dtype=float)
            if len(values):
                epochs = np.arange(1, len(values) + 1)
                ax.plot(epochs, scale * values, style, marker=".", label=split)
        ax.set(xlabel="epoch", ylabel=label)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    best = history.best_epoch
    if best is not None:
        for ax in axes:
            ax.axvline(best, color="0.5", linestyle=":", label=f"best epoch ({best})")
    for ax in axes:
        if ax.lines:
            ax.legend(frameon=False)
    if not (history.train_acc or history.val_acc):
        acc_ax.text(0.5, 0.5, "no accuracy:\ntargets are not class indices", ha="center",
                    va="center", transform=acc_ax.transAxes, color="0.4")
    return loss_ax.figure


def show_images(images, labels=None, *, classes: Sequence[str] | None = None, ncols: int = 8,
                title: str | None = None, cmap: str = "gray", max_images: int = 64) -> Figure:
    """A grid of images, each titled with its label (or class name).

    Args:
        images: tensor or array (N, C, H, W) with C 1 or 3, or (N, H, W); values in [0, 1]
            (others are clipped), or uint8 in 0..255.
        labels: one label per image (ints, or anything printable); None (default) for no titles.
        classes: names of the classes, so that label ``i`` is shown as ``classes[i]``.
        ncols: images per row (default 8).
        title: title of the whole figure.
        cmap: colour map for one-channel images (default "gray").
        max_images: show at most this many, the first ones (default 64).

    Returns:
        The Figure.
    """
    valid.positive_int("max_images", max_images)
    pixels = _as_image_array(images)[:max_images]  # (n, H, W) or (n, H, W, 3)
    n = len(pixels)
    if labels is not None:
        labels = list(labels.tolist() if hasattr(labels, "tolist") else labels)
        if len(labels) < n:
            raise ValueError(f"labels has {len(labels)} entries for {n} images; "
                             f"give one label per image")
    valid.positive_int("ncols", ncols)
    cols = min(ncols, n)
    rows = math.ceil(n / cols)
    height = 1.3 * rows + (0.3 if title is not None else 0)
    fig, axes = plt.subplots(rows, cols, figsize=(1.3 * cols, height), squeeze=False,
                             layout="constrained")
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            ax.imshow(pixels[i], cmap=cmap, vmin=0, vmax=1)
            if labels is not None:
                name = classes[labels[i]] if classes is not None else str(labels[i])
                ax.set_title(name, fontsize=8)
    if title is not None:
        fig.suptitle(title)
    return fig


def small_multiples(draw: Callable, settings: Sequence[Mapping], *, ncols: int = 3,
                    panel_size: tuple[float, float] = (3.2, 2.6),
                    title: str | None = None) -> Figure:
    """One panel per setting, ``draw(ax, **setting)``, titled "lr=0.1, momentum=0.9".

    The static stand-in for a widget: a reader sees the same plot at several slider positions.

    Args:
        draw: a function ``draw(ax, **setting)`` that draws into the matplotlib Axes ``ax``.
        settings: the keyword arguments of each panel, e.g. ``[{"lr": 0.01}, {"lr": 0.1}]``.
        ncols: panels per row (default 3).
        panel_size: (width, height) of one panel in inches (default (3.2, 2.6)).
        title: title of the whole figure.

    Returns:
        The Figure.
    """
    settings = list(settings)
    if not settings:
        raise ValueError("settings is empty; give at least one dict of keyword arguments for draw")
    for i, setting in enumerate(settings):
        if not isinstance(setting, Mapping):
            raise TypeError(f"settings[{i}] must be a dict of keyword arguments for draw, "
                            f"got {setting!r}")
    valid.positive_int("ncols", ncols)
    cols = min(ncols, len(settings))
    rows = math.ceil(len(settings) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(panel_size[0] * cols, panel_size[1] * rows),
                             squeeze=False, layout="constrained")
    for ax, setting in zip(axes.flat, settings):
        draw(ax, **setting)
        ax.set_title(format_setting(setting), fontsize=9)
    for ax in axes.flat[len(settings):]:
        ax.set_axis_off()
    if title is not None:
        fig.suptitle(title)
    return fig


def format_setting(setting: Mapping) -> str:
    """``{"lr": 0.1, "momentum": 0.9}`` -> ``"lr=0.1, momentum=0.9"``; floats to 3 digits."""

    def compact(value) -> str:
        is_float = isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral)
        return f"{value:.3g}" if is_float else str(value)

    return ", ".join(f"{key}={compact(value)}" for key, value in setting.items())


def _as_image_array(images) -> np.ndarray:
    """Tensor or array (N, C, H, W) or (N, H, W) -> array (N, H, W) or (N, H, W, 3) in [0, 1]."""
    if hasattr(images, "detach"):  # a torch tensor, possibly on a GPU
        images = images.detach().cpu()
        # numpy has no bfloat16: go through float32
        images = (images.float() if images.is_floating_point() else images).numpy()
    array = np.asarray(images)
    array = array / 255.0 if array.dtype == np.uint8 else array.astype(float)  # bytes to [0, 1]
    if array.ndim == 4 and array.shape[1] in (1, 3):
        array = array.transpose(0, 2, 3, 1)  # (N, C, H, W) -> (N, H, W, C)
        array = array[..., 0] if array.shape[-1] == 1 else array
    elif array.ndim != 3:
        hint = "; for channels-last images, use images.permute(0, 3, 1, 2)" * (array.ndim == 4)
        raise ValueError(f"images must have shape (N, C, H, W) with C 1 or 3, or (N, H, W); got "
                         f"{array.shape}{hint}")
    if len(array) == 0:
        raise ValueError(f"images is empty (shape {array.shape}); nothing to show")
    return np.clip(array, 0, 1)

