"""Typical wrong answers to the exercises of chapter 05 (see the package docstring)."""

CHAPTER = "05_batchnorm"

# batchnorm_forward calls the student's batch_statistics, so a wrong batch_statistics also costs
# points there.
AFFECTS = {"batch_statistics": {"batchnorm_forward_tests"}}

# The reference forward pass with one line changed, for the wrong answers below.
_FORWARD = """
    shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
    if training:
        mean, var = batch_statistics(x)
        n = x.numel() // x.shape[1]
        with torch.no_grad():
            new_mean = (1 - momentum) * running_mean + momentum * mean
            new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)
    else:
        mean, var = running_mean, running_var
        new_mean, new_var = running_mean, running_var
    x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
    out = gamma.reshape(shape) * x_hat + beta.reshape(shape)
    return out, new_mean, new_var
"""


def _forward(old: str, new: str) -> str:
    assert _FORWARD.count(old) == 1, old
    return _FORWARD.replace(old, new)


# The reference backward pass, likewise.
_BACKWARD = """
    n = x.shape[0]
    mean = x.mean(dim=0)
    var = ((x - mean) ** 2).mean(dim=0)
    inv_std = 1 / torch.sqrt(var + eps)
    x_hat = (x - mean) * inv_std
    dbeta = dout.sum(dim=0)
    dgamma = (dout * x_hat).sum(dim=0)
    d = dout * gamma
    dx = inv_std * (d - d.mean(dim=0) - x_hat * (d * x_hat).mean(dim=0))
    return dx, dgamma, dbeta
"""


def _backward(old: str, new: str) -> str:
    assert _BACKWARD.count(old) == 1, old
    return _BACKWARD.replace(old, new)


_MLP = """
    if placement not in ("before", "after"):
        raise ValueError(f"placement must be 'before' or 'after', got {placement!r}")
    layers = [nn.Flatten()]
    width = in_features
    for h in hidden:
        if placement == "before":
            layers += [nn.Linear(width, h, bias=False), nn.BatchNorm1d(h), nn.ReLU()]
        else:
            layers += [nn.Linear(width, h), nn.ReLU(), nn.BatchNorm1d(h)]
        width = h
    layers.append(nn.Linear(width, num_classes))
    return nn.Sequential(*layers)
"""


def _mlp(old: str, new: str) -> str:
    assert _MLP.count(old) == 1, old
    return _MLP.replace(old, new)


WRONG_ANSWERS = {
    "batch_statistics": {
        "unbiased variance (torch.var's default)": """
            dims = (0,) if x.ndim == 2 else (0, 2, 3)
            return x.mean(dim=dims), x.var(dim=dims)
        """,
        "averages over the neurons of each sample (dim=1)": """
            dims = (1,) if x.ndim == 2 else (1, 2, 3)
            return x.mean(dim=dims), x.var(dim=dims, unbiased=False)
        """,
        "feature maps: statistics over the batch only, per position": """
            return x.mean(dim=0), x.var(dim=0, unbiased=False)
        """,
        "returns the standard deviation instead of the variance": """
            dims = (0,) if x.ndim == 2 else (0, 2, 3)
            return x.mean(dim=dims), x.std(dim=dims, unbiased=False)
        """,
        "centres x in place (changes the caller's tensor)": """
            dims = (0,) if x.ndim == 2 else (0, 2, 3)
            mean = x.mean(dim=dims, keepdim=True)
            x -= mean
            return mean.flatten(), (x ** 2).mean(dim=dims)
        """,
        "computed in NumPy (no gradient through the statistics)": """
            import numpy as np
            a = x.detach().cpu().numpy()
            axes = (0,) if a.ndim == 2 else (0, 2, 3)
            return torch.from_numpy(a.mean(axis=axes)), torch.from_numpy(a.var(axis=axes))
        """,
        "keeps the reduced axes: (1, D) and (1, C, 1, 1) statistics": """
            dims = (0,) if x.ndim == 2 else (0, 2, 3)
            mean = x.mean(dim=dims, keepdim=True)
            return mean, ((x - mean) ** 2).mean(dim=dims, keepdim=True)
        """,
    },
    "batchnorm_forward": {
        "normalizes with the unbiased variance": """
            shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
            dims = (0,) if x.ndim == 2 else (0, 2, 3)
            if training:
                mean, var = x.mean(dim=dims), x.var(dim=dims)
                with torch.no_grad():
                    new_mean = (1 - momentum) * running_mean + momentum * mean
                    new_var = (1 - momentum) * running_var + momentum * var
            else:
                mean, var = running_mean, running_var
                new_mean, new_var = running_mean, running_var
            x_hat = (x - mean.reshape(shape)) / torch.sqrt(var.reshape(shape) + eps)
            return gamma.reshape(shape) * x_hat + beta.reshape(shape), new_mean, new_var
        """,
        "normalizes each sample over its features": """
            shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
            dims = tuple(range(1, x.ndim))
            if training:
                mean = x.mean(dim=dims, keepdim=True)
                var = x.var(dim=dims, unbiased=False, keepdim=True)
                x_hat = (x - mean) / torch.sqrt(var + eps)
            else:
                x_hat = (x - running_mean.reshape(shape)) / torch.sqrt(running_var.reshape(shape) + eps)
            return gamma.reshape(shape) * x_hat + beta.reshape(shape), running_mean, running_var
        """,
        "feature maps: statistics per channel and position (over N only)": """
            shape = (1, -1) if x.ndim == 2 else (1, -1, 1, 1)
            if training:
                mean = x.mean(dim=0, keepdim=True)
                var = x.var(dim=0, unbiased=False, keepdim=True)
                n = x.shape[0]
                with torch.no_grad():
                    new_mean = (1 - momentum) * running_mean + momentum * mean.reshape(x.shape[1], -1).mean(dim=1)
                    new_var = ((1 - momentum) * running_var
                               + momentum * var.reshape(x.shape[1], -1).mean(dim=1) * n / (n - 1))
            else:
                mean, var = running_mean.reshape(shape), running_var.reshape(shape)
                new_mean, new_var = running_mean, running_var
            x_hat = (x - mean) / torch.sqrt(var + eps)
            return gamma.reshape(shape) * x_hat + beta.reshape(shape), new_mean, new_var
        """,
        "updates the running averages in evaluation mode too": _forward(
            "new_mean, new_var = running_mean, running_var\n",
            "m_b, v_b = batch_statistics(x)\n        n = x.numel() // x.shape[1]\n"
            "        new_mean = ((1 - momentum) * running_mean + momentum * m_b).detach()\n"
            "        new_var = ((1 - momentum) * running_var + momentum * v_b * n / (n - 1)).detach()\n"),
        "normalizes with the batch statistics in evaluation mode": _forward(
            "mean, var = running_mean, running_var", "mean, var = batch_statistics(x)"),
        "leaves out gamma and beta": _forward(
            "out = gamma.reshape(shape) * x_hat + beta.reshape(shape)", "out = x_hat"),
        "momentum convention inverted": _forward(
            "new_mean = (1 - momentum) * running_mean + momentum * mean\n"
            "            new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)",
            "new_mean = momentum * running_mean + (1 - momentum) * mean\n"
            "            new_var = momentum * running_var + (1 - momentum) * var * n / (n - 1)"),
        "eps outside the square root": _forward(
            "torch.sqrt(var.reshape(shape) + eps)", "(torch.sqrt(var.reshape(shape)) + eps)"),
        "running variance from the biased batch variance": _forward(
            "momentum * var * n / (n - 1)", "momentum * var"),
        "detaches the batch statistics (no gradient through them)": _forward(
            "mean, var = batch_statistics(x)", "mean, var = batch_statistics(x.detach())"),
        "updates the running averages in place": _forward(
            "new_mean = (1 - momentum) * running_mean + momentum * mean\n"
            "            new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)",
            "new_mean = running_mean.mul_(1 - momentum).add_(momentum * mean)\n"
            "            new_var = running_var.mul_(1 - momentum).add_(momentum * var * n / (n - 1))"),
        "calls torch's batch_norm": """
            mean, var = running_mean.clone(), running_var.clone()
            out = F.batch_norm(x, mean, var, gamma, beta, training=training, momentum=momentum, eps=eps)
            return out, mean, var
        """,
        "calls nn.BatchNorm1d / nn.BatchNorm2d on copies of the parameters": """
            layer = (nn.BatchNorm1d if x.ndim == 2 else nn.BatchNorm2d)(x.shape[1], eps=eps, momentum=momentum)
            with torch.no_grad():
                layer.weight.copy_(gamma)
                layer.bias.copy_(beta)
                layer.running_mean.copy_(running_mean)
                layer.running_var.copy_(running_var)
            layer.train(training)
            out = layer(x)
            return out, layer.running_mean.clone(), layer.running_var.clone()
        """,
        "ignores the momentum argument (always 0.1)": _forward(
            "new_mean = (1 - momentum) * running_mean + momentum * mean\n"
            "            new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)",
            "new_mean = 0.9 * running_mean + 0.1 * mean\n"
            "            new_var = 0.9 * running_var + 0.1 * var * n / (n - 1)"),
        "ignores the eps argument (always 1e-5)": _forward(
            "torch.sqrt(var.reshape(shape) + eps)", "torch.sqrt(var.reshape(shape) + 1e-5)"),
        "keeps the running averages in the autograd graph": _forward(
            "with torch.no_grad():", "if True:"),
        "running averages as if they started from 0 and 1": _forward(
            "new_mean = (1 - momentum) * running_mean + momentum * mean\n"
            "            new_var = (1 - momentum) * running_var + momentum * var * n / (n - 1)",
            "new_mean = momentum * mean\n"
            "            new_var = (1 - momentum) + momentum * var * n / (n - 1)"),
        "returns the old running averages in training mode": _forward(
            "return out, new_mean, new_var", "return out, running_mean, running_var"),
        "feature maps: unbiased factor from N instead of N * H * W": _forward(
            "n = x.numel() // x.shape[1]", "n = x.shape[0]"),
    },
    "batchnorm_backward": {
        "treats the mean and variance as constants": _backward(
            "dx = inv_std * (d - d.mean(dim=0) - x_hat * (d * x_hat).mean(dim=0))",
            "dx = inv_std * d"),
        "ignores the path through the variance": _backward(
            "dx = inv_std * (d - d.mean(dim=0) - x_hat * (d * x_hat).mean(dim=0))",
            "dx = inv_std * (d - d.mean(dim=0))"),
        "ignores the path through the mean": _backward(
            "dx = inv_std * (d - d.mean(dim=0) - x_hat * (d * x_hat).mean(dim=0))",
            "dx = inv_std * (d - x_hat * (d * x_hat).mean(dim=0))"),
        "forgets gamma in dx": _backward("d = dout * gamma", "d = dout"),
        "dgamma without x_hat": _backward(
            "dgamma = (dout * x_hat).sum(dim=0)", "dgamma = dout.sum(dim=0)"),
        "dbeta averaged instead of summed": _backward(
            "dbeta = dout.sum(dim=0)", "dbeta = dout.mean(dim=0)"),
        "unbiased variance": _backward(
            "var = ((x - mean) ** 2).mean(dim=0)", "var = x.var(dim=0)"),
        "lets autograd do it": """
            x = x.detach().requires_grad_(True)
            g = gamma.detach().requires_grad_(True)
            b = torch.zeros_like(g, requires_grad=True)
            mean = x.mean(dim=0)
            var = ((x - mean) ** 2).mean(dim=0)
            y = g * (x - mean) / torch.sqrt(var + eps) + b
            dx, dgamma, dbeta = torch.autograd.grad(y, (x, g, b), grad_outputs=dout)
            return dx, dgamma, dbeta
        """,
        "lets torch.func.vjp do it": """
            mean = x.mean(dim=0)
            var = ((x - mean) ** 2).mean(dim=0)
            x_hat = (x - mean) / torch.sqrt(var + eps)
            f = lambda x_: gamma * (x_ - x_.mean(0)) / torch.sqrt(((x_ - x_.mean(0)) ** 2).mean(0) + eps)
            dx = torch.func.vjp(f, x)[1](dout)[0]
            return dx, (dout * x_hat).sum(dim=0), dout.sum(dim=0)
        """,
        "ignores the eps argument (always 1e-5)": _backward(
            "inv_std = 1 / torch.sqrt(var + eps)", "inv_std = 1 / torch.sqrt(var + 1e-5)"),
        "centres x in place": _backward(
            "var = ((x - mean) ** 2).mean(dim=0)", "x -= mean\n    var = (x ** 2).mean(dim=0)\n    mean = mean * 0"),
    },
    "bn_mlp": {
        "ignores placement (always before)": _mlp('if placement == "before":', "if True:"),
        "keeps the bias before batch norm": _mlp(
            "nn.Linear(width, h, bias=False), nn.BatchNorm1d(h)", "nn.Linear(width, h), nn.BatchNorm1d(h)"),
        "batch norm after the output layer too": _mlp(
            "layers.append(nn.Linear(width, num_classes))",
            "layers += [nn.Linear(width, num_classes), nn.BatchNorm1d(num_classes)]"),
        "batch norm sized by the layer's input": _mlp(
            "nn.Linear(width, h, bias=False), nn.BatchNorm1d(h)",
            "nn.Linear(width, h, bias=False), nn.BatchNorm1d(width)"),
        "no Flatten": _mlp("layers = [nn.Flatten()]", "layers = []"),
        "accepts any placement": _mlp(
            """if placement not in ("before", "after"):""", "if False:"),
        "raises TypeError for an unknown placement": _mlp(
            'raise ValueError(f"placement must be', 'raise TypeError(f"placement must be'),
        "no bias on the output layer either": _mlp(
            "layers.append(nn.Linear(width, num_classes))",
            "layers.append(nn.Linear(width, num_classes, bias=False))"),
        "BatchNorm1d with the Keras momentum 0.9": _mlp(
            "nn.BatchNorm1d(h), nn.ReLU()", "nn.BatchNorm1d(h, momentum=0.9), nn.ReLU()"),
        "an nn.ModuleList instead of an nn.Sequential": _mlp(
            "return nn.Sequential(*layers)", "return nn.ModuleList(layers)"),
    },
}
