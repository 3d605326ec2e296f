"""Typical wrong answers to the exercises of chapter 02 (see tests/chapter_tests.py).

Most are the reference with one mistake put in: ``_swap`` replaces one piece of the reference
and fails loudly if that piece is no longer there, so the list stays in step with the notebook.
"""

CHAPTER = "02_backpropagation"

AFFECTS: dict[str, set[str]] = {}


def _swap(reference: str, *pairs: tuple[str, str]) -> str:
    for old, new in pairs:
        assert old in reference, f"wrong_answers.py: {old!r} is not in the reference any more"
        reference = reference.replace(old, new)
    return reference


XYZ = """
    q = x + y
    f = q * z
    df_dq = z
    df_dz = q
    df_dx = 1.0 * df_dq
    df_dy = 1.0 * df_dq
    return f, df_dx, df_dy, df_dz
"""

GRAPH = """
    value = {}
    for name, op, args in nodes:
        if op == "input":
            value[name] = float(values[name])
        elif op == "add":
            value[name] = value[args[0]] + value[args[1]]
        elif op == "mul":
            value[name] = value[args[0]] * value[args[1]]
        elif op == "max":
            value[name] = max(value[args[0]], value[args[1]])
        elif op == "relu":
            value[name] = max(value[args[0]], 0.0)
    grad = {name: 0.0 for name, _, _ in nodes}
    grad[nodes[-1][0]] = 1.0
    for name, op, args in reversed(nodes):
        g = grad[name]
        if op == "add":
            grad[args[0]] += g
            grad[args[1]] += g
        elif op == "mul":
            grad[args[0]] += g * value[args[1]]
            grad[args[1]] += g * value[args[0]]
        elif op == "max":
            winner = args[0] if value[args[0]] >= value[args[1]] else args[1]
            grad[winner] += g
        elif op == "relu":
            grad[args[0]] += g if value[args[0]] > 0 else 0.0
    return grad
"""

NET = """
    N = X.shape[0]
    Z = X @ W1.T + b1
    if activation == "relu":
        Q = torch.relu(Z)
        dh = (Z > 0).to(Z.dtype)
    else:
        Q = torch.sigmoid(Z)
        dh = Q * (1 - Q)
    Y_hat = Q @ W2.T + b2
    dY_hat = 2 * (Y_hat - Y) / N
    dW2 = dY_hat.T @ Q
    db2 = dY_hat.sum(dim=0)
    dQ = dY_hat @ W2
    dZ = dQ * dh
    dW1 = dZ.T @ X
    db1 = dZ.sum(dim=0)
    return {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
"""

NUMERICAL = """
    x = x.detach().clone()
    grad = torch.zeros_like(x)
    flat, flat_grad = x.view(-1), grad.view(-1)
    with torch.no_grad():
        for j in range(flat.numel()):
            saved = flat[j].item()
            flat[j] = saved + h
            f_plus = float(f(x))
            flat[j] = saved - h
            f_minus = float(f(x))
            flat[j] = saved
            flat_grad[j] = (f_plus - f_minus) / (2 * h)
    return grad
"""

RELATIVE = """
    a = analytic.detach().to(torch.float64)
    n = numerical.detach().to(torch.float64)
    denominator = torch.maximum(a.abs(), n.abs()).clamp(min=tiny)
    return ((a - n).abs() / denominator).max().item()
"""

WRONG_ANSWERS = {
    "xyz_backward": {
        "the multiply gate does not swap (df/dz = z)": _swap(XYZ, ("df_dz = q", "df_dz = z")),
        "local gradients only, no chain rule (df/dx = 1)": _swap(XYZ, ("df_dx = 1.0 * df_dq", "df_dx = 1.0"),
                                                                  ("df_dy = 1.0 * df_dq", "df_dy = 1.0")),
        "treats f as the product x y z": """
            return (x + y) * z, y * z, x * z, x * y
        """,
        "returns q instead of f": _swap(XYZ, ("return f,", "return q,")),
    },
    "backward_graph": {
        "overwrites instead of adding at a fork": _swap(
            GRAPH, ("grad[args[0]] += g\n", "grad[args[0]] = g\n"), ("grad[args[1]] += g\n", "grad[args[1]] = g\n"),
            ("grad[args[0]] += g * value[args[1]]", "grad[args[0]] = g * value[args[1]]"),
            ("grad[args[1]] += g * value[args[0]]", "grad[args[1]] = g * value[args[0]]"),
            ("grad[winner] += g", "grad[winner] = g"),
            ("grad[args[0]] += g if", "grad[args[0]] = g if")),
        "walks the backward pass in forward order": _swap(GRAPH, ("in reversed(nodes)", "in nodes")),
        "mul passes each input its own value": _swap(
            GRAPH, ("grad[args[0]] += g * value[args[1]]", "grad[args[0]] += g * value[args[0]]"),
            ("grad[args[1]] += g * value[args[0]]", "grad[args[1]] += g * value[args[1]]")),
        "max sends the gradient to both inputs": _swap(
            GRAPH, ("            winner = args[0] if value[args[0]] >= value[args[1]] else args[1]\n"
                    "            grad[winner] += g\n",
                    "            grad[args[0]] += g\n            grad[args[1]] += g\n")),
        "max routes a tie to the second input": _swap(GRAPH, ("value[args[0]] >= value[args[1]]",
                                                               "value[args[0]] > value[args[1]]")),
        "relu passes the gradient at 0 too": _swap(GRAPH, ("g if value[args[0]] > 0", "g if value[args[0]] >= 0")),
        "relu masks by the upstream gradient": _swap(GRAPH, ("g if value[args[0]] > 0", "g if g > 0")),
        "returns the gradients of the inputs only": _swap(
            GRAPH, ("    return grad\n", "    return {name: grad[name] for name, op, _ in nodes if op == 'input'}\n")),
        "the output's gradient starts at 0": _swap(GRAPH, ("grad[nodes[-1][0]] = 1.0", "grad[nodes[-1][0]] = 0.0")),
    },
    "two_layer_backward": {
        "transposed weight gradients": _swap(NET, ("dW2 = dY_hat.T @ Q", "dW2 = Q.T @ dY_hat"),
                                             ("dW1 = dZ.T @ X", "dW1 = X.T @ dZ")),
        "divides by N twice": _swap(NET, ("dW2 = dY_hat.T @ Q", "dW2 = dY_hat.T @ Q / N"),
                                    ("db2 = dY_hat.sum(dim=0)", "db2 = dY_hat.sum(dim=0) / N"),
                                    ("dW1 = dZ.T @ X", "dW1 = dZ.T @ X / N"),
                                    ("db1 = dZ.sum(dim=0)", "db1 = dZ.sum(dim=0) / N")),
        "divides by N twice in the weight gradients only": _swap(
            NET, ("dW2 = dY_hat.T @ Q", "dW2 = dY_hat.T @ Q / N"), ("dW1 = dZ.T @ X", "dW1 = dZ.T @ X / N")),
        "sums over the examples instead of averaging": _swap(NET, ("2 * (Y_hat - Y) / N", "2 * (Y_hat - Y)")),
        "averages over N K like F.mse_loss": _swap(NET, ("2 * (Y_hat - Y) / N", "2 * (Y_hat - Y) / Y.numel()")),
        "forgets the factor 2": _swap(NET, ("2 * (Y_hat - Y) / N", "(Y_hat - Y) / N")),
        "ReLU mask taken from the upstream gradient": _swap(NET, ("dZ = dQ * dh", "dZ = torch.relu(dQ) if activation == 'relu' else dQ * dh")),
        "ReLU mask Z >= 0": _swap(NET, ("dh = (Z > 0).to(Z.dtype)", "dh = (Z >= 0).to(Z.dtype)")),
        "sigmoid derivative evaluated at the output": _swap(
            NET, ("dh = Q * (1 - Q)", "dh = torch.sigmoid(Q) * (1 - torch.sigmoid(Q))")),
        "bias gradients averaged instead of summed": _swap(NET, ("db2 = dY_hat.sum(dim=0)", "db2 = dY_hat.mean(dim=0)"),
                                                           ("db1 = dZ.sum(dim=0)", "db1 = dZ.mean(dim=0)")),
        "bias gradients summed over the wrong dimension": _swap(
            NET, ("db2 = dY_hat.sum(dim=0)", "db2 = dY_hat.sum(dim=1)"), ("db1 = dZ.sum(dim=0)", "db1 = dZ.sum(dim=1)")),
        "uses autograd": """
            leaves = [t.detach().clone().requires_grad_() for t in (W1, b1, W2, b2)]
            Z = X @ leaves[0].T + leaves[1]
            Q = torch.relu(Z) if activation == "relu" else torch.sigmoid(Z)
            J = ((Q @ leaves[2].T + leaves[3] - Y) ** 2).sum() / X.shape[0]
            J.backward()
            return {k: t.grad for k, t in zip(("W1", "b1", "W2", "b2"), leaves)}
        """,
        "subtracts the targets in place": _swap(NET, ("dY_hat = 2 * (Y_hat - Y) / N",
                                                      "Y.sub_(Y_hat).neg_()\n    dY_hat = 2 * Y / N")),
    },
    "numerical_gradient": {
        "one-sided difference": _swap(NUMERICAL, ("flat[j] = saved - h\n            f_minus = float(f(x))",
                                                  "flat[j] = saved\n            f_minus = float(f(x))"),
                                      ("(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h")),
        "forgets to restore the perturbed entry": _swap(NUMERICAL, ("            flat[j] = saved\n", "")),
        "perturbs the caller's x and never restores it": _swap(
            NUMERICAL, ("    x = x.detach().clone()\n", ""), ("            flat[j] = saved\n", "")),
        "restores by adding h back instead of the saved value": """
            grad = torch.zeros_like(x)
            flat, flat_grad = x.data.view(-1), grad.view(-1)
            with torch.no_grad():
                for j in range(flat.numel()):
                    flat[j] += h
                    f_plus = float(f(x))
                    flat[j] -= 2 * h
                    f_minus = float(f(x))
                    flat[j] += h
                    flat_grad[j] = (f_plus - f_minus) / (2 * h)
            return grad
        """,
        "stores the gradient in float32": _swap(NUMERICAL, ("grad = torch.zeros_like(x)", "grad = torch.zeros(x.shape)")),
        "divides by h instead of 2h": _swap(NUMERICAL, ("(f_plus - f_minus) / (2 * h)", "(f_plus - f_minus) / h")),
        "ignores the h it is given": _swap(NUMERICAL, ("    x = x.detach().clone()\n",
                                                       "    x = x.detach().clone()\n    h = 1e-5\n")),
        "returns a flat vector": _swap(NUMERICAL, ("    return grad\n", "    return grad.view(-1)\n")),
        "reads f with .item() (fails for a float-valued f)": _swap(
            NUMERICAL, ("f_plus = float(f(x))", "f_plus = f(x).item()"), ("f_minus = float(f(x))", "f_minus = f(x).item()")),
        "perturbs all entries at once": """
            x = x.detach().clone()
            with torch.no_grad():
                difference = float(f(x + h)) - float(f(x - h))
            return torch.full_like(x, difference / (2 * h))
        """,
    },
    "relative_error": {
        "divides by |a| only": _swap(RELATIVE, ("torch.maximum(a.abs(), n.abs()).clamp(min=tiny)", "a.abs()")),
        "divides by |a| + |n|": _swap(RELATIVE, ("torch.maximum(a.abs(), n.abs())", "(a.abs() + n.abs())")),
        "the mean instead of the worst entry": _swap(RELATIVE, (".max().item()", ".mean().item()")),
        "no absolute value in the numerator": _swap(RELATIVE, ("((a - n).abs() /", "((a - n) /")),
        "a ratio of norms instead of the worst entry": """
            a, n = analytic.double(), numerical.double()
            return ((a - n).norm() / torch.maximum(a.norm(), n.norm()).clamp(min=tiny)).item()
        """,
        "no tiny: 0 / 0 is NaN": _swap(RELATIVE, (".clamp(min=tiny)", "")),
        "ignores the tiny argument": _swap(RELATIVE, (".clamp(min=tiny)", ".clamp(min=1e-12)")),
        "returns a 0-d tensor": _swap(RELATIVE, (".max().item()", ".max()")),
        "computes in float32": _swap(RELATIVE, ("analytic.detach().to(torch.float64)", "analytic.detach().float()"),
                                     ("numerical.detach().to(torch.float64)", "numerical.detach().float()"),
                                     (".max().item()", ".max().double().item()")),
    },
}
