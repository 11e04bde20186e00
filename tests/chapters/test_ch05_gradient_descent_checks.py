"""Each chapter-05 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from check_helpers import assert_hint, assert_pass, each_check, usual_wrong_answers

from course_utils import optim
from course_utils.checks.ch05_gradient_descent import check_adam_step, check_gd_step


def gd_stub(params, grad, lr):
    """What the student version holds before the learner writes anything."""
    raise NotImplementedError("write gd_step() — see the task above")


def adam_stub(params, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    raise NotImplementedError("write adam_step() — see the task above")


STUBS = {check_gd_step: gd_stub, check_adam_step: adam_stub}
ALL_CHECKS = list(STUBS)


# --- what every check must survive -----------------------------------------------------------
# None, a value instead of a function, the student stub and a crashing function (the usual wrong
# answers), then this chapter's own: each must get a hint holding the fragments.


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "gd_step", [1, 2, 3], np.zeros(3)], STUBS),
    *each_check(ALL_CHECKS, "returns-None", lambda *args: None, "None", "return"),
    *each_check(ALL_CHECKS, "too-few-arguments", lambda params: params, "TypeError"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: one gradient-descent step -------------------------------------------------


def gd_copy(params, grad, lr):
    new = np.array(params, dtype=float)
    new -= lr * np.asarray(grad)
    return new


@pytest.mark.parametrize("right", [
    lambda params, grad, lr: params - lr * grad,
    lambda params, grad, lr: np.subtract(params, lr * grad),
    gd_copy,
    optim.sgd_step,
    lambda params, grad, lr: (torch.as_tensor(params) - lr * torch.as_tensor(grad)).numpy(),
])
def test_gd_step_right_answers_pass(right, capsys):
    printed = assert_pass(check_gd_step, right, capsys)
    assert "params − lr · grad" in printed


def in_place(params, grad, lr):
    params -= lr * grad
    return params


@pytest.mark.parametrize("wrong, fragment", [
    (lambda params, grad, lr: params + lr * grad, "goes uphill"),
    (lambda params, grad, lr: params - grad, "learning rate is missing"),
    (lambda params, grad, lr: -lr * grad, "returned the step itself"),
    (lambda params, grad, lr: lr * grad, "returned the step itself"),
    (lambda params, grad, lr: params, "unchanged"),
    (lambda params, grad, lr: params - 0.1 * grad, "lr=0.05"),  # a fixed learning rate
    (lambda params, grad, lr: params - lr * grad**2, "params − lr · grad"),
    (in_place, "changed the params array"),
])
def test_gd_step_wrong_answers_get_specific_hints(wrong, fragment, capsys):
    assert_hint(check_gd_step, wrong, capsys, fragment)


def test_gd_step_wrong_shape_gets_a_hint(capsys):
    assert_hint(check_gd_step, lambda params, grad, lr: np.ravel(params - lr * grad)[:2], capsys,
                "one new value per parameter", "shape")
    assert_hint(check_gd_step, lambda params, grad, lr: np.sum(params - lr * grad), capsys,
                "one new value per parameter")


def test_gd_step_text_and_nan_get_hints(capsys):
    assert_hint(check_gd_step, lambda params, grad, lr: "params", capsys, "should be numbers")
    assert_hint(check_gd_step, lambda params, grad, lr: params * np.nan, capsys, "should be")


def test_gd_step_that_only_handles_arrays_gets_a_hint(capsys):
    # The check also passes a single number; code that indexes into params fails there.
    def rows_only(params, grad, lr):
        return np.array([p - lr * g for p, g in zip(params, grad, strict=True)])

    assert_hint(check_gd_step, rows_only, capsys, "TypeError", "float")


# --- exercise 2: one Adam update -----------------------------------------------------------


def adam_right(params, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return params - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def adam_in_place(params, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad * grad
    params -= lr * (m / (1 - beta1**t)) / (np.sqrt(v / (1 - beta2**t)) + eps)
    return params, m, v


def adam_torch_style(params, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad**2
    step_size = lr / (1 - beta1**t)
    denom = np.sqrt(v) / np.sqrt(1 - beta2**t) + eps
    return params - step_size * m / denom, m, v


@pytest.mark.parametrize("right", [adam_right, adam_in_place, adam_torch_style, optim.adam_step,
                                   lambda *a: list(adam_right(*a))])
def test_adam_right_answers_pass(right, capsys):
    printed = assert_pass(check_adam_step, right, capsys)
    assert "torch.optim.Adam" in printed


def make_slip(kind):
    def adam(params, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad**2
        s = {"t - 1": t - 1, "t + 1": t + 1}.get(kind, t)
        m_hat = m if kind in ("no bias correction", "only v") else m / (1 - beta1**s)
        v_hat = v if kind in ("no bias correction", "only m") else v / (1 - beta2**s)
        if kind == "eps inside":
            return params - lr * m_hat / np.sqrt(v_hat + eps), m, v
        if kind == "plus":
            return params + lr * m_hat / (np.sqrt(v_hat) + eps), m, v
        if kind == "return corrected":
            return params - lr * m_hat / (np.sqrt(v_hat) + eps), m_hat, v_hat
        if kind == "swapped":
            return params - lr * m_hat / (np.sqrt(v_hat) + eps), v, m
        if kind == "fixed numbers":
            return adam_right(params, grad, m / 1, v / 1, t)[0], m, v  # ignores lr, betas, eps
        return params - lr * m_hat / (np.sqrt(v_hat) + eps), m, v

    return adam


@pytest.mark.parametrize("kind, fragments", [
    ("no bias correction", ["bias correction is missing"]),
    ("t - 1", ["inf or nan", "starting at 0", "t counts from 1"]),
    ("t + 1", ["step number plus one", "counts from 1"]),
    ("eps inside", ["inside the square root"]),
    ("plus", ["goes uphill"]),
    ("only m", ["corrected m but not v"]),
    ("only v", ["corrected v but not m"]),
    ("return corrected", ["m you returned equals the bias-corrected"]),
    ("swapped", ["looks like v", "(params, m, v)"]),
])
def test_adam_slips_get_named(kind, fragments, capsys):
    assert_hint(check_adam_step, make_slip(kind), capsys, *fragments)


def test_adam_with_fixed_hyperparameters_gets_a_hint(capsys):
    def fixed(params, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        return adam_right(params, grad, m, v, t)  # always the defaults

    assert_hint(check_adam_step, fixed, capsys, "lr=0.05", "passed with PyTorch's default",
                "rather than fixed numbers")


@pytest.mark.parametrize("wrong, fragments", [
    (lambda p, g, m, v, t, *h: (p, 0.9 * m + g, 0.999 * v + 0.001 * g * g), ["bias-corrected",
                                                                             "(1 − beta1)"]),
    (lambda p, g, m, v, t, *h: (p, 0.9 * m + 0.2 * g, v), ["m at index", "(1 − beta1)"]),
    (lambda p, g, m, v, t, lr, b1, b2, eps: adam_right(p, g, m, v, t, lr, b1, b2, eps)[:1]
     + (b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g), ["averages the gradient itself"]),
    (lambda p, g, m, v, t, lr, b1, b2, eps: (p, b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g * g),
     ["did not change"]),
    (lambda p, g, m, v, t, lr, b1, b2, eps: (p - lr * g, b1 * m + (1 - b1) * g,
                                             b2 * v + (1 - b2) * g * g), ["torch.optim.Adam's value"]),
])
def test_adam_other_wrong_answers_get_hints(wrong, fragments, capsys):
    assert_hint(check_adam_step, wrong, capsys, *fragments)


def test_adam_wrong_return_types_get_hints(capsys):
    assert_hint(check_adam_step, lambda p, g, m, v, *rest: p, capsys, "three things",
                "return params, m, v")
    assert_hint(check_adam_step, lambda p, g, m, v, *rest: (p, m), capsys, "three things")
    assert_hint(check_adam_step, lambda p, g, m, v, *rest: ("p", m, v), capsys, "should be numbers")
    assert_hint(check_adam_step, lambda p, g, m, v, *rest: (p[:2], m, v), capsys, "shape")


def test_adam_with_hidden_state_fails(capsys):
    # A function that keeps its own m and v between calls, ignoring the ones it is given,
    # agrees on the first run of steps but not when the check starts a second run from zero.
    memory = {}

    def stateful(params, grad, m, v, t, lr=0.001, beta1=0.9, beta2=0.999, eps=1e-8):
        old_m, old_v = memory.get("m", m), memory.get("v", v)
        params, memory["m"], memory["v"] = adam_right(params, grad, old_m, old_v, t, lr, beta1,
                                                      beta2, eps)
        return params, memory["m"], memory["v"]

    assert_hint(check_adam_step, stateful, capsys, "t = 1")


def test_pass_message_does_not_claim_the_specific_formula(capsys):
    printed = assert_pass(check_adam_step, adam_torch_style, capsys)
    assert "over 6 steps" in printed
