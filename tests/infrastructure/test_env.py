"""The setup call: seeding, device choice, the one printed line; timing helpers."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch

import course_utils as cu
from course_utils import env
from course_utils.timing import format_seconds, time_call


def test_setup_seeds_everything_and_prints_one_line(capsys, monkeypatch) -> None:
    monkeypatch.delenv(env.DEVICE_ENV, raising=False)
    device = cu.setup(seed=3)
    first = (random.random(), np.random.rand(), torch.rand(1).item())
    cu.setup(seed=3)
    second = (random.random(), np.random.rand(), torch.rand(1).item())
    assert first == second
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2 and f"device: {device}" in lines[0] and "torch" in lines[0]
    assert "data: " in lines[0]


def test_setup_quiet(capsys) -> None:
    cu.setup(quiet=True)
    assert capsys.readouterr().out == ""


def test_device_override_and_errors(monkeypatch) -> None:
    monkeypatch.setenv(env.DEVICE_ENV, "cpu")
    assert cu.pick_device() == "cpu"
    monkeypatch.setenv(env.DEVICE_ENV, "tpu")
    with pytest.raises(ValueError, match="unknown device"):
        cu.pick_device()
    monkeypatch.delenv(env.DEVICE_ENV)
    assert cu.pick_device() in ("cpu", "cuda", "mps")
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match="no CUDA GPU"):
            cu.pick_device("cuda")
    with pytest.raises(TypeError):
        cu.pick_device(0)  # type: ignore[arg-type]


def test_seed_validation() -> None:
    with pytest.raises(TypeError):
        cu.seed_everything("0")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        cu.seed_everything(True)
    with pytest.raises(ValueError):
        cu.seed_everything(-1)


def test_format_seconds() -> None:
    assert format_seconds(2.5) == "2.5 s"
    assert format_seconds(0.0123) == "12.3 ms"
    assert format_seconds(4.2e-6) == "4.2 µs"
    assert format_seconds(3e-9) == "3 ns"
    with pytest.raises(ValueError):
        format_seconds(-1)


def test_time_call() -> None:
    calls = []
    timing = time_call(calls.append, 1, repeat=4, warmup=2)
    assert len(calls) == 6 and len(timing.runs) == 4 and timing.median >= 0
    assert str(timing).endswith("s")
    with pytest.raises(TypeError):
        time_call(3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        time_call(print, repeat=0)
