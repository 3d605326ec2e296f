"""Tests of course_utils.pretrained: the shipped course checkpoint, the script that trains it,
the choice of backbone with and without ImageNet weights, and the Backbone's preprocessing.

Nothing here touches the network: ``COURSE_OFFLINE=1`` is set for every test, socket
connections are refused, and the ImageNet path is exercised against a random ResNet-18 state
dict saved under the exact file name torchvision expects, in a temporary torch hub cache.
"""

from __future__ import annotations

import hashlib
import re
import socket
import threading
import time
from pathlib import Path

import pytest
import torch
from torch import nn

import course_utils
from course_utils import pretrained
from course_utils.pretrained import (
    BACKBONE_CHOICES,
    CHECKPOINT_CLASSES,
    HELD_OUT_SHAPES,
    IMAGENET_MEAN,
    IMAGENET_STD,
    Backbone,
    CourseResNet,
    WeightsUnavailableError,
    checkpoint_card,
    checkpoint_data,
    load_backbone,
    load_vgg19_features,
)
from course_utils.shapes import SHAPES

RESNET_ATTRIBUTES = ("conv1", "bn1", "relu", "maxpool", "layer1", "layer2", "layer3", "layer4",
                     "avgpool", "fc")
CHECKPOINT_DIR = Path(pretrained.__file__).parent / "checkpoints"
FAST_FRACTION = 0.25  # `--fast` must reach a quarter of the shipped accuracy (3x chance, 1/12)


@pytest.fixture(autouse=True)
def offline(monkeypatch, tmp_path):
    """No network and an empty torch hub cache, unless a test says otherwise."""
    monkeypatch.setenv("COURSE_OFFLINE", "1")
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch_home"))


@pytest.fixture
def no_network(monkeypatch):
    """Make every attempt to open a network connection fail loudly."""

    def refuse(*args, **kwargs):
        raise AssertionError("this code tried to use the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def imagenet_cache(tmp_path, monkeypatch) -> dict:
    """A torch hub cache holding a random ResNet-18 state dict as torchvision's resnet18 file."""
    from torchvision.models import ResNet18_Weights, resnet18

    home = tmp_path / "hub_home"
    monkeypatch.setenv("TORCH_HOME", str(home))
    path = home / "hub" / "checkpoints" / Path(ResNet18_Weights.IMAGENET1K_V1.url).name
    path.parent.mkdir(parents=True)
    torch.manual_seed(5)
    state = resnet18().state_dict()
    torch.save(state, path)
    return {"path": path, "state": state}


def validation_recipe(card: dict) -> tuple[int, int]:
    """(n_per_class, seed) of the validation data named in the card."""
    match = re.search(r"checkpoint_data\((\d+), seed=(\d+)\)", card["validation"]["data"])
    assert match, card["validation"]["data"]
    return int(match.group(1)), int(match.group(2))


# ----------------------------------------------------------------------------------------------
# The shipped checkpoint and its card
# ----------------------------------------------------------------------------------------------


def test_checkpoint_matches_its_card():
    """Is the shipped file the one the card describes (SHA-256, size, classes, recipe)?"""
    card = checkpoint_card()
    weights = CHECKPOINT_DIR / card["file"]
    assert hashlib.sha256(weights.read_bytes()).hexdigest() == card["sha256"]
    assert weights.stat().st_size == card["size_bytes"] < 3_000_000  # "a few MB at most"
    assert tuple(card["classes"]) == CHECKPOINT_CLASSES
    assert tuple(card["held_out_classes"]) == HELD_OUT_SHAPES
    assert set(CHECKPOINT_CLASSES) | set(HELD_OUT_SHAPES) == set(SHAPES)
    assert not set(CHECKPOINT_CLASSES) & set(HELD_OUT_SHAPES)
    assert card["input_size"] == 64 and tuple(card["mean"]) == IMAGENET_MEAN
    assert card["training"]["command"].startswith("python -m tools.train_checkpoint")
    assert not card["training"]["fast"] and card["torch"]
    assert 0.5 < card["validation"]["accuracy"] <= 1
    markdown = (CHECKPOINT_DIR / "course_resnet.md").read_text()
    assert card["sha256"] in markdown and f"{card['validation']['accuracy']:.1%}" in markdown


def test_checkpoint_loads_with_the_recorded_accuracy(no_network):
    """Does the shipped checkpoint load offline and score its recorded validation accuracy on
    its validation data, regenerated here?"""
    backbone = load_backbone("course", device="cpu", verbose=False)
    card = checkpoint_card()
    n_per_class, seed = validation_recipe(card)
    val = checkpoint_data(n_per_class, seed=seed)
    assert len(val) == card["validation"]["images"]
    images, labels = val.tensors
    with torch.no_grad():
        predictions = torch.cat([backbone.model(backbone.normalize(images[i:i + 400])).argmax(1)
                                 for i in range(0, len(val), 400)])
    accuracy = (predictions == labels).float().mean().item()
    assert accuracy == pytest.approx(card["validation"]["accuracy"], abs=0.01)
    assert backbone.accuracy == card["validation"]["accuracy"]


def test_checkpoint_is_damaged(monkeypatch):
    """Does a checkpoint whose SHA-256 differs from its card fail, saying what to do?"""
    card = dict(checkpoint_card(), sha256="0" * 64)
    monkeypatch.setattr(pretrained, "checkpoint_card", lambda: card)
    with pytest.raises(RuntimeError, match=r"damaged or was replaced.*tools\.train_checkpoint"):
        load_backbone("course", device="cpu", verbose=False)


@pytest.mark.slow
def test_training_script_reproduces_in_fast_mode(tmp_path):
    """Does `python -m tools.train_checkpoint --fast` write a loadable checkpoint and card that
    reach at least FAST_FRACTION of the shipped accuracy? (About 2 minutes on a 2-core CPU.)"""
    from tools import train_checkpoint

    card = train_checkpoint.train(train_checkpoint.parse_args(["--fast", "--out", str(tmp_path)]))
    shipped = checkpoint_card()
    assert card["training"]["fast"] and card["training"]["command"].endswith("--fast")
    assert (tmp_path / "course_resnet.pt").exists() and (tmp_path / "course_resnet.md").exists()
    weights = (tmp_path / "course_resnet.pt").read_bytes()
    assert hashlib.sha256(weights).hexdigest() == card["sha256"]
    assert card["validation"]["accuracy"] >= FAST_FRACTION * shipped["validation"]["accuracy"], (
        f"--fast reached {card['validation']['accuracy']:.1%}, less than {FAST_FRACTION:.0%} of "
        f"the shipped {shipped['validation']['accuracy']:.1%}")


def test_checkpoint_data_is_balanced_seeded_and_cluttered():
    """Is checkpoint_data (N, 3, 64, 64) in [0, 1], exactly balanced, seeded, with colour and
    gray images?"""
    data = checkpoint_data(13, seed=4)
    assert data.images.shape == (13 * 12, 3, 64, 64) and data.classes == CHECKPOINT_CLASSES
    assert set(data.class_counts().values()) == {13}
    assert data.images.min() >= 0 and data.images.max() <= 1
    assert torch.equal(checkpoint_data(13, seed=4).images, data.images)
    assert not torch.equal(checkpoint_data(13, seed=5).images, data.images)
    gray = (data.images[:, 0] == data.images[:, 1]).flatten(1).all(dim=1)
    assert 0.3 < gray.float().mean() < 0.7  # half gray, half colour
    held_out = checkpoint_data(2, seed=0, classes=HELD_OUT_SHAPES, size=32)
    assert held_out.images.shape == (8, 3, 32, 32) and held_out.classes == HELD_OUT_SHAPES


# ----------------------------------------------------------------------------------------------
# The architecture
# ----------------------------------------------------------------------------------------------


def test_course_resnet_has_torchvision_attributes_and_shapes():
    """Does CourseResNet have torchvision's ResNet attribute names and the documented shapes?"""
    model = CourseResNet(seed=0).eval()
    for name in RESNET_ATTRIBUTES:
        assert isinstance(getattr(model, name), nn.Module), name
    x = torch.rand(2, 3, 64, 64)
    with torch.no_grad():
        stem = model.maxpool(model.relu(model.bn1(model.conv1(x))))
        shapes = [tuple(stem.shape)]
        for layer in (model.layer1, model.layer2, model.layer3, model.layer4):
            stem = layer(stem)
            shapes.append(tuple(stem.shape))
        assert shapes == [(2, 16, 32, 32), (2, 16, 32, 32), (2, 32, 16, 16), (2, 64, 8, 8),
                          (2, 128, 4, 4)]
        assert model(x).shape == (2, 12)
        assert model(torch.rand(1, 3, 128, 128)).shape == (1, 12)  # global pooling: any size
    assert 200_000 < sum(p.numel() for p in model.parameters()) < 500_000


def test_course_resnet_is_seeded_and_checks_its_input():
    """Is CourseResNet seeded without touching the global generator, and does it say how to
    feed it when given gray or unbatched images?"""
    state = torch.get_rng_state()
    a, b = CourseResNet(seed=3), CourseResNet(seed=3)
    assert torch.equal(torch.get_rng_state(), state)
    assert torch.equal(a.conv1.weight, b.conv1.weight)
    assert not torch.equal(CourseResNet(seed=4).conv1.weight, a.conv1.weight)
    with pytest.raises(ValueError, match=r"\(N, 3, H, W\).*\(2, 1, 64, 64\).*normalize"):
        a(torch.rand(2, 1, 64, 64))
    with pytest.raises(ValueError, match=r"widths"):
        CourseResNet(widths=(8, 16))


# ----------------------------------------------------------------------------------------------
# Choosing the backbone
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("prefer", ["course", "random"])
def test_course_and_random_backbones(prefer, no_network, capsys):
    """Do "course" and "random" give the course architecture in eval mode, with its classes,
    ImageNet normalization, a one-line description, and pretrained vs random weights?"""
    backbone = load_backbone(prefer, device="cpu")
    printed = capsys.readouterr().out
    assert printed == backbone.describe() + "\n" and "\n" not in backbone.describe()
    assert backbone.source == prefer and not backbone.model.training
    assert backbone.classes == CHECKPOINT_CLASSES and backbone.held_out == HELD_OUT_SHAPES
    assert backbone.input_size == 64 and backbone.feature_dim == 128
    assert (backbone.mean, backbone.std) == (IMAGENET_MEAN, IMAGENET_STD)
    assert backbone.device == torch.device("cpu")
    for name in RESNET_ATTRIBUTES:
        assert hasattr(backbone.model, name)
    if prefer == "course":
        assert backbone.name == "course-resnet (course checkpoint)"
        assert f"{backbone.accuracy:.1%}" in printed and "heart" in printed
    else:
        assert backbone.accuracy is None and "random weights" in printed
        course = load_backbone("course", device="cpu", verbose=False)
        assert not torch.equal(course.model.conv1.weight, backbone.model.conv1.weight)
        again = load_backbone("random", device="cpu", verbose=False)
        assert torch.equal(again.model.conv1.weight, backbone.model.conv1.weight)


def test_auto_falls_back_to_the_course_checkpoint_offline(no_network, capsys):
    """Without cached ImageNet weights and with COURSE_OFFLINE=1, does "auto" quietly take the
    course checkpoint, say so in its one line, and never touch the network?"""
    backbone = load_backbone()
    line = capsys.readouterr().out.strip()
    assert backbone.source == "course" and "offline" in line and "\n" not in line
    assert "course checkpoint" in line


def test_imagenet_offline_raises_a_clear_error(no_network):
    """Does "imagenet" without cached weights say where the file belongs and how to get it?"""
    with pytest.raises(WeightsUnavailableError) as error:
        load_backbone("imagenet", device="cpu", verbose=False)
    message = str(error.value)
    for part in ["resnet18-f37072fd.pth", "hub", "checkpoints", "offline mode (COURSE_OFFLINE=1)",
                 "torchvision.models.resnet18(weights='DEFAULT')", "TORCH_HOME"]:
        assert part in message, part


def test_imagenet_from_the_hub_cache(imagenet_cache, no_network, capsys):
    """With resnet18's file in the torch hub cache, do "auto" and "imagenet" load it through
    torchvision's weights API, offline, with ImageNet's classes and preprocessing?"""
    for prefer in ("auto", "imagenet"):
        backbone = load_backbone(prefer, device="cpu")
        line = capsys.readouterr().out.strip()
        assert backbone.source == "imagenet" and backbone.name == "resnet18 (ImageNet, torchvision)"
        assert line == backbone.describe() and "ImageNet" in line and "\n" not in line
        assert len(backbone.classes) == 1000 and backbone.classes[0] == "tench"
        assert backbone.input_size == 224 and backbone.accuracy is None
        assert backbone.feature_dim == 512 and not backbone.model.training
        loaded = backbone.model.state_dict()
        assert all(torch.equal(loaded[k], v) for k, v in imagenet_cache["state"].items())


def test_auto_tries_a_download_only_when_the_server_answers(monkeypatch):
    """Without cached weights and without COURSE_OFFLINE: is a download tried only after a
    quick connection test succeeds, and does a failed download fall back (auto) or explain
    itself (imagenet)?"""
    import torchvision.models._api as weights_api

    monkeypatch.delenv("COURSE_OFFLINE")
    attempts = []

    def fail_download(url, *args, **kwargs):
        attempts.append(url)
        raise OSError("connection reset")

    monkeypatch.setattr(weights_api, "load_state_dict_from_url", fail_download)
    monkeypatch.setattr(pretrained, "_reachable", lambda url, timeout=2.0: False)
    assert load_backbone("auto", device="cpu", verbose=False).source == "course"
    with pytest.raises(WeightsUnavailableError, match=r"cannot be reached"):
        load_backbone("imagenet", device="cpu", verbose=False)
    assert attempts == []  # unreachable: no download attempted

    monkeypatch.setattr(pretrained, "_reachable", lambda url, timeout=2.0: True)
    assert load_backbone("auto", device="cpu", verbose=False).source == "course"
    with pytest.raises(WeightsUnavailableError, match=r"connection reset; the download failed"):
        load_backbone("imagenet", device="cpu", verbose=False)
    assert attempts and attempts[0].endswith("resnet18-f37072fd.pth")


def test_download_goes_into_the_hub_cache(tmp_path, monkeypatch):
    """When the file is not cached and the server answers, is it downloaded through torch's hub
    code into the hub cache, and read from there afterwards without a network? (The server is a
    local one standing in for download.pytorch.org.)"""
    import functools
    import http.server

    from torchvision.models import ResNet18_Weights

    monkeypatch.delenv("COURSE_OFFLINE")
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    served = tmp_path / "served"
    served.mkdir()
    state = {"weight": torch.arange(6.0)}
    torch.save(state, served / "resnet18-f37072fd.pth")

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(served)))
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()

    class LocalWeights:  # ResNet18_Weights' get_state_dict, with the URL of the local server
        url = f"http://127.0.0.1:{server.server_port}/resnet18-f37072fd.pth"

        def get_state_dict(self, *args, **kwargs):
            return ResNet18_Weights.get_state_dict(self, *args, **kwargs)

    try:
        loaded = pretrained._imagenet_state_dict(LocalWeights(), "resnet18", download=True,
                                                 verbose=False)
    finally:
        server.shutdown()
        server.server_close()
    assert torch.equal(loaded["weight"], state["weight"])
    cached = Path(torch.hub.get_dir()) / "checkpoints" / "resnet18-f37072fd.pth"
    assert cached.exists() and str(tmp_path / "torch_home") in str(cached)
    monkeypatch.setenv("COURSE_OFFLINE", "1")  # now offline: read from the cache
    again = pretrained._imagenet_state_dict(LocalWeights(), "resnet18", download=True,
                                            verbose=False)
    assert torch.equal(again["weight"], state["weight"])


def test_a_damaged_cache_file(imagenet_cache, no_network):
    """Does a truncated or foreign file in the cache give a clear error ("imagenet") and the
    course checkpoint ("auto")?"""
    path = imagenet_cache["path"]
    path.write_bytes(path.read_bytes()[:1000])  # truncated
    with pytest.raises(WeightsUnavailableError, match=r"damaged: delete it"):
        load_backbone("imagenet", device="cpu", verbose=False)
    assert load_backbone("auto", device="cpu", verbose=False).source == "course"
    torch.save({"weight": torch.zeros(3)}, path)  # a file that is not ResNet-18's
    with pytest.raises(WeightsUnavailableError, match=r"does not hold ResNet-18 weights"):
        load_backbone("imagenet", device="cpu", verbose=False)


def test_reachable_never_hangs(monkeypatch):
    """Does the connection test answer within its timeout, even if the name lookup hangs, and
    tell an open port from a closed one?"""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    monkeypatch.delenv("https_proxy", raising=False)
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    try:
        assert pretrained._reachable(f"http://127.0.0.1:{port}/x.pth", timeout=2.0)
    finally:
        listener.close()
    assert not pretrained._reachable(f"http://127.0.0.1:{port}/x.pth", timeout=2.0)

    release = threading.Event()

    def hang(*args, **kwargs):  # a name lookup that takes forever without a network
        release.wait(30)
        raise OSError("no network")

    monkeypatch.setattr(socket, "create_connection", hang)
    start = time.perf_counter()
    assert not pretrained._reachable("https://download.pytorch.org/models/x.pth", timeout=0.3)
    assert time.perf_counter() - start < 2.0
    release.set()


def test_vgg19_offline_raises_a_clear_error(no_network):
    """Does load_vgg19_features without cached weights raise the course error naming the file?"""
    with pytest.raises(WeightsUnavailableError, match=r"vgg19-dcbb9e9d\.pth.*COURSE_OFFLINE"):
        load_vgg19_features(device="cpu", verbose=False)


@pytest.mark.parametrize("prefer, error, match", [
    ("resnet50", ValueError, r"'resnet50'.*'auto', 'imagenet', 'course', 'random'"),
    (None, ValueError, r"unknown backbone None"),
])
def test_load_backbone_rejects_unknown_choices(prefer, error, match):
    """Does an unknown choice list the valid ones?"""
    with pytest.raises(error, match=match):
        load_backbone(prefer, device="cpu", verbose=False)
    assert BACKBONE_CHOICES == ("auto", "imagenet", "course", "random")


def test_exported_from_the_package():
    """Are the public names importable from course_utils itself?"""
    for name in ["Backbone", "load_backbone", "load_vgg19_features", "WeightsUnavailableError",
                 "HELD_OUT_SHAPES"]:
        assert name in course_utils.__all__ and hasattr(course_utils, name)


# ----------------------------------------------------------------------------------------------
# Backbone.normalize, prepare, describe
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def course_backbone() -> Backbone:
    return load_backbone("course", device="cpu", verbose=False)


def test_normalize_gray_and_colour(course_backbone):
    """Does normalize subtract the mean and divide by the std per channel, turn gray images
    into three equal channels, and keep gradients?"""
    colour = torch.rand(2, 3, 8, 8, requires_grad=True)
    out = course_backbone.normalize(colour)
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    assert torch.allclose(out, (colour - mean) / std)
    out.sum().backward()
    assert colour.grad is not None and torch.allclose(colour.grad, (1 / std).expand(2, 3, 8, 8))
    gray = torch.rand(2, 1, 8, 8)
    assert torch.allclose(course_backbone.normalize(gray),
                          course_backbone.normalize(gray.expand(-1, 3, -1, -1)))
    assert course_backbone.normalize(gray.double()).dtype == torch.float64


@pytest.mark.parametrize("images, error, match", [
    ("not a tensor", TypeError, r"torch\.Tensor.*got str"),
    (torch.zeros(2, 3, 8, 8, dtype=torch.uint8), TypeError, r"torch\.uint8.*float\(\) / 255"),
    (torch.rand(3, 8, 8), ValueError, r"got shape \(3, 8, 8\).*unsqueeze\(0\)"),
    (torch.rand(2, 2, 8, 8), ValueError,
     r"\(N, 1, H, W\) or \(N, 3, H, W\), got shape \(2, 2, 8, 8\)"),
    (torch.rand(2, 8, 8, 3), ValueError, r"got shape \(2, 8, 8, 3\)"),
    (torch.full((1, 3, 4, 4), 255.0), ValueError,
     r"\[0, 1\], got values in \[255, 255\].*0\.\.255"),
    (torch.full((1, 3, 4, 4), -2.0), ValueError, r"normalized already"),
])
def test_normalize_rejects_bad_images(course_backbone, images, error, match):
    """Does normalize name the received type, dtype, shape or value range and the fix?"""
    with pytest.raises(error, match=match):
        course_backbone.normalize(images)


def test_normalize_range_check_can_be_switched_off(course_backbone):
    """Can images being optimised (style transfer) step outside [0, 1] with check_range=False?"""
    images = torch.full((1, 3, 4, 4), 1.2)
    assert course_backbone.normalize(images, check_range=False).shape == (1, 3, 4, 4)


def test_prepare_resizes_then_normalizes(course_backbone):
    """Does prepare bring 32 x 32 gray shapes to the backbone's 64 x 64 RGB input?"""
    images = torch.rand(4, 1, 32, 32)
    out = course_backbone.prepare(images)
    assert out.shape == (4, 3, 64, 64)
    assert course_backbone.prepare(images, size=32).shape == (4, 3, 32, 32)
    assert torch.allclose(course_backbone.prepare(images, size=32),
                          course_backbone.normalize(images))


def test_describe_is_one_line_for_every_source(course_backbone):
    """Is describe() one line that names the backbone, its source and its accuracy, whatever
    the note says?"""
    line = course_backbone.describe()
    assert "\n" not in line and str(course_backbone) == line
    assert "course-resnet" in line and "12 generated shape classes" in line
    assert f"{course_backbone.accuracy:.1%}" in line and "1200 images" in line
    import dataclasses

    noted = dataclasses.replace(course_backbone, note="two\nlines")
    assert "\n" not in noted.describe() and "two lines" in noted.describe()
