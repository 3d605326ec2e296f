"""Chapter 05 reproduces the lecture's claims about batch normalization and the numbers its text states.

The solution notebook is executed (fast mode, static widgets) with one probe cell appended that
reads what the chapter computed; the assertions below check those values. The claims are checked
as inequalities with margins that hold in both the fast and the default configuration.
"""

from __future__ import annotations

import math

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow

PROBE = """
def _number(x):
    x = float(x)
    return x if math.isfinite(x) else None

probe = {
    "mu": mu.tolist(),
    "sigma2": (sigma ** 2).tolist(),
    "H_norm": H_norm.tolist(),
    "batch_statistics_H": [t.tolist() for t in batch_statistics(H)],
    "shift": {str(bn): v for bn, v in shift.items()},
    "spread": {str(bn): v for bn, v in spread.items()},
    "identity_error": identity_error,
    "without_eps_all_nan": bool(torch.isnan(without_eps[:, 0]).all()),
    "with_eps_finite": bool(torch.isfinite(with_eps).all()),
    "torch_gap": torch_gap,
    "gradcheck_hand": bool(gradcheck_hand),
    "gradcheck_constant": bool(gradcheck_constant),
    "placement": placement_accuracy,
    "input_loss": input_loss,
    "epochs": epochs,
    "learning_rates": list(learning_rates),
    "init_scales": list(init_scales),
    "final_loss": {f"{bn}|{s:g}|{lr:g}": _number(final_loss(bn, s, lr))
                   for bn in (False, True) for s in init_scales for lr in learning_rates},
    "first_loss": {f"{bn}|{s:g}|{lr:g}": _number(histories[bn, s, lr].train_loss[0])
                   for bn in (False, True) for s in init_scales for lr in learning_rates},
    "largest_working_lr": {str(bn): largest_working_lr(bn) for bn in (False, True)},
    "best_at_scale": {f"{bn}|{s:g}": _number(v) for (bn, s), v in best_at_scale.items()},
    "mode_accuracy": mode_accuracy,
    "variance_ratio": variance_ratio,
    "accuracy_after": accuracy_after,
    "pair_error": (pair_normalized.abs() - 1).abs().max().item(),
    "small_batch": {f"{bn}|{size}": acc for (bn, size), acc in small_batch_accuracy.items()},
}
"""


@pytest.fixture(scope="module")
def measured(once):
    path = ROOT / "solutions" / "05_batchnorm" / "05_batchnorm.ipynb"
    return once("ch05", lambda: run_with_probe(path, PROBE))


def loss(measured, bn, scale, lr, key="final_loss"):
    return measured[key][f"{bn}|{scale:g}|{lr:g}"]


def test_worked_example(measured):
    """Does the 4 x 3 example have means (4, 25, 1), variances (5, 125, 5), and do all three
    columns normalize to (-1.34, -0.45, 0.45, 1.34)?"""
    assert measured["mu"] == pytest.approx([4, 25, 1])
    assert measured["sigma2"] == pytest.approx([5, 125, 5])
    assert measured["batch_statistics_H"][0] == pytest.approx([4, 25, 1])
    assert measured["batch_statistics_H"][1] == pytest.approx([5, 125, 5])
    for row, value in zip(measured["H_norm"], [-1.3416, -0.4472, 0.4472, 1.3416]):
        assert row == pytest.approx([value] * 3, abs=1e-4)


def test_inputs_of_a_deep_layer_drift_without_batch_norm(measured):
    """Do the third layer's pre-activations move by more than one initial standard deviation and
    more than double their spread without batch norm, and stay put with it?"""
    assert measured["shift"]["False"] > 1.0
    assert measured["spread"]["False"] > 2.0
    assert measured["shift"]["True"] < 0.1
    assert measured["spread"]["True"] == pytest.approx(1.0, abs=0.1)


def test_gamma_beta_and_eps(measured):
    """Does gamma = sigma, beta = mu give back H, and does eps keep a constant neuron finite?"""
    assert measured["identity_error"] < 1e-4
    assert measured["without_eps_all_nan"]
    assert measured["with_eps_finite"]


def test_exercises_match_torch_and_autograd(measured):
    """Does the chapter's layer match nn.BatchNorm2d, and does gradcheck accept the hand-written
    backward but reject the one that treats the statistics as constants?"""
    assert measured["torch_gap"] < 1e-5
    assert measured["gradcheck_hand"] is True
    assert measured["gradcheck_constant"] is False
    assert measured["pair_error"] < 1e-3, "a batch of two should normalize to +-1"


def test_placement_before_or_after_the_activation(measured):
    """Do both placements train well, no further apart than the seeds of one placement?"""
    before, after = measured["placement"]["before"], measured["placement"]["after"]
    mean = lambda xs: sum(xs) / len(xs)
    assert min(before + after) > 0.9
    seed_spread = max(max(before) - min(before), max(after) - min(after))
    assert abs(mean(before) - mean(after)) <= seed_spread
    assert abs(mean(before) - mean(after)) <= 0.04


def test_standardizing_the_input_helps(measured):
    """Does standardizing the pixels lower the final training loss of the plain network several
    times over?"""
    raw, standard = measured["input_loss"]["raw pixels in [0, 1]"], measured["input_loss"]["standardized pixels"]
    assert standard < 0.5 * raw


def test_larger_learning_rates(measured):
    """Plain network (He init): trains at 0.3, stalls near ln 10 at 1, diverges at 3. With batch
    norm: below 1 at 1 and 3 (ten times the plain network's largest), and lower at 1 than the
    plain network's best."""
    assert loss(measured, False, 1, 0.3) < 1.0
    assert 2.0 < loss(measured, False, 1, 1.0) < 2.6
    assert loss(measured, False, 1, 3.0) is None
    assert loss(measured, True, 1, 1.0) < 1.0
    assert loss(measured, True, 1, 3.0) < 1.0
    largest = measured["largest_working_lr"]
    assert largest["False"] == pytest.approx(0.3) and largest["True"] == pytest.approx(3.0)
    assert loss(measured, True, 1, 1.0) < measured["best_at_scale"]["False|1"]


def test_bad_initialization(measured):
    """Without batch norm: x0.1 learns nothing at any learning rate and x10 diverges at every
    one. With batch norm every scale reaches a loss below 1, and the x10 runs start worse than
    the x1 runs (the unnormalized last layer)."""
    for lr in measured["learning_rates"]:
        assert loss(measured, False, 0.1, lr) > 2.2
        assert loss(measured, False, 10, lr) is None
        assert loss(measured, True, 10, lr, "first_loss") > loss(measured, True, 1, lr, "first_loss")
    for scale in measured["init_scales"]:
        assert measured["best_at_scale"][f"True|{scale:g}"] < 1.0


def test_evaluating_in_training_mode(measured):
    """Eval mode is best; train mode with shuffled batches of 32 costs a few points, batches of
    two or of one class collapse; the class batches shrink the running variances and lower the
    eval-mode accuracy afterwards."""
    accuracy = measured["mode_accuracy"]
    evaluation = accuracy["eval mode"]
    assert evaluation > 0.9
    assert 0 < evaluation - accuracy["train mode, shuffled batches of 32"] <= 0.05
    assert accuracy["train mode, shuffled batches of 2"] < 0.5
    assert accuracy["train mode, one batch per class"] < 0.3
    assert measured["variance_ratio"] < 0.95
    assert measured["accuracy_after"] < evaluation


def test_very_small_batches(measured):
    """With batch norm, batches of two barely train (far below batches of 32); without it they
    are fine."""
    small = measured["small_batch"]
    assert small["True|2"] < 0.4
    assert small["True|32"] > 0.85
    assert small["False|2"] > 0.85
