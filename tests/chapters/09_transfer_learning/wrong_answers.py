"""Typical wrong answers to chapter 09's exercises (see tests/test_grading.py)."""

AFFECTS: dict[str, set[str]] = {}

_CODES = """
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    m = torch.as_tensor(mean, dtype=images.dtype).view(1, 3, 1, 1)
    s = torch.as_tensor(std, dtype=images.dtype).view(1, 3, 1, 1)
    x = (images - m) / s
    stored = []
    handle = model.get_submodule(layer).register_forward_hook(
        lambda module, inputs, output: stored.append(output.detach()))
    try:
        model.eval()
        with torch.no_grad():
            model(x)
    finally:
        handle.remove()
    out = stored[0]
    return out.mean(dim=(2, 3)) if out.ndim == 4 else out.flatten(1)
"""


def _codes(old: str, new: str) -> str:
    assert _CODES.count(old) == 1, old
    return _CODES.replace(old, new)


_FREEZE = """
    prefix = head + "."
    for name, p in model.named_parameters():
        p.requires_grad_(name.startswith(prefix))
    for name, module in model.named_modules():
        inside = name == head or name.startswith(prefix)
        if isinstance(module, nn.modules.batchnorm._BatchNorm) and not inside:
            module.eval()
    return sorted(n for n, p in model.named_parameters() if p.requires_grad)
"""

_GROUPS = """
    body, top = [], []
    for name, p in model.named_parameters():
        if not p.requires_grad:
            continue
        (top if name.startswith(head + ".") else body).append(p)
    return [{"params": body, "lr": backbone_lr, "weight_decay": weight_decay},
            {"params": top, "lr": head_lr, "weight_decay": weight_decay}]
"""

_PROBE = """
    mean, std = train_codes.mean(0), train_codes.std(0) + 1e-6
    num_classes = int(train_labels.max()) + 1
    head = nn.Linear(train_codes.shape[1], num_classes)
    opt = torch.optim.LBFGS(head.parameters(), lr=1, max_iter=100, line_search_fn="strong_wolfe")
    Z = (train_codes - mean) / std

    def closure():
        opt.zero_grad()
        loss = F.cross_entropy(head(Z), train_labels) + 1e-3 * head.weight.pow(2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        predicted = head((test_codes - mean) / std).argmax(1)
    return (predicted == test_labels).float().mean().item()
"""


def _sub(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


WRONG_ANSWERS = {
    "cnn_codes": {
        "normalizes with 0.5 instead of the pretraining statistics": _codes(
            "x = (images - m) / s", "x = (images - 0.5) / 0.5"),
        "normalizes with the batch's own statistics": _codes(
            "x = (images - m) / s",
            "x = (images - images.mean(dim=(0, 2, 3), keepdim=True)) / images.std(dim=(0, 2, 3), keepdim=True)"),
        "does not normalize at all": _codes("x = (images - m) / s", "x = images"),
        "leaves the hook registered": _codes(
            "    finally:\n        handle.remove()\n", "    finally:\n        pass\n"),
        "runs the network in training mode": _codes("model.eval()", "model.train()"),
        "returns the maps, not their average": _codes(
            "return out.mean(dim=(2, 3)) if out.ndim == 4 else out.flatten(1)", "return out.flatten(1)"),
        "takes the maximum instead of the mean": _codes(
            "return out.mean(dim=(2, 3)) if out.ndim == 4 else out.flatten(1)",
            "return out.amax(dim=(2, 3)) if out.ndim == 4 else out.flatten(1)"),
        "normalizes the images in place": _codes(
            "x = (images - m) / s", "images.sub_(m).div_(s)\n    x = images"),
    },
    "replace_head": {
        "hard-codes 512 inputs (ResNet-18's)": "model.fc = nn.Linear(512, num_classes)\nreturn model",
        "swaps inputs and outputs": "model.fc = nn.Linear(num_classes, model.fc.in_features)\nreturn model",
        "keeps the old number of outputs": (
            "model.fc = nn.Linear(model.fc.in_features, model.fc.out_features)\nreturn model"),
        "puts the new head behind the old one": (
            "model.fc = nn.Sequential(model.fc, nn.Linear(model.fc.out_features, num_classes))\n"
            "return model"),
        "a head without a bias": (
            "model.fc = nn.Linear(model.fc.in_features, num_classes, bias=False)\nreturn model"),
    },
    "freeze_all_but_head": {
        "freezes but leaves batch norm in training mode": _sub(
            _FREEZE, "            module.eval()", "            module.train()"),
        "puts the whole model in eval mode, head included": _sub(
            _FREEZE, "        if isinstance(module, nn.modules.batchnorm._BatchNorm) and not inside:\n"
                     "            module.eval()", "        model.eval()"),
        "freezes the head too": _sub(_FREEZE, "p.requires_grad_(name.startswith(prefix))",
                                     "p.requires_grad_(False)"),
        "only freezes, returns nothing": _sub(
            _FREEZE, "    return sorted(n for n, p in model.named_parameters() if p.requires_grad)", "    return None"),
        "matches the head by substring ('fc' anywhere)": _sub(
            _FREEZE, "p.requires_grad_(name.startswith(prefix))", "p.requires_grad_(head in name)"),
    },
    "parameter_groups": {
        "passes frozen parameters to the optimizer": _sub(
            _GROUPS, "        if not p.requires_grad:\n            continue\n", ""),
        "swaps the two learning rates": _sub(
            _GROUPS, '"lr": backbone_lr, "weight_decay": weight_decay},\n            {"params": top, "lr": head_lr',
            '"lr": head_lr, "weight_decay": weight_decay},\n            {"params": top, "lr": backbone_lr'),
        "forgets the weight decay": _GROUPS.replace('"weight_decay": weight_decay', '"weight_decay": 0.0'),
        "puts the head in both groups": _sub(
            _GROUPS, "(top if name.startswith(head + \".\") else body).append(p)",
            "body.append(p)\n        if name.startswith(head + \".\"):\n            top.append(p)"),
    },
    "linear_probe_accuracy": {
        "trains on the test codes": _sub(_PROBE, "F.cross_entropy(head(Z), train_labels)",
                                         "F.cross_entropy(head((test_codes - mean) / std), test_labels)"),
        "does not standardize, few steps of plain gradient descent": """
    head = nn.Linear(train_codes.shape[1], int(train_labels.max()) + 1)
    opt = torch.optim.SGD(head.parameters(), lr=0.01)
    for _ in range(5):
        loss = F.cross_entropy(head(train_codes), train_labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        return (head(test_codes).argmax(1) == test_labels).float().mean().item()
""",
        "returns a tensor, not a float": _sub(_PROBE, "(predicted == test_labels).float().mean().item()",
                                              "(predicted == test_labels).float().mean()"),
        "returns the training accuracy": _sub(
            _PROBE, "predicted = head((test_codes - mean) / std).argmax(1)\n    return (predicted == test_labels)",
            "predicted = head(Z).argmax(1)\n    return (predicted == train_labels)"),
        "standardizes in place": _sub(_PROBE, "Z = (train_codes - mean) / std",
                                      "Z = train_codes.sub_(mean).div_(std)"),
    },
}
