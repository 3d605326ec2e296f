"""Tests of course_utils.models: shapes, parameter counts, seeded initialisation, errors."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from course_utils.models import ACTIVATIONS, MLP, LinearClassifier, SmallCNN, count_parameters


@pytest.mark.parametrize(
    ("model", "x_shape", "out_shape"),
    [
        (LinearClassifier(64, 10), (5, 64), (5, 10)),
        (LinearClassifier(64, 10), (5, 1, 8, 8), (5, 10)),
        (LinearClassifier(3 * 4 * 4, 2), (1, 3, 4, 4), (1, 2)),
        (MLP(784, [32, 16], 10), (3, 1, 28, 28), (3, 10)),
        (MLP(784, [], 10), (3, 784), (3, 10)),
        (MLP(20, [8], 4, batch_norm=True, dropout=0.5), (6, 20), (6, 4)),
        (SmallCNN(), (2, 1, 28, 28), (2, 10)),
        (SmallCNN(3, 5, width=4, image_size=32), (2, 3, 32, 32), (2, 5)),
        (SmallCNN(1, 3, width=2, image_size=(30, 13)), (4, 1, 30, 13), (4, 3)),
    ],
)
def test_output_shapes(model, x_shape, out_shape):
    """Does each model map a batch of inputs to one row of scores per sample?"""
    assert model(torch.rand(x_shape)).shape == out_shape


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (LinearClassifier(64, 10), 64 * 10 + 10),  # 650
        # 235146
        (MLP(784, [256, 128], 10), (784 * 256 + 256) + (256 * 128 + 128) + (128 * 10 + 10)),
        # with batch norm: no bias in the hidden Linear layers, a scale and a shift per unit
        (MLP(784, [256, 128], 10, batch_norm=True),
         (784 * 256 + 2 * 256) + (256 * 128 + 2 * 128) + (128 * 10 + 10)),
        # conv 1->16 (3x3), conv 16->32 (3x3), linear 32*7*7 -> 10
        (SmallCNN(), (1 * 16 * 9 + 16) + (16 * 32 * 9 + 32) + (32 * 7 * 7 * 10 + 10)),  # 20490
        (SmallCNN(3, 10, width=8, image_size=32),
         (3 * 8 * 9 + 8) + (8 * 16 * 9 + 16) + (16 * 8 * 8 * 10 + 10)),
    ],
)
def test_parameter_counts_by_hand(model, expected):
    """Does count_parameters agree with the count worked out by hand?"""
    assert count_parameters(model) == expected


def test_count_trainable_parameters_only():
    """Does trainable_only leave out frozen parameters (chapter 09)?"""
    model = MLP(10, [5], 2)
    model.layers[0].requires_grad_(False)  # 10 * 5 + 5 = 55 frozen
    assert count_parameters(model) == 55 + 12
    assert count_parameters(model, trainable_only=True) == 12


@pytest.mark.parametrize("factory", [
    lambda seed: LinearClassifier(8, 3, seed=seed),
    lambda seed: MLP(8, [6, 4], 3, batch_norm=True, seed=seed),
    lambda seed: SmallCNN(1, 3, width=2, image_size=8, seed=seed),
])
def test_seeded_init_is_reproducible_and_leaves_global_rng(factory):
    """Does the same seed give the same weights, another seed others, and the global RNG stay?"""
    state = torch.get_rng_state()
    first, second, other = factory(0), factory(0), factory(1)
    assert torch.equal(torch.get_rng_state(), state)
    for name, value in first.state_dict().items():
        assert torch.equal(value, second.state_dict()[name]), name
    weights = [p for p in first.parameters() if p.ndim > 1]
    others = [p for p in other.parameters() if p.ndim > 1]
    assert not any(torch.equal(a, c) for a, c in zip(weights, others))


def test_unseeded_init_uses_global_rng():
    """Without a seed, do the weights follow torch.manual_seed, as in plain PyTorch?"""
    torch.manual_seed(3)
    a = LinearClassifier(4, 2)
    torch.manual_seed(3)
    b = LinearClassifier(4, 2)
    assert torch.equal(a.linear.weight, b.linear.weight)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_activation_builds(activation):
    """Does MLP build and run with every activation it lists?"""
    assert MLP(4, [3], 2, activation=activation)(torch.rand(2, 4)).shape == (2, 2)


def test_mlp_layers_follow_the_switches():
    """Do batch_norm and dropout add BatchNorm1d and Dropout to each hidden layer, and does
    dropout act in training only?"""
    model = MLP(10, [8, 8], 3, batch_norm=True, dropout=0.5, seed=0)
    kinds = [type(layer) for layer in model.layers]
    assert kinds == [nn.Linear, nn.BatchNorm1d, nn.ReLU, nn.Dropout] * 2 + [nn.Linear]
    x = torch.rand(16, 10)
    model.eval()
    assert torch.equal(model(x), model(x))
    model.train()
    assert not torch.equal(model(x), model(x))


@pytest.mark.parametrize(
    ("make", "error", "match"),
    [
        (lambda: MLP(4, [3], 2, activation="relux"), ValueError,
         "unknown activation 'relux'; choose one of relu, leaky_relu, gelu, tanh, sigmoid, "
         "identity"),
        (lambda: MLP(4, [3], 2, dropout=1.0), ValueError,
         r"dropout must be a probability in \[0, 1\), got 1.0"),
        (lambda: MLP(4, "32", 2), TypeError, "hidden must be a sequence .* got '32'"),
        (lambda: MLP(4, [3, 0], 2), ValueError,
         "each hidden width must be a positive integer, got 0"),
        (lambda: LinearClassifier(0, 2), ValueError,
         "in_features must be a positive integer, got 0"),
        (lambda: LinearClassifier(4, 2.5), TypeError,
         "num_classes must be a positive integer, got 2.5"),
        (lambda: LinearClassifier(4, 2, seed=-1), ValueError,
         "seed must be a non-negative integer or None, got -1"),
        (lambda: SmallCNN(image_size=3), ValueError, "image_size .* at least 4; got 3"),
        (lambda: SmallCNN(image_size=(28,)), ValueError, r"image_size .* got \(28,\)"),
        (lambda: SmallCNN(width=0), ValueError, "width must be a positive integer, got 0"),
        (lambda: count_parameters("model"), TypeError, "model must be a torch.nn.Module, got str"),
    ],
)
def test_bad_arguments_name_the_value(make, error, match):
    """Does each bad argument raise an error naming it, its value and, for strings, the choices?"""
    with pytest.raises(error, match=match):
        make()


def test_wrong_input_shapes_are_explained():
    """Does a wrong input shape raise an error with the expected and the received shape?"""
    expected = r"LinearClassifier expects .* 64 numbers per sample; got shape \(5, 1, 28, 28\)"
    with pytest.raises(ValueError, match=expected):
        LinearClassifier(64, 10)(torch.rand(5, 1, 28, 28))
    with pytest.raises(ValueError, match=r"got shape \(784,\).*unsqueeze\(0\)"):
        MLP(784, [8], 10)(torch.rand(784))
    expected = r"SmallCNN expects images \(N, 1, 28, 28\); got shape \(2, 3, 28, 28\)"
    with pytest.raises(ValueError, match=expected):
        SmallCNN()(torch.rand(2, 3, 28, 28))
