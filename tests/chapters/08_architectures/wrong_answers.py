"""Typical wrong answers to chapter 08's exercises (see tests/test_grading.py).

Each body replaces the first solution region of its cell. For the classes (ResidualBlock,
DenseBlock, SEBlock) that region is the body of ``__init__``; a wrong ``forward`` is written
there too and set on the instance (``self.forward = ...``), which ``nn.Module.__call__`` uses in
place of the class's own.
"""

from textwrap import indent

AFFECTS: dict[str, set[str]] = {}


def with_forward(init: str, forward: str) -> str:
    """An ``__init__`` body that builds the layers and then replaces the block's forward."""
    return init.strip("\n") + "\n\n\ndef _forward(x):\n" + indent(forward.strip("\n"), "    ") + \
        "\n\n\nself.forward = _forward\n"


RESIDUAL_INIT = """
self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
self.bn1 = nn.BatchNorm2d(out_channels)
self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
self.bn2 = nn.BatchNorm2d(out_channels)
if stride == 1 and in_channels == out_channels:
    self.shortcut = nn.Identity()
else:
    self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                  nn.BatchNorm2d(out_channels))
"""

RESIDUAL_LAYERS = """
self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False)
self.bn1 = nn.BatchNorm2d(out_channels)
self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False)
self.bn2 = nn.BatchNorm2d(out_channels)
"""

DENSE_INIT = """
self.out_channels = in_channels + num_layers * growth_rate
width = bn_size * growth_rate
self.layers = nn.ModuleList()
for i in range(num_layers):
    channels = in_channels + i * growth_rate
    self.layers.append(nn.Sequential(
        nn.BatchNorm2d(channels), nn.ReLU(), nn.Conv2d(channels, width, 1, bias=False),
        nn.BatchNorm2d(width), nn.ReLU(), nn.Conv2d(width, growth_rate, 3, padding=1, bias=False)))
"""


def dense_layers(channels: str, *, width: str = "bn_size * growth_rate", out_channels: str =
                 "in_channels + num_layers * growth_rate", padding: str = "1") -> str:
    return f"""
self.out_channels = {out_channels}
width = {width}
self.layers = nn.ModuleList()
for i in range(num_layers):
    channels = {channels}
    self.layers.append(nn.Sequential(
        nn.BatchNorm2d(channels), nn.ReLU(), nn.Conv2d(channels, width, 1, bias=False),
        nn.BatchNorm2d(width), nn.ReLU(), nn.Conv2d(width, growth_rate, 3, padding={padding}, bias=False)))
"""


SE_INIT = """
hidden = max(1, channels // reduction)
self.fc1 = nn.Linear(channels, hidden)
self.fc2 = nn.Linear(hidden, channels)
"""


def se_forward(body: str) -> str:
    return with_forward(SE_INIT, body)


WRONG_ANSWERS = {
    "count_parameters": {
        "counts the state_dict (buffers too)": """
            total = 0
            for name, value in model.state_dict().items():
                total += value.numel()
            return total
        """,
        "each module's own parameters (tied weights twice)": """
            total = 0
            for module in model.modules():
                for p in module.parameters(recurse=False):
                    if p.requires_grad or not trainable_only:
                        total += p.numel()
            return total
        """,
        "named_parameters without removing duplicates": """
            return sum(p.numel() for _, p in model.named_parameters(remove_duplicate=False)
                       if p.requires_grad or not trainable_only)
        """,
        "sums over every module recursively (nested parameters counted again)": """
            return sum(p.numel() for m in model.modules() for p in m.parameters()
                       if p.requires_grad or not trainable_only)
        """,
        "counts the parameter tensors, not their numbers": """
            return len([p for p in model.parameters() if p.requires_grad or not trainable_only])
        """,
        "ignores trainable_only": """
            return sum(p.numel() for p in model.parameters())
        """,
        "trainable_only inverted (counts the frozen ones)": """
            return sum(p.numel() for p in model.parameters() if (not p.requires_grad) or not trainable_only)
        """,
        "adds the frozen parameters a second time": """
            total = sum(p.numel() for p in model.parameters() if p.requires_grad)
            if not trainable_only:
                total += sum(p.numel() for p in model.parameters())
            return total
        """,
        "only the weights, no biases": """
            return sum(p.numel() for name, p in model.named_parameters()
                       if name.endswith("weight") and (p.requires_grad or not trainable_only))
        """,
        "only the children's parameters (misses the model's own)": """
            seen, total = set(), 0
            for child in model.children():
                for p in child.parameters():
                    if id(p) not in seen and (p.requires_grad or not trainable_only):
                        seen.add(id(p))
                        total += p.numel()
            return total
        """,
        "returns a tensor": """
            return torch.tensor(sum(p.numel() for p in model.parameters() if p.requires_grad or not trainable_only))
        """,
        "returns a float": """
            import numpy as np
            return float(sum(np.prod(p.shape) for p in model.parameters() if p.requires_grad or not trainable_only))
        """,
        "calls course_utils.count_parameters": """
            return course_utils.count_parameters(model, trainable_only=trainable_only)
        """,
    },
    "ResidualBlock": {
        "skip added after the second ReLU (no ReLU after the addition)": with_forward(RESIDUAL_INIT, """
            out = F.relu(self.bn1(self.conv1(x)))
            out = F.relu(self.bn2(self.conv2(out)))
            return out + self.shortcut(x)
        """),
        "no ReLU after the addition": with_forward(RESIDUAL_INIT, """
            out = F.relu(self.bn1(self.conv1(x)))
            return self.bn2(self.conv2(out)) + self.shortcut(x)
        """),
        "a ReLU before the addition and another after it": with_forward(RESIDUAL_INIT, """
            out = F.relu(self.bn1(self.conv1(x)))
            out = F.relu(self.bn2(self.conv2(out)))
            return F.relu(out + self.shortcut(x))
        """),
        "batch norm after the ReLU": with_forward(RESIDUAL_INIT, """
            out = self.bn1(F.relu(self.conv1(x)))
            return F.relu(self.bn2(self.conv2(out)) + self.shortcut(x))
        """),
        "adds x instead of shortcut(x)": with_forward(RESIDUAL_INIT, """
            out = F.relu(self.bn1(self.conv1(x)))
            return F.relu(self.bn2(self.conv2(out)) + x)
        """),
        "adds the branch into x in place (identity shortcut)": with_forward(RESIDUAL_INIT, """
            out = F.relu(self.bn1(self.conv1(x)))
            identity = self.shortcut(x)
            identity += self.bn2(self.conv2(out))
            return F.relu(identity)
        """),
        "a projection even when the shapes match": RESIDUAL_LAYERS + """
self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                              nn.BatchNorm2d(out_channels))
""",
        "no projection when only the stride changes": RESIDUAL_LAYERS + """
if in_channels == out_channels:
    self.shortcut = nn.Identity()
else:
    self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                  nn.BatchNorm2d(out_channels))
""",
        "projection without batch normalization": RESIDUAL_LAYERS + """
if stride == 1 and in_channels == out_channels:
    self.shortcut = nn.Identity()
else:
    self.shortcut = nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False)
""",
        "projection with a 3x3 convolution": RESIDUAL_LAYERS + """
if stride == 1 and in_channels == out_channels:
    self.shortcut = nn.Identity()
else:
    self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False),
                                  nn.BatchNorm2d(out_channels))
""",
        "projection that ignores the stride": RESIDUAL_LAYERS + """
if stride == 1 and in_channels == out_channels:
    self.shortcut = nn.Identity()
else:
    self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, bias=False),
                                  nn.BatchNorm2d(out_channels))
""",
        "the stride on the second convolution": """
self.conv1 = nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False)
self.bn1 = nn.BatchNorm2d(out_channels)
self.conv2 = nn.Conv2d(out_channels, out_channels, 3, stride=stride, padding=1, bias=False)
self.bn2 = nn.BatchNorm2d(out_channels)
if stride == 1 and in_channels == out_channels:
    self.shortcut = nn.Identity()
else:
    self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                                  nn.BatchNorm2d(out_channels))
""",
        "convolutions with biases": """
self.conv1 = nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1)
self.bn1 = nn.BatchNorm2d(out_channels)
self.conv2 = nn.Conv2d(out_channels, out_channels, 3, padding=1)
self.bn2 = nn.BatchNorm2d(out_channels)
if stride == 1 and in_channels == out_channels:
    self.shortcut = nn.Identity()
else:
    self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride),
                                  nn.BatchNorm2d(out_channels))
""",
    },
    "DenseBlock": {
        "every layer gets in_channels + growth_rate channels": dense_layers(
            "in_channels + (growth_rate if i > 0 else 0)"),
        "no growth: every layer gets in_channels channels": dense_layers("in_channels"),
        "every layer gets i * growth_rate channels, the input forgotten": dense_layers(
            "max(in_channels, i * growth_rate)"),
        "out_channels forgets the input": dense_layers("in_channels + i * growth_rate",
                                                       out_channels="num_layers * growth_rate"),
        "out_channels counts growth_rate once": dense_layers("in_channels + i * growth_rate",
                                                             out_channels="in_channels + growth_rate"),
        "bn_size ignored (bottleneck of growth_rate channels)": dense_layers(
            "in_channels + i * growth_rate", width="growth_rate"),
        "3x3 convolution without padding": dense_layers("in_channels + i * growth_rate", padding="0"),
        "ReLU before batch norm": """
self.out_channels = in_channels + num_layers * growth_rate
width = bn_size * growth_rate
self.layers = nn.ModuleList()
for i in range(num_layers):
    channels = in_channels + i * growth_rate
    self.layers.append(nn.Sequential(
        nn.ReLU(), nn.BatchNorm2d(channels), nn.Conv2d(channels, width, 1, bias=False),
        nn.ReLU(), nn.BatchNorm2d(width), nn.Conv2d(width, growth_rate, 3, padding=1, bias=False)))
""",
        "layers kept in a plain Python list (not registered)": """
self.out_channels = in_channels + num_layers * growth_rate
width = bn_size * growth_rate
self.layers = []
for i in range(num_layers):
    channels = in_channels + i * growth_rate
    self.layers.append(nn.Sequential(
        nn.BatchNorm2d(channels), nn.ReLU(), nn.Conv2d(channels, width, 1, bias=False),
        nn.BatchNorm2d(width), nn.ReLU(), nn.Conv2d(width, growth_rate, 3, padding=1, bias=False)))
""",
        "returns only the new features, without x": with_forward(DENSE_INIT, """
            features = [x]
            for layer in self.layers:
                features.append(layer(torch.cat(features, dim=1)))
            return torch.cat(features[1:], dim=1)
        """),
        "returns only the last layer's output": with_forward(DENSE_INIT, """
            features = [x]
            for layer in self.layers:
                features.append(layer(torch.cat(features, dim=1)))
            return features[-1]
        """),
        "newest features first": with_forward(DENSE_INIT, """
            features = [x]
            for layer in self.layers:
                features.insert(0, layer(torch.cat(features, dim=1)))
            return torch.cat(features, dim=1)
        """),
        "a plain chain: each layer sees only the previous output": with_forward(DENSE_INIT, """
            features = [x]
            for layer in self.layers:
                features.append(layer(features[-1]) if len(features) > 1 else layer(x))
            return torch.cat(features, dim=1)
        """),
    },
    "SEBlock": {
        "softmax over the channels instead of a sigmoid": se_forward("""
            z = x.mean(dim=(2, 3))
            s = torch.softmax(self.fc2(F.relu(self.fc1(z))), dim=1)
            return x * s[:, :, None, None]
        """),
        "no sigmoid": se_forward("""
            z = x.mean(dim=(2, 3))
            s = self.fc2(F.relu(self.fc1(z)))
            return x * s[:, :, None, None]
        """),
        "ReLU as the gate": se_forward("""
            z = x.mean(dim=(2, 3))
            s = F.relu(self.fc2(F.relu(self.fc1(z))))
            return x * s[:, :, None, None]
        """),
        "tanh as the gate": se_forward("""
            z = x.mean(dim=(2, 3))
            s = torch.tanh(self.fc2(F.relu(self.fc1(z))))
            return x * s[:, :, None, None]
        """),
        "max pooling as the squeeze": se_forward("""
            z = x.amax(dim=(2, 3))
            s = torch.sigmoid(self.fc2(F.relu(self.fc1(z))))
            return x * s[:, :, None, None]
        """),
        "a sum instead of the mean": se_forward("""
            z = x.sum(dim=(2, 3))
            s = torch.sigmoid(self.fc2(F.relu(self.fc1(z))))
            return x * s[:, :, None, None]
        """),
        "no ReLU between fc1 and fc2": se_forward("""
            z = x.mean(dim=(2, 3))
            s = torch.sigmoid(self.fc2(self.fc1(z)))
            return x * s[:, :, None, None]
        """),
        "adds the gates instead of multiplying": se_forward("""
            z = x.mean(dim=(2, 3))
            s = torch.sigmoid(self.fc2(F.relu(self.fc1(z))))
            return x + s[:, :, None, None]
        """),
        "returns the gates": se_forward("""
            z = x.mean(dim=(2, 3))
            return torch.sigmoid(self.fc2(F.relu(self.fc1(z))))
        """),
        "scales x in place": se_forward("""
            z = x.mean(dim=(2, 3))
            s = torch.sigmoid(self.fc2(F.relu(self.fc1(z))))
            return x.mul_(s[:, :, None, None])
        """),
        "hidden = channels // reduction, without max(1, ...)": """
hidden = channels // reduction
self.fc1 = nn.Linear(channels, hidden)
self.fc2 = nn.Linear(hidden, channels)
""",
        "hidden = channels * reduction": """
hidden = channels * reduction
self.fc1 = nn.Linear(channels, hidden)
self.fc2 = nn.Linear(hidden, channels)
""",
        "no biases": """
hidden = max(1, channels // reduction)
self.fc1 = nn.Linear(channels, hidden, bias=False)
self.fc2 = nn.Linear(hidden, channels, bias=False)
""",
    },
    "concat_skip": {
        "crops from the top-left corner": """
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                skip = skip[:, :, :up.shape[2], :up.shape[3]]
            else:
                up = F.pad(up, (d_w // 2, d_w - d_w // 2, d_h // 2, d_h - d_h // 2))
            return torch.cat([skip, up], dim=1)
        """,
        "crop margin rounded up for odd differences": """
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                top, left = (d_h + 1) // 2, (d_w + 1) // 2
                skip = skip[:, :, top:top + up.shape[2], left:left + up.shape[3]]
            else:
                up = F.pad(up, (d_w // 2, d_w - d_w // 2, d_h // 2, d_h - d_h // 2))
            return torch.cat([skip, up], dim=1)
        """,
        "pads all the zeros below and on the right": """
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                skip = skip[:, :, d_h // 2:d_h // 2 + up.shape[2], d_w // 2:d_w // 2 + up.shape[3]]
            else:
                up = F.pad(up, (0, d_w, 0, d_h))
            return torch.cat([skip, up], dim=1)
        """,
        "pads more before than after for odd differences": """
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                skip = skip[:, :, d_h // 2:d_h // 2 + up.shape[2], d_w // 2:d_w // 2 + up.shape[3]]
            else:
                up = F.pad(up, (d_w - d_w // 2, d_w // 2, d_h - d_h // 2, d_h // 2))
            return torch.cat([skip, up], dim=1)
        """,
        "F.pad given (top, bottom, left, right)": """
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                skip = skip[:, :, d_h // 2:d_h // 2 + up.shape[2], d_w // 2:d_w // 2 + up.shape[3]]
            else:
                up = F.pad(up, (d_h // 2, d_h - d_h // 2, d_w // 2, d_w - d_w // 2))
            return torch.cat([skip, up], dim=1)
        """,
        "up's channels first": """
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                skip = skip[:, :, d_h // 2:d_h // 2 + up.shape[2], d_w // 2:d_w // 2 + up.shape[3]]
            else:
                up = F.pad(up, (d_w // 2, d_w - d_w // 2, d_h // 2, d_h - d_h // 2))
            return torch.cat([up, skip], dim=1)
        """,
        "resizes the skip map instead of cropping it": """
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                skip = F.interpolate(skip, size=tuple(up.shape[2:]), mode="bilinear", align_corners=False)
            else:
                up = F.pad(up, (d_w // 2, d_w - d_w // 2, d_h // 2, d_h - d_h // 2))
            return torch.cat([skip, up], dim=1)
        """,
        "resizes the up map instead of padding it": """
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                skip = skip[:, :, d_h // 2:d_h // 2 + up.shape[2], d_w // 2:d_w // 2 + up.shape[3]]
            else:
                up = F.interpolate(up, size=tuple(skip.shape[2:]), mode="nearest")
            return torch.cat([skip, up], dim=1)
        """,
        "adds the maps instead of concatenating": """
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                skip = skip[:, :, d_h // 2:d_h // 2 + up.shape[2], d_w // 2:d_w // 2 + up.shape[3]]
            else:
                up = F.pad(up, (d_w // 2, d_w - d_w // 2, d_h // 2, d_h - d_h // 2))
            return skip[:, :up.shape[1]] + up
        """,
        "always crops (mode ignored)": """
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            skip = skip[:, :, d_h // 2:d_h // 2 + up.shape[2], d_w // 2:d_w // 2 + up.shape[3]]
            return torch.cat([skip, up], dim=1)
        """,
        "no ValueError: any mode but 'crop' pads": """
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                skip = skip[:, :, d_h // 2:d_h // 2 + up.shape[2], d_w // 2:d_w // 2 + up.shape[3]]
            else:
                up = F.pad(up, (d_w // 2, d_w - d_w // 2, d_h // 2, d_h - d_h // 2))
            return torch.cat([skip, up], dim=1)
        """,
        "detaches the inputs (no gradient)": """
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            skip, up = skip.detach(), up.detach()
            d_h, d_w = skip.shape[2] - up.shape[2], skip.shape[3] - up.shape[3]
            if mode == "crop":
                skip = skip[:, :, d_h // 2:d_h // 2 + up.shape[2], d_w // 2:d_w // 2 + up.shape[3]]
            else:
                up = F.pad(up, (d_w // 2, d_w - d_w // 2, d_h // 2, d_h - d_h // 2))
            return torch.cat([skip, up], dim=1)
        """,
        "torchvision's center_crop (its own rounding of odd margins)": """
            from torchvision.transforms.v2.functional import center_crop
            if mode not in ("crop", "pad"):
                raise ValueError(mode)
            if mode == "crop":
                return torch.cat([center_crop(skip, list(up.shape[-2:])), up], dim=1)
            return torch.cat([skip, center_crop(up, list(skip.shape[-2:]))], dim=1)
        """,
    },
}
