"""Chapter 11 reproduces the lecture's claims about attribution maps, and the claims its text makes.

The solution notebook is executed (fast mode, static widgets) with one probe cell appended that
reads what the chapter computed; the assertions below check those values.
"""

from __future__ import annotations

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow

PROBE = """
import time as _time
_fig, _ax = plt.subplots()
_start = _time.perf_counter()
draw_map(_ax, "4", "clean", "square", "block1", "Grad-CAM")
_fig.canvas.draw()
_redraw = _time.perf_counter() - _start
plt.close(_fig)
probe = {
    "accuracy": {f"{net}|{test}": a for (net, test), a in test_accuracy.items()},
    "cost": {str(s): {"map": list(c["map"]), "passes": c["passes"]} for s, c in cost.items()},
    "passes_224": passes_224,
    "occluders": {f"{p}|{f:g}": v for (p, f), v in occluders.items()},
    "identity": identity,
    "upsampling": upsampling,
    "equivalence": equivalence,
    "alpha_error": alpha_error,
    "alpha_max": alpha_autograd.abs().max().item(),
    "captum": captum_comparison,
    "shares": {f"{setting}|{method}": s for (setting, method), s in shares.items()},
    "area": area,
    "attention": {k: {"accuracy": v["accuracy"], "tag": v["tag"], "shape": v["shape"]} for k, v in attention.items()},
    "backbone": {"source": backbone.source, "line": backbone.describe(), "side": side,
                 "maps": {k: list(v.shape) for k, v in backbone_maps.items()},
                 "finite": all(bool(v.isfinite().all()) for v in backbone_maps.values()),
                 "top": [backbone.classes[c] for c in top_class]},
    "widget_images": list(IMAGES),
    "widget_maps": len(precomputed),
    "redraw_seconds": _redraw,
}
"""

HANS, CLEAN = "Clever Hans, tagged images", "clean, no tag"
METHODS = ("occlusion", "CAM", "Grad-CAM, block2")


@pytest.fixture(scope="module")
def measured(once):
    path = ROOT / "solutions" / "11_cam" / "11_cam.ipynb"
    return once("ch11", lambda: run_with_probe(path, PROBE))


def test_the_tagged_network_is_right_for_the_wrong_reason(measured):
    """Does the network trained on tagged shapes score (almost) perfectly on tagged test images,
    clearly worse without the tag and near chance (1/3) with the tag in a random corner, while the
    network trained without the tag recognises the shapes (> 85 %)?"""
    a = measured["accuracy"]
    assert a["Clever Hans|tag in the class's corner"] > 0.98
    assert a["Clever Hans|no tag"] < a["Clever Hans|tag in the class's corner"] - 0.15
    assert a["Clever Hans|tag in a random corner"] < 0.5
    assert a["clean|no tag"] > 0.85
    assert a["clean|tag in a random corner"] > a["Clever Hans|tag in a random corner"]


def test_occlusion_costs_one_forward_pass_per_position(measured):
    """Does a 6-pixel occluder on a 32 x 32 image take 7 x 7, 14 x 14 and 27 x 27 positions at
    strides 4, 2 and 1, each one forward pass plus one for the intact image (and 47,962 passes at
    224 x 224 and stride 1)?"""
    cost = measured["cost"]
    for stride, side in (("4", 7), ("2", 14), ("1", 27)):
        assert cost[stride]["map"] == [side, side]
        assert cost[stride]["passes"] == side * side + 1
    assert measured["passes_224"] == 219 ** 2 + 1 == 47_962


def test_the_occluder_size_and_fill_change_the_map(measured):
    """On an image whose tag points to another class: does hiding the tag *raise* the true class's
    probability (a negative map), by more than 0.15 with an 8-pixel gray patch and by less than
    half of that with a 2-pixel patch, which cannot cover the 4-pixel tag?"""
    o = measured["occluders"]
    assert o["8|0.5"]["rise"] > 0.15
    assert o["2|0.5"]["rise"] < o["8|0.5"]["rise"] / 2


def test_the_cam_identity_holds_to_float_precision(measured):
    """Is every class score of both trained networks the mean of its class activation map plus
    the bias, to float32 rounding (scores of order 10, errors below 1e-4)?"""
    for net in ("Clever Hans", "clean"):
        assert measured["identity"][net]["max_error"] < 1e-4
        assert measured["identity"][net]["max_score"] > 1.0


def test_upsampling_puts_a_cell_where_it_was_pooled_from(measured):
    """Does bilinear upsampling with align_corners=False (and nearest) put cell (1, 6) of an 8 x 8
    map at pixel (5.5, 25.5), the centre of its 4 x 4 block, and align_corners=True shift it
    towards the border (row 31/7, column 6 * 31/7)?"""
    up = measured["upsampling"]
    assert up["bilinear, align_corners=False"] == pytest.approx([5.5, 25.5], abs=1e-4)
    assert up["nearest"] == pytest.approx([5.5, 25.5], abs=1e-4)
    assert up["bilinear, align_corners=True"] == pytest.approx([31 / 7, 6 * 31 / 7], abs=0.02)


def test_grad_cam_of_a_gap_network_is_cam_up_to_a_positive_factor(measured):
    """Is Z x Grad-CAM of the last block equal to ReLU(CAM) (Z = 64) for all classes of all test
    images, and do the hooks' gradients agree with central differences in float64?"""
    for net in ("Clever Hans", "clean"):
        e = measured["equivalence"][net]
        assert e["max_error"] < 1e-5 * max(1.0, e["max_cam"]) * 10
    assert measured["alpha_error"] < 1e-8
    assert measured["alpha_max"] > 1e-4
    if measured["captum"] is not None:          # only where captum is installed
        assert measured["captum"]["grad_cam"] < 1e-5
        assert measured["captum"]["occlusion"] < 1e-5


def test_the_maps_put_their_mass_on_the_tag_or_on_the_shape(measured):
    """For occlusion, CAM and Grad-CAM of block 2: does the tagged network's map put at least three
    times the tag region's share of the area on the tag, and less on the shape than the clean
    network's map; does the clean network's map put more than the shape's share of the area on the
    shape and less than the tag region's share on the tag's corner?"""
    s, area = measured["shares"], measured["area"]
    assert area["tag"] == pytest.approx(64 / 1024)
    for method in METHODS:
        hans, clean = s[f"{HANS}|{method}"], s[f"{CLEAN}|{method}"]
        assert hans["tag"] > 3 * area["tag"], method
        assert hans["shape"] < clean["shape"], method
        assert clean["shape"] > area["shape"], method
        assert clean["tag"] < area["tag"], method
    assert s[f"{HANS}|occlusion"]["tag"] > 0.4                # occlusion: the most extreme
    assert s[f"{CLEAN}|CAM"]["shape"] > 1.5 * area["shape"]   # "about twice its share of the area"


def test_attention_pooling_shows_the_same(measured):
    """Does an attention-pooling head on the tagged network's features pool mostly from the tag
    region, and one on the clean network's features from the shape?"""
    att, area = measured["attention"], measured["area"]
    assert att[HANS]["accuracy"] > 0.95 and att[CLEAN]["accuracy"] > 0.85
    assert att[HANS]["tag"] > 0.4
    assert att[CLEAN]["shape"] > area["shape"] and att[CLEAN]["tag"] < area["tag"]


def test_grad_cam_runs_on_the_pretrained_backbone(measured):
    """Does the chapter say which backbone ran, and compute finite Grad-CAM maps of layer4 and
    layer3 at the image size (128 for the course checkpoint, 224 for ImageNet)?"""
    b = measured["backbone"]
    assert b["source"] in ("course", "imagenet")
    assert b["line"].startswith("backbone: ")
    assert b["finite"]
    assert b["side"] == (224 if b["source"] == "imagenet" else 128)
    assert b["maps"]["layer4"] == [4, b["side"], b["side"]]
    assert len(b["top"]) == 4


def test_the_explorer_is_precomputed_and_redraws_fast(measured):
    """Are the maps of six images, two networks, three classes and five kinds (occlusion, CAM,
    Grad-CAM of three blocks) computed in advance, and does one redraw take well under a second?"""
    assert len(measured["widget_images"]) == 6
    assert measured["widget_maps"] == 2 * 3 * 5
    assert measured["redraw_seconds"] < 1.0
