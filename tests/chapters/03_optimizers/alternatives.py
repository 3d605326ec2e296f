"""Correct answers to the exercises of chapter 03, written unlike the reference solutions.

Each body replaces the code between the solution markers of its solution cell; every one must get
full marks on every grade cell.
"""

CHAPTER = "03_optimizers"

ALTERNATIVES = {
    "momentum_step": {
        "torch.add and torch.sub with alpha": """
            v_new = torch.add(grad, v, alpha=mu)
            return torch.sub(w, v_new, alpha=lr), v_new
        """,
        "in-place operations on clones": """
            v_new = v.clone()
            v_new.mul_(mu).add_(grad)
            w_new = w.clone()
            w_new.add_(v_new, alpha=-lr)
            return w_new, v_new
        """,
        "float64 inside, cast back to the input's dtype": """
            v64 = mu * v.double() + grad.double()
            w64 = w.double() - lr * v64
            return w64.to(w.dtype), v64.to(v.dtype)
        """,
        "torch.lerp towards w - v_new": """
            v_new = grad + v * mu
            w_new = torch.lerp(w, w - v_new, lr)
            return (w_new, v_new)
        """,
    },
    "linear_decay": {
        "interpolate from lr0, with an explicit branch after T": """
            if k >= T:
                return float(lr_final)
            return lr0 + (lr_final - lr0) * k / T
        """,
        "numpy's interp (clamps beyond T)": """
            return float(np.interp(k, [0, T], [lr0, lr_final]))
        """,
        "a torch tensor in float64, converted with .item()": """
            alpha = torch.tensor(k / T, dtype=torch.float64).clamp(max=1.0)
            return (lr0 * (1 - alpha) + lr_final * alpha).item()
        """,
        "the remaining fraction of the way, counted down": """
            remaining = max(T - k, 0) / T
            return lr_final + (lr0 - lr_final) * remaining
        """,
    },
    "exponential_decay": {
        "torch's factor per step, raised to the power k": """
            return lr0 * math.exp(-gamma) ** k
        """,
        "numpy's exp (a numpy float64)": """
            return lr0 * np.exp(-gamma * k)
        """,
        "a loop that multiplies by the factor k times": """
            rate = float(lr0)
            for _ in range(k):
                rate *= math.exp(-gamma)
            return rate
        """,
        "math.e to a power, in float64 torch, then float": """
            return float(lr0 * torch.tensor(math.e, dtype=torch.float64) ** (-gamma * k))
        """,
    },
    "adagrad_step": {
        "torch.addcmul and torch.addcdiv": """
            c_new = torch.addcmul(c, grad, grad)
            w_new = torch.addcdiv(w, grad, c_new.sqrt().add(eps), value=-lr)
            return w_new, c_new
        """,
        "grad * grad, pow(0.5) and a reciprocal": """
            c_new = c + grad * grad
            w_new = w - lr * grad * torch.reciprocal(c_new.pow(0.5) + eps)
            return w_new, c_new
        """,
        "float64 inside, cast back to the input's dtype": """
            c64 = c.double() + grad.double().square()
            w64 = w.double() - lr * grad.double() / (c64.sqrt() + eps)
            return w64.to(w.dtype), c64.to(c.dtype)
        """,
    },
    "adam_step": {
        "torch's own formulation (lerp, step size and denominator)": """
            v_new = torch.lerp(v, grad, 1 - beta1)
            c_new = c * beta2 + grad.square() * (1 - beta2)
            bias1, bias2 = 1 - beta1 ** k, 1 - beta2 ** k
            denom = c_new.sqrt() / math.sqrt(bias2) + eps
            return torch.addcdiv(w, v_new, denom, value=-lr / bias1), v_new, c_new
        """,
        "float64 inside with torch.pow, cast back": """
            g64 = grad.double()
            v64 = beta1 * v.double() + (1 - beta1) * g64
            c64 = beta2 * c.double() + (1 - beta2) * torch.pow(g64, 2)
            v_hat = v64 / (1 - torch.tensor(beta1, dtype=torch.float64) ** k)
            c_hat = c64 / (1 - torch.tensor(beta2, dtype=torch.float64) ** k)
            w64 = w.double() - lr * v_hat / (torch.sqrt(c_hat) + eps)
            return w64.to(w.dtype), v64.to(v.dtype), c64.to(c.dtype)
        """,
        "in-place operations on clones": """
            v_new = v.clone().mul_(beta1).add_(grad, alpha=1 - beta1)
            c_new = c.clone().mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
            denom = (c_new / (1 - beta2 ** k)).sqrt_().add_(eps)
            w_new = w.clone().addcdiv_(v_new / (1 - beta1 ** k), denom, value=-lr)
            return w_new, v_new, c_new
        """,
    },
}
