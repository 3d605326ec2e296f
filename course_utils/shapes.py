"""Generated shapes: a seeded, vectorised data set of circles, squares, triangles and crosses.

Introduced in chapter 05 and used through chapter 11. Its nuisances are switches: a
class-correlated "source tag" in a corner (the Clever Hans effect of chapter 10), pixel noise, a
"scanner" shift of contrast and blur, and textured backgrounds from scikit-image. Masks of the
shapes come with every image (``info["masks"]``) for segmentation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F

from . import validation as valid
from .data import ImageData, sample_image

__all__ = ["SHAPES", "BACKGROUNDS", "make_shapes"]

SHAPES = ("circle", "square", "triangle", "cross")
"""Shape classes that :func:`make_shapes` can draw."""

_TEXTURES = ("brick", "grass", "gravel")
BACKGROUNDS = (None, "noise", *_TEXTURES)
"""Backgrounds of :func:`make_shapes`: flat (None), smooth random blobs, or a texture."""


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
