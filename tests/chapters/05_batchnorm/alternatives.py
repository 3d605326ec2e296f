"""Correct solutions to the exercises of chapter 05, written unlike the reference.

Each body replaces the code between the solution markers of its solution cell; every one must
get full marks on every grade cell (see tests/wrong_answers for the format).
"""

CHAPTER = "05_batchnorm"

ALTERNATIVES = {
    "batch_statistics": {
        "torch.var_mean with unbiased=False": """
            dims = [0] if x.dim() == 2 else [0, 2, 3]
            var, mean = torch.var_mean(x, dim=dims, unbiased=False)
            return mean, var
        """,
        "channels first, flattened, E[x^2] - E[x]^2 from sums": """
            c = x.shape[1]
            cols = x.transpose(0, 1).reshape(c, -1)           # (C, n): one row per neuron / channel
            n = cols.shape[1]
            mean = cols.sum(dim=1) / n
            var = (cols * cols).sum(dim=1) / n - mean ** 2
            return mean, var
        """,
        "float64 inside, torch.var(correction=0), cast back": """
            x64 = x.double()
            dims = tuple(d for d in range(x.ndim) if d != 1)
            mean = x64.mean(dim=dims)
            var = x64.var(dim=dims, correction=0)
            return mean.to(x.dtype), var.to(x.dtype)
        """,
        "a loop over the neurons / channels": """
            means, variances = [], []
            for c in range(x.shape[1]):
                values = x[:, c].reshape(-1)                  # every value of neuron / channel c
                m = values.mean()
                means.append(m)
                variances.append(((values - m) ** 2).mean())
            return torch.stack(means), torch.stack(variances)
        """,
    },
    "batchnorm_forward": {
        "var_mean inline, rsqrt, running averages by increments": """
            dims = (0,) if x.dim() == 2 else (0, 2, 3)
            view = [1, x.shape[1]] + [1] * (x.dim() - 2)
            if training:
                var, mean = torch.var_mean(x, dim=dims, unbiased=False)
                with torch.no_grad():
                    unbiased = torch.var(x, dim=dims, unbiased=True)
                    new_mean = running_mean + momentum * (mean - running_mean)
                    new_var = running_var + momentum * (unbiased - running_var)
            else:
                mean, var = running_mean, running_var
                new_mean, new_var = running_mean.clone(), running_var.clone()
            x_hat = (x - mean.view(view)) * torch.rsqrt(var.view(view) + eps)
            return x_hat * gamma.view(view) + beta.view(view), new_mean, new_var
        """,
        "channels last, torch.lerp on detached statistics": """
            c = x.shape[1]
            xc = x.permute(0, *range(2, x.ndim), 1)               # channels last: broadcasts with (C,)
            if training:
                mean, var = batch_statistics(x)
                n = xc.numel() // c
                new_mean = torch.lerp(running_mean, mean.detach(), momentum)
                new_var = torch.lerp(running_var, var.detach() * (n / (n - 1)), momentum)
            else:
                mean, var = running_mean, running_var
                new_mean, new_var = running_mean, running_var
            y = (xc - mean) / (var + eps).sqrt() * gamma + beta
            return y.permute(0, x.ndim - 1, *range(1, x.ndim - 1)), new_mean, new_var
        """,
        "float64 inside, folded into one scale and shift per channel": """
            shape = [1, -1] + [1] * (x.dim() - 2)
            dims = [d for d in range(x.dim()) if d != 1]
            if training:
                x64 = x.double()
                mean = x64.mean(dim=dims)
                var = (x64 - mean.reshape(shape)).pow(2).mean(dim=dims)
                n = x.numel() / x.shape[1]
                new_mean = ((1 - momentum) * running_mean.double() + momentum * mean).detach()
                new_var = ((1 - momentum) * running_var.double() + momentum * var * n / (n - 1)).detach()
                new_mean, new_var = new_mean.to(running_mean.dtype), new_var.to(running_var.dtype)
            else:
                mean, var = running_mean.double(), running_var.double()
                new_mean, new_var = running_mean, running_var
            scale = gamma.double() / torch.sqrt(var + eps)
            shift = beta.double() - mean * scale
            out = x.double() * scale.reshape(shape) + shift.reshape(shape)
            return out.to(x.dtype), new_mean, new_var
        """,
    },
    "batchnorm_backward": {
        "staged chain rule: dvar and dmean first": """
            N = x.shape[0]
            mu = x.mean(0)
            xc = x - mu
            var = (xc ** 2).mean(0)
            std = (var + eps).sqrt()
            xhat = xc / std
            dbeta = dout.sum(0)
            dgamma = (dout * xhat).sum(0)
            dxhat = dout * gamma
            dvar = (dxhat * xc).sum(0) * -0.5 * (var + eps) ** -1.5
            dmu = -(dxhat / std).sum(0) + dvar * (-2.0 / N) * xc.sum(0)
            dx = dxhat / std + dvar * 2.0 * xc / N + dmu / N
            return dx, dgamma, dbeta
        """,
        "the per-column Jacobian, built explicitly and applied with einsum": """
            n, d = x.shape
            mean = x.mean(dim=0)
            var = x.var(dim=0, unbiased=False)
            s = torch.sqrt(var + eps)
            x_hat = (x - mean) / s
            eye = torch.eye(n, dtype=x.dtype)
            # J[j, k, i] = d x_hat[k, j] / d x[i, j]
            J = (eye[None] - 1.0 / n - x_hat.T[:, :, None] * x_hat.T[:, None, :] / n) / s[:, None, None]
            dx = torch.einsum("jk,jki->ij", (dout * gamma).T, J)
            return dx, (dout * x_hat).sum(dim=0), dout.sum(dim=0)
        """,
        "sums instead of means, rsqrt, one expression for dx": """
            N = dout.shape[0]
            xmu = x - x.sum(0) / N
            ivar = (xmu.pow(2).sum(0) / N + eps).rsqrt()
            xhat = xmu * ivar
            dx = (gamma * ivar / N) * (N * dout - dout.sum(0) - xhat * (dout * xhat).sum(0))
            return dx, (dout * xhat).sum(0), dout.sum(0)
        """,
    },
    "bn_mlp": {
        "named layers in an OrderedDict": """
            from collections import OrderedDict
            if placement != "before" and placement != "after":
                raise ValueError(f"unknown placement {placement!r}")
            widths = [in_features, *hidden]
            named = [("flatten", nn.Flatten())]
            for k, (w_in, w_out) in enumerate(zip(widths[:-1], widths[1:])):
                if placement == "before":
                    named += [(f"linear{k}", nn.Linear(w_in, w_out, bias=False)),
                              (f"bn{k}", nn.BatchNorm1d(w_out)), (f"relu{k}", nn.ReLU())]
                else:
                    named += [(f"linear{k}", nn.Linear(w_in, w_out)), (f"relu{k}", nn.ReLU()),
                              (f"bn{k}", nn.BatchNorm1d(w_out))]
            named.append(("scores", nn.Linear(widths[-1], num_classes)))
            return nn.Sequential(OrderedDict(named))
        """,
        "a dict of block builders and Sequential.append": """
            blocks = {
                "before": lambda a, b: [nn.Linear(a, b, bias=False), nn.BatchNorm1d(b), nn.ReLU()],
                "after": lambda a, b: [nn.Linear(a, b), nn.ReLU(), nn.BatchNorm1d(b)],
            }
            if placement not in blocks:
                raise ValueError(f"placement must be one of {sorted(blocks)}, got {placement!r}")
            net = nn.Sequential(nn.Flatten())
            width = in_features
            for h in hidden:
                for layer in blocks[placement](width, h):
                    net.append(layer)
                width = h
            net.append(nn.Linear(width, num_classes))
            return net
        """,
        "list comprehension over width pairs, in-place ReLU": """
            if placement not in ("before", "after"):
                raise ValueError(placement)
            sizes = list(zip([in_features] + list(hidden), hidden))
            if placement == "before":
                body = [m for a, b in sizes
                        for m in (nn.Linear(a, b, bias=False), nn.BatchNorm1d(b), nn.ReLU(inplace=True))]
            else:
                body = [m for a, b in sizes
                        for m in (nn.Linear(a, b), nn.ReLU(inplace=True), nn.BatchNorm1d(b))]
            last = hidden[-1] if len(hidden) else in_features
            return nn.Sequential(nn.Flatten(start_dim=1), *body, nn.Linear(last, num_classes))
        """,
    },
}
