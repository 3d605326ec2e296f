"""Chapter 06 reproduces the lectures' claims and the numbers its text states.

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
    "split_sizes": [len(y_train), len(y_val), len(y_test)],
    "scenarios": scenario_results,
    "initial_penalty": initial_penalty,
    "parameter_counts": [sum(p.numel() for p in net.parameters() if p.ndim >= 2),
                         sum(p.numel() for p in net.parameters() if p.ndim < 2)],
    "l2_equivalence": l2_equivalence,
    "decay_final": decay_final,
    "adam_l2_vs_adam_wd": adam_l2_vs_adam_wd,
    "sparsity": sparsity,
    "dropout_ratios": [classic_ratio, inverted_ratio],
    "dropout_stats": dropout_stats,
    "thinned": {"single": single_acc, "scaled_acc": scaled_acc, "scaled_loss": scaled_loss,
                "ensemble": {str(k): v for k, v in ensemble.items()}},
    "mc_entropy": mc_entropy_mean,
    "early_stopping": {"best": es_best_epoch, "epochs": es_epochs, "val_loss": es_val_loss,
                       "val_acc": es_val_acc},
    "flips": flip_results,
    "triangles": [len(triangles), triangles.class_counts()],
    "remedies": remedy_results,
    "widget_runs": len(regularized_runs),
    "leakage": leakage_mean,
    "leakage_seeds": len(list(leakage_seeds)),
    "no_rare_fraction": no_rare_fraction,
    "stratified_counts": sorted(set(stratified_counts.tolist())),
    "metrics": metrics,
    "uint8": (pixels - 128).tolist(),
    "standardized": [[Z.mean().item(), Z.std().item()] for Z in (Z_train, Z_val, Z_test)],
    "search": {"grid": best_grid, "random": best_random, "distinct_lr": distinct_lr,
               "n_grid": len(trials["grid"]), "n_random": len(trials["random"])},
    "final": {"val": final_val_accuracy, "test": final_test_accuracy},
}
"""


@pytest.fixture(scope="module")
def measured(once):
    path = ROOT / "solutions" / "06_regularization" / "06_regularization.ipynb"
    return once("ch06", lambda: run_with_probe(path, PROBE))


def test_the_split_is_70_10_20(measured):
    """Are the digits split 70 / 10 / 20 % (1257 / 180 / 360 of 1797 images)?"""
    assert measured["split_sizes"] == [1257, 180, 360]


def test_three_scenarios_of_training_curves(measured):
    """Underfitting: poor and close on both sets. Good fit: good and close. Overfitting: 100 %
    training accuracy, validation far below, validation loss rising after an early minimum."""
    under, good, over = (measured["scenarios"][k] for k in ("underfitting", "good fit", "overfitting"))
    assert under["train_acc"] < 0.5 and under["val_acc"] < 0.5 and under["train_loss"] > 1.5
    assert abs(under["train_acc"] - under["val_acc"]) < 0.1
    assert good["train_acc"] > 0.9 and good["val_acc"] > 0.9
    assert good["val_loss"] - good["train_loss"] < 0.15
    assert over["train_acc"] == 1.0 and over["train_loss"] < 0.01
    assert over["val_acc"] < over["train_acc"] - 0.1
    assert over["val_loss"] > 1.2 * over["best_val_loss"] and over["best_step"] <= 50


def test_the_penalty_counts_weights_not_biases(measured):
    """Does the 64-256-256-10 network have 84,480 weights and 522 biases, and is the initial
    penalty at lambda = 1e-3 a positive number below the loss of a guess?"""
    assert measured["parameter_counts"] == [64 * 256 + 256 * 256 + 256 * 10, 256 + 256 + 10]
    assert 0 < measured["initial_penalty"] < math.log(10)


def test_l2_is_weight_decay_in_plain_sgd(measured):
    """After 25 SGD steps, do the penalty in the loss and weight_decay = 2 lambda (weights only)
    give the weights of the steps by hand to float32 rounding, and weight_decay = lambda not?"""
    eq = measured["l2_equivalence"]
    assert eq["penalty in the loss"] < 1e-6
    assert eq["weight_decay = 2 lam, weights only"] < 1e-6
    assert eq["weight_decay = lam, all parameters"] > 1e-4


def test_adam_with_l2_is_not_weight_decay(measured):
    """Do AdamW and SGD shrink both groups by (1 - lr d)^300, while Adam with L2 (in the loss or
    as Adam's weight_decay, which agree) spares the large-gradient weights and zeroes the others?"""
    final, factor = measured["decay_final"], (1 - 0.02 * 0.1) ** 300
    assert final["AdamW"][0] == pytest.approx(factor, abs=0.03)
    assert final["AdamW"][1] == pytest.approx(factor, abs=0.03)
    assert final["SGD + L2"][1] == pytest.approx(factor, abs=0.03)
    assert final["SGD + L2"][0] == pytest.approx(factor, abs=0.1)        # the noisy group
    for kind in ("Adam + L2", "Adam(weight_decay)"):
        assert final[kind][0] > 0.9 and abs(final[kind][1]) < 0.02
    assert measured["adam_l2_vs_adam_wd"] < 1e-5


def test_l1_needs_the_proximal_step_for_exact_zeros(measured):
    """Do only the proximal L1 steps give exact zeros (hundreds of them), while subgradient L1
    leaves weights near zero, and without losing validation accuracy?"""
    s = measured["sparsity"]
    assert s["none"]["exact_zeros"] == s["L2"]["exact_zeros"] == s["L1 (subgradient)"]["exact_zeros"] == 0
    assert s["L1 (proximal)"]["exact_zeros"] > 200
    assert s["L1 (subgradient)"]["within_step"] > 50 > s["L2"]["within_step"]
    assert s["L1 (proximal)"]["val_acc"] >= s["none"]["val_acc"] - 0.02


def test_dropout_keeps_the_expected_activation(measured):
    """Is the mean of m h (1 - p) h, and the mean of m h / (1 - p) h itself (p = 0.5)? Does the
    chapter's inverted dropout match nn.Dropout's statistics?"""
    classic, inverted = measured["dropout_ratios"]
    assert classic == pytest.approx(0.5, abs=0.01)
    assert inverted == pytest.approx(1.0, abs=0.02)
    mine, torch_ = measured["dropout_stats"]["your inverted_dropout"], measured["dropout_stats"]["nn.Dropout(0.3)"]
    assert mine["dropped"] == pytest.approx(0.3, abs=0.003)
    assert torch_["dropped"] == pytest.approx(0.3, abs=0.003)
    assert mine["mean"] == pytest.approx(torch_["mean"], rel=0.01)
    assert mine["std"] == pytest.approx(torch_["std"], rel=0.01)


def test_dropout_averages_thinned_networks(measured):
    """Is one thinned network worse than the full one, and does the average of 100 thinned
    networks come close to the network with test-time scaling?"""
    t = measured["thinned"]
    assert t["single"] < t["scaled_acc"] - 0.01
    assert t["ensemble"]["100"]["acc"] >= t["scaled_acc"] - 0.02
    assert t["ensemble"]["100"]["acc"] > t["ensemble"]["1"]["acc"]
    assert t["ensemble"]["100"]["loss"] < t["ensemble"]["1"]["loss"]


def test_mc_dropout_is_less_certain_on_errors_and_non_digits(measured):
    """Is the entropy of the averaged prediction higher for wrong digits and for shapes than for
    correctly classified digits?"""
    e = measured["mc_entropy"]
    assert e["validation, wrong"] > e["validation, correct"] + 0.3
    assert e["not digits (shapes)"] > e["validation, correct"] + 0.3


def test_early_stopping_keeps_the_best_epoch(measured):
    """Does training stop exactly 20 epochs after the best one, early, with a validation loss far
    below that of the network trained for all 150 epochs?"""
    es, over = measured["early_stopping"], measured["scenarios"]["overfitting"]
    assert es["epochs"] == es["best"] + 20 and es["best"] < 60
    assert es["val_loss"] < over["val_loss"] - 0.1


def test_vertical_flips_destroy_an_up_down_task(measured):
    """Do horizontal flips keep the accuracy while vertical flips drop training and validation
    accuracy to about chance?"""
    f = measured["flips"]
    assert measured["triangles"][0] > 700
    assert f["no augmentation"]["val_acc"] > 0.75 and f["horizontal flips"]["val_acc"] > 0.75
    assert f["vertical flips"]["val_acc"] < 0.65 and f["vertical flips"]["train_acc"] < 0.65
    assert f["no augmentation"]["val_acc"] - f["vertical flips"]["val_acc"] > 0.15


def test_every_remedy_lowers_the_validation_loss(measured):
    """On the same budget, does each remedy end with a validation loss well below the overfitting
    baseline's, and does more data also raise the accuracy clearly?"""
    r = measured["remedies"]
    base = r["none (baseline)"]
    for name in ("L2 penalty", "dropout", "augmentation", "early stopping", "more data"):
        assert r[name]["val_loss"] < base["val_loss"] - 0.1, name
    assert r["more data"]["val_acc"] > base["val_acc"] + 0.05
    assert r["more data"]["val_loss"] == min(v["val_loss"] for v in r.values())
    assert measured["widget_runs"] >= 6          # the explorer's static panels were computed


def test_leakage_inflates_the_test_score(measured):
    """Does a random image-level split put (nearly) every test patient in the training set too,
    and score far above the patient-level split on the test part?"""
    leak = measured["leakage"]
    assert measured["leakage_seeds"] >= 3
    assert leak["shared patients"] >= 0.9
    assert leak["random split of the images"] > 0.8
    assert leak["random split of the images"] - leak["split of the patients"] > 0.1


def test_stratification_and_metrics(measured):
    """Do some random 70/10/20 splits leave the validation set without the 5 % class (about 7 %
    of them), never a stratified one? Does always answering 'not a 3' get 90 % accuracy but 0
    sensitivity and 50 % balanced accuracy, unlike a trained classifier?"""
    assert 0.03 < measured["no_rare_fraction"] < 0.12
    assert measured["stratified_counts"] == [2]
    always, linear = measured["metrics"]["always 'not a 3'"], measured["metrics"]["linear classifier"]
    assert always["accuracy"] == pytest.approx(0.9)
    assert always["sensitivity"] == 0 and always["balanced accuracy"] == pytest.approx(0.5)
    assert linear["sensitivity"] > 0.8 and linear["balanced accuracy"] > 0.85


def test_preprocessing(measured):
    """Does uint8 arithmetic wrap around, and does standardization with training statistics give
    the training set mean 0 and std 1, the other sets nearly so?"""
    assert measured["uint8"] == [140, 228, 72, 127]
    (m_train, s_train), *others = measured["standardized"]
    assert abs(m_train) < 1e-5 and s_train == pytest.approx(1.0, abs=1e-4)
    for m, s in others:
        assert abs(m) < 0.05 and s == pytest.approx(1.0, abs=0.05)


def test_random_search_beats_grid_search(measured):
    """With nine trials each, does random search try nine learning rates to the grid's three and
    find a better validation accuracy? Is the test set, looked at once, close to validation?"""
    s = measured["search"]
    assert s["n_grid"] == s["n_random"] == 9
    assert s["distinct_lr"] == {"grid": 3, "random": 9}
    assert s["random"] > s["grid"] + 0.05
    final = measured["final"]
    assert final["test"] > 0.85 and abs(final["val"] - final["test"]) < 0.08
