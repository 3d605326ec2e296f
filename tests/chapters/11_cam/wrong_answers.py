"""Typical wrong answers to the exercises of chapter 11 (see tests/chapter_tests.py)."""

CHAPTER = "11_cam"

# grad_cam_with_hooks may (and the reference does) use the student's grad_cam
AFFECTS = {"grad_cam": {"grad_cam_with_hooks_tests"}}

WRONG_ANSWERS = {
    "occlusion_map": {
        "raw class scores instead of probabilities": """
            _, height, width = image.shape
            tops, lefts = range(0, height - patch + 1, stride), range(0, width - patch + 1, stride)
            occluded = image.repeat(len(tops) * len(lefts), 1, 1, 1)
            for k, (top, left) in enumerate((t, l) for t in tops for l in lefts):
                occluded[k, :, top:top + patch, left:left + patch] = fill
            with torch.no_grad():
                return (model(image[None])[0, label] - model(occluded)[:, label]).view(len(tops), len(lefts))
        """,
        "the sign flipped (occluded minus original)": """
            _, height, width = image.shape
            tops, lefts = range(0, height - patch + 1, stride), range(0, width - patch + 1, stride)
            occluded = image.repeat(len(tops) * len(lefts), 1, 1, 1)
            for k, (top, left) in enumerate((t, l) for t in tops for l in lefts):
                occluded[k, :, top:top + patch, left:left + patch] = fill
            with torch.no_grad():
                p = torch.softmax(model(image[None]), dim=1)[0, label]
                q = torch.softmax(model(occluded), dim=1)[:, label]
            return (q - p).view(len(tops), len(lefts))
        """,
        "the probability of the occluded images, not its drop": """
            _, height, width = image.shape
            tops, lefts = range(0, height - patch + 1, stride), range(0, width - patch + 1, stride)
            occluded = image.repeat(len(tops) * len(lefts), 1, 1, 1)
            for k, (top, left) in enumerate((t, l) for t in tops for l in lefts):
                occluded[k, :, top:top + patch, left:left + patch] = fill
            with torch.no_grad():
                return torch.softmax(model(occluded), dim=1)[:, label].view(len(tops), len(lefts))
        """,
        "misses the last position (range stops before H - p)": """
            _, height, width = image.shape
            tops, lefts = range(0, height - patch, stride), range(0, width - patch, stride)
            occluded = image.repeat(len(tops) * len(lefts), 1, 1, 1)
            for k, (top, left) in enumerate((t, l) for t in tops for l in lefts):
                occluded[k, :, top:top + patch, left:left + patch] = fill
            with torch.no_grad():
                p = torch.softmax(model(image[None]), dim=1)[0, label]
                q = torch.softmax(model(occluded), dim=1)[:, label]
            return (p - q).view(len(tops), len(lefts))
        """,
        "covers only the first channel": """
            _, height, width = image.shape
            tops, lefts = range(0, height - patch + 1, stride), range(0, width - patch + 1, stride)
            occluded = image.repeat(len(tops) * len(lefts), 1, 1, 1)
            for k, (top, left) in enumerate((t, l) for t in tops for l in lefts):
                occluded[k, 0, top:top + patch, left:left + patch] = fill
            with torch.no_grad():
                p = torch.softmax(model(image[None]), dim=1)[0, label]
                q = torch.softmax(model(occluded), dim=1)[:, label]
            return (p - q).view(len(tops), len(lefts))
        """,
        "always fills with 0": """
            _, height, width = image.shape
            tops, lefts = range(0, height - patch + 1, stride), range(0, width - patch + 1, stride)
            occluded = image.repeat(len(tops) * len(lefts), 1, 1, 1)
            for k, (top, left) in enumerate((t, l) for t in tops for l in lefts):
                occluded[k, :, top:top + patch, left:left + patch] = 0.0
            with torch.no_grad():
                p = torch.softmax(model(image[None]), dim=1)[0, label]
                q = torch.softmax(model(occluded), dim=1)[:, label]
            return (p - q).view(len(tops), len(lefts))
        """,
        "rows and columns swapped": """
            _, height, width = image.shape
            tops, lefts = range(0, height - patch + 1, stride), range(0, width - patch + 1, stride)
            occluded = image.repeat(len(tops) * len(lefts), 1, 1, 1)
            for k, (left, top) in enumerate((l, t) for l in lefts for t in tops):
                occluded[k, :, top:top + patch, left:left + patch] = fill
            with torch.no_grad():
                p = torch.softmax(model(image[None]), dim=1)[0, label]
                q = torch.softmax(model(occluded), dim=1)[:, label]
            return (p - q).view(len(lefts), len(tops))
        """,
        "the map of the predicted class, not of `label`": """
            _, height, width = image.shape
            tops, lefts = range(0, height - patch + 1, stride), range(0, width - patch + 1, stride)
            occluded = image.repeat(len(tops) * len(lefts), 1, 1, 1)
            for k, (top, left) in enumerate((t, l) for t in tops for l in lefts):
                occluded[k, :, top:top + patch, left:left + patch] = fill
            with torch.no_grad():
                p = torch.softmax(model(image[None]), dim=1)[0]
                c = int(p.argmax())
                q = torch.softmax(model(occluded), dim=1)[:, c]
            return (p[c] - q).view(len(tops), len(lefts))
        """,
        "occludes the image itself, not a copy": """
            _, height, width = image.shape
            tops, lefts = range(0, height - patch + 1, stride), range(0, width - patch + 1, stride)
            with torch.no_grad():
                p = torch.softmax(model(image[None]), dim=1)[0, label]
                occluded = []
                for top in tops:
                    for left in lefts:
                        x = image                      # the same tensor, not a copy
                        x[:, top:top + patch, left:left + patch] = fill
                        occluded.append(x.clone())
                q = torch.softmax(model(torch.stack(occluded)), dim=1)[:, label]
            return (p - q).view(len(tops), len(lefts))
        """,
        "no torch.no_grad: the map carries gradient history": """
            _, height, width = image.shape
            tops, lefts = range(0, height - patch + 1, stride), range(0, width - patch + 1, stride)
            occluded = image.repeat(len(tops) * len(lefts), 1, 1, 1)
            for k, (top, left) in enumerate((t, l) for t in tops for l in lefts):
                occluded[k, :, top:top + patch, left:left + patch] = fill
            p = torch.softmax(model(image[None]), dim=1)[0, label]
            q = torch.softmax(model(occluded), dim=1)[:, label]
            return (p - q).view(len(tops), len(lefts))
        """,
    },
    "class_activation_map": {
        "applies a ReLU to the map": """
            maps = torch.relu(torch.einsum("nk,nkhw->nhw", weight[labels], features))
            if size is not None:
                maps = F.interpolate(maps[:, None], size=tuple(size), mode="bilinear", align_corners=False)[:, 0]
            return maps
        """,
        "normalises each map to [0, 1]": """
            maps = torch.einsum("nk,nkhw->nhw", weight[labels], features)
            low = maps.amin(dim=(1, 2), keepdim=True)
            maps = (maps - low) / (maps.amax(dim=(1, 2), keepdim=True) - low)
            if size is not None:
                maps = F.interpolate(maps[:, None], size=tuple(size), mode="bilinear", align_corners=False)[:, 0]
            return maps
        """,
        "the class of the first image for all images": """
            maps = torch.einsum("k,nkhw->nhw", weight[labels[0]], features)
            if size is not None:
                maps = F.interpolate(maps[:, None], size=tuple(size), mode="bilinear", align_corners=False)[:, 0]
            return maps
        """,
        "averages the channels instead of weighting them": """
            maps = features.mean(dim=1)
            if size is not None:
                maps = F.interpolate(maps[:, None], size=tuple(size), mode="bilinear", align_corners=False)[:, 0]
            return maps
        """,
        "upsamples with align_corners=True": """
            maps = torch.einsum("nk,nkhw->nhw", weight[labels], features)
            if size is not None:
                maps = F.interpolate(maps[:, None], size=tuple(size), mode="bilinear", align_corners=True)[:, 0]
            return maps
        """,
        "upsamples with nearest neighbours": """
            maps = torch.einsum("nk,nkhw->nhw", weight[labels], features)
            if size is not None:
                maps = F.interpolate(maps[:, None], size=tuple(size), mode="nearest")[:, 0]
            return maps
        """,
        "size read as (width, height)": """
            maps = torch.einsum("nk,nkhw->nhw", weight[labels], features)
            if size is not None:
                maps = F.interpolate(maps[:, None], size=(size[1], size[0]), mode="bilinear",
                                     align_corners=False)[:, 0]
            return maps
        """,
        "upsamples by a scale factor from the first size": """
            maps = torch.einsum("nk,nkhw->nhw", weight[labels], features)
            if size is not None:
                maps = F.interpolate(maps[:, None], scale_factor=size[0] // maps.shape[-2], mode="bilinear",
                                     align_corners=False)[:, 0]
            return maps
        """,
        "bicubic instead of bilinear upsampling": """
            if size is not None:
                features = F.interpolate(features, size=tuple(size), mode="bicubic", align_corners=False)
            return torch.einsum("nk,nkhw->nhw", weight[labels], features)
        """,
    },
    "scores_from_cams": {
        "sums over the positions (no 1/Z)": """
            return cams.sum(dim=(2, 3)) + bias
        """,
        "forgets the bias": """
            return cams.mean(dim=(2, 3))
        """,
        "ReLU on the maps first": """
            return torch.relu(cams).mean(dim=(2, 3)) + bias
        """,
        "adds the bias to every position, then sums": """
            return (cams + bias[:, None, None]).sum(dim=(2, 3))
        """,
        "averages over the classes too": """
            return cams.mean(dim=(1, 2, 3))[:, None] + bias
        """,
        "global max pooling instead of the mean": """
            return cams.amax(dim=(2, 3)) + bias
        """,
        "adds the bias in place to the maps": """
            cams += bias[:, None, None]
            return cams.mean(dim=(2, 3))
        """,
    },
    "grad_cam": {
        "no ReLU": """
            return (gradients.mean(dim=(2, 3), keepdim=True) * activations).sum(dim=1)
        """,
        "ReLU on the activations before the weighted sum": """
            return (gradients.mean(dim=(2, 3), keepdim=True) * torch.relu(activations)).sum(dim=1)
        """,
        "ReLU on each channel's term before the sum": """
            return torch.relu(gradients.mean(dim=(2, 3), keepdim=True) * activations).sum(dim=1)
        """,
        "gradients averaged over the channels instead of the positions": """
            return torch.relu((gradients.mean(dim=1, keepdim=True) * activations).sum(dim=1))
        """,
        "gradients summed over the positions (no 1/Z)": """
            return torch.relu((gradients.sum(dim=(2, 3), keepdim=True) * activations).sum(dim=1))
        """,
        "gradients times activations, without averaging": """
            return torch.relu((gradients * activations).sum(dim=1))
        """,
        "absolute value instead of ReLU": """
            return (gradients.mean(dim=(2, 3), keepdim=True) * activations).sum(dim=1).abs()
        """,
        "averages the weighted maps over the channels": """
            return torch.relu((gradients.mean(dim=(2, 3), keepdim=True) * activations).mean(dim=1))
        """,
        "ReLU on the gradients": """
            return torch.relu((torch.relu(gradients).mean(dim=(2, 3), keepdim=True) * activations).sum(dim=1))
        """,
        "changes the activations in place": """
            activations.mul_(gradients.mean(dim=(2, 3), keepdim=True))
            return torch.relu(activations.sum(dim=1))
        """,
    },
    "grad_cam_with_hooks": {
        "never removes the hook": """
            kept = {}
            layer.register_forward_hook(lambda module, inputs, output: kept.update(activations=output))
            scores = model(images)
            score = scores.gather(1, labels.view(-1, 1)).sum()
            gradients, = torch.autograd.grad(score, kept["activations"])
            return grad_cam(kept["activations"].detach(), gradients)
        """,
        "removes the hook only when the forward pass succeeds": """
            kept = {}
            handle = layer.register_forward_hook(lambda module, inputs, output: kept.update(activations=output))
            scores = model(images)
            handle.remove()
            score = scores.gather(1, labels.view(-1, 1)).sum()
            gradients, = torch.autograd.grad(score, kept["activations"])
            return grad_cam(kept["activations"].detach(), gradients)
        """,
        "clears every forward hook of the layer, the model's own too": """
            kept = {}
            layer.register_forward_hook(lambda module, inputs, output: kept.update(activations=output))
            try:
                scores = model(images)
            finally:
                for module in model.modules():
                    module._forward_hooks.clear()
            score = scores.gather(1, labels.view(-1, 1)).sum()
            gradients, = torch.autograd.grad(score, kept["activations"])
            return grad_cam(kept["activations"].detach(), gradients)
        """,
        "softmax probabilities instead of class scores": """
            kept = {}
            handle = layer.register_forward_hook(lambda module, inputs, output: kept.update(activations=output))
            try:
                probabilities = torch.softmax(model(images), dim=1)
            finally:
                handle.remove()
            score = probabilities.gather(1, labels.view(-1, 1)).sum()
            gradients, = torch.autograd.grad(score, kept["activations"])
            return grad_cam(kept["activations"].detach(), gradients)
        """,
        "log-probabilities instead of class scores": """
            kept = {}
            handle = layer.register_forward_hook(lambda module, inputs, output: kept.update(activations=output))
            try:
                log_p = torch.log_softmax(model(images), dim=1)
            finally:
                handle.remove()
            gradients, = torch.autograd.grad(log_p.gather(1, labels.view(-1, 1)).sum(), kept["activations"])
            return grad_cam(kept["activations"].detach(), gradients)
        """,
        "backpropagates the sum of all class scores": """
            kept = {}
            handle = layer.register_forward_hook(lambda module, inputs, output: kept.update(activations=output))
            try:
                scores = model(images)
            finally:
                handle.remove()
            gradients, = torch.autograd.grad(scores.sum(), kept["activations"])
            return grad_cam(kept["activations"].detach(), gradients)
        """,
        "the predicted class instead of `labels`": """
            kept = {}
            handle = layer.register_forward_hook(lambda module, inputs, output: kept.update(activations=output))
            try:
                scores = model(images)
            finally:
                handle.remove()
            score = scores.gather(1, scores.argmax(dim=1, keepdim=True)).sum()
            gradients, = torch.autograd.grad(score, kept["activations"])
            return grad_cam(kept["activations"].detach(), gradients)
        """,
        "hooks the last module of the model instead of `layer`": """
            kept = {}
            target = [m for m in model.modules() if isinstance(m, torch.nn.ReLU)][-1]
            handle = target.register_forward_hook(lambda module, inputs, output: kept.update(activations=output))
            try:
                scores = model(images)
            finally:
                handle.remove()
            score = scores.gather(1, labels.view(-1, 1)).sum()
            gradients, = torch.autograd.grad(score, kept["activations"])
            return grad_cam(kept["activations"].detach(), gradients)
        """,
        "keeps the layer's input instead of its output": """
            kept = {}
            handle = layer.register_forward_hook(lambda module, inputs, output: kept.update(activations=inputs[0]))
            try:
                scores = model(images)
            finally:
                handle.remove()
            score = scores.gather(1, labels.view(-1, 1)).sum()
            gradients, = torch.autograd.grad(score, kept["activations"])
            return grad_cam(kept["activations"].detach(), gradients)
        """,
        "returns maps that still carry gradient history": """
            kept = {}
            handle = layer.register_forward_hook(lambda module, inputs, output: kept.update(activations=output))
            try:
                scores = model(images)
            finally:
                handle.remove()
            score = scores.gather(1, labels.view(-1, 1)).sum()
            gradients, = torch.autograd.grad(score, kept["activations"], retain_graph=True)
            return torch.relu((gradients.mean(dim=(2, 3), keepdim=True) * kept["activations"]).sum(dim=1))
        """,
        "switches the model to training mode": """
            kept = {}
            model.train()
            handle = layer.register_forward_hook(lambda module, inputs, output: kept.update(activations=output))
            try:
                scores = model(images)
            finally:
                handle.remove()
            score = scores.gather(1, labels.view(-1, 1)).sum()
            gradients, = torch.autograd.grad(score, kept["activations"])
            return grad_cam(kept["activations"].detach(), gradients)
        """,
    },
}
