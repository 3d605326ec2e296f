"""Typical wrong answers to the exercises of chapter 01 (see the package docstring)."""

CHAPTER = "01_losses"

AFFECTS = {"cross_entropy": {"train_linear_classifier_tests"}}

WRONG_ANSWERS = {
    "hinge_loss": {
        "sums over j = y_i too": """
            true_scores = scores[torch.arange(scores.shape[0]), labels].unsqueeze(1)
            return (scores - true_scores + margin).clamp(min=0).sum(dim=1).mean()
        """,
        "averages over classes instead of summing": """
            n, c = scores.shape
            true_scores = scores[torch.arange(n), labels].unsqueeze(1)
            margins = (scores - true_scores + margin).clamp(min=0)
            margins = margins.masked_fill(F.one_hot(labels, c).bool(), 0.0)
            return margins.mean(dim=1).mean()
        """,
        "ignores the margin argument": """
            n, c = scores.shape
            true_scores = scores[torch.arange(n), labels].unsqueeze(1)
            margins = (scores - true_scores + 1.0).clamp(min=0)
            margins = margins.masked_fill(F.one_hot(labels, c).bool(), 0.0)
            return margins.sum(dim=1).mean()
        """,
        "loops over the images (right values, not vectorised)": """
            losses = []
            for i in range(scores.shape[0]):
                m = (scores[i] - scores[i, labels[i]] + margin).clamp(min=0)
                losses.append(m.sum() - m[labels[i]])
            return torch.stack(losses).mean()
        """,
        "returns a Python float (.item())": """
            n, c = scores.shape
            true_scores = scores[torch.arange(n), labels].unsqueeze(1)
            margins = (scores - true_scores + margin).clamp(min=0)
            margins = margins.masked_fill(F.one_hot(labels, c).bool(), 0.0)
            return margins.sum(dim=1).mean().item()
        """,
        "computes the margins in place in the scores": """
            n, c = scores.shape
            true_scores = scores[torch.arange(n), labels].unsqueeze(1)
            margins = scores.sub_(true_scores).add_(margin).clamp_(min=0)
            margins = margins.masked_fill(F.one_hot(labels, c).bool(), 0.0)
            return margins.sum(dim=1).mean()
        """,
    },
    "softmax": {
        "forgets the max subtraction": """
            e = torch.exp(scores)
            return e / e.sum(dim=1, keepdim=True)
        """,
        "normalises over the wrong axis": """
            shifted = scores - scores.max(dim=1, keepdim=True).values
            e = torch.exp(shifted)
            return e / e.sum(dim=0, keepdim=True)
        """,
        "subtracts the global maximum, not each row's": """
            e = torch.exp(scores - scores.max())
            return e / e.sum(dim=1, keepdim=True)
        """,
        "calls torch.softmax": """
            return torch.softmax(scores, dim=1)
        """,
        "exp of torch's log_softmax": """
            return torch.exp(F.log_softmax(scores, dim=1))
        """,
        "shifts the scores in place": """
            scores -= scores.max(dim=1, keepdim=True).values
            e = torch.exp(scores)
            return e / e.sum(dim=1, keepdim=True)
        """,
    },
    "cross_entropy": {
        "log of an unshifted softmax": """
            p = torch.exp(scores) / torch.exp(scores).sum(dim=1, keepdim=True)
            return -torch.log(p[torch.arange(scores.shape[0]), labels]).mean()
        """,
        "log of a stable softmax (underflows to log 0)": """
            p = softmax(scores)
            return -torch.log(p[torch.arange(scores.shape[0]), labels]).mean()
        """,
        "averages over the wrong axis (divides by C)": """
            m = scores.max(dim=1, keepdim=True).values
            log_sum_exp = m.squeeze(1) + torch.log(torch.exp(scores - m).sum(dim=1))
            true_scores = scores[torch.arange(scores.shape[0]), labels]
            return (log_sum_exp - true_scores).sum() / scores.shape[1]
        """,
        "calls torch's cross_entropy": """
            return F.cross_entropy(scores, labels)
        """,
        "uses torch.logsumexp": """
            true_scores = scores[torch.arange(scores.shape[0]), labels]
            return (torch.logsumexp(scores, dim=1) - true_scores).mean()
        """,
        "shifts the scores in place": """
            n = scores.shape[0]
            scores -= scores.max(dim=1, keepdim=True).values
            return (torch.log(torch.exp(scores).sum(dim=1)) - scores[torch.arange(n), labels]).mean()
        """,
        "sums over the images instead of averaging": """
            m = scores.max(dim=1, keepdim=True).values
            log_sum_exp = m.squeeze(1) + torch.log(torch.exp(scores - m).sum(dim=1))
            return (log_sum_exp - scores[torch.arange(scores.shape[0]), labels]).sum()
        """,
    },
    "soft_dice_loss": {
        "no smoothing term": """
            intersection = (probs * target).sum(dim=(2, 3))
            total = probs.sum(dim=(2, 3)) + target.sum(dim=(2, 3))
            return 1 - (2 * intersection / total).mean()
        """,
        "one Dice over the whole batch": """
            intersection = (probs * target).sum(dim=(0, 2, 3))
            total = probs.sum(dim=(0, 2, 3)) + target.sum(dim=(0, 2, 3))
            return 1 - ((2 * intersection + smooth) / (total + smooth)).mean()
        """,
        "forgets the factor 2": """
            intersection = (probs * target).sum(dim=(2, 3))
            total = probs.sum(dim=(2, 3)) + target.sum(dim=(2, 3))
            return 1 - ((intersection + smooth) / (total + smooth)).mean()
        """,
        "sums over the wrong dims (1, 2)": """
            intersection = (probs * target).sum(dim=(1, 2))
            total = probs.sum(dim=(1, 2)) + target.sum(dim=(1, 2))
            return 1 - ((2 * intersection + smooth) / (total + smooth)).mean()
        """,
        "means over the pixels instead of sums": """
            intersection = (probs * target).mean(dim=(2, 3))
            total = probs.mean(dim=(2, 3)) + target.mean(dim=(2, 3))
            return 1 - ((2 * intersection + smooth) / (total + smooth)).mean()
        """,
        "clamps the probabilities in place": """
            probs.clamp_(0.0, 1.0)
            intersection = (probs * target).sum(dim=(2, 3))
            total = probs.sum(dim=(2, 3)) + target.sum(dim=(2, 3))
            return 1 - ((2 * intersection + smooth) / (total + smooth)).mean()
        """,
    },
    "train_linear_classifier": {
        "steps up the gradient": """
            W = torch.zeros(num_classes, X.shape[1], dtype=X.dtype, requires_grad=True)
            b = torch.zeros(num_classes, dtype=X.dtype, requires_grad=True)
            for _ in range(steps):
                cross_entropy(X @ W.T + b, y).backward()
                with torch.no_grad():
                    W += lr * W.grad
                    b += lr * b.grad
                    W.grad = None
                    b.grad = None
            return W.detach(), b.detach()
        """,
        "never resets the gradients": """
            W = torch.zeros(num_classes, X.shape[1], dtype=X.dtype, requires_grad=True)
            b = torch.zeros(num_classes, dtype=X.dtype, requires_grad=True)
            for _ in range(steps):
                cross_entropy(X @ W.T + b, y).backward()
                with torch.no_grad():
                    W -= lr * W.grad
                    b -= lr * b.grad
            return W.detach(), b.detach()
        """,
        "ignores the learning rate": """
            W = torch.zeros(num_classes, X.shape[1], dtype=X.dtype, requires_grad=True)
            b = torch.zeros(num_classes, dtype=X.dtype, requires_grad=True)
            for _ in range(steps):
                cross_entropy(X @ W.T + b, y).backward()
                with torch.no_grad():
                    W -= 0.5 * W.grad
                    b -= 0.5 * b.grad
                    W.grad = None
                    b.grad = None
            return W.detach(), b.detach()
        """,
        "uses torch's cross_entropy instead of yours": """
            W = torch.zeros(num_classes, X.shape[1], dtype=X.dtype, requires_grad=True)
            b = torch.zeros(num_classes, dtype=X.dtype, requires_grad=True)
            for _ in range(steps):
                F.cross_entropy(X @ W.T + b, y).backward()
                with torch.no_grad():
                    W -= lr * W.grad
                    b -= lr * b.grad
                    W.grad = None
                    b.grad = None
            return W.detach(), b.detach()
        """,
        "returns W and b still attached to the graph": """
            W = torch.zeros(num_classes, X.shape[1], dtype=X.dtype, requires_grad=True)
            b = torch.zeros(num_classes, dtype=X.dtype, requires_grad=True)
            for _ in range(steps):
                cross_entropy(X @ W.T + b, y).backward()
                with torch.no_grad():
                    W -= lr * W.grad
                    b -= lr * b.grad
                    W.grad = None
                    b.grad = None
            return W, b
        """,
        "starts from random weights": """
            W = (0.01 * torch.randn(num_classes, X.shape[1], dtype=X.dtype)).requires_grad_(True)
            b = torch.zeros(num_classes, dtype=X.dtype, requires_grad=True)
            for _ in range(steps):
                cross_entropy(X @ W.T + b, y).backward()
                with torch.no_grad():
                    W -= lr * W.grad
                    b -= lr * b.grad
                    W.grad = None
                    b.grad = None
            return W.detach(), b.detach()
        """,
    },
}
