"""Chapter 01 reproduces the lecture's numbers and the claims its text makes.

The solution notebook is executed (fast mode, static widgets) with one probe cell appended that
reads what the chapter computed; the assertions below check those values.
"""

from __future__ import annotations

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow

PROBE = """
probe = {
    "hinge_per_image": hinge_loss_loop(scores, labels),
    "hinge_mean": hinge_loss(scores, labels).item(),
    "exp": torch.exp(scores[0]).tolist(),
    "softmax": softmax(scores)[0].tolist(),
    "ce_per_image": per_image_ce.tolist(),
    "ce_mean": cross_entropy(scores, labels).item(),
    "naive_overflow": torch.isnan(torch.exp(big) / torch.exp(big).sum()).any().item(),
    "mse_line": lines["squared error (MSE)"].tolist(),
    "mae_line": lines["absolute error (MAE)"].tolist(),
    "background_accuracy": (predictions["all background"] == truth).float().mean().item(),
    "background_dice": dice(predictions["all background"], truth),
    "test_accuracy": test_accuracy,
    "fit_test_accuracy": {name: test["accuracy"] for name, (history, test) in results.items()},
    "fit_epochs": {name: len(history) for name, (history, test) in results.items()},
}
"""


@pytest.fixture(scope="module")
def measured(once):
    return once("ch01", lambda: run_with_probe(ROOT / "solutions" / "01_losses" / "01_losses.ipynb", PROBE))


def test_worked_example_hinge_losses(measured):
    """Are the lecture's hinge losses 3.0, 0 and 16.2, with mean 6.4, reproduced?"""
    assert measured["hinge_per_image"] == pytest.approx([3.0, 0.0, 16.2], abs=1e-6)
    assert measured["hinge_mean"] == pytest.approx(6.4, abs=1e-5)


def test_worked_example_softmax(measured):
    """Does exp go to (20.08, 2.72, 0.08) and the softmax to (0.87, 0.12, 0.00), to the slide's
    two decimals (which cut some values off rather than rounding them)?"""
    assert measured["exp"] == pytest.approx([20.08, 2.72, 0.08], abs=0.01)
    assert measured["softmax"] == pytest.approx([0.87, 0.12, 0.00], abs=0.01)
    assert measured["naive_overflow"], "the overflow demo no longer overflows"


def test_cross_entropy_of_the_worked_example(measured):
    """Are the cross-entropies the text quotes (2.13, 0.20, 8.31; mean 3.55) what it computes?"""
    assert measured["ce_per_image"] == pytest.approx([2.13, 0.20, 8.31], abs=0.005)
    assert measured["ce_mean"] == pytest.approx(3.55, abs=0.005)


def test_absolute_error_resists_outliers(measured):
    """Do the outliers drag the squared-error line far from the true line 2x + 0.5, and the
    absolute-error line much less? (Largest vertical gap on [0, 1], at an end of the interval.)"""
    def gap(line):
        w, b = line
        return max(abs(b - 0.5), abs(w + b - 2.5))

    assert gap(measured["mse_line"]) > 0.5
    assert gap(measured["mae_line"]) < 0.25 * gap(measured["mse_line"])


def test_dice_sees_what_accuracy_hides(measured):
    """Does predicting all background score > 90 % pixel accuracy but a Dice near 0?"""
    assert measured["background_accuracy"] > 0.90
    assert measured["background_dice"] < 0.01


def test_digits_classifiers_reach_their_stated_accuracy(measured):
    """Does gradient descent with the chapter's loss reach >= 93 % test accuracy, and do the
    hinge and cross-entropy classifiers trained with fit end within a few points of each other?"""
    assert measured["test_accuracy"] >= 0.93
    accuracies = measured["fit_test_accuracy"]
    assert min(accuracies.values()) >= 0.90
    assert abs(accuracies["cross-entropy"] - accuracies["hinge"]) <= 0.03
