"""Checks for chapter 01's exercises: the logit, the sigmoid's derivative, a stable sigmoid.

Each check calls the learner's function on a NumPy array with NumPy's overflow and invalid-value
warnings turned into errors (``float_alarms``), so a formula that only *looks* right (it returns
the correct number after an ``inf`` slipped through) gets a hint that names the input that caused
it. A learner's own ``np.errstate`` inside the function would override that, so the
stable-sigmoid check asks for such an ``errstate`` to be removed, and also compares tiny values
of σ(x) *relatively*, which catches formulas that lose them (1 − something close to 1, clipping).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import activations
from .core import (
    EXP_LIMIT,
    CheckFailed,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
    float_advice,
    show_array,
    switches_off_alarms,
    try_learner,
)

#: What a floating-point problem means in this chapter (core's text for the other kinds).
ADVICE = {
    "overflow": (f"e**t is bigger than the largest float once t > {EXP_LIMIT:.2f}, so every exp "
                 "you compute must get an argument that cannot be large, e.g. "
                 "np.exp(-np.abs(x)). Careful: np.where(cond, a, b) computes a AND b for every "
                 "element before choosing."),
    "log_of_zero": ("np.log got exactly 0 there, and the log of 0 is −∞. Something that should "
                    "be positive for these p came out as 0: check the brackets. For example "
                    "np.log(p/1-p) means np.log((p/1) − p) = np.log(0), because / binds tighter "
                    "than −."),
}


def _is_float_problem(error: BaseException | None) -> bool:
    return isinstance(error, (FloatingPointError, OverflowError))


def _culprits(fn: Callable[..., Any], x: np.ndarray) -> np.ndarray:
    """The inputs that cause a floating-point error on their own (x itself if none does)."""
    bad = [value for value in x.ravel()
           if _is_float_problem(try_learner(fn, np.array([value]), float_alarms=True).error)]
    return np.array(bad) if bad else x


def _values(fn: Callable[..., Any], x: np.ndarray, what: str, arg: str = "x",
            strict: bool = True) -> np.ndarray:
    """The learner's ``fn(x)`` as a float array of x's shape, or a hint.

    ``strict``: overflow, invalid results and division by zero become a hint naming the inputs
    that caused them; otherwise NumPy's defaults for these (inf and nan) are let through.
    """
    outcome = try_learner(fn, x, what=what, float_alarms=strict)
    error = outcome.error
    if _is_float_problem(error):
        raise CheckFailed(f"{what} hit a floating-point problem ({error}) for {arg} = "
                          f"{show_array(_culprits(fn, x), exact=True)}. "
                          f"{float_advice(error, ADVICE)}")
    if error is not None:
        raise CheckFailed(f"{what} raised {type(error).__name__}: {error} (called with "
                          f"{describe(x)}).")
    values = expect_array(outcome.value, f"{what}({arg})")
    if values.shape != x.shape:
        raise CheckFailed(f"{what}({arg}) should give one number per input: {arg} has shape "
                          f"{x.shape} but the result has shape {values.shape}. Work on the whole "
                          "array at once with NumPy functions (np.exp, np.log, np.where).")
    return values


def _no_nan(values: np.ndarray, x: np.ndarray, what: str, arg: str = "x") -> None:
    if np.isnan(values).any():
        bad = show_array(x[np.isnan(values)], exact=True)
        raise CheckFailed(f"{what}({arg}) gives nan (not a number) for {arg} = {bad}. Usually "
                          "an inf appeared in the middle of the formula (inf/inf is nan).")


# --- exercise 1: the logit ----------------------------------------------------------------


@exercise_check
def check_logit(logit: Any) -> str:
    """Exercise: ``logit(p) = ln(p / (1 − p))``, the inverse of the sigmoid."""
    logit = expect_callable(logit, "logit")
    p = np.array([0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99])
    got = _values(logit, p, "logit", "p")
    want = activations.logit(p)
    _no_nan(got, p, "logit", "p")
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
                 hint="Solve p = 1 / (1 + e^-x) for x, as section 3 did: x = ln(p / (1 − p)).")
    edges = np.array([1e-12, 1 - 1e-12])
    got, want = _values(logit, edges, "logit", "p"), activations.logit(edges)
    _no_nan(got, edges, "logit", "p")
    wrong = ~np.isclose(got, want, rtol=1e-3, atol=0)
    if wrong.any():
        i = int(np.argmax(wrong))
        raise CheckFailed(f"logit(p) for p = {show_array(edges[i], exact=True)} is "
                          f"{got[i]:.6g} but should be {want[i]:.6g}. Did you add a small "
                          "epsilon or clip p? That changes the answer near 0 and 1, and no guard "
                          "is needed: the exact formula works for every p strictly between 0 "
                          "and 1.")
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
    s = activations.sigmoid(x)
    if np.allclose(got, s, rtol=1e-6):
        raise CheckFailed("That is σ(x) itself. The slope is σ(x) multiplied by (1 − σ(x)).")
    if np.allclose(got, 1 - s, rtol=1e-6):
        raise CheckFailed("That is 1 − σ(x). The slope is the product σ(x) · (1 − σ(x)).")
    at_zero = got[x == 0][0]
    if not math.isclose(at_zero, 0.25, rel_tol=1e-6):
        raise CheckFailed(f"At x = 0 the slope should be σ(0)·(1 − σ(0)) = 0.5 · 0.5 = 0.25, "
                          f"but your function gives {at_zero:.6g}.")
    expect_close(got, activations.sigmoid_derivative(x), "sigmoid_derivative(x)", rtol=1e-6,
                 hint="Compute s = sigmoid(x) once, then return s * (1 - s).")
    # Far out, section 1's sigmoid overflows (harmlessly: it gives 0), so overflow is allowed
    # here; only a result that overflowed into nan is wrong.
    far = np.array([-1000.0, -50.0, 50.0, 1000.0])
    got = _values(sigmoid_derivative, far, "sigmoid_derivative", strict=False)
    if np.isnan(got).any():
        raise CheckFailed(f"sigmoid_derivative(x) gives nan (not a number) for x = "
                          f"{show_array(far[np.isnan(got)], exact=True)}. There some e^t in "
                          f"your formula is too big for a float (t > {EXP_LIMIT:.2f}): it "
                          "becomes inf, and inf / inf is nan. Compute s = sigmoid(x) once and "
                          "return s * (1 - s): far out s is 0 or 1, and the slope comes out as "
                          "0, as it should.")
    expect_close(got, activations.sigmoid_derivative(far),
                 f"sigmoid_derivative(x) for x = {show_array(far, exact=True)}", rtol=1e-6,
                 atol=1e-15, hint="Far from 0 the slope is almost exactly 0.")
    return ("σ' = σ(1 − σ): once you have σ(x), the slope costs one multiplication. It peaks at "
            "1/4 and fades to 0 on both sides.")


# --- exercise 3: a stable sigmoid ---------------------------------------------------------

# σ(x) is tiny here but an ordinary float64, so it must be right to full relative precision.
# (Below x ≈ -709.8 it is subnormal: torch.sigmoid and scipy's expit give 0 there, so do we.)
_TINY = np.array([-40.0, -100.0, -700.0])


@exercise_check
def check_stable_sigmoid(stable_sigmoid: Any) -> str:
    """Exercise: a sigmoid that never overflows, for any float input."""
    stable_sigmoid = expect_callable(stable_sigmoid, "stable_sigmoid")
    ordinary = np.linspace(-6.0, 6.0, 13)
    got = _values(stable_sigmoid, ordinary, "stable_sigmoid")
    _no_nan(got, ordinary, "stable_sigmoid")
    want = activations.sigmoid(ordinary)
    if np.allclose(got, 1 - want, rtol=1e-6):
        raise CheckFailed("Your curve falls instead of rising: you computed σ(−x). Check the "
                          "sign in the exponent of each branch.")
    expect_close(got, want, "stable_sigmoid(x)", rtol=1e-6,
                 hint="For ordinary x it must agree with 1 / (1 + np.exp(-x)).")
    if switches_off_alarms(stable_sigmoid):
        raise CheckFailed("Your function switches off NumPy's floating-point alarms "
                          "(np.errstate or np.seterr), so the check cannot see whether it "
                          "overflows. A stable sigmoid has nothing to hide: remove it and run the "
                          "check again. (under='ignore' alone is fine: e^t rounding to 0 is "
                          "harmless.)")
    for extreme in (np.array([-1000.0]), np.array([1000.0]), np.array([-1e308]),
                    np.array([1e308]), np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0]),
                    np.array([[-800.0, 800.0], [-5.0, 5.0]])):
        values = _values(stable_sigmoid, extreme, "stable_sigmoid")
        _no_nan(values, extreme, "stable_sigmoid")
        expect_close(values, activations.sigmoid(extreme),
                     f"stable_sigmoid(x) for x = {show_array(extreme, exact=True)}",
                     rtol=1e-6, atol=1e-200,
                     hint="Far from 0 the answer is (almost exactly) 0 for negative x and 1 for "
                          "positive x. (If you clipped x, the clip changed the answer.)")
    got, want = _values(stable_sigmoid, _TINY, "stable_sigmoid"), activations.sigmoid(_TINY)
    _no_nan(got, _TINY, "stable_sigmoid")
    wrong = ~np.isclose(got, want, rtol=1e-6, atol=0)
    if wrong.any():
        i = int(np.argmax(wrong))
        x0, direct = _TINY[i], "compute the small value directly as e^x / (1 + e^x), with e^x < 1"
        if got[i] == 0:
            raise CheckFailed(
                f"stable_sigmoid(x) for x = {x0:g} gives exactly 0, but σ({x0:g}) ≈ "
                f"{want[i]:.2e}: tiny, yet a float64 holds numbers down to about 1e-308, so 0 "
                "is wrong. Rounding to 0 far out loses it, and so does 1 − (something close to "
                "1), such as 1 − 1/(1 + e^-|x|) or 1 + tanh(x/2): that subtraction loses all "
                f"the digits. For x < 0, {direct}.")
        raise CheckFailed(
            f"stable_sigmoid(x) for x = {x0:g} is {got[i]:.4g} but should be {want[i]:.4g}. Tiny "
            "values count: they must be right to their last digits, not just close to 0. If you "
            f"clipped x, that changed the answer for every x beyond the clip; instead {direct}.")
    return ("Your sigmoid matches σ to full precision across the whole float range: ordinary x, "
            "tiny values such as σ(−700) ≈ 1e−304, and x = ±1000 and ±1e308, checked with "
            "overflow turned into an error. The trick in every stable version is the same: no "
            "intermediate value may grow past the largest float, so no inf can turn into nan.")


__all__ = ["check_logit", "check_sigmoid_derivative", "check_stable_sigmoid"]
