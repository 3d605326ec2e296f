"""Typical wrong answers to the exercises of chapter 06 (see tests/test_grading.py)."""

CHAPTER = "06_regularization"

# No exercise's hidden tests call another exercise's function.
AFFECTS: dict[str, set[str]] = {}

WRONG_ANSWERS = {
    "l2_penalty": {
        "decays the biases when told not to": """
            return lam * sum(((w ** 2).sum() for w in params), torch.zeros(()))
        """,
        "never decays the biases (ignores decay_biases=True)": """
            return lam * sum(((w ** 2).sum() for w in params if w.ndim >= 2), torch.zeros(()))
        """,
        "lam / 2 (the other convention)": """
            chosen = [w for w in params if w.ndim >= 2 or decay_biases]
            return lam / 2 * sum(((w ** 2).sum() for w in chosen), torch.zeros(()))
        """,
        "the norm instead of its square": """
            chosen = [w for w in params if w.ndim >= 2 or decay_biases]
            return lam * torch.sqrt(sum(((w ** 2).sum() for w in chosen), torch.zeros(())))
        """,
        "the mean of the squares instead of their sum": """
            chosen = [w for w in params if w.ndim >= 2 or decay_biases]
            return lam * sum(((w ** 2).mean() for w in chosen), torch.zeros(()))
        """,
        "only 2-D tensors (convolution kernels missed)": """
            chosen = [w for w in params if w.ndim == 2 or (decay_biases and w.ndim < 2)]
            return lam * sum(((w ** 2).sum() for w in chosen), torch.zeros(()))
        """,
        "returns a Python float (.item())": """
            chosen = [w for w in params if w.ndim >= 2 or decay_biases]
            return lam * sum(float((w ** 2).sum()) for w in chosen)
        """,
        "computed under torch.no_grad (no gradient)": """
            with torch.no_grad():
                chosen = [w for w in params if w.ndim >= 2 or decay_biases]
                return lam * sum(((w ** 2).sum() for w in chosen), torch.zeros(()))
        """,
        "squares the weights in place": """
            total = torch.zeros(())
            for w in params:
                if w.ndim >= 2 or decay_biases:
                    total = total + w.detach().pow_(2).sum()
            return lam * total
        """,
    },
    "sgd_step_l2": {
        "lam instead of 2 lam": """
            return [w - lr * (g + lam * w) if (w.ndim >= 2 or decay_biases) else w - lr * g
                    for w, g in zip(params, grads)]
        """,
        "decays the biases too": """
            return [w - lr * (g + 2 * lam * w) for w, g in zip(params, grads)]
        """,
        "ignores decay_biases=True": """
            return [w - lr * (g + 2 * lam * w) if w.ndim >= 2 else w - lr * g for w, g in zip(params, grads)]
        """,
        "the penalty's gradient with the wrong sign": """
            return [w - lr * (g - 2 * lam * w) if (w.ndim >= 2 or decay_biases) else w - lr * g
                    for w, g in zip(params, grads)]
        """,
        "forgets the data gradient": """
            return [w - lr * 2 * lam * w if (w.ndim >= 2 or decay_biases) else w.clone()
                    for w, g in zip(params, grads)]
        """,
        "the decay without the learning rate": """
            return [w - 2 * lam * w - lr * g if (w.ndim >= 2 or decay_biases) else w - lr * g
                    for w, g in zip(params, grads)]
        """,
        "updates the parameters in place": """
            for w, g in zip(params, grads):
                if w.ndim >= 2 or decay_biases:
                    w.sub_(lr * (g + 2 * lam * w))
                else:
                    w.sub_(lr * g)
            return list(params)
        """,
        "returns a tuple instead of a list": """
            return tuple(w - lr * (g + 2 * lam * w) if (w.ndim >= 2 or decay_biases) else w - lr * g
                         for w, g in zip(params, grads))
        """,
    },
    "inverted_dropout": {
        "keeps with probability p instead of 1 - p": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            if not training:
                return x
            if p == 0.0:
                return x
            keep = torch.rand(x.shape, generator=generator) < p
            return x * keep / (1.0 - p) if p < 1 else torch.zeros_like(x)
        """,
        "no rescaling (classic dropout during training)": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            if not training:
                return x
            keep = torch.rand(x.shape, generator=generator) >= p
            return x * keep
        """,
        "multiplies by 1 - p instead of dividing": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            if not training:
                return x
            keep = torch.rand(x.shape, generator=generator) >= p
            return x * keep * (1.0 - p)
        """,
        "divides by p instead of 1 - p": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            if not training or p == 0.0:
                return x
            keep = torch.rand(x.shape, generator=generator) >= p
            return x * keep / p
        """,
        "dropout active at test time": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            if p == 0.0:
                return x
            if p == 1.0:
                return torch.zeros_like(x)
            keep = torch.rand(x.shape, generator=generator) >= p
            return x * keep / (1.0 - p)
        """,
        "ignores the generator": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            if not training or p == 0.0:
                return x
            if p == 1.0:
                return torch.zeros_like(x)
            keep = torch.rand(x.shape) >= p
            return x * keep / (1.0 - p)
        """,
        "calls F.dropout (torch's generator, not the one given)": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            return torch.nn.functional.dropout(x, p, training=training)
        """,
        "one mask shared by every sample of the batch": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            if not training or p == 0.0:
                return x
            if p == 1.0:
                return torch.zeros_like(x)
            keep = torch.rand(x.shape[1:], generator=generator) >= p
            return x * keep / (1.0 - p)
        """,
        "NaN for p = 1 (divides by zero)": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            if not training:
                return x
            keep = torch.rand(x.shape, generator=generator) >= p
            return x * keep / (1.0 - p)
        """,
        "accepts any p (no ValueError)": """
            if not training or p <= 0.0:
                return x
            if p >= 1.0:
                return torch.zeros_like(x)
            keep = torch.rand(x.shape, generator=generator) >= p
            return x * keep / (1.0 - p)
        """,
        "no gradient (the output is detached)": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            if not training or p == 0.0:
                return x
            if p == 1.0:
                return torch.zeros_like(x)
            keep = torch.rand(x.shape, generator=generator) >= p
            return (x * keep / (1.0 - p)).detach()
        """,
        "drops in place": """
            if not 0.0 <= p <= 1.0:
                raise ValueError("p must be in [0, 1]")
            if not training or p == 0.0:
                return x
            if p == 1.0:
                return x.zero_()
            keep = torch.rand(x.shape, generator=generator) >= p
            return x.mul_(keep).div_(1.0 - p)
        """,
    },
    "fit_early_stopping": {
        "returns the last weights": """
            best_loss, best_epoch, waited = math.inf, 0, 0
            for epoch in range(1, max_epochs + 1):
                train_one_epoch(model)
                loss = validation_loss(model)
                if loss < best_loss:
                    best_loss, best_epoch, waited = loss, epoch, 0
                else:
                    waited += 1
                    if waited >= patience:
                        break
            return best_epoch, copy.deepcopy(model.state_dict())
        """,
        "keeps model.state_dict() without a copy": """
            best_loss, best_epoch, best_state, waited = math.inf, 0, None, 0
            for epoch in range(1, max_epochs + 1):
                train_one_epoch(model)
                loss = validation_loss(model)
                if loss < best_loss:
                    best_loss, best_epoch, waited = loss, epoch, 0
                    best_state = model.state_dict()
                else:
                    waited += 1
                    if waited >= patience:
                        break
            model.load_state_dict(best_state)
            return best_epoch, best_state
        """,
        "off by one: one epoch too many (waited > patience)": """
            best_loss, best_epoch, best_state, waited = math.inf, 0, None, 0
            for epoch in range(1, max_epochs + 1):
                train_one_epoch(model)
                loss = validation_loss(model)
                if loss < best_loss:
                    best_loss, best_epoch, waited = loss, epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    waited += 1
                    if waited > patience:
                        break
            model.load_state_dict(best_state)
            return best_epoch, best_state
        """,
        "off by one: one epoch too few (patience - 1)": """
            best_loss, best_epoch, best_state, waited = math.inf, 0, None, 0
            for epoch in range(1, max_epochs + 1):
                train_one_epoch(model)
                loss = validation_loss(model)
                if loss < best_loss:
                    best_loss, best_epoch, waited = loss, epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    waited += 1
                if waited >= patience - 1:
                    break
            model.load_state_dict(best_state)
            return best_epoch, best_state
        """,
        "an equal loss counts as an improvement": """
            best_loss, best_epoch, best_state, waited = math.inf, 0, None, 0
            for epoch in range(1, max_epochs + 1):
                train_one_epoch(model)
                loss = validation_loss(model)
                if loss <= best_loss:
                    best_loss, best_epoch, waited = loss, epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    waited += 1
                    if waited >= patience:
                        break
            model.load_state_dict(best_state)
            return best_epoch, best_state
        """,
        "compares with the previous epoch, not with the best": """
            best_loss, best_epoch, best_state, waited, previous = math.inf, 0, None, 0, math.inf
            for epoch in range(1, max_epochs + 1):
                train_one_epoch(model)
                loss = validation_loss(model)
                if loss < best_loss:
                    best_loss, best_epoch = loss, epoch
                    best_state = copy.deepcopy(model.state_dict())
                waited = 0 if loss < previous else waited + 1
                previous = loss
                if waited >= patience:
                    break
            model.load_state_dict(best_state)
            return best_epoch, best_state
        """,
        "counts epochs from 0": """
            best_loss, best_epoch, best_state, waited = math.inf, 0, None, 0
            for epoch in range(max_epochs):
                train_one_epoch(model)
                loss = validation_loss(model)
                if loss < best_loss:
                    best_loss, best_epoch, waited = loss, epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    waited += 1
                    if waited >= patience:
                        break
            model.load_state_dict(best_state)
            return best_epoch, best_state
        """,
        "forgets to load the best weights into the model": """
            best_loss, best_epoch, best_state, waited = math.inf, 0, None, 0
            for epoch in range(1, max_epochs + 1):
                train_one_epoch(model)
                loss = validation_loss(model)
                if loss < best_loss:
                    best_loss, best_epoch, waited = loss, epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    waited += 1
                    if waited >= patience:
                        break
            return best_epoch, best_state
        """,
        "saves the parameters only, not the buffers": """
            best_loss, best_epoch, best_state, waited = math.inf, 0, None, 0
            for epoch in range(1, max_epochs + 1):
                train_one_epoch(model)
                loss = validation_loss(model)
                if loss < best_loss:
                    best_loss, best_epoch, waited = loss, epoch, 0
                    best_state = {k: v.detach().clone() for k, v in model.named_parameters()}
                else:
                    waited += 1
                    if waited >= patience:
                        break
            model.load_state_dict(best_state, strict=False)
            return best_epoch, best_state
        """,
        "validates before training": """
            best_loss, best_epoch, best_state, waited = math.inf, 0, None, 0
            for epoch in range(1, max_epochs + 1):
                loss = validation_loss(model)
                if loss < best_loss:
                    best_loss, best_epoch, waited = loss, epoch, 0
                    best_state = copy.deepcopy(model.state_dict())
                else:
                    waited += 1
                    if waited >= patience:
                        break
                train_one_epoch(model)
            model.load_state_dict(best_state)
            return best_epoch, best_state
        """,
    },
    "group_split": {
        "splits the images, not the patients": """
            order = torch.randperm(len(groups), generator=torch.Generator().manual_seed(seed))
            bounds = [round(len(groups) * c) for c in itertools.accumulate(fractions, initial=0.0)]
            return tuple(order[a:b].sort().values for a, b in zip(bounds, bounds[1:]))
        """,
        "cuts the samples sorted by group (a patient can straddle a cut)": """
            if min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
                raise ValueError("fractions must be positive and sum to 1")
            ids = torch.unique(groups)
            shuffled = ids[torch.randperm(len(ids), generator=torch.Generator().manual_seed(seed))]
            rank = torch.empty_like(ids)
            rank[torch.searchsorted(ids, shuffled)] = torch.arange(len(ids))
            order = torch.argsort(rank[torch.searchsorted(ids, groups)], stable=True)
            bounds = [round(len(groups) * c) for c in itertools.accumulate(fractions, initial=0.0)]
            return tuple(order[a:b] for a, b in zip(bounds, bounds[1:]))
        """,
        "floor instead of round": """
            if min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
                raise ValueError("fractions must be positive and sum to 1")
            ids = torch.unique(groups)
            shuffled = ids[torch.randperm(len(ids), generator=torch.Generator().manual_seed(seed))]
            bounds = [int(len(ids) * c) for c in itertools.accumulate(fractions, initial=0.0)]
            bounds[-1] = len(ids)
            return tuple(torch.nonzero(torch.isin(groups, shuffled[a:b])).flatten()
                         for a, b in zip(bounds, bounds[1:]))
        """,
        "never shuffles (the seed is ignored)": """
            if min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
                raise ValueError("fractions must be positive and sum to 1")
            ids = torch.unique(groups)
            bounds = [round(len(ids) * c) for c in itertools.accumulate(fractions, initial=0.0)]
            return tuple(torch.nonzero(torch.isin(groups, ids[a:b])).flatten()
                         for a, b in zip(bounds, bounds[1:]))
        """,
        "shuffles with the global generator": """
            if min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
                raise ValueError("fractions must be positive and sum to 1")
            ids = torch.unique(groups)
            shuffled = ids[torch.randperm(len(ids))]
            bounds = [round(len(ids) * c) for c in itertools.accumulate(fractions, initial=0.0)]
            return tuple(torch.nonzero(torch.isin(groups, shuffled[a:b])).flatten()
                         for a, b in zip(bounds, bounds[1:]))
        """,
        "returns the group ids instead of sample indices": """
            if min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
                raise ValueError("fractions must be positive and sum to 1")
            ids = torch.unique(groups)
            shuffled = ids[torch.randperm(len(ids), generator=torch.Generator().manual_seed(seed))]
            bounds = [round(len(ids) * c) for c in itertools.accumulate(fractions, initial=0.0)]
            return tuple(shuffled[a:b] for a, b in zip(bounds, bounds[1:]))
        """,
        "assumes the ids are 0 ... G-1": """
            if min(fractions) <= 0 or abs(sum(fractions) - 1) > 1e-6:
                raise ValueError("fractions must be positive and sum to 1")
            n_groups = int(groups.max()) + 1
            shuffled = torch.randperm(n_groups, generator=torch.Generator().manual_seed(seed))
            bounds = [round(n_groups * c) for c in itertools.accumulate(fractions, initial=0.0)]
            return tuple(torch.nonzero(torch.isin(groups, shuffled[a:b])).flatten()
                         for a, b in zip(bounds, bounds[1:]))
        """,
        "no check of the fractions": """
            ids = torch.unique(groups)
            shuffled = ids[torch.randperm(len(ids), generator=torch.Generator().manual_seed(seed))]
            bounds = [round(len(ids) * c) for c in itertools.accumulate(fractions, initial=0.0)]
            return tuple(torch.nonzero(torch.isin(groups, shuffled[a:b])).flatten()
                         for a, b in zip(bounds, bounds[1:]))
        """,
    },
    "standardize": {
        "each set with its own statistics (the test set's for the test set)": """
            out = []
            for x in (train, *others):
                mean = x.mean(dim=(0, 2, 3), keepdim=True)
                std = x.std(dim=(0, 2, 3), keepdim=True).clamp(min=1e-6)
                out.append((x - mean) / std)
            return tuple(out)
        """,
        "statistics of all the sets together": """
            everything = torch.cat([train, *others])
            mean = everything.mean(dim=(0, 2, 3), keepdim=True)
            std = everything.std(dim=(0, 2, 3), keepdim=True).clamp(min=1e-6)
            return tuple((x - mean) / std for x in (train, *others))
        """,
        "statistics of each image": """
            out = []
            for x in (train, *others):
                mean = x.mean(dim=(2, 3), keepdim=True)
                std = x.std(dim=(2, 3), keepdim=True).clamp(min=1e-6)
                out.append((x - mean) / std)
            return tuple(out)
        """,
        "one mean and std for all channels": """
            mean, std = train.mean(), train.std().clamp(min=1e-6)
            return tuple((x - mean) / std for x in (train, *others))
        """,
        "divides by the variance": """
            mean = train.mean(dim=(0, 2, 3), keepdim=True)
            var = train.var(dim=(0, 2, 3), keepdim=True).clamp(min=1e-6)
            return tuple((x - mean) / var for x in (train, *others))
        """,
        "centres only (no division)": """
            mean = train.mean(dim=(0, 2, 3), keepdim=True)
            return tuple(x - mean for x in (train, *others))
        """,
        "standardizes in place": """
            mean = train.mean(dim=(0, 2, 3), keepdim=True)
            std = train.std(dim=(0, 2, 3), keepdim=True).clamp(min=1e-6)
            for x in (*others, train):
                x.sub_(mean).div_(std)
            return (train, *others)
        """,
        "no guard for a constant channel": """
            mean = train.mean(dim=(0, 2, 3), keepdim=True)
            std = train.std(dim=(0, 2, 3), keepdim=True)
            return tuple((x - mean) / std for x in (train, *others))
        """,
        "returns a list": """
            mean = train.mean(dim=(0, 2, 3), keepdim=True)
            std = train.std(dim=(0, 2, 3), keepdim=True).clamp(min=1e-6)
            return [(x - mean) / std for x in (train, *others)]
        """,
    },
    "random_search": {
        "uniform instead of log-uniform": """
            rng = random.Random(seed)
            best_config, best_score = None, -math.inf
            for _ in range(n_trials):
                config = {}
                for name, (kind, *args) in space.items():
                    if kind in ("uniform", "log_uniform"):
                        config[name] = rng.uniform(args[0], args[1])
                    elif kind == "int":
                        config[name] = rng.randint(args[0], args[1])
                    else:
                        config[name] = rng.choice(list(args[0]))
                score = objective(config)
                if score > best_score:
                    best_config, best_score = config, score
            return best_config, best_score
        """,
        "takes the bounds as exponents (10 ** uniform(low, high))": """
            rng = random.Random(seed)
            best_config, best_score = None, -math.inf
            for _ in range(n_trials):
                config = {}
                for name, (kind, *args) in space.items():
                    if kind == "uniform":
                        config[name] = rng.uniform(args[0], args[1])
                    elif kind == "log_uniform":
                        config[name] = 10 ** rng.uniform(args[0], args[1])
                    elif kind == "int":
                        config[name] = rng.randint(args[0], args[1])
                    else:
                        config[name] = rng.choice(list(args[0]))
                score = objective(config)
                if score > best_score:
                    best_config, best_score = config, score
            return best_config, best_score
        """,
        "int leaves out the upper end": """
            rng = random.Random(seed)
            best_config, best_score = None, -math.inf
            for _ in range(n_trials):
                config = {}
                for name, (kind, *args) in space.items():
                    if kind == "uniform":
                        config[name] = rng.uniform(args[0], args[1])
                    elif kind == "log_uniform":
                        config[name] = math.exp(rng.uniform(math.log(args[0]), math.log(args[1])))
                    elif kind == "int":
                        config[name] = rng.randrange(args[0], args[1])
                    else:
                        config[name] = rng.choice(list(args[0]))
                score = objective(config)
                if score > best_score:
                    best_config, best_score = config, score
            return best_config, best_score
        """,
        "minimizes the score": """
            rng = random.Random(seed)
            best_config, best_score = None, math.inf
            for _ in range(n_trials):
                config = {}
                for name, (kind, *args) in space.items():
                    if kind == "uniform":
                        config[name] = rng.uniform(args[0], args[1])
                    elif kind == "log_uniform":
                        config[name] = math.exp(rng.uniform(math.log(args[0]), math.log(args[1])))
                    elif kind == "int":
                        config[name] = rng.randint(args[0], args[1])
                    else:
                        config[name] = rng.choice(list(args[0]))
                score = objective(config)
                if score < best_score:
                    best_config, best_score = config, score
            return best_config, best_score
        """,
        "returns the last trial": """
            rng = random.Random(seed)
            config, score = None, None
            for _ in range(n_trials):
                config = {}
                for name, (kind, *args) in space.items():
                    if kind == "uniform":
                        config[name] = rng.uniform(args[0], args[1])
                    elif kind == "log_uniform":
                        config[name] = math.exp(rng.uniform(math.log(args[0]), math.log(args[1])))
                    elif kind == "int":
                        config[name] = rng.randint(args[0], args[1])
                    else:
                        config[name] = rng.choice(list(args[0]))
                score = objective(config)
            return config, score
        """,
        "draws from the global generator": """
            best_config, best_score = None, -math.inf
            for _ in range(n_trials):
                config = {}
                for name, (kind, *args) in space.items():
                    if kind == "uniform":
                        config[name] = random.uniform(args[0], args[1])
                    elif kind == "log_uniform":
                        config[name] = math.exp(random.uniform(math.log(args[0]), math.log(args[1])))
                    elif kind == "int":
                        config[name] = random.randint(args[0], args[1])
                    else:
                        config[name] = random.choice(list(args[0]))
                score = objective(config)
                if score > best_score:
                    best_config, best_score = config, score
            return best_config, best_score
        """,
        "reuses one dict for every trial": """
            rng = random.Random(seed)
            best_config, best_score = None, -math.inf
            config = {}
            for _ in range(n_trials):
                for name, (kind, *args) in space.items():
                    if kind == "uniform":
                        config[name] = rng.uniform(args[0], args[1])
                    elif kind == "log_uniform":
                        config[name] = math.exp(rng.uniform(math.log(args[0]), math.log(args[1])))
                    elif kind == "int":
                        config[name] = rng.randint(args[0], args[1])
                    else:
                        config[name] = rng.choice(list(args[0]))
                score = objective(config)
                if score > best_score:
                    best_config, best_score = config, score
            return best_config, best_score
        """,
        "draws one configuration for all trials": """
            rng = random.Random(seed)
            config = {}
            for name, (kind, *args) in space.items():
                if kind == "uniform":
                    config[name] = rng.uniform(args[0], args[1])
                elif kind == "log_uniform":
                    config[name] = math.exp(rng.uniform(math.log(args[0]), math.log(args[1])))
                elif kind == "int":
                    config[name] = rng.randint(args[0], args[1])
                else:
                    config[name] = rng.choice(list(args[0]))
            scores = [objective(dict(config)) for _ in range(n_trials)]
            return config, max(scores)
        """,
    },
}
