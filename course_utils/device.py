"""Device choice, reproducibility and the one-line environment report.

Introduced in chapter 01 (the set-up cell of every notebook calls :func:`report`).

Two switches are read from the environment, at call time and never cached, so that the same
notebook can run fast in tests and fully for a student:

- ``COURSE_FAST=1``: *fast mode*, used by the test suite and the book build. Experiments shrink
  (fewer epochs, less data) but still compute what they claim.
- ``COURSE_STATIC=1``: no live front end is attached (book build, autograding). Widgets then draw a
  static small-multiples figure and progress bars stay silent.
- ``COURSE_DEVICE=cpu|cuda|mps``: overrides the automatic device choice.
"""

from __future__ import annotations

import os
import random

import numpy as np
import torch
from . import validation as valid

__all__ = ["DEVICES", "pick_device", "seed_everything", "fast_mode", "static_mode", "report"]

DEVICES = ("cuda", "mps", "cpu")
"""The devices :func:`pick_device` knows, in the order it prefers them."""

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"", "0", "false", "no", "off"}


def _env_flag(name: str) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"environment variable {name}={value!r} is not understood; use 1 or 0")


def fast_mode() -> bool:
    """Whether ``COURSE_FAST`` asks for the reduced configuration (tests, book build)."""
    return _env_flag("COURSE_FAST")


def static_mode() -> bool:
    """Whether ``COURSE_STATIC`` says no live front end is attached (book build, autograding)."""
    return _env_flag("COURSE_STATIC")


def _available(name: str) -> bool:
    if name == "cuda":
        return torch.cuda.is_available()
    if name == "mps":
        mps = getattr(torch.backends, "mps", None)
        return bool(mps is not None and mps.is_available())
    return name == "cpu"


def pick_device(prefer: str | torch.device | None = None) -> torch.device:
    """Choose where tensors and models live: cuda, then mps, then cpu.

    Args:
        prefer: force a device ("cpu", "cuda", "cuda:1", "mps" or a ``torch.device``). ``None``
            (default) reads ``COURSE_DEVICE`` and otherwise takes the best one available.

    Returns:
        The chosen ``torch.device``.

    Raises:
        ValueError: the name is not a device type torch knows.
        RuntimeError: the requested device is not available on this machine.
    """
    if prefer is None:
        prefer = os.environ.get("COURSE_DEVICE") or None
    if prefer is None:
        for name in DEVICES:
            if _available(name):
                return torch.device(name)
    if isinstance(prefer, torch.device):
        device = prefer
    elif isinstance(prefer, str):
        kind = prefer.split(":")[0].strip().lower()
        if kind not in DEVICES:
            raise ValueError(f"unknown device {prefer!r}; choose one of {', '.join(DEVICES)}")
        device = torch.device(prefer.strip().lower())
    else:
        raise TypeError(f"prefer must be a str, a torch.device or None, not {type(prefer).__name__}")
    if not _available(device.type):
        raise RuntimeError(
            f"device {str(device)!r} was requested but is not available here; "
            f"available: {', '.join(d for d in DEVICES if _available(d))}"
        )
    return device


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python's, NumPy's and torch's global generators, and return a fresh seeded generator.

    Course helpers take a ``seed`` or a ``generator`` argument instead of relying on global state;
    this function is for the student's own cells, so that a notebook reruns identically.

    Args:
        seed: a non-negative integer (default 0).

    Returns:
        A ``torch.Generator`` seeded with ``seed``, to pass on explicitly.
    """
    seed = valid.seed(seed)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def report(device: torch.device | None = None, *, file=None) -> None:
    """Print a one-line description of where the notebook runs (the set-up cell calls it).

    On a CPU it adds how to get a GPU on Colab, since that is where most students can get one.

    Args:
        device: the device to describe (default: :func:`pick_device`'s choice).
        file: where to print (default: standard output).
    """
    device = pick_device() if device is None else device
    parts = [
        f"device: {device}",
        f"torch {torch.__version__}",
        f"{torch.get_num_threads()} CPU threads",
        f"fast mode {'on' if fast_mode() else 'off'}",
    ]
    if device.type == "cuda":
        parts[0] += f" ({torch.cuda.get_device_name(device)})"
    line = " | ".join(parts)
    if device.type == "cpu":
        line += " | no GPU: fine for this course; on Colab use Runtime > Change runtime type > GPU"
    print(line, file=file)
