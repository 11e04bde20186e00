"""Activation functions: the sigmoid and its relatives (chapter 01 builds these).

Every function takes a number or a NumPy array and returns the same kind of thing: a Python
``float`` for a number, an array of the same shape for an array. Integer input is treated as
float; ``float32`` input stays ``float32`` so that float32 effects can be shown.

The reference :func:`sigmoid` is *numerically stable*: it never asks ``np.exp`` for anything
bigger than ``e**0 = 1``, so it cannot overflow for any float, however large. The textbook
formula is kept as :func:`naive_sigmoid` to show what goes wrong without that care.

Derivatives sit next to their functions, and :func:`numeric_derivative` (central differences)
checks any of them without calculus.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeAlias

import numpy as np

from .validate import as_float_array, check_number

ArrayOrFloat: TypeAlias = "float | np.ndarray"


def _numbers(x: Any, name: str, what: str = "x") -> tuple[np.ndarray, bool]:
    """``x`` as a float array, and whether it was a single number; a clear error otherwise.

    float32 input stays float32 (chapter 01 shows where float32 overflows); everything else
    becomes float64.
    """
    array = as_float_array(x, name, what)
    if getattr(x, "dtype", None) == np.float32:
        array = array.astype(np.float32)
    return array, array.ndim == 0


def _restore(values: np.ndarray, scalar: bool) -> ArrayOrFloat:
    """Give back a Python float for a single number, an array otherwise."""
    return float(values) if scalar else values


# --- the sigmoid -------------------------------------------------------------------------


def naive_sigmoid(x: Any) -> ArrayOrFloat:
    """The textbook formula ``1 / (1 + e**-x)``, exactly as written.

    Correct for ordinary inputs, but for large negative ``x`` the intermediate ``e**-x`` is
    bigger than the largest float (``x < -709.78`` in float64, ``x < -88.72`` in float32): NumPy
    warns ``overflow encountered in exp`` and works with ``inf``. Use :func:`sigmoid` instead.
    """
    array, scalar = _numbers(x, "naive_sigmoid")
    return _restore(1.0 / (1.0 + np.exp(-array)), scalar)


def sigmoid(x: Any) -> ArrayOrFloat:
    """The logistic sigmoid ``σ(x) = 1 / (1 + e**-x)``, computed without overflow.

    For ``x >= 0`` it uses ``1 / (1 + e**-x)``; for ``x < 0`` the same value written as
    ``e**x / (1 + e**x)``. Both only ever compute ``e**-|x|``, a number in (0, 1], so no input
    (not even ``±1e308`` or ``±inf``) can overflow. ``nan`` gives ``nan``.
    """
    array, scalar = _numbers(x, "sigmoid")
    with np.errstate(under="ignore"):  # e**-|x| rounding to 0 is the right answer, not an error
        z = np.exp(-np.abs(array))
        values = np.where(array >= 0, 1.0 / (1.0 + z), z / (1.0 + z))
    return _restore(values, scalar)


def sigmoid_derivative(x: Any) -> ArrayOrFloat:
    """``σ'(x) = σ(x) · (1 − σ(x))``: the slope of the sigmoid, at most 1/4 (at ``x = 0``)."""
    array, scalar = _numbers(x, "sigmoid_derivative")
    s = sigmoid(array)
    return _restore(s * (1.0 - s), scalar)


def logit(p: Any) -> ArrayOrFloat:
    """The inverse of the sigmoid: ``logit(p) = ln(p / (1 − p))``, the log-odds of ``p``.

    ``p`` must lie strictly between 0 and 1: it is a probability that the sigmoid can produce.
    """
    array, scalar = _numbers(p, "logit", "p")
    bad = ~((array > 0) & (array < 1))  # also catches nan
    if bad.any():
        first = float(array[bad].flat[0])
        raise ValueError(
            f"logit needs probabilities strictly between 0 and 1, got {first!r}. No finite "
            "score x has σ(x) exactly 0 or 1 (logit would be −∞ or +∞); if the value came from "
            "a sigmoid, the float rounded (in float64 σ(x) is exactly 1.0 once x ≥ 37). Values "
            "outside [0, 1] are not probabilities at all."
        )
    return _restore(np.log(array) - np.log1p(-array), scalar)  # log1p: accurate for tiny p


# --- any base: why e? -------------------------------------------------------------------


def _check_base(base: Any, name: str) -> float:
    base = check_number(base, name, "base")
    if base <= 0:
        raise ValueError(f"{name}: base must be positive, got {base}. A negative base raised to "
                         "a fractional power is not a real number (try (-2) ** 0.5).")
    if base == 1:
        raise ValueError(f"{name}: base 1 gives a flat line: 1 ** -x = 1 for every x, so the "
                         "curve is 1 / (1 + 1) = 0.5 everywhere and tells nothing about x. "
                         "Use a base above 1, such as 2, e or 10.")
    return base


def base_sigmoid(x: Any, base: float = math.e, steepness: float = 1.0,
                 shift: float = 0.0) -> ArrayOrFloat:
    """A sigmoid with any base: ``1 / (1 + base ** (−steepness · (x − shift)))``.

    Because ``b**t = e**(t·ln b)``, this equals ``σ(steepness · ln(base) · (x − shift))``: the
    base only rescales x. It is computed that way, so it is as stable as :func:`sigmoid`.
    A base between 0 and 1 gives a falling curve (``ln b < 0``); base 1 and bases ≤ 0 are
    errors.
    """
    array, scalar = _numbers(x, "base_sigmoid")
    base = _check_base(base, "base_sigmoid")
    steepness = check_number(steepness, "base_sigmoid", "steepness")
    shift = check_number(shift, "base_sigmoid", "shift")
    with np.errstate(over="ignore"):  # a rescaled x of ±inf is fine: σ(±inf) is exactly 1 or 0
        t = steepness * math.log(base) * (array - shift)
    return _restore(sigmoid(t), scalar)


def base_sigmoid_derivative(x: Any, base: float = math.e, steepness: float = 1.0,
                            shift: float = 0.0) -> ArrayOrFloat:
    """Slope of :func:`base_sigmoid`: ``steepness · ln(base) · s · (1 − s)``.

    The chain rule brings out the factor ``steepness · ln(base)``; it is 1 only for base e with
    steepness 1, which is why the natural sigmoid has the tidy derivative ``σ(1 − σ)``.
    """
    array, scalar = _numbers(x, "base_sigmoid_derivative")
    base = _check_base(base, "base_sigmoid_derivative")
    steepness = check_number(steepness, "base_sigmoid_derivative", "steepness")
    shift = check_number(shift, "base_sigmoid_derivative", "shift")
    s = base_sigmoid(array, base, steepness, shift)
    return _restore(steepness * math.log(base) * s * (1.0 - s), scalar)


# --- relatives: tanh and ReLU ------------------------------------------------------------


def tanh(x: Any) -> ArrayOrFloat:
    """Hyperbolic tangent, range (−1, 1). It is a stretched sigmoid: ``tanh(x) = 2σ(2x) − 1``.

    Computed with ``np.tanh``, which is accurate near 0 (``2σ(2x) − 1`` loses digits there).
    """
    array, scalar = _numbers(x, "tanh")
    return _restore(np.tanh(array), scalar)


def tanh_derivative(x: Any) -> ArrayOrFloat:
    """``tanh'(x) = 1 − tanh(x)²``: 1 at ``x = 0``, four times the sigmoid's best slope."""
    array, scalar = _numbers(x, "tanh_derivative")
    t = np.tanh(array)
    return _restore(1.0 - t * t, scalar)


def relu(x: Any) -> ArrayOrFloat:
    """Rectified linear unit ``max(0, x)``: negative inputs become 0, positive ones pass."""
    array, scalar = _numbers(x, "relu")
    return _restore(np.maximum(array, 0.0), scalar)


def relu_derivative(x: Any) -> ArrayOrFloat:
    """1 where ``x > 0``, 0 where ``x < 0``; at exactly 0 we use 0 (as PyTorch does)."""
    array, scalar = _numbers(x, "relu_derivative")
    return _restore((array > 0).astype(array.dtype), scalar)


# --- derivatives without calculus --------------------------------------------------------


def numeric_derivative(f: Callable[[Any], Any], x: Any, h: float = 1e-5) -> ArrayOrFloat:
    """Estimate ``f'(x)`` by central differences: ``(f(x + h) − f(x − h)) / (2h)``.

    The error shrinks like ``h²`` until rounding takes over, so ``h`` around ``1e-5`` gives
    about 10 correct digits in float64. ``f`` must accept ``x`` (a number or an array) and
    return the same shape.
    """
    if not callable(f):
        raise TypeError(f"numeric_derivative needs a function f to differentiate, "
                        f"got {type(f).__name__}")
    h = check_number(h, "numeric_derivative", "the step h")
    if h <= 0:
        raise ValueError(f"numeric_derivative: the step h must be positive (e.g. 1e-5), got {h}")
    array, scalar = _numbers(x, "numeric_derivative")
    slope = (np.asarray(f(array + h), dtype=float) - np.asarray(f(array - h), dtype=float)) / (2 * h)
    return _restore(slope, scalar)


__all__ = [
    "base_sigmoid",
    "base_sigmoid_derivative",
    "logit",
    "naive_sigmoid",
    "numeric_derivative",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "tanh",
    "tanh_derivative",
]
