"""Chapter 05's demos and widgets: what the gradient-descent notebook alone computes and draws.

The loss surfaces themselves and the walks over them live in :mod:`course_utils.landscapes`,
the optimisers in :mod:`course_utils.optim`. This module holds what the chapter does with them:

* the learning rate on a bowl (section 4): :func:`learning_rate_regime` says exactly what
  gradient descent does at a given rate, :func:`learning_rate_run` is what the widget shows;
* minima and saddles (section 5): :func:`basin_map` (where every start ends up) and
  :func:`fraction_of_minima` (how rare minima are among flat points in many dimensions);
* a real loss surface (sections 6–8 and 13): :class:`LogisticProblem`, logistic regression on
  data such as MNIST digits, mini-batch training (:func:`train_minibatch`) and a measurement of
  how noisy a mini-batch gradient is (:func:`gradient_noise`);
* the optimiser race down the ravine (section 12): :func:`optimizer_race`;
* the drawings (:func:`draw_contours`, :func:`draw_learning_rate`, :func:`draw_optimizer_race`)
  and the two widgets (:func:`learning_rate_widget`, :func:`optimizer_race_widget`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from .. import optim
from ..activations import sigmoid
from ..landscapes import LANDSCAPES, MAX_LOSS, Landscape, Path, descend, ravine, run_optimizer
from ..validate import as_float_array, check_number, check_whole
from .core import dropdown, figure_widget, float_slider, int_slider

# --- section 4: the learning rate on a bowl --------------------------------------------------


def overshoots(path: Path, target: Any) -> int:
    """How often the walk jumped past ``target`` along some axis (a sign change of p − target)."""
    offset = path.points - as_float_array(target, "overshoots", "target")
    signs = np.sign(offset)
    return int(np.sum((signs[1:] * signs[:-1]) < 0))


LR_SURFACES = ("1-D bowl", "2-D bowl")
CONVERGED_RATIO = 1e-4  # "converges": the loss fell at least 10,000-fold


def learning_rate_regime(landscape: Landscape, lr: float) -> str:
    """For a quadratic bowl, what gradient descent does at this learning rate (exactly).

    Each step multiplies the distance to the minimum along axis i by ``1 − lr · curvature_i``.
    All factors in (0, 1): a smooth approach; a negative one: zig-zags across the minimum; one
    of size 1: bounces for ever; one larger than 1: diverges.
    """
    if not landscape.curvatures:
        raise ValueError(f"learning_rate_regime needs a quadratic bowl; the {landscape.name} "
                         "has no single curvature per axis")
    lr = check_number(lr, "learning_rate_regime", "lr")
    factors = [1 - lr * c for c in landscape.curvatures]
    biggest = max(abs(f) for f in factors)
    if biggest > 1 + 1e-12:
        return "diverges"
    if abs(biggest - 1) <= 1e-12:
        return "bounces for ever" if min(factors) < 0 else "never moves"
    return "zig-zags but converges" if min(factors) < 0 else "smooth"


def learning_rate_run(surface: str = "1-D bowl", lr: float = 0.3, steps: int = 30) -> dict[str, Any]:
    """What the learning-rate widget shows: gradient descent on a bowl, and its verdict.

    Returns ``landscape``, ``path`` (a :class:`Path`), ``regime`` (from
    :func:`learning_rate_regime`), ``verdict`` (one sentence: crawls, converges, zig-zags,
    diverges), ``limits`` (``1/L`` and ``2/L`` for the largest curvature ``L``: above the first
    it zig-zags, above the second it diverges) and ``overshoots``.
    """
    if surface not in LR_SURFACES:
        raise ValueError(f"learning_rate_run: surface must be one of {', '.join(LR_SURFACES)}, "
                         f"got {surface!r}")
    lr = check_number(lr, "learning_rate_run", "lr")
    if lr <= 0:
        raise ValueError(f"learning_rate_run: lr must be positive, got {lr}")
    steps = check_whole(steps, "learning_rate_run", "steps", 1)
    landscape = LANDSCAPES[surface]()
    path = descend(landscape, lr, steps)
    regime = learning_rate_regime(landscape, lr)
    steepest = max(landscape.curvatures)
    ratio = path.final_loss / path.losses[0]
    zig = " (zig-zagging)" if regime == "zig-zags but converges" else ""
    if path.diverged:
        verdict = (f"diverges: the loss passed {MAX_LOSS:,.0f} at step {path.stopped_at}, so the "
                   "run was stopped there")
    elif regime == "diverges":
        verdict = f"diverges: the loss grows at every step ({ratio:,.0f}× its start by now)"
    elif regime == "bounces for ever":
        verdict = "bounces for ever between two points: lr is exactly at the limit"
    elif ratio <= CONVERGED_RATIO:
        verdict = f"converges{zig}: loss {path.final_loss:.1e} after {steps} steps"
    elif ratio > 0.1:
        verdict = f"crawls{zig}: after {steps} steps the loss has only fallen {1 / ratio:.1f}×"
    else:
        verdict = f"too slow{zig}: after {steps} steps the loss has only fallen {1 / ratio:,.0f}×"
    return {"landscape": landscape, "path": path, "regime": regime, "verdict": verdict,
            "limits": (1 / steepest, 2 / steepest),
            "overshoots": overshoots(path, landscape.minima[0])}


# --- section 5: local minima and saddle points ----------------------------------------------


def basin_map(landscape: Landscape, lr: float = 0.05, steps: int = 300,
              n: int = 81) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which minimum gradient descent reaches from every start on an ``n`` × ``n`` grid.

    Runs plain gradient descent from all grid points at once and returns ``(X, Y, labels)``:
    ``labels[i, j]`` is the index (into ``landscape.minima``) of the minimum reached from
    ``(X[i, j], Y[i, j])``, or ``-1`` where the walk ended anywhere else (on a saddle point,
    or still on its way).
    """
    if landscape.dim != 2 or not landscape.minima:
        raise ValueError("basin_map needs a 2-D landscape with known minima, e.g. four_valleys()")
    lr = check_number(lr, "basin_map", "lr")
    if lr <= 0:
        raise ValueError(f"basin_map: lr must be positive, got {lr}")
    steps, n = check_whole(steps, "basin_map", "steps", 1), check_whole(n, "basin_map", "n", 2)
    X, Y = np.meshgrid(*(np.linspace(lo, hi, n) for lo, hi in landscape.window))
    p = np.stack([X, Y], axis=-1)
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            p = p - lr * landscape.grad_fn(p)
    minima = np.array(landscape.minima)
    dist = np.linalg.norm(p[:, :, None, :] - minima[None, None], axis=-1)
    labels = np.where(np.nanmin(dist, axis=-1) < 1e-2, np.argmin(np.nan_to_num(dist, nan=np.inf),
                                                                  axis=-1), -1)
    return X, Y, labels


def fraction_of_minima(dims: Sequence[int], trials: int = 2000, seed: int = 0) -> np.ndarray:
    """How often a random flat point is a minimum, in ``d`` dimensions, for each ``d`` in ``dims``.

    At a flat point the Hessian decides: a minimum needs *every* curvature positive. Here the
    Hessians are random symmetric matrices (entries from a normal distribution), ``trials`` of
    them per dimension; the answer is the fraction whose eigenvalues are all positive. It falls
    very fast with ``d``: in many dimensions almost every flat point is a saddle.
    """
    trials = check_whole(trials, "fraction_of_minima", "trials", 1)
    rng = np.random.default_rng(seed)
    fractions = []
    for d in dims:
        d = check_whole(d, "fraction_of_minima", "each dimension", 1)
        a = rng.normal(size=(trials, d, d))
        sym = (a + np.swapaxes(a, 1, 2)) / 2
        fractions.append(float(np.mean(np.linalg.eigvalsh(sym)[:, 0] > 0)))
    return np.array(fractions)


# --- sections 6-8 and 13: a real loss surface, logistic regression --------------------------


@dataclass
class LogisticProblem:
    """Logistic regression (one sigmoid neuron, chapter 03) on inputs ``X`` and 0/1 labels ``y``.

    The parameters are one vector: the ``d`` weights followed by the bias. The loss is the mean
    binary cross-entropy; :meth:`grad` is its exact gradient, ``Xᵀ(σ(Xw + b) − y) / n`` for the
    weights and the mean of ``σ(Xw + b) − y`` for the bias (chapter 06 derives it).
    Pass ``idx`` (an array of row numbers) to use only those examples: a mini-batch.
    """

    X: np.ndarray
    y: np.ndarray
    name: str = "logistic regression"
    _Xb: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        X = as_float_array(self.X, "LogisticProblem", "the inputs X")
        y = as_float_array(self.y, "LogisticProblem", "the labels y")
        if X.ndim != 2:
            raise ValueError(f"LogisticProblem needs X as a 2-D array (examples × features), got "
                             f"shape {X.shape}. Flatten images first: X.reshape(len(X), -1).")
        if y.shape != (len(X),):
            raise ValueError(f"LogisticProblem: X has {len(X)} rows but y has shape {y.shape}; "
                             "give one label per example")
        if not np.isin(y, (0.0, 1.0)).all():
            raise ValueError("LogisticProblem: labels y must be 0 or 1")
        self.X, self.y = X, y
        self._Xb = np.hstack([X, np.ones((len(X), 1))])  # a column of ones carries the bias

    @property
    def n_params(self) -> int:
        return self._Xb.shape[1]

    def __len__(self) -> int:
        return len(self.y)

    def _rows(self, params: Any, idx: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        p = as_float_array(params, self.name, "params")
        if p.shape != (self.n_params,):
            raise ValueError(f"{self.name}: params should have shape ({self.n_params},) "
                             f"({self.n_params - 1} weights and a bias), got {p.shape}")
        if idx is None:
            return p, self._Xb, self.y
        idx = np.asarray(idx)
        if idx.size == 0:
            raise ValueError(f"{self.name}: a mini-batch needs at least one example")
        return p, self._Xb[idx], self.y[idx]

    def loss(self, params: Any, idx: Any = None) -> float:
        """Mean binary cross-entropy, computed without overflow (log(1 + e^z) via logaddexp)."""
        p, Xb, y = self._rows(params, idx)
        z = Xb @ p
        return float(np.mean(np.logaddexp(0.0, z) - y * z))

    def grad(self, params: Any, idx: Any = None) -> np.ndarray:
        p, Xb, y = self._rows(params, idx)
        return Xb.T @ (sigmoid(Xb @ p) - y) / len(y)

    def accuracy(self, params: Any, X: Any = None, y: Any = None) -> float:
        """Fraction classified correctly (probability above ½ means class 1)."""
        p = as_float_array(params, f"{self.name}: accuracy", "params")
        if X is None:
            Xb, y = self._Xb, self.y
        else:
            X = as_float_array(X, f"{self.name}: accuracy", "the inputs X")
            Xb, y = np.hstack([X, np.ones((len(X), 1))]), np.asarray(y)
        return float(np.mean(((Xb @ p) > 0) == (y == 1)))


@dataclass
class TrainingRun:
    """A mini-batch run: the full-data loss after every ``record_every`` steps, and the result."""

    steps: np.ndarray
    epochs: np.ndarray
    losses: np.ndarray
    params: np.ndarray
    batch_size: int
    shuffle: bool
    lrs: np.ndarray


def train_minibatch(problem: LogisticProblem, optimizer: optim.Optimizer, batch_size: int,
                    epochs: int = 1, shuffle: bool = True, seed: int = 0,
                    record_every: int = 1, params: Any = None) -> TrainingRun:
    """Mini-batch training: each epoch, cut the data into batches and take one step per batch.

    With ``shuffle`` every epoch visits the examples in a fresh random order (from ``seed``);
    without, in the order they are stored. ``batch_size = len(problem)`` is full-batch gradient
    descent. The loss recorded is always on *all* the data, so runs with different batch sizes
    can be compared. Starts from zeros unless ``params`` is given.
    """
    if not isinstance(problem, LogisticProblem):
        raise TypeError(f"train_minibatch needs a LogisticProblem, got {type(problem).__name__}")
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"train_minibatch needs an optimiser from course_utils.optim, got "
                        f"{type(optimizer).__name__}")
    batch_size = check_whole(batch_size, "train_minibatch", "batch_size", 1)
    if batch_size > len(problem):
        raise ValueError(f"train_minibatch: batch_size {batch_size} is larger than the data set "
                         f"({len(problem)} examples)")
    epochs = check_whole(epochs, "train_minibatch", "epochs", 1)
    record_every = check_whole(record_every, "train_minibatch", "record_every", 1)
    rng = np.random.default_rng(seed)
    if params is None:
        p = np.zeros(problem.n_params)
    else:
        p = as_float_array(params, "train_minibatch", "params", copy=True)
    optimizer.reset()
    per_epoch = math.ceil(len(problem) / batch_size)
    steps, losses, lrs = [0], [problem.loss(p)], []
    step = 0
    for _ in range(epochs):
        for idx in optim.minibatch_indices(len(problem), batch_size, rng, shuffle):
            lrs.append(optimizer.lr)
            p = optimizer.step(p, problem.grad(p, idx))
            step += 1
            if step % record_every == 0 or step == epochs * per_epoch:
                steps.append(step)
                losses.append(problem.loss(p))
    steps_arr = np.array(steps)
    return TrainingRun(steps_arr, steps_arr / per_epoch, np.array(losses), p, batch_size,
                       shuffle, np.array(lrs))


def gradient_noise(problem: LogisticProblem, params: Any, batch_sizes: Sequence[int],
                   batches: int = 200, seed: int = 0) -> dict[int, float]:
    """How far a mini-batch gradient lies from the full gradient, for each batch size.

    For each ``B`` draws ``batches`` mini-batches the way training does (shuffle, then cut) and
    returns the root-mean-square distance ``‖g_batch − g_full‖``. It shrinks like ``1/√B``
    (exactly: ``√((n − B) / ((n − 1)·B))`` times the spread of single examples), reaching 0 at
    ``B = n``, the full batch.
    """
    batches = check_whole(batches, "gradient_noise", "batches", 1)
    rng = np.random.default_rng(seed)
    full = problem.grad(params)
    result = {}
    for B in batch_sizes:
        B = check_whole(B, "gradient_noise", "each batch size", 1)
        if B > len(problem):
            raise ValueError(f"gradient_noise: batch size {B} is larger than the data set "
                             f"({len(problem)} examples)")
        dists: list[float] = []
        while len(dists) < batches:
            for idx in optim.minibatch_indices(len(problem), B, rng):
                if len(idx) == B and len(dists) < batches:
                    dists.append(float(np.sum((problem.grad(params, idx) - full) ** 2)))
        result[B] = math.sqrt(float(np.mean(dists)))
    return result


# --- section 12: the optimiser race ---------------------------------------------------------


def optimizer_race(lrs: Mapping[str, float], steps: int = 300,
                   landscape: Landscape | None = None, start: Any = None) -> dict[str, Path]:
    """What the race widget shows: each optimiser in ``lrs`` (name → learning rate) on the ravine.

    Every optimiser starts from the same point and takes the same number of steps; one that
    diverges is stopped and marked, the others carry on.
    """
    if not isinstance(lrs, Mapping) or not lrs:
        raise TypeError("optimizer_race needs a dict of learning rates, e.g. {'SGD': 0.01}")
    landscape = ravine() if landscape is None else landscape
    steps = check_whole(steps, "optimizer_race", "steps", 1)
    paths = {}
    for name, lr in lrs.items():
        paths[name] = run_optimizer(landscape, optim.make_optimizer(name, lr), start, steps)
    return paths


# --- drawing ----------------------------------------------------------------------------------

LOSS_FLOOR = 1e-16  # a loss of exactly 0 cannot go on a log scale: drawn here instead
RACE_COLORS = {"SGD": "C0", "momentum": "C1", "RMSProp": "C2", "Adam": "C3", "AdaGrad": "C4"}


def _loss_panel(ax: Axes, path: Path, color: str, label: str) -> None:
    steps = np.arange(len(path.losses))
    ax.semilogy(steps, np.maximum(path.losses, LOSS_FLOOR), color=color, label=label)
    if path.diverged:
        ax.plot(steps[-1], max(path.losses[-1], LOSS_FLOOR), "x", color=color, markersize=10,
                markeredgewidth=2.5)


def draw_contours(ax: Axes, landscape: Landscape, levels: Any = 12, log: bool = False) -> None:
    """Thin contour lines of a 2-D landscape over its window, with its minima as stars.

    With ``log`` the levels are spaced evenly in log(loss − lowest loss), so a valley with a
    nearly flat floor still shows lines near its bottom.
    """
    X, Y, Z = landscape.grid(100)
    if log:
        shifted = Z - Z.min() + 1e-2
        lv = np.geomspace(shifted.min(), shifted.max(), levels)
        ax.contour(X, Y, shifted, levels=lv, colors="0.6", linewidths=0.8)
    else:
        ax.contour(X, Y, Z, levels=levels, colors="0.6", linewidths=0.8)
    for m in landscape.minima:
        ax.plot(*m, "*", color="k", markersize=12)
    (x0, x1), (y0, y1) = landscape.window
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="x", ylabel="y")
    ax.set_aspect("equal")
    ax.grid(False)


# --- widget 1: the learning rate -------------------------------------------------------------


def draw_learning_rate(surface: str = "1-D bowl", lr: float = 0.3, steps: int = 30) -> Figure:
    """Gradient descent on a bowl: the walk (left) and the loss per step (right)."""
    run = learning_rate_run(surface, lr, steps)
    landscape, path = run["landscape"], run["path"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.1),
                                      gridspec_kw={"width_ratios": [1.5, 1]})
    colors = plt.cm.plasma(np.linspace(0, 0.85, len(path.points)))
    if landscape.dim == 1:
        w, loss = landscape.grid(200)
        left.plot(w, loss, color="0.5")
        pw = path.points[:, 0]
        left.plot(pw, path.losses, "-", color="C0", linewidth=1, alpha=0.6)
        left.scatter(pw, path.losses, c=colors, s=28, zorder=3)
        left.set(xlim=landscape.window[0], ylim=(-0.3, 1.15 * loss.max()), xlabel="w",
                 ylabel="loss", title=landscape.description)
    else:
        draw_contours(left, landscape, levels=np.geomspace(0.01, 80, 14))
        left.plot(path.points[:, 0], path.points[:, 1], "-", color="C0", linewidth=1, alpha=0.6)
        left.scatter(path.points[:, 0], path.points[:, 1], c=colors, s=22, zorder=3)
        left.set_title(landscape.description)
    start = path.points[0] if landscape.dim == 2 else (path.points[0, 0], path.losses[0])
    left.plot(start[0], start[1], "o", color="k", markersize=9, fillstyle="none")
    _loss_panel(right, path, "C0", "loss")
    low, high = run["limits"]
    right.axhline(path.losses[0], color="0.7", linestyle="--", linewidth=1)
    right.set(xlabel="step", ylabel="loss (log scale)", xlim=(0, steps),
              title=f"zig-zags above lr = {low:g}, diverges above {high:g}")
    fig.suptitle(f"lr = {lr:.2f}: {run['verdict']}", fontsize=11)
    fig.tight_layout()
    return fig


def learning_rate_widget() -> widgets.VBox:
    """A surface menu and sliders for the learning rate and the number of steps."""
    controls = {
        "surface": dropdown("surface", list(LR_SURFACES)),
        "lr": float_slider("learning rate", 0.3, 0.02, 2.4, 0.02),
        "steps": int_slider("steps", 30, 5, 100),
    }
    return figure_widget(draw_learning_rate, controls)


# --- widget 2: the optimiser race --------------------------------------------------------------

RACE_DEFAULTS = {"SGD": 0.01, "momentum": 0.005, "AdaGrad": 0.3, "RMSProp": 0.02, "Adam": 0.1}


def _race_label(name: str, path: Path) -> str:
    if path.diverged:
        return f"{name}, lr {path.lr:g}: diverged at step {path.stopped_at}"
    return f"{name}, lr {path.lr:g}: loss {path.final_loss:.1e}"


def draw_optimizer_race(sgd_lr: float = RACE_DEFAULTS["SGD"],
                        momentum_lr: float = RACE_DEFAULTS["momentum"],
                        adagrad_lr: float = RACE_DEFAULTS["AdaGrad"],
                        rmsprop_lr: float = RACE_DEFAULTS["RMSProp"],
                        adam_lr: float = RACE_DEFAULTS["Adam"], steps: int = 300) -> Figure:
    """SGD, momentum, AdaGrad, RMSProp and Adam down the ravine: paths (left), losses (right)."""
    lrs = {"SGD": sgd_lr, "momentum": momentum_lr, "AdaGrad": adagrad_lr, "RMSProp": rmsprop_lr,
           "Adam": adam_lr}
    landscape = ravine()
    paths = optimizer_race(lrs, steps, landscape)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.4),
                                      gridspec_kw={"width_ratios": [1, 1.15]})
    draw_contours(left, landscape, levels=10, log=True)
    left.plot(*landscape.start, "o", color="k", markersize=9, fillstyle="none")
    for name, path in paths.items():
        color = RACE_COLORS[name]
        left.plot(path.points[:, 0], path.points[:, 1], "-", color=color, linewidth=1.2)
        if path.diverged:
            left.plot(*path.points[-1], "x", color=color, markersize=10, markeredgewidth=2.5)
        else:
            left.plot(*path.points[-1], "o", color=color, markersize=7)  # where it got to
        _loss_panel(right, path, color, _race_label(name, path))
    left.set_title(landscape.description, fontsize=10)
    right.set(xlabel="step", ylabel="loss (log scale)", xlim=(0, steps),
              title=f"{steps} steps from the same start")
    right.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig


def optimizer_race_widget() -> widgets.VBox:
    """One learning-rate slider per optimiser, and the number of steps."""
    controls = {
        "sgd_lr": float_slider("SGD lr", RACE_DEFAULTS["SGD"], 0.001, 0.025, 0.001, ".3f"),
        "momentum_lr": float_slider("momentum lr", RACE_DEFAULTS["momentum"], 0.0005, 0.03,
                                    0.0005, ".4f"),
        "adagrad_lr": float_slider("AdaGrad lr", RACE_DEFAULTS["AdaGrad"], 0.05, 2.0, 0.05),
        "rmsprop_lr": float_slider("RMSProp lr", RACE_DEFAULTS["RMSProp"], 0.005, 0.2, 0.005,
                                   ".3f"),
        "adam_lr": float_slider("Adam lr", RACE_DEFAULTS["Adam"], 0.01, 0.5, 0.01),
        "steps": int_slider("steps", 300, 20, 500, 10),
    }
    return figure_widget(draw_optimizer_race, controls)


__all__ = [
    "CONVERGED_RATIO",
    "LR_SURFACES",
    "RACE_DEFAULTS",
    "LogisticProblem",
    "TrainingRun",
    "basin_map",
    "draw_contours",
    "draw_learning_rate",
    "draw_optimizer_race",
    "fraction_of_minima",
    "gradient_noise",
    "learning_rate_regime",
    "learning_rate_run",
    "learning_rate_widget",
    "optimizer_race",
    "optimizer_race_widget",
    "overshoots",
    "train_minibatch",
]
