"""Chapter 02 reproduces the lecture's worked example and the claims its text makes.

The solution notebook is executed (fast mode, static widgets) with one probe cell appended that
reads what the chapter computed; the assertions below check those values.
"""

from __future__ import annotations

import math

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow

PROBE = """
import time as _time
_figure, _axes = plt.subplots(figsize=(6.4, 3.6))
_seconds = []
for _setting in ({"log10_h": -3.0, "dtype": "float32", "diff": "one-sided"}, {"log10_h": -7.5, "dtype": "float64", "diff": "centred"},
                 {"log10_h": -11.0, "dtype": "float64", "diff": "one-sided"}):
    _axes.clear()
    _start = _time.perf_counter()
    draw_gradient_check(_axes, **_setting)
    _figure.canvas.draw()
    _seconds.append(_time.perf_counter() - _start)
plt.close(_figure)
probe = {
    "example": example,
    "gate_grads": gate_grads,
    "fanout": fanout,
    "neuron": [neuron_grads, neuron_autograd],
    "mean_rule_error": mean_rule_error,
    "versus_autograd": versus_autograd,
    "net": {"start": net_losses[0], "end": net_losses[-1], "accuracy": net_accuracy, "steps": steps},
    "slopes": slopes,
    "best_h": {"|".join(k): v for k, v in best_h.items()},
    "best_error": {"|".join(k): v for k, v in best_error.items()},
    "error_at_1e-5": {"|".join(k): v[int(round((-5 + 12) / 0.25))].item() for k, v in median_error.items()},
    "eps": {"float32": torch.finfo(torch.float32).eps, "float64": torch.finfo(torch.float64).eps},
    "gradient_check": {"|".join(k): v for k, v in gradient_check.items()},
    "gradchecks": gradchecks,
    "grad_norms": grad_norms,
    "per_layer": per_layer,
    "dead": {str(lr): {k: v for k, v in r.items() if k not in ("active_share", "moved")} for lr, r in dead.items()},
    "initial_loss": initial_loss,
    "regularized": {str(lam): {k: v for k, v in r.items() if k != "curve"} for lam, r in regularized.items()},
    "tiny": {"loss": tiny_final, "train_accuracy": tiny_train_accuracy, "test_accuracy": tiny_test_accuracy},
    "widget_seconds": sorted(_seconds)[1],
}
"""

SIGMOID, HE, LARGE = "sigmoid, c = 1 (Xavier)", "ReLU, c = √2 (He)", "ReLU, c = 1.5 √2"


@pytest.fixture(scope="module")
def measured(once):
    path = ROOT / "solutions" / "02_backpropagation" / "02_backpropagation.ipynb"
    return once("ch02", lambda: run_with_probe(path, PROBE))


def test_the_worked_example_of_the_lecture(measured):
    """Does f = (x + y) z at x = -2, y = 5, z = -4 give q = 3, f = -12 and the gradients
    df/dq = -4, df/dx = -4, df/dy = -4, df/dz = 3 of the text's table?"""
    e = measured["example"]
    assert (e["q"], e["f"]) == (3.0, -12.0)
    assert (e["df/dq"], e["df/dx"], e["df/dy"], e["df/dz"]) == (-4.0, -4.0, -4.0, 3.0)


def test_what_each_gate_does_to_a_gradient(measured):
    """With a = 3, b = -1 and g = 2: does add distribute (2, 2), multiply swap (-2, 6), max route
    (2, 0) and ReLU mask (2 for a positive input, 0 for a negative one)?"""
    g = measured["gate_grads"]
    assert g["add"][1:] == [2.0, 2.0]
    assert g["multiply"][1:] == [-2.0, 6.0]
    assert g["max"][1:] == [2.0, 0.0]
    assert g["ReLU of a"][1] == 2.0 and g["ReLU of b"][2] == 0.0


def test_gradients_add_at_a_fork(measured):
    """For f = xy + max(x, y) at (3, -2): is df/dx = -2 + 1 = -1 and df/dy = 3, and does the
    node-list backward pass of the neuron graph agree with autograd at every node?"""
    f = measured["fanout"]
    assert (f["f"], f["df/dx"], f["df/dy"]) == (-3.0, -1.0, 3.0)
    assert f["x via multiply"] + f["x via max"] == f["df/dx"]
    mine, autograd = measured["neuron"]
    assert mine == pytest.approx(autograd, abs=1e-12)
    assert mine["x"] == -1.5 and mine["w"] == 6.0


def test_the_gradient_of_the_mean_loss_is_the_mean_gradient(measured):
    """Is autograd's gradient of J over 8 images the mean of the 8 per-example gradients?"""
    assert measured["mean_rule_error"] < 1e-12


def test_the_hand_made_backward_pass_matches_autograd_and_trains(measured):
    """Does the matrix-form backward pass equal autograd's in float64, and does gradient descent
    with it train the two-layer ReLU network on the digits (J falls, test accuracy above 85 %)?"""
    assert max(measured["versus_autograd"].values()) < 1e-12
    net = measured["net"]
    assert net["end"] < net["start"] / 5
    assert net["accuracy"] > 0.85


def test_one_sided_and_centred_differences_against_h(measured):
    """Is the truncation error of slope 1 (one-sided) and 2 (centred), the round-off part of slope
    about -1; do the best steps lie at most a decade above sqrt(eps) and eps^(1/3), with float32's
    far larger than float64's; is the best centred float64 error about a hundred times smaller than
    the best one-sided one, and even the best float32 error worse than float64 at h = 1e-5?"""
    s = measured["slopes"]
    assert s["one-sided"] == pytest.approx(1.0, abs=0.1)
    assert s["centred"] == pytest.approx(2.0, abs=0.15)
    assert -1.3 < s["round-off"] < -0.7
    best, eps = measured["best_h"], measured["eps"]
    for precision in ("float32", "float64"):
        for scheme, estimate in (("one-sided", eps[precision] ** 0.5), ("centred", eps[precision] ** (1 / 3))):
            assert 1 <= best[f"{precision}|{scheme}"] / estimate <= 12, (precision, scheme)
            assert best[f"float32|{scheme}"] > 100 * best[f"float64|{scheme}"]
    err = measured["best_error"]
    assert err["float64|centred"] < err["float64|one-sided"] / 50
    assert err["float64|centred"] < 1e-9
    at_1e5 = measured["error_at_1e-5"]
    assert min(err["float32|centred"], err["float32|one-sided"]) > max(at_1e5["float64|centred"], at_1e5["float64|one-sided"])


def test_the_gradient_check_tells_right_from_wrong(measured):
    """Is every parameter of the reference backward pass 'correct' (relative error below 1e-7,
    checked with the numerical gradient at the default h), while dividing by N twice gives dW2 a
    relative error near 1 - 1/N and leaves the other gradients correct?"""
    check = measured["gradient_check"]
    for name in ("W1", "b1", "W2", "b2"):
        assert check[f"your backward pass|{name}"] < 1e-7
    assert check["dividing by N twice|W2"] == pytest.approx(1 - 1 / 16, abs=0.01)
    assert check["dividing by N twice|W1"] < 1e-7


def test_gradcheck_accepts_the_correct_backward_in_float64_only(measured):
    """Does gradcheck pass the hand-made sigmoid, fail the one with σ' at the output, and fail even
    the correct one in float32?"""
    assert measured["gradchecks"] == {"correct backward, float64": True, "σ' at the output, float64": False,
                                      "correct backward, float32": False}


def test_gradients_vanish_through_sigmoids_and_explode_with_large_weights(measured):
    """Over 20 layers: does the gradient shrink by about 4 per sigmoid layer (more than 10 orders of
    magnitude in all), keep its size with ReLU and He's weights, and grow by about 1.5 per layer
    with 1.5 times larger weights?"""
    per_layer, norms = measured["per_layer"], measured["grad_norms"]
    assert 0.2 < per_layer[SIGMOID] < 0.3
    assert norms[SIGMOID][0] < 1e-10 * norms[SIGMOID][-1]
    assert 0.9 < per_layer[HE] < 1.1
    assert 1.35 < per_layer[LARGE] < 1.65


def test_a_dead_relu_never_moves(measured):
    """With step size 0.5: are some units dead from the start, do they stay dead with their weights
    exactly unchanged while every other unit moves, and does the network still learn? With step
    size 2: does every unit die and the network fall to chance?"""
    moderate, large = measured["dead"]["0.5"], measured["dead"]["2.0"]
    assert moderate["dead_at_start"] >= 1
    assert moderate["dead_throughout"] == moderate["dead_at_start"] == moderate["dead_at_end"]
    assert moderate["moved_dead"] == 0.0
    assert moderate["moved_alive_min"] > 0.0
    assert moderate["accuracy"] > 0.9
    assert large["dead_at_end"] == 64
    assert large["moved_dead"] == 0.0
    assert large["accuracy"] < 0.2


def test_the_initial_loss_is_ln_c(measured):
    """Is the initial cross-entropy with small weights ln 10 to three decimals, and close to it
    with PyTorch's default initialization?"""
    loss = measured["initial_loss"]
    assert loss["weights and biases × 0.01"] == pytest.approx(math.log(10), abs=1e-3)
    assert loss["PyTorch's default initialization"] == pytest.approx(math.log(10), abs=0.05)


def test_more_regularization_gives_more_loss(measured):
    """Does a larger λ give a larger loss at the start, and a larger data loss and total loss after
    training?"""
    r = measured["regularized"]
    lambdas = sorted(r, key=float)
    for key in ("start", "data", "total"):
        values = [r[lam][key] for lam in lambdas]
        assert all(a < b for a, b in zip(values, values[1:])), (key, values)


def test_twenty_images_are_overfitted(measured):
    """Is the loss on 20 images below 0.01 with all of them right, while the test accuracy stays
    far lower?"""
    tiny = measured["tiny"]
    assert tiny["loss"] < 0.01
    assert tiny["train_accuracy"] == 1.0
    assert tiny["test_accuracy"] < 0.8


def test_the_explorer_redraws_within_a_second(measured):
    """Does one redraw of the gradient-check explorer take well under a second?"""
    assert measured["widget_seconds"] < 1.0
