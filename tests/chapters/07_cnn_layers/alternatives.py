"""Correct solutions of chapter 07 written unlike the reference; each must get full marks."""

CHAPTER = "07_cnn_layers"

ALTERNATIVES = {
    "conv_output_size": {
        "math.floor of a true division, padding unpacked with try": """
            try:
                pad_left, pad_right = padding
            except TypeError:
                pad_left = pad_right = padding
            if size < 1 or kernel_size < 1 or stride < 1 or dilation < 1:
                raise ValueError("size, kernel_size, stride and dilation must be at least 1")
            if pad_left < 0 or pad_right < 0:
                raise ValueError("padding cannot be negative")
            effective = (kernel_size - 1) * dilation + 1
            if effective > size + pad_left + pad_right:
                raise ValueError("the kernel is larger than the padded input")
            return int(math.floor((size + pad_left + pad_right - effective) / stride)) + 1
        """,
        "counts the window positions one by one": """
            pads = [padding, padding] if isinstance(padding, int) else list(padding)
            if any(v < 1 for v in (size, kernel_size, stride, dilation)) or any(p < 0 for p in pads):
                raise ValueError(f"invalid setting: size={size}, kernel={kernel_size}, stride={stride}, "
                                 f"padding={padding}, dilation={dilation}")
            length, span = size + sum(pads), dilation * (kernel_size - 1) + 1
            positions, start = 0, 0
            while start + span <= length:
                positions += 1
                start += stride
            if positions == 0:
                raise ValueError("the window does not fit even once")
            return positions
        """,
        "a range over the start positions": """
            left, right = (padding, padding) if not isinstance(padding, (tuple, list)) else tuple(padding)
            checks = {"size": size >= 1, "kernel_size": kernel_size >= 1, "stride": stride >= 1,
                      "dilation": dilation >= 1, "padding": min(left, right) >= 0}
            bad = [name for name, ok in checks.items() if not ok]
            if bad:
                raise ValueError(f"out of range: {', '.join(bad)}")
            starts = range(0, size + left + right - dilation * (kernel_size - 1), stride)
            if len(starts) == 0:
                raise ValueError("no window position")
            return len(starts)
        """,
    },
    "conv2d": {
        "F.unfold (im2col) and one matrix product": """
            n, _, height, width = x.shape
            k, d, kh, kw = weight.shape
            h_out = (height + 2 * padding - kh) // stride + 1
            w_out = (width + 2 * padding - kw) // stride + 1
            columns = F.unfold(x, (kh, kw), padding=padding, stride=stride)   # (N, D kh kw, L)
            y = weight.reshape(k, -1) @ columns                                # (N, K, L)
            if bias is not None:
                y = y + bias.view(1, k, 1)
            return y.view(n, k, h_out, w_out)
        """,
        "loops over the output positions": """
            n, _, height, width = x.shape
            k, d, kh, kw = weight.shape
            xp = torch.zeros(n, d, height + 2 * padding, width + 2 * padding, dtype=x.dtype)
            xp[:, :, padding:padding + height, padding:padding + width] = x
            h_out = (height + 2 * padding - kh) // stride + 1
            w_out = (width + 2 * padding - kw) // stride + 1
            rows = []
            for i in range(h_out):
                row = []
                for j in range(w_out):
                    window = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]   # (N, D, kh, kw)
                    row.append((window.unsqueeze(1) * weight.unsqueeze(0)).sum(dim=(2, 3, 4)))   # (N, K)
                rows.append(torch.stack(row, dim=-1))
            y = torch.stack(rows, dim=-2)                                      # (N, K, H'', W'')
            return y if bias is None else y + bias[None, :, None, None]
        """,
        "Tensor.unfold windows and einsum": """
            xp = F.pad(x, [padding] * 4)
            kh, kw = weight.shape[-2:]
            windows = xp.unfold(2, kh, stride).unfold(3, kw, stride)         # (N, D, H'', W'', kh, kw)
            y = torch.einsum("ndijhw,kdhw->nkij", windows, weight)
            if bias is not None:
                y = y + bias.reshape(-1, 1, 1)
            return y
        """,
        "the lecture's channels-last layout inside, back to channels first": """
            xl = F.pad(x, (padding,) * 4).permute(0, 2, 3, 1)                  # (N, H, W, D)
            fl = weight.permute(2, 3, 1, 0)                                    # (kh, kw, D, K)
            kh, kw = fl.shape[:2]
            h_out = (xl.shape[1] - kh) // stride + 1
            w_out = (xl.shape[2] - kw) // stride + 1
            y = 0
            for h in range(kh):
                for w in range(kw):
                    y = y + xl[:, h::stride, w::stride][:, :h_out, :w_out] @ fl[h, w]   # (N, H'', W'', K)
            if bias is not None:
                y = y + bias
            return y.permute(0, 3, 1, 2)
        """,
    },
    "pool2d": {
        "F.unfold on each map": """
            if mode not in {"max", "avg"}:
                raise ValueError(f"unknown mode {mode!r}")
            step = stride or kernel_size
            n, c, height, width = x.shape
            h_out, w_out = (height - kernel_size) // step + 1, (width - kernel_size) // step + 1
            columns = F.unfold(x.reshape(n * c, 1, height, width), kernel_size, stride=step)   # (N C, k k, L)
            pooled = columns.max(dim=1).values if mode == "max" else columns.mean(dim=1)
            return pooled.reshape(n, c, h_out, w_out)
        """,
        "loops over the output positions": """
            if mode != "max" and mode != "avg":
                raise ValueError("mode must be 'max' or 'avg'")
            s = kernel_size if stride is None else stride
            h_out = (x.shape[2] - kernel_size) // s + 1
            w_out = (x.shape[3] - kernel_size) // s + 1
            out = torch.empty(x.shape[0], x.shape[1], h_out, w_out, dtype=x.dtype)
            for i in range(h_out):
                for j in range(w_out):
                    window = x[:, :, i * s:i * s + kernel_size, j * s:j * s + kernel_size]
                    out[:, :, i, j] = window.amax(dim=(2, 3)) if mode == "max" else window.mean(dim=(2, 3))
            return out
        """,
        "Tensor.unfold twice": """
            ops = {"max": lambda w: w.amax(dim=(-2, -1)), "avg": lambda w: w.mean(dim=(-2, -1))}
            if mode not in ops:
                raise ValueError(f"mode must be one of {sorted(ops)}, got {mode!r}")
            step = kernel_size if stride is None else stride
            windows = x.unfold(2, kernel_size, step).unfold(3, kernel_size, step)   # (N, C, H'', W'', k, k)
            return ops[mode](windows)
        """,
    },
    "conv_cost": {
        "reuses conv_output_size": """
            kh, kw = (kernel_size,) * 2 if isinstance(kernel_size, int) else tuple(kernel_size)
            height, width = (input_size,) * 2 if isinstance(input_size, int) else tuple(input_size)
            h_out = conv_output_size(height, kh, stride, padding)
            w_out = conv_output_size(width, kw, stride, padding)
            per_output = in_channels * kh * kw
            return out_channels * per_output + out_channels * int(bias), h_out * w_out * out_channels * per_output
        """,
        "math.prod over the shapes": """
            kernel = (kernel_size, kernel_size) if type(kernel_size) is int else tuple(kernel_size)
            size = (input_size, input_size) if type(input_size) is int else tuple(input_size)
            out = [(s + 2 * padding - k) // stride + 1 for s, k in zip(size, kernel)]
            weight_shape = (out_channels, in_channels, *kernel)
            parameters = math.prod(weight_shape) + (out_channels if bias else 0)
            return int(parameters), int(math.prod(out) * math.prod(weight_shape))
        """,
        "built from a meta-device nn.Conv2d": """
            layer = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding,
                              bias=bias, device="meta")
            size = (input_size, input_size) if isinstance(input_size, int) else tuple(input_size)
            out = layer(torch.empty(1, in_channels, *size, device="meta"))
            parameters = sum(p.numel() for p in layer.parameters())
            return int(parameters), int(out.numel() * layer.weight[0].numel())
        """,
    },
    "receptive_field": {
        "from the last layer back to the input": """
            field = 1
            for layer in reversed(layers):
                kernel, stride = layer[0], layer[1]
                dilation = layer[2] if len(layer) == 3 else 1
                field = stride * (field - 1) + dilation * (kernel - 1) + 1
            return field
        """,
        "itertools.accumulate of the strides": """
            import itertools
            import operator
            if not layers:
                return 1
            strides = [layer[1] for layer in layers]
            jumps = [1, *itertools.accumulate(strides, operator.mul)][:-1]
            spans = [(layer[2] if len(layer) > 2 else 1) * (layer[0] - 1) for layer in layers]
            return 1 + sum(span * jump for span, jump in zip(spans, jumps))
        """,
    },
}
