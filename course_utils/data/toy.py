"""Small two-dimensional data sets for the chapters on neurons, MLPs and backprop.

Each maker returns a :class:`ToyData`: points ``X`` of shape ``(n, 2)`` and labels ``y`` of
shape ``(n,)`` with values 0 and 1. They are generated from a seed, so a notebook shows the
same points on every run, and they are small enough to see every point in a scatter plot.

* :func:`make_blobs` — two clouds a straight line can separate (one neuron is enough);
* :func:`make_xor` — four clouds in a checkerboard (no single line separates them);
* :func:`make_circles` — a disc inside a ring (the boundary must bend all the way round);
* :func:`make_moons` — two interleaved half-moons.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ToyData:
    """Points ``X`` (n, 2) and 0/1 labels ``y`` (n,), with the name of the data set."""

    X: np.ndarray
    y: np.ndarray
    name: str

    def __len__(self) -> int:
        return len(self.y)

    def __iter__(self):  # lets a learner write ``X, y = make_xor()``
        return iter((self.X, self.y))

    def __repr__(self) -> str:
        return (f"ToyData({self.name!r}: {len(self)} points, "
                f"{int((self.y == 0).sum())} of class 0, {int((self.y == 1).sum())} of class 1)")


def _check(n: int, noise: float, seed: int) -> None:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"n (the number of points) must be an integer, got {type(n).__name__}")
    if n < 4:
        raise ValueError(f"n (the number of points) must be at least 4, got {n}")
    if not isinstance(noise, (int, float, np.floating)) or noise < 0:
        raise ValueError(f"noise must be a number >= 0, got {noise!r}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed must be an integer, got {type(seed).__name__}")


def _split(n: int) -> tuple[int, int]:
    """Class sizes for n points: as equal as possible."""
    return n - n // 2, n // 2


def _finish(X: np.ndarray, y: np.ndarray, name: str, rng: np.random.Generator) -> ToyData:
    order = rng.permutation(len(y))  # mix the classes so a mini-batch sees both
    return ToyData(X[order].astype(np.float64), y[order].astype(np.int64), name)


def make_blobs(n: int = 200, noise: float = 0.6, seed: int = 0) -> ToyData:
    """Two Gaussian clouds centred at (-1, -1) (class 0) and (1.5, 1) (class 1)."""
    _check(n, noise, seed)
    rng = np.random.default_rng(seed)
    n0, n1 = _split(n)
    X = np.concatenate([rng.normal((-1.0, -1.0), noise, (n0, 2)),
                        rng.normal((1.5, 1.0), noise, (n1, 2))])
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _finish(X, y, "blobs", rng)


def make_xor(n: int = 200, noise: float = 0.35, seed: int = 0) -> ToyData:
    """Four clouds at the corners (±1, ±1): class 1 where the signs of x and y differ."""
    _check(n, noise, seed)
    rng = np.random.default_rng(seed)
    corners = np.array([(-1, -1), (1, 1), (-1, 1), (1, -1)], dtype=float)
    which = np.arange(n) % 4
    X = corners[which] + rng.normal(0.0, noise, (n, 2))
    y = (which >= 2).astype(float)
    return _finish(X, y, "xor", rng)


def make_circles(n: int = 200, noise: float = 0.1, seed: int = 0, factor: float = 0.5) -> ToyData:
    """A disc of radius ``factor`` (class 1) inside a ring of radius 1 (class 0)."""
    _check(n, noise, seed)
    if not 0 < factor < 1:
        raise ValueError(f"factor (inner radius / outer radius) must be between 0 and 1, got {factor}")
    rng = np.random.default_rng(seed)
    n0, n1 = _split(n)
    angles = rng.uniform(0, 2 * np.pi, n)
    radius = np.concatenate([np.ones(n0), np.full(n1, factor)])
    X = np.stack([radius * np.cos(angles), radius * np.sin(angles)], axis=1)
    X += rng.normal(0.0, noise, X.shape)
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _finish(X, y, "circles", rng)


def make_moons(n: int = 200, noise: float = 0.15, seed: int = 0) -> ToyData:
    """Two interleaving half-circles: the upper one is class 0, the lower one class 1."""
    _check(n, noise, seed)
    rng = np.random.default_rng(seed)
    n0, n1 = _split(n)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    upper = np.stack([np.cos(t0), np.sin(t0)], axis=1)
    lower = np.stack([1 - np.cos(t1), 0.5 - np.sin(t1)], axis=1)
    X = np.concatenate([upper, lower]) + rng.normal(0.0, noise, (n, 2))
    y = np.concatenate([np.zeros(n0), np.ones(n1)])
    return _finish(X, y, "moons", rng)


TOY_DATASETS: dict[str, Callable[..., ToyData]] = {
    "blobs": make_blobs, "xor": make_xor, "circles": make_circles, "moons": make_moons,
}


def load_toy(name: str, n: int = 200, noise: float | None = None, seed: int = 0) -> ToyData:
    """One of the toy data sets by name (``"blobs"``, ``"xor"``, ``"circles"``, ``"moons"``)."""
    if name not in TOY_DATASETS:
        raise ValueError(f"unknown toy data set {name!r}; choose one of {', '.join(TOY_DATASETS)}")
    maker = TOY_DATASETS[name]
    return maker(n=n, seed=seed) if noise is None else maker(n=n, noise=noise, seed=seed)
