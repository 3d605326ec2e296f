"""Offline-first image data: the dataset class and the offline sources that ship with packages.

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

Generated images live in :mod:`course_utils.shapes` (:func:`make_shapes`), torchvision's data
sets in :mod:`course_utils.datasets` (:func:`load_torchvision`, needs a network once).

Randomness is always local: each function takes a ``seed`` and draws from its own
``torch.Generator``, never from the global random state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from . import validation as valid

__all__ = [
    "ImageData",
    "DataSplits",
    "load_digits",
    "SAMPLE_IMAGES",
    "sample_image",
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
