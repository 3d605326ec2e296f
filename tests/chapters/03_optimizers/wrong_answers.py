"""Typical wrong answers to the exercises of chapter 03 (see the package docstring)."""

CHAPTER = "03_optimizers"

WRONG_ANSWERS = {
    "momentum_step": {
        "scales the gradient by (1 - mu)": """
            v_new = mu * v + (1 - mu) * grad
            return w - lr * v_new, v_new
        """,
        "steps with + instead of -": """
            v_new = mu * v + grad
            return w + lr * v_new, v_new
        """,
        "steps with the old velocity": """
            v_new = mu * v + grad
            return w - lr * v, v_new
        """,
        "puts the learning rate into the velocity (v = mu v - lr g, w = w + v)": """
            v_new = mu * v - lr * grad
            return w + v_new, v_new
        """,
        "forgets mu (v = v + grad)": """
            v_new = v + grad
            return w - lr * v_new, v_new
        """,
        "updates the inputs in place": """
            v.mul_(mu).add_(grad)
            w.sub_(lr * v)
            return w, v
        """,
        "calls torch.optim.SGD": """
            p = w.clone().requires_grad_(True)
            optimizer = torch.optim.SGD([p], lr=lr, momentum=mu)
            if v.abs().sum() > 0:
                optimizer.state[p]["momentum_buffer"] = v.clone()
            p.grad = grad.clone()
            optimizer.step()
            return p.detach(), optimizer.state[p]["momentum_buffer"].clone()
        """,
        "steps w in place (w -= lr * v_new)": """
            v_new = mu * v + grad
            w -= lr * v_new
            return w, v_new
        """,
        "returns a list [w_new, v_new] instead of a tuple": """
            v_new = mu * v + grad
            return [w - lr * v_new, v_new]
        """,
    },
    "linear_decay": {
        "off by one step (k + 1)": """
            alpha = min((k + 1) / T, 1.0)
            return (1 - alpha) * lr0 + alpha * lr_final
        """,
        "no clamp after T": """
            alpha = k / T
            return (1 - alpha) * lr0 + alpha * lr_final
        """,
        "swaps the start and end rates": """
            alpha = min(k / T, 1.0)
            return alpha * lr0 + (1 - alpha) * lr_final
        """,
        "integer division k // T": """
            alpha = min(k // T, 1)
            return (1 - alpha) * lr0 + alpha * lr_final
        """,
        "returns a 0-d tensor instead of a float": """
            alpha = torch.clamp(torch.tensor(k / T), max=1.0)
            return (1 - alpha) * lr0 + alpha * lr_final
        """,
        "runs torch's LinearLR scheduler": """
            p = torch.zeros(1, requires_grad=True)
            optimizer = torch.optim.SGD([p], lr=lr0)
            scheduler = LinearLR(optimizer, start_factor=1.0, end_factor=lr_final / lr0, total_iters=T)
            for _ in range(k):
                optimizer.step()
                scheduler.step()
            return optimizer.param_groups[0]["lr"]
        """,
    },
    "exponential_decay": {
        "off by one step (k + 1)": """
            return lr0 * math.exp(-gamma * (k + 1))
        """,
        "uses gamma as torch's factor per step (gamma ** k)": """
            return lr0 * gamma ** k
        """,
        "divides by gamma in the exponent": """
            return lr0 * math.exp(-k / gamma) if gamma > 0 else lr0
        """,
        "returns a 0-d tensor (torch.exp) instead of a float": """
            return lr0 * torch.exp(torch.tensor(-gamma * k))
        """,
        "runs torch's ExponentialLR scheduler": """
            p = torch.zeros(1, requires_grad=True)
            optimizer = torch.optim.SGD([p], lr=lr0)
            scheduler = ExponentialLR(optimizer, gamma=math.exp(-gamma))
            for _ in range(k):
                optimizer.step()
                scheduler.step()
            return optimizer.param_groups[0]["lr"]
        """,
    },
    "adagrad_step": {
        "adds the gradient instead of its square": """
            c_new = c + grad
            return w - lr * grad / (torch.sqrt(c_new) + eps), c_new
        """,
        "adds the absolute gradient instead of its square": """
            c_new = c + grad.abs()
            return w - lr * grad / (torch.sqrt(c_new) + eps), c_new
        """,
        "eps inside the square root": """
            c_new = c + grad ** 2
            return w - lr * grad / torch.sqrt(c_new + eps), c_new
        """,
        "divides by the old cache": """
            c_new = c + grad ** 2
            return w - lr * grad / (torch.sqrt(c) + eps), c_new
        """,
        "forgets the square root": """
            c_new = c + grad ** 2
            return w - lr * grad / (c_new + eps), c_new
        """,
        "no eps (0/0 for a zero gradient)": """
            c_new = c + grad ** 2
            return w - lr * grad / torch.sqrt(c_new), c_new
        """,
        "updates the inputs in place": """
            c.add_(grad ** 2)
            w.sub_(lr * grad / (torch.sqrt(c) + eps))
            return w, c
        """,
        "adds to the cache in place (c += grad ** 2)": """
            c += grad ** 2
            return w - lr * grad / (torch.sqrt(c) + eps), c
        """,
        "ignores the eps argument (a fixed 1e-10)": """
            c_new = c + grad ** 2
            return w - lr * grad / (torch.sqrt(c_new) + 1e-10), c_new
        """,
        "calls torch.optim.Adagrad": """
            p = w.clone().requires_grad_(True)
            optimizer = torch.optim.Adagrad([p], lr=lr, eps=eps)
            optimizer.state[p]["sum"] = c.clone()
            optimizer.state[p]["step"] = torch.tensor(0.0)
            p.grad = grad.clone()
            optimizer.step()
            return p.detach(), optimizer.state[p]["sum"].clone()
        """,
    },
    "adam_step": {
        "no bias correction": """
            v_new = beta1 * v + (1 - beta1) * grad
            c_new = beta2 * c + (1 - beta2) * grad ** 2
            return w - lr * v_new / (torch.sqrt(c_new) + eps), v_new, c_new
        """,
        "eps inside the square root": """
            v_new = beta1 * v + (1 - beta1) * grad
            c_new = beta2 * c + (1 - beta2) * grad ** 2
            v_hat, c_hat = v_new / (1 - beta1 ** k), c_new / (1 - beta2 ** k)
            return w - lr * v_hat / torch.sqrt(c_hat + eps), v_new, c_new
        """,
        "bias correction off by one step (k + 1)": """
            v_new = beta1 * v + (1 - beta1) * grad
            c_new = beta2 * c + (1 - beta2) * grad ** 2
            v_hat, c_hat = v_new / (1 - beta1 ** (k + 1)), c_new / (1 - beta2 ** (k + 1))
            return w - lr * v_hat / (torch.sqrt(c_hat) + eps), v_new, c_new
        """,
        "returns the bias-corrected averages as the new state": """
            v_new = beta1 * v + (1 - beta1) * grad
            c_new = beta2 * c + (1 - beta2) * grad ** 2
            v_hat, c_hat = v_new / (1 - beta1 ** k), c_new / (1 - beta2 ** k)
            return w - lr * v_hat / (torch.sqrt(c_hat) + eps), v_hat, c_hat
        """,
        "corrects only the first moment": """
            v_new = beta1 * v + (1 - beta1) * grad
            c_new = beta2 * c + (1 - beta2) * grad ** 2
            v_hat = v_new / (1 - beta1 ** k)
            return w - lr * v_hat / (torch.sqrt(c_new) + eps), v_new, c_new
        """,
        "swaps beta1 and beta2": """
            v_new = beta2 * v + (1 - beta2) * grad
            c_new = beta1 * c + (1 - beta1) * grad ** 2
            v_hat, c_hat = v_new / (1 - beta2 ** k), c_new / (1 - beta1 ** k)
            return w - lr * v_hat / (torch.sqrt(c_hat) + eps), v_new, c_new
        """,
        "squares the gradient into v as well": """
            v_new = beta1 * v + (1 - beta1) * grad ** 2
            c_new = beta2 * c + (1 - beta2) * grad ** 2
            v_hat, c_hat = v_new / (1 - beta1 ** k), c_new / (1 - beta2 ** k)
            return w - lr * v_hat / (torch.sqrt(c_hat) + eps), v_new, c_new
        """,
        "bias correction (1 - beta) ** k instead of 1 - beta ** k": """
            v_new = beta1 * v + (1 - beta1) * grad
            c_new = beta2 * c + (1 - beta2) * grad ** 2
            v_hat, c_hat = v_new / (1 - beta1) ** k, c_new / (1 - beta2) ** k
            return w - lr * v_hat / (torch.sqrt(c_hat) + eps), v_new, c_new
        """,
        "counts k from 0 (beta ** (k - 1))": """
            v_new = beta1 * v + (1 - beta1) * grad
            c_new = beta2 * c + (1 - beta2) * grad ** 2
            v_hat, c_hat = v_new / (1 - beta1 ** (k - 1)), c_new / (1 - beta2 ** (k - 1))
            return w - lr * v_hat / (torch.sqrt(c_hat) + eps), v_new, c_new
        """,
        "ignores the eps argument (a fixed 1e-8)": """
            v_new = beta1 * v + (1 - beta1) * grad
            c_new = beta2 * c + (1 - beta2) * grad ** 2
            v_hat, c_hat = v_new / (1 - beta1 ** k), c_new / (1 - beta2 ** k)
            return w - lr * v_hat / (torch.sqrt(c_hat) + 1e-8), v_new, c_new
        """,
        "updates v and c in place": """
            v.mul_(beta1).add_((1 - beta1) * grad)
            c.mul_(beta2).add_((1 - beta2) * grad ** 2)
            v_hat, c_hat = v / (1 - beta1 ** k), c / (1 - beta2 ** k)
            return w - lr * v_hat / (torch.sqrt(c_hat) + eps), v, c
        """,
        "calls torch.optim.Adam": """
            p = w.clone().requires_grad_(True)
            optimizer = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
            optimizer.state[p].update(step=torch.tensor(float(k - 1)), exp_avg=v.clone(), exp_avg_sq=c.clone())
            p.grad = grad.clone()
            optimizer.step()
            return p.detach(), optimizer.state[p]["exp_avg"].clone(), optimizer.state[p]["exp_avg_sq"].clone()
        """,
        "returns a list [w_new, v_new, c_new] instead of a tuple": """
            v_new = beta1 * v + (1 - beta1) * grad
            c_new = beta2 * c + (1 - beta2) * grad ** 2
            v_hat, c_hat = v_new / (1 - beta1 ** k), c_new / (1 - beta2 ** k)
            return [w - lr * v_hat / (torch.sqrt(c_hat) + eps), v_new, c_new]
        """,
    },
}
