"""Tests of course_utils.data: the dataset class, the offline sources and torchvision downloads.

Everything runs offline: the download tests serve a tiny fake MNIST from a local HTTP server
(127.0.0.1), which goes through torchvision's real download code.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import http.server
import math
import pickle
import socket
import struct
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from course_utils.data import SAMPLE_IMAGES, DataSplits, ImageData, load_digits, sample_image
from course_utils.datasets import DatasetUnavailableError, load_torchvision
from course_utils.shapes import BACKGROUNDS, SHAPES, make_shapes


def tag_regions(size: int) -> list[tuple[slice, slice]]:
    """(rows, cols) of the tag square at each corner, as make_shapes draws it.

    Corner 0 is top-left, 1 top-right, 2 bottom-left, 3 bottom-right.
    """
    side, margin = max(2, size // 8), max(1, size // 32)
    near, far = slice(margin, margin + side), slice(size - margin - side, size - margin)
    return [(near, near), (near, far), (far, near), (far, far)]


def corner_means(images: torch.Tensor) -> torch.Tensor:
    """``(N, 4)``: the mean of each image's tag region at corners 0..3."""
    regions = tag_regions(images.shape[-1])
    return torch.stack([images[:, 0, r, c].mean(dim=(1, 2)) for r, c in regions], dim=1)


def horizontal_variation(data: ImageData) -> float:
    """Mean absolute difference between horizontally adjacent pixels."""
    x = data.images
    return (x[..., 1:] - x[..., :-1]).abs().mean().item()


# ----------------------------------------------------------------------------------------------
# ImageData
# ----------------------------------------------------------------------------------------------


def small_data(n: int = 12) -> ImageData:
    images = torch.rand(n, 1, 4, 4, generator=torch.Generator().manual_seed(0))
    return ImageData(images, torch.arange(n) % 3, ("a", "b", "c"), name="toy", info={"k": 1})


def test_imagedata_behaves_like_a_dataset():
    """Does ImageData index, measure and hand out its tensors like a torch Dataset?"""
    data = small_data()
    image, label = data[4]
    assert len(data) == 12 and data.num_classes == 3
    assert image.shape == (1, 4, 4) and label.item() == 1
    images, labels = data.tensors
    assert images.dtype == torch.float32 and labels.dtype == torch.int64
    batch_images, batch_labels = next(iter(torch.utils.data.DataLoader(data, batch_size=5)))
    assert batch_images.shape == (5, 1, 4, 4) and batch_labels.tolist() == [0, 1, 2, 0, 1]


def test_imagedata_repr_describes_the_data():
    """Does printing an ImageData show its name, size, image shape, class counts and info?"""
    text = repr(small_data())
    for part in ["'toy'", "12 images", "(1, 4, 4)", "a 4 | b 4 | c 4", "k=1"]:
        assert part in text, f"{part!r} missing from {text!r}"


def test_imagedata_subset_and_split():
    """Do subset and split return ImageData with the right images, stratified and seeded?"""
    data = make_shapes(300, seed=1)
    part = data.subset([0, 5, 7])
    assert isinstance(part, ImageData) and len(part) == 3
    assert torch.equal(part.images[1], data.images[5]) and part.classes == data.classes
    assert len(data.subset(data.labels == 0)) == 100

    train, test = data.split((0.8, 0.2), seed=3)
    assert (len(train), len(test)) == (240, 60)
    assert list(test.class_counts().values()) == [20, 20, 20]
    again, _ = data.split((0.8, 0.2), seed=3)
    other, _ = data.split((0.8, 0.2), seed=4)
    assert torch.equal(train.images, again.images)
    assert not torch.equal(train.images, other.images)
    # every image lands in exactly one part
    assert torch.isclose(train.images.sum() + test.images.sum(), data.images.sum(), rtol=1e-5)


ZEROS = torch.zeros(5, dtype=torch.int64)


@pytest.mark.parametrize(
    "images, labels, match",
    [
        (torch.rand(5, 8, 8), ZEROS, r"3-D shape \(5, 8, 8\).*unsqueeze\(1\)"),
        (torch.rand(5, 64), ZEROS, r"4-D .*got shape \(5, 64\)"),
        (torch.zeros(5, 1, 8, 8, dtype=torch.uint8), ZEROS, r"torch\.uint8.*255"),
        (2 * torch.ones(5, 1, 8, 8), ZEROS, r"\[0, 1\], got values in \[2, 2\]"),
        (torch.full((5, 1, 8, 8), float("nan")), ZEROS, r"\[0, 1\]"),
        (torch.rand(5, 1, 8, 8), ZEROS[:4], r"\(5,\).*got shape \(4,\)"),
        (torch.rand(5, 1, 8, 8), ZEROS.view(5, 1), r"got shape \(5, 1\)"),
        (torch.rand(5, 1, 8, 8), ZEROS.float(), r"integer.*torch\.float32"),
        (torch.rand(5, 1, 8, 8), torch.tensor([0, 1, 2, 3, 0]), r"0\.\.2 .*got labels in 0\.\.3"),
    ],
)
def test_imagedata_rejects_bad_tensors(images, labels, match):
    """Does ImageData name the received shape, dtype or values and the expected ones?"""
    with pytest.raises(ValueError, match=match):
        ImageData(images, labels, ("a", "b", "c"))


@pytest.mark.parametrize(
    "fractions", [(0.5, 0.6), (-0.2, 1.2), (0.7, 0.2), (), "0.5", (0.5, "0.5")]
)
def test_split_rejects_bad_fractions(fractions):
    """Does split refuse fractions that are not positive or do not sum to 1, naming them?"""
    with pytest.raises(ValueError, match="fractions"):
        small_data().split(fractions)
    if fractions == (0.5, 0.6):
        with pytest.raises(ValueError, match=r"\(0\.5, 0\.6\)"):
            small_data().split(fractions)


def test_split_rejects_an_empty_part():
    """Does split say so when a part would get no images at all?"""
    with pytest.raises(ValueError, match="empty"):
        small_data(3).split((0.9, 0.1))


# ----------------------------------------------------------------------------------------------
# load_digits
# ----------------------------------------------------------------------------------------------


def test_digits_sizes_range_and_layout():
    """Do the digits splits add up to 1797 images of shape (1, 8, 8) with values in [0, 1]?"""
    splits = load_digits()
    assert isinstance(splits, DataSplits) and splits.val is None
    assert len(splits.train) + len(splits.test) == 1797
    assert len(splits.test) == pytest.approx(0.25 * 1797, abs=1)
    for part in (splits.train, splits.test):
        assert part.images.shape[1:] == (1, 8, 8) and part.images.dtype == torch.float32
        assert part.images.min() == 0 and part.images.max() == 1  # raw 0..16 divided by 16
        assert part.classes == tuple("0123456789")
    assert "train" in repr(splits) and "val: None" in repr(splits)


def test_digits_with_validation_is_stratified():
    """Does every split keep the class proportions of the whole set?"""
    splits = load_digits(val_fraction=0.2, test_fraction=0.2)
    parts = (splits.train, splits.val, splits.test)
    assert sum(len(p) for p in parts) == 1797
    assert len(splits.val) == pytest.approx(0.2 * 1797, abs=2)
    shares = [torch.bincount(p.labels, minlength=10) / len(p) for p in parts]
    for share in shares[1:]:
        assert (share - shares[0]).abs().max() < 0.02


def test_digits_are_seeded():
    """Does the same seed give the same split, and a different seed a different one?"""
    a, b, c = load_digits(seed=0), load_digits(seed=0), load_digits(seed=1)
    assert torch.equal(a.test.images, b.test.images) and torch.equal(a.test.labels, b.test.labels)
    assert not torch.equal(a.test.images, c.test.images)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"test_fraction": 0.0}, r"test_fraction=0\.0"),
        ({"test_fraction": 0.5, "val_fraction": 0.5}, r"val_fraction=0\.5"),
        ({"val_fraction": -0.1}, r"val_fraction.*-0\.1"),
        ({"test_fraction": 1.5}, r"test_fraction.*1\.5"),
        ({"seed": -1}, r"seed.*-1"),
    ],
)
def test_digits_rejects_bad_fractions(kwargs, match):
    """Does load_digits name a fraction that is out of range?"""
    with pytest.raises(ValueError, match=match):
        load_digits(**kwargs)


# ----------------------------------------------------------------------------------------------
# sample_image
# ----------------------------------------------------------------------------------------------


@pytest.fixture
def no_network(monkeypatch):
    """Make every attempt to open a network connection fail loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("this code tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize("name", SAMPLE_IMAGES)
def test_sample_images_load_offline(name, no_network):
    """Does every listed sample image load without a network as (C, H, W) float32 in [0, 1]?"""
    image = sample_image(name)
    assert image.ndim == 3 and image.shape[0] in (1, 3)
    assert image.dtype == torch.float32
    assert image.min() >= 0 and image.max() <= 1 and image.max() > image.min()
    gray = sample_image(name, gray=True)
    assert gray.shape == (1, *image.shape[1:])


def test_sample_image_channels_and_resize():
    """Do gray and size do what they say: one channel, shorter side resized, aspect kept?"""
    coffee = sample_image("coffee")  # 400 x 600 colour
    assert coffee.shape == (3, 400, 600)
    assert sample_image("camera").shape == (1, 512, 512)  # gray stays gray
    small = sample_image("coffee", size=64, gray=True)
    assert small.shape == (1, 64, 96)
    assert small.min() >= 0 and small.max() <= 1


def test_sample_image_rejects_unknown_names():
    """Does an unknown name list the valid ones?"""
    with pytest.raises(ValueError, match=r"'lena'.*astronaut.*camera"):
        sample_image("lena")
    with pytest.raises(ValueError, match=r"size.*0"):
        sample_image("camera", size=0)


# ----------------------------------------------------------------------------------------------
# make_shapes
# ----------------------------------------------------------------------------------------------


def test_shapes_layout_range_and_balance():
    """Are the shapes (N, 1, size, size) float32 in [0, 1], with balanced int64 labels?"""
    data = make_shapes(301, size=24, classes=SHAPES)
    assert data.images.shape == (301, 1, 24, 24) and data.images.dtype == torch.float32
    assert data.labels.shape == (301,) and data.labels.dtype == torch.int64
    assert data.images.min() >= 0 and data.images.max() <= 1
    assert data.classes == SHAPES
    counts = torch.bincount(data.labels, minlength=4)
    assert counts.max() - counts.min() <= 1
    assert not torch.equal(data.labels[:8], torch.arange(8) % 4)  # shuffled


def test_shapes_are_seeded():
    """Does the same seed give the same images, and a different seed different ones?"""
    kwargs = dict(noise=0.1, tag=0.5, shift=0.3, background="grass")
    a, b = make_shapes(50, seed=7, **kwargs), make_shapes(50, seed=7, **kwargs)
    c = make_shapes(50, seed=8, **kwargs)
    assert torch.equal(a.images, b.images) and torch.equal(a.labels, b.labels)
    assert not torch.equal(a.images, c.images)


def test_shapes_leave_the_global_random_state_alone():
    """Does make_shapes draw from its own generator, not from torch's or NumPy's global one?"""
    torch_state, numpy_state = torch.get_rng_state(), np.random.get_state()[1].copy()
    make_shapes(20, noise=0.1, tag=0.5, background="noise")
    assert torch.equal(torch.get_rng_state(), torch_state)
    assert np.array_equal(np.random.get_state()[1], numpy_state)


def test_shapes_are_learnable():
    """Can a simple classifier tell the shapes apart far better than chance (1/3)?"""
    from sklearn.neighbors import KNeighborsClassifier

    train, test = make_shapes(900, seed=1), make_shapes(300, seed=2)

    def pixels(d):
        return d.images.flatten(1).numpy()

    def spectrum(d):  # |FFT| does not change when the shape moves: position no longer matters
        return torch.fft.fft2(d.images[:, 0]).abs().log1p().flatten(1).numpy()

    for features, at_least in [(pixels, 0.55), (spectrum, 0.9)]:
        knn = KNeighborsClassifier(5).fit(features(train), train.labels.numpy())
        assert knn.score(features(test), test.labels.numpy()) > at_least, features.__name__


@pytest.mark.timing
def test_shapes_generate_fast():
    """Are 10 000 images drawn at once (vectorised) rather than in a Python loop?"""
    make_shapes(100)  # warm-up
    start = time.perf_counter()
    data = make_shapes(10_000, classes=SHAPES[:4])  # the four classic shapes (the budget's basis)
    assert len(data) == 10_000
    assert time.perf_counter() - start < 3.0


def test_tag_marks_the_class_corner():
    """With tag=1.0 and tag_correlated, is the class-k corner bright in every class-k image?"""
    data = make_shapes(400, classes=SHAPES, tag=1.0)
    bright = corner_means(data.images) == 1.0  # (N, 4); shapes are at most 0.95 bright
    assert bright.sum(dim=1).eq(1).all(), "exactly one tagged corner per image"
    assert torch.equal(bright.float().argmax(dim=1), data.labels % 4)


def test_tag_probability_and_uncorrelated_corner():
    """Does tag set the share of tagged images, and tag_correlated=False pick corners at random?"""
    half = make_shapes(1000, tag=0.5)
    tagged = (corner_means(half.images) == 1.0).any(dim=1)
    assert 0.4 < tagged.float().mean() < 0.6
    assert not (corner_means(make_shapes(200).images) == 1.0).any()  # tag=0: none

    loose = make_shapes(1000, tag=1.0, tag_correlated=False)
    corner = (corner_means(loose.images) == 1.0).float().argmax(dim=1)
    for k in range(3):  # every class shows up in every corner
        assert torch.bincount(corner[loose.labels == k], minlength=4).min() > 30


def test_tag_is_a_shortcut():
    """Does a classifier trained on tagged images fail when the tag stops matching the class?"""
    from sklearn.neighbors import NearestCentroid

    train = make_shapes(900, seed=1, tag=1.0)
    same = make_shapes(300, seed=2, tag=1.0)
    broken = make_shapes(300, seed=2, tag=1.0, tag_correlated=False)
    model = NearestCentroid().fit(train.images.flatten(1).numpy(), train.labels.numpy())
    score = {
        name: model.score(d.images.flatten(1).numpy(), d.labels.numpy())
        for name, d in [("same", same), ("broken", broken)]
    }
    assert score["same"] > 0.9 and score["broken"] < score["same"] - 0.3, score


def test_nuisances_keep_the_same_shapes():
    """Does switching a nuisance on change only the nuisance, not the labels or shapes?"""
    clean = make_shapes(100, seed=5)
    tagged = make_shapes(100, seed=5, tag=1.0)
    assert torch.equal(clean.labels, tagged.labels)
    changed = (clean.images != tagged.images)[:, 0]  # (N, H, W)
    assert changed.any()
    for rows, cols in tag_regions(32):
        changed[:, rows, cols] = False
    assert not changed.any(), "pixels outside the tag squares changed"


def test_noise_adds_pixel_noise():
    """Does noise add Gaussian noise of about the requested standard deviation?"""
    clean, noisy = make_shapes(200, seed=3), make_shapes(200, seed=3, noise=0.1)
    difference = noisy.images - clean.images
    assert 0.07 < difference.std() < 0.105  # a bit under 0.1 where clamping at 0 or 1 cuts it
    assert horizontal_variation(noisy) > 3 * horizontal_variation(clean)


def test_shift_lowers_contrast_and_blurs():
    """Does shift lower the contrast (toward 0.5) and blur the edges, more for larger shift?"""
    def contrast(d):
        return (d.images.amax(dim=(1, 2, 3)) - d.images.amin(dim=(1, 2, 3))).mean().item()

    clean, mild, strong = (make_shapes(200, seed=4, shift=s) for s in (0.0, 0.5, 1.0))
    assert contrast(strong) < contrast(mild) < contrast(clean)
    assert contrast(strong) <= 0.5 * contrast(clean) + 1e-6  # contrast factor 1 - 0.5 s, then blur
    assert horizontal_variation(strong) < horizontal_variation(mild) < horizontal_variation(clean)
    # x -> 0.5 + (1 - 0.5 s) (x - 0.5): the mean moves halfway to mid-gray (blurring keeps it)
    clean_mean, strong_mean = clean.images.mean().item(), strong.images.mean().item()
    assert strong_mean - 0.5 == pytest.approx(0.5 * (clean_mean - 0.5), abs=0.01)


@pytest.mark.parametrize("background", [b for b in BACKGROUNDS if b is not None])
def test_backgrounds_add_texture(background):
    """Does a textured or noisy background vary where the flat one is constant?"""
    flat = make_shapes(100, seed=6)
    textured = make_shapes(100, seed=6, background=background)
    assert torch.equal(flat.labels, textured.labels)
    assert horizontal_variation(textured) > 1.5 * horizontal_variation(flat)
    assert textured.images.min() >= 0 and textured.images.max() <= 1


def test_shapes_repr_shows_nuisances():
    """Does printing the shapes show size, classes with counts and every nuisance setting?"""
    text = repr(make_shapes(600, noise=0.1, tag=1.0, shift=0.2, background="brick"))
    for part in ["600 images", "(1, 32, 32)", "circle 200", "square 200", "triangle 200",
                 "noise=0.1", "tag=1.0", "tag_correlated=True", "shift=0.2", "background='brick'"]:
        assert part in text, f"{part!r} missing from {text!r}"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n": 0}, r"n must be an integer >= 1, got 0"),
        ({"n": 2.5}, r"n must be an integer.*2\.5"),
        ({"n": 10, "size": 4}, r"size must be an integer >= 8, got 4"),
        ({"n": 10, "classes": ("circle", "blob")}, r"'blob'.*circle, square, triangle"),
        ({"n": 10, "classes": "circle"}, r"sequence of shape names.*'circle'"),
        ({"n": 10, "classes": ("circle", "circle")}, r"repeat"),
        ({"n": 10, "tag": 1.5}, r"tag must be in \[0\.0, 1\.0\], got 1\.5"),
        ({"n": 10, "shift": -0.1}, r"shift must be in \[0\.0, 1\.0\], got -0\.1"),
        ({"n": 10, "noise": -1.0}, r"noise.*-1\.0"),
        ({"n": 10, "background": "wood"}, r"'wood'.*None, 'noise', 'brick', 'grass', 'gravel'"),
        ({"n": 10, "scale_range": (0.4, 0.2)}, r"scale_range.*\(0\.4, 0\.2\)"),
        ({"n": 10, "scale_range": (0.2, 0.8)}, r"scale_range\[1\].*0\.8"),
        ({"n": 10, "seed": -3}, r"seed.*-3"),
        ({"n": 10, "color": "yes"}, r"color must be True or False, got 'yes'"),
    ],
)
def test_shapes_reject_bad_arguments(kwargs, match):
    """Does make_shapes name the bad argument and the valid choices or range? (A value of the
    wrong type raises TypeError, a value out of range ValueError: course_utils.validation.)"""
    wrong_type = any(isinstance(v, float) and k in ("n", "size", "seed") for k, v in kwargs.items())
    wrong_type = wrong_type or "color" in kwargs
    with pytest.raises(TypeError if wrong_type else ValueError, match=match):
        make_shapes(**kwargs)


# ----------------------------------------------------------------------------------------------
# make_shapes: the shapes added for the pretrained checkpoint, colour, and the old images unchanged
# ----------------------------------------------------------------------------------------------

# Fingerprints of make_shapes outputs computed with the code as it was BEFORE the new shapes and
# colour were added (git 7f0c1e5-era shapes.py): (name, arguments, first 32 hex digits of the
# SHA-256 of the float32 images and int64 labels, SHA-256 prefix of the labels alone, and
# [sum, sum of squares, sum weighted by (pixel index % 7)] of the images in float64).
OLD_SHAPES = [
    ('default', {'n': 64},
     '7ad432a56b23534cb6f21bc957d52fe8', '9248af4c98c9cc52', [21536.1312, 11166.0504, 64537.4744]),
    ('four classes', {'n': 64, 'classes': ('circle', 'square', 'triangle', 'cross'), 'seed': 3},
     '1766f12ed5adbe089b40c5fda65dcac9', 'f3f5999b1997e420', [19873.0117, 9898.9926, 59517.0447]),
    ('reordered', {'n': 50, 'classes': ('cross', 'circle'), 'seed': 7, 'size': 24},
     'eddc43814a61420753ba435c36ec50c8', '3d700b4053e04b1a', [9806.4, 5313.7953, 29407.8823]),
    ('nuisances', {'n': 64, 'classes': ('circle', 'square', 'triangle', 'cross'), 'seed': 1,
                   'noise': 0.1, 'tag': 0.5, 'shift': 0.5, 'background': 'noise'},
     'd0f7e725bc93c882c9b79720b0d95959', '475b6d92cefa0f14', [23839.9268, 11623.5191, 71436.7641]),
    ('brick', {'n': 40, 'seed': 2, 'size': 16, 'background': 'brick', 'tag': 1.0,
               'tag_correlated': False, 'scale_range': (0.1, 0.5)},
     '828759010275886027263f9abaa5c4d0', '7b7c25e81627ba61', [2828.3842, 1718.905, 8501.0064]),
    ('grass', {'n': 33, 'seed': 5, 'size': 40, 'background': 'grass', 'noise': 0.05},
     '79811330c4aa9889e60f5bc2cd7d897c', '7b82116df776a739', [16463.082, 8303.5603, 49361.81]),
    ('gravel', {'n': 20, 'seed': 9, 'size': 8, 'background': 'gravel', 'shift': 1.0},
     'b7aba00e2bbcd0e38d6cc29d1e5e3556', '4f2ef06c068e4cbe', [526.8671, 229.0792, 1560.4301]),
]


@pytest.mark.parametrize("name, kwargs, digest, label_digest, sums", OLD_SHAPES,
                         ids=[case[0] for case in OLD_SHAPES])
def test_old_shapes_are_unchanged(name, kwargs, digest, label_digest, sums):
    """Do the original classes and arguments still give the images they gave before the new
    shapes and colour were added (chapters' tests depend on them)?

    On the machine the fingerprints were made on (torch 2.15, x86-64) the images are
    bit-identical; elsewhere float rounding in sin/cos may differ in the last bit, so the
    sums are then compared to 1e-6 relative, which any real change in the drawing far exceeds.
    """
    data = make_shapes(**kwargs)
    labels = data.labels.numpy().astype("int64").tobytes()
    assert hashlib.sha256(labels).hexdigest()[:16] == label_digest, "labels changed"
    exact = hashlib.sha256(data.images.numpy().tobytes() + labels).hexdigest()[:32] == digest
    if not exact:
        x = data.images.double()
        weights = (torch.arange(x[0].numel(), dtype=torch.float64) % 7).view(x.shape[1:])
        now = [x.sum().item(), (x**2).sum().item(), (x * weights).sum().item()]
        assert now == pytest.approx(sums, rel=1e-6), f"the images of {name!r} changed"


def test_every_shape_fits_its_circle():
    """Does every shape, at any rotation, stay inside the circle of the drawn radius (so that
    it never leaves the image), and fill a good part of it?"""
    size = 48
    data = make_shapes(16 * 30, size=size, classes=SHAPES, scale_range=(0.5, 0.5), seed=4)
    # radius 0.5 * size: every shape is centred in the image, its circle touches the borders
    centre = (torch.arange(size) + 0.5) - size / 2
    outside = (centre.view(1, -1) ** 2 + centre.view(-1, 1) ** 2).sqrt() > size / 2 + 1
    background = data.images[:, 0, 0, 0].view(-1, 1)  # a corner is always background
    for k, shape in enumerate(SHAPES):
        images = data.images[data.labels == k, 0]  # (n_k, H, W)
        back = background[data.labels == k]
        assert torch.allclose(images[:, outside], back.expand(-1, int(outside.sum()))), shape
        drawn = ((images - back.view(-1, 1, 1)).abs() > 0.2).float().mean().item()
        assert 0.15 < drawn < 0.8, f"{shape} covers {drawn:.0%} of the image"


# area / R^2 of the shapes whose area has a closed form (R: radius of the enclosing circle)
AREAS = {
    "circle": math.pi,
    "square": 2.0,
    "triangle": 3 * math.sqrt(3) / 4,
    "cross": 2.0,  # two bars 2L x 2L/3 minus their overlap, with L^2 = 0.9 R^2
    "ring": math.pi * (1 - 0.25),
    "pentagon": 2.5 * math.sin(2 * math.pi / 5),
    "hexagon": 1.5 * math.sqrt(3),
    "ellipse": math.pi * 0.5,
    "diamond": 2 * 0.55,
    "semicircle": math.pi / 2,
    "trapezoid": (0.85 + 0.4) * 0.9,
}


def test_shapes_have_their_areas():
    """Are the shapes drawn with the right geometry? Their soft masks must have the area of
    the exact shape (the one-pixel antialiased edge keeps the area, up to about 1 %)."""
    size = 64
    data = make_shapes(16 * 10, size=size, classes=SHAPES, scale_range=(0.45, 0.45), seed=2)
    images = data.images[:, 0]
    back = images.amin(dim=(1, 2), keepdim=True)
    fore = images.amax(dim=(1, 2), keepdim=True)
    mask = (images - back) / (fore - back)  # the soft mask: 0 outside, 1 inside
    radius = 0.45 * size
    for shape, area in AREAS.items():
        measured = mask[data.labels == SHAPES.index(shape)].sum(dim=(1, 2)) / radius**2
        assert measured.mean().item() == pytest.approx(area, rel=0.02), shape
        assert measured.std().item() < 0.03 * area, f"{shape}: area depends on the rotation"


def test_new_shapes_are_learnable():
    """Can a simple classifier on rotation- and shift-free features tell all 16 shapes apart
    far better than chance (1/16)?"""
    from sklearn.neighbors import KNeighborsClassifier

    def spectrum(d):  # |FFT| ignores position; the radial profile ignores rotation
        power = torch.fft.fftshift(torch.fft.fft2(d.images[:, 0]).abs().log1p(), dim=(-2, -1))
        size = d.images.shape[-1]
        centre = torch.arange(size) - size // 2
        radius = (centre.view(1, -1) ** 2 + centre.view(-1, 1) ** 2).sqrt().round().long()
        profile = torch.zeros(len(d), int(radius.max()) + 1).index_add_(
            1, radius.flatten(), power.flatten(1))
        return (profile / torch.bincount(radius.flatten())).numpy()

    kwargs = dict(size=32, classes=SHAPES, scale_range=(0.4, 0.45))
    train, test = make_shapes(1600, seed=1, **kwargs), make_shapes(480, seed=2, **kwargs)
    knn = KNeighborsClassifier(5).fit(spectrum(train), train.labels.numpy())
    assert knn.score(spectrum(test), test.labels.numpy()) > 0.4


def test_color_keeps_the_layout():
    """Does color=True give 3-channel images with the same labels and the same shapes at the
    same places, in random colours, and leave color=False exactly as before?"""
    gray = make_shapes(60, seed=3, size=24)
    color = make_shapes(60, seed=3, size=24, color=True)
    assert color.images.shape == (60, 3, 24, 24) and gray.images.shape == (60, 1, 24, 24)
    assert torch.equal(color.labels, gray.labels)
    assert color.images.min() >= 0 and color.images.max() <= 1

    def support(images):  # where each image differs from its corner (the background)
        return (images - images[..., :1, :1]).abs().sum(dim=1) > 1e-6

    assert torch.equal(support(color.images), support(gray.images))
    channels_differ = (color.images[:, 0] - color.images[:, 1]).abs().amax(dim=(1, 2)) > 0.05
    assert channels_differ.float().mean() > 0.8  # colours, not gray in three channels
    assert torch.equal(make_shapes(60, seed=3, size=24, color=False).images, gray.images)
    assert "color" not in gray.info and color.info["color"] is True
    assert "color=True" in repr(color) and "color" not in repr(gray)


def test_color_with_every_nuisance():
    """Do textures, the tag (white in every channel), shift and noise work in colour?"""
    data = make_shapes(200, classes=SHAPES[:4], seed=1, tag=1.0, shift=0.3, noise=0.05,
                       background="gravel", color=True)
    assert data.images.shape == (200, 3, 32, 32)
    assert data.images.min() >= 0 and data.images.max() <= 1
    tagged = make_shapes(200, classes=SHAPES[:4], seed=1, tag=1.0, color=True)
    for channel in range(3):
        means = corner_means(tagged.images[:, channel:channel + 1])
        assert (means[torch.arange(200), tagged.labels % 4] == 1.0).all()


# ----------------------------------------------------------------------------------------------
# load_torchvision, offline: a fake MNIST served from 127.0.0.1, and unreachable servers
# ----------------------------------------------------------------------------------------------


def idx_file(array: np.ndarray) -> bytes:
    """Encode a uint8 array in the IDX format of the MNIST files, gzipped."""
    magic = 0x0800 + array.ndim  # 0x08: unsigned byte, then the number of dimensions
    header = struct.pack(f">{1 + array.ndim}I", magic, *array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes(), mtime=0)


@pytest.fixture
def fake_mnist(tmp_path, monkeypatch):
    """A tiny MNIST (20 train, 10 test images) served over HTTP from this machine.

    torchvision downloads ``mirror + filename`` for every (filename, md5) in MNIST.resources;
    both class attributes point at the fake files for the duration of the test.
    """
    import torchvision

    rng = np.random.default_rng(0)
    files = {}
    for prefix, n in [("train", 20), ("t10k", 10)]:
        files[f"{prefix}-images-idx3-ubyte.gz"] = idx_file(rng.integers(0, 256, (n, 28, 28)))
        files[f"{prefix}-labels-idx1-ubyte.gz"] = idx_file(np.arange(n) % 10)
    served = tmp_path / "served"
    served.mkdir()
    for filename, content in files.items():
        (served / filename).write_bytes(content)
    resources = [(name, hashlib.md5(content).hexdigest()) for name, content in files.items()]

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(served))
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    monkeypatch.setenv("no_proxy", "*")  # talk to 127.0.0.1 directly, never through a proxy
    mirror = f"http://127.0.0.1:{server.server_port}/"  # torchvision fetches mirror + filename
    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [mirror])
    monkeypatch.setattr(torchvision.datasets.MNIST, "resources", resources)
    yield tmp_path / "cache"
    server.shutdown()
    server.server_close()


def test_load_torchvision_downloads_and_caches(fake_mnist):
    """Does load_torchvision download through torchvision, then read the cache without a network?"""
    train = load_torchvision("mnist", root=fake_mnist)
    assert isinstance(train, ImageData) and len(train) == 20
    assert train.images.shape == (20, 1, 28, 28) and train.images.dtype == torch.float32
    assert train.images.min() >= 0 and train.images.max() <= 1
    assert train.labels.tolist() == [i % 10 for i in range(20)]
    assert train.classes[0] == "0 - zero" and "MNIST (train)" in repr(train)
    assert (fake_mnist / "MNIST" / "raw" / "train-images-idx3-ubyte").exists()

    test = load_torchvision("MNIST", train=False, root=fake_mnist, download=False)  # cached now
    assert len(test) == 10


def test_load_torchvision_fails_fast_when_unreachable(tmp_path, monkeypatch):
    """Does an unreachable server quickly give an error that names the offline fallbacks?"""
    import torchvision

    monkeypatch.setenv("no_proxy", "*")
    nowhere = "http://127.0.0.1:9/"  # port 9 (discard): nothing listens there
    monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [nowhere])
    before = socket.getdefaulttimeout()
    start = time.perf_counter()
    message = r"could not be downloaded.*load_digits\(\).*make_shapes"
    with pytest.raises(DatasetUnavailableError, match=message):
        load_torchvision("MNIST", root=tmp_path, timeout=2.0)
    assert time.perf_counter() - start < 2.0
    assert socket.getdefaulttimeout() == before  # restored


def test_load_torchvision_times_out_on_a_silent_server(tmp_path, monkeypatch):
    """Does a server that accepts the connection but never answers time out instead of hanging?"""
    import torchvision

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # connections complete in the backlog, but nobody ever answers
    try:
        monkeypatch.setenv("no_proxy", "*")
        port = silent.getsockname()[1]
        monkeypatch.setattr(torchvision.datasets.MNIST, "mirrors", [f"http://127.0.0.1:{port}/"])
        start = time.perf_counter()
        with pytest.raises(DatasetUnavailableError, match=r"within 0\.5 s"):
            load_torchvision("MNIST", root=tmp_path, timeout=0.5)
        assert time.perf_counter() - start < 5.0
    finally:
        silent.close()


def test_load_torchvision_without_download(tmp_path, monkeypatch):
    """With download=False and nothing cached, does the error say to pass download=True?"""
    with pytest.raises(DatasetUnavailableError, match=r"download=True.*load_digits"):
        load_torchvision("FashionMNIST", root=tmp_path / "empty", download=False)
    monkeypatch.setenv("COURSE_DATA", str(tmp_path / "from_env"))  # the default cache folder
    with pytest.raises(DatasetUnavailableError, match="from_env"):
        load_torchvision("cifar10", download=False)


def test_load_torchvision_converts_cached_cifar10(tmp_path, monkeypatch):
    """Does a cached CIFAR-10 come out as (N, 3, 32, 32) with each channel in its place?"""
    import torchvision

    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    rng = np.random.default_rng(1)
    # CIFAR-10 stores each image as 3072 bytes: the red plane, then green, then blue
    batch = {"data": rng.integers(0, 256, (6, 3072), dtype=np.uint8), "labels": [0, 1, 2, 3, 4, 5]}
    names = {"label_names": ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog"]}
    md5 = {}
    files = [("data_batch_1", batch), ("test_batch", batch), ("batches.meta", names)]
    for filename, content in files:
        (folder / filename).write_bytes(pickle.dumps(content))
        md5[filename] = hashlib.md5((folder / filename).read_bytes()).hexdigest()
    cifar = torchvision.datasets.CIFAR10
    monkeypatch.setattr(cifar, "train_list", [["data_batch_1", md5["data_batch_1"]]])
    monkeypatch.setattr(cifar, "test_list", [["test_batch", md5["test_batch"]]])
    meta = {"filename": "batches.meta", "key": "label_names", "md5": md5["batches.meta"]}
    monkeypatch.setattr(cifar, "meta", meta)

    data = load_torchvision("CIFAR10", root=tmp_path, download=False)
    assert data.images.shape == (6, 3, 32, 32) and data.images.is_contiguous()
    expected = torch.from_numpy(batch["data"]).view(6, 3, 32, 32).float() / 255
    assert torch.equal(data.images, expected)
    assert data.labels.tolist() == [0, 1, 2, 3, 4, 5] and data.classes[3] == "cat"


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"name": "ImageNet"}, r"'ImageNet'.*MNIST, FashionMNIST, CIFAR10"),
        ({"name": "MNIST", "timeout": 0}, r"timeout.*0"),
        ({"name": "MNIST", "timeout": -1.0}, r"timeout.*-1\.0"),
    ],
)
def test_load_torchvision_rejects_bad_arguments(kwargs, match, tmp_path):
    """Does load_torchvision name an unknown dataset (listing the choices) or a bad timeout?"""
    with pytest.raises(ValueError, match=match):
        load_torchvision(root=tmp_path, download=False, **kwargs)
