"""Chapter 12 reproduces what its text claims: the probe reads the chapter's own values.

The solution notebook runs once (fast mode, offline: the course checkpoint and the random
multi-scale network; VGG-19 is not available in the tests) with a probe cell appended.
"""

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow

PROBE = """
probe = {
    "backbone": backbone.source,
    "networks": list(NETWORKS),
    "texture_stats": texture_stats,
    "texture_vs": {f"{a}|{b}": d for (a, b), d in texture_vs.items()},
    "noise_vs": noise_vs,
    "same_closest": same_closest,
    "synthesis": {f"{n}|{t}": v for (n, t), v in synthesis_table.items()},
    "ratio_effect": {f"{r:g}": v for r, v in ratio_effect.items()},
    "content_layer": {k: v["pixel_mse"] for k, v in content_layer_effect.items()},
    "snapshots": {f"{r:g}|{s}": sorted(v["snapshots"]) for (r, s), v in transfers.items()},
    "SNAPSHOTS": list(SNAPSHOTS),
}
"""
TEXTURES = ("brick", "grass", "gravel")
RANDOM, COURSE = "random multi-scale", "course checkpoint"


@pytest.fixture(scope="module")
def measured(once):
    return once("12_style_transfer", lambda: run_with_probe(
        ROOT / "solutions" / "12_style_transfer" / "12_style_transfer.ipynb", PROBE))


def test_the_tests_run_with_the_offline_networks(measured):
    """Does the chapter run offline on the course checkpoint and the random network, VGG-19 left out?"""
    assert measured["backbone"] == "course"
    assert measured["networks"] == [RANDOM, COURSE]


def test_local_statistics_tell_the_textures_apart(measured):
    """Is brick the calmest texture (lowest local entropy, std and range) and grass the busiest?
    Is uniform noise far from every texture in its local-std histogram (distance > 0.9), farther
    than any two textures are from each other?"""
    s = measured["texture_stats"]
    for stat in ("local entropy", "local std", "local range"):
        assert s["brick"][stat] < s["gravel"][stat] < s["grass"][stat], stat
    assert min(measured["noise_vs"].values()) > 0.9
    assert max(measured["texture_vs"].values()) < min(measured["noise_vs"].values())


def test_gram_matrices_recognise_a_texture_from_another_crop(measured):
    """With the random multi-scale network, is a crop's Gram matrix closest to that of another crop
    of the same texture (smallest in its row and its column)? The course checkpoint confuses grass
    and gravel, as the text says."""
    assert measured["same_closest"][RANDOM] is True
    assert measured["same_closest"][COURSE] is False


def test_synthesis_reduces_every_layers_style_loss(measured):
    """Does L-BFGS on the pixels bring every layer's style loss below 1/20 of its start, for both
    networks and all three textures (below 1/1000 for the random network)?"""
    for key, r in measured["synthesis"].items():
        limit = 1e-3 if key.startswith(RANDOM) else 0.05
        assert max(r["ratio"]) < limit, (key, r["ratio"])


def test_random_filters_match_the_look_the_course_checkpoint_does_not(measured):
    """Is the random network's result close to the target in local-std histogram (distance < 0.35,
    against 1.0 for the starting noise), while the course checkpoint's stays as far as the noise
    (> 0.9)?"""
    for t in TEXTURES:
        assert measured["synthesis"][f"{RANDOM}|{t}"]["hist"] < 0.35, t
        assert measured["synthesis"][f"{RANDOM}|{t}"]["hist"] < 0.5 * measured["noise_vs"][t], t
        assert measured["synthesis"][f"{COURSE}|{t}"]["hist"] > 0.9, t


def test_alpha_over_beta_trades_the_photo_for_the_style(measured):
    """As alpha/beta falls from 10 to 1 to 0.1, does the final style loss fall and the pixel error
    to the photograph grow?"""
    r = measured["ratio_effect"]
    assert r["10"]["style_ratio"] > r["1"]["style_ratio"] > r["0.1"]["style_ratio"]
    assert r["10"]["pixel_mse"] < r["1"]["pixel_mse"] < r["0.1"]["pixel_mse"]


def test_the_explorer_has_every_snapshot(measured):
    """Does every precomputed transfer keep an image for each iteration count the explorer offers?"""
    for key, kept in measured["snapshots"].items():
        assert kept == measured["SNAPSHOTS"], key
