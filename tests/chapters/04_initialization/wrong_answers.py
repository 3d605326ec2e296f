"""Typical wrong answers to the exercises of chapter 04 (see the package docstring)."""

CHAPTER = "04_initialization"

# xavier_normal_ and he_normal_ call the student's compute_fans
AFFECTS = {"compute_fans": {"xavier_normal__tests", "he_normal__tests"}}

WRONG_ANSWERS = {
    "compute_fans": {
        "swaps fan-in and fan-out": """
            n_out, n_in, *kernel = weight.shape
            k = math.prod(kernel)
            return n_out * k, n_in * k
        """,
        "ignores the kernel size": """
            return weight.shape[1], weight.shape[0]
        """,
        "kernel size in the fan-in only": """
            n_out, n_in, *kernel = weight.shape
            return n_in * math.prod(kernel), n_out
        """,
        "only the first spatial dimension": """
            n_out, n_in, *kernel = weight.shape
            k = kernel[0] if kernel else 1
            return n_in * k, n_out * k
        """,
        "returns a list, not a tuple": """
            n_out, n_in, *kernel = weight.shape
            k = math.prod(kernel)
            return [n_in * k, n_out * k]
        """,
        "returns 0-d tensors instead of ints": """
            kernel = torch.tensor(weight.shape[2:], dtype=torch.int64).prod()
            return weight.shape[1] * kernel, weight.shape[0] * kernel
        """,
        "calls torch.nn.init._calculate_fan_in_and_fan_out": """
            return torch.nn.init._calculate_fan_in_and_fan_out(weight)
        """,
        "zeroes the weight while reading its size": """
            n_out, n_in = weight.shape[:2]
            k = weight[0][0].numel()
            weight.zero_()
            return n_in * k, n_out * k
        """,
    },
    "xavier_normal_": {
        "fan-out instead of fan-in": """
            fan_in, fan_out = compute_fans(weight)
            variance = 1.0 / fan_out if mode == "fan_in" else 2.0 / (fan_in + fan_out)
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(variance), generator=generator)
        """,
        "ignores the kernel size": """
            fan_in, fan_out = weight.shape[1], weight.shape[0]
            variance = 1.0 / fan_in if mode == "fan_in" else 2.0 / (fan_in + fan_out)
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(variance), generator=generator)
        """,
        "passes the variance as the std": """
            fan_in, fan_out = compute_fans(weight)
            variance = 1.0 / fan_in if mode == "fan_in" else 2.0 / (fan_in + fan_out)
            with torch.no_grad():
                return weight.normal_(0.0, variance, generator=generator)
        """,
        "fan_avg without the factor 2": """
            fan_in, fan_out = compute_fans(weight)
            variance = 1.0 / fan_in if mode == "fan_in" else 1.0 / (fan_in + fan_out)
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(variance), generator=generator)
        """,
        "returns a new tensor instead of filling in place": """
            fan_in, fan_out = compute_fans(weight)
            variance = 1.0 / fan_in if mode == "fan_in" else 2.0 / (fan_in + fan_out)
            return math.sqrt(variance) * torch.randn(weight.shape, generator=generator)
        """,
        "uniform instead of Gaussian": """
            fan_in, fan_out = compute_fans(weight)
            variance = 1.0 / fan_in if mode == "fan_in" else 2.0 / (fan_in + fan_out)
            bound = math.sqrt(3 * variance)
            with torch.no_grad():
                return weight.uniform_(-bound, bound, generator=generator)
        """,
        "ignores the generator": """
            fan_in, fan_out = compute_fans(weight)
            variance = 1.0 / fan_in if mode == "fan_in" else 2.0 / (fan_in + fan_out)
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(variance))
        """,
        "fails on a Parameter (no torch.no_grad)": """
            fan_in, fan_out = compute_fans(weight)
            variance = 1.0 / fan_in if mode == "fan_in" else 2.0 / (fan_in + fan_out)
            return weight.normal_(0.0, math.sqrt(variance), generator=generator)
        """,
        "calls torch.nn.init.xavier_normal_ for both modes": """
            return torch.nn.init.xavier_normal_(weight, generator=generator)
        """,
        "calls torch.nn.init.xavier_normal_ for mode='fan_avg'": """
            if mode == "fan_avg":
                return torch.nn.init.xavier_normal_(weight, generator=generator)
            fan_in, _ = compute_fans(weight)
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(1.0 / fan_in), generator=generator)
        """,
        "always fan_avg (mode never read)": """
            fan_in, fan_out = compute_fans(weight)
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(2.0 / (fan_in + fan_out)), generator=generator)
        """,
    },
    "he_normal_": {
        "ReLU gain applied twice": """
            fan_in, _ = compute_fans(weight)
            with torch.no_grad():
                return weight.normal_(0.0, 2.0 / math.sqrt(fan_in), generator=generator)
        """,
        "no ReLU gain (Xavier)": """
            fan_in, _ = compute_fans(weight)
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(1.0 / fan_in), generator=generator)
        """,
        "gain sqrt(2) on the variance": """
            fan_in, _ = compute_fans(weight)
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(math.sqrt(2.0) / fan_in), generator=generator)
        """,
        "fan-out instead of fan-in": """
            _, fan_out = compute_fans(weight)
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(2.0 / fan_out), generator=generator)
        """,
        "ignores the kernel size": """
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(2.0 / weight.shape[1]), generator=generator)
        """,
        "passes the variance as the std": """
            fan_in, _ = compute_fans(weight)
            with torch.no_grad():
                return weight.normal_(0.0, 2.0 / fan_in, generator=generator)
        """,
        "returns a new tensor instead of filling in place": """
            fan_in, _ = compute_fans(weight)
            return math.sqrt(2.0 / fan_in) * torch.randn(weight.shape, generator=generator)
        """,
        "ignores the generator": """
            fan_in, _ = compute_fans(weight)
            with torch.no_grad():
                return weight.normal_(0.0, math.sqrt(2.0 / fan_in))
        """,
        "calls torch.nn.init.kaiming_normal_": """
            return torch.nn.init.kaiming_normal_(weight, nonlinearity="relu", generator=generator)
        """,
        "calls kaiming_normal_ imported under another name": """
            from torch.nn.init import kaiming_normal_ as fill
            return fill(weight, nonlinearity="relu", generator=generator)
        """,
        "fills a clone under torch.no_grad and returns it": """
            fan_in, _ = compute_fans(weight)
            with torch.no_grad():
                return weight.clone().normal_(0.0, math.sqrt(2.0 / fan_in), generator=generator)
        """,
    },
    "activation_stats": {
        "forgets to remove the hooks": """
            stats = []
            for m in model.modules():
                if isinstance(m, layer_type):
                    m.register_forward_hook(lambda module, inputs, output: stats.append(
                        (output.mean().item(), output.std().item())))
            with torch.no_grad():
                model(x)
            return stats
        """,
        "does not remove the hooks when the forward pass fails": """
            stats = []
            handles = [m.register_forward_hook(lambda module, inputs, output: stats.append(
                (output.mean().item(), output.std().item()))) for m in model.modules() if isinstance(m, layer_type)]
            with torch.no_grad():
                model(x)
            for handle in handles:
                handle.remove()
            return stats
        """,
        "variance instead of std": """
            stats = []
            handles = [m.register_forward_hook(lambda module, inputs, output: stats.append(
                (output.mean().item(), output.var().item()))) for m in model.modules() if isinstance(m, layer_type)]
            try:
                with torch.no_grad():
                    model(x)
            finally:
                for handle in handles:
                    handle.remove()
            return stats
        """,
        "records the module's input instead of its output": """
            stats = []
            handles = [m.register_forward_hook(lambda module, inputs, output: stats.append(
                (inputs[0].mean().item(), inputs[0].std().item()))) for m in model.modules() if isinstance(m, layer_type)]
            try:
                with torch.no_grad():
                    model(x)
            finally:
                for handle in handles:
                    handle.remove()
            return stats
        """,
        "only the top-level children": """
            stats = []
            handles = [m.register_forward_hook(lambda module, inputs, output: stats.append(
                (output.mean().item(), output.std().item()))) for m in model.children() if isinstance(m, layer_type)]
            try:
                with torch.no_grad():
                    model(x)
            finally:
                for handle in handles:
                    handle.remove()
            return stats
        """,
        "always watches nn.ReLU": """
            stats = []
            handles = [m.register_forward_hook(lambda module, inputs, output: stats.append(
                (output.mean().item(), output.std().item()))) for m in model.modules() if isinstance(m, nn.ReLU)]
            try:
                with torch.no_grad():
                    model(x)
            finally:
                for handle in handles:
                    handle.remove()
            return stats
        """,
        "walks a Sequential by hand instead of hooking": """
            stats, h = [], x
            with torch.no_grad():
                for m in model.modules():
                    if isinstance(m, nn.Sequential):
                        continue
                    h = m(h)
                    if isinstance(m, layer_type):
                        stats.append((h.mean().item(), h.std().item()))
            return stats
        """,
        "returns 0-d tensors instead of floats": """
            stats = []
            handles = [m.register_forward_hook(lambda module, inputs, output: stats.append(
                (output.mean(), output.std()))) for m in model.modules() if isinstance(m, layer_type)]
            try:
                with torch.no_grad():
                    model(x)
            finally:
                for handle in handles:
                    handle.remove()
            return stats
        """,
        "runs the forward pass without torch.no_grad": """
            stats = []
            handles = [m.register_forward_hook(lambda module, inputs, output: stats.append(
                (output.mean().item(), output.std().item()))) for m in model.modules() if isinstance(m, layer_type)]
            try:
                model(x)
            finally:
                for handle in handles:
                    handle.remove()
            return stats
        """,
        "one pair per module, not per call": """
            stats = {}
            handles = [m.register_forward_hook(lambda module, inputs, output: stats.__setitem__(
                module, (output.mean().item(), output.std().item()))) for m in model.modules() if isinstance(m, layer_type)]
            try:
                with torch.no_grad():
                    model(x)
            finally:
                for handle in handles:
                    handle.remove()
            return list(stats.values())
        """,
        "leaves a global forward hook behind": """
            stats = []

            def record(module, inputs, output):
                if isinstance(module, layer_type):
                    stats.append((output.mean().item(), output.std().item()))

            torch.nn.modules.module.register_module_forward_hook(record)
            with torch.no_grad():
                model(x)
            return stats
        """,
        "clears every hook of the model": """
            stats = []
            watched = [m for m in model.modules() if isinstance(m, layer_type)]
            for m in watched:
                m.register_forward_hook(lambda module, inputs, output: stats.append(
                    (output.mean().item(), output.std().item())))
            try:
                with torch.no_grad():
                    model(x)
            finally:
                for m in watched:
                    m._forward_hooks.clear()
            return stats
        """,
    },
    "predicted_variance": {
        "gain at every layer (D times)": """
            variance = float(input_var)
            for i, weight_var in enumerate(weight_vars):
                variance *= gain * widths[i] * weight_var
            return variance
        """,
        "gain applied twice per activation": """
            variance = float(input_var)
            for i, weight_var in enumerate(weight_vars):
                if i > 0:
                    variance *= gain ** 2
                variance *= widths[i] * weight_var
            return variance
        """,
        "no gain": """
            variance = float(input_var)
            for i, weight_var in enumerate(weight_vars):
                variance *= widths[i] * weight_var
            return variance
        """,
        "fan-out instead of fan-in": """
            variance = float(input_var)
            for i, weight_var in enumerate(weight_vars):
                if i > 0:
                    variance *= gain
                variance *= widths[i + 1] * weight_var
            return variance
        """,
        "returns the standard deviation": """
            variance = float(input_var)
            for i, weight_var in enumerate(weight_vars):
                if i > 0:
                    variance *= gain
                variance *= widths[i] * weight_var
            return math.sqrt(variance)
        """,
        "returns a 0-d tensor": """
            factors = torch.tensor([n * v for n, v in zip(widths, weight_vars)], dtype=torch.float64)
            return input_var * factors.prod() * gain ** (len(weight_vars) - 1)
        """,
        "consumes the lists it is given": """
            variance = float(input_var) * widths.pop(0) * weight_vars.pop(0)
            while weight_vars:
                variance *= gain * widths.pop(0) * weight_vars.pop(0)
            return variance
        """,
        "ignores input_var": """
            variance = 1.0
            for i, weight_var in enumerate(weight_vars):
                if i > 0:
                    variance *= gain
                variance *= widths[i] * weight_var
            return variance
        """,
    },
}
