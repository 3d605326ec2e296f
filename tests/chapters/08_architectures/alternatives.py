"""Correct answers to chapter 08's exercises written unlike the reference; each must get full marks.

For the classes, a body replaces the first solution region (the body of ``__init__``); an
alternative ``forward`` is set on the instance there (see wrong_answers.py).
"""

from textwrap import indent


def with_forward(init: str, forward: str) -> str:
    """An ``__init__`` body that builds the layers and then replaces the block's forward."""
    return init.strip("\n") + "\n\n\ndef _forward(x):\n" + indent(forward.strip("\n"), "    ") + \
        "\n\n\nself.forward = _forward\n"


ALTERNATIVES = {
    "count_parameters": {
        "a dictionary of parameters by identity, from named_parameters": """
            unique = {id(p): p for _, p in model.named_parameters()}
            return sum(p.numel() for p in unique.values() if p.requires_grad or not trainable_only)
        """,
        "math.prod of each shape, after filtering": """
            chosen = [p for p in model.parameters() if p.requires_grad or not trainable_only]
            return int(sum(math.prod(p.shape) for p in chosen))
        """,
        "parameters_to_vector": """
            chosen = [p for p in model.parameters() if not trainable_only or p.requires_grad]
            if not chosen:
                return 0
            return int(torch.nn.utils.parameters_to_vector(chosen).numel())
        """,
    },
    "ResidualBlock": {
        "nn.ReLU modules and torchvision's `out += identity`": with_forward("""
self.conv1 = nn.Conv2d(in_channels, out_channels, kernel_size=3, stride=stride, padding=1, bias=False)
self.bn1 = nn.BatchNorm2d(out_channels)
self.relu = nn.ReLU(inplace=True)
self.conv2 = nn.Conv2d(out_channels, out_channels, kernel_size=3, stride=1, padding=1, bias=False)
self.bn2 = nn.BatchNorm2d(out_channels)
needs_projection = stride != 1 or in_channels != out_channels
self.shortcut = (nn.Sequential(nn.Conv2d(in_channels, out_channels, kernel_size=1, stride=stride, bias=False),
                               nn.BatchNorm2d(out_channels))
                 if needs_projection else nn.Identity())
""", """
identity = self.shortcut(x)
out = self.relu(self.bn1(self.conv1(x)))
out = self.bn2(self.conv2(out))
out += identity
return self.relu(out)
"""),
        "an OrderedDict projection, torch.add and clamp": with_forward("""
from collections import OrderedDict
layers = OrderedDict(
    conv1=nn.Conv2d(in_channels, out_channels, 3, stride, 1, bias=False),
    bn1=nn.BatchNorm2d(out_channels),
    conv2=nn.Conv2d(out_channels, out_channels, 3, 1, 1, bias=False),
    bn2=nn.BatchNorm2d(out_channels),
)
for name, layer in layers.items():
    self.add_module(name, layer)
if (in_channels, stride) == (out_channels, 1):
    self.add_module("shortcut", nn.Identity())
else:
    self.add_module("shortcut", nn.Sequential(OrderedDict([
        ("0", nn.Conv2d(in_channels, out_channels, 1, stride, bias=False)),
        ("1", nn.BatchNorm2d(out_channels))])))
""", """
branch = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
return torch.add(branch, self.shortcut(x)).clamp(min=0)
"""),
        "the reference's forward, layers made by a helper": """
def conv3x3(c_in, c_out, s=1):
    return nn.Conv2d(c_in, c_out, kernel_size=(3, 3), stride=s, padding=(1, 1), bias=False)

self.conv1, self.bn1 = conv3x3(in_channels, out_channels, stride), nn.BatchNorm2d(out_channels)
self.conv2, self.bn2 = conv3x3(out_channels, out_channels), nn.BatchNorm2d(out_channels)
self.shortcut = nn.Identity()
if stride > 1 or in_channels != out_channels:
    self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, (1, 1), stride=(stride, stride), bias=False),
                                  nn.BatchNorm2d(out_channels))
""",
    },
    "DenseBlock": {
        "a running concatenation": with_forward("""
self.layers = nn.ModuleList([
    nn.Sequential(nn.BatchNorm2d(in_channels + i * growth_rate), nn.ReLU(inplace=True),
                  nn.Conv2d(in_channels + i * growth_rate, bn_size * growth_rate, kernel_size=1, bias=False),
                  nn.BatchNorm2d(bn_size * growth_rate), nn.ReLU(inplace=True),
                  nn.Conv2d(bn_size * growth_rate, growth_rate, kernel_size=3, padding=1, bias=False))
    for i in range(num_layers)])
self.out_channels = in_channels + growth_rate * num_layers
""", """
out = x
for layer in self.layers:
    out = torch.cat((out, layer(out)), dim=1)
return out
"""),
        "layers in a Sequential container, channels counted as it goes": with_forward("""
layers, channels = [], in_channels
for _ in range(num_layers):
    layers.append(nn.Sequential(
        nn.BatchNorm2d(channels), nn.ReLU(),
        nn.Conv2d(channels, bn_size * growth_rate, 1, bias=False),
        nn.BatchNorm2d(bn_size * growth_rate), nn.ReLU(),
        nn.Conv2d(bn_size * growth_rate, growth_rate, 3, padding=1, bias=False)))
    channels += growth_rate
self.layers = nn.Sequential(*layers)
self.out_channels = channels
""", """
features = (x,)
for layer in self.layers:
    features = features + (layer(torch.cat(features, 1)),)
return torch.cat(features, 1)
"""),
    },
    "SEBlock": {
        "1x1 convolutions, as torchvision's SqueezeExcitation": with_forward("""
squeezed = max(channels // reduction, 1)
self.fc1 = nn.Conv2d(channels, squeezed, kernel_size=1)
self.fc2 = nn.Conv2d(squeezed, channels, kernel_size=1)
""", """
z = F.adaptive_avg_pool2d(x, 1)                       # (N, C, 1, 1)
s = torch.sigmoid(self.fc2(torch.relu(self.fc1(z))))  # (N, C, 1, 1)
return s * x
"""),
        "flattened mean, F.linear and einsum": with_forward("""
hidden = channels // reduction if channels >= reduction else 1
self.fc1 = nn.Linear(channels, hidden)
self.fc2 = nn.Linear(hidden, channels)
""", """
z = x.flatten(2).mean(-1)
h = F.linear(z, self.fc1.weight, self.fc1.bias).clamp(min=0)
s = 1 / (1 + torch.exp(-F.linear(h, self.fc2.weight, self.fc2.bias)))
return torch.einsum("nchw,nc->nchw", x, s)
"""),
    },
    "concat_skip": {
        "narrow to crop, a zero canvas to pad": """
            if mode == "crop":
                top = (skip.shape[2] - up.shape[2]) // 2
                left = (skip.shape[3] - up.shape[3]) // 2
                cropped = skip.narrow(2, top, up.shape[2]).narrow(3, left, up.shape[3])
                return torch.cat((cropped, up), 1)
            if mode == "pad":
                top = (skip.shape[2] - up.shape[2]) // 2
                left = (skip.shape[3] - up.shape[3]) // 2
                canvas = up.new_zeros(up.shape[0], up.shape[1], skip.shape[2], skip.shape[3])
                canvas[:, :, top:top + up.shape[2], left:left + up.shape[3]] = up
                return torch.cat((skip, canvas), 1)
            raise ValueError(f"unknown mode {mode!r}")
        """,
        "F.pad with negative padding crops": """
            if mode not in {"crop", "pad"}:
                raise ValueError("mode must be 'crop' or 'pad'")
            d_h = skip.shape[-2] - up.shape[-2]
            d_w = skip.shape[-1] - up.shape[-1]
            margins = [d_w // 2, d_w - d_w // 2, d_h // 2, d_h - d_h // 2]
            if mode == "crop":
                return torch.cat([F.pad(skip, [-m for m in margins]), up], dim=1)
            return torch.cat([skip, nn.ZeroPad2d(margins)(up)], dim=1)
        """,
    },
}
