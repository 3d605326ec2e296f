"""torchvision's data sets (MNIST, FashionMNIST, CIFAR-10): downloaded once into a cache, and a
clear error naming the offline alternatives when there is no network."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import torch

from . import validation as valid
from .data import ImageData

__all__ = ["TORCHVISION_DATASETS", "DatasetUnavailableError", "load_torchvision"]

TORCHVISION_DATASETS = ("MNIST", "FashionMNIST", "CIFAR10")
"""Datasets that :func:`load_torchvision` knows (names are case-insensitive)."""

_NO_NETWORK_HINT = (
    "The course works offline: use course_utils.load_digits() (8x8 digits, 10 classes) or "
    "course_utils.make_shapes(...) (generated shapes) instead."
)


class DatasetUnavailableError(RuntimeError):
    """A dataset is neither on disk nor downloadable (no network, or ``download=False``)."""


# ----------------------------------------------------------------------------------------------
# torchvision datasets: downloaded once into a cache, with a clear error when offline
# ----------------------------------------------------------------------------------------------


def _default_root() -> Path:
    """Where downloads go: ``$COURSE_DATA`` if set, else ``~/.cache/course_utils``."""
    return Path(os.environ.get("COURSE_DATA") or Path.home() / ".cache" / "course_utils")


def _expected_files(dataset_class: type, root: Path) -> Path:
    """The folder in which torchvision looks for the files of ``dataset_class``."""
    if hasattr(dataset_class, "base_folder"):  # CIFAR-10
        return root / dataset_class.base_folder
    return root / dataset_class.__name__ / "raw"  # MNIST and FashionMNIST


def load_torchvision(
    name: str,
    *,
    train: bool = True,
    root: str | os.PathLike | None = None,
    download: bool = True,
    timeout: float = 10.0,
) -> ImageData:
    """MNIST, FashionMNIST or CIFAR-10 from torchvision, downloaded once into a cache.

    Introduced in chapter 01. Needs a network the first time only; without one it fails after
    at most ``timeout`` seconds of silence from the server, with a :class:`DatasetUnavailableError`
    that names the offline alternatives (:func:`load_digits`, :func:`make_shapes`).

    Memory: the images are stored as float32, i.e. about 190 MB for the MNIST training set and
    610 MB for the CIFAR-10 one.

    Args:
        name: one of :data:`TORCHVISION_DATASETS`, case-insensitive ("mnist", "cifar10", ...).
        train: the training set (default) or the test set.
        root: the cache folder; default ``$COURSE_DATA`` or else ``~/.cache/course_utils``.
        download: download when the files are not in ``root`` (default True).
        timeout: seconds to wait for each network operation (connect, read) before giving up
            (default 10). A slow but progressing download is not interrupted.

    Returns:
        An ImageData of shape ``(N, 1, 28, 28)`` (MNIST, FashionMNIST) or ``(N, 3, 32, 32)``
        (CIFAR-10), classes as torchvision names them.

    Raises:
        ValueError: unknown name (the message lists the valid ones) or a bad timeout.
        DatasetUnavailableError: the files are not in ``root`` and could not be downloaded.
    """
    from http.client import HTTPException

    import torchvision.datasets

    canonical = {n.lower(): n for n in TORCHVISION_DATASETS}
    key = str(name).lower().replace("-", "").replace("_", "")
    if not isinstance(name, str) or key not in canonical:
        raise ValueError(
            f"unknown dataset {name!r}; choose one of {', '.join(TORCHVISION_DATASETS)} "
            "(or use load_digits() / make_shapes(...), which need no download)"
        )
    timeout = valid.number("timeout", timeout, 0.0)
    if timeout == 0:
        raise ValueError(f"timeout must be a positive number of seconds, got {timeout!r}")
    dataset_class = getattr(torchvision.datasets, canonical[key])
    root = Path(root).expanduser() if root is not None else _default_root()
    split = "train" if train else "test"

    try:  # 1. already in the cache?
        dataset = dataset_class(root, train=train, download=False)
    except RuntimeError:  # torchvision's "Dataset not found"
        if not download:
            folder = _expected_files(dataset_class, root)
            raise DatasetUnavailableError(
                f"{canonical[key]} ({split}) was not found in {folder}. Pass download=True to "
                f"download it, or copy the files into {root}. " + _NO_NETWORK_HINT
            ) from None
        # 2. download, with a time limit on every network operation
        previous = socket.getdefaulttimeout()
        socket.setdefaulttimeout(timeout)
        try:
            dataset = dataset_class(root, train=train, download=True)
        except (OSError, RuntimeError, HTTPException) as error:  # URLError, timeouts, bad files
            reason = " ".join(f"{type(error).__name__}: {error}".split())
            reason = reason if len(reason) <= 300 else reason[:297] + "..."
            raise DatasetUnavailableError(
                f"{canonical[key]} ({split}) could not be downloaded into {root} "
                f"(no network, or the server did not answer within {timeout:g} s). "
                f"Reason: {reason}. " + _NO_NETWORK_HINT
            ) from None  # the reason is in the message; a second traceback would only confuse
        finally:
            socket.setdefaulttimeout(previous)

    # 3. Convert the whole dataset at once (not image by image through PIL).
    data = torch.as_tensor(dataset.data)  # uint8: (N, 28, 28) or (N, 32, 32, 3)
    if data.ndim == 3:
        data = data.unsqueeze(1)  # (N, 1, H, W)
    else:
        data = data.permute(0, 3, 1, 2).contiguous()  # (N, H, W, C) -> (N, C, H, W)
    images = data.to(torch.float32).div_(255)
    labels = torch.as_tensor(dataset.targets, dtype=torch.int64)
    info = {"source": f"torchvision.datasets.{canonical[key]}", "split": split, "root": str(root)}
    return ImageData(
        images, labels, tuple(dataset.classes), name=f"{canonical[key]} ({split})", info=info
    )
