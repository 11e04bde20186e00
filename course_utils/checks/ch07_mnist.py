"""Checks for chapter 07's exercises: a stable softmax, cross-entropy and its gradient.

Each check calls the learner's function on fresh copies of NumPy arrays with NumPy's overflow,
invalid-value and division-by-zero warnings turned into errors, so a formula that only works
for small logits gets a hint that names the logits that broke it. The test logits include
values of ±1000 (e**1000 is far beyond the largest float64, about 1.8e308), rows that live
at very different scales (which catches subtracting the maximum of the whole array instead of
each row's own), square arrays (which catch a sum or max taken without ``keepdims=True``
broadcasting along the wrong axis) and a class whose probability is too small for a float
(which catches ``log(softmax(z))``).

Calling the learner's code, the float alarms and the generic advice are :mod:`.core`'s
(:func:`~.core.try_learner`, :func:`~.core.float_advice`); this module adds what is particular
to softmax: :data:`ADVICE` (subtract each row's maximum, don't take the log of a softmax) and the
diagnoses of specific wrong answers (a missing ``keepdims``, the wrong axis, a clipped logit …).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .. import softmax as ref
from .core import (
    EXP_LIMIT,
    CheckFailed,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
    float_advice,
    show_array,
    switches_off_alarms,
    try_learner,
)

# What a floating-point error means for a softmax or a cross-entropy (core's text otherwise).
ADVICE = {
    "overflow": (f"e**t is bigger than the largest float once t > {EXP_LIMIT:.2f}, so np.exp must "
                 "never see a large logit. Softmax does not change when you subtract the same "
                 "number from every logit in a row: subtract the row's largest logit first, and "
                 "the biggest power becomes e**0 = 1. (Subtracting the mean or the smallest "
                 "logit does not help: only the maximum makes every power at most 1.)"),
    "log_of_zero": ("np.log got exactly 0: a probability was so small that it rounded to 0 "
                    "(e**-1000 is below the smallest float), and log(0) = −∞. Don't take the log "
                    "of a softmax: compute the log-probabilities directly, "
                    "z − max − log(sum(exp(z − max)))."),
    "invalid": ("Every e**(z − m) in some row rounded to 0, so that row's sum was 0 and 0/0 "
                "gave nan. That happens when m is larger than the row's own maximum, e.g. the "
                "maximum of the whole array: rows can live at very different scales. Subtract "
                "each row's own maximum: z.max(axis=1, keepdims=True)."),
    "other": "Check the formula for these logits.",
}
ADVICE["divide_by_zero"] = ADVICE["invalid"]  # x / 0: a row's sum rounded to 0, as above

_KEEPDIMS = ("A row's max or sum has one number per row; to subtract it from (or divide) every "
             "entry of that row, keep it as a column: z.max(axis=1, keepdims=True), "
             "e.sum(axis=1, keepdims=True).")


def _error_hint(error: BaseException, what: str, args: str) -> str:
    """A hint for an exception raised by the learner's function."""
    if isinstance(error, (FloatingPointError, OverflowError)):
        return (f"{what} hit a floating-point problem ({error}) for {args}. "
                f"{float_advice(error, ADVICE)}")
    if isinstance(error, ValueError) and "broadcast" in str(error):
        return f"{what} raised ValueError: {error} (for {args}). {_KEEPDIMS}"
    return f"{what} raised {type(error).__name__}: {error} (for {args})."


def _result(fn: Callable[..., Any], what: str, shape: tuple[int, ...],
            *args: np.ndarray) -> np.ndarray:
    """The learner's ``fn(*args)`` as a float array of ``shape``, or a hint."""
    shown = " and ".join(show_array(a) for a in args)
    called = try_learner(fn, *args, what=what, float_alarms=True)
    if called.error is not None:
        raise CheckFailed(_error_hint(called.error, what, shown))
    values = expect_array(called.value, f"the result of {what}")
    if values.shape != shape:
        raise CheckFailed(f"{what} should return an array of shape {shape} for {shown}, but it "
                          f"returned shape {values.shape}.")
    return values


_ALARMS_OFF = ("Your function switches off NumPy's floating-point alarms (np.errstate or "
               "np.seterr), so the check cannot see whether it overflows. A stable version has "
               "nothing to hide: remove it and run the check again. (under='ignore' alone is "
               "fine: a power rounding to 0 is harmless.)")


# --- exercise 1: a stable softmax -----------------------------------------------------------

_ORDINARY = np.array([[2.0, 1.0, 0.1, -1.0],
                      [0.5, 0.5, 0.5, 0.5],
                      [-3.0, 0.0, 3.0, 1.0]])
_SQUARE = np.array([[1.0, 2.0, 3.0],
                    [3.0, 0.0, -2.0],
                    [0.0, 0.0, 5.0]])
_LARGE = np.array([[1000.0, 999.0, 998.0],
                   [1000.0, -1000.0, 0.0]])
_SCALES = np.array([[1000.0, 999.0, 990.0],
                    [-1000.0, -1001.0, -1010.0],
                    [0.0, 1.0, 2.0]])


def _softmax_values(stable_softmax: Callable[..., Any], z: np.ndarray) -> np.ndarray:
    got = _result(stable_softmax, "stable_softmax", z.shape, z)
    if np.isnan(got).any():
        rows = sorted({int(i) for i in np.argwhere(np.isnan(got))[:, 0]})
        raise CheckFailed(f"stable_softmax gives nan for the rows {rows} of {show_array(z)}. "
                          "Usually an inf appeared along the way (inf/inf is nan): e**1000 "
                          "overflows. Subtract each row's largest logit before np.exp.")
    return got


@exercise_check
def check_stable_softmax(stable_softmax: Any) -> str:
    """Exercise: softmax of each row of a 2-D array, without overflow for any logits."""
    stable_softmax = expect_callable(stable_softmax, "stable_softmax")
    z = _ORDINARY
    got = _softmax_values(stable_softmax, z)
    want = ref.softmax(z, axis=1)
    if np.allclose(got, np.exp(z), rtol=1e-6):
        raise CheckFailed("You returned e**z: the powers are right, but they still have to be "
                          "divided by their row's sum so that each row adds up to 1.")
    if np.allclose(got, ref.softmax(z, axis=0), rtol=1e-6):
        raise CheckFailed("Your columns add up to 1, not your rows: you normalised along "
                          "axis=0. Each row is one example, so sum along axis=1.")
    if np.isclose(got.sum(), 1.0, rtol=1e-6) and not np.allclose(got.sum(axis=1), 1.0):
        raise CheckFailed("You divided by the sum of the whole array, so only the grand total is "
                          "1. Each row needs its own sum: e.sum(axis=1, keepdims=True).")
    row_sums = got.sum(axis=1)
    if not np.allclose(row_sums, 1.0, rtol=1e-6):
        raise CheckFailed(f"Each row of probabilities must add up to 1, but your rows add up to "
                          f"{np.round(row_sums, 4).tolist()} for the logits {show_array(z)}.")
    expect_close(got, want, "stable_softmax(z)", rtol=1e-6, atol=1e-12,
                 hint="For small logits it must agree with np.exp(z) / np.exp(z).sum(axis=1, "
                      "keepdims=True).")
    got = _softmax_values(stable_softmax, _SQUARE)
    expect_close(got, ref.softmax(_SQUARE, axis=1), f"stable_softmax(z) for the square z = "
                 f"{show_array(_SQUARE)}", rtol=1e-6, atol=1e-12,
                 hint="With as many rows as columns, a row's max or sum kept as a flat array "
                      "lines up with the columns instead of the rows and changes the answer "
                      "silently. Keep it as a column: keepdims=True.")
    if switches_off_alarms(stable_softmax):
        raise CheckFailed(_ALARMS_OFF)
    for z in (_LARGE, _SCALES):
        got = _softmax_values(stable_softmax, z)
        want = ref.softmax(z, axis=1)
        if np.allclose(got, 1.0 / z.shape[1], rtol=1e-6):
            raise CheckFailed(f"For z = {show_array(z)} every probability came out as "
                              f"1/{z.shape[1]}. Did you clip the logits? Clipping changes the answer; subtracting "
                              "the row's maximum does not.")
        expect_close(got, want, f"stable_softmax(z) for z = {show_array(z)}", rtol=1e-6,
                     atol=1e-300, hint="Large logits must give the same probabilities as small ones with the "
                          "same differences: [1000, 999, 998] behaves like [2, 1, 0]. (If you "
                          "clipped the logits, the clip changed the answer.)")
    return ("Every row sums to 1, and logits of ±1000 work with overflow turned into an error: "
            "subtracting each row's maximum makes the largest power e**0 = 1, so nothing can "
            "overflow and no row can sum to 0.")


# --- exercise 2: cross-entropy ---------------------------------------------------------------

_Z = np.array([[2.0, 1.0, 0.1, -1.0],
               [0.5, 2.5, -0.5, 0.0],
               [-1.0, 0.0, 3.0, 1.0],
               [1.0, 1.0, 1.0, 1.0],
               [0.0, -2.0, 1.0, 4.0]])
_Y = np.array([0, 1, 3, 2, 3])
_Z_SURE = np.array([[1000.0, 0.0, -1000.0],
                    [0.0, 1000.0, 0.0]])
_Y_SURE = np.array([1, 1])  # the first row is a confident mistake: its loss is exactly 1000


def _loss_value(cross_entropy: Callable[..., Any], z: np.ndarray, y: np.ndarray) -> float:
    called = try_learner(cross_entropy, z, y, what="cross_entropy", float_alarms=True)
    shown = f"logits {show_array(z)} and labels {show_array(y)}"
    if called.error is not None:
        raise CheckFailed(_error_hint(called.error, "cross_entropy", shown))
    value = expect_array(called.value, "the result of cross_entropy")
    if value.shape == (len(y),) and len(y) > 1:
        raise CheckFailed(f"cross_entropy returned {len(y)} numbers, one loss per example. The "
                          "loss of a batch is one number: their mean (np.mean).")
    if value.size != 1:
        advice = (" To pick each row's true-class entry use logp[np.arange(n), labels], not "
                  "logp[:, labels]." if value.shape == (len(y), len(y)) else "")
        raise CheckFailed(f"cross_entropy should return a single number (the mean loss), but it "
                          f"returned an array of shape {value.shape}.{advice}")
    loss = float(value.reshape(()))
    if np.isnan(loss):
        raise CheckFailed(f"cross_entropy gives nan for {shown}. Usually an inf appeared along "
                          "the way; subtract each row's maximum before np.exp.")
    return loss


@exercise_check
def check_cross_entropy(cross_entropy: Any) -> str:
    """Exercise: mean of −log softmax(z)[label] over the rows, computed stably."""
    cross_entropy = expect_callable(cross_entropy, "cross_entropy")
    n = len(_Y)
    got = _loss_value(cross_entropy, _Z, _Y)
    logp = ref.log_softmax(_Z, axis=1)
    picked = logp[np.arange(n), _Y]
    want = -picked.mean()
    if np.isclose(got, -want, rtol=1e-6):
        raise CheckFailed("The sign is flipped: a loss is never negative. It is −log p of the "
                          "true class (log p is negative, so −log p is positive).")
    if np.isclose(got, -picked.sum(), rtol=1e-6):
        raise CheckFailed(f"You returned the sum of the {n} losses. Take their mean instead, so "
                          "the loss does not grow with the batch size.")
    if np.isclose(got, -logp[:, _Y].mean(), rtol=1e-6):
        raise CheckFailed("logp[:, labels] picks every label's column for every row (an n×n "
                          "array). Pick one entry per row: logp[np.arange(n), labels].")
    if np.isclose(got, -np.exp(picked).mean(), rtol=1e-6) or np.isclose(
            got, 1 - np.exp(picked).mean(), rtol=1e-6):
        raise CheckFailed("That uses the probability p of the true class itself. The loss is "
                          "its negative logarithm, −log p, averaged over the rows.")
    if np.isclose(got, want / np.log(10), rtol=1e-6):
        raise CheckFailed("That is the base-10 logarithm. Cross-entropy uses the natural log: "
                          "np.log, not np.log10.")
    if np.isclose(got, -logp.mean(), rtol=1e-6):
        raise CheckFailed("That averages −log p over every class. Only the true class counts: "
                          "pick logp[np.arange(n), labels].")
    expect_close(got, want, "cross_entropy(logits, labels)", rtol=1e-6,
                 hint="For each row take the log-probability of its label, "
                      "z[label] − max − log(sum(exp(z − max))), then return minus their mean.")
    got = _loss_value(cross_entropy, _Z[:1], _Y[:1])
    expect_close(got, -picked[0], "cross_entropy for a batch of one example", rtol=1e-6)
    if switches_off_alarms(cross_entropy):
        raise CheckFailed(_ALARMS_OFF)
    got = _loss_value(cross_entropy, _Z_SURE, _Y_SURE)
    if np.isinf(got):
        raise CheckFailed("cross_entropy gives inf for a confident mistake (logits "
                          f"{show_array(_Z_SURE[0])}, label 1). Its true loss is 1000: large, but "
                          "finite. Compute log-probabilities directly, "
                          "z − max − log(sum(exp(z − max))), instead of np.log(softmax).")
    if 1 < got < 400:
        raise CheckFailed(f"For the logits {show_array(_Z_SURE)} with labels [1, 1] your loss is "
                          f"{got:.4g}, but it should be 500: the first row is sure of the wrong "
                          "class and costs 1000, the second costs 0. Adding a small epsilon "
                          "inside the log, or clipping p, caps that cost (−log 1e-12 ≈ 27.6) and "
                          "hides how wrong the model is. Compute log-probabilities directly.")
    expect_close(got, 500.0, f"cross_entropy for logits {show_array(_Z_SURE)} and labels [1, 1]",
                 rtol=1e-6,
                 hint="The first row is sure of the wrong class (loss 1000), the second sure of "
                      "the right one (loss 0): the mean is 500.")
    return ("The loss is −log p of the true class, averaged over the batch. A confident mistake "
            "costs its true price (here 1000, not inf and not a capped 27.6), so the gradient "
            "still says clearly which way to go.")


# --- exercise 3: the gradient ------------------------------------------------------------------


def _numeric_grad(z: np.ndarray, y: np.ndarray, h: float = 1e-6) -> np.ndarray:
    grad = np.zeros_like(z)
    for index in np.ndindex(z.shape):
        up, down = z.copy(), z.copy()
        up[index] += h
        down[index] -= h
        grad[index] = (ref.cross_entropy(up, y) - ref.cross_entropy(down, y)) / (2 * h)
    return grad


@exercise_check
def check_cross_entropy_grad(cross_entropy_grad: Any) -> str:
    """Exercise: d(mean cross-entropy)/d(logits) = (softmax(z) − one_hot(labels)) / n."""
    cross_entropy_grad = expect_callable(cross_entropy_grad, "cross_entropy_grad")
    n = len(_Y)
    got = _result(cross_entropy_grad, "cross_entropy_grad", _Z.shape, _Z, _Y)
    if np.isnan(got).any():
        raise CheckFailed("cross_entropy_grad contains nan (not a number). Use a stable softmax.")
    p, onehot = ref.softmax(_Z, axis=1), ref.one_hot(_Y, _Z.shape[1])
    want = (p - onehot) / n
    if np.allclose(got, p - onehot, rtol=1e-6):
        raise CheckFailed(f"Almost: that is the gradient of the summed loss. The loss is the "
                          f"mean over the {n} rows, so divide by n = len(labels).")
    if np.allclose(got, -want, rtol=1e-6) or np.allclose(got, onehot - p, rtol=1e-6):
        raise CheckFailed("The sign is flipped: raising the true class's logit lowers the loss, "
                          "so its gradient entry must be negative, p − 1. Compute p − one_hot.")
    if np.allclose(got, p / n, rtol=1e-6) or np.allclose(got, p, rtol=1e-6):
        raise CheckFailed("That is the softmax alone. Subtract 1 at each row's true class "
                          "(the one-hot labels), then divide by n.")
    columns = p.copy()
    columns[:, _Y] -= 1
    if np.allclose(got, columns / n, rtol=1e-6) or np.allclose(got, columns, rtol=1e-6):
        raise CheckFailed("[:, labels] subtracts 1 in every row at every label's column. Each "
                          "row needs it at its own label only: [np.arange(n), labels].")
    expect_close(got, _numeric_grad(_Z, _Y), "cross_entropy_grad (compared with a numeric "
                 "gradient)", rtol=1e-4, atol=1e-7,
                 hint="The gradient is (softmax(z) − one_hot(labels)) / n: subtract 1 at "
                      "[np.arange(n), labels] of the probabilities, then divide by n.")
    got = _result(cross_entropy_grad, "cross_entropy_grad", _Z_SURE.shape, _Z_SURE, _Y_SURE)
    if np.isnan(got).any():
        raise CheckFailed(f"cross_entropy_grad gives nan for the logits {show_array(_Z_SURE)}: "
                          "the softmax overflowed. Use a stable softmax (e.g. the course's "
                          "softmax, or your own from exercise 1).")
    expect_close(got, ref.cross_entropy_grad(_Z_SURE, _Y_SURE),
                 f"cross_entropy_grad for logits {show_array(_Z_SURE)}", rtol=1e-6, atol=1e-12)
    return ("(p − one_hot) / n: the true class's logit is pushed up by 1 − p, every other logit "
            "down by its own probability, and a sure, right answer is barely moved. It matches a "
            "numeric gradient entry by entry.")


__all__ = ["check_cross_entropy", "check_cross_entropy_grad", "check_stable_softmax"]
