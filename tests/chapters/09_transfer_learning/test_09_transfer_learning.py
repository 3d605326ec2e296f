"""Chapter 09 reproduces what its text claims: the probe reads the chapter's own values.

The solution notebook runs once in fast mode, offline, so the backbone is the course checkpoint
(the chapter states its numbers for the backbone it prints). Claims are inequalities with margins.
"""

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow

PROBE = """
probe = {
    "source": backbone.source,
    "describe": backbone.describe(),
    "little": LITTLE,
    "lot": dict(LOT),
    "stage": {f"{k[0]}|{k[1]}|{k[2]}|{k[3]}": v for k, v in stage_accuracy.items()},
    "table": {f"{k[0]}|{k[1]}|{k[2]}": v for k, v in table.items()},
    "recipes": list(RECIPES),
    "agreement": dict(agreement),
    "reinit": {f"{k[0]}|{k[1]}": v for k, v in pretrained_vs_reinit.items()},
    "bn": [bn_before, bn_after, bn_shift],
    "ae": {f"{k[0]}|{k[1]}": v for k, v in ae_mean.items()},
    "grid": {f"{k[0]}|{k[1]}|{k[2]}": v for k, v in grid.items()},
    "codes_gap": codes_gap,
}
"""


@pytest.fixture(scope="module")
def measured(once):
    return once("09_transfer_learning", lambda: run_with_probe(
        ROOT / "solutions" / "09_transfer_learning" / "09_transfer_learning.ipynb", PROBE))


def stage(measured, net, name, n, s):
    return measured["stage"][f"{net}|{name}|{n}|{s}"]


def test_the_backbone_is_the_course_checkpoint_offline(measured):
    """Do the tests run with the course checkpoint, and does the chapter print which one?"""
    assert measured["source"] == "course"
    assert "course checkpoint" in measured["describe"]


def test_the_hooked_codes_agree_with_cnn_codes(measured):
    """Do one hooked pass per batch and cnn_codes give the same codes?"""
    assert measured["codes_gap"] < 1e-4


def test_late_features_transfer_to_similar_data_only(measured):
    """Are pretrained codes far better than random ones on the similar target, with layer3 or
    layer4 the best stage, while on digits the gap shrinks and the middle stages come close?"""
    stages = ("layer1", "layer2", "layer3", "layer4")
    little = measured["little"]
    for n in (little, measured["lot"]["similar"]):
        best = max(stages, key=lambda s: stage(measured, "pretrained", "similar", n, s))
        assert best in ("layer3", "layer4")
        gap = (max(stage(measured, "pretrained", "similar", n, s) for s in stages)
               - max(stage(measured, "random", "similar", n, s) for s in stages))
        assert gap > 0.25
    for n in (little, measured["lot"]["different"]):
        gap = (max(stage(measured, "pretrained", "different", n, s) for s in stages)
               - max(stage(measured, "random", "different", n, s) for s in stages))
        assert gap < 0.10
    middle = max(stage(measured, "pretrained", "different", little, s) for s in stages[:3])
    assert middle >= stage(measured, "pretrained", "different", little, "layer4") - 0.03


def test_the_two_by_two_table(measured):
    """Does every recipe beat chance in every cell, does the top-layer linear classifier nearly win
    on similar data with few labels (far above scratch), do middle-layer codes match the top
    layer's on different data with few labels, and does fine-tuning beat frozen codes on digits
    with many labels?"""
    table = measured["table"]
    chance = {"similar": 0.25, "different": 0.10}
    for key, value in table.items():
        assert value > chance[key.split("|")[1]] + 0.05, key
    agreement = measured["agreement"]
    assert agreement["similar/little: linear on the top layer is (nearly) the best"]
    assert agreement["different/little: middle-layer codes at least as good as the top layer's"]
    assert agreement["different/lot: fine-tuning beats the frozen top-layer codes"]
    assert agreement["(b): pretrained top stages matter more on similar data than on different data"]
    assert table["(c) linear, last layer|similar|little"] > table["scratch|similar|little"] + 0.2
    assert table["fine-tune more layers|different|lot"] > table["(c) linear, last layer|different|lot"]
    # the text says scratch comes close on digits with 10 labels per class
    best = max(table[f"{r}|different|little"] for r in measured["recipes"])
    assert table["scratch|different|little"] > best - 0.10


def test_pretrained_top_stages_beat_reinitialized_on_similar_data(measured):
    """Is keeping the pretrained layer3-4 worth 10+ points on the similar target?"""
    for n in ("little", "lot"):
        assert measured["reinit"][f"similar|{n}"] > 0.10


def test_training_mode_batch_norm_drifts(measured):
    """Do 10 training-mode passes over digits, with every weight frozen, ruin the source accuracy?"""
    before, after, shift = measured["bn"]
    assert before > 0.85
    assert after < before - 0.3
    assert shift > 0.05


def test_autoencoder_pretraining_helps_a_frozen_encoder(measured):
    """Does the autoencoder's encoder, frozen, beat a random frozen encoder by 3+ points with 5
    labels per class, and stay within a few points of it when both are fine-tuned?"""
    ae = measured["ae"]
    assert ae["autoencoder|True"] > ae["random|True"] + 0.03
    assert abs(ae["autoencoder|False"] - ae["random|False"]) < 0.06


def test_the_widget_grid_is_complete(measured):
    """Does the precomputed grid hold an accuracy for every target, size and frozen depth?"""
    grid = measured["grid"]
    assert len(grid) >= 2 * 4 * 3
    assert all(0 <= v <= 1 for v in grid.values())
