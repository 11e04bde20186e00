"""Checks for chapter 06's exercises: a new operation for the engine, and a gradient check.

* :func:`check_softplus` runs the learner's ``softplus(v)`` inside graphs of the course's
  :class:`~course_utils.autograd.Value` and compares value and gradient with ``torch``
  (float64), in graphs that catch the usual slips: a forgotten ``out_grad``, ``=`` instead of
  ``+=``, a missing child or a ``_backward`` never attached.
* :func:`check_grad_check` gives the learner's ``grad_check(f, grad_f, x)`` correct gradients
  and gradients with planted bugs, and wants True exactly for the correct ones.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..autograd import Value, topological_order
from ..autograd import _no_backward as _NO_BACKWARD
from .core import (
    CheckFailed,
    call_learner,
    describe,
    exercise_check,
    expect_callable,
    is_close,
    try_learner,
    value_or_hint,
)

# --- exercise 1: softplus as a new operation -----------------------------------------------

_POINTS = (-3.0, -0.5, 0.0, 0.7, 2.5)


def _softplus(x: float) -> float:
    return math.log1p(math.exp(-abs(x))) + max(x, 0.0)


def _sigmoid(x: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * x))


def _torch_reference(build: Callable[[Any, Callable[[Any], Any]], Any], x: float
                     ) -> tuple[float, float]:
    """Value and slope of ``build(x, softplus)`` by torch.autograd in float64."""
    import torch

    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out = build(t, torch.nn.functional.softplus)
    out.backward()
    return float(out.detach()), float(t.grad)


def _learner_node(softplus: Callable[[Value], Any], v: Value) -> Value:
    """Call ``softplus(v)`` and insist on a Value that records v as its input."""
    out = call_learner(softplus, v, what="softplus")
    if out is None:
        raise CheckFailed("softplus(v) returned None. Did you forget `return out`?")
    if isinstance(out, (int, float)):
        raise CheckFailed("softplus(v) returned a plain number. Return a Value made with "
                          "autograd.Value(number, (v,), 'softplus'), so that backward can find v.")
    if not isinstance(out, Value) and type(out).__name__ == "Value":
        raise CheckFailed("softplus(v) returned a Value of the class this notebook built, but "
                          "the exercise adds the operation to the course's engine: create the "
                          "result with autograd.Value(result, (v,), 'softplus').")
    if not isinstance(out, Value):
        raise CheckFailed(f"softplus(v) should return a course Value (autograd.Value), but it "
                          f"returned {describe(out)}. Build it with autograd.Value(..., (v,), "
                          "'softplus'); the check runs your operation inside the course's engine.")
    if out is v:
        raise CheckFailed("softplus(v) returned v itself. Make a new Value for the result and "
                          "leave v unchanged.")
    if not any(child is v for child in out._prev):
        if any(node is v for node in topological_order(out)):
            raise CheckFailed("You built softplus from operations the engine already has (such "
                              "as exp and log). That computes the right thing, but the exercise "
                              "is a new operation with its own derivative: return one Value "
                              "autograd.Value(result, (v,), 'softplus') and give it a _backward.")
        raise CheckFailed("The Value you return does not list v among its inputs, so backward "
                          "never reaches v. Pass (v,) as the second argument: "
                          "autograd.Value(result, (v,), 'softplus').")
    if out._backward is _NO_BACKWARD:
        raise CheckFailed("Your Value has no _backward rule yet: define "
                          "`def _backward(out_grad): ...` inside softplus and attach it with "
                          "`out._backward = _backward` before returning out.")
    return out


def _run_backward(root: Value) -> None:
    """``root.backward()``, which runs the learner's ``_backward``; an error becomes a hint."""
    error = try_learner(root.backward, what="The _backward of your softplus").error
    if error is None:
        return
    if isinstance(error, TypeError) and "positional argument" in str(error):
        raise CheckFailed("Your _backward takes the wrong arguments. The engine calls it as "
                          "_backward(out_grad), with the gradient of your result: write "
                          "`def _backward(out_grad):`.")
    raise CheckFailed(f"backward() through your softplus raised {type(error).__name__}: {error}")


@exercise_check
def check_softplus(softplus: Any) -> str:
    """Exercise: ``softplus(v) = ln(1 + e^v)`` as a new engine operation with its backward."""
    softplus = expect_callable(softplus, "softplus")
    for x in _POINTS:  # forward values
        got = _learner_node(softplus, Value(x)).data
        if is_close(got, _softplus(x)):
            continue
        if is_close(got, _sigmoid(x)):
            raise CheckFailed(f"softplus({x:g}) gave {got:.6g}, which is σ({x:g}): that is the "
                              "slope of softplus, not softplus itself, ln(1 + e^x).")
        raise CheckFailed(f"softplus({x:g}) gave {got:.6g} but ln(1 + e^{x:g}) = "
                          f"{_softplus(x):.6g}. Compute the result from v.data with math.exp "
                          "and math.log (or math.log1p).")
    for x in _POINTS:  # the slope alone: C = softplus(v)
        v = Value(x)
        out = _learner_node(softplus, v)
        _run_backward(out)
        want = _torch_reference(lambda t, sp: sp(t), x)[1]
        if is_close(v.grad, want):
            continue
        if v.grad == 0:
            raise CheckFailed("After backward, v.grad is still 0: your _backward does not add "
                              "anything to v.grad. It should do v.grad += (slope) * out_grad.")
        if is_close(v.grad, _sigmoid(-x)):
            raise CheckFailed(f"At x = {x:g} your slope is 1 / (1 + e^x) = {v.grad:.6g}, but the "
                              f"slope of ln(1 + e^x) is e^x / (1 + e^x) = σ(x) = {want:.6g}. The "
                              "chain rule needs both factors: the outer ln gives 1 / (1 + e^x), "
                              "and the inner 1 + e^x gives e^x. Did you forget the inner one?")
        if is_close(v.grad, _softplus(x)):
            raise CheckFailed("Your _backward adds the value of softplus, not its slope. The "
                              "derivative of ln(1 + e^x) is e^x / (1 + e^x) = σ(x).")
        if is_close(v.grad, math.exp(x)):
            raise CheckFailed("Your slope is e^x. The chain rule through ln adds a factor "
                              "1 / (1 + e^x): the slope is e^x / (1 + e^x) = σ(x).")
        raise CheckFailed(f"At x = {x:g} the slope ∂softplus/∂v came out as {v.grad:.6g} but "
                          f"torch says {want:.6g}. The derivative of ln(1 + e^x) is σ(x).")
    for x in _POINTS:  # inside a bigger graph: the gradient arriving from above is 3, not 1
        v = Value(x)
        root = _learner_node(softplus, v) * 3
        _run_backward(root)
        want = _torch_reference(lambda t, sp: sp(t) * 3, x)[1]
        if is_close(v.grad, want):
            continue
        if is_close(v.grad, want / 3):
            raise CheckFailed("Alone your softplus is right, but in C = 3 · softplus(v) the "
                              "gradient of v must be 3 · σ(v): multiply your slope by out_grad, "
                              "the gradient arriving at the result (the chain rule).")
        raise CheckFailed(f"In C = 3 · softplus(v) at v = {x:g}, ∂C/∂v came out as "
                          f"{v.grad:.6g} but torch says {want:.6g}. Use "
                          "v.grad += σ(v) * out_grad.")
    for x in _POINTS:  # v used twice: C = v · softplus(v)
        v = Value(x)
        root = v * _learner_node(softplus, v)
        _run_backward(root)
        want = _torch_reference(lambda t, sp: t * sp(t), x)[1]
        if not is_close(v.grad, want):
            raise CheckFailed(f"In C = v · softplus(v) at v = {x:g}, v is used twice and "
                              f"∂C/∂v should be {want:.6g}, but you get {v.grad:.6g}. Did you "
                              "write v.grad = ... ? That throws away what the other path already "
                              "added: use v.grad += ...")
    return ("softplus(v) = ln(1 + e^v) is a smooth ReLU, and its slope is the sigmoid: σ(v). "
            "Your operation gives the same values and gradients as torch, alone, scaled by the "
            "gradient from above, and when v is used twice.")


# --- exercise 2: a gradient check that catches bugs ----------------------------------------


@dataclass(frozen=True)
class _Case:
    """One test of the learner's grad_check: a function, a gradient, a point, the verdict."""

    name: str
    f: Callable[[np.ndarray], float]
    grad_f: Callable[[np.ndarray], np.ndarray]
    x: np.ndarray
    correct: bool
    hint: str


def _sum_of_squares(x: np.ndarray) -> float:
    return float(np.sum(x ** 2))


def _wavy(x: np.ndarray) -> float:
    return float(np.sum(np.sin(x) * x[::-1]))


def _wavy_grad(x: np.ndarray) -> np.ndarray:
    return np.cos(x) * x[::-1] + np.sin(x[::-1])


def _matrix_cost(W: np.ndarray) -> float:
    return float(np.sum(np.tanh(W @ np.array([1.0, -2.0, 0.5]))))


def _matrix_cost_grad(W: np.ndarray) -> np.ndarray:
    v = np.array([1.0, -2.0, 0.5])
    return (1 - np.tanh(W @ v) ** 2)[:, None] * v[None, :]


def _big(x: np.ndarray) -> float:
    return float(1e6 * np.sum(np.tanh(x) * x))


def _big_grad(x: np.ndarray) -> np.ndarray:
    return 1e6 * (np.tanh(x) + x * (1 - np.tanh(x) ** 2))


def _with_zeros(x: np.ndarray) -> float:
    return float(x[0] ** 2 + x[1] * x[2])


def _with_zeros_grad(x: np.ndarray) -> np.ndarray:
    return np.array([2 * x[0], x[2], x[1]])


def _steep(x: np.ndarray) -> float:
    return float(np.sum(np.exp(10 * x)))


def _steep_grad(x: np.ndarray) -> np.ndarray:
    return 10 * np.exp(10 * x)


def _last_entry_wrong(x: np.ndarray) -> np.ndarray:
    g = _wavy_grad(x)
    g[-1] *= 2
    return g


_V = np.array([0.3, -1.2, 0.8, 2.0])
_W = np.array([[0.2, -0.4, 1.0], [0.7, 0.1, -0.3]])
_CASES = (
    _Case("Σx² with gradient 2x", _sum_of_squares, lambda x: 2 * x, np.array([1.0, -2.0, 0.5]),
          True, "Check your central difference (f(x + h) − f(x − h)) / 2h, with h = 1e-5 added "
          "to one entry at a time, and compare with np.allclose(analytic, numeric, rtol=1e-5, "
          "atol=1e-8)."),
    _Case("Σ e^(10x), a steep function, with its correct gradient", _steep, _steep_grad,
          np.array([0.1, -0.2, 0.05]), True,
          "Its slope changes fast, so a rough numeric slope misses it: either h is too large "
          "(use h = 1e-5) or the difference is one-sided. With h = 1e-5 the one-sided "
          "(f(x + h) − f(x)) / h is off by about 5·10⁻⁵ of the slope, more than rtol=1e-5 "
          "allows; the central difference (f(x + h) − f(x − h)) / 2h is off by only about "
          "10⁻⁹: use it."),
    _Case("Σx² with gradient x (a factor 2 missing)", _sum_of_squares, lambda x: x,
          np.array([1.0, -2.0, 0.5]), False,
          "Compute the numeric slope of every entry and compare it with grad_f(x)."),
    _Case("a 4-entry function with its correct gradient", _wavy, _wavy_grad, _V, True,
          "Check the central difference: nudge one entry up by h and down by h, and divide the "
          "change in f by 2h."),
    _Case("a 4-entry gradient that is wrong only in its last entry", _wavy, _last_entry_wrong,
          _V, False, "Compare every entry, not just the first: loop over all of x."),
    _Case("a gradient with the wrong sign", _wavy, lambda x: -_wavy_grad(x), _V, False,
          "Compare the numbers with their signs: np.allclose does, abs() would not."),
    _Case("a 2×3 weight matrix with its correct gradient", _matrix_cost, _matrix_cost_grad, _W,
          True, "x here is a 2×3 matrix. Loop over every entry, e.g. with "
          "`for i in np.ndindex(x.shape):`, and build numeric with the shape of x."),
    _Case("slopes around a million, correct", _big, _big_grad, _V, True,
          "With slopes around 10⁶ the numeric estimate is off by about 1e-4 in absolute terms, "
          "a tiny error relative to the slope. A pure absolute tolerance rejects it: use "
          "rtol=1e-5 as well (np.allclose does)."),
    _Case("slopes around a million, 0.1 % too large", _big, lambda x: _big_grad(x) * 1.001, _V, False,
          "A gradient 0.1 % off is a bug. Your tolerance is too loose: use "
          "np.allclose(analytic, numeric, rtol=1e-5, atol=1e-8)."),
    _Case("a correct gradient with exact zeros in it", _with_zeros, _with_zeros_grad,
          np.array([0.0, 0.0, 1.5]), True,
          "Some slopes here are exactly 0. A purely relative error divides 0 by 0 there; "
          "np.allclose's test |a − n| ≤ atol + rtol·|n| handles zeros."),
)


def _verdict(value: Any, case: _Case) -> bool:
    if value is None:
        raise CheckFailed("grad_check returned None. Return True when the gradients agree and "
                          "False when they do not.")
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise CheckFailed(f"grad_check should return True or False, but for {case.name} it "
                      f"returned {describe(value)}. np.allclose(a, b, ...) gives one True or "
                      "False for the whole array (np.isclose gives an array of them, and the "
                      "text 'True' is not a boolean).")


@exercise_check
def check_grad_check(grad_check: Any) -> str:
    """Exercise: ``grad_check(f, grad_f, x)`` is True exactly when ``grad_f`` is right."""
    grad_check = expect_callable(grad_check, "grad_check")
    verdicts = []
    for case in _CASES:
        args = (case.f, case.grad_f, case.x)
        outcome = try_learner(grad_check, *args, what="grad_check")
        verdict = _verdict(value_or_hint(outcome, args, what="grad_check"), case)
        if not np.array_equal(outcome.inputs[2], case.x):  # the x grad_check was given
            raise CheckFailed("grad_check changed the x it was given. Nudge a copy "
                              "(x.copy()), so the caller's array stays as it was.")
        verdicts.append((case, verdict))
    if all(v for _, v in verdicts):
        raise CheckFailed("grad_check said True every time, even for gradients with planted "
                          "bugs (a factor 2 missing, a wrong sign). It must compare.")
    if not any(v for _, v in verdicts):
        raise CheckFailed("grad_check said False every time, even for correct gradients such as "
                          "2x for Σx². Print your numeric gradient for Σx² at x = [1, −2, 0.5]: "
                          "it should be [2, −4, 1]. Usual slips: dividing by h instead of 2h, "
                          "nudging every entry at once instead of one at a time, or a tolerance "
                          "stricter than np.allclose(analytic, numeric, rtol=1e-5, atol=1e-8).")
    for case, verdict in verdicts:
        if verdict != case.correct:
            if case.correct:
                raise CheckFailed(f"grad_check rejected a correct gradient: {case.name}. "
                                  f"{case.hint}")
            raise CheckFailed(f"grad_check accepted a wrong gradient: {case.name}. {case.hint}")
    return ("Your grad_check accepts correct gradients (vectors, a matrix, a steep function, "
            "large slopes, exact zeros) and catches every planted bug (a missing factor, a wrong "
            "sign, a single wrong entry, an error of 0.1 %). Use it whenever you write a backward "
            "pass by hand.")


__all__ = ["check_grad_check", "check_softplus"]
