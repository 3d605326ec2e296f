"""course_utils: the helpers shared by every chapter of *Deep Learning for Image Analysis*.

One job per module:

- ``device``: where to run (cuda > mps > cpu), seeding, the environment report, the fast and
  static switches;
- ``data``: the dataset class and offline sources (digits, scikit-image samples);
- ``shapes``: generated shapes with switchable nuisances;
- ``datasets``: torchvision's data sets, cached, with a clear error offline;
- ``validation``: the argument checks every module shares;
- ``models``: small reference models;
- ``pretrained``: pretrained backbones (ImageNet ResNet-18 or the course's own checkpoint);
- ``training``: the ``fit``/``evaluate`` loop and its ``History``;
- ``plots``: figures shared by several chapters;
- ``widgets``: hyperparameter explorers with a static fallback;
- ``checks``: the feedback used by the exercises' tests.

The names below are the public ones; ``checks`` and ``widgets`` are imported as modules by the
notebooks (``from course_utils.checks import check_close``).
"""

from .data import SAMPLE_IMAGES, DataSplits, ImageData, load_digits, sample_image
from .datasets import DatasetUnavailableError, load_torchvision
from .shapes import make_shapes
from .device import fast_mode, pick_device, report, seed_everything, static_mode
from .models import MLP, LinearClassifier, SmallCNN, count_parameters
from .pretrained import (
    HELD_OUT_SHAPES,
    Backbone,
    WeightsUnavailableError,
    load_backbone,
    load_vgg19_features,
)
from .plots import plot_history, show_images, small_multiples
from .training import History, evaluate, fit

__version__ = "0.1.0"

__all__ = [
    # device
    "pick_device",
    "seed_everything",
    "fast_mode",
    "static_mode",
    "report",
    # data
    "ImageData",
    "DataSplits",
    "DatasetUnavailableError",
    "SAMPLE_IMAGES",
    "load_digits",
    "sample_image",
    "make_shapes",
    "load_torchvision",
    # models
    "LinearClassifier",
    "MLP",
    "SmallCNN",
    "count_parameters",
    # pretrained backbones
    "Backbone",
    "load_backbone",
    "load_vgg19_features",
    "WeightsUnavailableError",
    "HELD_OUT_SHAPES",
    # training
    "fit",
    "evaluate",
    "History",
    # plots
    "plot_history",
    "show_images",
    "small_multiples",
]
