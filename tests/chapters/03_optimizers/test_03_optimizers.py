"""Chapter 03 reproduces the lecture's momentum illustration and the claims its text makes.

The solution notebook is executed (fast mode, static widgets) with one probe cell appended that
reads what the chapter computed; the assertions below check those values.
"""

from __future__ import annotations

import math

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow

PROBE = """
def _finite_or_none(x):
    return x if math.isfinite(x) else None

def _widget(surface, opt, lr, beta):
    path = optimizer_path(surface, opt, lr, beta)
    last = path[-1]
    ok = bool(np.isfinite(last).all() and np.abs(last).max() < 1e3)
    return {"steps": len(path) - 1, "loss": float(SURFACES[surface]["f"](*last)) if ok else None,
            "swing_after_10": float(np.abs(path[10:, 1]).max()) if ok else None}

probe = {
    "loop_train": loop_log["train"], "loop_val": loop_log["val"],
    "parabola": {name: path.tolist() for name, path in parabola_paths.items()},
    "noise": {str(B): value for B, value in relative_noise.items()},
    "steps_needed": steps_needed,
    "speedup": speedup,
    "nesterov_gap": (lookahead - nesterov).abs().max().item(),
    "across": across,
    "scenarios": [{"name": name, "train": h.train_loss, "val": h.val_loss, "best_epoch": h.best_epoch}
                  for name, h in scenarios.items()],
    "few_digits": len(few_digits),
    "schedule_gaps": schedule_gaps,
    "decay_final": {name: float(losses[-1]) for name, losses in decay_runs.items()},
    "plateau_lr": plateau_history.lr, "lowered_at": lowered_at,
    "step_lengths": {name: [v[0], v[99], v[-1]] for name, v in step_lengths.items()},
    "adam_ratio": {"first": float(too_large[0]), "max": float(too_large.max()),
                   "argmax": int(too_large.argmax()) + 1, "k1000": float(too_large[999])},
    "widget": {
        "valley SGD": _widget("valley", "SGD", 0.003, 0.8),
        "valley momentum": _widget("valley", "momentum", 0.003, 0.8),
        "valley Adam": _widget("valley", "Adam", 0.1, 0.9),
        "valley SGD 0.01": _widget("valley", "SGD", 0.01, 0.8),
        "valley Nesterov": _widget("valley", "Nesterov", 0.003, 0.8),
        "valley RMSProp": _widget("valley", "RMSProp", 0.03, 0.8),
        "banana SGD": _widget("banana", "SGD", 0.001, 0.8),
        "banana momentum": _widget("banana", "momentum", 0.001, 0.9),
        "banana Adam": _widget("banana", "Adam", 0.1, 0.9),
        "saddle SGD": _widget("saddle", "SGD", 0.01, 0.8),
        "saddle momentum": _widget("saddle", "momentum", 0.01, 0.9),
        "saddle Adam": _widget("saddle", "Adam", 0.01, 0.9),
    },
    "sweep_train": {name: [_finite_or_none(final(sweep[name, lr])) for lr in learning_rates]
                    for name in optimizers},
    "learning_rates": learning_rates,
    "best_lr": best_lr,
    "best_train": {name: final(h) for name, h in best.items()},
    "best_val": {name: final(h, "val") for name, h in best.items()},
}
"""


@pytest.fixture(scope="module")
def measured(once):
    path = ROOT / "solutions" / "03_optimizers" / "03_optimizers.ipynb"
    return once("ch03", lambda: run_with_probe(path, PROBE))


def test_the_written_out_loop_learns(measured):
    """Does the hand-written training loop bring both losses down?"""
    train, val = measured["loop_train"], measured["loop_val"]
    assert len(train) == len(val) == 10
    assert train[-1] < 0.25 * train[0]
    assert val[-1] < 0.3 * val[0] and val[-1] < 0.3


def test_step_size_regimes(measured):
    """On L = w²: is λ = 0.05 slow, 0.4 fast, 0.9 oscillating but shrinking, 1.05 diverging?"""
    paths = measured["parabola"]
    slow, good = paths["too small"], paths["about right"]
    oscillating, diverging = paths["too large: oscillates"], paths["far too large: diverges"]
    assert 0.2 < abs(slow[-1]) < 0.5 and all(a > b > 0 for a, b in zip(slow, slow[1:]))
    assert abs(good[-1]) < 1e-5
    assert all(a * b < 0 for a, b in zip(oscillating[1:], oscillating[2:]))
    assert abs(oscillating[-1]) < 0.2
    assert abs(diverging[-1]) > 2 and all(abs(b) > abs(a) for a, b in zip(diverging, diverging[1:]))


def test_minibatch_noise_falls_like_one_over_sqrt_batch(measured):
    """Does the gradient error shrink with the batch, about halving for each factor of 4?"""
    noise = {int(b): v for b, v in measured["noise"].items()}
    sizes = sorted(noise)
    assert all(noise[a] > noise[b] for a, b in zip(sizes, sizes[1:]))
    for small in (1, 4, 16, 64):
        assert 1.5 < noise[small] / noise[4 * small] < 2.7, (small, noise)
    assert noise[1] > 10 * noise[256]


def test_lecture_momentum_illustration(measured):
    """With λ = 0.003 and μ = 0.8 on w1² + 200 w2², does momentum reach L < 1e-3 several times
    sooner than gradient descent (690 against 122 steps)?"""
    steps = measured["steps_needed"]
    assert steps["gradient descent"] == 690
    assert steps["momentum, μ = 0.8"] == 122
    assert measured["speedup"] > 4


def test_nesterov_forms_agree_and_damp_the_swing(measured):
    """Are torch's Nesterov iterates the look-ahead points, does Nesterov need about as many
    steps as momentum, and does it swing across the valley far less after step 10?"""
    assert measured["nesterov_gap"] < 1e-12
    steps = measured["steps_needed"]
    assert abs(steps["Nesterov, μ = 0.8"] - steps["momentum, μ = 0.8"]) <= 0.1 * steps["momentum, μ = 0.8"]
    assert measured["across"]["Nesterov"] < 0.2 * measured["across"]["momentum"]


def test_under_and_overfitting_curves(measured):
    """Underfitting: both losses high and close. Good fit: both low and close. Overfitting:
    training loss near zero, validation loss bottoming out early and rising again."""
    under, good, over = measured["scenarios"]
    assert under["train"][-1] > 1.5 and abs(under["train"][-1] - under["val"][-1]) < 0.1
    assert good["train"][-1] < 0.3 and good["val"][-1] < 0.3
    assert abs(good["train"][-1] - good["val"][-1]) < 0.1
    assert over["train"][-1] < 0.01
    assert over["val"][-1] - over["train"][-1] > 0.3
    assert over["best_epoch"] < len(over["val"]) / 2
    assert over["val"][-1] > 1.05 * min(over["val"])
    assert 40 <= measured["few_digits"] <= 60, "the text speaks of about 50 images"


def test_schedules_agree_with_torch(measured):
    """Do the step, linear, exponential and 1/t formulas match torch.optim.lr_scheduler?"""
    gaps = measured["schedule_gaps"]
    assert len(gaps) == 4
    assert max(gaps.values()) < 1e-12


def test_decaying_schedules_end_below_constant_rates(measured):
    """With noisy gradients, does every decaying schedule end below both constant rates?"""
    final = measured["decay_final"]
    constant = min(v for name, v in final.items() if name.startswith("constant"))
    decayed = [v for name, v in final.items() if not name.startswith("constant")]
    assert len(decayed) == 3 and max(decayed) < 0.6 * constant
    assert final["constant λ = 0.5"] > 10 * final["constant λ = 0.05"]


def test_reduce_on_plateau_lowers_the_rate(measured):
    """Does ReduceLROnPlateau lower the learning rate by factors of 5 during the 25 epochs?"""
    rates = measured["plateau_lr"]
    assert len(rates) == 25 and rates[0] == pytest.approx(0.3)
    assert measured["lowered_at"], "the learning rate was never lowered"
    for epoch in measured["lowered_at"]:
        assert rates[epoch - 1] == pytest.approx(rates[epoch - 2] * 0.2)


def test_adagrad_forgets_nothing_rmsprop_does(measured):
    """AdaGrad: first step λ, then λ/√k, then stuck at 1e-4; RMSProp: a first step of 10 λ
    (no warm-up correction) and steps that grow back after the gradient drops."""
    ada, rms = measured["step_lengths"]["AdaGrad"], measured["step_lengths"]["RMSProp (α = 0.99)"]
    assert ada == pytest.approx([0.1, 0.01, 1e-4], rel=1e-3)
    assert rms[0] == pytest.approx(1.0, rel=1e-4)
    assert 0.1 < rms[1] < 0.15
    assert rms[2] > 100 * ada[2]


def test_adam_warm_up_factor(measured):
    """Is an uncorrected Adam step 3.16 times too large at k = 1, at most 6.57 times (k = 12),
    and still 1.26 times at k = 1000?"""
    ratio = measured["adam_ratio"]
    assert ratio["first"] == pytest.approx(math.sqrt(10), rel=1e-6)
    assert ratio["max"] == pytest.approx(6.57, abs=0.01) and ratio["argmax"] == 12
    assert ratio["k1000"] == pytest.approx(1.26, abs=0.01)


def test_widget_static_panels_show_what_the_text_says(measured):
    """The static panels: SGD far from the valley's minimum, momentum and Adam there, SGD at
    λ = 0.01 diverging, Nesterov swinging less, RMSProp jittering; on the banana momentum ahead
    of Adam ahead of SGD; on the saddle SGD still near the ridge, momentum and Adam in a minimum."""
    w = measured["widget"]
    assert w["valley SGD"]["loss"] > 0.05
    assert w["valley momentum"]["loss"] < 1e-6 and w["valley Adam"]["loss"] < 1e-6
    assert w["valley SGD 0.01"]["loss"] is None and w["valley SGD 0.01"]["steps"] < 20
    assert w["valley Nesterov"]["swing_after_10"] < 0.2 * w["valley momentum"]["swing_after_10"]
    assert 1e-4 < w["valley RMSProp"]["loss"] < 0.1
    assert w["banana momentum"]["loss"] < 0.05 < w["banana Adam"]["loss"] < 1 < w["banana SGD"]["loss"]
    assert w["saddle SGD"]["loss"] > -0.3
    assert w["saddle momentum"]["loss"] < -0.49 and w["saddle Adam"]["loss"] < -0.49


def test_digits_sweep(measured):
    """Each optimizer at its own best λ: momentum and Adam reach a lower training loss than SGD;
    too large a λ stalls at chance or diverges; too small a λ underfits; SGD's best λ is far
    larger than Adam's."""
    lrs, train = measured["learning_rates"], measured["sweep_train"]
    best_train, best_lr = measured["best_train"], measured["best_lr"]
    sgd, momentum, adam = "SGD", "momentum (μ = 0.9)", "Adam"
    assert best_train[momentum] < 0.7 * best_train[sgd]
    assert best_train[adam] < 0.7 * best_train[sgd]
    stalled = lambda v: v is None or v > 2.0
    assert stalled(train[sgd][lrs.index(3.0)])
    assert stalled(train[momentum][lrs.index(3.0)]) and stalled(train[adam][lrs.index(1.0)])
    assert train[sgd][lrs.index(0.001)] > 2.0 and train[momentum][lrs.index(0.001)] > 1.5
    assert best_lr[sgd] >= 10 * best_lr[adam]
    assert best_lr[sgd] > best_lr[momentum] > best_lr[adam]
    best_val = measured["best_val"]
    for name in (momentum, adam):  # the first signs of overfitting: validation well above training
        assert best_val[name] > 2 * best_train[name]
