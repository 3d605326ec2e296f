"""Correct answers to chapter 12's exercises written unlike the reference."""

ALTERNATIVES = {
    "gram_matrix": {
        "einsum": "return torch.einsum('bchw,bdhw->bcd', features, features)",
        "bmm on a flattened copy": """
            flat = features.flatten(2)
            return torch.bmm(flat, flat.permute(0, 2, 1))
        """,
    },
    "style_loss": {
        "einsum and a loop over the batch": """
            B, C, H, W = features.shape
            A = target_gram.expand(B, C, C)
            total = 0.0
            for b in range(B):
                G = torch.einsum('chw,dhw->cd', features[b], features[b])
                total = total + ((G - A[b]) ** 2).sum() / (4 * C ** 2 * (H * W) ** 2)
            return total / B
        """,
        "mse_loss with the normalization folded in": """
            B, C, H, W = features.shape
            flat = features.flatten(2)
            G = flat @ flat.transpose(1, 2) / (H * W)
            A = (target_gram / (H * W)).expand_as(G)
            return torch.nn.functional.mse_loss(G, A, reduction='sum') / (4 * C ** 2 * B)
        """,
    },
    "content_loss": {
        "mse_loss with reduction='sum'": "return torch.nn.functional.mse_loss(features, target, reduction='sum') / 2",
        "a dot product": """
            d = (features - target).flatten()
            return 0.5 * torch.dot(d, d)
        """,
    },
    "extract_features": {
        "slices the network up to each layer": """
            m = torch.as_tensor(mean, dtype=images.dtype).reshape(1, -1, 1, 1)
            s = torch.as_tensor(std, dtype=images.dtype).reshape(1, -1, 1, 1)
            x = (images - m) / s
            out, start = [], 0
            for i in layers:
                x = net[start: i + 1](x)
                out.append(x)
                start = i + 1
            return out
        """,
        "torchvision's Normalize and a while loop": """
            from torchvision.transforms.functional import normalize
            x = normalize(images, list(mean), list(std))
            out, i, last = [], 0, layers[-1]
            while i <= last:
                x = net[i](x)
                if i in layers:
                    out.append(x)
                i += 1
            return out
        """,
    },
    "image_step": {
        "freezes the network, backward, then unfreezes": """
            flags = [p.requires_grad for p in net.parameters()]
            for p in net.parameters():
                p.requires_grad_(False)
            x = image.clone().detach().requires_grad_()
            loss_fn(net(x)).backward()
            for p, f in zip(net.parameters(), flags):
                p.requires_grad_(f)
            with torch.no_grad():
                return torch.clamp(x - lr * x.grad, min=0.0, max=1.0)
        """,
        "an SGD optimizer on the image": """
            x = torch.nn.Parameter(image.detach().clone())
            optimizer = torch.optim.SGD([x], lr=lr)
            (grad,) = torch.autograd.grad(loss_fn(net(x)), [x])
            x.grad = grad
            optimizer.step()
            return x.detach().clamp(0, 1)
        """,
    },
}
