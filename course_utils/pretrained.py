"""Pretrained backbones: torchvision's ImageNet ResNet-18 when its weights are available, and
otherwise the course's own small checkpoint, trained offline on generated shapes.

Introduced in chapter 09 (transfer learning) and used in chapters 10-12 (limitations, CAM and
Grad-CAM, style transfer). Every chapter starts with::

    backbone = load_backbone()          # prints one line: which network, from where, how good
    x = backbone.normalize(images)      # [0, 1] images (N, 1|3, H, W) -> what the network expects
    scores = backbone.model(x)

and states its results for the backbone it ran with.

Two kinds of backbone share one interface, :class:`Backbone`, whose ``model`` has the attribute
names of torchvision's ResNet (``conv1, bn1, relu, maxpool, layer1..layer4, avgpool, fc``), so
that hooks, truncation and head replacement are written once for both:

- ``"imagenet"``: ``torchvision.models.resnet18`` with ``ResNet18_Weights.IMAGENET1K_V1`` (He et
  al., 2016, "Deep residual learning for image recognition"; 1000 ImageNet classes, 224 x 224).
  Loaded through torchvision's weights API from the torch hub cache (``$TORCH_HOME/hub/
  checkpoints``); downloaded into it when a network is there.
- ``"course"``: :class:`CourseResNet`, a ResNet-10-style network of 0.3 M parameters shipped in
  ``course_utils/checkpoints/`` with a card (``course_resnet.json`` and ``.md``) that records
  its training recipe, classes, validation accuracy, SHA-256 and torch version. It was trained by
  ``python -m tools.train_checkpoint`` on :func:`checkpoint_data`: 64 x 64 images of the twelve
  shape classes :data:`CHECKPOINT_CLASSES` with random colours, textured backgrounds, noise and
  blur. The four classes :data:`HELD_OUT_SHAPES` were never shown to it: chapter 09 uses them
  as a "very similar" target task with new classes.
- ``"random"``: the course architecture with random weights, the baseline of every comparison.

The environment variable ``COURSE_OFFLINE=1`` forbids any network access here (tests set it).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import os
import socket
import threading
import urllib.parse
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from . import validation as valid
from .data import ImageData
from .device import _env_flag, pick_device
from .models import _seeded
from .shapes import SHAPES, make_shapes

__all__ = [
    "IMAGENET_MEAN",
    "IMAGENET_STD",
    "CHECKPOINT_CLASSES",
    "HELD_OUT_SHAPES",
    "CHECKPOINT_INPUT_SIZE",
    "BACKBONE_CHOICES",
    "WeightsUnavailableError",
    "Backbone",
    "CourseResNet",
    "checkpoint_data",
    "checkpoint_card",
    "load_backbone",
    "load_vgg19_features",
    "offline_mode",
]

IMAGENET_MEAN = (0.485, 0.456, 0.406)
"""Per-channel mean of ImageNet's training images (RGB, [0, 1]), subtracted before both
backbones."""
IMAGENET_STD = (0.229, 0.224, 0.225)
"""Per-channel standard deviation of ImageNet's training images: divided by after the mean."""

CHECKPOINT_CLASSES = SHAPES[:12]
"""The twelve shape classes the course checkpoint was trained on (its ``fc`` outputs, in order):
circle, square, triangle, cross, star, ring, pentagon, hexagon, ellipse, diamond, arrow,
crescent."""
HELD_OUT_SHAPES = SHAPES[12:]
"""Shape classes the course checkpoint never saw: heart, semicircle, trapezoid, chevron (the
"very similar, new classes" target task of chapter 09)."""
CHECKPOINT_INPUT_SIZE = 64
"""Side of the course checkpoint's images. 64 rather than the shapes' usual 32: the last feature
map is then 4 x 4 (8 x 8 one layer earlier, or for 128 x 128 inputs: something for CAM and
Grad-CAM to localise, chapter 11) and the shapes' details (star points, arrow heads) are
resolved, while a forward pass over 1000 images still takes a few seconds on a 2-core CPU."""

BACKBONE_CHOICES = ("auto", "imagenet", "course", "random")
"""What :func:`load_backbone` accepts for ``prefer``."""

_CHECKPOINT_DIR = "checkpoints"
_CHECKPOINT_NAME = "course_resnet"
_CONNECT_TIMEOUT = 2.0  # seconds for the quick "is the weights server reachable?" test


class WeightsUnavailableError(RuntimeError):
    """Pretrained weights are neither in the torch hub cache nor downloadable (offline, or
    ``COURSE_OFFLINE=1``). The message says where the file belongs and how to get it;
    ``reason`` says in a few words why they are missing."""

    def __init__(self, message: str, reason: str = "not available"):
        super().__init__(message)
        self.reason = reason


def offline_mode() -> bool:
    """Whether ``COURSE_OFFLINE`` forbids network access for weights (read at call time)."""
    return _env_flag("COURSE_OFFLINE")


# ----------------------------------------------------------------------------------------------
# The course architecture and its data
# ----------------------------------------------------------------------------------------------


class CourseResNet(nn.Module):
    """A small ResNet (a "ResNet-10": one BasicBlock per stage) with torchvision's attribute names.

    The layout of torchvision's ResNet-18 (He et al., 2016), shrunk for 64 x 64 images on a CPU:
    a 5 x 5 stride-2 stem and no max-pooling (``maxpool`` is an ``Identity``, kept so that code
    written for torchvision's ResNet runs unchanged), then four stages of one BasicBlock each
    (two 3 x 3 convolutions with batch norm and a shortcut), the last three halving the
    resolution. Global average pooling, then ``fc``. The network is fully convolutional up to the
    pooling, so it accepts other sizes: 64 x 64 inputs give 4 x 4 maps in ``layer4`` (8 x 8 in
    ``layer3``); upsampling the images to 128 x 128 gives 8 x 8 maps in ``layer4`` for finer CAMs
    (chapter 11).

    Args:
        num_classes: outputs of ``fc`` (default 12, :data:`CHECKPOINT_CLASSES`).
        widths: channels of the four stages (default ``(16, 32, 64, 128)``).
        seed: seed for the initial weights; None (default) uses torch's global generator.

    Shapes: (N, 3, 64, 64) -> stem (N, 16, 32, 32) -> layer1 (N, 16, 32, 32) -> layer2
    (N, 32, 16, 16) -> layer3 (N, 64, 8, 8) -> layer4 (N, 128, 4, 4) -> avgpool (N, 128, 1, 1)
    -> fc (N, num_classes); in general layer4 is (N, 128, H/16, W/16), for any H, W >= 16.
    """

    def __init__(self, num_classes: int = 12, *, widths: tuple[int, ...] = (16, 32, 64, 128),
                 seed: int | None = None):
        from torchvision.models.resnet import BasicBlock

        super().__init__()
        valid.positive_int("num_classes", num_classes)
        if len(widths) != 4:
            raise ValueError(f"widths must give the channels of the 4 stages, got {widths!r}")
        for width in widths:
            valid.positive_int("each width", width)
        self.widths = tuple(int(w) for w in widths)
        with _seeded(seed):  # weights from `seed`; torch's global generator left alone
            self.conv1 = nn.Conv2d(3, widths[0], kernel_size=5, stride=2, padding=2, bias=False)
            self.bn1 = nn.BatchNorm2d(widths[0])
            self.relu = nn.ReLU(inplace=True)
            self.maxpool = nn.Identity()  # the stem's stride 2 is enough for 64 x 64 images
            stages, channels = [], widths[0]
            for width, stride in zip(widths, (1, 2, 2, 2)):
                shortcut = None
                if stride != 1 or channels != width:  # a 1 x 1 convolution matches the shapes
                    shortcut = nn.Sequential(
                        nn.Conv2d(channels, width, kernel_size=1, stride=stride, bias=False),
                        nn.BatchNorm2d(width),
                    )
                stages.append(nn.Sequential(BasicBlock(channels, width, stride, shortcut)))
                channels = width
            self.layer1, self.layer2, self.layer3, self.layer4 = stages
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(channels, num_classes)
            for module in self.modules():  # as torchvision's ResNet: He initialization
                if isinstance(module, nn.Conv2d):
                    nn.init.kaiming_normal_(module.weight, mode="fan_out", nonlinearity="relu")

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or x.shape[1] != 3:
            raise ValueError(f"CourseResNet expects normalized RGB images (N, 3, H, W); got shape "
                             f"{tuple(x.shape)}. Use Backbone.normalize(images), which also "
                             f"turns gray images into 3 channels")
        x = self.relu(self.bn1(self.conv1(x)))  # (N, 16, H/2, W/2)
        x = self.maxpool(x)  # identity
        x = self.layer1(x)  # (N, 16, H/2, W/2)
        x = self.layer2(x)  # (N, 32, H/4, W/4)
        x = self.layer3(x)  # (N, 64, H/8, W/8)
        x = self.layer4(x)  # (N, 128, H/16, W/16): the feature maps of CAM and Grad-CAM
        x = torch.flatten(self.avgpool(x), 1)  # (N, 128): the "CNN codes"
        return self.fc(x)  # (N, num_classes)


def checkpoint_data(n_per_class: int, *, seed: int, classes=CHECKPOINT_CLASSES,
                    size: int = CHECKPOINT_INPUT_SIZE) -> ImageData:
    """Colourful, cluttered shapes of the kind the course checkpoint was trained on.

    A mix of ten equal parts, one for each background (flat, smooth noise, brick, grass, gravel)
    in colour and in gray; each part draws its pixel noise from ``{0, 0.03, 0.08}`` and its
    scanner shift from ``{0, 0.25, 0.5}`` (see :func:`~course_utils.shapes.make_shapes`), with
    shapes of radius 15-45 % of the side. Gray parts are repeated into three channels. No source
    tag: that shortcut is chapter 10's and 11's to add.

    The checkpoint's training data are ``checkpoint_data(300, seed=1000 + epoch)`` (fresh images
    every epoch) and its validation data ``checkpoint_data(100, seed=0)`` (its card says which).
    With ``classes=HELD_OUT_SHAPES`` it makes the "very similar, new classes" task of chapter 09.

    Args:
        n_per_class: images per class, a positive integer (exactly balanced).
        seed: seeds everything (a non-negative integer); use seeds other than the checkpoint's
            (0 for validation, 1000 and up for training) for data it has never seen.
        classes: shape names from :data:`~course_utils.shapes.SHAPES` (default
            :data:`CHECKPOINT_CLASSES`).
        size: image side in pixels (default 64).

    Returns:
        An ImageData ``(n_per_class * len(classes), 3, size, size)`` in [0, 1], shuffled.
    """
    n_per_class = valid.positive_int("n_per_class", n_per_class)
    seed = valid.seed(seed)
    classes = tuple(classes)
    parts_settings = [(background, color) for color in (True, False)
                      for background in (None, "noise", "brick", "grass", "gravel")]
    rng = np.random.default_rng([seed, 2024])
    images, labels = [], []
    for index, (background, color) in enumerate(parts_settings):
        # part `index` gets n_per_class // 10 images per class, one more for the first ones
        per_class = n_per_class // 10 + (index < n_per_class % 10)
        noise = float(rng.choice([0.0, 0.03, 0.08]))
        shift = float(rng.choice([0.0, 0.25, 0.5]))
        if per_class == 0:
            continue
        part = make_shapes(per_class * len(classes), size=size, classes=classes,
                           seed=seed * 100 + index, noise=noise, shift=shift,
                           background=background, scale_range=(0.15, 0.45), color=color)
        images.append(part.images.expand(-1, 3, -1, -1))  # gray -> 3 equal channels
        labels.append(part.labels)
    images, labels = torch.cat(images), torch.cat(labels)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))
    info = {"recipe": f"checkpoint_data({n_per_class}, seed={seed})",
            "nuisances": "colour or gray; flat/noise/brick/grass/gravel backgrounds; "
                         "noise 0-0.08; shift 0-0.5"}
    return ImageData(images[order].contiguous(), labels[order], classes,
                     name="checkpoint shapes", info=info)


# ----------------------------------------------------------------------------------------------
# The backbone: a network, what it was trained on, and how to feed it
# ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Backbone:
    """A pretrained network together with what it was trained on and how to feed it.

    Returned by :func:`load_backbone` (chapter 09). The fields say which network it is, so that
    every chapter can state its results for the backbone it ran with.
    """

    model: nn.Module
    """The network, in eval mode, on the requested device. Its attributes are torchvision's
    ResNet ones: ``conv1, bn1, relu, maxpool, layer1, layer2, layer3, layer4, avgpool, fc``."""
    name: str
    """e.g. ``"resnet18 (ImageNet, torchvision)"`` or ``"course-resnet (course checkpoint)"``."""
    source: str
    """``"imagenet"``, ``"course"`` or ``"random"`` (random weights, for comparisons)."""
    classes: tuple[str, ...]
    """What ``fc`` predicts: 1000 ImageNet categories, or the course's 12 shapes."""
    mean: tuple[float, float, float]
    """Per-channel mean subtracted from [0, 1] RGB inputs in training (ImageNet's for both)."""
    std: tuple[float, float, float]
    """Per-channel standard deviation the inputs were divided by in training."""
    input_size: int
    """The side of the images it was trained on: 224 (ImageNet) or 64 (course checkpoint)."""
    accuracy: float | None
    """Recorded validation accuracy of the checkpoint in [0, 1] (None for ImageNet and random)."""
    held_out: tuple[str, ...] = ()
    """Shape classes the checkpoint never saw (:data:`HELD_OUT_SHAPES` for the course one)."""
    note: str = ""
    """Why this backbone was chosen when it was not the first choice (shown by :meth:`describe`)."""
    card: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """The checkpoint's card (recipe, data, SHA-256, ...) for the course checkpoint; else empty."""

    @property
    def feature_dim(self) -> int:
        """Length of the "CNN codes", the inputs of ``fc`` (ResNet-18: 512, course: 128)."""
        return self.model.fc.in_features

    @property
    def device(self) -> torch.device:
        """Where the model's parameters are."""
        return next(self.model.parameters()).device

    def normalize(self, images: Tensor, *, check_range: bool = True) -> Tensor:
        """[0, 1] images ``(N, 1 or 3, H, W)`` -> 3-channel inputs normalized as in training.

        Gray images are repeated into three channels; then ``(x - mean) / std`` per channel. The
        result is on the images' device and differentiable (style transfer optimises the image
        through it). The size is not changed: see :meth:`prepare`.

        Args:
            images: a floating-point tensor ``(N, 1, H, W)`` or ``(N, 3, H, W)`` with values in
                [0, 1].
            check_range: raise when values lie outside [0, 1] (default True; catches images
                normalized twice or still in 0..255). Turn it off for images being optimised.

        Returns:
            ``(N, 3, H, W)``, same dtype and device.

        Raises:
            TypeError: not a tensor, or not floating point.
            ValueError: wrong layout, or values outside [0, 1].
        """
        if not isinstance(images, Tensor):
            raise TypeError(f"normalize expects a torch.Tensor (N, 1 or 3, H, W) in [0, 1], "
                            f"got {type(images).__name__}")
        if not images.is_floating_point():
            raise TypeError(f"normalize expects floating-point images in [0, 1], got dtype "
                            f"{images.dtype}; convert 0..255 integers with images.float() / 255")
        if images.ndim != 4 or images.shape[1] not in (1, 3):
            hint = (" (a single image? add the batch axis with images.unsqueeze(0))"
                    if images.ndim == 3 else "")
            raise ValueError(f"normalize expects images (N, 1, H, W) or (N, 3, H, W), got shape "
                             f"{tuple(images.shape)}{hint}")
        if check_range and images.numel() > 0:
            low, high = images.min().item(), images.max().item()
            if low < -1e-3 or high > 1 + 1e-3:
                raise ValueError(f"normalize expects values in [0, 1], got values in "
                                 f"[{low:.3g}, {high:.3g}]. Were the images normalized already, "
                                 f"or are they still 0..255? (check_range=False skips this check)")
        if images.shape[1] == 1:
            images = images.expand(-1, 3, -1, -1)  # gray -> three equal channels
        mean = torch.tensor(self.mean, dtype=images.dtype, device=images.device).view(1, 3, 1, 1)
        std = torch.tensor(self.std, dtype=images.dtype, device=images.device).view(1, 3, 1, 1)
        return (images - mean) / std

    def prepare(self, images: Tensor, *, size: int | None = None) -> Tensor:
        """Resize [0, 1] images to ``size`` (default :attr:`input_size`), then :meth:`normalize`.

        Bilinear resizing with antialiasing; images already at that size are left as they are.

        Args:
            images: ``(N, 1 or 3, H, W)`` in [0, 1].
            size: the side of the output (default :attr:`input_size`).

        Returns:
            ``(N, 3, size, size)``, normalized.
        """
        size = self.input_size if size is None else valid.positive_int("size", size)
        if isinstance(images, Tensor) and images.ndim == 4 and images.shape[-2:] != (size, size):
            images = F.interpolate(images, size=(size, size), mode="bilinear",
                                   align_corners=False, antialias=True).clamp(0, 1)
        return self.normalize(images)

    def describe(self) -> str:
        """One line: which backbone, where it comes from, what it was trained on, how good."""
        parameters = sum(p.numel() for p in self.model.parameters())
        size = f"{parameters / 1e6:.2f} M parameters"
        if self.source == "imagenet":
            line = (f"backbone: {self.name}: {size}, trained on ImageNet (1000 classes, "
                    f"{self.input_size} x {self.input_size})")
        elif self.source == "course":
            held = f"; never saw {', '.join(self.held_out)}" if self.held_out else ""
            measured = self.card.get("validation", {}).get("images")
            on = f" on {measured} images" if measured else ""
            accuracy = ("" if self.accuracy is None
                        else f", validation accuracy {self.accuracy:.1%}{on}")
            line = (f"backbone: {self.name}: {size}, trained on {len(self.classes)} generated "
                    f"shape classes ({self.input_size} x {self.input_size}, colour, textures)"
                    f"{accuracy}{held}")
        else:
            line = (f"backbone: {self.name}: {size}, random weights (not pretrained; "
                    f"{self.input_size} x {self.input_size} inputs)")
        if self.note:
            line += f" ({self.note})"
        return " ".join(line.split())  # one line, whatever the note contains

    def __str__(self) -> str:
        return self.describe()


# ----------------------------------------------------------------------------------------------
# Loading: ImageNet weights through torchvision's weights API, the course checkpoint from the
# package, or random weights
# ----------------------------------------------------------------------------------------------


def checkpoint_card() -> dict[str, Any]:
    """The card of the shipped course checkpoint (``course_utils/checkpoints/course_resnet.json``):
    recipe, classes, held-out classes, validation accuracy and data, SHA-256, torch version."""
    text = resources.files(__package__).joinpath(_CHECKPOINT_DIR, f"{_CHECKPOINT_NAME}.json")
    return json.loads(text.read_text())


def _load_course(device: torch.device) -> Backbone:
    """The shipped course checkpoint, checked against the SHA-256 of its card."""
    card = checkpoint_card()
    blob = resources.files(__package__).joinpath(_CHECKPOINT_DIR, card["file"]).read_bytes()
    digest = hashlib.sha256(blob).hexdigest()
    if digest != card["sha256"]:
        raise RuntimeError(
            f"the course checkpoint {card['file']} is damaged or was replaced without its card: "
            f"SHA-256 {digest[:12]}... instead of {card['sha256'][:12]}... Reinstall course_utils, "
            f"or retrain it with `python -m tools.train_checkpoint` (which writes both)")
    state = torch.load(io.BytesIO(blob), map_location="cpu", weights_only=True)
    state = {k: v.float() if v.is_floating_point() else v for k, v in state.items()}  # fp16 -> 32
    model = CourseResNet(len(card["classes"]))
    model.load_state_dict(state)
    return Backbone(
        model=model.to(device).eval(),
        name="course-resnet (course checkpoint)",
        source="course",
        classes=tuple(card["classes"]),
        mean=tuple(card["mean"]),
        std=tuple(card["std"]),
        input_size=int(card["input_size"]),
        accuracy=float(card["validation"]["accuracy"]),
        held_out=tuple(card["held_out_classes"]),
        card=card,
    )


def _load_random(device: torch.device, seed: int) -> Backbone:
    """The course architecture with random (He-initialised) weights."""
    model = CourseResNet(len(CHECKPOINT_CLASSES), seed=seed)
    return Backbone(
        model=model.to(device).eval(),
        name=f"course-resnet (random weights, seed {seed})",
        source="random",
        classes=CHECKPOINT_CLASSES,
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        input_size=CHECKPOINT_INPUT_SIZE,
        accuracy=None,
        held_out=HELD_OUT_SHAPES,
    )


def _hub_file(url: str) -> Path:
    """Where torchvision's weights API keeps the file of ``url``: ``<hub dir>/checkpoints/<name>``
    (``$TORCH_HOME/hub/checkpoints``, by default ``~/.cache/torch/hub/checkpoints``)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / Path(urllib.parse.urlparse(url).path).name


def _reachable(url: str, timeout: float = _CONNECT_TIMEOUT) -> bool:
    """Whether a TCP connection to the server of ``url`` (or to the HTTPS proxy, if one is set)
    opens within ``timeout`` seconds. Runs in a thread, because a name lookup without a network
    can block far longer than any socket timeout."""
    proxy = os.environ.get("https_proxy") or os.environ.get("HTTPS_PROXY")
    target = urllib.parse.urlparse(proxy if proxy else url)
    host, port = target.hostname, target.port or (443 if target.scheme == "https" else 80)
    result: list[bool] = []

    def attempt() -> None:
        try:
            with socket.create_connection((host, port), timeout=timeout):
                result.append(True)
        except Exception:  # OSError mostly; whatever it is, the server is not usable
            result.append(False)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout)
    return bool(result and result[0])


def _imagenet_state_dict(weights, what: str, *, download: bool, verbose: bool) -> dict:
    """The state dict of torchvision ``weights`` from the hub cache, downloaded there if allowed
    and the server answers quickly. Raises :class:`WeightsUnavailableError` otherwise."""
    path = _hub_file(weights.url)
    how_to = (f"To get them, run once on a machine with a network "
              f"`python -c \"import torchvision; torchvision.models.{what}(weights='DEFAULT')\"` "
              f"and copy {path.name} into {path.parent} (or point TORCH_HOME at a folder whose "
              f"hub/checkpoints holds it; download URL {weights.url}).")
    if not path.exists():
        if offline_mode():
            reason = "offline mode (COURSE_OFFLINE=1)"
        elif not download:
            reason = "download=False"
        elif not _reachable(weights.url):
            host = urllib.parse.urlparse(weights.url).hostname
            reason = f"{host} cannot be reached (no network?)"
        else:
            reason = ""
        if reason:
            raise WeightsUnavailableError(
                f"ImageNet weights for {what} are not in the torch hub cache ({path}) and were "
                f"not downloaded: {reason}. {how_to}", reason=f"not cached, {reason}")
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(10.0)  # a stalled download fails instead of hanging
    try:
        return weights.get_state_dict(progress=verbose, check_hash=False)
    except Exception as error:  # URLError, timeouts, a truncated or corrupt file
        text = " ".join(f"{type(error).__name__}: {error}".split())[:300]
        action = ("the cached file looks damaged: delete it and retry. "
                  if path.exists() else "the download failed. ")
        raise WeightsUnavailableError(
            f"ImageNet weights for {what} could not be loaded from {path}: {text}; {action}"
            f"{how_to}", reason="cached file damaged" if path.exists() else "download failed"
        ) from None
    finally:
        socket.setdefaulttimeout(previous)


def _load_imagenet(device: torch.device, *, verbose: bool) -> Backbone:
    """torchvision's ResNet-18 with ``ResNet18_Weights.IMAGENET1K_V1``."""
    from torchvision.models import ResNet18_Weights, resnet18

    weights = ResNet18_Weights.IMAGENET1K_V1
    state = _imagenet_state_dict(weights, "resnet18", download=True, verbose=verbose)
    model = resnet18()  # the architecture only; the weights come from the (cached) file
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        raise WeightsUnavailableError(
            f"the file {_hub_file(weights.url)} does not hold ResNet-18 weights "
            f"({str(error).splitlines()[0]}); delete it so that it is downloaded again",
            reason="the cached file is not ResNet-18's") from None
    return Backbone(
        model=model.to(device).eval(),
        name="resnet18 (ImageNet, torchvision)",
        source="imagenet",
        classes=tuple(weights.meta["categories"]),
        mean=IMAGENET_MEAN,
        std=IMAGENET_STD,
        input_size=224,
        accuracy=None,
    )


def load_backbone(prefer: str = "auto", *, device: str | torch.device | None = None,
                  verbose: bool = True, seed: int = 0) -> Backbone:
    """The best pretrained backbone available here, saying in one line which one it is.

    Introduced in chapter 09; used in chapters 10-12. Never hangs without a network: the torch
    hub cache is checked first, and a download is tried only if the weights server answers a
    connection test within 2 seconds (never with ``COURSE_OFFLINE=1``).

    Args:
        prefer: ``"auto"`` (default): torchvision's ImageNet ResNet-18 if its weights are in the
            torch hub cache or can be downloaded, else the course checkpoint; never fails for
            lack of a network. ``"imagenet"``: the ImageNet ResNet-18 or a
            :class:`WeightsUnavailableError`. ``"course"``: the course checkpoint (shapes, 64 x 64).
            ``"random"``: the course architecture with random weights, for comparisons.
        device: where to put the model (default :func:`~course_utils.device.pick_device`).
        verbose: print :meth:`Backbone.describe` once (default True), and the download's
            progress bar if there is one.
        seed: the weights' seed for ``prefer="random"`` (default 0); unused otherwise.

    Returns:
        A :class:`Backbone` whose model is in eval mode on ``device``.

    Raises:
        ValueError: unknown ``prefer`` (the message lists the choices).
        WeightsUnavailableError: ``prefer="imagenet"`` and the weights are neither cached nor
            downloadable; the message says how to get them.
    """
    if not isinstance(prefer, str) or prefer.lower() not in BACKBONE_CHOICES:
        raise ValueError(f"unknown backbone {prefer!r}; choose one of "
                         f"{', '.join(map(repr, BACKBONE_CHOICES))}")
    prefer = prefer.lower()
    valid.flag("verbose", verbose)
    seed = valid.seed(seed)
    device = pick_device(device)
    if prefer == "imagenet":
        backbone = _load_imagenet(device, verbose=verbose)
    elif prefer == "course":
        backbone = _load_course(device)
    elif prefer == "random":
        backbone = _load_random(device, seed)
    else:  # auto
        try:
            backbone = _load_imagenet(device, verbose=verbose)
        except WeightsUnavailableError as error:  # the course checkpoint, saying why
            backbone = dataclasses.replace(_load_course(device),
                                           note=f"ImageNet weights {error.reason}")
    if verbose:
        print(backbone.describe())
    return backbone


def load_vgg19_features(*, device: str | torch.device | None = None, download: bool = True,
                        verbose: bool = True) -> nn.Sequential:
    """The convolutional part of torchvision's VGG-19 with ImageNet weights (chapter 12).

    Gatys et al. (2016, "Image style transfer using convolutional neural networks") take their
    content and style features from VGG-19's ``features``. The weights (548 MB) come from the
    torch hub cache, or are downloaded there when the server answers (never with
    ``COURSE_OFFLINE=1``). Without them chapter 12 falls back on ``load_backbone("course")``.

    Args:
        device: where to put the layers (default :func:`~course_utils.device.pick_device`).
        download: allow a download when the weights are not cached (default True).
        verbose: print one line saying what was loaded, and the download's progress bar.

    Returns:
        ``vgg19.features``: an ``nn.Sequential`` in eval mode, with ``requires_grad=False`` on
        every parameter (style transfer optimises the image, not the network). Its inputs are
        [0, 1] RGB images normalized with :data:`IMAGENET_MEAN` and :data:`IMAGENET_STD`.

    Raises:
        WeightsUnavailableError: the weights are neither cached nor downloadable.
    """
    from torchvision.models import VGG19_Weights, vgg19

    valid.flag("download", download)
    valid.flag("verbose", verbose)
    device = pick_device(device)
    weights = VGG19_Weights.IMAGENET1K_V1
    state = _imagenet_state_dict(weights, "vgg19", download=download, verbose=verbose)
    model = vgg19()
    try:
        model.load_state_dict(state)
    except RuntimeError as error:
        raise WeightsUnavailableError(
            f"the file {_hub_file(weights.url)} does not hold VGG-19 weights "
            f"({str(error).splitlines()[0]}); delete it so that it is downloaded again",
            reason="the cached file is not VGG-19's") from None
    features = model.features.to(device).eval()
    for parameter in features.parameters():
        parameter.requires_grad_(False)
    if verbose:
        print("VGG-19 features (ImageNet, torchvision): 20.02 M parameters, frozen, eval mode")
    return features
