"""Loss landscapes: surfaces to walk down, and the walks over them.

A :class:`Landscape` is a loss function of a few parameters together with its gradient, the
window to draw it in, a starting point, and its known minima and saddle points:

* :func:`bowl_1d` and :func:`bowl_2d` — quadratics, where the learning-rate limits are exact;
* :func:`ravine` — a Rosenbrock-like valley: steep walls, an almost flat, curved floor;
* :func:`four_valleys` — four minima of two depths, four saddle points and a peak.

:func:`numeric_gradient`, :func:`hessian` and :func:`classify_point` measure the ground at a
point: its slopes, its curvatures, and whether a flat point is a minimum, a peak or a saddle.

:func:`run_optimizer` walks any optimiser from :mod:`course_utils.optim` over a landscape and
returns the :class:`Path` it took. A run whose loss explodes is *stopped* and reported as
diverged (never a crash, never a picture full of nan); :func:`descend` is the same with plain
gradient descent.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import optim
from .validate import as_float_array, check_number, check_whole

Point = tuple[float, ...]


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
        """``points`` as a float array whose last axis holds ``dim`` coordinates."""
        array = as_float_array(points, self.name, f"the point given to {what}")
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
        n = check_whole(n, "grid", "n", 2)
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
    p = as_float_array(point, "numeric_gradient", "the point").ravel()
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
    p = landscape._points(point, "hessian")
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
    steps = check_whole(steps, "run_optimizer", "steps", 0)
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


__all__ = [
    "LANDSCAPES",
    "MAX_LOSS",
    "Landscape",
    "Path",
    "bowl_1d",
    "bowl_2d",
    "classify_point",
    "descend",
    "four_valleys",
    "hessian",
    "numeric_gradient",
    "ravine",
    "run_optimizer",
]
