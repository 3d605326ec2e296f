"""Chapter 04 reproduces the lecture's numbers and the claims its text makes.

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
    "symmetry": symmetry,
    "linear_factor": {str(k): v for k, v in linear_factor.items()},
    "linear_std": {str(k): v for k, v in linear_std.items()},
    "xavier_linear_std": xavier_linear_std,
    "depth_results": {str(k): v for k, v in depth_results.items()},
    "coin": {str(k): v for k, v in coin.items()},
    "sum_variance": sum_variance,
    "sum_theory": sum_theory,
    "relu_g0": relu_g0,
    "relu_g1": relu_g1,
    "he_vs_torch": [mine, torchs],
    "forward_std": forward_std,
    "backward_std": backward_std,
    "forward_predicted": forward_predicted,
    "backward_predicted": backward_predicted,
    "per_layer": per_layer,
    "log_error": log_error,
    "learning": {f"{layers}|{name}": {"final_loss": r["final_loss"], "test_accuracy": r["test_accuracy"],
                                      "start_loss": r["curve"][:20].mean().item()}
                 for (layers, name), r in learning.items()},
    "seeds": len(seeds),
    "grad_ratio": grad_ratio.tolist(),
}
"""

SMALL, XAVIER, HE = "N(0, 0.01²)", "Xavier, Var[w] = 1/n", "He, Var[w] = 2/n"


@pytest.fixture(scope="module")
def measured(once):
    path = ROOT / "solutions" / "04_initialization" / "04_initialization.ipynb"
    return once("ch04", lambda: run_with_probe(path, PROBE))


def test_equal_weights_keep_the_units_identical(measured):
    """Do zero and constant starts leave one distinct hidden unit after training, far less
    accurate than the random start, which has 32 distinct units? Does the zero start stay at chance?"""
    s = measured["symmetry"]
    assert s["all zeros"]["distinct_units"] == 1
    assert s["all equal to 0.01"]["distinct_units"] == 1
    assert s["random, N(0, 0.01²)"]["distinct_units"] == 32
    assert s["all zeros"]["test_accuracy"] < 0.15
    assert s["random, N(0, 0.01²)"]["test_accuracy"] > 0.9
    assert s["all equal to 0.01"]["test_accuracy"] < s["random, N(0, 0.01²)"]["test_accuracy"] - 0.3


def test_linear_network_changes_the_signal_exponentially(measured):
    """Is the per-layer factor of a linear network sigma * sqrt(n) (0.1, 1, 1.5 for n = 100), so
    that 0.01 vanishes and 0.15 explodes; does Xavier keep the output std near 1?"""
    f = measured["linear_factor"]
    assert f["0.01"] == pytest.approx(0.1, rel=0.05)
    assert f["0.1"] == pytest.approx(1.0, rel=0.05)
    assert f["0.15"] == pytest.approx(1.5, rel=0.05)
    assert measured["linear_std"]["0.01"][-1] < 1e-25
    assert measured["linear_std"]["0.15"][-1] > 1e4
    assert 0.5 < measured["xavier_linear_std"] < 2.0


def test_small_weights_die_with_depth(measured):
    """With N(0, 0.01²): does one hidden layer learn (> 90 %), two learn only a little, three and
    more not at all (loss at ln 10); is every extra layer's initial score std > 10 times smaller?"""
    d = measured["depth_results"]
    assert d["1"]["test_accuracy"] > 0.9
    assert d["2"]["loss"] < math.log(10) - 0.1                    # learns a little
    assert d["2"]["test_accuracy"] < d["1"]["test_accuracy"] - 0.2    # but far less than one layer
    for k in ("3", "4", "6"):
        assert d[k]["loss"] == pytest.approx(math.log(10), abs=0.01)
    stds = [d[k]["score_std"] for k in ("1", "2", "3", "4", "6")]
    assert all(b < a / 10 for a, b in zip(stds, stds[1:]))


def test_coin_tossing_statistics(measured):
    """Do 1, 100 and 10,000 tosses give mean 0.5, 50, 5000 and std 0.5, 5, 50 within sampling error?"""
    c = measured["coin"]
    assert c["1"]["mean"] == pytest.approx(0.5, abs=0.005)
    assert c["1"]["std"] == pytest.approx(0.5, abs=0.005)
    assert c["100"]["mean"] == pytest.approx(50, abs=0.15)
    assert c["100"]["std"] == pytest.approx(5, rel=0.02)
    assert c["10000"]["mean"] == pytest.approx(5000, abs=5)
    assert c["10000"]["std"] == pytest.approx(50, rel=0.06)


def test_variance_of_a_sum_and_relu_gains(measured):
    """Is Var[sum w x] = n Var[w] Var[x] confirmed, and are G0 and G1 of ReLU 1/2?"""
    assert measured["sum_variance"] == pytest.approx(measured["sum_theory"], rel=0.05)
    assert measured["sum_theory"] == pytest.approx(0.64, rel=0.01)
    assert measured["relu_g0"] == pytest.approx(0.5, abs=0.005)
    assert measured["relu_g1"] == pytest.approx(0.5, abs=0.005)
    mine, torchs = measured["he_vs_torch"]
    assert mine == pytest.approx(math.sqrt(2 / 1600), rel=0.02)
    assert torchs == pytest.approx(math.sqrt(2 / 1600), rel=0.02)


def test_thirty_layer_statistics(measured):
    """At depth 30: does N(0, 0.01²) vanish by > 25 orders of magnitude (forward and backward),
    does He keep std of order 1 at every layer, and does Xavier lose about sqrt(1/2) per layer?"""
    fw, bw = measured["forward_std"], measured["backward_std"]
    assert fw[SMALL][-1] < 1e-25 and bw[SMALL][0] < 1e-25
    assert all(0.3 < v < 3 for v in fw[HE] + bw[HE])
    assert measured["per_layer"][XAVIER] == pytest.approx(math.sqrt(0.5), abs=0.04)
    assert measured["per_layer"][SMALL] == pytest.approx(math.sqrt(0.5 * 256 * 1e-4), rel=0.05)
    assert 1e-6 < fw[XAVIER][-1] < 1e-3 and 1e-6 < bw[XAVIER][0] < 1e-3
    assert fw[SMALL][-1] < fw[XAVIER][-1] < fw[HE][-1]


def test_predictions_follow_the_measurements(measured):
    """Is every layer's measured std within a factor 3 of the prediction (the text prints the
    worst factor), and do the predictions have the expected values?"""
    assert math.exp(measured["log_error"]) < 3
    assert measured["forward_predicted"][HE][-1] == pytest.approx(math.sqrt(2), rel=0.02)
    assert measured["backward_predicted"][HE][0] == pytest.approx(1.0, rel=1e-6)
    assert measured["forward_predicted"][XAVIER][-1] == pytest.approx(0.5 ** 14.5, rel=0.02)


def test_he_learns_at_thirty_layers_and_xavier_does_not(measured):
    """Depth 10: do both learn, 1/n more slowly? Depth 30: does He learn (loss far below ln 10,
    accuracy > 80 %) while 1/n stays at chance? Are 1/n's weight gradients > 10,000 times smaller?"""
    r = measured["learning"]
    chance = math.log(10)
    assert r[f"10|{HE}"]["final_loss"] < 0.2
    assert r[f"10|{XAVIER}"]["final_loss"] < chance - 0.3
    assert r[f"10|{HE}"]["final_loss"] < r[f"10|{XAVIER}"]["final_loss"] / 3
    assert r[f"30|{HE}"]["final_loss"] < 0.5
    assert r[f"30|{HE}"]["test_accuracy"] > 0.8
    assert r[f"30|{XAVIER}"]["final_loss"] == pytest.approx(chance, abs=0.02)
    assert r[f"30|{XAVIER}"]["test_accuracy"] < 0.2
    assert min(measured["grad_ratio"]) > 1e4
