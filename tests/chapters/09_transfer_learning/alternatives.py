"""Correct answers to chapter 09's exercises written unlike the reference."""

ALTERNATIVES = {
    "cnn_codes": {
        "truncating the model by hand (no hook)": """
x = images.repeat(1, 3 // images.shape[1], 1, 1)
x = (x - torch.tensor(mean).view(1, -1, 1, 1)) / torch.tensor(std).view(1, -1, 1, 1)
was = model.training
model.eval()
with torch.no_grad():
    for name, child in model.named_children():
        if name == "fc":
            x = torch.flatten(x, 1)
        x = child(x)
        if name == layer:
            break
model.train(was)
return x.mean(dim=(-2, -1)) if x.ndim == 4 else x.reshape(len(x), -1)
""",
        "a hook with a context manager and a dict": """
import contextlib
gray = images.shape[1] == 1
x = torch.cat([images] * 3, dim=1) if gray else images
mean_t = torch.tensor([float(v) for v in mean]).reshape(1, 3, 1, 1)
std_t = torch.tensor([float(v) for v in std]).reshape(1, 3, 1, 1)
box = {}

def grab(module, inputs, output):
    box["out"] = output

handle = dict(model.named_modules())[layer].register_forward_hook(grab)
with contextlib.ExitStack() as stack:
    stack.callback(handle.remove)
    model.eval()
    with torch.inference_mode():
        model(x.sub(mean_t).div(std_t))
out = box["out"].clone()
return F.adaptive_avg_pool2d(out, 1).flatten(1) if out.dim() == 4 else out.reshape(out.shape[0], -1)
""",
    },
    "replace_head": {
        "setattr with the weight's shape": (
            "setattr(model, 'fc', nn.Linear(model.fc.weight.shape[1], num_classes, bias=True))\n"
            "return model"),
        "a fresh layer built first": (
            "features = model.fc.in_features\nnew = nn.Linear(features, num_classes)\n"
            "new.requires_grad_(True)\nmodel.fc = new\nreturn model"),
    },
    "freeze_all_but_head": {
        "freeze everything, then unfreeze the head": """
model.requires_grad_(False)
head_module = model.get_submodule(head)
head_module.requires_grad_(True)
inside = {id(m) for m in head_module.modules()}
for m in model.modules():
    if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)) and id(m) not in inside:
        m.train(False)
return sorted([n for n, p in model.named_parameters() if p.requires_grad])
""",
        "by top-level children": """
trainable = []
for child_name, child in model.named_children():
    keep = child_name == head
    for n, p in child.named_parameters():
        p.requires_grad = keep
        if keep:
            trainable.append(f"{child_name}.{n}")
    if not keep:
        for m in child.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                m.eval()
for n, p in model.named_parameters(recurse=False):
    p.requires_grad = False
return sorted(trainable)
""",
    },
    "parameter_groups": {
        "by identity of the head's parameters": """
head_ids = {id(p) for p in model.get_submodule(head).parameters()}
trainable = [p for p in model.parameters() if p.requires_grad]
return [dict(params=[p for p in trainable if id(p) not in head_ids], lr=backbone_lr, weight_decay=weight_decay),
        dict(params=[p for p in trainable if id(p) in head_ids], lr=head_lr, weight_decay=weight_decay)]
""",
        "filter, then split by name": """
named = [(n, p) for n, p in model.named_parameters() if p.requires_grad]
is_head = lambda n: n.split(".")[0] == head
groups = []
for lr, want in ((backbone_lr, False), (head_lr, True)):
    groups.append({"params": [p for n, p in named if is_head(n) == want], "lr": lr,
                   "weight_decay": weight_decay})
return groups
""",
    },
    "linear_probe_accuracy": {
        "scikit-learn's logistic regression": """
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
scaler = StandardScaler().fit(train_codes.numpy())
clf = LogisticRegression(max_iter=1000).fit(scaler.transform(train_codes.numpy()), train_labels.numpy())
return float(clf.score(scaler.transform(test_codes.numpy()), test_labels.numpy()))
""",
        "a linear SVM from scikit-learn": """
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC
clf = make_pipeline(StandardScaler(), LinearSVC(C=0.1, max_iter=5000))
clf.fit(train_codes.numpy(), train_labels.numpy())
return float((clf.predict(test_codes.numpy()) == test_labels.numpy()).mean())
""",
    },
}
