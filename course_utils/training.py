"""One readable training loop: :func:`fit`, :func:`evaluate` and the :class:`History` they record.

Introduced in chapter 01 and used in every later chapter. :func:`fit` is meant to be read in
class: its inner loop is the four steps of gradient descent (forward, loss, backward, step), and
everything else (moving data, recording metrics, the progress bar, early stopping, schedules)
sits around that loop or in the small helpers below it.

GPU-aware without ceremony: tensor data sets that fit on the device are copied there once and
sliced with a fresh random permutation each epoch; other data sets go through a ``DataLoader``
with pinned memory and ``non_blocking`` copies. Losses and scores stay on the device during an
epoch and are read back once per epoch, so the loop never waits for the GPU after a batch.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import numbers
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor, nn
from torch.optim.lr_scheduler import LRScheduler, ReduceLROnPlateau
from torch.utils.data import DataLoader, TensorDataset, default_collate
from tqdm.auto import tqdm

from .device import pick_device, static_mode
from . import validation as valid

__all__ = ["History", "fit", "evaluate"]


@dataclass
class History:
    """What happened during :func:`fit`, one entry per epoch (chapter 01).

    A list stays empty when its quantity was not measured: validation needs ``val_data``,
    accuracy needs class-index targets, training metrics need ``metrics=True``. Epochs are
    counted from 1, as in the progress bar and the plot.
    """

    # mean loss per training sample, measured during the epoch
    train_loss: list[float] = field(default_factory=list)
    # fraction in [0, 1] of the training samples classified correctly, during the epoch
    train_acc: list[float] = field(default_factory=list)
    # mean loss per validation sample, after the epoch
    val_loss: list[float] = field(default_factory=list)
    # fraction in [0, 1] of the validation samples classified correctly, after the epoch
    val_acc: list[float] = field(default_factory=list)
    # learning rate used during the epoch (of the optimizer's first parameter group)
    lr: list[float] = field(default_factory=list)
    # True when early stopping ended training before `epochs`
    stopped_early: bool = False

    def __len__(self) -> int:
        """The number of epochs trained."""
        return len(self.lr)

    @property
    def best_epoch(self) -> int | None:
        """The epoch (from 1) of the lowest validation loss, else training loss; None if neither."""
        losses = self.val_loss or self.train_loss
        finite = [(loss, i) for i, loss in enumerate(losses) if math.isfinite(loss)]
        return min(finite)[1] + 1 if finite else None

    def __repr__(self) -> str:
        parts = [f"{len(self)} epoch{'' if len(self) == 1 else 's'}"]
        best = self.best_epoch
        if best is not None:
            split = "val" if self.val_loss else "train"
            text = f"best {split} loss {getattr(self, f'{split}_loss')[best - 1]:.3g}"
            accuracies = getattr(self, f"{split}_acc")
            if accuracies:
                text += f" (acc {100 * accuracies[best - 1]:.1f} %)"
            parts.append(f"{text} at epoch {best}")
        if self.stopped_early:
            parts.append("stopped early")
        return f"History({', '.join(parts)})"

    def plot(self, ax=None):
        """Draw the loss and accuracy curves; see :func:`course_utils.plots.plot_history`.

        Args:
            ax: a pair of matplotlib Axes (loss, accuracy) to draw into; None (default) makes a
                new figure.

        Returns:
            The matplotlib Figure.
        """
        from .plots import plot_history

        return plot_history(self, axes=ax)

    def as_dict(self) -> dict:
        """The lists and flags as plain Python values (for JSON), plus ``best_epoch``."""
        return {**asdict(self), "best_epoch": self.best_epoch}


def fit(
    model: nn.Module,
    train_data,
    val_data=None,
    *,
    epochs: int = 10,
    loss_fn: Callable[[Tensor, Tensor], Tensor] = F.cross_entropy,
    optimizer: torch.optim.Optimizer | None = None,
    lr: float = 0.1,
    batch_size: int = 64,
    scheduler=None,
    early_stopping: int | None = None,
    device: str | torch.device | None = None,
    amp: bool = False,
    progress: bool | None = None,
    seed: int = 0,
    metrics: bool = True,
) -> History:
    """Train ``model`` by minibatch gradient descent and return its :class:`History` (chapter 01).

    Args:
        model: the network; it is moved to ``device`` and left in the train/eval mode it had.
        train_data: a tuple ``(X, y)`` of tensors (or arrays), a ``TensorDataset``, an object
            with a ``.tensors`` pair (the course's ``ImageData``), or any map-style ``Dataset``
            of ``(input, target)`` pairs. A last batch of a single sample is skipped (batch norm
            cannot train on one sample); the shuffle makes it a different sample each epoch.
        val_data: the same kinds, evaluated after every epoch; None (default) skips validation.
        epochs: number of passes over ``train_data`` (default 10).
        loss_fn: ``loss_fn(output, target)`` returning the mean loss of a batch as a 0-d tensor
            (default ``F.cross_entropy``: scores (N, C) and class indices (N,) of dtype int64).
        optimizer: default None builds ``torch.optim.SGD(model.parameters(), lr=lr)``.
        lr: learning rate of that default optimizer (default 0.1); unused with ``optimizer``.
        batch_size: samples per training batch (default 64); validation uses twice as many.
        scheduler: None (default), a scheduler already built on ``optimizer``, or a function
            ``optimizer -> scheduler`` such as ``lambda opt: StepLR(opt, step_size=5)``. Stepped
            once per epoch; ``ReduceLROnPlateau`` watches the validation loss (the training
            loss without ``val_data``). Chapter 03.
        early_stopping: None (default) or k: stop when the validation loss has not improved
            for k epochs; the model then gets back the weights of its best epoch. Chapter 06.
        device: where to train; default None takes :func:`~course_utils.device.pick_device`.
        amp: automatic mixed precision, on CUDA only (elsewhere it does nothing): bfloat16 on
            GPUs that support it (compute capability 8.0 and newer), otherwise float16 with a
            GradScaler that keeps small gradients from underflowing. Default False.
        progress: a progress bar over epochs; default None shows it unless ``COURSE_STATIC``.
        seed: seeds the shuffling and, during fit only, torch's CPU and CUDA generators (for
            dropout); the global random state is restored afterwards. Default 0.
        metrics: record training loss and accuracy (default True; False saves a little time).

    Returns:
        A :class:`History` with one entry per epoch trained.
    """
    _check_fit_arguments(model, loss_fn=loss_fn, optimizer=optimizer, epochs=epochs, lr=lr,
                         batch_size=batch_size, early_stopping=early_stopping, val_data=val_data,
                         amp=amp, progress=progress, seed=seed, metrics=metrics)
    device = pick_device(device)
    model.to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr) if optimizer is None else optimizer
    scheduler = _build_scheduler(scheduler, optimizer, watched=val_data is not None or metrics)
    shuffler = torch.Generator().manual_seed(seed)  # draws each epoch's order of the samples
    train = _Batches(train_data, "train_data", device, batch_size, shuffler)
    val = None if val_data is None else _Batches(val_data, "val_data", device, 2 * batch_size)
    classify = _check_batch(model, loss_fn, train)  # a mismatch fails here, naming the shapes
    autocast, scaler = _mixed_precision(device, amp)
    stopper = None if early_stopping is None else _EarlyStopping(early_stopping)
    history, was_training = History(), model.training

    with _seeded(seed, device), _progress_bar(epochs, progress) as bar:
        for epoch in bar:
            model.train()  # training behaviour: dropout on, batch norm on batch statistics
            history.lr.append(float(optimizer.param_groups[0]["lr"]))
            tally = _Tally(classify, enabled=metrics)
            for x, y in train:  # x: (B, ...) inputs, y: (B,) targets, already on `device`
                optimizer.zero_grad(set_to_none=True)  # forget the last batch's gradients
                with autocast:
                    output = model(x)  # forward: (B, num_classes) class scores
                    loss = loss_fn(output, y)  # loss: mean over the batch, a 0-d tensor
                scaler.scale(loss).backward()  # backward: d loss / d w into every w.grad
                scaler.step(optimizer)  # step: update every w; SGD: w <- w - lr * w.grad
                scaler.update()  # (the scaler does nothing unless amp runs in float16)
                tally.add(loss, output, y)  # keep loss and scores on the device: no waiting
            val_tally = None if val is None else _evaluate(model, val, loss_fn, classify, autocast)
            _record(history, tally, val_tally)  # the one synchronisation of the epoch
            bar.set_postfix_str(_summary(history))
            if scheduler is not None:
                _step_scheduler(scheduler, history)  # one scheduler step per epoch
            if stopper is not None and stopper.should_stop(history.val_loss[-1], model):
                history.stopped_early = epoch < epochs - 1
                break

    if stopper is not None:
        stopper.restore(model)  # early stopping: back to the weights of the best epoch
    model.train(was_training)
    return history


def evaluate(
    model: nn.Module,
    data,
    *,
    loss_fn: Callable[[Tensor, Tensor], Tensor] = F.cross_entropy,
    batch_size: int = 512,
    device: str | torch.device | None = None,
) -> dict[str, float]:
    """Mean loss (and accuracy) of ``model`` on ``data``, without gradients (chapter 01).

    The model is evaluated in eval mode and then put back in the mode it had.

    Args:
        model: the network.
        data: the same kinds as ``train_data`` in :func:`fit`.
        loss_fn: as in :func:`fit` (default ``F.cross_entropy``).
        batch_size: samples per batch (default 512).
        device: default None evaluates where the model's parameters are; a device moves it.

    Returns:
        ``{"loss": mean loss per sample, "accuracy": fraction correct in [0, 1]}``; "accuracy"
        only when the targets are class indices (integer dtype) and the output is (N, C).
    """
    _check_model(model)
    valid.positive_int("batch_size", batch_size)
    device = _model_device(model) if device is None else pick_device(device)
    model.to(device)
    batches = _Batches(data, "data", device, batch_size)
    classify = _check_batch(model, loss_fn, batches)
    return _to_floats(_evaluate(model, batches, loss_fn, classify).tensors())


# -------------------------------------------------------------------------------------------------
# Helpers of fit and evaluate. Nothing below is needed to follow the training loop.


class _Batches:
    """Minibatches ``(x, y)`` of a data set, delivered on ``device``.

    Tensors that fit on the device (always on the CPU; under 25 % of the free memory on CUDA)
    are copied there once and indexed with a permutation drawn from ``shuffler`` every pass.
    Other data go through a DataLoader; both paths visit the samples in the same order for the
    same seed. Without a ``shuffler`` the order is fixed and every sample is used (evaluation).
    """

    def __init__(self, data, name: str, device: torch.device, batch_size: int,
                 shuffler: torch.Generator | None = None):
        self.name, self.device, self.batch_size, self.shuffler = name, device, batch_size, shuffler
        pair = _as_tensor_pair(data, name)
        self.x = self.y = self.loader = None
        if pair is not None and _fits_on(device, pair):
            self.x, self.y = (t.to(device, non_blocking=True) for t in pair)
            self.dataset, self.size = None, len(self.x)
        else:
            self.dataset = TensorDataset(*pair) if pair is not None else data
            self.size = len(self.dataset)
        if self.size == 0:
            raise ValueError(f"{name} is empty: it has no samples to train or evaluate on")
        # When training, skip a last batch of a single sample: batch norm cannot train on one.
        lone_sample = shuffler is not None and self.size > 1 and self.size % batch_size == 1
        self.stop = self.size - 1 if lone_sample else self.size
        if self.dataset is not None:
            sampler = None if shuffler is None else _Shuffle(self.size, shuffler)
            self.loader = DataLoader(self.dataset, batch_size, sampler=sampler,
                                     drop_last=lone_sample, pin_memory=device.type == "cuda")

    def __iter__(self):
        size, step = self.size, self.batch_size
        if self.loader is not None:
            for x, y in self.loader:
                yield x.to(self.device, non_blocking=True), y.to(self.device, non_blocking=True)
        elif self.shuffler is None:
            for start in range(0, size, step):
                yield self.x[start:start + step], self.y[start:start + step]
        else:
            order = torch.randperm(size, generator=self.shuffler).to(self.device, non_blocking=True)
            for start in range(0, self.stop, step):
                index = order[start:start + step]
                yield self.x[index], self.y[index]

    def first(self, k: int) -> tuple[Tensor, Tensor]:
        """The first ``k`` samples as one batch on the device, for :func:`_check_batch`."""
        if self.x is not None:
            return self.x[:k], self.y[:k]
        items = [self.dataset[i] for i in range(min(k, self.size))]
        try:
            x, y = default_collate(items)
        except (TypeError, ValueError, RuntimeError) as err:
            raise TypeError(f"{self.name} must hold (input, target) pairs of tensors; item 0 is "
                            f"{type(items[0]).__name__} {_describe(items[0])}") from err
        return x.to(self.device), y.to(self.device)


class _Shuffle:
    """DataLoader sampler: a new permutation each pass, drawn as on the tensor path."""

    def __init__(self, size: int, generator: torch.Generator):
        self.size, self.generator = size, generator

    def __len__(self) -> int:
        return self.size

    def __iter__(self):
        return iter(torch.randperm(self.size, generator=self.generator).tolist())


def _as_tensor_pair(data, name: str) -> tuple[Tensor, Tensor] | None:
    """``(X, y)`` when ``data`` is or has such a pair of tensors; None for other data sets."""
    if data is None:
        raise TypeError(f"{name} is None; pass a tuple (X, y) of tensors or a Dataset")
    pair = tuple(data.tensors) if hasattr(data, "tensors") else data
    if not (isinstance(pair, tuple) and all(hasattr(t, "shape") for t in pair)):
        if not (hasattr(data, "__len__") and hasattr(data, "__getitem__")):
            raise TypeError(f"{name} must be a tuple (X, y) of tensors, a TensorDataset or a "
                            f"map-style Dataset with __len__ and __getitem__; "
                            f"got {type(data).__name__}")
        return None
    if len(pair) != 2:
        raise ValueError(f"{name} must hold exactly two tensors (inputs, targets); got {len(pair)}")
    x, y = (torch.as_tensor(t) for t in pair)
    if x.ndim == 0 or y.ndim == 0 or len(x) != len(y):
        raise ValueError(f"{name}: inputs {tuple(x.shape)} and targets {tuple(y.shape)} must "
                         f"have the same number of samples along their first dimension")
    return x, y


def _fits_on(device: torch.device, tensors: tuple[Tensor, ...]) -> bool:
    """Whether the tensors can live on ``device`` for the whole of training."""
    if device.type == "cpu" or all(t.device == device for t in tensors):
        return True
    size = sum(t.numel() * t.element_size() for t in tensors)
    if device.type == "cuda":
        free, _total = torch.cuda.mem_get_info(device)
        return size < 0.25 * free
    return size < 2**30  # mps and others report no free memory; 1 GiB is safe on an 8 GB laptop


class _Tally:
    """Per-batch losses and scores, kept on the device until the epoch ends.

    Adding a batch launches no computation: the accuracy is worked out once per epoch from all
    the scores, which costs an (N, C) copy of them (2.4 MB for MNIST's 60 000 images).
    """

    def __init__(self, classify: bool, enabled: bool = True):
        self.classify, self.enabled = classify, enabled
        self.losses, self.counts, self.scores, self.targets = [], [], [], []

    def add(self, loss: Tensor, output: Tensor, y: Tensor) -> None:
        if self.enabled:
            self.losses.append(loss.detach())
            self.counts.append(len(y))
            if self.classify:
                self.scores.append(output.detach())
                self.targets.append(y)

    def tensors(self) -> dict[str, Tensor]:
        """``{"loss": ..., "accuracy": ...}`` as 0-d float32 tensors, still on the device."""
        if not self.losses:
            return {}
        counts = torch.tensor(self.counts, dtype=torch.float32, device=self.losses[0].device)
        result = {"loss": (torch.stack(self.losses).float() * counts).sum() / counts.sum()}
        if self.classify:
            predictions = torch.cat(self.scores).argmax(1)
            result["accuracy"] = (predictions == torch.cat(self.targets)).float().mean()
        return result


def _evaluate(model: nn.Module, batches: _Batches, loss_fn, classify: bool,
              autocast=contextlib.nullcontext()) -> _Tally:
    """Run ``model`` over ``batches`` in eval mode without gradients; restore its mode after."""
    was_training = model.training
    model.eval()
    tally = _Tally(classify)
    try:
        with torch.no_grad(), autocast:
            for x, y in batches:
                output = model(x)
                tally.add(loss_fn(output, y), output, y)
    finally:
        model.train(was_training)
    return tally


def _to_floats(tensors: dict[str, Tensor]) -> dict[str, float]:
    """Copy 0-d device tensors to Python floats with a single synchronisation."""
    if not tensors:
        return {}
    return dict(zip(tensors, torch.stack([t.float() for t in tensors.values()]).tolist()))


def _record(history: History, train: _Tally, val: _Tally | None) -> None:
    """Append one epoch's metrics to ``history``."""
    values = {f"train_{key}": value for key, value in train.tensors().items()}
    if val is not None:
        values.update({f"val_{key}": value for key, value in val.tensors().items()})
    for key, value in _to_floats(values).items():
        getattr(history, key.replace("accuracy", "acc")).append(value)


def _summary(history: History) -> str:
    """The last epoch in a few words, for the progress bar."""
    parts = [f"{name} {values[-1]:.3g}" for name, values in
             (("train loss", history.train_loss), ("val loss", history.val_loss)) if values]
    if history.val_acc:
        parts.append(f"val acc {100 * history.val_acc[-1]:.1f} %")
    return ", ".join(parts)


def _progress_bar(epochs: int, progress: bool | None):
    """A tqdm bar over epochs, or a silent stand-in when progress is off."""
    show = not static_mode() if progress is None else progress
    return tqdm(range(epochs), desc="fit", unit="epoch", disable=not show)


@contextlib.contextmanager
def _seeded(seed: int, device: torch.device):
    """Inside the block torch's CPU (and CUDA) generators start from ``seed``; after, as before."""
    cuda = device.type == "cuda"
    with torch.random.fork_rng(devices=range(torch.cuda.device_count()) if cuda else []):
        if cuda:
            torch.manual_seed(seed)
        else:
            torch.default_generator.manual_seed(seed)
        yield


def _mixed_precision(device: torch.device, amp: bool):
    """The autocast context and gradient scaler for ``amp`` (both do nothing off CUDA)."""
    on = amp and device.type == "cuda"
    # bfloat16 has float32's exponent range, so it needs no loss scaling; Ampere (8.0) and newer
    bfloat16 = on and torch.cuda.get_device_capability(device)[0] >= 8
    autocast = contextlib.nullcontext()
    if on:
        autocast = torch.autocast("cuda", dtype=torch.bfloat16 if bfloat16 else torch.float16)
    if hasattr(torch.amp, "GradScaler"):  # torch >= 2.3
        return autocast, torch.amp.GradScaler("cuda", enabled=on and not bfloat16)
    return autocast, torch.cuda.amp.GradScaler(enabled=on and not bfloat16)


class _EarlyStopping:
    """Remembers (on the CPU) the weights with the lowest validation loss so far."""

    def __init__(self, patience: int):
        self.patience, self.best_loss, self.best_state, self.waited = patience, math.inf, None, 0

    def should_stop(self, val_loss: float, model: nn.Module) -> bool:
        if val_loss < self.best_loss:
            self.best_loss, self.waited = val_loss, 0
            state = model.state_dict()
            self.best_state = {k: v.detach().to("cpu", copy=True) for k, v in state.items()}
        else:
            self.waited += 1
        return self.waited >= self.patience

    def restore(self, model: nn.Module) -> None:
        if self.best_state is not None:
            model.load_state_dict(self.best_state)


def _build_scheduler(scheduler, optimizer: torch.optim.Optimizer, watched: bool):
    """Accept None, a scheduler on ``optimizer``, or a function that builds one from it."""
    if scheduler is None:
        return None
    if not isinstance(scheduler, (LRScheduler, ReduceLROnPlateau)):
        if not callable(scheduler):
            raise TypeError(f"scheduler must be None, a learning-rate scheduler or a function "
                            f"optimizer -> scheduler; got {type(scheduler).__name__}")
        scheduler = scheduler(optimizer)
        if not hasattr(scheduler, "step"):
            raise TypeError(f"the scheduler function returned {type(scheduler).__name__}, "
                            f"which has no step()")
    if getattr(scheduler, "optimizer", optimizer) is not optimizer:
        raise ValueError("scheduler was built on a different optimizer than the one fit uses; "
                         "pass that optimizer too (optimizer=...), or pass a function that "
                         "builds the scheduler: lambda opt: StepLR(opt, step_size=5)")
    if isinstance(scheduler, ReduceLROnPlateau) and not watched:
        raise ValueError("ReduceLROnPlateau needs a loss to watch: pass val_data, or metrics=True")
    return scheduler


def _step_scheduler(scheduler, history: History) -> None:
    if isinstance(scheduler, ReduceLROnPlateau):
        scheduler.step((history.val_loss or history.train_loss)[-1])
    else:
        scheduler.step()


def _model_device(model: nn.Module) -> torch.device:
    first = next(itertools.chain(model.parameters(), model.buffers()), None)
    return first.device if first is not None else pick_device()


# -------------------------------------------------------------------------------------------------
# Checks: mistakes surface before training starts, naming the value and the fix.

_LOSS_HINTS = {  # loss function or class name -> what it expects
    ("cross_entropy", "CrossEntropyLoss"):
        "cross_entropy expects scores (N, C) and class indices (N,) of dtype int64 (convert "
        "with y.long()), C being the number of classes",
    ("mse_loss", "MSELoss"):
        "mse_loss expects output and targets of the same shape and a floating dtype",
    ("binary_cross_entropy_with_logits", "BCEWithLogitsLoss"):
        "binary_cross_entropy_with_logits expects logits and float targets in [0, 1] of the "
        "same shape",
}

_MISMATCH_ERRORS = (RuntimeError, ValueError, TypeError, IndexError)  # raised by torch on these


def _describe(value) -> str:
    if isinstance(value, Tensor):
        return f"{tuple(value.shape)} {str(value.dtype).removeprefix('torch.')}"
    return type(value).__name__


def _check_batch(model: nn.Module, loss_fn, batches: _Batches) -> bool:
    """Pass two samples through model and loss, so that a mismatch fails before training with
    the shapes in the message. Returns whether the targets are class indices (for accuracy)."""
    x, y = batches.first(2)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            try:
                output = model(x)
            except _MISMATCH_ERRORS as err:
                if isinstance(err, NotImplementedError):  # an unfinished exercise says so itself
                    raise
                hint = " (convert the inputs with X.float())" if x.dtype == torch.float64 else ""
                raise ValueError(f"the model failed on inputs {_describe(x)} from "
                                 f"{batches.name}{hint}: {err}") from err
            classify = (isinstance(output, Tensor) and output.ndim == 2 and y.ndim == 1
                        and not (y.is_floating_point() or y.is_complex() or y.dtype == torch.bool))
            if classify:  # before the loss: on a GPU, an index out of range breaks the context
                all_y = batches.y if batches.y is not None else y
                _check_class_indices(all_y, output.shape[1], batches.name)
            try:
                loss = loss_fn(output, y)
            except _MISMATCH_ERRORS as err:
                if isinstance(err, NotImplementedError):
                    raise
                name = getattr(loss_fn, "__name__", type(loss_fn).__name__)
                hint = next((hint for names, hint in _LOSS_HINTS.items() if name in names),
                            "check the shapes and dtypes that loss_fn expects")
                raise ValueError(f"loss_fn could not compare the model's output "
                                 f"{_describe(output)} with the targets {_describe(y)} from "
                                 f"{batches.name}; {hint}. ({err})") from err
    finally:
        model.train(was_training)
    if not isinstance(loss, Tensor) or loss.ndim != 0:
        raise ValueError(f"loss_fn must return the mean loss of the batch as a 0-d tensor; "
                         f"got {_describe(loss)}")
    return classify


def _check_class_indices(y: Tensor, n_scores: int, name: str) -> None:
    low, high = torch.stack(torch.aminmax(y)).tolist()
    if low < 0 or high >= n_scores:
        raise ValueError(f"{name} has class indices from {low} to {high}, but the model outputs "
                         f"{n_scores} scores per sample (classes 0 to {n_scores - 1}); give its "
                         f"last layer one output per class")


def _check_model(model) -> None:
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")






def _check_fit_arguments(model, *, loss_fn, optimizer, epochs, lr, batch_size, early_stopping,
                         val_data, amp, progress, seed, metrics) -> None:
    _check_model(model)
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function loss_fn(output, target), "
                        f"got {type(loss_fn).__name__}")
    valid.positive_int("epochs", epochs)
    valid.positive_int("batch_size", batch_size)
    if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not 0 < lr < math.inf:
        raise ValueError(f"lr must be a positive number, got {lr!r}")
    if early_stopping is not None:
        valid.positive_int("early_stopping", early_stopping)
        if val_data is None:
            raise ValueError(f"early_stopping={early_stopping!r} watches the validation loss; "
                             f"pass val_data")
    valid.seed(seed)
    valid.flag("amp", amp)
    valid.flag("progress", progress, allow_none=True)
    valid.flag("metrics", metrics)
    own = {id(p) for p in model.parameters()}
    if optimizer is None and not own:
        raise ValueError(f"model {type(model).__name__} has no parameters to train")
    if optimizer is not None:
        if not isinstance(optimizer, torch.optim.Optimizer):
            raise TypeError(f"optimizer must be a torch.optim.Optimizer or None, "
                            f"got {type(optimizer).__name__}")
        if not any(id(p) in own for group in optimizer.param_groups for p in group["params"]):
            raise ValueError("optimizer does not update any parameter of model; build it from "
                             "this model, e.g. torch.optim.SGD(model.parameters(), lr=0.1)")
