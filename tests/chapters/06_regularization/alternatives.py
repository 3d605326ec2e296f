"""Correct answers to the exercises of chapter 06, written unlike the reference solutions."""

ALTERNATIVES = {
    "l2_penalty": {
        "a stack of per-tensor sums": """
            chosen = [w for w in params if w.dim() > 1 or decay_biases]
            if not chosen:
                return torch.tensor(0.0)
            return lam * torch.stack([torch.sum(w * w) for w in chosen]).sum()
        """,
        "one flat vector and a dot product": """
            flat = torch.cat([w.reshape(-1) for w in params if len(w.shape) >= 2 or decay_biases]
                             or [torch.zeros(0)])
            return lam * torch.dot(flat, flat)
        """,
    },
    "sgd_step_l2": {
        "a decay factor per tensor": """
            return [(1 - 2 * lr * lam * float(w.dim() >= 2 or decay_biases)) * w - lr * g
                    for w, g in zip(params, grads)]
        """,
        "torch.add with alpha": """
            out = []
            for w, g in zip(params, grads):
                decay = 2 * lam if (len(w.shape) > 1 or decay_biases) else 0.0
                out.append(torch.add(w, g + decay * w, alpha=-lr))
            return out
        """,
    },
    "inverted_dropout": {
        "torch.bernoulli with the keep probability": """
            if p < 0 or p > 1:
                raise ValueError(f"dropout probability must lie in [0, 1], not {p}")
            if not training:
                return x
            keep = 1.0 - p
            if keep == 0:
                return torch.zeros_like(x)
            mask = torch.bernoulli(torch.full(x.shape, keep, device=x.device), generator=generator)
            return x * mask / keep
        """,
        "torch.where on uniform draws": """
            if not (0.0 <= p <= 1.0):
                raise ValueError("p outside [0, 1]")
            if training is False or p == 0:
                return x.clone()
            if p == 1:
                return torch.zeros_like(x)
            u = torch.rand(x.shape, generator=generator, device=x.device)
            return torch.where(u < p, torch.zeros_like(x), x / (1 - p))
        """,
    },
    "fit_early_stopping": {
        "a history of losses and clone()d tensors": """
            history, best_state, best_epoch, epoch = [], None, 0, 0
            while epoch < max_epochs:
                epoch += 1
                train_one_epoch(model)
                history.append(validation_loss(model))
                if history[-1] < min(history[:-1], default=math.inf):
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
                best_epoch = history.index(min(history)) + 1
                if epoch - best_epoch >= patience:
                    break
            model.load_state_dict(best_state)
            return best_epoch, best_state
        """,
        "a deep copy of the whole model": """
            best, bad = (math.inf, 0, None), 0
            for epoch in range(1, max_epochs + 1):
                train_one_epoch(model)
                loss = validation_loss(model)
                if loss < best[0]:
                    best, bad = (loss, epoch, copy.deepcopy(model)), 0
                else:
                    bad += 1
                if bad == patience:
                    break
            state = best[2].state_dict()
            model.load_state_dict(state)
            return best[1], state
        """,
    },
    "group_split": {
        "Python's random.shuffle and a dict of parts": """
            if any(f <= 0 for f in fractions) or not math.isclose(sum(fractions), 1.0, abs_tol=1e-6):
                raise ValueError("fractions must be positive and sum to 1")
            ids = sorted(set(groups.tolist()))
            random.Random(seed).shuffle(ids)
            cuts = [round(len(ids) * sum(fractions[:j])) for j in range(len(fractions) + 1)]
            part_of = {}
            for j in range(len(fractions)):
                for gid in ids[cuts[j]:cuts[j + 1]]:
                    part_of[gid] = j
            labels = [part_of[gid] for gid in groups.tolist()]
            return tuple(torch.tensor([i for i, part in enumerate(labels) if part == j], dtype=torch.long)
                         for j in range(len(fractions)))
        """,
        "NumPy: a random rank per group, cut with searchsorted": """
            fr = np.asarray(fractions, dtype=float)
            if (fr <= 0).any() or abs(fr.sum() - 1) > 1e-6:
                raise ValueError("bad fractions")
            ids, inverse = np.unique(groups.numpy(), return_inverse=True)
            rank = np.random.default_rng(seed).permutation(len(ids))
            bounds = np.round(len(ids) * np.concatenate([[0.0], np.cumsum(fr)])).astype(int)
            part = np.searchsorted(bounds, rank[inverse], side="right") - 1
            return tuple(torch.from_numpy(np.flatnonzero(part == j)).long() for j in range(len(fr)))
        """,
    },
    "standardize": {
        "the population standard deviation from var()": """
            mean = train.mean(dim=(0, 2, 3))
            std = train.var(dim=(0, 2, 3), unbiased=False).sqrt().clamp(min=1e-6)
            shape = (1, -1, 1, 1)
            return tuple((x - mean.view(shape)) / std.view(shape) for x in (train,) + others)
        """,
        "one channel at a time": """
            results = []
            for x in (train, *others):
                channels = []
                for c in range(train.shape[1]):
                    m = train[:, c].mean()
                    s = max(train[:, c].std().item(), 1e-6)
                    channels.append((x[:, c] - m) / s)
                results.append(torch.stack(channels, dim=1))
            return tuple(results)
        """,
    },
    "random_search": {
        "NumPy's generator": """
            rng = np.random.default_rng(seed)
            trials = []
            for _ in range(n_trials):
                config = {}
                for name, (kind, *args) in space.items():
                    if kind == "uniform":
                        config[name] = float(rng.uniform(args[0], args[1]))
                    elif kind == "log_uniform":
                        config[name] = float(np.exp(rng.uniform(np.log(args[0]), np.log(args[1]))))
                    elif kind == "int":
                        config[name] = int(rng.integers(args[0], args[1] + 1))
                    else:
                        config[name] = args[0][int(rng.integers(len(args[0])))]
                trials.append((objective(config), config))
            score, config = max(trials, key=lambda trial: trial[0])
            return config, score
        """,
        "torch's generator, log-uniform as low * (high / low) ** u": """
            g = torch.Generator().manual_seed(seed)

            def u():
                return torch.rand((), generator=g, dtype=torch.float64).item()

            best = None
            for _ in range(n_trials):
                config = {}
                for name, spec in space.items():
                    kind = spec[0]
                    if kind == "uniform":
                        config[name] = spec[1] + (spec[2] - spec[1]) * u()
                    elif kind == "log_uniform":
                        config[name] = spec[1] * (spec[2] / spec[1]) ** u()
                    elif kind == "int":
                        config[name] = int(torch.randint(spec[1], spec[2] + 1, (), generator=g))
                    else:
                        config[name] = spec[1][int(torch.randint(len(spec[1]), (), generator=g))]
                score = objective(config)
                if best is None or score > best[1]:
                    best = (config, score)
            return best
        """,
    },
}
