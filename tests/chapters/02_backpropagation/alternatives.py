"""Correct answers to the exercises of chapter 02 written unlike the reference; each must get full marks."""

CHAPTER = "02_backpropagation"

ALTERNATIVES = {
    "xyz_backward": {
        "one line": """
            return (x + y) * z, z, z, x + y
        """,
        "a table of local gradients": """
            local = {"q": {"x": 1.0, "y": 1.0}, "f": {"q": z, "z": x + y}}
            upstream = {"f": 1.0}
            upstream["q"] = upstream["f"] * local["f"]["q"]
            upstream["z"] = upstream["f"] * local["f"]["z"]
            upstream["x"] = upstream["q"] * local["q"]["x"]
            upstream["y"] = upstream["q"] * local["q"]["y"]
            return ((x + y) * z, upstream["x"], upstream["y"], upstream["z"])
        """,
    },
    "backward_graph": {
        "a table of local-gradient functions and a defaultdict": """
            from collections import defaultdict
            forward = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b,
                       "max": lambda a, b: a if a >= b else b, "relu": lambda a: a if a > 0 else 0.0}
            local = {"add": lambda a, b: (1.0, 1.0), "mul": lambda a, b: (b, a),
                     "max": lambda a, b: (1.0, 0.0) if a >= b else (0.0, 1.0),
                     "relu": lambda a: (1.0 if a > 0 else 0.0,)}
            value = {}
            for name, op, args in nodes:
                value[name] = float(values[name]) if op == "input" else forward[op](*[value[a] for a in args])
            grad = defaultdict(float)
            grad[nodes[-1][0]] = 1.0
            for name, op, args in nodes[::-1]:
                if op != "input":
                    for arg, d in zip(args, local[op](*[value[a] for a in args])):
                        grad[arg] = grad[arg] + d * grad[name]
            return {name: float(grad[name]) for name, _, _ in nodes}
        """,
        "torch scalars and autograd": """
            value = {}
            for name, op, args in nodes:
                inputs = [value[a] for a in args]
                if op == "input":
                    value[name] = torch.tensor(float(values[name]), dtype=torch.float64, requires_grad=True)
                elif op == "add":
                    value[name] = inputs[0] + inputs[1]
                elif op == "mul":
                    value[name] = inputs[0] * inputs[1]
                elif op == "max":
                    value[name] = torch.where(inputs[0] >= inputs[1], inputs[0], inputs[1])
                else:
                    value[name] = torch.relu(inputs[0])
                value[name].retain_grad()
            value[nodes[-1][0]].backward()
            return {name: 0.0 if value[name].grad is None else value[name].grad.item() for name, _, _ in nodes}
        """,
        "positions instead of names, a list of gradients": """
            index = {name: k for k, (name, _, _) in enumerate(nodes)}
            vals = [0.0] * len(nodes)
            for k, (name, op, args) in enumerate(nodes):
                a = [vals[index[n]] for n in args]
                vals[k] = (float(values[name]) if op == "input" else a[0] + a[1] if op == "add"
                           else a[0] * a[1] if op == "mul" else max(a) if op == "max" else max(a[0], 0.0))
            grads = [0.0] * len(nodes)
            grads[-1] = 1.0
            for k in range(len(nodes) - 1, -1, -1):
                _, op, args = nodes[k]
                slots = [index[n] for n in args]
                if op == "add":
                    for s in slots:
                        grads[s] += grads[k]
                elif op == "mul":
                    grads[slots[0]] += grads[k] * vals[slots[1]]
                    grads[slots[1]] += grads[k] * vals[slots[0]]
                elif op == "max":
                    grads[slots[0] if vals[slots[0]] >= vals[slots[1]] else slots[1]] += grads[k]
                elif op == "relu" and vals[slots[0]] > 0:
                    grads[slots[0]] += grads[k]
            return {name: grads[k] for k, (name, _, _) in enumerate(nodes)}
        """,
    },
    "two_layer_backward": {
        "the ReLU mask read from the output, as PyTorch does": """
            Z = X @ W1.T + b1
            Q = Z.clamp(min=0) if activation == "relu" else 1 / (1 + torch.exp(-Z))
            local = (Q > 0).to(Q.dtype) if activation == "relu" else Q - Q * Q
            error = Q @ W2.T + b2 - Y
            d_out = error * (2.0 / len(X))
            d_hidden = (d_out @ W2) * local
            return {"W1": d_hidden.T @ X, "b1": d_hidden.sum(0), "W2": d_out.T @ Q, "b2": d_out.sum(0)}
        """,
        "einsum, one example at a time": """
            N = X.shape[0]
            grads = {"W1": torch.zeros_like(W1), "b1": torch.zeros_like(b1),
                     "W2": torch.zeros_like(W2), "b2": torch.zeros_like(b2)}
            for x, y in zip(X, Y):
                z = torch.einsum("up,p->u", W1, x) + b1
                if activation == "relu":
                    q, dh = torch.where(z > 0, z, torch.zeros_like(z)), (z > 0).to(z.dtype)
                else:
                    q = torch.sigmoid(z)
                    dh = torch.exp(-z) / (1 + torch.exp(-z)) ** 2
                dy = 2 * (torch.einsum("ku,u->k", W2, q) + b2 - y) / N
                dz = torch.einsum("k,ku->u", dy, W2) * dh
                grads["W2"] += torch.outer(dy, q)
                grads["b2"] += dy
                grads["W1"] += torch.outer(dz, x)
                grads["b1"] += dz
            return grads
        """,
        "addmm and F.relu, transposes by .t()": """
            Z = torch.addmm(b1, X, W1.t())
            if activation == "relu":
                Q, dh = F.relu(Z), torch.heaviside(Z, torch.zeros((), dtype=Z.dtype))
            else:
                Q = torch.sigmoid(Z)
                dh = torch.sigmoid(Z) * torch.sigmoid(-Z)
            dY = (torch.addmm(b2, Q, W2.t()) - Y).mul(2).div(X.size(0))
            dZ = dY.mm(W2).mul(dh)
            return dict(W1=dZ.t().mm(X), b1=dZ.sum(0), W2=dY.t().mm(Q), b2=dY.sum(0))
        """,
    },
    "numerical_gradient": {
        "in place on the caller's x, putting back the saved value": """
            grad = torch.zeros_like(x)
            for index in range(x.numel()):
                position = tuple(int(i) for i in torch.unravel_index(torch.tensor(index), x.shape))
                saved = x[position].clone()
                with torch.no_grad():
                    x[position] = saved + h
                    up = float(f(x))
                    x[position] = saved - h
                    down = float(f(x))
                    x[position] = saved
                grad[position] = (up - down) / (2 * h)
            return grad
        """,
        "a new point x ± h e_j for every entry": """
            x = x.detach()
            flat = x.reshape(-1)
            out = []
            for j in range(flat.numel()):
                step = torch.zeros_like(flat)
                step[j] = h
                up = float(f((flat + step).reshape(x.shape)))
                down = float(f((flat - step).reshape(x.shape)))
                out.append((up - down) / (2 * h))
            return torch.tensor(out, dtype=x.dtype).reshape(x.shape)
        """,
        "numpy indices over a copy": """
            import numpy as np
            point = x.detach().clone()
            grad = torch.empty_like(point)
            for index in np.ndindex(*point.shape):
                original = point[index].item()
                point[index] = original + h
                plus = float(f(point))
                point[index] = original - h
                minus = float(f(point))
                point[index] = original
                grad[index] = (plus - minus) / (2 * h)
            return grad
        """,
    },
    "relative_error": {
        "numpy": """
            import numpy as np
            a = analytic.detach().cpu().double().numpy()
            n = numerical.detach().cpu().double().numpy()
            return float(np.max(np.abs(a - n) / np.maximum(np.maximum(np.abs(a), np.abs(n)), tiny)))
        """,
        "a Python loop over the entries": """
            worst = 0.0
            for a, n in zip(analytic.double().flatten().tolist(), numerical.double().flatten().tolist()):
                worst = max(worst, abs(a - n) / max(abs(a), abs(n), tiny))
            return worst
        """,
        "torch.where for the denominator": """
            a, n = analytic.double(), numerical.double()
            bigger = torch.where(a.abs() > n.abs(), a.abs(), n.abs())
            bigger = torch.where(bigger < tiny, torch.full_like(bigger, tiny), bigger)
            return float(torch.amax(torch.abs(a - n) / bigger))
        """,
    },
}
