"""Loss landscapes: surfaces to walk down, and the walks (chapter 05).

A :class:`Landscape` is a loss function of a few parameters together with its gradient, the
window to draw it in, a starting point, and its known minima and saddle points:

* :func:`bowl_1d` and :func:`bowl_2d` — quadratics, where the learning-rate limits are exact;
* :func:`ravine` — a Rosenbrock-like valley: steep walls, an almost flat, curved floor;
* :func:`four_valleys` — four minima of two depths, four saddle points and a peak.

:func:`run_optimizer` walks any optimiser from :mod:`course_utils.optim` over a landscape and
returns the :class:`Path` it took. A run whose loss explodes is *stopped* and reported as
diverged (never a crash, never a picture full of nan); :func:`descend` is the same with plain
gradient descent. :func:`learning_rate_run` and :func:`optimizer_race` compute what the
chapter's two widgets show.

A real loss surface comes last: :class:`LogisticProblem`, logistic regression on data such as
MNIST digits, with mini-batch training (:func:`train_minibatch`) and a measurement of how
noisy a mini-batch gradient is (:func:`gradient_noise`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import optim
from .validate import check_number

Point = tuple[float, ...]


def _whole(value: Any, name: str, what: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: {what} must be a whole number, not {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name}: {what} must be at least {minimum}, got {value}")
    return int(value)


# --- landscapes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Landscape:
    """A loss surface over ``dim`` parameters, with its gradient and what is known about it.

    ``loss`` and ``grad`` take points as arrays whose *last* axis holds the ``dim`` coordinates:
    one point has shape ``(dim,)``, a grid of points ``(rows, cols, dim)``. ``loss`` drops that
    last axis; ``grad`` keeps it (one slope per coordinate).
    """

    name: str
    dim: int
    loss_fn: Callable[[np.ndarray], np.ndarray]
    grad_fn: Callable[[np.ndarray], np.ndarray]
    window: tuple[tuple[float, float], ...]
    start: Point
    minima: tuple[Point, ...] = ()
    saddles: tuple[Point, ...] = ()
    maxima: tuple[Point, ...] = ()
    curvatures: tuple[float, ...] = ()  # for quadratics: the curvature along each axis
    description: str = ""

    def _points(self, points: Any, what: str) -> np.ndarray:
        if points is None or isinstance(points, (str, bytes)):
            raise TypeError(f"{self.name}: {what} needs a point (an array of {self.dim} "
                            f"number{'s' if self.dim > 1 else ''}), not {type(points).__name__}")
        try:
            array = np.asarray(points, dtype=np.float64)
        except (TypeError, ValueError):
            raise TypeError(f"{self.name}: {what} needs numbers, not "
                            f"{type(points).__name__}") from None
        if self.dim == 1 and array.ndim == 0:
            array = array.reshape(1)
        if array.ndim == 0 or array.shape[-1] != self.dim:
            raise ValueError(f"{self.name}: {what} needs points with {self.dim} coordinate"
                             f"{'s' if self.dim > 1 else ''} in the last axis, got shape "
                             f"{array.shape}")
        return array

    def loss(self, points: Any) -> np.ndarray | float:
        """The loss at one point (a float) or at many (an array without the last axis)."""
        values = self.loss_fn(self._points(points, "loss"))
        return float(values) if np.ndim(values) == 0 else values

    def grad(self, points: Any) -> np.ndarray:
        """The gradient at one point or many: the direction of steepest *ascent*."""
        return self.grad_fn(self._points(points, "grad"))

    def grid(self, n: int = 200) -> tuple[np.ndarray, ...]:
        """Coordinates and loss on an ``n``-point grid over the window, for plotting.

        1-D: ``(w, loss)``; 2-D: ``(X, Y, loss)`` with arrays of shape ``(n, n)``.
        """
        n = _whole(n, "grid", "n", 2)
        axes = [np.linspace(lo, hi, n) for lo, hi in self.window]
        if self.dim == 1:
            return axes[0], self.loss_fn(axes[0][:, None])
        X, Y = np.meshgrid(*axes)
        return X, Y, self.loss_fn(np.stack([X, Y], axis=-1))

    @property
    def min_loss(self) -> float:
        """The lowest loss among the known minima (the global minimum)."""
        return min(float(self.loss(m)) for m in self.minima) if self.minima else -math.inf


def bowl_1d(curvature: float = 1.0) -> Landscape:
    """The 1-D quadratic ``loss(w) = curvature · w² / 2``, lowest at ``w = 0``.

    Gradient descent multiplies ``w`` by ``1 − lr · curvature`` at every step, so it crawls for a
    tiny ``lr``, zig-zags for ``lr > 1/curvature`` and diverges for ``lr > 2/curvature``.
    """
    a = check_number(curvature, "bowl_1d", "curvature")
    if a <= 0:
        raise ValueError(f"bowl_1d: curvature must be positive (a bowl opening upwards), got {a}")
    return Landscape(
        name="1-D bowl", dim=1,
        loss_fn=lambda p: 0.5 * a * p[..., 0] ** 2,
        grad_fn=lambda p: a * p,
        window=((-4.0, 4.0),), start=(3.0,), minima=((0.0,),), curvatures=(a,),
        description=f"loss(w) = {a:g} · w² / 2")


def bowl_2d(curvatures: Sequence[float] = (0.1, 1.0)) -> Landscape:
    """The stretched 2-D bowl ``loss(x, y) = (a·x² + b·y²) / 2``, lowest at the origin.

    The steep direction (the larger curvature) limits the learning rate; the flat one then
    decides how long the walk takes. Their ratio (the *condition number*) measures how hard the
    bowl is for plain gradient descent.
    """
    if isinstance(curvatures, (str, bytes)) or len(curvatures) != 2:
        raise ValueError("bowl_2d needs two curvatures (a, b), one per axis")
    a, b = (check_number(c, "bowl_2d", "each curvature") for c in curvatures)
    if a <= 0 or b <= 0:
        raise ValueError(f"bowl_2d: curvatures must be positive, got ({a}, {b})")
    scale = np.array([a, b])
    half_x = min(10.0, 4.0 / math.sqrt(min(a / b, b / a)))
    wide = (-half_x, half_x) if a < b else (-4.0, 4.0)
    tall = (-4.0, 4.0) if a < b else (-half_x, half_x)
    start = (0.9 * wide[0], 0.75 * tall[1])
    return Landscape(
        name="2-D bowl", dim=2,
        loss_fn=lambda p: 0.5 * (a * p[..., 0] ** 2 + b * p[..., 1] ** 2),
        grad_fn=lambda p: p * scale,
        window=(wide, tall), start=start, minima=((0.0, 0.0),), curvatures=(a, b),
        description=f"loss(x, y) = ({a:g}·x² + {b:g}·y²) / 2")


def ravine(steepness: float = 10.0) -> Landscape:
    """A Rosenbrock-like valley: ``loss(x, y) = (1 − x)² + steepness · (y − x²)²``.

    The walls (across the curved line ``y = x²``) are steep, the floor along it is nearly flat,
    and the minimum sits at (1, 1) with loss 0. The classic Rosenbrock function uses
    steepness 100; a gentler one keeps the race short enough to watch.
    """
    s = check_number(steepness, "ravine", "steepness")
    if s <= 0:
        raise ValueError(f"ravine: steepness must be positive, got {s}")

    def loss_fn(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return (1 - x) ** 2 + s * (y - x * x) ** 2

    def grad_fn(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        wall = y - x * x
        return np.stack([-2 * (1 - x) - 4 * s * x * wall, 2 * s * wall], axis=-1)

    return Landscape(
        name="ravine", dim=2, loss_fn=loss_fn, grad_fn=grad_fn,
        window=((-2.0, 2.0), (-1.0, 3.0)), start=(-1.5, 2.5), minima=((1.0, 1.0),),
        description=f"loss(x, y) = (1 − x)² + {s:g} · (y − x²)²")


def _cubic_roots(tilt: float) -> np.ndarray:
    """The real roots of 4x³ − 4x + tilt = 0 (where (x² − 1)² + tilt·x is flat), ascending."""
    roots = np.roots([4.0, 0.0, -4.0, tilt])
    return np.sort(roots[np.abs(roots.imag) < 1e-9].real)


def four_valleys(tilt: float = 0.3) -> Landscape:
    """``loss(x, y) = (x² − 1)² + tilt · x + (y² − 1)²``: four minima, four saddles, one peak.

    Each of the two terms is a double well, so the surface has a valley near each corner
    (±1, ±1). The tilt makes the two valleys on the left (x < 0) deeper than the two on the
    right. Between neighbouring valleys sit saddle points (flat, but downhill both ways across
    the pass), and in the middle a peak. Which valley gradient descent reaches depends only on
    where it starts.
    """
    k = check_number(tilt, "four_valleys", "tilt")
    if not 0 <= k < 1.5:
        raise ValueError(f"four_valleys: tilt must be between 0 and 1.5 (a larger tilt removes "
                         f"the right-hand valleys), got {k}")

    def loss_fn(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return (x * x - 1) ** 2 + k * x + (y * y - 1) ** 2

    def grad_fn(p: np.ndarray) -> np.ndarray:
        x, y = p[..., 0], p[..., 1]
        return np.stack([4 * x * (x * x - 1) + k, 4 * y * (y * y - 1)], axis=-1)

    x_low, x_top, x_high = (float(r) for r in _cubic_roots(k))  # left min, bump, right min
    minima = tuple((x, y) for x in (x_low, x_high) for y in (-1.0, 1.0))
    saddles = ((x_low, 0.0), (x_high, 0.0), (x_top, -1.0), (x_top, 1.0))
    return Landscape(
        name="four valleys", dim=2, loss_fn=loss_fn, grad_fn=grad_fn,
        window=((-2.0, 2.0), (-2.0, 2.0)), start=(-0.2, 0.3), minima=minima,
        saddles=saddles, maxima=((x_top, 0.0),),
        description=f"loss(x, y) = (x² − 1)² + {k:g}·x + (y² − 1)²")


LANDSCAPES: dict[str, Callable[[], Landscape]] = {
    "1-D bowl": bowl_1d, "2-D bowl": bowl_2d, "ravine": ravine, "four valleys": four_valleys,
}


def numeric_gradient(f: Callable[[np.ndarray], Any], point: Any, h: float = 1e-5) -> np.ndarray:
    """Estimate the gradient of ``f`` at ``point`` by central differences, one axis at a time.

    ``f`` takes a 1-D array of parameters and returns one number. Costs two calls of ``f`` per
    parameter, which is why real training computes gradients analytically (chapter 06).
    """
    if not callable(f):
        raise TypeError(f"numeric_gradient needs a function f, got {type(f).__name__}")
    h = check_number(h, "numeric_gradient", "the step h")
    if h <= 0:
        raise ValueError(f"numeric_gradient: the step h must be positive (e.g. 1e-5), got {h}")
    p = np.array(point, dtype=np.float64).ravel()
    grad = np.empty_like(p)
    for i in range(p.size):
        step = np.zeros_like(p)
        step[i] = h
        grad[i] = (float(f(p + step)) - float(f(p - step))) / (2 * h)
    return grad.reshape(np.shape(point))


def hessian(landscape: Landscape, point: Any, h: float = 1e-5) -> np.ndarray:
    """The matrix of second derivatives at ``point`` (central differences of the gradient).

    Its eigenvalues are the curvatures along its principal directions: all positive at a
    minimum, all negative at a peak, mixed signs at a saddle point.
    """
    p = landscape._points(point, "hessian").astype(np.float64)
    if p.ndim != 1:
        raise ValueError("hessian works at one point at a time")
    columns = []
    for i in range(landscape.dim):
        step = np.zeros_like(p)
        step[i] = h
        columns.append((landscape.grad(p + step) - landscape.grad(p - step)) / (2 * h))
    matrix = np.stack(columns, axis=1)
    return (matrix + matrix.T) / 2


def classify_point(landscape: Landscape, point: Any, tol: float = 1e-6) -> str:
    """``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"not flat"`` (the gradient is not zero)."""
    p = landscape._points(point, "classify_point")
    if np.linalg.norm(landscape.grad(p)) > 1e-4:
        return "not flat"
    curv = np.linalg.eigvalsh(hessian(landscape, p))
    if np.all(curv > tol):
        return "minimum"
    if np.all(curv < -tol):
        return "maximum"
    return "saddle" if (curv > tol).any() and (curv < -tol).any() else "flat (undecided)"


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
    steps, n = _whole(steps, "basin_map", "steps", 1), _whole(n, "basin_map", "n", 2)
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
    trials = _whole(trials, "fraction_of_minima", "trials", 1)
    rng = np.random.default_rng(seed)
    fractions = []
    for d in dims:
        d = _whole(d, "fraction_of_minima", "each dimension", 1)
        a = rng.normal(size=(trials, d, d))
        sym = (a + np.swapaxes(a, 1, 2)) / 2
        fractions.append(float(np.mean(np.linalg.eigvalsh(sym)[:, 0] > 0)))
    return np.array(fractions)


# --- walking over a landscape ------------------------------------------------------------

MAX_LOSS = 1e6  # a run whose loss passes this is called diverged and stopped


@dataclass
class Path:
    """Where an optimiser went: ``points`` (steps + 1, dim) and the ``losses`` along the way.

    ``status`` is ``"converged"`` (the gradient is practically zero at the end), ``"diverged"``
    (the loss exploded: the run was stopped at ``stopped_at`` and the last point kept is the
    last finite one) or ``"moving"`` (still on its way when the steps ran out).
    """

    points: np.ndarray
    losses: np.ndarray
    status: str
    stopped_at: int | None = None
    optimizer: str = ""
    lr: float = math.nan
    steps: int = 0

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"

    def summary(self) -> str:
        """One line for a plot title or a printout."""
        who = f"{self.optimizer} (lr = {self.lr:g})" if self.optimizer else "the walk"
        if self.diverged:
            return f"{who}: diverged at step {self.stopped_at}; stopped there"
        if self.status == "converged":
            return f"{who}: converged after {self.steps} steps, loss {self.final_loss:.3g}"
        if self.final_loss > self.losses[0]:
            return (f"{who}: getting worse, the loss grew from {self.losses[0]:.3g} to "
                    f"{self.final_loss:.3g} in {self.steps} steps")
        return f"{who}: still moving after {self.steps} steps, loss {self.final_loss:.3g}"


def run_optimizer(landscape: Landscape, optimizer: optim.Optimizer, start: Any = None,
                  steps: int = 100, max_loss: float = MAX_LOSS, grad_tol: float = 1e-4) -> Path:
    """Walk ``optimizer`` over ``landscape`` for ``steps`` steps from ``start`` (default: its own).

    The run stops early, with status ``"diverged"``, as soon as the loss passes ``max_loss`` or
    stops being a finite number; ``points`` and ``losses`` then end at the last finite point, so
    a diverging run can be drawn and reported like any other. The optimiser is reset first.
    """
    if not isinstance(landscape, Landscape):
        raise TypeError(f"run_optimizer needs a Landscape (e.g. ravine()), got "
                        f"{type(landscape).__name__}")
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"run_optimizer needs an optimiser from course_utils.optim (e.g. "
                        f"optim.SGD(0.1)), got {type(optimizer).__name__}")
    steps = _whole(steps, "run_optimizer", "steps", 0)
    max_loss = check_number(max_loss, "run_optimizer", "max_loss")
    point = landscape._points(landscape.start if start is None else start, "run_optimizer")
    if point.ndim != 1:
        raise ValueError(f"run_optimizer: start must be one point of {landscape.dim} numbers")
    optimizer.reset()
    points, losses = [point.copy()], [float(landscape.loss(point))]
    status, stopped_at = "moving", None
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(1, steps + 1):
            grad = landscape.grad(point)
            if not np.all(np.isfinite(grad)):
                status, stopped_at = "diverged", step
                break
            new = np.atleast_1d(optimizer.step(point, grad))
            loss = float(landscape.loss(new))
            if not (np.all(np.isfinite(new)) and math.isfinite(loss)) or loss > max_loss:
                status, stopped_at = "diverged", step
                break
            point = new
            points.append(point.copy())
            losses.append(loss)
    if status != "diverged" and np.linalg.norm(landscape.grad(point)) < grad_tol:
        status = "converged"
    lr = optimizer.schedule(0)
    return Path(np.array(points), np.array(losses), status, stopped_at,
                optimizer=optimizer.name, lr=float(lr), steps=len(points) - 1)


def descend(landscape: Landscape, lr: float, steps: int = 50, start: Any = None,
            max_loss: float = MAX_LOSS) -> Path:
    """Plain gradient descent (``p ← p − lr · ∇loss(p)``) over ``landscape``; see :func:`run_optimizer`."""
    return run_optimizer(landscape, optim.SGD(lr), start, steps, max_loss)


def overshoots(path: Path, target: Any) -> int:
    """How often the walk jumped past ``target`` along some axis (a sign change of p − target)."""
    offset = path.points - np.asarray(target, dtype=float)
    signs = np.sign(offset)
    return int(np.sum((signs[1:] * signs[:-1]) < 0))


# --- what the widgets show -------------------------------------------------------------------

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
    steps = _whole(steps, "learning_rate_run", "steps", 1)
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


RACE_OPTIMIZERS = ("SGD", "momentum", "AdaGrad", "RMSProp", "Adam")


def optimizer_race(lrs: Mapping[str, float], steps: int = 300,
                   landscape: Landscape | None = None, start: Any = None) -> dict[str, Path]:
    """What the race widget shows: each optimiser in ``lrs`` (name → learning rate) on the ravine.

    Every optimiser starts from the same point and takes the same number of steps; one that
    diverges is stopped and marked, the others carry on.
    """
    if not isinstance(lrs, Mapping) or not lrs:
        raise TypeError("optimizer_race needs a dict of learning rates, e.g. {'SGD': 0.01}")
    landscape = ravine() if landscape is None else landscape
    steps = _whole(steps, "optimizer_race", "steps", 1)
    paths = {}
    for name, lr in lrs.items():
        paths[name] = run_optimizer(landscape, optim.make_optimizer(name, lr), start, steps)
    return paths


# --- a real loss surface: logistic regression ------------------------------------------------


def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


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
        X = np.asarray(self.X, dtype=np.float64)
        y = np.asarray(self.y, dtype=np.float64)
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
        p = np.asarray(params, dtype=np.float64)
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
        return Xb.T @ (_sigmoid(Xb @ p) - y) / len(y)

    def accuracy(self, params: Any, X: Any = None, y: Any = None) -> float:
        """Fraction classified correctly (probability above ½ means class 1)."""
        p = np.asarray(params, dtype=np.float64)
        if X is None:
            Xb, y = self._Xb, self.y
        else:
            X = np.asarray(X, dtype=np.float64)
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
    batch_size = _whole(batch_size, "train_minibatch", "batch_size", 1)
    if batch_size > len(problem):
        raise ValueError(f"train_minibatch: batch_size {batch_size} is larger than the data set "
                         f"({len(problem)} examples)")
    epochs = _whole(epochs, "train_minibatch", "epochs", 1)
    record_every = _whole(record_every, "train_minibatch", "record_every", 1)
    rng = np.random.default_rng(seed)
    p = np.zeros(problem.n_params) if params is None else np.array(params, dtype=np.float64)
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
    batches = _whole(batches, "gradient_noise", "batches", 1)
    rng = np.random.default_rng(seed)
    full = problem.grad(params)
    result = {}
    for B in batch_sizes:
        B = _whole(B, "gradient_noise", "each batch size", 1)
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


__all__ = [
    "LANDSCAPES",
    "Landscape",
    "LogisticProblem",
    "Path",
    "TrainingRun",
    "bowl_1d",
    "basin_map",
    "bowl_2d",
    "classify_point",
    "descend",
    "four_valleys",
    "fraction_of_minima",
    "gradient_noise",
    "hessian",
    "learning_rate_regime",
    "learning_rate_run",
    "numeric_gradient",
    "optimizer_race",
    "overshoots",
    "ravine",
    "run_optimizer",
    "train_minibatch",
]
