"""Chapter 10 reproduces the lectures' limitations and the claims its text makes.

The solution notebook is executed (fast mode, static widgets) with one probe cell appended that
reads what the chapter computed; the assertions below check those values.
"""

from __future__ import annotations

import math

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow

PROBE = """
import torch as _torch
probe = {
    "learning_curve": {str(k): v for k, v in learning_curve.items()},
    "labels_needed": {str(k): v for k, v in labels_needed.items()},
    "n_weights": n_weights,
    "n_seeds": len(seeds),
    "spread": spread,
    "seed_accuracy": seed_accuracy.tolist(),
    "some_wrong": some_wrong,
    "all_wrong": all_wrong,
    "disagreement": disagreement,
    "clever_hans": clever_hans,
    "changed": changed,
    "shift": {f"{k}|{s:g}": r for (k, s), r in shift_results.items()},
    "remedy": {name: {f"{k}|{s:g}": r["accuracy"] for (k, s), r in results.items()} for name, results in remedy.items()},
    "fgsm": {str(k): [r["accuracy"], r["confidence"]] for k, r in fgsm_results.items()},
    "pgd": {str(k): [r["accuracy"], r["confidence"]] for k, r in pgd_results.items()},
    "halving": halving,
    "largest_change": largest_change,
    "example_flipped": [int(pgd_results[EXAMPLE_LEVEL]["predicted"][i] != y_attack[i].cpu()) for i in examples],
    "targeted": {str(k): v for k, v in targeted_success.items()},
    "fairness": fairness,
    "true_labels": patients[1].tolist(),
    "leaked_labels": leaked_labels,
    "single_error": single_error,
    "blob_error": blob_error,
    "batch_errors": {str(k): v for k, v in batch_errors.items()},
    "noise_errors": {f"{k:g}": v for k, v in noise_errors.items()},
    "noise_accuracy": {f"{k:g}": v for k, v in noise_accuracy.items()},
    "ece_worked": expected_calibration_error(_torch.tensor([[0.85, 0.15], [0.15, 0.85], [0.55, 0.45], [0.45, 0.55]]),
                                             _torch.tensor([0, 0, 0, 1])),
    "ece_always_sure": expected_calibration_error(_torch.tensor([[1.0, 0.0]] * 10), _torch.tensor([0] * 6 + [1] * 4)),
    "ece_edge": expected_calibration_error(_torch.tensor([[0.5, 0.3, 0.2]]), _torch.tensor([0]), n_bins=10),
    "ece_edge_bin5": expected_calibration_error(_torch.tensor([[0.5, 0.3, 0.2], [0.45, 0.35, 0.2]]),
                                                _torch.tensor([0, 1]), n_bins=10),
}
"""


@pytest.fixture(scope="module")
def measured(once):
    path = ROOT / "solutions" / "10_limitations" / "10_limitations.ipynb"
    return once("ch10", lambda: run_with_probe(path, PROBE))


def test_accuracy_grows_slowly_with_the_number_of_labels(measured):
    """Does accuracy rise with every step of the learning curve, from about six in ten with one
    label per class to over 95 % with all 1,347, and does 90 % take a few hundred labels? Does the
    network have more weights than half the training set (2N > 1,347)?"""
    curve = measured["learning_curve"]
    sizes = sorted(curve, key=int)
    assert [int(s) for s in sizes] == [10, 30, 100, 300, 1347]
    accuracies = [curve[s] for s in sizes]
    assert all(b > a for a, b in zip(accuracies, accuracies[1:]))
    assert 0.45 < curve["10"] < 0.75
    assert 0.7 < curve["30"] < 0.87
    assert curve["1347"] > 0.95
    assert measured["labels_needed"]["0.9"] >= 100
    gains = [b - a for a, b in zip(accuracies[1:], accuracies[2:])]          # per tenfold-ish step
    assert gains[-1] < gains[0]
    assert measured["n_weights"] == 64 * 64 + 64 + 64 * 10 + 10
    assert 2 * measured["n_weights"] > 1347


def test_the_same_recipe_gives_a_spread_and_different_mistakes(measured):
    """Do runs that differ only in the seed spread over at least a point of accuracy, all good,
    and do most misclassified images fool only some of the runs?"""
    spread, accuracies = measured["spread"], measured["seed_accuracy"]
    assert measured["n_seeds"] >= 5 and len(accuracies) == measured["n_seeds"]
    assert min(accuracies) > 0.93
    assert spread["max"] - spread["min"] >= 0.01
    assert spread["std"] > 0.002
    assert spread["min"] == pytest.approx(min(accuracies)) and spread["max"] == pytest.approx(max(accuracies))
    assert measured["some_wrong"] > 2 * measured["all_wrong"]
    assert measured["disagreement"] > 0.01


def test_clever_hans_high_accuracy_then_collapse_and_the_fix_by_data(measured):
    """Is the tag-trained network perfect when the tag matches the class, at chance (and still
    confident) when the tag sits in a random corner, poor without a tag; does decorrelating the
    tag give a network right on all three test sets, whose answers ignore the tag?"""
    ch = measured["clever_hans"]
    hans = {name: r["hans"] for name, r in ch.items()}
    fixed = {name: r["fixed"] for name, r in ch.items()}
    assert hans["tag in the class's corner"][0] > 0.98
    assert hans["tag in a random corner"][0] < 0.45                   # chance is 1/3
    assert hans["tag in a random corner"][1] > 0.85                   # ... at high confidence
    assert hans["no tag"][0] < 0.6
    assert all(accuracy > 0.95 for accuracy, _ in fixed.values())
    assert measured["changed"]["Clever Hans"] > 0.4
    assert measured["changed"]["decorrelated"] < 0.05


def test_domain_shift_lowers_accuracy_and_noise_leaves_the_network_confident(measured):
    """Do both shifts lower the accuracy towards chance; does the confidence fall with the
    scanner shift but stay far above the accuracy under strong noise (a silent failure, with a
    higher ECE), while clean images are classified under-confidently?"""
    s = measured["shift"]
    clean = s["scanner|0"]
    assert clean["accuracy"] > 0.95
    assert clean["confidence"] < clean["accuracy"]                     # under-confident when clean
    assert 0.05 < clean["ece"] < 0.2
    assert s["scanner|1"]["accuracy"] < 0.6
    assert s["noise|0.3"]["accuracy"] < 0.5
    assert s["scanner|1"]["confidence"] < clean["confidence"] - 0.25
    assert s["noise|0.3"]["confidence"] - s["noise|0.3"]["accuracy"] > 0.2
    assert s["noise|0.3"]["ece"] > 2 * clean["ece"]
    assert s["noise|0.3"]["ece"] > 0.2
    for kind, levels in (("scanner", ("0", "0.25", "0.5", "0.75", "1")), ("noise", ("0", "0.05", "0.1", "0.2", "0.3"))):
        accuracies = [s[f"{kind}|{level}"]["accuracy"] for level in levels]
        assert accuracies[-1] < accuracies[0] - 0.35


def test_augmentation_helps_against_the_shift_it_shows_only(measured):
    """Does one more epoch with scanner augmentation raise the accuracy under the strongest scanner
    shift by more than 20 points (the same epoch on clean images does not), keep clean images
    right, and leave the noise as harmful as before?"""
    r = measured["remedy"]
    base, control = r["our classifier"], r["one more epoch, clean"]
    augmented = r["one more epoch, scanner augmentation"]
    assert augmented["scanner|1"] > base["scanner|1"] + 0.2
    assert control["scanner|1"] < base["scanner|1"] + 0.05
    assert augmented["scanner|0"] > 0.97 and augmented["scanner|0.5"] > 0.95
    assert augmented["noise|0.3"] < base["noise|0.3"] + 0.1


def test_adversarial_attacks(measured):
    """Does FGSM cost accuracy as eps grows, PGD more at every eps, with the accuracy halved at
    about 4/255 for PGD and about twice that for FGSM; does PGD at 8/255 leave almost nothing right
    at high confidence; is every example flipped with at most 4 gray levels; does the targeted
    attack succeed more often as eps grows, for most images at 16/255?"""
    fgsm, pgd = measured["fgsm"], measured["pgd"]
    assert fgsm["0"][0] > 0.95 and pgd["0"][0] == fgsm["0"][0]
    assert fgsm["16"][0] < 0.4 and fgsm["8"][0] < 0.75
    for k in range(2, 17, 2):
        assert pgd[str(k)][0] <= fgsm[str(k)][0] + 0.02
    assert pgd["8"][0] < 0.15
    assert pgd["8"][1] > 0.6                                           # confident and wrong
    halving = measured["halving"]
    assert 2 <= halving["PGD"] <= 6
    assert 0.3 < halving["PGD"] / halving["FGSM"] < 0.7
    assert measured["largest_change"] <= 4 + 1e-3
    assert measured["example_flipped"] == [1, 1, 1, 1]
    t = measured["targeted"]
    assert t["4"] < t["8"] < t["16"] and t["16"] > 0.7


def test_a_rare_subgroup_is_served_worse_and_balanced_data_closes_the_gap(measured):
    """With 3 % of the training images from hospital B, is B's accuracy far below A's while a
    test set drawn like the training data reports over 97 %; does a balanced training set of
    the same size shrink the gap to less than half, keeping A near perfect?"""
    rare, balanced = measured["fairness"]["3 % from hospital B"], measured["fairness"]["50 % from hospital B"]
    assert rare["per_group"][0] > 0.97
    assert rare["per_group"][1] < rare["per_group"][0] - 0.1
    assert rare["gap"] == pytest.approx(rare["per_group"][0] - rare["per_group"][1], abs=1e-6)
    assert rare["gap"] > 0.1
    assert rare["as_deployed"] > 0.97 and rare["as_deployed"] > rare["overall"]
    assert balanced["gap"] < rare["gap"] / 2
    assert balanced["per_group"][0] > 0.97
    assert balanced["per_group"][1] > rare["per_group"][1] + 0.08
    assert 0.97 * 0.99 + 0.03 * 0.5 == pytest.approx(0.975, abs=0.001)     # the worked example in the text


def test_gradients_give_away_labels_and_images_and_the_defences_cost(measured):
    """Are the labels read off the updates, are single images rebuilt almost exactly (far below
    the 0.07 error of the average digit); does the error grow with the batch size and the noise,
    noise of 0.1 leaving nothing better than the average digit; does that noise cost accuracy,
    0.3 a third of it, and 0.01 nothing?"""
    assert measured["leaked_labels"] == measured["true_labels"]
    assert all(e < 1e-4 for e in measured["single_error"])
    assert measured["blob_error"] == pytest.approx(0.07, abs=0.01)
    b = measured["batch_errors"]
    assert b["1"] < 1e-4 and b["4"] < 1e-3 and b["16"] > 1e-3
    assert b["16"] < measured["blob_error"]
    e, a = measured["noise_errors"], measured["noise_accuracy"]
    levels = ["0", "0.01", "0.03", "0.1", "0.3"]
    assert all(e[x] < e[y] for x, y in zip(levels, levels[1:]))
    assert e["0.1"] > measured["blob_error"]
    assert a["0"] > 0.85
    assert a["0.01"] >= a["0"] - 0.02
    assert a["0.1"] < a["0"] - 0.03
    assert a["0.3"] < a["0"] - 0.2


def test_the_worked_calibration_examples(measured):
    """Does the ECE of the task's worked example come to 0.4, of an always-sure network that is
    right 60 % of the time to 0.4, and does a confidence of exactly 0.5 fall in the bin (0.4, 0.5]?"""
    assert measured["ece_worked"] == pytest.approx(0.4, abs=1e-6)
    assert measured["ece_always_sure"] == pytest.approx(0.4, abs=1e-6)
    assert measured["ece_edge"] == pytest.approx(0.5, abs=1e-6)
    # 0.5 (right) and 0.45 (wrong) share the bin (0.4, 0.5]: accuracy 0.5, confidence 0.475
    assert measured["ece_edge_bin5"] == pytest.approx(0.025, abs=1e-6)
