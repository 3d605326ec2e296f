"""Typical wrong answers to the exercises of chapter 10 (see tests/test_grading.py)."""

CHAPTER = "10_limitations"

AFFECTS: dict[str, set[str]] = {}

WRONG_ANSWERS = {
    "expected_calibration_error": {
        "bins closed on the left, [lo, hi)": """
            confidence, predicted = probs.max(dim=1)
            correct = (predicted == labels).double()
            confidence = confidence.double()
            bins = torch.floor(confidence * n_bins).long().clamp(max=n_bins - 1)
            ece = 0.0
            for m in range(n_bins):
                inside = bins == m
                if inside.any():
                    ece += inside.double().mean().item() * (correct[inside].mean() - confidence[inside].mean()).abs().item()
            return float(ece)
        """,
        "floor without clamping: a confidence of 1 falls outside every bin": """
            confidence, predicted = probs.max(dim=1)
            correct = (predicted == labels).double()
            confidence = confidence.double()
            bins = torch.floor(confidence * n_bins).long()
            ece = 0.0
            for m in range(n_bins):
                inside = bins == m
                if inside.any():
                    ece += inside.double().mean().item() * (correct[inside].mean() - confidence[inside].mean()).abs().item()
            return float(ece)
        """,
        "unweighted mean over the non-empty bins": """
            confidence, predicted = probs.max(dim=1)
            correct = (predicted == labels).double()
            confidence = confidence.double()
            bins = (torch.ceil(confidence * n_bins).long() - 1).clamp(0, n_bins - 1)
            gaps = [(correct[bins == m].mean() - confidence[bins == m].mean()).abs().item()
                    for m in range(n_bins) if (bins == m).any()]
            return float(sum(gaps) / len(gaps))
        """,
        "divides by the number of bins": """
            confidence, predicted = probs.max(dim=1)
            correct = (predicted == labels).double()
            confidence = confidence.double()
            bins = (torch.ceil(confidence * n_bins).long() - 1).clamp(0, n_bins - 1)
            total = 0.0
            for m in range(n_bins):
                inside = bins == m
                if inside.any():
                    total += (correct[inside].mean() - confidence[inside].mean()).abs().item()
            return float(total / n_bins)
        """,
        "the probability of the true class as the confidence": """
            predicted = probs.argmax(dim=1)
            confidence = probs.gather(1, labels[:, None])[:, 0].double()
            correct = (predicted == labels).double()
            bins = (torch.ceil(confidence * n_bins).long() - 1).clamp(0, n_bins - 1)
            ece = 0.0
            for m in range(n_bins):
                inside = bins == m
                if inside.any():
                    ece += inside.double().mean().item() * (correct[inside].mean() - confidence[inside].mean()).abs().item()
            return float(ece)
        """,
        "squared gaps": """
            confidence, predicted = probs.max(dim=1)
            correct = (predicted == labels).double()
            confidence = confidence.double()
            bins = (torch.ceil(confidence * n_bins).long() - 1).clamp(0, n_bins - 1)
            ece = 0.0
            for m in range(n_bins):
                inside = bins == m
                if inside.any():
                    ece += inside.double().mean().item() * ((correct[inside].mean() - confidence[inside].mean()) ** 2).item()
            return float(ece)
        """,
        "signed gaps, which cancel": """
            confidence, predicted = probs.max(dim=1)
            correct = (predicted == labels).double()
            confidence = confidence.double()
            bins = (torch.ceil(confidence * n_bins).long() - 1).clamp(0, n_bins - 1)
            ece = 0.0
            for m in range(n_bins):
                inside = bins == m
                if inside.any():
                    ece += inside.double().mean().item() * (correct[inside].mean() - confidence[inside].mean()).item()
            return float(abs(ece))
        """,
        "no bins: |accuracy - mean confidence| over all images": """
            confidence, predicted = probs.max(dim=1)
            return abs((predicted == labels).double().mean().item() - confidence.double().mean().item())
        """,
        "edges from linspace(0, 1, n_bins): one bin too few": """
            confidence, predicted = probs.max(dim=1)
            correct = (predicted == labels).double()
            edges = torch.linspace(0, 1, n_bins)
            ece = 0.0
            for lo, hi in zip(edges[:-1], edges[1:]):
                inside = (confidence > lo) & (confidence <= hi)
                if inside.any():
                    ece += inside.double().mean().item() * abs(correct[inside].mean().item()
                                                             - confidence[inside].double().mean().item())
            return float(ece)
        """,
        "returns a 0-d tensor": """
            confidence, predicted = probs.max(dim=1)
            correct = (predicted == labels).double()
            confidence = confidence.double()
            bins = (torch.ceil(confidence * n_bins).long() - 1).clamp(0, n_bins - 1)
            ece = torch.zeros((), dtype=torch.float64)
            for m in range(n_bins):
                inside = bins == m
                if inside.any():
                    ece = ece + inside.double().mean() * (correct[inside].mean() - confidence[inside].mean()).abs()
            return ece
        """,
        "sorts the probabilities in place": """
            probs.sort_(dim=1, descending=True)
            confidence = probs[:, 0].double()
            predicted = probs.argmax(dim=1)
            correct = (predicted == labels).double()
            bins = (torch.ceil(confidence * n_bins).long() - 1).clamp(0, n_bins - 1)
            ece = 0.0
            for m in range(n_bins):
                inside = bins == m
                if inside.any():
                    ece += inside.double().mean().item() * (correct[inside].mean() - confidence[inside].mean()).abs().item()
            return float(ece)
        """,
    },
    "input_gradient": {
        "attacks the model in training mode (no model.eval())": """
            x = images.detach().clone().requires_grad_(True)
            loss = F.cross_entropy(model(x), labels, reduction="sum")
            return torch.autograd.grad(loss, x)[0]
        """,
        "leaves the model in evaluation mode": """
            model.eval()
            x = images.detach().clone().requires_grad_(True)
            loss = F.cross_entropy(model(x), labels, reduction="sum")
            return torch.autograd.grad(loss, x)[0]
        """,
        "always puts the model back in training mode": """
            model.eval()
            x = images.detach().clone().requires_grad_(True)
            loss = F.cross_entropy(model(x), labels, reduction="sum")
            grad = torch.autograd.grad(loss, x)[0]
            model.train()
            return grad
        """,
        "the mean loss instead of the sum": """
            was_training = model.training
            model.eval()
            x = images.detach().clone().requires_grad_(True)
            grad = torch.autograd.grad(F.cross_entropy(model(x), labels), x)[0]
            model.train(was_training)
            return grad
        """,
        "loss.backward() leaves gradients in the weights": """
            was_training = model.training
            model.eval()
            x = images.detach().clone().requires_grad_(True)
            F.cross_entropy(model(x), labels, reduction="sum").backward()
            model.train(was_training)
            return x.grad
        """,
        "switches on requires_grad of the caller's images": """
            was_training = model.training
            model.eval()
            images.requires_grad_(True)
            grad = torch.autograd.grad(F.cross_entropy(model(images), labels, reduction="sum"), images)[0]
            model.train(was_training)
            return grad
        """,
        "the gradient of the negative loss": """
            was_training = model.training
            model.eval()
            x = images.detach().clone().requires_grad_(True)
            grad = torch.autograd.grad(-F.cross_entropy(model(x), labels, reduction="sum"), x)[0]
            model.train(was_training)
            return grad
        """,
        "returns the sign of the gradient": """
            was_training = model.training
            model.eval()
            x = images.detach().clone().requires_grad_(True)
            grad = torch.autograd.grad(F.cross_entropy(model(x), labels, reduction="sum"), x)[0]
            model.train(was_training)
            return grad.sign()
        """,
        "keeps the graph (create_graph=True)": """
            was_training = model.training
            model.eval()
            x = images.detach().clone().requires_grad_(True)
            grad = torch.autograd.grad(F.cross_entropy(model(x), labels, reduction="sum"), x, create_graph=True)[0]
            model.train(was_training)
            return grad
        """,
    },
    "fgsm": {
        "steps against the gradient": """
            return (images - eps * grad.sign()).clamp(0.0, 1.0)
        """,
        "no clipping to [0, 1]": """
            return images + eps * grad.sign()
        """,
        "eps times the gradient instead of its sign": """
            return (images + eps * grad).clamp(0.0, 1.0)
        """,
        "the gradient scaled by its largest entry": """
            return (images + eps * grad / grad.abs().max()).clamp(0.0, 1.0)
        """,
        "clips to [-1, 1]": """
            return (images + eps * grad.sign()).clamp(-1.0, 1.0)
        """,
        "changes the images in place": """
            images.add_(eps * grad.sign()).clamp_(0.0, 1.0)
            return images
        """,
    },
    "pgd_step": {
        "projects onto the L2 ball": """
            delta = adversarial + alpha * grad.sign() - images
            norms = delta.flatten(1).norm(dim=1).clamp(min=1e-12).view(-1, *[1] * (delta.dim() - 1))
            delta = delta * torch.clamp(eps / norms, max=1.0)
            return (images + delta).clamp(0.0, 1.0)
        """,
        "no clipping to [0, 1]": """
            stepped = adversarial + alpha * grad.sign()
            return torch.minimum(torch.maximum(stepped, images - eps), images + eps)
        """,
        "the ball around the current adversarial images": """
            stepped = adversarial + alpha * grad.sign()
            return torch.minimum(torch.maximum(stepped, adversarial - eps), adversarial + eps).clamp(0.0, 1.0)
        """,
        "no projection": """
            return (adversarial + alpha * grad.sign()).clamp(0.0, 1.0)
        """,
        "steps by eps instead of alpha": """
            stepped = adversarial + eps * grad.sign()
            return torch.minimum(torch.maximum(stepped, images - eps), images + eps).clamp(0.0, 1.0)
        """,
        "steps against the gradient": """
            stepped = adversarial - alpha * grad.sign()
            return torch.minimum(torch.maximum(stepped, images - eps), images + eps).clamp(0.0, 1.0)
        """,
        "clips to [0, 1] before the step, not after": """
            stepped = adversarial.clamp(0.0, 1.0) + alpha * grad.sign()
            return torch.minimum(torch.maximum(stepped, images - eps), images + eps)
        """,
        "changes the adversarial images in place": """
            adversarial.add_(alpha * grad.sign())
            adversarial.copy_(torch.minimum(torch.maximum(adversarial, images - eps), images + eps).clamp(0.0, 1.0))
            return adversarial
        """,
    },
    "subgroup_metrics": {
        "every group gets the accuracy of all images pooled": """
            correct = (predictions == labels).double()
            n_groups = int(groups.max()) + 1
            per_group = correct.mean().repeat(n_groups)
            return {"per_group": per_group, "overall": correct.mean().item(), "gap": 0.0}
        """,
        "right answers of a group divided by all N images": """
            correct = (predictions == labels).double()
            n_groups = int(groups.max()) + 1
            per_group = torch.stack([correct[groups == g].sum() / len(correct) for g in range(n_groups)])
            return {"per_group": per_group, "overall": correct.mean().item(),
                    "gap": (per_group.max() - per_group.min()).item()}
        """,
        "overall accuracy as the mean of the groups' accuracies": """
            correct = (predictions == labels).double()
            n_groups = int(groups.max()) + 1
            per_group = torch.stack([correct[groups == g].mean() for g in range(n_groups)])
            return {"per_group": per_group, "overall": per_group.mean().item(),
                    "gap": (per_group.max() - per_group.min()).item()}
        """,
        "gap as group 0 minus group 1": """
            correct = (predictions == labels).double()
            n_groups = int(groups.max()) + 1
            per_group = torch.stack([correct[groups == g].mean() for g in range(n_groups)])
            return {"per_group": per_group, "overall": correct.mean().item(),
                    "gap": (per_group[0] - per_group[1]).item()}
        """,
        "gap as the best group minus the overall accuracy": """
            correct = (predictions == labels).double()
            n_groups = int(groups.max()) + 1
            per_group = torch.stack([correct[groups == g].mean() for g in range(n_groups)])
            return {"per_group": per_group, "overall": correct.mean().item(),
                    "gap": (per_group.max() - correct.mean()).item()}
        """,
        "tensors where Python floats are asked for": """
            correct = (predictions == labels).double()
            n_groups = int(groups.max()) + 1
            per_group = torch.stack([correct[groups == g].mean() for g in range(n_groups)])
            return {"per_group": per_group, "overall": correct.mean(), "gap": per_group.max() - per_group.min()}
        """,
    },
    "gradient_distance": {
        "the mean of the squared differences instead of the sum": """
            if kind == "l2":
                return torch.stack([((d - t) ** 2).mean() for d, t in zip(dummy_grads, true_grads)]).sum()
            dot = sum((d * t).sum() for d, t in zip(dummy_grads, true_grads))
            return 1 - dot / (torch.sqrt(sum((d ** 2).sum() for d in dummy_grads))
                              * torch.sqrt(sum((t ** 2).sum() for t in true_grads)))
        """,
        "only the last parameter": """
            d, t = dummy_grads[-1], true_grads[-1]
            if kind == "l2":
                return ((d - t) ** 2).sum()
            if kind == "cosine":
                return 1 - (d * t).sum() / (d.norm() * t.norm())
            raise ValueError(kind)
        """,
        "the Euclidean distance, not its square": """
            if kind == "l2":
                return torch.sqrt(sum(((d - t) ** 2).sum() for d, t in zip(dummy_grads, true_grads)))
            if kind == "cosine":
                dot = sum((d * t).sum() for d, t in zip(dummy_grads, true_grads))
                return 1 - dot / (torch.sqrt(sum((d ** 2).sum() for d in dummy_grads))
                                  * torch.sqrt(sum((t ** 2).sum() for t in true_grads)))
            raise ValueError(kind)
        """,
        "one cosine per parameter, averaged": """
            if kind == "l2":
                return sum(((d - t) ** 2).sum() for d, t in zip(dummy_grads, true_grads))
            if kind == "cosine":
                cosines = [(d * t).sum() / (d.norm() * t.norm()) for d, t in zip(dummy_grads, true_grads)]
                return 1 - torch.stack(cosines).mean()
            raise ValueError(kind)
        """,
        "the cosine similarity instead of the distance": """
            if kind == "l2":
                return sum(((d - t) ** 2).sum() for d, t in zip(dummy_grads, true_grads))
            if kind == "cosine":
                dot = sum((d * t).sum() for d, t in zip(dummy_grads, true_grads))
                return dot / (torch.sqrt(sum((d ** 2).sum() for d in dummy_grads))
                              * torch.sqrt(sum((t ** 2).sum() for t in true_grads)))
            raise ValueError(kind)
        """,
        "absolute differences instead of squares": """
            if kind == "l2":
                return sum((d - t).abs().sum() for d, t in zip(dummy_grads, true_grads))
            if kind == "cosine":
                dot = sum((d * t).sum() for d, t in zip(dummy_grads, true_grads))
                return 1 - dot / (torch.sqrt(sum((d ** 2).sum() for d in dummy_grads))
                                  * torch.sqrt(sum((t ** 2).sum() for t in true_grads)))
            raise ValueError(kind)
        """,
        ".item(): a float, cut off from autograd": """
            if kind == "l2":
                return sum(((d - t) ** 2).sum() for d, t in zip(dummy_grads, true_grads)).item()
            if kind == "cosine":
                dot = sum((d * t).sum() for d, t in zip(dummy_grads, true_grads))
                return (1 - dot / (torch.sqrt(sum((d ** 2).sum() for d in dummy_grads))
                                   * torch.sqrt(sum((t ** 2).sum() for t in true_grads)))).item()
            raise ValueError(kind)
        """,
        "any kind other than 'l2' is taken as the cosine": """
            if kind == "l2":
                return sum(((d - t) ** 2).sum() for d, t in zip(dummy_grads, true_grads))
            dot = sum((d * t).sum() for d, t in zip(dummy_grads, true_grads))
            return 1 - dot / (torch.sqrt(sum((d ** 2).sum() for d in dummy_grads))
                              * torch.sqrt(sum((t ** 2).sum() for t in true_grads)))
        """,
        "the dot product without the norms": """
            if kind == "l2":
                return sum(((d - t) ** 2).sum() for d, t in zip(dummy_grads, true_grads))
            if kind == "cosine":
                return 1 - sum((d * t).sum() for d, t in zip(dummy_grads, true_grads))
            raise ValueError(kind)
        """,
    },
}
