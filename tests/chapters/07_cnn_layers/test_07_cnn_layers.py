"""Chapter 07 reproduces the lecture's numbers and the claims its text makes.

The solution notebook is executed (fast mode, static widgets) with one probe cell appended that
reads what the chapter computed; the assertions below check those values.
"""

from __future__ import annotations

import math

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow

PROBE = """
probe = {
    "n_inputs": n_inputs,
    "n_outputs": n_outputs,
    "parameter_counts": parameter_counts,
    "fc_to_conv": fc_to_conv,
    "patch": [list(patch_rows), list(patch_cols)],
    "local_inputs": local_inputs,
    "equivariance_error": equivariance_error,
    "layout_error": layout_error,
    "loops_error": loops_error,
    "correlation_error": correlation_error,
    "convolution_error": convolution_error,
    "sign_flip": sign_flip,
    "output_sizes": {what: list(v) for what, v in output_sizes.items()},
    "same_shape": list(same.shape[-2:]),
    "valid_shape": list(valid.shape[-2:]),
    "same_padding_error": same_padding_error,
    "strided_same_error": strided_same_error,
    "derivatives": derivatives,
    "relu_zero_fraction": relu_zero_fraction,
    "maxout_shape": list(maxout_maps.shape),
    "pooled_shapes": {k: list(v) for k, v in pooled_shapes.items()},
    "per_map": per_map,
    "shift_change": shift_change,
    "cifar_costs": list(cifar_costs),
    "fc_costs": list(fc_costs),
    "small_cnn_costs": {k: list(v) for k, v in small_cnn_costs.items()},
    "small_cnn_parameters": count_parameters(small_cnn),
    "measured_fields": measured_fields,
    "dilated_fields": dilated_fields,
    "centre_to_corner": centre_to_corner,
    "lrn_differences": lrn_differences,
    "lrn_question": lrn_question,
    "fc_as_conv_error": fc_as_conv_error,
    "sliding_shape": list(sliding.shape),
    "crop_error": crop_error,
    "dropout_stats": dropout_stats,
    "translation": translation,
}
"""


@pytest.fixture(scope="module")
def measured(once):
    path = ROOT / "solutions" / "07_cnn_layers" / "07_cnn_layers.ipynb"
    return once("ch07", lambda: run_with_probe(path, PROBE))


def test_the_lecture_cifar10_parameter_counts(measured):
    """Does one fully connected unit on a 32x32x3 image have 3072 weights + 1 bias, the fully
    connected layer with the convolution's 28x28x32 outputs 77,095,424 parameters, and the
    5x5x3x32 convolution 2400 weights + 32 biases, about 31,700 times fewer?"""
    counts = measured["parameter_counts"]
    assert measured["n_inputs"] == 32 * 32 * 3 == 3072
    assert measured["n_outputs"] == 28 * 28 * 32 == 25_088
    assert counts["one fully connected unit"] == 3073
    assert counts["fully connected, 32 units"] == 3072 * 32 + 32 == 98_336
    assert counts["fully connected, 28 x 28 x 32 units"] == 3072 * 25_088 + 25_088 == 77_095_424
    assert counts["convolution 5 x 5 x 3 x 32"] == 5 * 5 * 3 * 32 + 32 == 2432
    assert measured["fc_to_conv"] == pytest.approx(31_700, rel=0.001)


def test_local_connectivity_and_weight_sharing(measured):
    """Does one output value depend on exactly a 5x5x3 patch (75 inputs), and does shifting the
    image shift the feature maps by the same amount (equivariance)?"""
    assert measured["patch"] == [[10, 14], [20, 24]]
    assert measured["local_inputs"] == 75
    assert measured["equivariance_error"] < 1e-5
    assert "3 channels" in measured["layout_error"] and "32 channels" in measured["layout_error"]


def test_the_formula_is_a_cross_correlation(measured):
    """Do the loops of the formula match F.conv2d, F.conv2d match SciPy's correlate2d, the flipped
    kernel SciPy's convolve2d, and is the Sobel convolution the negative of the correlation?"""
    assert measured["loops_error"] < 1e-5
    assert measured["correlation_error"] < 1e-5
    assert measured["convolution_error"] < 1e-5
    assert measured["sign_flip"] < 1e-6


def test_output_sizes_of_the_examples(measured):
    """Are the lecture's sizes reproduced: 32 -> 28 for 5x5, 32 with padding 2, 28 -> 14 for 2x2/2,
    28 -> 13.5 -> 13 for the overlapping 3x3/2 pooling (14 with ceil_mode), AlexNet's 227 -> 55,
    224 -> 55.25 -> 55 and 55 -> 27, and 28 for a 3x3 kernel with dilation 2?"""
    sizes = measured["output_sizes"]
    expected = {
        "CIFAR-10: convolution 5x5, stride 1": (28, 28),
        "the same with padding 2 ('same')": (32, 32),
        "then max pooling 2x2, stride 2": (14, 14),
        "or max pooling 3x3, stride 2 (overlapping)": (13.5, 13),
        "the same pooling with ceil_mode=True": (13.5, 14),
        "AlexNet conv1: 11x11, stride 4, on 227": (55, 55),
        "11x11, stride 4, padding 2, on 224": (55.25, 55),
        "AlexNet pool1: 3x3, stride 2, on 55": (27, 27),
        "3x3 convolution with dilation 2": (28, 28),
    }
    assert set(sizes) == set(expected)
    for what, (formula, pytorch) in expected.items():
        assert sizes[what][0] == pytest.approx(formula), what
        assert sizes[what][1] == pytorch, what
    for formula, pytorch in sizes.values():                   # PyTorch rounds down (but ceil_mode)
        assert pytorch in (math.floor(formula), math.ceil(formula))


def test_same_and_valid_padding(measured):
    """Does 'valid' shrink 8 -> 5 for a 4x4 kernel, does 'same' keep 8 by padding 1 before and 2
    after, and does PyTorch refuse 'same' with a stride?"""
    assert measured["valid_shape"] == [5, 5]
    assert measured["same_shape"] == [8, 8]
    assert measured["same_padding_error"] == 0
    assert "strided" in measured["strided_same_error"]


def test_activation_derivatives(measured):
    """Is sigma' at most 1/4 and tiny at |z| = 4, tanh' at most 1, ReLU' 0 and 1 on either side,
    leaky ReLU's 0.1, ELU's e^-4 at z = -4? Does ReLU zero about half of the feature map values
    and keep their shape, and maxout over pairs halve the channels?"""
    d = measured["derivatives"]
    assert d["sigmoid"]["max"] == pytest.approx(0.25, abs=1e-4)
    assert d["sigmoid"]["at 4"] == pytest.approx(math.exp(-4) / (1 + math.exp(-4)) ** 2, rel=1e-3)
    assert d["tanh"]["max"] == pytest.approx(1.0, abs=1e-4)
    assert d["tanh"]["at -4"] < 0.002
    assert d["ReLU"]["at -4"] == 0 and d["ReLU"]["at 4"] == 1
    assert d["leaky ReLU (0.1)"]["at -4"] == pytest.approx(0.1)
    assert d["ELU (α = 1)"]["at -4"] == pytest.approx(math.exp(-4), rel=1e-3)
    assert d["maxout (2 pieces)"]["at -4"] == pytest.approx(-0.5) and d["maxout (2 pieces)"]["at 4"] == 1
    assert 0.35 < measured["relu_zero_fraction"] < 0.65
    assert measured["maxout_shape"] == [1, 16, 28, 28]


def test_pooling_shrinks_each_map_and_keeps_their_number(measured):
    """Do the 28x28 maps become 14x14 (2x2/2) and 13x13 (overlapping 3x3/2), 32 maps either way, is
    each map pooled on its own, and does pooling reduce the change a one-pixel shift causes?"""
    shapes = measured["pooled_shapes"]
    assert shapes["max 2 x 2, stride 2"] == [1, 32, 14, 14]
    assert shapes["max 3 x 3, stride 2 (overlapping)"] == [1, 32, 13, 13]
    assert shapes["average 2 x 2, stride 2"] == [1, 32, 14, 14]
    assert all(measured["per_map"].values())
    change = measured["shift_change"]
    for name in shapes:
        assert change[name] < change["no pooling"], name
    assert change["max 3 x 3, stride 2 (overlapping)"] < change["max 2 x 2, stride 2"]


def test_costs_of_the_layers(measured):
    """Does the CIFAR-10 layer have 2432 parameters and 28*28*32*75 = 1,881,600 multiply-adds, the
    fully connected layer 77,095,424 parameters and 77,070,336 multiply-adds, and do SmallCNN's
    layers add up to its parameter count?"""
    assert measured["cifar_costs"] == [2432, 1_881_600]
    assert measured["fc_costs"] == [77_095_424, 77_070_336]
    costs = measured["small_cnn_costs"]
    assert costs["features.0"] == [160, 32 * 32 * 16 * 9]
    assert costs["features.3"] == [4640, 16 * 16 * 32 * 16 * 9]
    assert sum(p for p, _ in costs.values()) == measured["small_cnn_parameters"] == 10_947


def test_receptive_fields(measured):
    """Are the measured receptive fields of VGG-16's first ten layers 3, 5, 6, 10, 14, 16, 24,
    32, 40, 44, those of dilated 3x3 convolutions 3, 7, 15, and is the centre of the receptive
    field reached by many more paths than its corner?"""
    assert measured["measured_fields"] == [3, 5, 6, 10, 14, 16, 24, 32, 40, 44]
    assert measured["dilated_fields"] == [3, 7, 15]
    assert measured["centre_to_corner"] > 1e5


def test_local_response_normalization_conventions(measured):
    """Does PyTorch's LocalResponseNorm equal the lecture's formula once alpha is multiplied by the
    window size (and k set to kappa), both for AlexNet's window of 5 and for the sum over all
    channels, and differ clearly otherwise?"""
    d = measured["lrn_differences"]
    assert d["nn.LocalResponseNorm(5, alpha=5 * 1e-4, k=2.0)"] < 1e-5
    assert d["all channels: nn.LocalResponseNorm(63, alpha=63 * 1e-4, k=2.0)"] < 1e-5
    assert d["nn.LocalResponseNorm(5) with its defaults"] > 0.1
    assert d["nn.LocalResponseNorm(5, alpha=1e-4, k=2.0)"] > 0.05


def test_the_mistake_in_the_normalization_picture(measured):
    """With kappa = 0, alpha = beta = 1: is the picture's ratio scale-invariant while the formula
    halves when the input doubles, does kappa = 0 give NaN exactly where all maps are 0 after the
    ReLU, and does kappa = 1 avoid it?"""
    q = measured["lrn_question"]
    assert q["picture_scale_change"] < 1e-6
    assert q["formula_scale_ratio"] == pytest.approx(0.5, abs=1e-4)
    assert q["all_zero_fraction"] > 0.1
    assert q["nan_fraction"] == pytest.approx(q["all_zero_fraction"])
    assert q["kappa_one_nan"] == 0


def test_a_fully_connected_layer_is_a_convolution(measured):
    """Does a 28x28 convolution with the Linear layer's weights give the same scores, and slide
    over larger maps giving one score vector per crop?"""
    assert measured["fc_as_conv_error"] < 1e-5
    assert measured["sliding_shape"] == [1, 10, 5, 9]
    assert measured["crop_error"] < 1e-5


def test_dropout_in_training_and_evaluation(measured):
    """Does nn.Dropout(0.5) zero about half the values and double the others in training, keep the
    mean, and leave the input unchanged in evaluation?"""
    s = measured["dropout_stats"]
    assert s["zero_fraction"] == pytest.approx(0.5, abs=0.01)
    assert s["survivor_value"] == [2.0]
    assert s["train_mean"] == pytest.approx(1.0, abs=0.02)
    assert s["eval_unchanged"]


def test_translation_cnn_against_mlp(measured):
    """Trained on centred shapes: do all three networks recognize centred test shapes (> 80 %)?
    On shapes shifted at test time, does the MLP fall towards chance (< 50 %), SmallCNN lose much
    of its accuracy, and the CNN with global max pooling keep it (> 85 %, far above the MLP)?"""
    t = measured["translation"]
    for name in t:
        assert t[name]["centred"] > 0.8, name
    mlp, small, pooled = t["MLP"], t["SmallCNN"], t["CNN + global max pooling"]
    assert mlp["shifted"] < 0.5
    assert mlp["shifted"] < mlp["centred"] - 0.3
    assert small["shifted"] < small["centred"] - 0.2
    assert pooled["shifted"] > 0.85
    assert pooled["shifted"] > pooled["centred"] - 0.08
    assert pooled["shifted"] > mlp["shifted"] + 0.35
    assert pooled["shifted"] > small["shifted"] + 0.2
