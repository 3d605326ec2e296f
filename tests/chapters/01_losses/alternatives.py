"""Correct answers to the exercises of chapter 01, written unlike the reference solutions.

Each body replaces the code between the solution markers of its solution cell; every one of them
must get full marks on every grade cell.
"""

CHAPTER = "01_losses"

ALTERNATIVES = {
    "hinge_loss": {
        "gather, then subtract the j = y_i term (which always adds the margin)": """
            true_scores = scores.gather(1, labels.unsqueeze(1))              # (N, 1)
            per_image = (scores - true_scores + margin).clamp(min=0).sum(dim=1) - margin
            return per_image.mean()
        """,
        "relu and torch.where with a mask from broadcast comparison": """
            n, c = scores.shape
            true_scores = scores[torch.arange(n), labels][:, None]
            is_other = torch.arange(c)[None, :] != labels[:, None]           # (N, C) bool
            margins = torch.where(is_other, F.relu(scores - true_scores + margin),
                                  torch.zeros((), dtype=scores.dtype))
            return margins.sum() / n
        """,
        "float64 inside, one-hot products, cast back": """
            s = scores.double()
            one_hot = F.one_hot(labels, s.shape[1]).double()
            true_scores = (s * one_hot).sum(dim=1, keepdim=True)
            margins = torch.maximum(s - true_scores + margin, torch.zeros_like(s)) * (1 - one_hot)
            return margins.sum(dim=1).mean().to(scores.dtype)
        """,
    },
    "softmax": {
        "amax, exp and multiplication by the reciprocal": """
            e = (scores - scores.amax(dim=-1, keepdim=True)).exp()
            return e * e.sum(dim=-1, keepdim=True).reciprocal()
        """,
        "exp of the scores minus a hand-made log-sum-exp": """
            m = scores.max(dim=1, keepdim=True).values
            log_sum_exp = m + torch.log(torch.sum(torch.exp(scores - m), dim=1, keepdim=True))
            return torch.exp(scores - log_sum_exp)
        """,
        "float64 inside, transposed reductions, cast back": """
            t = scores.double().T                                            # (C, N)
            t = t - t.max(dim=0).values
            e = torch.exp(t)
            return (e / e.sum(dim=0)).T.to(scores.dtype)
        """,
    },
    "cross_entropy": {
        "detached maximum and gather": """
            m = scores.detach().max(dim=1, keepdim=True).values
            log_sum_exp = (m + (scores - m).exp().sum(dim=1, keepdim=True).log()).squeeze(1)
            true_scores = scores.gather(1, labels[:, None]).squeeze(1)
            return (log_sum_exp - true_scores).mean()
        """,
        "log-probabilities by hand, true class picked with a one-hot product": """
            shifted = scores - scores.amax(dim=1, keepdim=True)
            log_probs = shifted - torch.log(torch.exp(shifted).sum(dim=1, keepdim=True))
            picked = (log_probs * F.one_hot(labels, scores.shape[1])).sum(dim=1)
            return -picked.sum() / scores.shape[0]
        """,
        "float64 inside, cast back": """
            s = scores.double()
            m, _ = torch.max(s, dim=1)
            per_image = m - s[torch.arange(s.shape[0]), labels] + torch.log(
                torch.exp(s - m[:, None]).sum(dim=1))
            return per_image.mean().to(scores.dtype)
        """,
    },
    "soft_dice_loss": {
        "flatten the pixels, then sums over the last axis": """
            p, g = probs.flatten(2), target.flatten(2)                       # (N, C, HW)
            dice = (2 * (p * g).sum(-1) + smooth) / (p.sum(-1) + g.sum(-1) + smooth)
            return 1 - dice.sum() / dice.numel()
        """,
        "einsum for the overlap": """
            overlap = torch.einsum("nchw,nchw->nc", probs, target)
            size = torch.einsum("nchw->nc", probs) + torch.einsum("nchw->nc", target)
            return (1 - (2 * overlap + smooth) / (size + smooth)).mean()
        """,
        "loops over images and classes": """
            values = []
            for n in range(probs.shape[0]):
                for c in range(probs.shape[1]):
                    p, g = probs[n, c], target[n, c]
                    values.append((2 * torch.sum(p * g) + smooth) / (torch.sum(p) + torch.sum(g) + smooth))
            return 1 - torch.stack(values).mean()
        """,
    },
    "train_linear_classifier": {
        "torch.autograd.grad and new leaves each step": """
            W = torch.zeros(num_classes, X.shape[1], dtype=X.dtype, requires_grad=True)
            b = torch.zeros(num_classes, dtype=X.dtype, requires_grad=True)
            for _ in range(steps):
                grad_W, grad_b = torch.autograd.grad(cross_entropy(X @ W.T + b, y), (W, b))
                W = (W - lr * grad_W).detach().requires_grad_(True)
                b = (b - lr * grad_b).detach().requires_grad_(True)
            return W.detach(), b.detach()
        """,
        "torch.optim.SGD": """
            W = torch.zeros(num_classes, X.shape[1], dtype=X.dtype, requires_grad=True)
            b = torch.zeros(num_classes, dtype=X.dtype, requires_grad=True)
            optimizer = torch.optim.SGD([W, b], lr=lr)
            for _ in range(steps):
                optimizer.zero_grad(set_to_none=True)
                cross_entropy(torch.addmm(b, X, W.T), y).backward()
                optimizer.step()
            return W.detach().clone(), b.detach().clone()
        """,
        "one augmented matrix for weights and bias, zeroed gradients": """
            X1 = torch.cat([X, torch.ones(X.shape[0], 1, dtype=X.dtype)], dim=1)   # (N, D + 1)
            theta = torch.zeros(num_classes, X1.shape[1], dtype=X.dtype, requires_grad=True)
            for _ in range(steps):
                if theta.grad is not None:
                    theta.grad.zero_()
                cross_entropy(X1 @ theta.T, y).backward()
                with torch.no_grad():
                    theta.sub_(lr * theta.grad)
            theta = theta.detach()
            return theta[:, :-1].clone(), theta[:, -1].clone()
        """,
    },
}
