"""Correct answers to chapter 10's exercises written unlike the reference; each must get full marks."""

CHAPTER = "10_limitations"

ALTERNATIVES = {
    "expected_calibration_error": {
        "bucketize against float64 edges": """
            confidence, predicted = probs.max(dim=1)
            confidence = confidence.double()
            edges = torch.arange(1, n_bins, dtype=torch.float64) / n_bins
            bins = torch.bucketize(confidence, edges)          # right-closed: edges[i-1] < c <= edges[i]
            correct = (predicted == labels).double()
            total = 0.0
            for b in bins.unique():
                inside = bins == b
                total += inside.sum().item() / len(labels) * abs(correct[inside].mean().item()
                                                                 - confidence[inside].mean().item())
            return total
        """,
        "vectorised with index_add": """
            confidence, predicted = probs.max(dim=1)
            confidence = confidence.double()
            correct = (predicted == labels).double()
            bins = torch.clamp(torch.ceil(confidence * n_bins) - 1, 0, n_bins - 1).long()
            count = torch.zeros(n_bins, dtype=torch.float64).index_add_(0, bins, torch.ones_like(confidence))
            right = torch.zeros(n_bins, dtype=torch.float64).index_add_(0, bins, correct)
            sure = torch.zeros(n_bins, dtype=torch.float64).index_add_(0, bins, confidence)
            # |B| / N * |right / |B| - sure / |B||  =  |right - sure| / N
            return float((right - sure).abs().sum() / len(labels))
        """,
        "NumPy, comparing with the edges in float64": """
            import numpy as np
            p = probs.detach().double().numpy()
            conf = p.max(axis=1)
            correct = (p.argmax(axis=1) == labels.numpy()).astype(float)
            ece = 0.0
            for m in range(1, n_bins + 1):
                inside = (conf > (m - 1) / n_bins) & (conf <= m / n_bins)
                if inside.any():
                    ece += inside.mean() * abs(correct[inside].mean() - conf[inside].mean())
            return float(ece)
        """,
    },
    "input_gradient": {
        "backward restricted to the input (inputs=[x])": """
            mode = model.training
            model.train(False)
            try:
                x = images.detach().clone()
                x.requires_grad = True
                loss = F.cross_entropy(model(x), labels, reduction="none").sum()
                loss.backward(inputs=[x])
                return x.grad.detach()
            finally:
                model.train(mode)
        """,
        "saves and restores the mode of every submodule": """
            modes = {m: m.training for m in model.modules()}
            model.eval()
            x = images.clone().detach().requires_grad_()
            log_probs = torch.log_softmax(model(x), dim=1)
            loss = -log_probs[torch.arange(len(labels)), labels].sum()
            (grad,) = torch.autograd.grad(loss, [x])
            for m, training in modes.items():
                m.training = training
            return grad
        """,
        "torch.func.grad of a functional call": """
            from torch.func import functional_call, grad as func_grad
            was = model.training
            model.eval()
            params = {k: v.detach() for k, v in model.named_parameters()}
            buffers = {k: v for k, v in model.named_buffers()}

            def loss(x):
                return F.cross_entropy(functional_call(model, (params, buffers), (x,)), labels, reduction="sum")

            try:
                return func_grad(loss)(images.detach())
            finally:
                model.train(was)
        """,
    },
    "fgsm": {
        "torch.where on the gradient's sign": """
            step = torch.where(grad > 0, eps, torch.where(grad < 0, -eps, 0.0))
            return torch.clip(images + step, min=0.0, max=1.0)
        """,
        "add with alpha, then clamp_ on the new tensor": """
            out = images.add(torch.sign(grad), alpha=eps)
            return out.clamp_(0, 1)
        """,
    },
    "pgd_step": {
        "the change clamped to [-eps, eps]": """
            delta = (adversarial + alpha * torch.sign(grad) - images).clamp(-eps, eps)
            return (images + delta).clamp(0, 1)
        """,
        "torch.clamp with tensor bounds": """
            stepped = adversarial + alpha * grad.sign()
            low = (images - eps).clamp(min=0)
            high = (images + eps).clamp(max=1)
            return torch.clamp(stepped, min=low, max=high)
        """,
    },
    "subgroup_metrics": {
        "a loop over the groups with masks": """
            right = predictions == labels
            accuracies = []
            for g in range(int(groups.max().item()) + 1):
                mask = groups == g
                accuracies.append(right[mask].sum().item() / mask.sum().item())
            per_group = torch.tensor(accuracies, dtype=torch.float64)
            return {"per_group": per_group, "overall": right.sum().item() / len(right),
                    "gap": max(accuracies) - min(accuracies)}
        """,
        "NumPy bincount with weights": """
            import numpy as np
            g = groups.numpy()
            right = (predictions == labels).numpy().astype(float)
            per_group = np.bincount(g, weights=right) / np.bincount(g)
            return {"per_group": torch.from_numpy(per_group).float(), "overall": float(right.mean()),
                    "gap": float(per_group.max() - per_group.min())}
        """,
    },
    "gradient_distance": {
        "one long vector each, F.cosine_similarity": """
            a = torch.cat([d.reshape(-1) for d in dummy_grads])
            b = torch.cat([t.reshape(-1) for t in true_grads])
            if kind == "l2":
                return torch.dot(a - b, a - b)
            elif kind == "cosine":
                return 1 - F.cosine_similarity(a, b, dim=0)
            else:
                raise ValueError("kind must be 'l2' or 'cosine'")
        """,
        "per-tensor sums stacked, linalg norms": """
            if kind not in ("l2", "cosine"):
                raise ValueError(f"unknown kind {kind}")
            if kind == "l2":
                return torch.stack([torch.linalg.vector_norm(d - t) ** 2 for d, t in zip(dummy_grads, true_grads)]).sum()
            dots = torch.stack([(d * t).sum() for d, t in zip(dummy_grads, true_grads)]).sum()
            norm_d = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(d) for d in dummy_grads]))
            norm_t = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(t) for t in true_grads]))
            return 1.0 - dots / (norm_d * norm_t)
        """,
    },
}
