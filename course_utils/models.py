"""Small reference models, each named after the chapter that introduces it.

- :class:`LinearClassifier` (chapter 01): class scores ``s = W x + b`` of the flattened input.
- :class:`MLP` (chapters 03 and 04): fully connected layers with a choice of activation, and the
  batch normalisation (chapter 05) and dropout (chapter 06) switches.
- :class:`SmallCNN` (chapter 07): two convolution-ReLU-max-pool blocks and a linear classifier,
  in the spirit of LeNet (LeCun et al., 1998, "Gradient-based learning applied to document
  recognition").

Every model takes ``seed``: when given, its weights are drawn from a generator seeded with it,
and torch's global random state is left as it was. Without it, weights come from the global
generator, as in plain PyTorch.
"""

from __future__ import annotations

import contextlib
import math
import numbers
from collections.abc import Sequence

import torch
from torch import Tensor, nn
from . import validation as valid

__all__ = ["ACTIVATIONS", "LinearClassifier", "MLP", "SmallCNN", "count_parameters"]

_ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "leaky_relu": nn.LeakyReLU,
    "gelu": nn.GELU,
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "identity": nn.Identity,
}
ACTIVATIONS = tuple(_ACTIVATIONS)
"""The names :class:`MLP` accepts for ``activation``."""


class LinearClassifier(nn.Module):
    """A linear classifier on flattened inputs: scores ``s = W x + b`` (chapter 01).

    Args:
        in_features: numbers per sample, e.g. 784 for (1, 28, 28) images.
        num_classes: number of scores per sample.
        seed: seed for the initial weights; None (default) uses torch's global generator.

    Shapes: (N, ...) with ``in_features`` numbers per sample -> (N, num_classes).
    """

    def __init__(self, in_features: int, num_classes: int, *, seed: int | None = None):
        super().__init__()
        valid.positive_int("in_features", in_features)
        valid.positive_int("num_classes", num_classes)
        self.in_features = in_features
        with _seeded(seed):
            self.linear = nn.Linear(in_features, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        x = _flatten(x, self.in_features, self)  # (N, ...) -> (N, in_features)
        return self.linear(x)  # (N, num_classes)


class MLP(nn.Module):
    """A multi-layer perceptron on flattened inputs (chapters 03 and 04).

    Each hidden layer is Linear -> [BatchNorm1d] -> activation -> [Dropout]; a final Linear gives
    the scores. With ``batch_norm`` the hidden Linear layers have no bias, since batch norm's own
    shift replaces it (Ioffe and Szegedy, 2015).

    Args:
        in_features: numbers per sample, e.g. 784 for (1, 28, 28) images.
        hidden: widths of the hidden layers, e.g. ``[256, 128]``; ``[]`` is a linear classifier.
        num_classes: number of scores per sample.
        activation: one of :data:`ACTIVATIONS` (default "relu").
        batch_norm: batch normalisation after each hidden Linear (default False; chapter 05).
        dropout: probability of zeroing a hidden unit during training, in [0, 1) (default 0.0;
            chapter 06).
        seed: seed for the initial weights; None (default) uses torch's global generator.

    Shapes: (N, ...) with ``in_features`` numbers per sample -> (N, num_classes).
    """

    def __init__(self, in_features: int, hidden: Sequence[int], num_classes: int, *,
                 activation: str = "relu", batch_norm: bool = False, dropout: float = 0.0,
                 seed: int | None = None):
        super().__init__()
        valid.positive_int("in_features", in_features)
        valid.positive_int("num_classes", num_classes)
        if isinstance(hidden, (str, bytes)) or not isinstance(hidden, Sequence):
            raise TypeError(f"hidden must be a sequence of layer widths such as [256, 128], "
                            f"got {hidden!r}")
        for width in hidden:
            valid.positive_int("each hidden width", width)
        if activation not in _ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; "
                             f"choose one of {', '.join(ACTIVATIONS)}")
        is_number = isinstance(dropout, numbers.Real) and not isinstance(dropout, bool)
        if not (is_number and 0 <= dropout < 1):
            raise ValueError(f"dropout must be a probability in [0, 1), got {dropout!r}")
        self.in_features = in_features
        layers: list[nn.Module] = []
        widths = [in_features, *hidden]
        with _seeded(seed):
            for n_in, n_out in zip(widths, widths[1:]):
                # (N, n_in) -> (N, n_out); with batch norm, its shift replaces the bias
                layers.append(nn.Linear(n_in, n_out, bias=not batch_norm))
                if batch_norm:
                    layers.append(nn.BatchNorm1d(n_out))
                layers.append(_ACTIVATIONS[activation]())
                if dropout > 0:
                    layers.append(nn.Dropout(dropout))
            layers.append(nn.Linear(widths[-1], num_classes))  # (N, hidden[-1]) -> (N, num_classes)
        self.layers = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        x = _flatten(x, self.in_features, self)  # (N, ...) -> (N, in_features)
        return self.layers(x)  # (N, num_classes)


class SmallCNN(nn.Module):
    """Two convolution-ReLU-max-pool blocks, then a linear classifier (chapter 07).

    Args:
        in_channels: channels of the input images (default 1; 3 for colour).
        num_classes: number of scores per sample (default 10).
        width: channels of the first convolution; the second has twice as many (default 16).
        image_size: height and width of the inputs, an int or (H, W) (default 28); sets the size
            of the final linear layer. Each side must be at least 4.
        seed: seed for the initial weights; None (default) uses torch's global generator.

    Shapes: (N, in_channels, H, W) -> (N, num_classes).
    """

    def __init__(self, in_channels: int = 1, num_classes: int = 10, *, width: int = 16,
                 image_size: int | tuple[int, int] = 28, seed: int | None = None):
        super().__init__()
        valid.positive_int("in_channels", in_channels)
        valid.positive_int("num_classes", num_classes)
        valid.positive_int("width", width)
        size = (image_size, image_size) if isinstance(image_size, numbers.Integral) else image_size
        if not (isinstance(size, Sequence) and len(size) == 2 and all(
                isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 4
                for s in size)):
            raise ValueError(f"image_size must be an int or (H, W) of ints, each at least 4; "
                             f"got {image_size!r}")
        h, w = int(size[0]), int(size[1])
        self.input_shape = (in_channels, h, w)
        with _seeded(seed):
            self.features = nn.Sequential(
                # (N, in_channels, H, W) -> (N, width, H, W)
                nn.Conv2d(in_channels, width, kernel_size=3, padding=1),
                nn.ReLU(),
                nn.MaxPool2d(2),  # -> (N, width, H/2, W/2), rounded down
                nn.Conv2d(width, 2 * width, kernel_size=3, padding=1),  # -> (N, 2 width, H/2, W/2)
                nn.ReLU(),
                nn.MaxPool2d(2),  # -> (N, 2 width, H/4, W/4)
            )
            flat = 2 * width * (h // 4) * (w // 4)  # each pooling halves H and W, rounding down
            # (N, 2 width * H/4 * W/4) -> (N, num_classes)
            self.classifier = nn.Linear(flat, num_classes)

    def forward(self, x: Tensor) -> Tensor:
        if x.ndim != 4 or tuple(x.shape[1:]) != self.input_shape:
            expected = ", ".join(map(str, self.input_shape))
            raise ValueError(f"SmallCNN expects images (N, {expected}); got shape "
                             f"{tuple(x.shape)}. Set in_channels and image_size to match, or add "
                             f"a batch dimension with x.unsqueeze(0)")
        x = self.features(x)  # (N, 2 width, H/4, W/4)
        return self.classifier(x.flatten(1))  # (N, num_classes)


def count_parameters(model: nn.Module, *, trainable_only: bool = False) -> int:
    """The number of numbers in the model's parameters (chapter 01).

    Args:
        model: any ``nn.Module``.
        trainable_only: count only parameters with ``requires_grad`` (frozen layers, chapter 09).
    """
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    return sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only)


def _flatten(x: Tensor, in_features: int, model: nn.Module) -> Tensor:
    """(N, ...) -> (N, in_features), with an error that names the shape when it does not fit."""
    if x.ndim < 2 or math.prod(x.shape[1:]) != in_features:
        raise ValueError(f"{type(model).__name__} expects a batch (N, ...) of {in_features} "
                         f"numbers per sample; got shape {tuple(x.shape)}. Set in_features to "
                         f"match, or add a batch dimension with x.unsqueeze(0)")
    return x.flatten(1)


@contextlib.contextmanager
def _seeded(seed: int | None):
    """Draw weights created in the block from ``seed``; leave the global generator as it was."""
    if seed is None:
        yield
        return
    valid.seed(seed, allow_none=True)
    with torch.random.fork_rng(devices=[]):
        torch.default_generator.manual_seed(int(seed))
        yield

