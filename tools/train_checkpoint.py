"""Train the course's pretrained checkpoint: course_utils/checkpoints/course_resnet.{pt,json,md}.

The network is :class:`course_utils.pretrained.CourseResNet` (0.3 M parameters), trained from a
seed on generated data only, so that the course works without a network (chapters 09-12 use it
when torchvision's ImageNet weights are not available). Usage::

    python -m tools.train_checkpoint              # the shipped checkpoint (~15 min, 2-core CPU)
    python -m tools.train_checkpoint --fast       # a short run into a temporary folder (~1 min)
    python -m tools.train_checkpoint --out DIR    # write somewhere else (default: the package)

Recipe (each option below can be changed on the command line; the card records what was used):

- data: :func:`course_utils.pretrained.checkpoint_data`: the twelve classes
  ``CHECKPOINT_CLASSES`` (the four ``HELD_OUT_SHAPES`` are left out), 64 x 64, colour or gray,
  textured backgrounds, noise and blur. Fresh images every epoch
  (``checkpoint_data(300, seed=1000 + epoch)``: 3600 per epoch), so the network never sees an
  image twice; validation on the fixed ``checkpoint_data(100, seed=0)`` (1200 images).
- optimisation: SGD with Nesterov momentum 0.9, weight decay 5e-4 (not on biases and batch-norm
  parameters), batch 64, a one-cycle learning-rate schedule peaking at 0.1, cross-entropy with
  label smoothing 0.05, ``torch.manual_seed(seed)`` for the weights and the batch order.
- storage: the state dict in float16 (half the size; the accuracy in the card is measured after
  the round trip to float16 and back, i.e. for the weights exactly as shipped).

Reproducibility: same seed, same torch version and same CPU give the same weights; other
versions or hardware give a network of about the same accuracy (a test runs ``--fast`` and
checks a stated fraction of the shipped accuracy).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import platform
import sys
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from course_utils.models import count_parameters
from course_utils.pretrained import (
    CHECKPOINT_CLASSES,
    CHECKPOINT_INPUT_SIZE,
    HELD_OUT_SHAPES,
    IMAGENET_MEAN,
    IMAGENET_STD,
    CourseResNet,
    checkpoint_data,
)

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "course_utils" / "checkpoints"
NAME = "course_resnet"
VAL_SEED = 0
TRAIN_SEED_BASE = 1000


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fast", action="store_true",
                        help="short run (3 epochs of 150 images per class, 40 per class for "
                             "validation) into a temporary folder unless --out is given")
    parser.add_argument("--epochs", type=int, default=None, help="default 10 (fast: 3)")
    parser.add_argument("--train-per-class", type=int, default=None,
                        help="fresh training images per class and epoch (default 300; fast: 150)")
    parser.add_argument("--val-per-class", type=int, default=None,
                        help="validation images per class (default 100; fast: 40)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=0.1, help="peak learning rate (default 0.1)")
    parser.add_argument("--weight-decay", type=float, default=5e-4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default 2)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"output folder (default {PACKAGE_DIR}; fast: a temporary folder)")
    args = parser.parse_args(argv)
    fast_defaults = {"epochs": 3, "train_per_class": 150, "val_per_class": 40}
    full_defaults = {"epochs": 10, "train_per_class": 300, "val_per_class": 100}
    for key, value in (fast_defaults if args.fast else full_defaults).items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    return args


def normalize(images: torch.Tensor) -> torch.Tensor:
    """[0, 1] RGB -> ImageNet-normalized, as Backbone.normalize does."""
    mean = torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)
    std = torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return (images - mean) / std


@torch.no_grad()
def accuracy(model: torch.nn.Module, data, batch_size: int = 256) -> tuple[float, list[float]]:
    """Overall and per-class accuracy of ``model`` (eval mode) on ``data``."""
    model.eval()
    images, labels = data.tensors
    predictions = torch.cat([model(normalize(images[i:i + batch_size])).argmax(1)
                             for i in range(0, len(labels), batch_size)])
    correct = (predictions == labels).float()
    per_class = [correct[labels == k].mean().item() for k in range(data.num_classes)]
    return correct.mean().item(), per_class


def train(args: argparse.Namespace) -> dict:
    """Train, save the checkpoint and its card into ``args.out``; return the card."""
    if args.out is None:  # the package's folder, or a temporary one for a fast run
        args.out = Path(tempfile.mkdtemp(prefix="course_ckpt_")) if args.fast else PACKAGE_DIR
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    start = time.time()
    model = CourseResNet(len(CHECKPOINT_CLASSES), seed=args.seed)
    val = checkpoint_data(args.val_per_class, seed=VAL_SEED)

    # weight decay on the weights of convolutions and fc only, not on biases or batch norm
    decay = [p for name, p in model.named_parameters() if p.ndim > 1]
    no_decay = [p for name, p in model.named_parameters() if p.ndim <= 1]
    optimizer = torch.optim.SGD([{"params": decay, "weight_decay": args.weight_decay},
                                 {"params": no_decay, "weight_decay": 0.0}],
                                lr=args.lr, momentum=0.9, nesterov=True)
    steps_per_epoch = args.train_per_class * len(CHECKPOINT_CLASSES) // args.batch_size
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, epochs=args.epochs, steps_per_epoch=steps_per_epoch)
    order = torch.Generator().manual_seed(args.seed)

    log = []
    for epoch in range(args.epochs):
        train_data = checkpoint_data(args.train_per_class, seed=TRAIN_SEED_BASE + epoch)
        images, labels = train_data.tensors
        permutation = torch.randperm(len(labels), generator=order)
        model.train()
        total, seen = 0.0, 0
        for step in range(steps_per_epoch):  # drop the last incomplete batch
            batch = permutation[step * args.batch_size:(step + 1) * args.batch_size]
            x, y = normalize(images[batch]), labels[batch]
            loss = F.cross_entropy(model(x), y, label_smoothing=0.05)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            schedule.step()
            total, seen = total + loss.item() * len(y), seen + len(y)
        val_accuracy, _ = accuracy(model, val)
        log.append({"epoch": epoch + 1, "train_loss": round(total / seen, 4),
                    "val_accuracy": round(val_accuracy, 4),
                    "minutes": round((time.time() - start) / 60, 2)})
        print(f"epoch {epoch + 1}/{args.epochs}: train loss {total / seen:.3f}, "
              f"validation accuracy {val_accuracy:.3f} ({(time.time() - start) / 60:.1f} min)",
              flush=True)
    minutes = (time.time() - start) / 60

    # Save in float16, then measure the accuracy of exactly what was saved.
    model.eval()
    state = {k: v.half() if v.is_floating_point() else v for k, v in model.state_dict().items()}
    args.out.mkdir(parents=True, exist_ok=True)
    weights_path = args.out / f"{NAME}.pt"
    torch.save(state, weights_path)
    shipped = CourseResNet(len(CHECKPOINT_CLASSES))
    shipped.load_state_dict({k: v.float() if v.is_floating_point() else v
                             for k, v in torch.load(weights_path, weights_only=True).items()})
    val_accuracy, per_class = accuracy(shipped, val)

    command = " ".join(["python -m tools.train_checkpoint", *recorded_options(args)])
    card = {
        "name": "course-resnet",
        "file": weights_path.name,
        "sha256": hashlib.sha256(weights_path.read_bytes()).hexdigest(),
        "size_bytes": weights_path.stat().st_size,
        "architecture": "course_utils.pretrained.CourseResNet(num_classes=12, "
                        "widths=(16, 32, 64, 128))",
        "parameters": count_parameters(shipped),
        "storage": "float16 state dict (cast back to float32 when loaded)",
        "classes": list(CHECKPOINT_CLASSES),
        "held_out_classes": list(HELD_OUT_SHAPES),
        "input_size": CHECKPOINT_INPUT_SIZE,
        "mean": list(IMAGENET_MEAN),
        "std": list(IMAGENET_STD),
        "validation": {
            "accuracy": round(val_accuracy, 4),
            "data": f"course_utils.pretrained.checkpoint_data({args.val_per_class}, "
                    f"seed={VAL_SEED})",
            "images": len(val),
            "per_class_accuracy": {c: round(a, 4) for c, a in zip(CHECKPOINT_CLASSES, per_class)},
        },
        "training": {
            "command": command,
            "fast": args.fast,
            "seed": args.seed,
            "data": f"course_utils.pretrained.checkpoint_data({args.train_per_class}, "
                    f"seed={TRAIN_SEED_BASE} + epoch): fresh images every epoch",
            "images_per_epoch": args.train_per_class * len(CHECKPOINT_CLASSES),
            "epochs": args.epochs,
            "batch_size": args.batch_size,
            "optimizer": f"SGD(lr={args.lr}, momentum=0.9, nesterov=True, "
                         f"weight_decay={args.weight_decay} on conv/fc weights only)",
            "schedule": f"OneCycleLR(max_lr={args.lr}), stepped every batch",
            "loss": "cross_entropy(label_smoothing=0.05)",
            "threads": args.threads,
            "minutes": round(minutes, 1),
            "log": log,
        },
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
    }
    (args.out / f"{NAME}.json").write_text(json.dumps(card, indent=2) + "\n")
    (args.out / f"{NAME}.md").write_text(markdown_card(card))
    print(f"saved {weights_path} ({card['size_bytes'] / 1e6:.2f} MB, {card['parameters']:,} "
          f"parameters): validation accuracy {val_accuracy:.3f} on {len(val)} images, "
          f"{minutes:.1f} min")
    return card


def recorded_options(args: argparse.Namespace) -> list[str]:
    """The options that change the result (not --out or --threads), as a command line."""
    defaults = parse_args(["--fast"] if args.fast else [])
    options = ["--fast"] if args.fast else []
    for key in ("epochs", "train_per_class", "val_per_class", "batch_size", "lr",
                "weight_decay", "seed"):
        if getattr(args, key) != getattr(defaults, key):
            options.append(f"--{key.replace('_', '-')} {getattr(args, key)}")
    return options


def markdown_card(card: dict) -> str:
    """The human-readable card written next to the JSON one."""
    val, training = card["validation"], card["training"]
    per_class = " | ".join(f"{c} {a:.0%}" for c, a in val["per_class_accuracy"].items())
    epochs = "\n".join(f"| {e['epoch']} | {e['train_loss']:.3f} | {e['val_accuracy']:.1%} | "
                       f"{e['minutes']:.1f} |" for e in training["log"])
    return f"""# Checkpoint card: {card['name']}

*Generated by `tools/train_checkpoint.py`; do not edit by hand (retrain instead).*

| | |
|---|---|
| file | `{card['file']}` ({card['size_bytes'] / 1e6:.2f} MB, {card['storage']}) |
| SHA-256 | `{card['sha256']}` |
| architecture | `{card['architecture']}`, {card['parameters']:,} parameters |
| input | 3 x {card['input_size']} x {card['input_size']}, [0, 1] RGB normalized with ImageNet mean {tuple(card['mean'])} and std {tuple(card['std'])} |
| classes ({len(card['classes'])}) | {', '.join(card['classes'])} |
| held out (never seen) | {', '.join(card['held_out_classes'])} |
| validation accuracy | **{val['accuracy']:.1%}** on {val['images']} images of `{val['data']}` |
| training command | `{training['command']}` |
| training data | `{training['data']}`, {training['images_per_epoch']} images per epoch |
| optimisation | {training['epochs']} epochs, batch {training['batch_size']}, {training['optimizer']}, {training['schedule']}, {training['loss']}, seed {training['seed']} |
| training time | {training['minutes']} min on {training['threads']} CPU threads |
| torch | {card['torch']} (Python {card['python']}, {card['machine']}) |

Per-class validation accuracy: {per_class}

| epoch | training loss | validation accuracy | minutes |
|---|---|---|---|
{epochs}

Intended use: a pretrained backbone for the course's chapters 09-12 when torchvision's ImageNet
weights cannot be downloaded. It has seen only generated shapes: its features are general for
edges, corners and blobs, not for natural images.
"""


def main(argv: list[str] | None = None) -> int:
    train(parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
