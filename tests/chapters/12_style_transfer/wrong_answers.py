"""Typical wrong answers to chapter 12's exercises (see tests/test_grading.py)."""

AFFECTS: dict[str, set[str]] = {}

WRONG_ANSWERS = {
    "gram_matrix": {
        "spatial N x N Gram (positions, not channels)": """
            B, C, H, W = features.shape
            flat = features.reshape(B, C, H * W)
            return flat.transpose(1, 2) @ flat
        """,
        "divides by the number of positions": """
            B, C, H, W = features.shape
            flat = features.reshape(B, C, H * W)
            return flat @ flat.transpose(1, 2) / (H * W)
        """,
        "one Gram matrix for the whole batch": """
            B, C, H, W = features.shape
            flat = features.transpose(0, 1).reshape(C, B * H * W)
            return (flat @ flat.T).expand(B, C, C)
        """,
        "flattens with view after a transpose (scrambles channels)": """
            B, C, H, W = features.shape
            flat = features.permute(0, 2, 3, 1).reshape(B, C, H * W)
            return flat @ flat.transpose(1, 2)
        """,
        "squares the entries instead of multiplying pairs": """
            B, C, H, W = features.shape
            flat = features.reshape(B, C, H * W)
            return torch.diag_embed((flat ** 2).sum(-1))
        """,
        "centres the maps first (a covariance, not a Gram matrix)": """
            B, C, H, W = features.shape
            flat = features.reshape(B, C, H * W)
            flat = flat - flat.mean(dim=2, keepdim=True)
            return flat @ flat.transpose(1, 2)
        """,
    },
    "style_loss": {
        "missing 1/(4 N^2 M^2)": """
            B, C, H, W = features.shape
            flat = features.reshape(B, C, H * W)
            G = flat @ flat.transpose(1, 2)
            return ((G - target_gram) ** 2).sum(dim=(1, 2)).mean()
        """,
        "1/(4 N M) instead of 1/(4 N^2 M^2)": """
            B, C, H, W = features.shape
            flat = features.reshape(B, C, H * W)
            G = flat @ flat.transpose(1, 2)
            return (((G - target_gram) ** 2).sum(dim=(1, 2)) / (4 * C * H * W)).mean()
        """,
        "mean instead of the normalized sum": """
            B, C, H, W = features.shape
            flat = features.reshape(B, C, H * W)
            G = flat @ flat.transpose(1, 2)
            return ((G - target_gram) ** 2).mean()
        """,
        "sums over the batch instead of averaging": """
            B, C, H, W = features.shape
            flat = features.reshape(B, C, H * W)
            G = flat @ flat.transpose(1, 2)
            return ((G - target_gram) ** 2).sum() / (4 * C ** 2 * (H * W) ** 2)
        """,
        "spatial Gram matrix": """
            B, C, H, W = features.shape
            flat = features.reshape(B, C, H * W)
            G = flat.transpose(1, 2) @ flat
            A = target_gram
            n = min(G.shape[-1], A.shape[-1])
            return (((G[..., :n, :n] - A[..., :n, :n]) ** 2).sum(dim=(1, 2)) / (4 * C ** 2 * (H * W) ** 2)).mean()
        """,
        "detaches the features (no gradient)": """
            B, C, H, W = features.shape
            flat = features.detach().reshape(B, C, H * W)
            G = flat @ flat.transpose(1, 2)
            return (((G - target_gram) ** 2).sum(dim=(1, 2)) / (4 * C ** 2 * (H * W) ** 2)).mean()
        """,
        "absolute instead of squared differences": """
            B, C, H, W = features.shape
            flat = features.reshape(B, C, H * W)
            G = flat @ flat.transpose(1, 2)
            return ((G - target_gram).abs().sum(dim=(1, 2)) / (4 * C ** 2 * (H * W) ** 2)).mean()
        """,
    },
    "content_loss": {
        "mean instead of sum": "return 0.5 * ((features - target) ** 2).mean()",
        "forgets the 1/2": "return ((features - target) ** 2).sum()",
        "compares Gram matrices (a style loss)": """
            B, C, H, W = features.shape
            f, p = features.reshape(B, C, -1), target.reshape(B, C, -1)
            return 0.5 * ((f @ f.transpose(1, 2) - p @ p.transpose(1, 2)) ** 2).sum()
        """,
        "detaches the features": "return 0.5 * ((features.detach() - target) ** 2).sum()",
        "absolute differences": "return 0.5 * (features - target).abs().sum()",
    },
    "extract_features": {
        "forgets the ImageNet normalization": """
            x, out = images, []
            for index, module in enumerate(net[: max(layers) + 1]):
                x = module(x)
                if index in layers:
                    out.append(x)
            return out
        """,
        "features taken before the layer (off by one)": """
            m = torch.tensor(mean).view(1, 3, 1, 1)
            s = torch.tensor(std).view(1, 3, 1, 1)
            x, out = (images - m) / s, []
            for index, module in enumerate(net[: max(layers) + 1]):
                if index in layers:
                    out.append(x)
                x = module(x)
            return out
        """,
        "features taken after the next layer": """
            m = torch.tensor(mean).view(1, 3, 1, 1)
            s = torch.tensor(std).view(1, 3, 1, 1)
            x, out = (images - m) / s, []
            for index, module in enumerate(net):
                x = module(x)
                if index - 1 in layers:
                    out.append(x)
            return out
        """,
        "multiplies by std instead of dividing": """
            m = torch.tensor(mean).view(1, 3, 1, 1)
            s = torch.tensor(std).view(1, 3, 1, 1)
            x, out = (images - m) * s, []
            for index, module in enumerate(net[: max(layers) + 1]):
                x = module(x)
                if index in layers:
                    out.append(x)
            return out
        """,
        "runs the whole network": """
            m = torch.tensor(mean).view(1, 3, 1, 1)
            s = torch.tensor(std).view(1, 3, 1, 1)
            x, out = (images - m) / s, []
            for index, module in enumerate(net):
                x = module(x)
                if index in layers:
                    out.append(x)
            return out
        """,
        "detaches the features": """
            m = torch.tensor(mean).view(1, 3, 1, 1)
            s = torch.tensor(std).view(1, 3, 1, 1)
            x, out = (images - m) / s, []
            with torch.no_grad():
                for index, module in enumerate(net[: max(layers) + 1]):
                    x = module(x)
                    if index in layers:
                        out.append(x)
            return out
        """,
        "normalizes the images in place": """
            m = torch.tensor(mean).view(1, 3, 1, 1)
            s = torch.tensor(std).view(1, 3, 1, 1)
            with torch.no_grad():
                images.sub_(m).div_(s)
            x, out = images * 1.0, []
            for index, module in enumerate(net[: max(layers) + 1]):
                x = module(x)
                if index in layers:
                    out.append(x)
            return out
        """,
    },
    "image_step": {
        "optimises the network's weights instead of the image": """
            optimizer = torch.optim.SGD(net.parameters(), lr=lr)
            optimizer.zero_grad()
            loss_fn(net(image)).backward()
            optimizer.step()
            return image.detach().clone()
        """,
        "no clamp to [0, 1]": """
            x = image.detach().clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(loss_fn(net(x)), x)
            return x.detach() - lr * grad
        """,
        "steps up the gradient": """
            x = image.detach().clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(loss_fn(net(x)), x)
            return (x.detach() + lr * grad).clamp(0, 1)
        """,
        "backward() fills the network's .grad": """
            x = image.detach().clone().requires_grad_(True)
            loss_fn(net(x)).backward()
            return (x.detach() - lr * x.grad).clamp(0, 1)
        """,
        "updates the image in place": """
            x = image.requires_grad_(True) if image.is_leaf else image
            (grad,) = torch.autograd.grad(loss_fn(net(x)), x)
            x.requires_grad_(False)
            with torch.no_grad():
                image.sub_(lr * grad).clamp_(0, 1)
            return image
        """,
        "clamps to [-1, 1]": """
            x = image.detach().clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(loss_fn(net(x)), x)
            return (x.detach() - lr * grad).clamp(-1, 1)
        """,
        "returns an image that still requires grad": """
            x = image.detach().clone().requires_grad_(True)
            (grad,) = torch.autograd.grad(loss_fn(net(x)), x)
            return (x - lr * grad).clamp(0, 1)
        """,
    },
}
