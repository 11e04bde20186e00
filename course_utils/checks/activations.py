"""Checks for chapter 01's exercises: the logit, the sigmoid's derivative, a stable sigmoid.

Each check calls the learner's function on a NumPy array with NumPy's overflow and invalid-value
warnings turned into errors, so a formula that only *looks* right (it returns the correct
number after an ``inf`` slipped through) gets a hint that names the input that overflowed.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import activations as ref
from .core import (
    CheckFailed,
    call_learner,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
)

EXP_LIMIT = math.log(np.finfo(np.float64).max)  # e**x overflows float64 beyond x ≈ 709.78


@dataclass
class _FloatProblem:
    """What the guarded call returns instead of raising, so ``call_learner`` stays in charge."""

    error: BaseException


def _call_strict(fn: Callable[..., Any], x: np.ndarray, what: str) -> np.ndarray | _FloatProblem:
    """Call ``fn(x)`` with float overflow / invalid results turned into a :class:`_FloatProblem`."""

    def guarded(values: np.ndarray) -> Any:
        try:
            with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
                return fn(values)
        except (FloatingPointError, OverflowError) as exc:
            return _FloatProblem(exc)

    return call_learner(guarded, x.copy(), what=what)  # a copy: the learner may modify x


def _values(fn: Callable[..., Any], x: np.ndarray, what: str) -> np.ndarray:
    """The learner's ``fn(x)`` as a float array of x's shape, or a hint."""
    result = _call_strict(fn, x, what)
    if isinstance(result, _FloatProblem):
        raise CheckFailed(f"{what} hit a floating-point problem ({result.error}) on x = "
                          f"{_show(x)}. {_float_advice(result.error)}")
    values = expect_array(result, f"{what}(x)")
    if values.shape != x.shape:
        raise CheckFailed(f"{what}(x) should give one number per input: x has shape {x.shape} "
                          f"but the result has shape {values.shape}. Work on the whole array at "
                          "once with NumPy functions (np.exp, np.log, np.where).")
    return values


def _show(x: np.ndarray) -> str:
    return np.array2string(x, separator=", ", precision=4)


def _float_advice(error: BaseException) -> str:
    text = str(error)
    if isinstance(error, OverflowError) or "overflow" in text:
        return (f"e**t is bigger than the largest float once t > {EXP_LIMIT:.2f}, so every exp "
                "you compute must get an argument that cannot be large, e.g. np.exp(-np.abs(x)). "
                "Careful: np.where(cond, a, b) computes a AND b for every element before choosing.")
    if "divide" in text:
        return "Something was divided by zero; check the denominators for these inputs."
    return ("An invalid operation produced nan (inf/inf, inf − inf or 0·inf): an intermediate "
            "value became inf. Rewrite so no intermediate can be inf for these inputs.")


def _no_nan(values: np.ndarray, x: np.ndarray, what: str) -> None:
    if np.isnan(values).any():
        bad = x[np.isnan(values)]
        raise CheckFailed(f"{what}(x) gives nan (not a number) for x = {_show(bad)}. Usually an "
                          "inf appeared in the middle of the formula (inf/inf is nan).")


# --- exercise 1: the logit ----------------------------------------------------------------


@exercise_check
def check_logit(logit: Any) -> str:
    """Exercise: ``logit(p) = ln(p / (1 − p))``, the inverse of the sigmoid."""
    logit = expect_callable(logit, "logit")
    p = np.array([0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
    got = _values(logit, p, "logit")
    want = ref.logit(p)
    _no_nan(got, p, "logit")
    if np.allclose(got, -want, rtol=1e-6):
        raise CheckFailed("The sign is flipped: logit(0.9) should be positive (yes is more likely "
                          "than no). The odds are p / (1 − p), not (1 − p) / p.")
    if np.allclose(got, p / (1 - p), rtol=1e-6):
        raise CheckFailed("You returned the odds p / (1 − p). The logit is their logarithm: "
                          "wrap it in np.log.")
    if np.allclose(got, want / math.log(10), rtol=1e-6):
        raise CheckFailed("That is the base-10 logarithm. The sigmoid uses e, so its inverse "
                          "uses the natural log: np.log, not np.log10.")
    expect_close(got, want, "logit(p)", rtol=1e-6,
                 hint="Solve p = 1 / (1 + e^-x) for x: the answer is ln(p / (1 − p)).")
    tiny = np.array([1e-12, 1 - 1e-12])
    expect_close(_values(logit, tiny, "logit"), ref.logit(tiny), "logit(p) near 0 and 1",
                 rtol=1e-3)
    return ("logit undoes the sigmoid: σ(logit(p)) = p. A probability of 0.75 is odds of 3 to 1, "
            "and a score of ln 3 ≈ 1.10.")


# --- exercise 2: the derivative -----------------------------------------------------------


@exercise_check
def check_sigmoid_derivative(sigmoid_derivative: Any) -> str:
    """Exercise: ``σ'(x) = σ(x) · (1 − σ(x))``."""
    sigmoid_derivative = expect_callable(sigmoid_derivative, "sigmoid_derivative")
    x = np.array([-10.0, -3.0, -1.0, 0.0, 0.5, 1.0, 3.0, 10.0])
    got = _values(sigmoid_derivative, x, "sigmoid_derivative")
    _no_nan(got, x, "sigmoid_derivative")
    s = ref.sigmoid(x)
    if np.allclose(got, s, rtol=1e-6):
        raise CheckFailed("That is σ(x) itself. The slope is σ(x) multiplied by (1 − σ(x)).")
    if np.allclose(got, 1 - s, rtol=1e-6):
        raise CheckFailed("That is 1 − σ(x). The slope is the product σ(x) · (1 − σ(x)).")
    at_zero = got[x == 0][0]
    if not math.isclose(at_zero, 0.25, rel_tol=1e-6):
        raise CheckFailed(f"At x = 0 the slope should be σ(0)·(1 − σ(0)) = 0.5 · 0.5 = 0.25, "
                          f"but your function gives {at_zero:.6g}.")
    expect_close(got, ref.sigmoid_derivative(x), "sigmoid_derivative(x)", rtol=1e-6,
                 hint="Compute s = sigmoid(x) once, then return s * (1 - s).")
    return ("σ' = σ(1 − σ): once you have σ(x), the slope costs one multiplication. It peaks at "
            "1/4 and fades to 0 on both sides.")


# --- exercise 3: a stable sigmoid ---------------------------------------------------------


@exercise_check
def check_stable_sigmoid(stable_sigmoid: Any) -> str:
    """Exercise: a sigmoid that never overflows, for any float input."""
    stable_sigmoid = expect_callable(stable_sigmoid, "stable_sigmoid")
    ordinary = np.linspace(-6.0, 6.0, 13)
    got = _values(stable_sigmoid, ordinary, "stable_sigmoid")
    _no_nan(got, ordinary, "stable_sigmoid")
    want = ref.sigmoid(ordinary)
    if np.allclose(got, 1 - want, rtol=1e-6):
        raise CheckFailed("Your curve falls instead of rising: you computed σ(−x). Check the "
                          "sign in the exponent of each branch.")
    expect_close(got, want, "stable_sigmoid(x)", rtol=1e-6,
                 hint="For ordinary x it must agree with 1 / (1 + np.exp(-x)).")
    for extreme in (np.array([-1000.0]), np.array([1000.0]), np.array([-1e308]),
                    np.array([1e308]), np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0]),
                    np.array([[-800.0, 800.0], [-5.0, 5.0]])):
        values = _values(stable_sigmoid, extreme, "stable_sigmoid")
        _no_nan(values, extreme, "stable_sigmoid")
        expect_close(values, ref.sigmoid(extreme), f"stable_sigmoid(x) for x = {_show(extreme)}",
                     rtol=1e-6, atol=1e-200,
                     hint="Far from 0 the answer is (almost exactly) 0 for negative x and 1 for "
                          "positive x.")
    return ("Your sigmoid survives x = ±1000 and ±1e308 without a single overflow: it only ever "
            "computes e to the power −|x|, a number between 0 and 1.")


__all__ = ["check_logit", "check_sigmoid_derivative", "check_stable_sigmoid"]
