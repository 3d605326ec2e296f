"""Correct answers to chapter 11's exercises written unlike the reference; each must get full marks."""

CHAPTER = "11_cam"

ALTERNATIVES = {
    "occlusion_map": {
        "one forward pass per position, in a loop": """
            _, height, width = image.shape
            rows, cols = (height - patch) // stride + 1, (width - patch) // stride + 1
            out = torch.zeros(rows, cols)
            with torch.no_grad():
                p = torch.softmax(model(image.unsqueeze(0)), dim=1)[0, label]
                for i in range(rows):
                    for j in range(cols):
                        x = image.clone()
                        x[:, i * stride:i * stride + patch, j * stride:j * stride + patch] = fill
                        out[i, j] = p - torch.softmax(model(x.unsqueeze(0)), dim=1)[0, label]
            return out
        """,
        "masks from unfold's sliding windows": """
            c, height, width = image.shape
            with torch.no_grad():
                index = torch.arange(height * width, dtype=torch.float32).view(1, 1, height, width)
                windows = F.unfold(index, kernel_size=patch, stride=stride)[0].T.long()   # (positions, p * p)
                masks = torch.zeros(windows.shape[0], height * width)
                masks.scatter_(1, windows, 1.0)
                masks = masks.view(-1, 1, height, width)
                batch = torch.cat([image.unsqueeze(0), image * (1 - masks) + fill * masks])
                p = F.softmax(model(batch), dim=1)[:, label]
            rows, cols = (height - patch) // stride + 1, (width - patch) // stride + 1
            return (p[0] - p[1:]).reshape(rows, cols)
        """,
        "log-sum-exp probabilities, one row of positions per batch": """
            _, height, width = image.shape
            rows = []
            with torch.no_grad():
                s = model(image[None])
                p = torch.exp(s[0, label] - torch.logsumexp(s[0], dim=0))
                for top in range(0, height - patch + 1, stride):
                    row = []
                    for left in range(0, width - patch + 1, stride):
                        x = image.detach().clone()
                        x[..., top:top + patch, left:left + patch] = fill
                        row.append(x)
                    s = model(torch.stack(row))
                    rows.append(p - torch.exp(s[:, label] - torch.logsumexp(s, dim=1)))
            return torch.stack(rows)
        """,
    },
    "class_activation_map": {
        "broadcast multiply and sum over channels": """
            maps = (weight[labels].unsqueeze(-1).unsqueeze(-1) * features).sum(dim=1)
            if size is None:
                return maps
            return torch.nn.functional.interpolate(maps[:, None, :, :], size=(size[0], size[1]), mode="bilinear",
                                                   align_corners=False).squeeze(1)
        """,
        "all classes' maps by a 1 x 1 convolution, upsampled first, then picked": """
            all_maps = F.conv2d(features, weight[:, :, None, None])          # (N, C, h, w)
            if size is not None:
                all_maps = F.interpolate(all_maps, size=tuple(size), mode="bilinear", align_corners=False)
            return all_maps[torch.arange(len(labels)), labels]
        """,
        "upsample the features (bilinear is linear), then weight them": """
            if size is not None:
                features = F.interpolate(features, size=tuple(size), mode="bilinear", align_corners=False)
            return torch.stack([torch.tensordot(weight[c], f, dims=1) for f, c in zip(features, labels.tolist())])
        """,
    },
    "scores_from_cams": {
        "sum divided by the number of positions": """
            n, c, h, w = cams.shape
            return cams.reshape(n, c, h * w).sum(dim=-1) / (h * w) + bias.unsqueeze(0)
        """,
        "global average pooling module": """
            return torch.nn.AdaptiveAvgPool2d(1)(cams).flatten(1) + bias
        """,
        "mean over the last axis twice, bias added with torch.add": """
            return torch.add(cams.mean(-1).mean(-1), bias)
        """,
    },
    "grad_cam": {
        "einsum for the weighted sum, clamp for the ReLU": """
            alpha = gradients.mean(dim=(-2, -1))                      # (N, K)
            return torch.einsum("nk,nkhw->nhw", alpha, activations).clamp(min=0)
        """,
        "global average pooling of the gradients, maximum with zero": """
            alpha = F.adaptive_avg_pool2d(gradients, 1)               # (N, K, 1, 1)
            weighted = (alpha * activations).sum(dim=1)
            return torch.maximum(weighted, torch.zeros_like(weighted))
        """,
        "batched matrix product": """
            n, k, h, w = activations.shape
            alpha = gradients.flatten(2).mean(dim=2).unsqueeze(1)      # (N, 1, K)
            return F.relu(torch.bmm(alpha, activations.flatten(2)).view(n, h, w))
        """,
    },
    "grad_cam_with_hooks": {
        "a tensor hook on the kept output, and backward": """
            store = {}

            def keep(module, inputs, output):
                store["f"] = output
                output.register_hook(lambda grad: store.__setitem__("g", grad))

            handle = layer.register_forward_hook(keep)
            try:
                scores = model(images)
            finally:
                handle.remove()
            scores[torch.arange(len(labels)), labels].sum().backward()
            model.zero_grad(set_to_none=True)
            f, g = store["f"].detach(), store["g"]
            return torch.relu((g.mean(dim=(2, 3), keepdim=True) * f).sum(dim=1))
        """,
        "a full backward hook for the gradient": """
            kept = []
            handles = [layer.register_forward_hook(lambda m, i, o: kept.append(o.detach())),
                       layer.register_full_backward_hook(lambda m, gi, go: kept.append(go[0].detach()))]
            x = images.detach().requires_grad_(True)         # so that every layer's backward hook fires
            try:
                scores = model(x)
                one_hot = F.one_hot(labels, scores.shape[1]).to(scores.dtype)
                torch.autograd.backward(scores, grad_tensors=one_hot, inputs=[x])
            finally:
                for h in handles:
                    h.remove()
            activations, gradients = kept
            return grad_cam(activations, gradients)
        """,
        "autograd.grad with a one-hot selection, computed without grad_cam": """
            outputs = []
            handle = layer.register_forward_hook(lambda module, args, out: outputs.append(out))
            try:
                scores = model(images)
            finally:
                handle.remove()
            one_hot = torch.zeros_like(scores).scatter_(1, labels[:, None], 1.0)
            (grads,) = torch.autograd.grad((scores * one_hot).sum(), outputs[0])
            weights = grads.mean(dim=(-1, -2))
            return torch.einsum("nk,nkhw->nhw", weights, outputs[0].detach()).relu()
        """,
    },
}
