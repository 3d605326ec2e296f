"""Tests of course_utils.training (fit, evaluate, History) and course_utils.plots."""

from __future__ import annotations

import functools
import math

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from torch import nn  # noqa: E402
from torch.optim.lr_scheduler import ReduceLROnPlateau, StepLR  # noqa: E402
from torch.utils.data import Dataset, TensorDataset  # noqa: E402

from course_utils import training  # noqa: E402
from course_utils.models import MLP, LinearClassifier  # noqa: E402
from course_utils.plots import (  # noqa: E402
    format_setting,
    plot_history,
    show_images,
    small_multiples,
)
from course_utils.training import History, evaluate, fit  # noqa: E402

quiet_fit = functools.partial(fit, progress=False)


def blobs(n: int = 400, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Two Gaussian blobs in 2-D centred at (2, 2) and (-2, -2): (n, 2) float32, (n,) int64."""
    generator = torch.Generator().manual_seed(seed)
    y = torch.arange(n) % 2
    x = torch.randn(n, 2, generator=generator) + 2 - 4 * y[:, None].float()
    return x, y


def linear(seed: int = 0) -> LinearClassifier:
    return LinearClassifier(2, 2, seed=seed)


class PairDataset(Dataset):
    """A map-style data set without a .tensors attribute, so that fit takes the DataLoader path."""

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return self.x[i], int(self.y[i])


class ScriptedValLoss:
    """Cross-entropy in training; in evaluation, the loss scripted for the epoch.

    Training batches run with gradients; the epoch is the number of training calls so far, since
    each epoch has exactly one training batch (64 samples, batch size 64).
    """

    def __init__(self, val_losses: list[float]):
        self.val_losses, self.train_calls = val_losses, 0

    def __call__(self, output, target):
        if torch.is_grad_enabled():
            self.train_calls += 1
            return F.cross_entropy(output, target)
        epoch = self.train_calls  # 0 during the check before training
        return torch.tensor(self.val_losses[epoch - 1] if epoch else 1.0)


# --- fit ------------------------------------------------------------------------------------


def test_fit_learns_separable_blobs():
    """Does a linear classifier trained by fit separate two Gaussian blobs (> 95 % on val)?"""
    history = quiet_fit(linear(), blobs(400, seed=0), blobs(200, seed=1), epochs=3)
    assert len(history) == 3
    for values in (history.train_loss, history.train_acc, history.val_loss, history.val_acc):
        assert len(values) == 3
    assert history.val_acc[-1] > 0.95
    assert history.train_loss[-1] < history.train_loss[0]
    assert history.lr == [0.1, 0.1, 0.1]
    assert not history.stopped_early


def test_same_seed_gives_identical_history():
    """Does the same seed give the same History, also with dropout, leaving the global RNG alone?"""

    def run(seed):
        model = MLP(2, [16], 2, dropout=0.5, seed=0)
        return quiet_fit(model, blobs(), blobs(100, seed=1), epochs=2, seed=seed)

    state = torch.get_rng_state()
    first, second, other = run(0), run(0), run(1)
    assert first == second
    assert first.train_loss != other.train_loss
    assert torch.equal(torch.get_rng_state(), state)


def test_dataloader_path_matches_tensor_path():
    """Does a plain Dataset (the DataLoader path) train exactly like the same data as tensors?"""
    x, y = blobs(150)  # 150 = 2 * 64 + 22: a partial last batch
    val = blobs(70, seed=1)
    from_tensors = quiet_fit(linear(), (x, y), val, epochs=3)
    from_dataset = quiet_fit(linear(), PairDataset(x, y), PairDataset(*val), epochs=3)
    from_tensor_dataset = quiet_fit(linear(), TensorDataset(x, y), val, epochs=3)
    for history in (from_dataset, from_tensor_dataset):
        for key in ("train_loss", "train_acc", "val_loss", "val_acc"):
            assert getattr(history, key) == pytest.approx(getattr(from_tensors, key), rel=1e-5)


def test_tensors_too_big_for_the_device_go_through_a_dataloader(monkeypatch):
    """When tensors do not fit on the device, are they streamed by a DataLoader, same result?"""
    data, val = blobs(150), blobs(70, seed=1)
    resident = quiet_fit(linear(), data, val, epochs=2)
    monkeypatch.setattr(training, "_fits_on", lambda device, tensors: False)
    batches = training._Batches(data, "train_data", torch.device("cpu"), 64, torch.Generator())
    assert batches.loader is not None and batches.x is None
    streamed = quiet_fit(linear(), data, val, epochs=2)
    assert streamed.val_loss == pytest.approx(resident.val_loss, rel=1e-5)


def test_amp_is_a_no_op_on_the_cpu():
    """Does amp=True leave training on the CPU exactly as without it (autocast is CUDA only)?"""
    runs = [quiet_fit(linear(), blobs(), epochs=2, amp=amp, device="cpu") for amp in (False, True)]
    assert runs[0] == runs[1]


def test_object_with_tensors_attribute_is_accepted():
    """Does fit accept any object whose .tensors is an (images, labels) pair, like ImageData?"""

    class Holder:
        def __init__(self, x, y):
            self.tensors = (x, y)

    history = quiet_fit(linear(), Holder(*blobs()), Holder(*blobs(50, 1)), epochs=1)
    assert len(history.val_acc) == 1


def test_lone_last_sample_is_skipped_for_batch_norm():
    """Does fit train a batch-norm model when the last batch would hold a single sample?"""
    x, y = blobs(65)
    model = MLP(2, [8], 2, batch_norm=True, seed=0)
    for data in ((x, y), PairDataset(x, y)):
        assert len(quiet_fit(model, data, epochs=2, batch_size=64)) == 2


def test_early_stopping_stops_and_restores_best_weights():
    """Does early stopping end training after `patience` epochs without progress, with the
    weights of the best epoch?"""
    train, val = blobs(64), blobs(32, seed=1)
    loss = ScriptedValLoss([1.0, 0.5, 0.7, 0.8, 0.9, 1.0])
    model = linear()
    history = quiet_fit(model, train, val, epochs=6, batch_size=64, loss_fn=loss,
                        early_stopping=2)
    assert history.stopped_early
    assert len(history) == 4
    assert history.val_loss == pytest.approx([1.0, 0.5, 0.7, 0.8])
    assert history.best_epoch == 2

    reference = linear()
    quiet_fit(reference, train, val, epochs=2, batch_size=64, loss_fn=ScriptedValLoss([1.0, 0.5]))
    for name, value in reference.state_dict().items():
        assert torch.equal(model.state_dict()[name], value), name


def test_early_stopping_does_not_stop_while_improving():
    """Does training run all its epochs while the validation loss keeps improving?"""
    history = quiet_fit(linear(), blobs(64), blobs(32, 1), epochs=3, batch_size=64,
                        loss_fn=ScriptedValLoss([1.0, 0.9, 0.8]), early_stopping=1)
    assert len(history) == 3 and not history.stopped_early


def test_step_lr_instance_and_callable():
    """Do a StepLR instance and a function that builds one both divide the lr by 10 every 2
    epochs?"""
    expected = [1.0, 1.0, 0.1, 0.1, 0.01]
    model = linear()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    history = quiet_fit(model, blobs(), epochs=5, optimizer=optimizer,
                        scheduler=StepLR(optimizer, step_size=2, gamma=0.1))
    assert history.lr == pytest.approx(expected)
    history = quiet_fit(linear(), blobs(), epochs=5, lr=1.0,
                        scheduler=lambda opt: StepLR(opt, step_size=2, gamma=0.1))
    assert history.lr == pytest.approx(expected)


def test_reduce_lr_on_plateau_watches_validation_loss():
    """Does ReduceLROnPlateau halve the lr after each epoch whose validation loss got worse?"""
    model = linear()
    optimizer = torch.optim.SGD(model.parameters(), lr=1.0)
    plateau = ReduceLROnPlateau(optimizer, factor=0.5, patience=0)
    history = quiet_fit(model, blobs(64), blobs(32, 1), epochs=4, batch_size=64,
                        optimizer=optimizer, scheduler=plateau,
                        loss_fn=ScriptedValLoss([1.0, 2.0, 0.5, 3.0]))
    assert history.lr == pytest.approx([1.0, 1.0, 0.5, 0.5])
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.25)


def test_scheduler_on_another_optimizer_is_refused():
    """Is a scheduler built on another optimizer than fit's refused, with the fix in the message?"""
    other = torch.optim.SGD(linear().parameters(), lr=0.1)
    with pytest.raises(ValueError, match="different optimizer"):
        quiet_fit(linear(), blobs(), scheduler=StepLR(other, 2))
    with pytest.raises(ValueError, match="ReduceLROnPlateau needs a loss to watch"):
        quiet_fit(linear(), blobs(), metrics=False, scheduler=lambda opt: ReduceLROnPlateau(opt))


def test_metrics_off_records_validation_only():
    """With metrics=False, are training lists empty while validation and lr are recorded?"""
    history = quiet_fit(linear(), blobs(), blobs(50, 1), epochs=2, metrics=False)
    assert history.train_loss == [] and history.train_acc == []
    assert len(history.val_loss) == len(history.val_acc) == len(history.lr) == 2


def test_regression_targets_have_no_accuracy():
    """With float targets and mse_loss, is the loss recorded and accuracy left out?"""
    x = torch.linspace(-1, 1, 100)[:, None]
    y = 3 * x + 1
    model = nn.Linear(1, 1)
    history = quiet_fit(model, (x, y), (x, y), epochs=20, lr=0.3, loss_fn=F.mse_loss)
    assert history.train_acc == [] and history.val_acc == []
    assert history.val_loss[-1] < 0.01
    assert set(evaluate(model, (x, y), loss_fn=F.mse_loss)) == {"loss"}
    assert len(history.plot().axes) == 2
    plt.close("all")


def test_progress_off_writes_nothing(capsys, monkeypatch):
    """Does fit write nothing to stdout or stderr with progress=False, or when COURSE_STATIC=1?"""
    fit(linear(), blobs(), blobs(50, 1), epochs=2, progress=False)
    monkeypatch.setenv("COURSE_STATIC", "1")
    fit(linear(), blobs(), epochs=2)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""
    fit(linear(), blobs(), epochs=2, progress=True)  # the test does see a bar when there is one
    assert "epoch" in capsys.readouterr().err


def test_model_mode_is_restored():
    """Do fit and evaluate leave the model in the train/eval mode it had?"""
    model = MLP(2, [4], 2, dropout=0.2)
    for training_mode in (True, False):
        model.train(training_mode)
        quiet_fit(model, blobs(), epochs=1)
        assert model.training is training_mode
        evaluate(model, blobs())
        assert model.training is training_mode


def test_evaluate_matches_hand_computation():
    """Does evaluate return the mean loss per sample and the accuracy, over unequal batches?"""
    x, y = blobs(130)
    model = linear()
    result = evaluate(model, (x, y), batch_size=50)
    with torch.no_grad():
        scores = model(x)
    assert set(result) == {"loss", "accuracy"}
    assert result["loss"] == pytest.approx(F.cross_entropy(scores, y).item(), rel=1e-5)
    assert result["accuracy"] == pytest.approx((scores.argmax(1) == y).float().mean().item())
    assert evaluate(model, PairDataset(x, y), batch_size=50) == pytest.approx(result)


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"epochs": 0}, ValueError, "epochs must be a positive integer, got 0"),
        ({"epochs": 2.5}, TypeError, "epochs .* got 2.5"),
        ({"epochs": True}, TypeError, "epochs .* got True"),
        ({"batch_size": -1}, ValueError, "batch_size .* got -1"),
        ({"lr": 0}, ValueError, "lr must be a positive number, got 0"),
        ({"lr": float("nan")}, ValueError, "lr .* got nan"),
        ({"lr": "0.1"}, ValueError, "lr .* got '0.1'"),
        ({"seed": -3}, ValueError, "seed .* got -3"),
        ({"early_stopping": 0}, ValueError, "early_stopping .* got 0"),
        ({"early_stopping": 3}, ValueError, "early_stopping=3 .* pass val_data"),
        ({"amp": "yes"}, TypeError, "amp must be True or False, got 'yes'"),
        ({"progress": 1}, TypeError, "progress .* got 1"),
        ({"loss_fn": "cross_entropy"}, TypeError, "loss_fn must be a function"),
        ({"optimizer": "sgd"}, TypeError, "optimizer must be a torch.optim.Optimizer .* got str"),
        ({"scheduler": 5}, TypeError, "scheduler must be None, .* got int"),
        ({"device": "tpu"}, ValueError, "unknown device 'tpu'"),
    ],
)
def test_bad_fit_arguments_name_the_value(kwargs, error, match):
    """Does each bad argument of fit raise an error that names it and its value?"""
    with pytest.raises(error, match=match):
        quiet_fit(linear(), blobs(), **kwargs)


def test_bad_data_is_named():
    """Do bad data sets raise errors naming the argument and the sizes?"""
    x, y = blobs(10)
    other_model = torch.optim.SGD(linear().parameters(), lr=0.1)
    cases = [
        ((lambda x: x, (x, y)), TypeError, "model must be a torch.nn.Module, got function"),
        ((linear(), None), TypeError, "train_data is None"),
        ((linear(), 42), TypeError, "train_data must be .* got int"),
        ((linear(), (x, y[:9])), ValueError, r"train_data: inputs \(10, 2\) and targets \(9,\)"),
        ((linear(), (x, y), (x[:0], y[:0])), ValueError, "val_data is empty"),
        ((linear(), TensorDataset(x, y, y)), ValueError, "exactly two tensors .* got 3"),
    ]
    for args, error, match in cases:
        with pytest.raises(error, match=match):
            quiet_fit(*args)
    with pytest.raises(ValueError, match="optimizer does not update any parameter of model"):
        quiet_fit(linear(), (x, y), optimizer=other_model)


def test_output_target_mismatch_is_explained():
    """Does a model/target mismatch fail before training, naming shapes and dtypes, with the
    torch error as its cause?"""
    x, y = blobs(10)
    expected = r"output \(2, 2\) float32 with the targets \(2,\) float32"
    with pytest.raises(ValueError, match=expected) as info:
        quiet_fit(linear(), (x, y.float()))
    assert "y.long()" in str(info.value)
    assert info.value.__cause__ is not None
    with pytest.raises(ValueError, match="class indices from 0 to 1, but the model outputs 1 "):
        quiet_fit(nn.Linear(2, 1), (x, y))
    with pytest.raises(ValueError, match=r"failed on inputs \(2, 2\) float64 .*X.float\(\)"):
        quiet_fit(linear(), (x.double(), y))
    with pytest.raises(ValueError, match=r"0-d tensor; got \(2,\) float32"):
        quiet_fit(linear(), (x, y), loss_fn=functools.partial(F.cross_entropy, reduction="none"))


def test_unfinished_exercise_raises_not_implemented():
    """Does a student's stub loss still raise NotImplementedError, not a reworded error?"""

    def stub_loss(scores, labels):
        raise NotImplementedError()

    with pytest.raises(NotImplementedError):
        quiet_fit(linear(), blobs(), loss_fn=stub_loss)


def test_bad_evaluate_arguments():
    """Does evaluate name a bad batch size and a non-model?"""
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        evaluate(linear(), blobs(), batch_size=0)
    with pytest.raises(TypeError, match="model must be a torch.nn.Module"):
        evaluate("model", blobs())


# --- History --------------------------------------------------------------------------------


def test_history_describes_itself():
    """Does History print its epochs, best validation loss and accuracy, and an early stop?"""
    history = History(train_loss=[0.9, 0.5, 0.4], train_acc=[0.5, 0.8, 0.9],
                      val_loss=[0.6, 0.213, 0.3], val_acc=[0.7, 0.941, 0.93],
                      lr=[0.1, 0.1, 0.1], stopped_early=True)
    assert repr(history) == ("History(3 epochs, best val loss 0.213 (acc 94.1 %) at epoch 2, "
                             "stopped early)")
    assert len(history) == 3 and history.best_epoch == 2
    assert repr(History()) == "History(0 epochs)"
    assert History().best_epoch is None
    no_val = History(train_loss=[0.5, float("nan"), 0.25], lr=[1, 1, 1])
    assert repr(no_val) == "History(3 epochs, best train loss 0.25 at epoch 3)"
    assert history.as_dict() == {
        "train_loss": [0.9, 0.5, 0.4], "train_acc": [0.5, 0.8, 0.9],
        "val_loss": [0.6, 0.213, 0.3], "val_acc": [0.7, 0.941, 0.93],
        "lr": [0.1, 0.1, 0.1], "stopped_early": True, "best_epoch": 2,
    }


def test_history_plot_has_loss_and_accuracy_axes():
    """Does History.plot return a Figure with labelled loss and accuracy axes, best epoch marked?"""
    history = quiet_fit(linear(), blobs(), blobs(50, 1), epochs=3)
    fig = history.plot()
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    loss_ax, acc_ax = fig.axes
    assert loss_ax.get_xlabel() == "epoch" and "loss" in loss_ax.get_ylabel()
    assert acc_ax.get_ylabel() == "accuracy (%)"
    labels = [line.get_label() for line in loss_ax.lines]
    assert labels[:2] == ["train", "val"] and labels[2].startswith("best epoch")
    fig2, axes = plt.subplots(1, 2)
    assert plot_history(history, axes=axes) is fig2
    with pytest.raises(ValueError, match="axes must be a pair"):
        history.plot(axes[0])
    plt.close("all")


# --- plots ----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5, 1, 8, 8), (5, 3, 8, 8), (5, 8, 8)])
def test_show_images_layouts(shape):
    """Does show_images draw (N, 1, H, W), (N, 3, H, W) and (N, H, W), one titled axes each?"""
    fig = show_images(torch.rand(shape), torch.tensor([0, 1, 2, 0, 1]),
                      classes=["cat", "dog", "owl"], ncols=4, title="samples")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 8  # 2 rows of 4, the last 3 empty
    assert [ax.get_title() for ax in fig.axes[:5]] == ["cat", "dog", "owl", "cat", "dog"]
    assert len(fig.axes[0].images) == 1 and len(fig.axes[5].images) == 0
    plt.close("all")


def test_show_images_accepts_bytes_and_half_precision():
    """Are uint8 images scaled from 0..255 to [0, 1], and bfloat16 tensors shown at all?"""
    fig = show_images(torch.full((2, 4, 4), 255, dtype=torch.uint8))
    assert fig.axes[0].images[0].get_array().max() == pytest.approx(1.0)
    assert len(show_images(torch.rand(2, 3, 4, 4, dtype=torch.bfloat16)).axes) == 2
    plt.close("all")


def test_show_images_bad_layouts():
    """Does show_images name the shape when it is not (N, C, H, W) with C 1 or 3, or (N, H, W)?"""
    with pytest.raises(ValueError, match=r"got \(4, 2, 8, 8\)"):
        show_images(torch.rand(4, 2, 8, 8))
    with pytest.raises(ValueError, match=r"got \(4, 8, 8, 3\); for channels-last"):
        show_images(torch.rand(4, 8, 8, 3))
    with pytest.raises(ValueError, match=r"got \(8, 8\)"):
        show_images(torch.rand(8, 8))
    with pytest.raises(ValueError, match="labels has 2 entries for 4 images"):
        show_images(torch.rand(4, 8, 8), [0, 1])
    with pytest.raises(ValueError, match="ncols must be a positive integer, got 0"):
        show_images(torch.rand(4, 8, 8), ncols=0)


def test_small_multiples_draws_each_setting():
    """Does small_multiples call draw once per setting on its own axes, titled with it?"""
    calls = []

    def draw(ax, lr, momentum=0.0):
        calls.append((lr, momentum))
        ax.plot([0, 1], [0, lr])

    settings = [{"lr": 0.1, "momentum": 0.9}, {"lr": 0.001}, {"lr": 1e-5, "momentum": 0.0},
                {"lr": 2}]
    fig = small_multiples(draw, settings, ncols=3, title="learning rates")
    assert calls == [(0.1, 0.9), (0.001, 0.0), (1e-5, 0.0), (2, 0.0)]
    assert len(fig.axes) == 6
    titles = [ax.get_title() for ax in fig.axes[:4]]
    assert titles == ["lr=0.1, momentum=0.9", "lr=0.001", "lr=1e-05, momentum=0", "lr=2"]
    assert not fig.axes[5].axison
    assert fig.get_size_inches() == pytest.approx((3 * 3.2, 2 * 2.6))
    setting = {"activation": "relu", "batch_norm": True, "p": 1 / 3}
    assert format_setting(setting) == "activation=relu, batch_norm=True, p=0.333"
    plt.close("all")


def test_small_multiples_bad_settings():
    """Does small_multiples refuse an empty list and a setting that is not a dict?"""
    with pytest.raises(ValueError, match="settings is empty"):
        small_multiples(lambda ax: None, [])
    with pytest.raises(TypeError, match=r"settings\[1\] must be a dict .* got 0.1"):
        small_multiples(lambda ax, lr: None, [{"lr": 1}, 0.1])


def test_nan_loss_does_not_break_history():
    """Does a diverging run (nan or inf losses) still give a History that prints and plots?"""
    x, y = blobs()
    history = quiet_fit(linear(), (x * 1e30, y), epochs=2, lr=1e30)
    assert len(history) == 2
    assert all(math.isnan(v) or v > 0 for v in history.train_loss)
    repr(history)
    history.plot()
    plt.close("all")
