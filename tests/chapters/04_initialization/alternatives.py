"""Correct solutions of chapter 04 written unlike the reference; each must get full marks."""

CHAPTER = "04_initialization"

ALTERNATIVES = {
    "compute_fans": {
        "numel of one kernel slice": """
            receptive_field = weight[0][0].numel()
            return weight.shape[1] * receptive_field, weight.shape[0] * receptive_field
        """,
        "total size divided by the channel counts": """
            size = 1
            for s in weight.shape:
                size *= s
            return size // weight.shape[0], size // weight.shape[1]
        """,
        "numpy product cast to int": """
            import numpy as np
            kernel = int(np.prod(weight.shape[2:]))     # np.prod(()) is 1.0
            return int(weight.size(1)) * kernel, int(weight.size(0)) * kernel
        """,
        "functools.reduce over weight.size()": """
            import functools
            import operator
            dims = weight.size()
            kernel = functools.reduce(operator.mul, dims[2:], 1)
            return (dims[1] * kernel, dims[0] * kernel)
        """,
    },
    "xavier_normal_": {
        "randn scaled and copied in": """
            fan_in, fan_out = compute_fans(weight)
            n = fan_in if mode == "fan_in" else (fan_in + fan_out) / 2
            std = (1.0 / n) ** 0.5
            with torch.no_grad():
                weight.copy_(torch.randn(weight.shape, generator=generator, dtype=weight.dtype) * std)
            return weight
        """,
        "standard normal, then scaled in place": """
            fan_in, fan_out = compute_fans(weight)
            variance = {"fan_in": 1 / fan_in, "fan_avg": 2 / (fan_in + fan_out)}[mode]
            with torch.no_grad():
                weight.normal_(generator=generator)
                weight.mul_(math.sqrt(variance))
            return weight
        """,
        "weight.data instead of torch.no_grad": """
            fan_in, fan_out = compute_fans(weight)
            std = math.sqrt(2.0 / (fan_in + fan_out)) if mode == "fan_avg" else 1 / math.sqrt(fan_in)
            weight.data.normal_(0.0, std, generator=generator)
            return weight
        """,
        "torch.normal into the weight, std in float64": """
            fan_in, fan_out = compute_fans(weight)
            variance = torch.tensor(1.0 / fan_in if mode == "fan_in" else 2.0 / (fan_in + fan_out),
                                    dtype=torch.float64)
            samples = torch.normal(0.0, variance.sqrt().item(), size=tuple(weight.shape), generator=generator)
            with torch.no_grad():
                weight[...] = samples
            return weight
        """,
    },
    "he_normal_": {
        "randn scaled and copied in": """
            fan_in, _ = compute_fans(weight)
            with torch.no_grad():
                weight.copy_(math.sqrt(2.0 / fan_in) * torch.randn(weight.shape, generator=generator))
            return weight
        """,
        "normal_ then mul_ by sqrt(2) / sqrt(fan_in)": """
            fan_in = compute_fans(weight)[0]
            with torch.no_grad():
                weight.normal_(0.0, 1.0, generator=generator).mul_(math.sqrt(2) / math.sqrt(fan_in))
            return weight
        """,
        "std from a float64 tensor, via weight.data": """
            fan_in, fan_out = compute_fans(weight)
            std = torch.tensor(2.0, dtype=torch.float64).div(fan_in).sqrt().item()
            weight.data.normal_(mean=0.0, std=std, generator=generator)
            return weight
        """,
    },
    "activation_stats": {
        "one global forward hook that filters by type": """
            stats = []
            watched = {id(m) for m in model.modules() if isinstance(m, layer_type)}

            def record(module, inputs, output):
                if id(module) in watched:
                    stats.append((float(output.mean()), float(output.std())))

            handle = torch.nn.modules.module.register_module_forward_hook(record)
            try:
                with torch.no_grad():
                    model(x)
            finally:
                handle.remove()
            return stats
        """,
        "keeps the outputs, statistics afterwards in float64, inference_mode": """
            outputs, handles = [], []
            for _, module in model.named_modules():
                if isinstance(module, layer_type):
                    handles.append(module.register_forward_hook(
                        lambda m, i, o: outputs.append(o.detach().double())))
            try:
                with torch.inference_mode():
                    model(x)
            finally:
                while handles:
                    handles.pop().remove()
            return [(o.mean().item(), o.std().item()) for o in outputs]
        """,
        "std by hand, hooks removed by an ExitStack": """
            import contextlib
            stats = []

            def record(module, inputs, output):
                o = output.double().flatten()
                mean = o.mean()
                std = ((o - mean) ** 2).sum().div(o.numel() - 1).sqrt()
                stats.append((mean.item(), std.item()))

            with contextlib.ExitStack() as stack:
                for m in model.modules():
                    if isinstance(m, layer_type):
                        stack.callback(m.register_forward_hook(record).remove)
                with torch.no_grad():
                    model(x)
            return stats
        """,
        "NumPy statistics (population std)": """
            import numpy as np
            stats = []
            handles = []
            for m in model.modules():
                if isinstance(m, layer_type):
                    handles.append(m.register_forward_hook(
                        lambda m, i, o: stats.append((float(np.mean(o.numpy())), float(np.std(o.numpy()))))))
            try:
                with torch.no_grad():
                    model(x)
            finally:
                for h in handles:
                    h.remove()
            return stats
        """,
    },
    "predicted_variance": {
        "math.prod over zip": """
            factors = [n * v for n, v in zip(widths[:-1], weight_vars)]
            return float(input_var * math.prod(factors) * gain ** (len(factors) - 1))
        """,
        "a sum of logarithms": """
            log_variance = math.log(input_var) + (len(weight_vars) - 1) * math.log(gain)
            for n, v in zip(widths, weight_vars):
                log_variance += math.log(n) + math.log(v)
            return math.exp(log_variance)
        """,
        "NumPy, vectorised": """
            import numpy as np
            fan_in = np.asarray(widths[: len(weight_vars)], dtype=np.float64)
            factors = fan_in * np.asarray(weight_vars, dtype=np.float64)
            return float(input_var * np.prod(factors) * gain ** (len(factors) - 1))
        """,
        "recursive, from the last layer": """
            if len(weight_vars) == 1:
                return float(input_var * widths[0] * weight_vars[0])
            return gain * widths[-2] * weight_vars[-1] * predicted_variance(widths[:-1], weight_vars[:-1],
                                                                             input_var, gain)
        """,
    },
}
