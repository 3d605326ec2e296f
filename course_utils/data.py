"""Offline-first image data: one dataset class, three offline sources and torchvision downloads.

Introduced in chapter 01; the shapes dataset carries chapters 05-11 and its nuisances (a
class-correlated tag, noise, a "scanner" shift, textured backgrounds) are the subject of
chapter 10 (Clever Hans, domain shift).

Everything here returns images as float32 tensors with values in [0, 1], laid out as
``(N, C, H, W)`` (a single image: ``(C, H, W)``), wrapped in :class:`ImageData`, a
``torch.utils.data.Dataset`` that prints its size, classes and nuisances.

Always available, without a network:

- :func:`load_digits`: scikit-learn's 8x8 handwritten digits (1797 images, 10 classes), split
  into train/(val)/test, stratified and seeded.
- :func:`sample_image`: the photographs and textures bundled inside scikit-image
  (:data:`SAMPLE_IMAGES`).
- :func:`make_shapes`: a procedurally generated, seeded and vectorised dataset of circles,
  squares, triangles and crosses, with nuisances as switches.

Needs a network once (then cached): :func:`load_torchvision` for MNIST, FashionMNIST and CIFAR-10.
Without a network it raises :class:`DatasetUnavailableError`, which names the offline
alternatives, after at most ``timeout`` seconds of waiting per network operation.

Randomness is always local: each function takes a ``seed`` and draws from its own
``torch.Generator``, never from the global random state.
"""

from __future__ import annotations

import math
import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from . import validation as valid

__all__ = [
    "ImageData",
    "DataSplits",
    "DatasetUnavailableError",
    "load_digits",
    "SAMPLE_IMAGES",
    "sample_image",
    "SHAPES",
    "BACKGROUNDS",
    "make_shapes",
    "TORCHVISION_DATASETS",
    "load_torchvision",
]

SAMPLE_IMAGES = (
    "astronaut",
    "brick",
    "camera",
    "cell",
    "chelsea",
    "clock",
    "coffee",
    "coins",
    "colorwheel",
    "grass",
    "gravel",
    "horse",
    "hubble_deep_field",
    "immunohistochemistry",
    "microaneurysms",
    "moon",
    "page",
    "retina",
    "rocket",
    "text",
)
"""Images that :func:`sample_image` can load: those shipped inside the scikit-image package.

(``skimage.data`` has more, but the others are fetched from the internet on first use.)"""

SHAPES = ("circle", "square", "triangle", "cross")
"""Shape classes that :func:`make_shapes` can draw."""

_TEXTURES = ("brick", "grass", "gravel")
BACKGROUNDS = (None, "noise", *_TEXTURES)
"""Backgrounds of :func:`make_shapes`: flat (None), smooth random blobs, or a texture."""

TORCHVISION_DATASETS = ("MNIST", "FashionMNIST", "CIFAR10")
"""Datasets that :func:`load_torchvision` knows (names are case-insensitive)."""

_NO_NETWORK_HINT = (
    "The course works offline: use course_utils.load_digits() (8x8 digits, 10 classes) or "
    "course_utils.make_shapes(...) (generated shapes) instead."
)


class DatasetUnavailableError(RuntimeError):
    """A dataset is neither on disk nor downloadable (no network, or ``download=False``)."""


# ----------------------------------------------------------------------------------------------
# Argument checks shared by the functions below
# ----------------------------------------------------------------------------------------------


# ----------------------------------------------------------------------------------------------
# The dataset class
# ----------------------------------------------------------------------------------------------


class ImageData(torch.utils.data.Dataset):
    """A labelled image dataset held in memory as two tensors.

    Introduced in chapter 01. Indexing gives ``(image, label)`` like any torch ``Dataset``, so it
    works with a ``DataLoader``; :attr:`tensors` gives both tensors at once, which is how the
    course's training loop moves a small dataset to the GPU in one copy.

    Args:
        images: ``(N, C, H, W)`` floating-point tensor (or array) with values in [0, 1]; stored
            as float32.
        labels: ``(N,)`` integer class indices in ``range(len(classes))``; stored as int64.
        classes: the class names; label ``i`` means ``classes[i]``.
        name: a short name shown when printed (default ``"images"``).
        info: where the data come from and with which settings (for instance the nuisances of
            :func:`make_shapes`); shown when printed.

    Raises:
        ValueError: wrong layout, dtype, value range or labels; the message names what was
            received and what is expected.
    """

    def __init__(
        self,
        images: torch.Tensor | np.ndarray,
        labels: torch.Tensor | np.ndarray | Sequence[int],
        classes: Sequence[str],
        *,
        name: str = "images",
        info: dict[str, Any] | None = None,
    ) -> None:
        images = torch.as_tensor(images)
        labels = torch.as_tensor(labels)
        if isinstance(classes, str) or len(classes) == 0:
            raise ValueError(f"classes must be a non-empty sequence of names, got {classes!r}")
        classes = tuple(str(c) for c in classes)

        if images.ndim == 3:
            raise ValueError(
                f"images must be 4-D (N, C, H, W), got 3-D shape {tuple(images.shape)}; "
                "for grayscale images (N, H, W) add the channel axis with images.unsqueeze(1)"
            )
        if images.ndim != 4:
            raise ValueError(f"images must be 4-D (N, C, H, W), got shape {tuple(images.shape)}")
        if not images.is_floating_point():
            raise ValueError(
                f"images must be floating point with values in [0, 1], got dtype {images.dtype}; "
                "for 8-bit images use images.float() / 255"
            )
        images = images.to(torch.float32)
        if images.numel() > 0:
            low, high = torch.aminmax(images)
            if not (low >= 0 and high <= 1):  # NaN fails both comparisons
                raise ValueError(
                    f"images must have values in [0, 1], got values in [{low.item():.4g}, "
                    f"{high.item():.4g}]; rescale them, or clamp them with images.clamp(0, 1)"
                )

        if labels.ndim != 1 or labels.shape[0] != images.shape[0]:
            raise ValueError(
                f"labels must have shape (N,) = ({images.shape[0]},) to match images of shape "
                f"{tuple(images.shape)}, got shape {tuple(labels.shape)}"
            )
        if labels.is_floating_point() or labels.is_complex() or labels.dtype == torch.bool:
            raise ValueError(f"labels must be integer class indices, got dtype {labels.dtype}")
        labels = labels.to(torch.int64)
        if labels.numel() > 0:
            low, high = torch.aminmax(labels)
            if low < 0 or high >= len(classes):
                raise ValueError(
                    f"labels must be in range(len(classes)) = 0..{len(classes) - 1} "
                    f"for {len(classes)} classes, got labels in {low.item()}..{high.item()}"
                )

        self.images = images  # (N, C, H, W) float32 in [0, 1]
        self.labels = labels  # (N,) int64
        self.classes = classes
        self.name = str(name)
        self.info = dict(info or {})

    def __len__(self) -> int:
        return self.images.shape[0]

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        return self.images[index], self.labels[index]

    @property
    def tensors(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(images, labels)``: the ``(N, C, H, W)`` float32 and ``(N,)`` int64 tensors."""
        return self.images, self.labels

    @property
    def num_classes(self) -> int:
        """The number of classes, ``len(classes)`` (for the size of a model's output layer)."""
        return len(self.classes)

    def class_counts(self) -> dict[str, int]:
        """How many images each class has, in the order of :attr:`classes`."""
        counts = torch.bincount(self.labels.cpu(), minlength=len(self.classes))
        return dict(zip(self.classes, counts.tolist()))

    def __repr__(self) -> str:
        shape = tuple(self.images.shape[1:])
        where = "" if self.images.device.type == "cpu" else f", on {self.images.device}"
        counts = " | ".join(f"{name} {count}" for name, count in self.class_counts().items())
        lines = [
            f"ImageData {self.name!r}: {len(self)} images of shape {shape} (C, H, W), "
            f"float32 in [0, 1]{where}",
            f"  {len(self.classes)} classes: {counts}",
        ]
        if self.info:
            lines.append("  info: " + ", ".join(f"{k}={v!r}" for k, v in self.info.items()))
        return "\n".join(lines)

    def subset(self, indices: Sequence[int] | torch.Tensor | np.ndarray) -> ImageData:
        """A new ImageData with the images at ``indices`` (integer indices or a boolean mask).

        The images are copied, so changing the subset does not change the original.
        """
        index = torch.as_tensor(indices)
        if index.dtype != torch.bool:
            index = index.to(torch.int64)
        index = index.to(self.labels.device)
        return ImageData(
            self.images[index], self.labels[index], self.classes, name=self.name, info=self.info
        )

    def split(self, fractions: Sequence[float], *, seed: int = 0) -> tuple[ImageData, ...]:
        """Split into parts of the given sizes, stratified: each class is split the same way.

        Args:
            fractions: the share of each part, positive and summing to 1, e.g. ``(0.8, 0.2)``.
            seed: seeds the random assignment of images to parts (default 0).

        Returns:
            One ImageData per fraction, each in random order.

        Raises:
            ValueError: the fractions are not positive or do not sum to 1, or a part would be
                empty.
        """
        seed = valid.seed(seed)
        numbers = (int, float, np.integer, np.floating)
        if (
            not isinstance(fractions, Sequence)
            or isinstance(fractions, str)
            or len(fractions) == 0
            or not all(isinstance(f, numbers) and not isinstance(f, bool) for f in fractions)
        ):
            raise ValueError(
                f"fractions must be a sequence of numbers such as (0.8, 0.2), got {fractions!r}"
            )
        shares = [float(f) for f in fractions]
        if not (min(shares) > 0 and abs(sum(shares) - 1) <= 1e-6):  # also rejects NaN
            raise ValueError(
                f"fractions must be positive and sum to 1, got {tuple(fractions)!r} "
                f"(sum {sum(shares):.6g})"
            )
        generator = torch.Generator().manual_seed(seed)
        boundaries = np.cumsum([0.0, *shares])  # part j takes [boundaries[j], boundaries[j+1])
        parts: list[list[torch.Tensor]] = [[] for _ in shares]
        labels = self.labels.cpu()
        for k in range(len(self.classes)):
            members = torch.nonzero(labels == k).flatten()
            members = members[torch.randperm(len(members), generator=generator)]
            cuts = np.round(boundaries * len(members)).astype(int)
            for j in range(len(shares)):
                parts[j].append(members[cuts[j] : cuts[j + 1]])
        result = []
        for j, pieces in enumerate(parts):
            index = torch.cat(pieces)
            if len(index) == 0:
                raise ValueError(
                    f"part {j} of the split {tuple(fractions)!r} would be empty "
                    f"({len(self)} images); use a larger fraction or more data"
                )
            index = index[torch.randperm(len(index), generator=generator)]
            result.append(self.subset(index))
        return tuple(result)


@dataclass(frozen=True, repr=False)
class DataSplits:
    """The parts of a dataset: fit on ``train``, choose settings on ``val``, report on ``test``."""

    train: ImageData  # to fit the model's parameters
    val: ImageData | None  # to choose hyperparameters / stop early; None when not requested
    test: ImageData  # looked at once, at the end

    def __repr__(self) -> str:
        lines = ["DataSplits("]
        for part in ("train", "val", "test"):
            data = getattr(self, part)
            text = "None" if data is None else repr(data).replace("\n", "\n    ")
            lines.append(f"  {part}: {text}")
        return "\n".join(lines) + "\n)"


# ----------------------------------------------------------------------------------------------
# Offline source 1: scikit-learn's digits
# ----------------------------------------------------------------------------------------------


def load_digits(
    *, seed: int = 0, test_fraction: float = 0.25, val_fraction: float = 0.0
) -> DataSplits:
    """scikit-learn's 8x8 handwritten digits, split into train, (validation) and test sets.

    Introduced in chapter 01. 1797 images of the digits 0-9 (about 180 each), shipped with
    scikit-learn, so no download is needed. The raw values 0..16 are divided by 16.

    Args:
        seed: seeds the split (default 0).
        test_fraction: share of all images in the test set, in (0, 1) (default 0.25).
        val_fraction: share of all images in the validation set, in [0, 1) (default 0: no
            validation set). ``val_fraction + test_fraction`` must be below 1.

    Returns:
        A :class:`DataSplits` whose parts are ImageData of shape ``(n, 1, 8, 8)``, stratified
        (every part has the same class proportions, up to rounding).
    """
    from sklearn.datasets import load_digits as sklearn_digits
    from sklearn.model_selection import train_test_split

    seed = valid.seed(seed)
    test_fraction = valid.number("test_fraction", test_fraction, 0.0, 1.0)
    val_fraction = valid.number("val_fraction", val_fraction, 0.0, 1.0)
    if test_fraction <= 0 or val_fraction + test_fraction >= 1:
        raise ValueError(
            "need 0 < test_fraction, 0 <= val_fraction and val_fraction + test_fraction < 1, got "
            f"test_fraction={test_fraction!r}, val_fraction={val_fraction!r}"
        )

    raw = sklearn_digits()
    images = torch.from_numpy(raw.images / 16.0).to(torch.float32).unsqueeze(1)  # (1797, 1, 8, 8)
    labels = torch.from_numpy(raw.target).to(torch.int64)
    classes = tuple(str(c) for c in raw.target_names)
    info = {"source": "sklearn.datasets.load_digits", "seed": seed}

    index = np.arange(len(labels))
    rest, test = train_test_split(
        index, test_size=test_fraction, stratify=raw.target, random_state=seed
    )
    val = None
    if val_fraction > 0:
        # val_fraction is a share of all images, hence of the remainder: val / (1 - test)
        rest, val = train_test_split(
            rest,
            test_size=val_fraction / (1 - test_fraction),
            stratify=raw.target[rest],
            random_state=seed,
        )

    def part(indices: np.ndarray, split: str) -> ImageData:
        index = torch.from_numpy(indices)
        return ImageData(
            images[index], labels[index], classes, name=f"digits ({split})", info=info
        )

    return DataSplits(
        train=part(rest, "train"),
        val=None if val is None else part(val, "val"),
        test=part(test, "test"),
    )


# ----------------------------------------------------------------------------------------------
# Offline source 2: scikit-image's bundled sample images
# ----------------------------------------------------------------------------------------------


def sample_image(name: str, *, size: int | None = None, gray: bool = False) -> torch.Tensor:
    """One of scikit-image's bundled sample images, as a tensor.

    Introduced in chapter 01 (used wherever a single real image is needed: convolution demos,
    textures, style transfer).

    Args:
        name: one of :data:`SAMPLE_IMAGES`, e.g. ``"astronaut"``, ``"camera"``, ``"brick"``.
        size: if given, resize (bilinear, antialiased) so that the *shorter* side has ``size``
            pixels, keeping the aspect ratio; ``None`` (default) keeps the original size.
        gray: convert colour images to one luminance channel (0.2125 R + 0.7154 G + 0.0721 B,
            ``skimage.color.rgb2gray``). Default False keeps the native channels: a grayscale
            image stays ``(1, H, W)``; use ``image.expand(3, -1, -1)`` to get 3 channels.

    Returns:
        A ``(C, H, W)`` float32 tensor with values in [0, 1], C = 1 or 3.

    Raises:
        ValueError: unknown name (the message lists the valid ones) or a bad size.
    """
    import skimage.data
    from skimage import color, img_as_float32

    if name not in SAMPLE_IMAGES:
        raise ValueError(f"unknown sample image {name!r}; choose one of {', '.join(SAMPLE_IMAGES)}")
    if size is not None:
        size = valid.integer("size", size, 1)

    array = img_as_float32(getattr(skimage.data, name)())  # (H, W) or (H, W, 3), in [0, 1]
    if gray and array.ndim == 3:
        array = color.rgb2gray(array).astype(np.float32)
    image = torch.from_numpy(np.ascontiguousarray(array))
    image = image.unsqueeze(0) if image.ndim == 2 else image.permute(2, 0, 1).contiguous()

    if size is not None:
        height, width = image.shape[1:]
        factor = size / min(height, width)
        new_size = (max(1, round(height * factor)), max(1, round(width * factor)))
        image = F.interpolate(
            image.unsqueeze(0), size=new_size, mode="bilinear", antialias=True, align_corners=False
        )[0]
    return image.clamp(0, 1)  # (C, H, W)


# ----------------------------------------------------------------------------------------------
# Offline source 3: generated shapes with nuisance switches
# ----------------------------------------------------------------------------------------------


def _signed_distance(
    shape: str, u: torch.Tensor, v: torch.Tensor, radius: torch.Tensor
) -> torch.Tensor:
    """Distance in pixels to the edge of ``shape`` (negative inside), in the shape's own frame.

    Every shape fits inside the circle of the given ``radius`` around the origin (its
    circumscribed circle), so it stays inside the image whatever its rotation.
    """
    if shape == "circle":
        return torch.sqrt(u**2 + v**2) - radius
    if shape == "square":
        return torch.maximum(u.abs(), v.abs()) - radius / math.sqrt(2)  # half side = R / sqrt(2)
    if shape == "triangle":
        # equilateral: three edges at distance R / 2 (the inradius) along normals 120 degrees apart
        distance = None
        for k in range(3):
            angle = math.pi / 2 + 2 * math.pi * k / 3
            along = u * math.cos(angle) + v * math.sin(angle)
            distance = along if distance is None else torch.maximum(distance, along)
        return distance - radius / 2
    if shape == "cross":
        # a plus sign: two bars of half-length L and half-width L / 3, with sqrt(L^2 + (L/3)^2) = R
        arm = radius * 3 / math.sqrt(10)
        width = arm / 3
        horizontal = torch.maximum(u.abs() - arm, v.abs() - width)
        vertical = torch.maximum(u.abs() - width, v.abs() - arm)
        return torch.minimum(horizontal, vertical)
    raise AssertionError(f"no distance function for {shape!r}")  # checked by make_shapes


def _blur_matrix(length: int, sigma: float) -> torch.Tensor:
    """The ``(length, length)`` matrix that blurs a signal with a Gaussian of ``sigma`` pixels.

    Column j is the blurred unit impulse at j, with the signal mirrored at the borders (reflect
    padding, so a flat image stays flat).
    """
    radius = min(length - 1, max(1, math.ceil(3 * sigma)))
    offsets = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-(offsets**2) / (2 * sigma**2))
    kernel = kernel / kernel.sum()
    impulses = torch.eye(length).unsqueeze(1)  # (L, 1, L): one unit impulse per row
    impulses = F.pad(impulses, (radius, radius), mode="reflect")  # (L, 1, L + 2 radius)
    return F.conv1d(impulses, kernel.view(1, 1, -1)).squeeze(1).T  # (L, L)


def _gaussian_blur(images: torch.Tensor, sigma: float) -> torch.Tensor:
    """Blur ``(..., H, W)`` images with a Gaussian of ``sigma`` pixels.

    A Gaussian blur is separable and linear: blur the columns, then the rows. Written as two
    small matrix products, ``B_H @ X @ B_W.T``, it is about 20x faster on a CPU than conv2d for
    many small images.
    """
    height, width = images.shape[-2:]
    return _blur_matrix(height, sigma) @ images @ _blur_matrix(width, sigma).T


def _texture_crops(
    texture: str, n: int, size: int, generator: torch.Generator
) -> torch.Tensor:
    """``n`` random crops of a scikit-image texture, as ``(n, size, size)`` in [0, 1].

    The 512 x 512 texture is first shrunk to ``4 * size`` pixels, so that one crop shows a quarter
    of the texture's width; the crops are then gathered all at once with index grids.
    """
    full = sample_image(texture, size=4 * size, gray=True)[0]  # (4 size, 4 size)
    full = (full - full.min()) / (full.max() - full.min())  # use the full range [0, 1]
    top = torch.randint(0, 3 * size + 1, (n, 1, 1), generator=generator)
    left = torch.randint(0, 3 * size + 1, (n, 1, 1), generator=generator)
    steps = torch.arange(size)
    rows = top + steps.view(1, size, 1)  # (n, size, 1)
    cols = left + steps.view(1, 1, size)  # (n, 1, size)
    return full[rows, cols]  # (n, size, size)


def make_shapes(
    n: int,
    *,
    size: int = 32,
    classes: Sequence[str] = ("circle", "square", "triangle"),
    seed: int = 0,
    noise: float = 0.0,
    tag: float = 0.0,
    tag_correlated: bool = True,
    shift: float = 0.0,
    background: str | None = None,
    scale_range: tuple[float, float] = (0.2, 0.4),
) -> ImageData:
    """A generated dataset of grayscale shapes, one class per shape, with nuisance switches.

    Introduced in chapter 01, used in chapters 05-11; the nuisances are the subject of chapter 10.
    Each image shows one bright shape on a darker background, at a random position, size and
    rotation, with random gray levels: background ``U(0.05, 0.35)``, shape ``U(0.65, 0.95)``.
    Edges are antialiased over one pixel. Classes are balanced (counts differ by at most one)
    and shuffled. All images are drawn at once with tensor operations (no Python loop over
    images): 10 000 images of 32 x 32 take well under a second on a laptop CPU.

    The nuisances use their own random streams, so switching one on keeps the same shapes at
    the same places (same seed, same labels, same shapes; only the nuisance changes). They are
    applied in this order:

    1. ``background``: ``None`` is flat. ``"noise"`` adds smooth random blobs; ``"brick"``,
       ``"grass"``, ``"gravel"`` add random crops of that scikit-image texture (each crop shows a
       quarter of the texture's width). The pattern ``T`` in [0, 1] changes the background to
       ``clamp(b + 0.5 * (T - 0.5), 0, 1)``; the shape is drawn over it.
    2. ``tag``: with probability ``tag`` an image gets a "source tag", a bright (1.0) square of
       ``max(2, size // 8)`` pixels near a corner. With ``tag_correlated=True`` the corner is
       given by the class: class k gets corner ``k % 4`` (0 top-left, 1 top-right, 2 bottom-left,
       3 bottom-right), a shortcut a network can learn instead of the shape (Clever Hans). With
       ``tag_correlated=False`` the corner is random, which breaks the shortcut (a test set).
    3. ``shift``: a "scanner" domain shift ``s`` in [0, 1]. Each image is blurred with a Gaussian
       of ``sigma = s * size / 16`` pixels (2 pixels at s = 1, size = 32) and its contrast is
       reduced towards mid-gray: ``x -> 0.5 + (1 - 0.5 * s) * (x - 0.5)``.
    4. ``noise``: Gaussian pixel noise of standard deviation ``noise`` is added; then all values
       are clamped to [0, 1].

    Args:
        n: number of images, a positive integer.
        size: image side in pixels, at least 8 (default 32).
        classes: shape names from :data:`SHAPES`; label ``i`` is ``classes[i]``
            (default ``("circle", "square", "triangle")``).
        seed: seeds everything random (default 0).
        noise: standard deviation of the pixel noise, >= 0 (default 0).
        tag: probability in [0, 1] that an image carries the tag (default 0).
        tag_correlated: whether the tag's corner depends on the class (default True).
        shift: strength of the scanner shift, in [0, 1] (default 0: none).
        background: one of :data:`BACKGROUNDS` (default None: flat).
        scale_range: ``(low, high)``: the radius of the circle enclosing the shape is drawn
            uniformly from ``low * size`` to ``high * size``; ``0 < low <= high <= 0.5``
            (default ``(0.2, 0.4)``).

    Returns:
        An ImageData named ``"shapes"`` with images ``(n, 1, size, size)`` in [0, 1] and all
        settings in ``info``.

    Raises:
        ValueError: a bad argument; the message names it and the valid choices or range.
    """
    n = valid.integer("n", n, 1)
    size = valid.integer("size", size, 8)
    seed = valid.seed(seed)
    if isinstance(classes, str) or not isinstance(classes, Sequence) or len(classes) == 0:
        raise ValueError(
            f"classes must be a non-empty sequence of shape names such as ('circle', 'square'), "
            f"got {classes!r}"
        )
    unknown = [c for c in classes if c not in SHAPES]
    if unknown:
        raise ValueError(
            f"unknown shape(s) {unknown!r} in classes; choose from {', '.join(SHAPES)}"
        )
    if len(set(classes)) != len(classes):
        raise ValueError(f"classes must not repeat a shape, got {tuple(classes)!r}")
    noise = valid.number("noise", noise, 0.0)
    tag = valid.number("tag", tag, 0.0, 1.0)
    shift = valid.number("shift", shift, 0.0, 1.0)
    if background not in BACKGROUNDS:
        raise ValueError(
            f"unknown background {background!r}; choose one of {', '.join(map(repr, BACKGROUNDS))}"
        )
    if not isinstance(scale_range, Sequence) or len(scale_range) != 2:
        raise ValueError(f"scale_range must be a pair (low, high), got {scale_range!r}")
    low = valid.number("scale_range[0]", scale_range[0], 0.0, 0.5)
    high = valid.number("scale_range[1]", scale_range[1], 0.0, 0.5)
    if not 0 < low <= high:
        raise ValueError(f"scale_range needs 0 < low <= high <= 0.5, got {tuple(scale_range)!r}")

    # Independent random streams, so that a nuisance switched on leaves the shapes unchanged.
    streams = np.random.SeedSequence(seed).generate_state(4)
    layout, back_rng, tag_rng, noise_rng = (torch.Generator().manual_seed(int(s)) for s in streams)

    # 1. Labels (balanced, shuffled) and per-image parameters, each a tensor of shape (n,).
    labels = (torch.arange(n) % len(classes))[torch.randperm(n, generator=layout)]
    radius = size * (low + (high - low) * torch.rand(n, generator=layout))
    centre_x = radius + (size - 2 * radius) * torch.rand(n, generator=layout)
    centre_y = radius + (size - 2 * radius) * torch.rand(n, generator=layout)
    angle = 2 * math.pi * torch.rand(n, generator=layout)
    back_level = 0.05 + 0.3 * torch.rand(n, generator=layout)
    fore_level = 0.65 + 0.3 * torch.rand(n, generator=layout)

    # 2. Shape masks: evaluate each class's distance function on the pixel grid, for all images
    #    of that class at once. Pixel centres sit at 0.5, 1.5, ..., size - 0.5.
    grid = torch.arange(size, dtype=torch.float32) + 0.5
    grid_x, grid_y = grid.view(1, 1, size), grid.view(1, size, 1)
    mask = torch.empty(n, size, size)  # (N, H, W), 1 inside the shape, 0 outside
    for k, shape in enumerate(classes):
        members = torch.nonzero(labels == k).flatten()
        if len(members) == 0:
            continue
        dx = grid_x - centre_x[members].view(-1, 1, 1)  # (n_k, 1, W)
        dy = grid_y - centre_y[members].view(-1, 1, 1)  # (n_k, H, 1)
        cos = torch.cos(angle[members]).view(-1, 1, 1)
        sin = torch.sin(angle[members]).view(-1, 1, 1)
        u, v = cos * dx + sin * dy, -sin * dx + cos * dy  # (n_k, H, W) in the shape's own frame
        distance = _signed_distance(shape, u, v, radius[members].view(-1, 1, 1))
        mask[members] = (0.5 - distance).clamp(0, 1)  # a one-pixel soft edge

    # 3. Background, then the shape drawn over it.
    back = back_level.view(n, 1, 1).expand(n, size, size)
    if background == "noise":
        coarse = max(2, size // 4)  # uniform noise at a quarter resolution, smoothly enlarged
        blobs = torch.rand(n, 1, coarse, coarse, generator=back_rng)
        pattern = F.interpolate(blobs, size=(size, size), mode="bilinear", align_corners=False)
        pattern = pattern[:, 0]  # (N, H, W)
        back = (back + 0.5 * (pattern - 0.5)).clamp(0, 1)
    elif background in _TEXTURES:
        pattern = _texture_crops(background, n, size, back_rng)
        back = (back + 0.5 * (pattern - 0.5)).clamp(0, 1)
    images = back + (fore_level.view(n, 1, 1) - back) * mask  # (N, H, W)

    # 4. The source tag: a bright square near corner 0..3.
    tagged = torch.rand(n, generator=tag_rng) < tag
    random_corner = torch.randint(0, 4, (n,), generator=tag_rng)  # drawn always: same stream
    corner = labels % 4 if tag_correlated else random_corner
    side, margin = max(2, size // 8), max(1, size // 32)
    near, far = slice(margin, margin + side), slice(size - margin - side, size - margin)
    corner_masks = torch.zeros(4, size, size, dtype=torch.bool)
    for index, (rows, cols) in enumerate([(near, near), (near, far), (far, near), (far, far)]):
        corner_masks[index, rows, cols] = True
    marker = corner_masks[corner] & tagged.view(n, 1, 1)  # (N, H, W)
    images = torch.where(marker, torch.ones(()), images)

    images = images.unsqueeze(1)  # (N, 1, H, W)

    # 5. Scanner shift: blur, then lower the contrast around mid-gray.
    if shift > 0:
        images = _gaussian_blur(images, sigma=shift * size / 16)
        images = 0.5 + (1 - 0.5 * shift) * (images - 0.5)

    # 6. Sensor noise.
    if noise > 0:
        images = images + noise * torch.randn(images.shape, generator=noise_rng)

    info = {
        "seed": seed,
        "noise": noise,
        "tag": tag,
        "tag_correlated": tag_correlated,
        "shift": shift,
        "background": background,
        "scale_range": (low, high),
    }
    return ImageData(images.clamp(0, 1), labels, tuple(classes), name="shapes", info=info)


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
