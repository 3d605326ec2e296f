"""Typical wrong answers to the exercises of chapter 07 (see tests/test_grading.py)."""

CHAPTER = "07_cnn_layers"

# the exercises are independent: none of the references calls another exercise's function
AFFECTS: dict[str, set[str]] = {}

_CHECKS = """
            pad_left, pad_right = (padding, padding) if isinstance(padding, int) else padding
            if min(size, kernel_size, stride, dilation) < 1 or min(pad_left, pad_right) < 0:
                raise ValueError("a setting is out of range")
            span = dilation * (kernel_size - 1) + 1
            room = size + pad_left + pad_right - span
            if room < 0:
                raise ValueError("the window does not fit")
"""

WRONG_ANSWERS = {
    "conv_output_size": {
        "forgets the + 1": _CHECKS + """
            return room // stride
        """,
        "an int padding counted on one side only": """
            pad_left, pad_right = (padding, 0) if isinstance(padding, int) else padding
            if min(size, kernel_size, stride, dilation) < 1 or min(pad_left, pad_right) < 0:
                raise ValueError("a setting is out of range")
            room = size + pad_left + pad_right - dilation * (kernel_size - 1) - 1
            if room < 0:
                raise ValueError("the window does not fit")
            return 1 + room // stride
        """,
        "a padding pair: the left side used twice": """
            pad_left, pad_right = (padding, padding) if isinstance(padding, int) else (padding[0], padding[0])
            if min(size, kernel_size, stride, dilation) < 1 or min(pad_left, pad_right) < 0:
                raise ValueError("a setting is out of range")
            room = size + pad_left + pad_right - dilation * (kernel_size - 1) - 1
            if room < 0:
                raise ValueError("the window does not fit")
            return 1 + room // stride
        """,
        "rounds up (ceil) instead of down": _CHECKS + """
            return 1 + math.ceil(room / stride)
        """,
        "rounds to the nearest integer": _CHECKS + """
            return int(1 + round(room / stride))
        """,
        "true division: returns a float": _CHECKS + """
            return 1 + room / stride
        """,
        "(W - W' + 2P + 1) // S, without the separate + 1": _CHECKS + """
            return (room + 1) // stride
        """,
        "ignores dilation": """
            pad_left, pad_right = (padding, padding) if isinstance(padding, int) else padding
            if min(size, kernel_size, stride, dilation) < 1 or min(pad_left, pad_right) < 0:
                raise ValueError("a setting is out of range")
            room = size + pad_left + pad_right - kernel_size
            if room < 0:
                raise ValueError("the window does not fit")
            return 1 + room // stride
        """,
        "dilation multiplies the whole kernel size": """
            pad_left, pad_right = (padding, padding) if isinstance(padding, int) else padding
            if min(size, kernel_size, stride, dilation) < 1 or min(pad_left, pad_right) < 0:
                raise ValueError("a setting is out of range")
            room = size + pad_left + pad_right - dilation * kernel_size
            if room < 0:
                raise ValueError("the window does not fit")
            return 1 + room // stride
        """,
        "never raises: returns what the formula gives": """
            pad_left, pad_right = (padding, padding) if isinstance(padding, int) else padding
            return 1 + (size + pad_left + pad_right - dilation * (kernel_size - 1) - 1) // max(stride, 1)
        """,
        "checks only that the window fits": """
            pad_left, pad_right = (padding, padding) if isinstance(padding, int) else padding
            room = size + pad_left + pad_right - dilation * (kernel_size - 1) - 1
            if room < 0:
                raise ValueError("the window does not fit")
            return 1 + room // stride
        """,
        "raises AssertionError instead of ValueError": """
            pad_left, pad_right = (padding, padding) if isinstance(padding, int) else padding
            assert min(size, kernel_size, stride, dilation) >= 1 and min(pad_left, pad_right) >= 0
            room = size + pad_left + pad_right - dilation * (kernel_size - 1) - 1
            assert room >= 0, "the window does not fit"
            return 1 + room // stride
        """,
    },
    "conv2d": {
        "flips the kernel (true convolution)": """
            n, d, height, width = x.shape
            k, _, kh, kw = weight.shape
            weight = weight.flip(-2, -1)
            x = F.pad(x, (padding, padding, padding, padding))
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            y = torch.zeros(n, k, h_out, w_out, dtype=x.dtype)
            for h in range(kh):
                for w in range(kw):
                    shifted = x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                    y = y + torch.einsum("ndij,kd->nkij", shifted, weight[:, :, h, w])
            return y if bias is None else y + bias.view(1, k, 1, 1)
        """,
        "calls F.conv2d": """
            return F.conv2d(x, weight, bias, stride=stride, padding=padding)
        """,
        "builds an nn.Conv2d with the given weights": """
            k, d, kh, kw = weight.shape
            layer = nn.Conv2d(d, k, (kh, kw), stride=stride, padding=padding, bias=bias is not None)
            with torch.no_grad():
                layer.weight.copy_(weight)
                if bias is not None:
                    layer.bias.copy_(bias)
            return layer(x)
        """,
        "returns channels-last (N, H'', W'', K)": """
            n, d, height, width = x.shape
            k, _, kh, kw = weight.shape
            x = F.pad(x, (padding, padding, padding, padding))
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            y = torch.zeros(n, h_out, w_out, k, dtype=x.dtype)
            for h in range(kh):
                for w in range(kw):
                    shifted = x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                    y = y + torch.einsum("ndij,kd->nijk", shifted, weight[:, :, h, w])
            return y if bias is None else y + bias
        """,
        "reads the weight as (D, K, H', W')": """
            n, d, height, width = x.shape
            _, k, kh, kw = weight.shape
            x = F.pad(x, (padding, padding, padding, padding))
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            y = torch.zeros(n, k, h_out, w_out, dtype=x.dtype)
            for h in range(kh):
                for w in range(kw):
                    shifted = x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                    y = y + torch.einsum("ndij,dk->nkij", shifted, weight[:, :, h, w])
            return y if bias is None else y + bias.view(1, k, 1, 1)
        """,
        "ignores the bias": """
            n, d, height, width = x.shape
            k, _, kh, kw = weight.shape
            x = F.pad(x, (padding, padding, padding, padding))
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            y = torch.zeros(n, k, h_out, w_out, dtype=x.dtype)
            for h in range(kh):
                for w in range(kw):
                    shifted = x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                    y = y + torch.einsum("ndij,kd->nkij", shifted, weight[:, :, h, w])
            return y
        """,
        "adds the bias along the last axis": """
            n, d, height, width = x.shape
            k, _, kh, kw = weight.shape
            x = F.pad(x, (padding, padding, padding, padding))
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            y = torch.zeros(n, k, h_out, w_out, dtype=x.dtype)
            for h in range(kh):
                for w in range(kw):
                    shifted = x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                    y = y + torch.einsum("ndij,kd->nkij", shifted, weight[:, :, h, w])
            return y if bias is None else y + bias
        """,
        "pads only the left and top": """
            n, d, height, width = x.shape
            k, _, kh, kw = weight.shape
            x = F.pad(x, (padding, 0, padding, 0))
            h_out, w_out = (height + padding - kh) // stride + 1, (width + padding - kw) // stride + 1
            y = torch.zeros(n, k, h_out, w_out, dtype=x.dtype)
            for h in range(kh):
                for w in range(kw):
                    shifted = x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                    y = y + torch.einsum("ndij,kd->nkij", shifted, weight[:, :, h, w])
            return y if bias is None else y + bias.view(1, k, 1, 1)
        """,
        "ignores the stride": """
            n, d, height, width = x.shape
            k, _, kh, kw = weight.shape
            x = F.pad(x, (padding, padding, padding, padding))
            h_out, w_out = height + 2 * padding - kh + 1, width + 2 * padding - kw + 1
            y = torch.zeros(n, k, h_out, w_out, dtype=x.dtype)
            for h in range(kh):
                for w in range(kw):
                    y = y + torch.einsum("ndij,kd->nkij", x[:, :, h:h + h_out, w:w + w_out], weight[:, :, h, w])
            return y if bias is None else y + bias.view(1, k, 1, 1)
        """,
        "keeps a partial last window (rounds up, extra zeros)": """
            n, d, height, width = x.shape
            k, _, kh, kw = weight.shape
            h_out = -(-(height + 2 * padding - kh) // stride) + 1
            w_out = -(-(width + 2 * padding - kw) // stride) + 1
            extra_h = stride * (h_out - 1) + kh - (height + 2 * padding)
            extra_w = stride * (w_out - 1) + kw - (width + 2 * padding)
            x = F.pad(x, (padding, padding + extra_w, padding, padding + extra_h))
            y = torch.zeros(n, k, h_out, w_out, dtype=x.dtype)
            for h in range(kh):
                for w in range(kw):
                    shifted = x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                    y = y + torch.einsum("ndij,kd->nkij", shifted, weight[:, :, h, w])
            return y if bias is None else y + bias.view(1, k, 1, 1)
        """,
        "averages over the channels instead of summing": """
            n, d, height, width = x.shape
            k, _, kh, kw = weight.shape
            x = F.pad(x, (padding, padding, padding, padding))
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            y = torch.zeros(n, k, h_out, w_out, dtype=x.dtype)
            for h in range(kh):
                for w in range(kw):
                    shifted = x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                    y = y + torch.einsum("ndij,kd->nkij", shifted, weight[:, :, h, w]) / d
            return y if bias is None else y + bias.view(1, k, 1, 1)
        """,
        "one filter for all outputs: uses only weight[0]": """
            n, d, height, width = x.shape
            k, _, kh, kw = weight.shape
            x = F.pad(x, (padding, padding, padding, padding))
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            y = torch.zeros(n, k, h_out, w_out, dtype=x.dtype)
            for h in range(kh):
                for w in range(kw):
                    shifted = x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                    y = y + torch.einsum("ndij,d->nij", shifted, weight[0, :, h, w]).unsqueeze(1)
            return y if bias is None else y + bias.view(1, k, 1, 1)
        """,
        "computes under torch.no_grad (no gradients)": """
            n, d, height, width = x.shape
            k, _, kh, kw = weight.shape
            with torch.no_grad():
                xp = F.pad(x, (padding, padding, padding, padding))
                h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
                y = torch.zeros(n, k, h_out, w_out, dtype=x.dtype)
                for h in range(kh):
                    for w in range(kw):
                        shifted = xp[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                        y = y + torch.einsum("ndij,kd->nkij", shifted, weight[:, :, h, w])
                return y if bias is None else y + bias.view(1, k, 1, 1)
        """,
    },
    "pool2d": {
        "calls F.max_pool2d and F.avg_pool2d": """
            if mode not in ("max", "avg"):
                raise ValueError(mode)
            pool = F.max_pool2d if mode == "max" else F.avg_pool2d
            return pool(x, kernel_size, kernel_size if stride is None else stride)
        """,
        "the stride defaults to 1": """
            if mode not in ("max", "avg"):
                raise ValueError(mode)
            stride = 1 if stride is None else stride
            h_out, w_out = (x.shape[-2] - kernel_size) // stride + 1, (x.shape[-1] - kernel_size) // stride + 1
            windows = torch.stack([x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                                   for h in range(kernel_size) for w in range(kernel_size)])
            return windows.amax(dim=0) if mode == "max" else windows.mean(dim=0)
        """,
        "pools across the channels too": """
            if mode not in ("max", "avg"):
                raise ValueError(mode)
            stride = kernel_size if stride is None else stride
            h_out, w_out = (x.shape[-2] - kernel_size) // stride + 1, (x.shape[-1] - kernel_size) // stride + 1
            windows = torch.stack([x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                                   for h in range(kernel_size) for w in range(kernel_size)])
            if mode == "max":
                return windows.amax(dim=(0, 2)).unsqueeze(1).expand(-1, x.shape[1], -1, -1)
            return windows.mean(dim=(0, 2)).unsqueeze(1).expand(-1, x.shape[1], -1, -1)
        """,
        "average divided by the kernel size, not its square": """
            if mode not in ("max", "avg"):
                raise ValueError(mode)
            stride = kernel_size if stride is None else stride
            h_out, w_out = (x.shape[-2] - kernel_size) // stride + 1, (x.shape[-1] - kernel_size) // stride + 1
            windows = torch.stack([x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                                   for h in range(kernel_size) for w in range(kernel_size)])
            return windows.amax(dim=0) if mode == "max" else windows.sum(dim=0) / kernel_size
        """,
        "keeps a partial last window (ceil mode)": """
            if mode not in ("max", "avg"):
                raise ValueError(mode)
            stride = kernel_size if stride is None else stride
            h_out = -(-(x.shape[-2] - kernel_size) // stride) + 1
            w_out = -(-(x.shape[-1] - kernel_size) // stride) + 1
            fill = float("-inf") if mode == "max" else 0.0
            extra_h = stride * (h_out - 1) + kernel_size - x.shape[-2]
            extra_w = stride * (w_out - 1) + kernel_size - x.shape[-1]
            xp = F.pad(x, (0, extra_w, 0, extra_h), value=fill)
            windows = torch.stack([xp[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                                   for h in range(kernel_size) for w in range(kernel_size)])
            return windows.amax(dim=0) if mode == "max" else windows.mean(dim=0)
        """,
        "starts the maximum at 0": """
            if mode not in ("max", "avg"):
                raise ValueError(mode)
            stride = kernel_size if stride is None else stride
            h_out, w_out = (x.shape[-2] - kernel_size) // stride + 1, (x.shape[-1] - kernel_size) // stride + 1
            result = torch.zeros(x.shape[0], x.shape[1], h_out, w_out, dtype=x.dtype)
            for h in range(kernel_size):
                for w in range(kernel_size):
                    window = x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                    result = torch.maximum(result, window) if mode == "max" else result + window / kernel_size**2
            return result
        """,
        "ignores mode (always max)": """
            stride = kernel_size if stride is None else stride
            h_out, w_out = (x.shape[-2] - kernel_size) // stride + 1, (x.shape[-1] - kernel_size) // stride + 1
            windows = torch.stack([x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                                   for h in range(kernel_size) for w in range(kernel_size)])
            return windows.amax(dim=0)
        """,
        "any mode other than 'max' averages (no ValueError)": """
            stride = kernel_size if stride is None else stride
            h_out, w_out = (x.shape[-2] - kernel_size) // stride + 1, (x.shape[-1] - kernel_size) // stride + 1
            windows = torch.stack([x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                                   for h in range(kernel_size) for w in range(kernel_size)])
            return windows.amax(dim=0) if mode == "max" else windows.mean(dim=0)
        """,
        "reads x as channels-last (N, H, W, C)": """
            if mode not in ("max", "avg"):
                raise ValueError(mode)
            stride = kernel_size if stride is None else stride
            h_out, w_out = (x.shape[1] - kernel_size) // stride + 1, (x.shape[2] - kernel_size) // stride + 1
            windows = torch.stack([x[:, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride, :]
                                   for h in range(kernel_size) for w in range(kernel_size)])
            return windows.amax(dim=0) if mode == "max" else windows.mean(dim=0)
        """,
        "max of the absolute values": """
            if mode not in ("max", "avg"):
                raise ValueError(mode)
            stride = kernel_size if stride is None else stride
            h_out, w_out = (x.shape[-2] - kernel_size) // stride + 1, (x.shape[-1] - kernel_size) // stride + 1
            windows = torch.stack([x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                                   for h in range(kernel_size) for w in range(kernel_size)])
            return windows.abs().amax(dim=0) if mode == "max" else windows.mean(dim=0)
        """,
        "pools in place into x's first rows": """
            if mode not in ("max", "avg"):
                raise ValueError(mode)
            stride = kernel_size if stride is None else stride
            h_out, w_out = (x.shape[-2] - kernel_size) // stride + 1, (x.shape[-1] - kernel_size) // stride + 1
            windows = torch.stack([x[:, :, h:h + stride * (h_out - 1) + 1:stride, w:w + stride * (w_out - 1) + 1:stride]
                                   for h in range(kernel_size) for w in range(kernel_size)])
            result = windows.amax(dim=0) if mode == "max" else windows.mean(dim=0)
            x[:, :, :h_out, :w_out] = result
            return x[:, :, :h_out, :w_out]
        """,
    },
    "conv_cost": {
        "a bias per output position": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            weights = out_channels * in_channels * kh * kw
            return weights + (out_channels * h_out * w_out if bias else 0), h_out * w_out * weights
        """,
        "never counts the bias": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            weights = out_channels * in_channels * kh * kw
            return weights, h_out * w_out * weights
        """,
        "always counts the bias (ignores bias=False)": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            weights = out_channels * in_channels * kh * kw
            return weights + out_channels, h_out * w_out * weights
        """,
        "forgets the input channels": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            weights = out_channels * kh * kw
            return weights + (out_channels if bias else 0), h_out * w_out * weights
        """,
        "multiply-adds over the input size, not the output size": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            weights = out_channels * in_channels * kh * kw
            return weights + (out_channels if bias else 0), height * width * weights
        """,
        "multiply-adds forget the number of filters": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            weights = out_channels * in_channels * kh * kw
            return weights + (out_channels if bias else 0), h_out * w_out * in_channels * kh * kw
        """,
        "output size without the + 1": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + 2 * padding - kh) // stride, (width + 2 * padding - kw) // stride
            weights = out_channels * in_channels * kh * kw
            return weights + (out_channels if bias else 0), h_out * w_out * weights
        """,
        "padding counted on one side only": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + padding - kh) // stride + 1, (width + padding - kw) // stride + 1
            weights = out_channels * in_channels * kh * kw
            return weights + (out_channels if bias else 0), h_out * w_out * weights
        """,
        "output size rounded up": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out = math.ceil((height + 2 * padding - kh) / stride) + 1
            w_out = math.ceil((width + 2 * padding - kw) / stride) + 1
            weights = out_channels * in_channels * kh * kw
            return weights + (out_channels if bias else 0), h_out * w_out * weights
        """,
        "true division: floats, not rounded down": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + 2 * padding - kh) / stride + 1, (width + 2 * padding - kw) / stride + 1
            weights = out_channels * in_channels * kh * kw
            return weights + (out_channels if bias else 0), h_out * w_out * weights
        """,
        "counts the bias additions as multiply-adds": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            weights = out_channels * in_channels * kh * kw
            return weights + (out_channels if bias else 0), h_out * w_out * (weights + (out_channels if bias else 0))
        """,
        "reads a kernel pair as (width, height)": """
            kw, kh = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            weights = out_channels * in_channels * kh * kw
            return weights + (out_channels if bias else 0), h_out * w_out * weights
        """,
        "returns the counts as a list": """
            kh, kw = (kernel_size, kernel_size) if isinstance(kernel_size, int) else kernel_size
            height, width = (input_size, input_size) if isinstance(input_size, int) else input_size
            h_out, w_out = (height + 2 * padding - kh) // stride + 1, (width + 2 * padding - kw) // stride + 1
            weights = out_channels * in_channels * kh * kw
            return [weights + (out_channels if bias else 0), h_out * w_out * weights]
        """,
    },
    "receptive_field": {
        "adds up the kernel sizes": """
            return sum(layer[0] for layer in layers) if layers else 1
        """,
        "ignores the strides": """
            field = 1
            for kernel, stride, *rest in layers:
                field += (rest[0] if rest else 1) * (kernel - 1)
            return field
        """,
        "multiplies by the layer's own stride too": """
            field, jump = 1, 1
            for kernel, stride, *rest in layers:
                jump *= stride
                field += (rest[0] if rest else 1) * (kernel - 1) * jump
            return field
        """,
        "only the previous layer's stride, not the product": """
            field, previous = 1, 1
            for kernel, stride, *rest in layers:
                field += (rest[0] if rest else 1) * (kernel - 1) * previous
                previous = stride
            return field
        """,
        "ignores dilation": """
            field, jump = 1, 1
            for kernel, stride, *rest in layers:
                field += (kernel - 1) * jump
                jump *= stride
            return field
        """,
        "starts from 0 instead of one pixel": """
            field, jump = 0, 1
            for kernel, stride, *rest in layers:
                field += (rest[0] if rest else 1) * (kernel - 1) * jump
                jump *= stride
            return field
        """,
        "multiplies the kernel sizes": """
            field = 1
            for layer in layers:
                field *= layer[0]
            return field
        """,
        "empties the list it is given": """
            field, jump = 1, 1
            while layers:
                kernel, stride, *rest = layers.pop(0)
                field += (rest[0] if rest else 1) * (kernel - 1) * jump
                jump *= stride
            return field
        """,
        "returns a float": """
            field, jump = 1.0, 1.0
            for kernel, stride, *rest in layers:
                field += (rest[0] if rest else 1) * (kernel - 1) * jump
                jump *= stride
            return field
        """,
    },
}
