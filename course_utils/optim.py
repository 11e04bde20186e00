"""Optimisers in NumPy: the update rules of chapter 05, one step at a time.

Three layers, from the smallest up:

* **step functions** — :func:`sgd_step`, :func:`momentum_step`, :func:`adagrad_step`,
  :func:`rmsprop_step`, :func:`adam_step`. Each takes the parameters, their gradient and the
  optimiser's state, and *returns* new arrays; nothing passed in is modified.
* **optimiser objects** — :class:`SGD`, :class:`Momentum`, :class:`AdaGrad`, :class:`RMSProp`,
  :class:`Adam` (or :func:`make_optimizer` by name). They keep the state between steps, so
  ``params = opt.step(params, grad)`` is all a training loop needs. The learning rate may be a
  number or a schedule.
* **learning-rate schedules** — :func:`constant_schedule`, :func:`step_schedule`,
  :func:`cosine_schedule` and :func:`warmup_cosine_schedule`: functions from the step number
  (0, 1, 2, …) to a learning rate.

:func:`minibatch_indices` cuts a data set into shuffled mini-batches.

The formulas follow PyTorch's (``torch.optim``), so the same numbers come out of both; the
tests check it. Two conventions differ between textbooks and are worth knowing:

* momentum: PyTorch (and this module) accumulate ``v ← β·v + g``; some courses average instead,
  ``v ← β·v + (1 − β)·g``, which is the same direction with a step ``1 − β`` times smaller;
* RMSProp: PyTorch adds ε *outside* the square root, ``g / (√s + ε)``; some libraries add it
  inside, ``g / √(s + ε)``. The two differ only when ``s`` is tiny.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from typing import Any, TypeAlias

import numpy as np

from .validate import as_float_array, check_number, check_positive, check_whole

ArrayOrFloat: TypeAlias = "float | np.ndarray"
Schedule: TypeAlias = Callable[[int], float]


# --- input checks a learner can read -------------------------------------------------------


def _finite(x: Any, name: str, what: str) -> np.ndarray:
    """``x`` as a float64 array of finite numbers, or an error saying what is wrong."""
    array = as_float_array(x, name, what)
    if not np.isfinite(array).all():  # the usual cause deserves its own message
        bad = "nan" if np.isnan(array).any() else "inf"
        raise ValueError(f"{name}: {what} contains {bad}. Something before this step blew up: "
                         "often a learning rate so large that the parameters diverged.")
    return array


def _same_shape(array: np.ndarray, params: np.ndarray, name: str, what: str) -> np.ndarray:
    if array.shape != params.shape:
        raise ValueError(f"{name}: params has shape {params.shape} but {what} has shape "
                         f"{array.shape}. There is one {what} entry per parameter, so the "
                         "shapes must match.")
    return array


def _lr(value: Any, name: str) -> float:
    value = check_number(value, name, "the learning rate lr")
    if value < 0:
        raise ValueError(f"{name}: the learning rate lr must be 0 or more, got {value}. A "
                         "negative learning rate walks uphill.")
    return value


def _decay(value: Any, name: str, what: str) -> float:
    value = check_number(value, name, what)
    if not 0 <= value < 1:
        raise ValueError(f"{name}: {what} must be at least 0 and below 1 (typical values are "
                         f"0.9 to 0.999), got {value}. It is the fraction of the old average "
                         "kept at each step; 1 or more would never forget.")
    return value


def _step_number(t: Any, name: str) -> int:
    if isinstance(t, bool) or not isinstance(t, (int, np.integer)):
        raise TypeError(f"{name}: the step number t must be a whole number, not "
                        f"{type(t).__name__}")
    if t < 1:
        raise ValueError(f"{name}: the step number t counts from 1 (the first update is t = 1), "
                         f"got {t}. With t = 0 the bias correction 1 − β**t is 0, and dividing "
                         "by it gives inf.")
    return int(t)


def _restore(array: np.ndarray) -> ArrayOrFloat:
    """A Python float for a single number, the array otherwise."""
    return float(array) if array.ndim == 0 else array


# --- step functions -------------------------------------------------------------------------


def sgd_step(params: Any, grad: Any, lr: float) -> ArrayOrFloat:
    """One step of gradient descent: ``params − lr · grad``.

    The gradient points uphill, so stepping against it lowers the loss (for a small enough
    ``lr``). Works for a single number or an array of any shape; returns a new array.
    """
    p = _finite(params, "sgd_step", "params")
    g = _same_shape(_finite(grad, "sgd_step", "grad"), p, "sgd_step", "grad")
    return _restore(p - _lr(lr, "sgd_step") * g)


def momentum_step(params: Any, grad: Any, velocity: Any, lr: float,
                  beta: float = 0.9) -> tuple[ArrayOrFloat, ArrayOrFloat]:
    """Gradient descent with momentum ("heavy ball"); returns ``(params, velocity)``.

    ``velocity ← beta · velocity + grad`` and ``params ← params − lr · velocity``: the velocity
    is a running sum of past gradients that fades by ``beta`` per step. Directions in which the
    gradient keeps its sign build up speed (up to ``1 / (1 − beta)`` times the plain step);
    directions in which it flips sign cancel out. Start with ``velocity = 0``. This is
    ``torch.optim.SGD(momentum=beta)`` with its default ``dampening=0``.
    """
    name = "momentum_step"
    p = _finite(params, name, "params")
    g = _same_shape(_finite(grad, name, "grad"), p, name, "grad")
    v = _same_shape(_finite(velocity, name, "velocity"), p, name, "velocity")
    v = _decay(beta, name, "beta") * v + g
    return _restore(p - _lr(lr, name) * v), _restore(v)


def adagrad_step(params: Any, grad: Any, sum_sq: Any, lr: float,
                 eps: float = 1e-10) -> tuple[ArrayOrFloat, ArrayOrFloat]:
    """AdaGrad; returns ``(params, sum_sq)``.

    ``sum_sq ← sum_sq + grad²`` (every squared gradient so far, per parameter) and
    ``params ← params − lr · grad / (√sum_sq + eps)``. A parameter with large gradients gets
    small steps and vice versa. Because the sum only grows, every step size shrinks for ever,
    which can stop training too early. Start with ``sum_sq = 0``. Matches ``torch.optim.Adagrad``.
    """
    name = "adagrad_step"
    p = _finite(params, name, "params")
    g = _same_shape(_finite(grad, name, "grad"), p, name, "grad")
    s = _same_shape(_finite(sum_sq, name, "sum_sq"), p, name, "sum_sq") + g * g
    return _restore(p - _lr(lr, name) * g / (np.sqrt(s) + check_positive(eps, name, "eps"))), _restore(s)


def rmsprop_step(params: Any, grad: Any, sq_avg: Any, lr: float, alpha: float = 0.99,
                 eps: float = 1e-8) -> tuple[ArrayOrFloat, ArrayOrFloat]:
    """RMSProp; returns ``(params, sq_avg)``.

    ``sq_avg ← alpha · sq_avg + (1 − alpha) · grad²`` is a *fading* average of squared
    gradients (AdaGrad's sum never forgets; this does), and
    ``params ← params − lr · grad / (√sq_avg + eps)``. Start with ``sq_avg = 0``. Matches
    ``torch.optim.RMSprop``, which adds ``eps`` outside the square root.
    """
    name = "rmsprop_step"
    p = _finite(params, name, "params")
    g = _same_shape(_finite(grad, name, "grad"), p, name, "grad")
    s = _same_shape(_finite(sq_avg, name, "sq_avg"), p, name, "sq_avg")
    alpha = _decay(alpha, name, "alpha")
    s = alpha * s + (1 - alpha) * g * g
    return _restore(p - _lr(lr, name) * g / (np.sqrt(s) + check_positive(eps, name, "eps"))), _restore(s)


def adam_step(params: Any, grad: Any, m: Any, v: Any, t: int, lr: float = 1e-3,
              beta1: float = 0.9, beta2: float = 0.999,
              eps: float = 1e-8) -> tuple[ArrayOrFloat, ArrayOrFloat, ArrayOrFloat]:
    """One Adam update; returns ``(params, m, v)``.

    * ``m ← beta1 · m + (1 − beta1) · grad``: a fading average of gradients (momentum);
    * ``v ← beta2 · v + (1 − beta2) · grad²``: a fading average of squared gradients (RMSProp);
    * bias correction ``m̂ = m / (1 − beta1**t)``, ``v̂ = v / (1 − beta2**t)``: both averages
      start at 0, so early on they are too small; dividing fixes that exactly;
    * ``params ← params − lr · m̂ / (√v̂ + eps)``.

    ``t`` is the number of this update, counting from 1; start with ``m = v = 0``. Matches
    ``torch.optim.Adam``.
    """
    name = "adam_step"
    p = _finite(params, name, "params")
    g = _same_shape(_finite(grad, name, "grad"), p, name, "grad")
    m = _same_shape(_finite(m, name, "m"), p, name, "m")
    v = _same_shape(_finite(v, name, "v"), p, name, "v")
    t = _step_number(t, name)
    beta1, beta2 = _decay(beta1, name, "beta1"), _decay(beta2, name, "beta2")
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    p = p - _lr(lr, name) * m_hat / (np.sqrt(v_hat) + check_positive(eps, name, "eps"))
    return _restore(p), _restore(m), _restore(v)


# --- learning-rate schedules -------------------------------------------------------------


def _step_index(step: Any, name: str) -> int:
    return check_whole(step, name, "the step number", minimum=0)


def constant_schedule(lr: float) -> Schedule:
    """The same learning rate at every step."""
    lr = _lr(lr, "constant_schedule")

    def schedule(step: int) -> float:
        _step_index(step, "constant_schedule")
        return lr

    schedule.__name__ = f"constant(lr={lr:g})"
    return schedule


def step_schedule(lr: float, step_size: int, gamma: float = 0.1) -> Schedule:
    """Multiply the learning rate by ``gamma`` every ``step_size`` steps (a staircase).

    ``lr · gamma ** (step // step_size)``, like ``torch.optim.lr_scheduler.StepLR``.
    """
    name = "step_schedule"
    lr, step_size = _lr(lr, name), check_whole(step_size, name, "step_size", minimum=1)
    gamma = check_positive(gamma, name, "gamma")

    def schedule(step: int) -> float:
        return lr * gamma ** (_step_index(step, name) // step_size)

    schedule.__name__ = f"step(lr={lr:g}, every {step_size}, ×{gamma:g})"
    return schedule


def cosine_schedule(lr: float, total_steps: int, lr_min: float = 0.0) -> Schedule:
    """Glide from ``lr`` down to ``lr_min`` along half a cosine over ``total_steps`` steps.

    ``lr_min + (lr − lr_min) · (1 + cos(π · step / total_steps)) / 2``, like
    ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=total_steps)``; it stays at ``lr_min``
    after ``total_steps``.
    """
    name = "cosine_schedule"
    lr, lr_min = _lr(lr, name), _lr(lr_min, name)
    if lr_min > lr:
        raise ValueError(f"{name}: lr_min ({lr_min:g}) must not be above lr ({lr:g})")
    total_steps = check_whole(total_steps, name, "total_steps", minimum=1)

    def schedule(step: int) -> float:
        progress = min(_step_index(step, name), total_steps) / total_steps
        return lr_min + (lr - lr_min) * (1 + math.cos(math.pi * progress)) / 2

    schedule.__name__ = f"cosine(lr={lr:g} → {lr_min:g} over {total_steps})"
    return schedule


def warmup_cosine_schedule(lr: float, total_steps: int, warmup_steps: int,
                           lr_min: float = 0.0) -> Schedule:
    """Warm up linearly for ``warmup_steps`` steps, then follow a cosine down to ``lr_min``.

    During warm-up step ``s`` gets ``lr · (s + 1) / warmup_steps`` (so the first step is small
    but not zero); the cosine then covers the remaining ``total_steps − warmup_steps`` steps.
    Warm-up protects the first steps, when the optimiser's averages know little yet.
    """
    name = "warmup_cosine_schedule"
    total_steps = check_whole(total_steps, name, "total_steps", minimum=1)
    warmup_steps = check_whole(warmup_steps, name, "warmup_steps", minimum=0)
    if warmup_steps >= total_steps:
        raise ValueError(f"{name}: warmup_steps ({warmup_steps}) must be smaller than "
                         f"total_steps ({total_steps}), or nothing is left for the decay")
    lr = _lr(lr, name)
    cosine = cosine_schedule(lr, total_steps - warmup_steps, lr_min)

    def schedule(step: int) -> float:
        step = _step_index(step, name)
        if step < warmup_steps:
            return lr * (step + 1) / warmup_steps
        return cosine(step - warmup_steps)

    schedule.__name__ = f"warmup {warmup_steps} + cosine(lr={lr:g} over {total_steps})"
    return schedule


def schedule_values(schedule: Schedule, steps: int) -> np.ndarray:
    """The learning rate of ``schedule`` at steps 0, 1, …, ``steps − 1`` (for plotting)."""
    if not callable(schedule):
        raise TypeError(f"schedule_values needs a schedule (a function from step to learning "
                        f"rate), got {type(schedule).__name__}")
    steps = check_whole(steps, "schedule_values", "steps", minimum=1)
    return np.array([float(schedule(s)) for s in range(steps)])


# --- optimiser objects: the step functions plus their state -----------------------------


class Optimizer:
    """Base class: keeps the step count and the learning rate (a number or a schedule).

    ``params = opt.step(params, grad)`` applies one update and returns the new parameters.
    ``opt.reset()`` forgets the state, for a fresh run.
    """

    name = "optimizer"

    def __init__(self, lr: float | Schedule) -> None:
        if callable(lr):
            self.schedule: Schedule = lr
        else:
            self.schedule = constant_schedule(_lr(lr, type(self).__name__))
        self.t = 0  # updates done so far
        self.state: dict[str, np.ndarray] = {}

    @property
    def lr(self) -> float:
        """The learning rate the next update will use."""
        return float(self.schedule(self.t))

    def reset(self) -> None:
        self.t = 0
        self.state = {}

    def step(self, params: Any, grad: Any) -> ArrayOrFloat:
        p = _finite(params, f"{type(self).__name__}.step", "params")
        for key in self._state_names:
            self.state.setdefault(key, np.zeros_like(p))
            if self.state[key].shape != p.shape:
                raise ValueError(f"{type(self).__name__}.step: params has shape {p.shape}, but "
                                 f"earlier steps had shape {self.state[key].shape}. Call "
                                 "reset() before optimising different parameters.")
        lr = self.lr
        self.t += 1
        return self._update(p, grad, lr)

    _state_names: tuple[str, ...] = ()

    def _update(self, params: np.ndarray, grad: Any, lr: float) -> ArrayOrFloat:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}({getattr(self.schedule, '__name__', 'schedule')})"


class SGD(Optimizer):
    """Plain gradient descent: ``params − lr · grad``."""

    name = "SGD"

    def _update(self, params: np.ndarray, grad: Any, lr: float) -> ArrayOrFloat:
        return sgd_step(params, grad, lr)


class Momentum(Optimizer):
    """Gradient descent with momentum (see :func:`momentum_step`)."""

    name = "momentum"
    _state_names = ("velocity",)

    def __init__(self, lr: float | Schedule, beta: float = 0.9) -> None:
        super().__init__(lr)
        self.beta = _decay(beta, "Momentum", "beta")

    def _update(self, params: np.ndarray, grad: Any, lr: float) -> ArrayOrFloat:
        params, self.state["velocity"] = momentum_step(params, grad, self.state["velocity"],
                                                       lr, self.beta)
        self.state["velocity"] = np.asarray(self.state["velocity"])
        return params


class AdaGrad(Optimizer):
    """AdaGrad (see :func:`adagrad_step`)."""

    name = "AdaGrad"
    _state_names = ("sum_sq",)

    def __init__(self, lr: float | Schedule, eps: float = 1e-10) -> None:
        super().__init__(lr)
        self.eps = check_positive(eps, "AdaGrad", "eps")

    def _update(self, params: np.ndarray, grad: Any, lr: float) -> ArrayOrFloat:
        params, s = adagrad_step(params, grad, self.state["sum_sq"], lr, self.eps)
        self.state["sum_sq"] = np.asarray(s)
        return params


class RMSProp(Optimizer):
    """RMSProp (see :func:`rmsprop_step`)."""

    name = "RMSProp"
    _state_names = ("sq_avg",)

    def __init__(self, lr: float | Schedule, alpha: float = 0.99, eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.alpha = _decay(alpha, "RMSProp", "alpha")
        self.eps = check_positive(eps, "RMSProp", "eps")

    def _update(self, params: np.ndarray, grad: Any, lr: float) -> ArrayOrFloat:
        params, s = rmsprop_step(params, grad, self.state["sq_avg"], lr, self.alpha, self.eps)
        self.state["sq_avg"] = np.asarray(s)
        return params


class Adam(Optimizer):
    """Adam (see :func:`adam_step`)."""

    name = "Adam"
    _state_names = ("m", "v")

    def __init__(self, lr: float | Schedule = 1e-3, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8) -> None:
        super().__init__(lr)
        self.beta1 = _decay(beta1, "Adam", "beta1")
        self.beta2 = _decay(beta2, "Adam", "beta2")
        self.eps = check_positive(eps, "Adam", "eps")

    def _update(self, params: np.ndarray, grad: Any, lr: float) -> ArrayOrFloat:
        params, m, v = adam_step(params, grad, self.state["m"], self.state["v"], self.t, lr,
                                 self.beta1, self.beta2, self.eps)
        self.state["m"], self.state["v"] = np.asarray(m), np.asarray(v)
        return params


OPTIMIZERS: dict[str, type[Optimizer]] = {
    "SGD": SGD, "momentum": Momentum, "AdaGrad": AdaGrad, "RMSProp": RMSProp, "Adam": Adam,
}


def make_optimizer(name: str, lr: float | Schedule, **options: Any) -> Optimizer:
    """An optimiser by name (``"SGD"``, ``"momentum"``, ``"AdaGrad"``, ``"RMSProp"``, ``"Adam"``)."""
    if name not in OPTIMIZERS:
        raise ValueError(f"unknown optimiser {name!r}; choose one of {', '.join(OPTIMIZERS)}")
    return OPTIMIZERS[name](lr, **options)


# --- mini-batches ------------------------------------------------------------------------


def minibatch_indices(n: int, batch_size: int, rng: np.random.Generator | None = None,
                      shuffle: bool = True) -> Iterator[np.ndarray]:
    """The index arrays of one epoch: ``n`` examples cut into batches of ``batch_size``.

    With ``shuffle`` the order is a fresh random permutation drawn from ``rng`` (pass the same
    generator every epoch, so each epoch gets a new order); without, the examples come in the
    order they are stored. The last batch is smaller when ``batch_size`` does not divide ``n``.
    """
    name = "minibatch_indices"
    n = check_whole(n, name, "n (the number of examples)", minimum=1)
    batch_size = check_whole(batch_size, name, "batch_size", minimum=1)
    if shuffle:
        if rng is None:
            raise ValueError(f"{name}: shuffling needs a random generator, e.g. "
                             "rng = np.random.default_rng(0), so that runs are repeatable")
        order = rng.permutation(n)
    else:
        order = np.arange(n)
    for start in range(0, n, batch_size):
        yield order[start:start + batch_size]


__all__ = [
    "OPTIMIZERS",
    "AdaGrad",
    "Adam",
    "Momentum",
    "Optimizer",
    "RMSProp",
    "SGD",
    "Schedule",
    "adagrad_step",
    "adam_step",
    "constant_schedule",
    "cosine_schedule",
    "make_optimizer",
    "minibatch_indices",
    "momentum_step",
    "rmsprop_step",
    "schedule_values",
    "sgd_step",
    "step_schedule",
    "warmup_cosine_schedule",
]
