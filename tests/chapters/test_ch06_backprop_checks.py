"""Each chapter-06 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest
from check_helpers import assert_hint, assert_pass, each_check, usual_wrong_answers

from course_utils import autograd
from course_utils.checks.ch06_backprop import check_grad_check, check_softplus

ALL_CHECKS = [check_softplus, check_grad_check]


# --- what every check must survive -----------------------------------------------------------
# None, a value instead of a function, the student stub and a crashing function (the usual wrong
# answers), then this chapter's own: each must get a hint holding the fragments.


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "softplus", [1, 2, 3], np.zeros(3)]),
    *each_check(ALL_CHECKS, "returns-None", lambda *args: None, "None"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: softplus ------------------------------------------------------------------


def sigmoid(x):
    return 1 / (1 + math.exp(-x))


def make_softplus(forward=lambda x: math.log1p(math.exp(x)), slope=sigmoid, assign=False,
                  attach=True, children=True, use_out_grad=True):
    """A learner's softplus, correct unless one of the switches plants a typical slip."""
    def softplus(v):
        out = autograd.Value(forward(v.data), (v,) if children else (), "softplus")

        def _backward(out_grad):
            g = slope(v.data) * (out_grad if use_out_grad else 1.0)
            if assign:
                v.grad = g
            else:
                v.grad += g

        if attach:
            out._backward = _backward
        return out
    return softplus


def test_softplus_right_answer_passes(capsys):
    assert_pass(check_softplus, make_softplus(), capsys)


def test_softplus_written_with_log_of_one_plus_exp_passes(capsys):
    assert_pass(check_softplus, make_softplus(forward=lambda x: math.log(1 + math.exp(x)),
                                              slope=lambda x: math.exp(x) / (1 + math.exp(x))),
                capsys)


@pytest.mark.parametrize("kwargs, fragments", [
    ({"assign": True}, ("used twice", "+=")),
    ({"use_out_grad": False}, ("out_grad", "chain rule")),
    ({"attach": False}, ("no _backward rule",)),
    ({"children": False}, ("does not list v among its inputs",)),
    ({"slope": lambda x: sigmoid(-x)}, ("forget the inner one", "e^x / (1 + e^x)")),
    ({"slope": math.exp}, ("Your slope is e^x",)),
    ({"slope": lambda x: math.log1p(math.exp(x))}, ("value of softplus, not its slope",)),
    ({"slope": lambda x: 0.0}, ("v.grad is still 0",)),
    ({"slope": lambda x: 0.5}, ("torch says",)),
    ({"forward": sigmoid}, ("slope of softplus, not softplus itself",)),
    ({"forward": math.exp}, ("ln(1 + e^",)),
])
def test_softplus_slips_get_specific_hints(kwargs, fragments, capsys):
    assert_hint(check_softplus, make_softplus(**kwargs), capsys, *fragments)


def test_softplus_micrograd_style_backward_without_an_argument(capsys):
    def softplus(v):
        out = autograd.Value(math.log1p(math.exp(v.data)), (v,), "softplus")

        def _backward():
            v.grad += sigmoid(v.data) * out.grad

        out._backward = _backward
        return out
    assert_hint(check_softplus, softplus, capsys, "def _backward(out_grad):")


@pytest.mark.parametrize("answer, fragment", [
    (lambda v: math.log1p(math.exp(v.data)), "plain number"),
    (lambda v: v, "returned v itself"),
    (lambda v: (1 + v.exp()).log(), "operations the engine already has"),
    (lambda v: np.log1p(np.exp([v.data])), "should return a course Value"),
])
def test_softplus_wrong_kinds_of_result(answer, fragment, capsys):
    assert_hint(check_softplus, answer, capsys, fragment)


class Value:
    """The notebook builds its own Value class before the exercise; a learner may reach for it."""

    def __init__(self, data, _children=(), _op=""):
        self.data, self.grad, self._prev, self._op = float(data), 0.0, tuple(_children), _op
        self._backward = lambda out_grad: None


def test_softplus_built_with_the_notebooks_own_value_class(capsys):
    def softplus(v):
        out = Value(math.log1p(math.exp(v.data)), (v,), "softplus")

        def _backward(out_grad):
            v.grad += out_grad / (1 + math.exp(-v.data))

        out._backward = _backward
        return out
    assert_hint(check_softplus, softplus, capsys, "the class this notebook built",
                "autograd.Value(result, (v,), 'softplus')")


def test_softplus_whose_backward_raises(capsys):
    def softplus(v):
        out = autograd.Value(math.log1p(math.exp(v.data)), (v,), "softplus")

        def _backward(out_grad):
            raise ZeroDivisionError("oops")

        out._backward = _backward
        return out
    assert_hint(check_softplus, softplus, capsys, "ZeroDivisionError", "oops")


# --- exercise 2: grad_check ------------------------------------------------------------------


def numeric(f, x, h=1e-5, central=True):
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        g[i] = (f(up) - f(down)) / (2 * h) if central else (f(up) - f(x)) / h
    return g


def right(f, grad_f, x):
    return np.allclose(grad_f(x), numeric(f, x), rtol=1e-5, atol=1e-8)


def relative_with_floor(f, grad_f, x):
    a, n = grad_f(x), numeric(f, x)
    return bool(np.all(np.abs(a - n) / np.maximum(np.abs(a) + np.abs(n), 1e-12) < 1e-6))


def nudges_in_place_and_puts_back(f, grad_f, x, h=1e-5):
    analytic, n = grad_f(x), np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        up = f(x)
        x[i] = old - h
        n[i] = (up - f(x)) / (2 * h)
        x[i] = old  # x is as it was
    return np.allclose(analytic, n, rtol=1e-5, atol=1e-8)


def test_grad_check_right_answers_pass(capsys):
    assert_pass(check_grad_check, right, capsys)
    assert_pass(check_grad_check, relative_with_floor, capsys)
    assert_pass(check_grad_check, nudges_in_place_and_puts_back, capsys)


def only_absolute(f, grad_f, x):
    return bool(np.all(np.abs(grad_f(x) - numeric(f, x)) < 1e-6))


def purely_relative(f, grad_f, x):
    a, n = grad_f(x), numeric(f, x)
    with np.errstate(all="ignore"):
        return bool(np.all(np.abs(a - n) / (np.abs(a) + np.abs(n)) < 1e-6))


def one_sided(f, grad_f, x):
    return np.allclose(grad_f(x), numeric(f, x, central=False), rtol=1e-5, atol=1e-8)


def first_entry_only(f, grad_f, x):
    return bool(np.isclose(grad_f(x).flat[0], numeric(f, x).flat[0], rtol=1e-5, atol=1e-8))


def too_loose(f, grad_f, x):
    return np.allclose(grad_f(x), numeric(f, x), rtol=1e-2, atol=1e-8)


def ignores_signs(f, grad_f, x):
    return np.allclose(np.abs(grad_f(x)), np.abs(numeric(f, x)), rtol=1e-5, atol=1e-8)


def nudges_x_in_place(f, grad_f, x):
    n = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        x[i] += 1e-3
        n[i] = f(x)
    return np.allclose(grad_f(x), n)


def loops_over_rows_only(f, grad_f, x):
    n = np.zeros_like(x)
    for i in range(len(x)):  # for a matrix, x[i] is a whole row
        up, down = x.copy(), x.copy()
        up[i] += 1e-5
        down[i] -= 1e-5
        n[i] = (f(up) - f(down)) / 2e-5
    return np.allclose(grad_f(x), n, rtol=1e-5, atol=1e-8)


def h_too_large(f, grad_f, x):
    n = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += 1e-2
        down[i] -= 1e-2
        n[i] = (f(up) - f(down)) / 2e-2
    return np.allclose(grad_f(x), n, rtol=1e-5, atol=1e-8)


def returns_the_error(f, grad_f, x):
    return float(np.abs(grad_f(x) - numeric(f, x)).max())


@pytest.mark.parametrize("answer, fragments", [
    (lambda f, g, x: True, ("said True every time",)),
    (lambda f, g, x: False, ("said False every time", "instead of 2h")),
    (only_absolute, ("rejected a correct gradient", "slopes around a million", "rtol")),
    (purely_relative, ("rejected a correct gradient", "exact zeros", "0 by 0")),
    (one_sided, ("rejected a correct gradient", "steep function", "one-sided",
                 "central difference")),
    (h_too_large, ("rejected a correct gradient", "steep function", "h is too large")),
    (loops_over_rows_only, ("rejected a correct gradient", "2×3 matrix", "np.ndindex")),
    (first_entry_only, ("accepted a wrong gradient", "last entry", "every entry")),
    (too_loose, ("accepted a wrong gradient", "0.1 %", "too loose")),
    (ignores_signs, ("accepted a wrong gradient", "wrong sign")),
    (nudges_x_in_place, ("changed the x it was given", "copy")),
    (returns_the_error, ("should return True or False",)),
])
def test_grad_check_mistakes_get_specific_hints(answer, fragments, capsys):
    assert_hint(check_grad_check, answer, capsys, *fragments)
