"""Chapter 08 reproduces the lectures' numbers and the claims its text makes.

The solution notebook is executed (fast mode, static widgets) with one probe cell appended that
reads what the chapter computed; the assertions below check those values.
"""

from __future__ import annotations

import pytest

from nbtools import ROOT, run_with_probe

pytestmark = pytest.mark.slow

PROBE = """
probe = {
    "lenet_shapes": {k: list(v) for k, v in lenet_shapes.items()},
    "lenet_parameters": lenet_parameters,
    "lenet_1998": sum(lenet_1998.values()),
    "lenet_accuracy": lenet_accuracy,
    "alexnet_paper_parameters": alexnet_paper_parameters,
    "alexnet_neurons": alexnet_neurons,
    "alexnet_depth": alexnet_trace["depth"],
    "alexnet_macs": alexnet_trace["multiply-adds"],
    "alexnet_tv_parameters": alexnet_tv_parameters,
    "receptive_fields": receptive_fields,
    "vgg": {name: {k: v for k, v in r.items() if k != "trace"} for name, r in vgg_counts.items()},
    "vgg16_macs": vgg_counts["vgg16"]["trace"]["multiply-adds"],
    "first_fc": first_fc,
    "fc_share": fc_share,
    "conv_parameter_share": conv_parameter_share,
    "conv_mac_share": conv_mac_share,
    "inception_shape": list(inception_shape),
    "inception_counts": inception_counts,
    "bottleneck": bottleneck,
    "bottleneck_saving": bottleneck_saving,
    "googlenet_parameters": googlenet_parameters,
    "googlenet_depth": googlenet_trace["depth"],
    "googlenet_macs": googlenet_trace["multiply-adds"],
    "googlenet_output_shapes": {k: list(v) for k, v in googlenet_output_shapes.items()},
    "degradation": {f"{d}|{r}": v for (d, r), v in degradation.items()},
    "resnet18_ours": {k: (list(v) if isinstance(v, tuple) else v) for k, v in resnet18_ours.items()},
    "resnet18_torchvision": resnet18_torchvision,
    "decomposition_error": decomposition_error,
    "dense_blocks": dense_blocks,
    "dense_blocks_torchvision": dense_blocks_torchvision,
    "channels_in": channels_in,
    "densenet_depths": list(densenet_depths),
    "se_counts": se_counts,
    "se_macs": se_macs,
    "se_extra": se_extra,
    "se_block_parameters": se_block_parameters,
    "zoo": {name: {k: v for k, v in r.items() if k != "layers"} for name, r in zoo_results.items()},
    "densenet_vs_resnet": densenet_vs_resnet,
    "unet_sizes": unet_original_sizes,
    "unet_output": list(unet_original_trace["output"]),
    "unet_depth": unet_original_trace["depth"],
    "unet_parameters": unet_parameters,
    "unet_convolutions": unet_convolutions,
    "unet_small_sizes": [s[1] for s in unet.sizes],
    "unet_dice": unet_dice,
    "threshold_dice": threshold_dice,
    "explorer_models": list(architectures),
}
"""


@pytest.fixture(scope="module")
def measured(once):
    path = ROOT / "solutions" / "08_architectures" / "08_architectures.ipynb"
    return once("ch08", lambda: run_with_probe(path, PROBE))


def test_lenet5(measured):
    """Does LeNet-5 have the layer shapes of the 1998 paper, 61,706 parameters with a fully
    connected C3 and exactly 60,000 with the paper's connection table, and does it learn the digits?"""
    assert measured["lenet_shapes"] == {"C1": [6, 28, 28], "S2": [6, 14, 14], "C3": [16, 10, 10],
                                        "S4": [16, 5, 5], "C5": [120, 1, 1], "F6": [84], "output": [10]}
    assert measured["lenet_parameters"] == 61_706
    assert measured["lenet_1998"] == 60_000
    assert measured["lenet_accuracy"] > 0.85


def test_alexnet(measured):
    """Does the 2012 AlexNet have 8 layers with weights, about 60 million parameters and 650,000
    neurons (60,965,224 and 659,272 exactly), and torchvision's variant 61,100,840 parameters?"""
    assert measured["alexnet_depth"] == 8
    assert measured["alexnet_paper_parameters"] == 60_965_224
    assert measured["alexnet_paper_parameters"] == pytest.approx(60e6, rel=0.02)
    assert measured["alexnet_neurons"] == 659_272
    assert measured["alexnet_neurons"] == pytest.approx(650e3, rel=0.02)
    assert measured["alexnet_macs"] == 724_406_816
    assert measured["alexnet_tv_parameters"] == 61_100_840


def test_vgg(measured):
    """Do stacked 3x3 convolutions see 3, 5 and 7 pixels; do VGG-16 and VGG-19 built from blocks
    match torchvision block by block and have 138 and 144 million parameters; does the first fully
    connected layer hold 74.3 % of VGG-16 while the convolutions do over 99 % of the work?"""
    assert measured["receptive_fields"] == [3, 5, 7]
    vgg = measured["vgg"]
    assert vgg["vgg16"]["ours"] == vgg["vgg16"]["torchvision"] == 138_357_544
    assert vgg["vgg19"]["ours"] == vgg["vgg19"]["torchvision"] == 143_667_240
    assert round(vgg["vgg16"]["ours"] / 1e6) == 138 and round(vgg["vgg19"]["ours"] / 1e6) == 144
    for name in ("vgg16", "vgg19"):
        assert vgg[name]["blocks"] == vgg[name]["blocks_torchvision"]
    assert measured["first_fc"] == 25088 * 4096 + 4096
    assert measured["fc_share"] == pytest.approx(0.7428, abs=5e-4)
    assert measured["conv_parameter_share"] == pytest.approx(0.106, abs=1e-3)
    assert measured["conv_mac_share"] > 0.99
    assert measured["vgg16_macs"] == pytest.approx(15.47e9, rel=1e-3)


def test_googlenet(measured):
    """Does the inception module 3a output 256 channels, with torchvision's parameters when built
    like torchvision's; does the bottleneck make the 5x5 branch about ten times cheaper; does
    GoogLeNet have 22 layers, 6,624,904 parameters without and 13,004,888 with its auxiliary
    classifiers, which only answer in training mode?"""
    assert measured["inception_shape"] == [2, 256, 28, 28]
    counts = measured["inception_counts"]
    assert counts["ours, torchvision-style"] == counts["torchvision"] == 155_872
    assert counts["paper"] == 163_696
    assert measured["bottleneck"]["5x5 directly"]["weights"] == 192 * 32 * 25
    assert measured["bottleneck"]["1x1 to 16, then 5x5"]["weights"] == 192 * 16 + 16 * 32 * 25
    assert measured["bottleneck_saving"] == pytest.approx(9.68, abs=0.01)
    assert measured["googlenet_depth"] == 22
    assert measured["googlenet_parameters"] == {"with": 13_004_888, "without": 6_624_904}
    assert measured["googlenet_macs"] == pytest.approx(1.5e9, rel=0.01)
    assert measured["googlenet_output_shapes"] == {"logits": [2, 1000], "aux_logits2": [2, 1000],
                                                   "aux_logits1": [2, 1000]}


def test_degradation(measured):
    """Does the deeper plain network have a clearly higher training error than the shallower one,
    for every seed, while the residual network of the same depth does not degrade?"""
    d = measured["degradation"]
    plain_shallow, plain_deep = d["4|False"], d["24|False"]
    residual_shallow, residual_deep = d["4|True"], d["24|True"]
    assert len(plain_deep["train_errors"]) >= 2
    assert plain_deep["train_error"] > plain_shallow["train_error"] + 0.10
    assert all(deep > shallow + 0.05 for deep, shallow in zip(plain_deep["train_errors"],
                                                              plain_shallow["train_errors"]))
    assert residual_deep["train_error"] <= residual_shallow["train_error"] + 0.02
    assert residual_deep["train_error"] < plain_deep["train_error"] - 0.10
    assert all(e < 0.10 for e in residual_deep["train_errors"])
    assert residual_deep["test_error"] < plain_deep["test_error"]


def test_resnet(measured):
    """Does ResNet-18 built from the residual block equal torchvision's (11,689,512 parameters, 18
    layers), and is the pre-activation stack exactly the input plus the sum of its residuals?"""
    r = measured["resnet18_ours"]
    assert r["parameters"] == measured["resnet18_torchvision"] == 11_689_512
    assert r["depth"] == 18 and r["output"] == [1000]
    assert r["identity block"] == 73_984 and r["projection block"] == 230_144
    assert measured["decomposition_error"]["PreActivation"] < 1e-5
    assert measured["decomposition_error"]["PostActivation"] > 0.1


def test_densenet(measured):
    """Do DenseNet-121's four blocks built from the dense block match torchvision's, with the
    channel bookkeeping 64 -> 256, 128 -> 512, 256 -> 1024, 512 -> 1024; do the depth formulas
    give 121, 169 and 201; does DenseNet-121 need three times fewer parameters than ResNet-50?"""
    blocks = measured["dense_blocks"]
    assert [b["parameters"] for b in blocks] == measured["dense_blocks_torchvision"] == [
        335_040, 919_680, 2_837_760, 2_158_080]
    assert [(b["in"], b["out"]) for b in blocks] == [(64, 256), (128, 512), (256, 1024), (512, 1024)]
    channels = measured["channels_in"]
    assert len(channels) == 58 and channels[:3] == [64, 96, 128] and max(channels) == 992
    assert measured["densenet_depths"] == ["DenseNet-121", "DenseNet-169", "DenseNet-201"]
    assert measured["densenet_vs_resnet"] > 3


def test_senet(measured):
    """Does an SE block have the parameters of torchvision's, and does SE (reduction 16) add about
    2.5 million parameters to ResNet-50 (28.1 million in all) and less than 1 % multiply-adds?"""
    assert measured["se_extra"] == 2_530_992
    assert measured["se_block_parameters"] == 2 * 256 * 16 + 16 + 256     # torchvision's SqueezeExcitation(256, 16)
    assert measured["se_counts"]["SE-ResNet-50"] == pytest.approx(28.1e6, rel=0.005)
    assert measured["se_macs"]["SE-ResNet-50"] / measured["se_macs"]["ResNet-50"] < 1.01


@pytest.mark.parametrize("name, depth, parameters, gmacs", [
    ("AlexNet", 8, 61_100_840, 0.714), ("VGG-16", 16, 138_357_544, 15.47), ("VGG-19", 19, 143_667_240, 19.632),
    ("GoogLeNet", 22, 6_624_904, 1.498), ("ResNet-18", 18, 11_689_512, 1.814), ("ResNet-50", 50, 25_557_032, 4.089),
    ("ResNet-152", 152, 60_192_808, 11.514), ("DenseNet-121", 121, 7_978_856, 2.834)])
def test_model_table(measured, name, depth, parameters, gmacs):
    """Does the table reproduce each network's name depth, torchvision's parameter count and its
    published multiply-adds at 224 x 224?"""
    r = measured["zoo"][name]
    assert r["depth"] == depth
    assert r["parameters"] == r["published parameters"] == parameters
    assert r["multiply-adds"] / 1e9 == pytest.approx(gmacs, abs=6e-4)
    assert r["published GMACs"] == pytest.approx(gmacs, abs=1e-9)


def test_unet(measured):
    """Does the original U-Net map 572 x 572 to 388 x 388 through the paper's sizes, with 23
    convolutional layers and about 31 million parameters; does the small U-Net pad 22 -> 11 -> 5
    and segment the shapes (Dice > 0.85) where a brightness threshold cannot (Dice < 0.6)?"""
    assert measured["unet_sizes"] == [568, 280, 136, 64, 28, 52, 100, 196, 388]
    assert measured["unet_output"] == [2, 388, 388]
    assert measured["unet_convolutions"] == 23 and measured["unet_depth"] == 23
    assert measured["unet_parameters"] == 31_030_658
    assert measured["unet_small_sizes"] == [22, 11, 5, 11, 22]
    assert measured["unet_dice"] > 0.85
    assert measured["threshold_dice"] < 0.6
    assert measured["unet_dice"] > measured["threshold_dice"] + 0.25


def test_explorer_covers_the_chapter(measured):
    """Does the architecture explorer offer LeNet-5, the ImageNet networks and U-Net?"""
    assert measured["explorer_models"] == ["LeNet-5", "AlexNet", "VGG-16", "GoogLeNet", "ResNet-18", "ResNet-50",
                                           "ResNet-152", "DenseNet-121", "U-Net (2015)"]
