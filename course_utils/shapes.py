"""Generated shapes: a seeded, vectorised data set of circles, squares, triangles, crosses and
twelve more shape classes (stars, rings, polygons, arrows, hearts, ...).

Introduced in chapter 05 and used through chapter 11. Its nuisances are switches: a
class-correlated "source tag" in a corner (the Clever Hans effect of chapter 10), pixel noise, a
"scanner" shift of contrast and blur, and textured backgrounds from scikit-image. For
segmentation, the mask of each shape is the bright part of the same data set drawn without
nuisances (the same seed draws the same shapes at the same places). With ``color=True`` the
background and the shape get random colours (3-channel images), as the course's pretrained
checkpoint (:mod:`course_utils.pretrained`) was trained on.
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

SHAPES = (
    "circle", "square", "triangle", "cross",  # the original four (chapters 05-11)
    "star", "ring", "pentagon", "hexagon", "ellipse", "diamond", "arrow", "crescent",
    "heart", "semicircle", "trapezoid", "chevron",
)
"""Shape classes that :func:`make_shapes` can draw.

The first four are the classic ones used since chapter 05; the others were added for the
course's pretrained checkpoint (:mod:`course_utils.pretrained`), which was trained on the first
twelve and never saw the last four (:data:`~course_utils.pretrained.HELD_OUT_SHAPES`), so that
chapter 09 has a "very similar" target task with new classes. Adding shapes never changes the
images drawn for the old ones: the same seed and arguments give bit-identical images (a test
holds this)."""

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
    if shape in _POLYGONS:  # regular polygons and the five-pointed star
        corners, sharpness = _POLYGONS[shape]
        return _star_distance(u, v, radius, corners, sharpness)
    if shape == "ring":  # an annulus: outer radius R, inner radius R / 2
        return (torch.sqrt(u**2 + v**2) - 0.75 * radius).abs() - 0.25 * radius
    if shape == "ellipse":  # semi-axes R and R / 2
        return _ellipse_distance(u, v, radius, 0.5 * radius)
    if shape == "diamond":  # a rhombus (not a square: squares rotate): half-diagonals R, 0.55 R
        a, b = radius, 0.55 * radius
        return (u.abs() / a + v.abs() / b - 1) * (a * b / torch.sqrt(a**2 + b**2))
    if shape == "arrow":  # a shaft and a triangular head pointing along +u
        shaft = torch.maximum((u + 0.425 * radius).abs() - 0.525 * radius,
                              v.abs() - 0.17 * radius)
        head = torch.maximum(-u, _wedge_distance(u, v, radius, 0.55 * radius))
        return torch.minimum(shaft, head)
    if shape == "crescent":  # a disc of radius R minus a disc of radius 0.8 R shifted by 0.45 R
        outer = torch.sqrt(u**2 + v**2) - radius
        inner = torch.sqrt((u - 0.45 * radius) ** 2 + v**2) - 0.8 * radius
        return torch.maximum(outer, -inner)
    if shape == "heart":  # a square on its corner with two discs on its upper edges
        a = radius / 1.262  # so that the heart fits in the circle of radius R
        w = v + 0.26 * a  # centre the heart's enclosing circle on the origin
        square = (u.abs() + w.abs() - a) / math.sqrt(2)
        lobes = torch.sqrt((u.abs() - a / 2) ** 2 + (w - a / 2) ** 2) - a / math.sqrt(2)
        return torch.minimum(square, lobes)
    if shape == "semicircle":  # half a disc of radius R, its flat side through the origin
        return torch.maximum(torch.sqrt(u**2 + v**2) - radius, -v)
    if shape == "trapezoid":  # isosceles: half-widths 0.85 R (bottom) and 0.4 R (top)
        # side through (0.85 R, -0.45 R) and (0.4 R, 0.45 R): outer normal (0.9, 0.45) / |.|
        side = ((u.abs() - 0.85 * radius) * 0.9 + (v + 0.45 * radius) * 0.45)
        side = side / math.hypot(0.9, 0.45)
        return torch.maximum(v.abs() - 0.45 * radius, side)
    if shape == "chevron":  # a thick "V": a wedge minus the same wedge moved back by 0.9 R
        # (the tip is cut flat at u = R: the two edges alone would let the soft edge of so
        # sharp a tip spill a pixel beyond the circle)
        wedge = torch.maximum(torch.maximum(-u - 0.7 * radius, u - radius),
                              _wedge_distance(u, v, radius, 0.7 * radius, back=1.7 * radius))
        notch = _wedge_distance(u + 0.9 * radius, v, radius, 0.7 * radius, back=1.7 * radius)
        return torch.maximum(wedge, -notch)
    raise AssertionError(f"no distance function for {shape!r}")  # checked by make_shapes


_POLYGONS = {"pentagon": (5, 2.0), "hexagon": (6, 2.0), "star": (5, 3.2)}
"""corners and sharpness of the shapes drawn by :func:`_star_distance` (2: a regular polygon)."""


def _star_distance(u: torch.Tensor, v: torch.Tensor, radius: torch.Tensor, corners: int,
                   sharpness: float) -> torch.Tensor:
    """Exact signed distance to a regular polygon (``sharpness=2``) or a star (``sharpness``
    between 2 and ``corners``: the larger, the sharper the tips) whose ``corners`` tips lie on
    the circle of ``radius`` (after Inigo Quilez's ``sdStar``).

    The plane is folded into one wedge of angle ``2 pi / corners``, mirrored about its axis;
    there the edge is a single segment from the tip to the inner corner.
    """
    half = math.pi / corners  # half the angle between two tips
    edge = math.pi / sharpness  # direction of the edge leaving a tip
    tip_c, tip_s = math.cos(half), math.sin(half)
    edge_c, edge_s = math.cos(edge), math.sin(edge)
    angle = torch.remainder(torch.atan2(u, v), 2 * half) - half  # fold into one wedge
    length = torch.sqrt(u**2 + v**2)
    x, y = length * torch.cos(angle), length * torch.sin(angle).abs()
    x, y = x - radius * tip_c, y - radius * tip_s
    t = (-(x * edge_c + y * edge_s)).clamp(min=0)
    t = torch.minimum(t, radius * tip_s / edge_s)
    x, y = x + edge_c * t, y + edge_s * t
    return torch.sqrt(x**2 + y**2) * torch.sign(x)


def _ellipse_distance(u: torch.Tensor, v: torch.Tensor, a: torch.Tensor,
                      b: torch.Tensor) -> torch.Tensor:
    """Approximate signed distance to the ellipse with semi-axes ``a`` (along u) and ``b``:
    first-order accurate near the edge, which is all the one-pixel soft edge needs."""
    k0 = torch.sqrt((u / a) ** 2 + (v / b) ** 2)
    k1 = torch.sqrt((u / a**2) ** 2 + (v / b**2) ** 2).clamp(min=1e-12)
    return k0 * (k0 - 1) / k1


def _wedge_distance(u: torch.Tensor, v: torch.Tensor, tip: torch.Tensor, half_width: torch.Tensor,
                    back: torch.Tensor | None = None) -> torch.Tensor:
    """Signed distance to the two edges of a wedge with its tip at ``(tip, 0)`` that reaches
    ``half_width`` at ``u = tip - back`` (default ``back = tip``): the sides of an arrow head."""
    back = tip if back is None else back
    return ((u - tip) * half_width + v.abs() * back) / torch.sqrt(back**2 + half_width**2)


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
    color: bool = False,
) -> ImageData:
    """A generated dataset of grayscale (or colour) shapes, one class per shape, with nuisance
    switches.

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

    ``color=True`` gives 3-channel images: the background and the shape of each image get a
    random colour of the same mean brightness as their gray level, ``clamp(level + 0.8 * (c -
    mean(c)), 0, 1)`` with ``c`` uniform in ``[0, 1]^3`` (the shape stays brighter on average).
    Textures, tag (white), shift and noise then act on each channel. The colours have their own
    random stream: the shapes, labels and nuisances are those of ``color=False``.

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
        color: random colours for background and shape, 3-channel images (default False: gray,
            one channel).

    Returns:
        An ImageData named ``"shapes"`` with images ``(n, 1, size, size)`` (``(n, 3, size,
        size)`` with ``color=True``) in [0, 1] and all settings in ``info``.

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
    color = valid.flag("color", color)

    # Independent random streams, so that a nuisance switched on leaves the shapes unchanged.
    # (generate_state(5) starts with the same four words as generate_state(4), which drew the
    # streams before colour existed: old images stay bit-identical.)
    streams = np.random.SeedSequence(seed).generate_state(5)
    layout, back_rng, tag_rng, noise_rng, color_rng = (
        torch.Generator().manual_seed(int(s)) for s in streams
    )

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
    if color:  # a random colour for background and shape, of the same mean brightness
        tints = torch.rand(n, 2, 3, generator=color_rng)
        chroma = 0.8 * (tints - tints.mean(dim=2, keepdim=True))  # (N, 2, 3), zero mean per colour
        back = (back.unsqueeze(1) + chroma[:, 0].view(n, 3, 1, 1)).clamp(0, 1)  # (N, 3, H, W)
        fore = (fore_level.view(n, 1) + chroma[:, 1]).clamp(0, 1).view(n, 3, 1, 1)
        images = back + (fore - back) * mask.unsqueeze(1)  # (N, 3, H, W)
    else:
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
    if color:
        images = torch.where(marker.unsqueeze(1), torch.ones(()), images)  # (N, 3, H, W)
    else:
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
    if color:  # (only when on, so that the gray data sets print exactly as before)
        info["color"] = True
    return ImageData(images.clamp(0, 1), labels, tuple(classes), name="shapes", info=info)
