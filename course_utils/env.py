"""The one setup call every notebook makes: seeds, device, plot style, one line of facts.

Every chapter starts with::

    import course_utils as cu
    device = cu.setup()

so that results are repeatable (every random number generator is seeded), the device is chosen
the same way everywhere (CUDA, then Apple's MPS, then the CPU; ``COURSE_DEVICE`` overrides), and
figures look alike across the course.
"""

from __future__ import annotations

import os
import platform
import random
from importlib import metadata

import numpy as np

DEVICE_ENV = "COURSE_DEVICE"
_KNOWN_DEVICES = ("cpu", "cuda", "mps")


def seed_everything(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy's global generator and torch (CPU and CUDA).

    Seeding makes a notebook print the same numbers every time it runs on the same machine.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be a whole number such as 0 or 42, not {type(seed).__name__}")
    if seed < 0:
        raise ValueError(f"seed must be 0 or more, got {seed}")
    random.seed(int(seed))
    np.random.seed(int(seed) % 2**32)
    import torch

    torch.manual_seed(int(seed))  # also seeds every CUDA device


def pick_device(preferred: str | None = None) -> str:
    """Return the device to compute on: ``"cuda"``, ``"mps"`` or ``"cpu"``.

    ``preferred`` (or the ``COURSE_DEVICE`` environment variable) wins when that device exists;
    asking for a device this computer does not have is an error rather than a silent fallback,
    so that a learner who asked for the GPU knows they are not getting it.
    """
    import torch

    wanted = preferred if preferred is not None else os.environ.get(DEVICE_ENV) or None
    if wanted is not None:
        if not isinstance(wanted, str):
            raise TypeError(f"device must be a string such as 'cpu' or 'cuda', not {wanted!r}")
        name = wanted.strip().lower()
        base = name.split(":")[0]
        if base not in _KNOWN_DEVICES:
            raise ValueError(f"unknown device {wanted!r}: choose one of {', '.join(_KNOWN_DEVICES)}")
        if base == "cuda" and not torch.cuda.is_available():
            raise RuntimeError(
                f"device {wanted!r} was asked for but torch sees no CUDA GPU here; "
                f"unset {DEVICE_ENV} or use 'cpu'"
            )
        if base == "mps" and not _mps_available():
            raise RuntimeError(f"device {wanted!r} was asked for but Apple's MPS is not available")
        return name
    if torch.cuda.is_available():
        return "cuda"
    if _mps_available():
        return "mps"
    return "cpu"


def _mps_available() -> bool:
    import torch

    backend = getattr(torch.backends, "mps", None)
    return bool(backend is not None and backend.is_available())


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def describe_environment(device: str) -> str:
    """One line with the versions that matter, the device and the data directory."""
    from .data import data_dir, display_path

    torch_version = _version("torch").split("+")[0]
    return (
        f"Python {platform.python_version()} | numpy {_version('numpy')} | "
        f"torch {torch_version} | device: {device} | data: {display_path(data_dir())}/"
    )


def setup(seed: int = 0, device: str | None = None, quiet: bool = False) -> str:
    """Prepare a notebook: seed every RNG, pick the device, set the plot style.

    Prints one line (versions, device, data directory) unless ``quiet`` and returns the
    device name, ready for ``tensor.to(device)``.
    """
    seed_everything(seed)
    chosen = pick_device(device)
    from .plotting import use_course_style

    use_course_style()
    if not quiet:
        print(describe_environment(chosen))
    return chosen
