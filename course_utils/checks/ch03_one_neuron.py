"""Checks for chapter 03's exercises: a neuron's probabilities, and the negative log-likelihood.

Both checks compare with the reference in :mod:`course_utils.neuron` and recognise the usual
slips by their numbers: scores returned instead of probabilities, a forgotten bias, a flipped
sign, a sum instead of a mean, a forgotten ``(1 − y)`` term. The NLL check also feeds
probabilities of exactly 0 and 1 (where ``0 · ln 0`` becomes nan) and a few thousand points
(where a product of probabilities underflows to 0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import neuron
from ..activations import sigmoid
from .core import (
    CheckFailed,
    call_learner,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    is_close,
    show_array,
)

# Scores of ±900 overflow 1 / (1 + np.exp(-z)): what to say when NumPy raises the alarm.
_USE_THE_STABLE_SIGMOID = ("Use activations.sigmoid, chapter 01's stable sigmoid, instead of "
                           "writing 1 / (1 + np.exp(-z)) again.")
_FAR_FROM_THE_LINE = ("These points lie far from the line (scores z = ±900), and np.exp(900) is "
                      f"bigger than the largest float. {_USE_THE_STABLE_SIGMOID}")
_FAR_ADVICE = {"overflow": _FAR_FROM_THE_LINE, "invalid": _FAR_FROM_THE_LINE}


# --- exercise 1: predict probabilities ---------------------------------------------------------


def _probabilities(result: Any, n: int, what: str) -> np.ndarray:
    values = expect_array(result, what)
    if values.ndim == 0 or values.size == 1 and n > 1:
        raise CheckFailed(f"{what} gave one number ({describe(result)}) for {n} points. Return "
                          f"one probability per point, an array of shape ({n},).")
    if values.shape in ((n, 1), (1, n)):
        raise CheckFailed(f"{what} has shape {values.shape}, but it should be a flat array of "
                          f"shape ({n},), one probability per point. With w of shape (2,), "
                          "X @ w is already flat; do not reshape w into a column.")
    if values.shape != (n,):
        raise CheckFailed(f"{what} should have shape ({n},), one probability per point (one per "
                          f"row of X), but it has shape {values.shape}.")
    if np.isnan(values).any():
        raise CheckFailed(f"{what} contains nan (not a number). An inf crept into the formula "
                          "(inf / inf is nan); use activations.sigmoid, which never overflows.")
    return values


def _diagnose_probabilities(got: np.ndarray, X: np.ndarray, w: np.ndarray, b: float) -> None:
    z = X @ w + b
    if is_close(got, z):
        raise CheckFailed("These are the scores z = X @ w + b, not probabilities (some are "
                          "negative or above 1). Squash them: activations.sigmoid(z).")
    if is_close(got, sigmoid(X @ w)):
        raise CheckFailed("The bias is missing: the score is X @ w + b, and only then comes the "
                          "sigmoid.")
    if is_close(got, sigmoid(-z)):
        raise CheckFailed("You computed σ(−z) = 1 − σ(z), the probability of class 0. The "
                          "neuron's output is σ(z) = σ(X @ w + b), the probability of class 1.")
    if is_close(got, (z > 0).astype(float)):
        raise CheckFailed("Those are 0s and 1s: the perceptron's step. Logistic regression "
                          "gives a probability between 0 and 1: activations.sigmoid(X @ w + b).")
    if is_close(got, sigmoid(X @ w) + b):
        raise CheckFailed("The bias was added after the sigmoid. Add it to the weighted sum "
                          "first: activations.sigmoid(X @ w + b).")
    if is_close(got, sigmoid(X @ w - b)):
        raise CheckFailed("The bias was subtracted. The score is X @ w + b.")


@exercise_check
def check_predict_proba(predict_proba: Any) -> str:
    """Exercise: ``predict_proba(X, w, b)`` = σ(X @ w + b), one probability per row of X."""
    predict_proba = expect_callable(predict_proba, "predict_proba")
    what = "predict_proba(X, w, b)"
    X = np.array([[0.5, 1.0], [-1.0, 2.0], [2.0, -0.5], [0.0, 0.0], [-1.5, -1.0], [3.0, 1.0]])
    w, b = np.array([1.5, -2.0]), 0.5
    try:
        result = call_learner(predict_proba, X, w, b, what="predict_proba")
    except CheckFailed as exc:
        if "matmul" in str(exc) or "not aligned" in str(exc):
            raise CheckFailed(f"{exc} X has one row per point, shape (6, 2), and w one weight "
                              "per column, shape (2,): X @ w fits (2 columns meet 2 weights), "
                              "w @ X does not.") from None
        raise
    got = _probabilities(result, len(X), what)
    _diagnose_probabilities(got, X, w, b)
    want = neuron.predict_proba(X, w, b)
    if not is_close(got, want):
        i = int(np.argmax(~np.isclose(got, want, rtol=1e-6, atol=1e-12)))
        raise CheckFailed(f"For the point X[{i}] = {X[i].tolist()} with w = {w.tolist()} and "
                          f"b = {b}, the probability is σ({X[i] @ w + b:g}) = {want[i]:.6f}, but "
                          f"your function gives {got[i]:.6g}. Compute z = X @ w + b, then "
                          "activations.sigmoid(z).")
    # Another neuron with three features: nothing may be fixed to two weights or to the globals.
    X3 = np.array([[1.0, 0.0, 2.0], [0.0, -1.0, 1.0], [2.0, 2.0, -1.0], [-1.0, 3.0, 0.0]])
    w3, b3 = np.array([0.5, -1.0, 0.25]), -1.0
    try:
        got3 = _probabilities(call_learner(predict_proba, X3, w3, b3, what="predict_proba"),
                              len(X3), what)
    except CheckFailed as exc:
        raise CheckFailed(f"With three features (X of shape (4, 3), w of shape (3,)): {exc} "
                          "Write it for any number of features: X @ w does every row at once."
                          ) from None
    if not is_close(got3, neuron.predict_proba(X3, w3, b3)):
        raise CheckFailed("Your function is right for the first neuron but not for another one "
                          "with three features, w = [0.5, -1.0, 0.25] and b = -1.0. Use only the "
                          "arguments X, w and b (not variables from the notebook), and X @ w "
                          "rather than writing out two weights by hand.")
    # Far from the line: scores of ±900, where 1 / (1 + np.exp(-z)) overflows.
    far = np.array([[400.0, 300.0], [-400.0, -300.0], [1.0, 1.0]])
    wf, bf = np.array([1.5, 1.0]), 0.0
    result = call_learner(predict_proba, far, wf, bf, what="predict_proba", float_alarms=True,
                          advice=_FAR_ADVICE)
    if np.isnan(expect_array(result, what)).any():  # overflowed with NumPy's alarms switched off
        raise CheckFailed(f"For points far from the line (scores z = ±900) {what} gives nan: "
                          "an np.exp overflowed to inf (np.exp(900) is bigger than the largest "
                          f"float). {_USE_THE_STABLE_SIGMOID}")
    got_far = _probabilities(result, len(far), what)
    if not is_close(got_far, neuron.predict_proba(far, wf, bf)):
        raise CheckFailed(f"For scores z = ±900 the probabilities should be 1 and 0 (and "
                          f"σ(2.5) = 0.924 for the third point), but your function gives "
                          f"{show_array(got_far)}.")
    return ("predict_proba = σ(X @ w + b): one weighted sum per row, one squash, one probability "
            "per point, for any number of features, and no overflow far from the line.")


# --- exercise 2: the negative log-likelihood ---------------------------------------------------


def _one_number(result: Any, n: int, what: str) -> float:
    values = expect_array(result, what)
    if values.shape == (n,) and n > 1:
        raise CheckFailed(f"{what} gave {n} numbers, one per point. Those are the points' "
                          "costs −ln q; the exercise wants one number, their mean (np.mean).")
    if values.size != 1:
        raise CheckFailed(f"{what} should be one number, but it has shape {values.shape}.")
    return float(values.ravel()[0])


def _diagnose_nll(got: float, y: np.ndarray, p: np.ndarray) -> None:
    n, want = len(y), neuron.nll(y, p)
    log_p, log_1p = np.log(p), np.log(1 - p)

    def near(value: float) -> bool:
        return is_close(got, value)

    if near(-want):
        raise CheckFailed("The sign is flipped: your result is negative. The logs of "
                          "probabilities are negative, so the negative log-likelihood puts a "
                          "minus in front to make it a positive cost.")
    if near(n * want):
        raise CheckFailed(f"That is the sum over the {n} points. The exercise asks for the mean "
                          "(np.mean), so the number does not grow with the size of the data.")
    if near(-n * want):
        raise CheckFailed("That is the log-likelihood itself (a sum, and negative). Take the "
                          "negative, and the mean instead of the sum.")
    if near(-np.mean(y * log_p)):
        raise CheckFailed("The class-0 points are missing: for y = 0 the term is "
                          "(1 − y) · ln(1 − p). Add it to y · ln(p).")
    if near(-np.mean((1 - y) * log_1p)):
        raise CheckFailed("The class-1 points are missing: for y = 1 the term is y · ln(p).")
    if near(-np.mean(log_p)):
        raise CheckFailed("Every point was scored with ln(p), but p is the probability of class "
                          "1. For a point with y = 0 the probability of its label is 1 − p.")
    if near(-np.mean(y * log_1p + (1 - y) * log_p)):
        raise CheckFailed("p and 1 − p are swapped: a point with y = 1 should count ln(p), a "
                          "point with y = 0 should count ln(1 − p).")
    if near(want / math.log(10)):
        raise CheckFailed("That is the base-10 logarithm: use np.log (natural log), not np.log10.")


@exercise_check
def check_nll(nll: Any) -> str:
    """Exercise: ``nll(y, p)`` = −mean(y · ln p + (1 − y) · ln(1 − p)), safe at p = 0 and p = 1."""
    nll = expect_callable(nll, "nll")
    what = "nll(y, p)"
    y = np.array([1, 0, 1, 1, 0, 0, 1, 0])
    p = np.array([0.9, 0.2, 0.6, 0.99, 0.01, 0.45, 0.3, 0.7])
    got = _one_number(call_learner(nll, y, p, what="nll"), len(y), what)
    if math.isnan(got):
        raise CheckFailed(f"{what} is nan (not a number) for ordinary probabilities "
                          f"p = {p.tolist()}. Check the formula and its brackets.")
    _diagnose_nll(got, y, p)
    want = neuron.nll(y, p)
    if not math.isclose(got, want, rel_tol=1e-6):
        raise CheckFailed(f"For y = {y.tolist()} and p = {p.tolist()} the mean NLL is "
                          f"{want:.6f}, but your function gives {got:.6g}. Each point costs "
                          "−[y · ln(p) + (1 − y) · ln(1 − p)]; return the mean of the costs.")
    # Certain and right: p = 1 for a 1 and p = 0 for a 0 cost nothing, but 0 · ln 0 is nan.
    y_sure = np.array([1, 0, 1, 0, 1])
    p_sure = np.array([1.0, 0.0, 0.999, 0.001, 0.8])
    got = _one_number(call_learner(nll, y_sure, p_sure, what="nll"), len(y_sure), what)
    want = neuron.nll(y_sure, p_sure)
    if math.isnan(got) or math.isinf(got):
        raise CheckFailed(
            f"For p = {p_sure.tolist()} and y = {y_sure.tolist()} your function gives {got}, but "
            f"the right answer is {want:.6f}: a point with p = 1 and y = 1 (or p = 0 and y = 0) "
            "was predicted with certainty, correctly, and costs nothing. The formula still asks "
            "for ln(0) = −inf in the term it multiplies by 0, and 0 · (−inf) is nan. Either keep "
            "p away from 0 and 1 first, p = np.clip(p, 1e-12, 1 - 1e-12), or pick the "
            "probability of each label before taking one log: np.where(y == 1, p, 1 - p).")
    certain = (p_sure == 0) | (p_sure == 1)
    if math.isclose(got, neuron.nll(y_sure[~certain], p_sure[~certain]), rel_tol=1e-4):
        raise CheckFailed(f"For p = {p_sure.tolist()} and y = {y_sure.tolist()} the mean NLL is "
                          f"{want:.6f}, but your function gives {got:.6g}: the mean over the "
                          f"{int((~certain).sum())} uncertain points only. The points with p "
                          "exactly 0 or 1 (whose term came out as nan) were left out, perhaps "
                          "by np.nanmean; they still count, each with cost 0, so divide by all "
                          f"{len(y_sure)}. Avoid the nan instead: clip p, or pick each label's "
                          "probability with np.where(y == 1, p, 1 - p) before the log.")
    if not math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-6):
        raise CheckFailed(f"For p = {p_sure.tolist()} and y = {y_sure.tolist()} the mean NLL is "
                          f"{want:.6f}, but your function gives {got:.6g}. If you clipped p, "
                          "the margin is too wide: clip to [1e-12, 1 − 1e-12], which changes "
                          "no ordinary probability.")
    # Certain and wrong: the true cost is infinite; inf or a large number are both fine.
    y_wrong, p_wrong = np.array([1, 0, 1]), np.array([0.0, 0.5, 0.9])
    got = _one_number(call_learner(nll, y_wrong, p_wrong, what="nll"), len(y_wrong), what)
    if math.isnan(got) or got < 5:
        raise CheckFailed(f"For y = {y_wrong.tolist()} and p = {p_wrong.tolist()} your function "
                          f"gives {got}. The first point has y = 1 but p = 0: the neuron called "
                          "the truth impossible, which costs −ln(0) = +inf (or, with p clipped "
                          "to 1e-12, about 27.6 for that point). The mean should be inf or a "
                          "large number.")
    # Many points: a product of 3,000 probabilities is 0.0 in float64.
    rng = np.random.default_rng(3)
    p_many = rng.uniform(0.2, 0.95, 3000)
    y_many = (rng.random(3000) < p_many).astype(float)
    got = _one_number(call_learner(nll, y_many, p_many, what="nll"), len(y_many), what)
    want = neuron.nll(y_many, p_many)
    if not math.isfinite(got):
        raise CheckFailed(f"For 3,000 points your function gives {got}, but the mean NLL is "
                          f"{want:.4f}. Did you multiply the probabilities first? Their product "
                          "is far below the smallest float64 and rounds to 0.0, and ln(0) = "
                          "−inf. Take the log of each probability and average the logs.")
    if not math.isclose(got, want, rel_tol=1e-6):
        raise CheckFailed(f"For 3,000 points (labels given as floats 0.0 and 1.0) the mean NLL "
                          f"is {want:.6f}, but your function gives {got:.6g}.")
    return ("Your NLL is the mean of −ln q over the points, with q = p for y = 1 and 1 − p for "
            "y = 0. It survives certain answers (p = 0 or 1) and 3,000 points, whose product of "
            "probabilities would underflow. This is binary cross-entropy, the loss PyTorch calls "
            "binary_cross_entropy.")


__all__ = ["check_nll", "check_predict_proba"]
