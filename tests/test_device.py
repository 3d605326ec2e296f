"""Device choice, seeding, switches and the environment report."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

from course_utils.device import fast_mode, pick_device, report, seed_everything, static_mode


def test_pick_device_prefers_what_is_available(monkeypatch):
    """Does the automatic choice return an available device, and the override win?"""
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    expected = "cuda" if torch.cuda.is_available() else (
        "mps" if torch.backends.mps.is_available() else "cpu")
    assert pick_device().type == expected
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert pick_device() == torch.device("cpu")
    assert pick_device(torch.device("cpu")) == torch.device("cpu")


@pytest.mark.parametrize("value, error, match", [
    ("gpu", ValueError, "unknown device 'gpu'; choose one of cuda, mps, cpu"),
    (3, TypeError, "prefer must be a str"),
])
def test_pick_device_rejects_bad_names(value, error, match):
    """Is an unknown device name refused with the valid choices?"""
    with pytest.raises(error, match=match):
        pick_device(value)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_pick_device_refuses_a_missing_gpu():
    """Asking for CUDA on a CPU-only machine: a clear error naming what is available?"""
    with pytest.raises(RuntimeError, match="not available here; available: .*cpu"):
        pick_device("cuda")


def test_seed_everything_makes_all_generators_repeat():
    """Does one seed make Python, NumPy and torch draws repeat, and return a seeded generator?"""
    def draws():
        g = seed_everything(7)
        return random.random(), np.random.rand(), torch.rand(1).item(), torch.rand(1, generator=g).item()

    assert draws() == draws()
    with pytest.raises(ValueError, match="non-negative integer"):
        seed_everything(-1)
    for bad in (1.5, "3", True):          # the wrong type: TypeError (course_utils.validation)
        with pytest.raises(TypeError, match="non-negative integer"):
            seed_everything(bad)


def test_switches_read_the_environment(monkeypatch):
    """Do COURSE_FAST / COURSE_STATIC switch on and off, and refuse values they don't know?"""
    monkeypatch.setenv("COURSE_FAST", "1")
    monkeypatch.setenv("COURSE_STATIC", "0")
    assert fast_mode() and not static_mode()
    monkeypatch.delenv("COURSE_FAST")
    assert not fast_mode()
    monkeypatch.setenv("COURSE_STATIC", "maybe")
    with pytest.raises(ValueError, match="COURSE_STATIC='maybe'"):
        static_mode()


def test_report_is_one_line_and_helps_cpu_users(capsys, monkeypatch):
    """Is the report one line naming device, torch and fast mode, with the Colab tip on a CPU?"""
    monkeypatch.setenv("COURSE_FAST", "1")
    assert report(torch.device("cpu")) is None
    line = capsys.readouterr().out
    assert line.endswith("\n") and line.count("\n") == 1
    assert f"torch {torch.__version__}" in line and "fast mode on" in line
    assert "Runtime > Change runtime type > GPU" in line
