"""Each chapter-07 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special
from check_helpers import assert_hint, assert_pass, each_check, usual_wrong_answers

from course_utils import softmax
from course_utils.checks.ch07_mnist import (
    check_cross_entropy,
    check_cross_entropy_grad,
    check_stable_softmax,
)

# --- what every check must survive -----------------------------------------------------------
# None, a value instead of a function, the student stub and a crashing function (the usual wrong
# answers), then this chapter's own: each must get a hint holding the fragments.

ALL_CHECKS = [check_stable_softmax, check_cross_entropy, check_cross_entropy_grad]
ARRAY_CHECKS = [check_stable_softmax, check_cross_entropy_grad]  # their answer is an array


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "softmax", [1, 2, 3], np.zeros(3)]),
    *each_check(ALL_CHECKS, "returns-None", lambda *args: None, "None", "return"),
    *each_check(ALL_CHECKS, "returns-text", lambda *args: "0.5", "should be numbers"),
    *each_check(ARRAY_CHECKS, "wrong-shape", lambda z, *rest: z[:, :2],
                "should return an array of shape"),
    *each_check(ARRAY_CHECKS, "nan", lambda z, *rest: np.full(z.shape, np.nan), "nan"),
    *each_check([check_cross_entropy], "nan", lambda z, y: np.nan, "nan"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: stable softmax ----------------------------------------------------------------


def softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def softmax_with_logsumexp(z):
    m = np.max(z, axis=1)[:, None]
    return np.exp(z - m - np.log(np.sum(np.exp(z - m), axis=1))[:, None])


@pytest.mark.parametrize("right", [
    softmax_rows, softmax_with_logsumexp, softmax.softmax, lambda z: softmax.softmax(z, axis=1),
    lambda z: scipy.special.softmax(z, axis=1)])
def test_stable_softmax_right_answers_pass(right, capsys):
    printed = assert_pass(check_stable_softmax, right, capsys)
    assert "±1000" in printed


def naive(z):
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def global_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=1, keepdims=True)


def mean_shift(z):
    e = np.exp(z - z.mean(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def min_shift(z):
    e = np.exp(z - z.min(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def no_keepdims(z):
    e = np.exp(z - z.max(axis=1))
    return e / e.sum(axis=1)


def no_keepdims_transposed(z):  # runs on any shape, but subtracts along the wrong axis
    e = np.exp(z - z.max(axis=1)[None, :] if z.shape[0] == z.shape[1] else
               z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def columns(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def whole_sum(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum()


def clipped(z):
    return naive(np.clip(z, -500, 500))


def hides_overflow(z):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.nan_to_num(naive(z), nan=1 / z.shape[1])


def naive_with_seterr(z):
    old = np.seterr(all="ignore")
    try:
        return naive(z)
    finally:
        np.seterr(**old)


def test_naive_softmax_gets_the_overflow_hint(capsys):
    assert_hint(check_stable_softmax, naive, capsys, "overflow", "1000", "709.78",
                "subtract the row's largest logit")


def test_subtracting_the_global_max_gets_a_hint(capsys):
    assert_hint(check_stable_softmax, global_max, capsys, "0/0", "each row's own maximum",
                "-1000")


@pytest.mark.parametrize("wrong", [mean_shift, min_shift])
def test_subtracting_the_mean_or_min_gets_the_overflow_hint(wrong, capsys):
    assert_hint(check_stable_softmax, wrong, capsys, "overflow", "mean or the smallest")


def test_missing_keepdims_gets_a_broadcasting_hint(capsys):
    assert_hint(check_stable_softmax, no_keepdims, capsys, "broadcast", "keepdims=True")


def test_wrong_axis_on_a_square_array_gets_a_hint(capsys):
    assert_hint(check_stable_softmax, no_keepdims_transposed, capsys, "square", "keepdims=True")


def test_normalising_columns_gets_a_hint(capsys):
    assert_hint(check_stable_softmax, columns, capsys, "axis=0")


def test_dividing_by_the_whole_sum_gets_a_hint(capsys):
    assert_hint(check_stable_softmax, whole_sum, capsys, "whole array")


def test_forgetting_to_normalise_gets_a_hint(capsys):
    assert_hint(check_stable_softmax, np.exp, capsys, "divided by their row's sum")


def test_clipping_gets_a_hint(capsys):
    assert_hint(check_stable_softmax, clipped, capsys, "clip")


@pytest.mark.parametrize("hiding", [hides_overflow, naive_with_seterr])
def test_switching_off_the_alarms_does_not_pass(hiding, capsys):
    assert_hint(check_stable_softmax, hiding, capsys, "switches off", "remove it")
    assert np.geterr()["over"] == "warn"  # the learner's seterr did not leak out


def test_a_function_that_changes_its_input_is_judged_on_fresh_copies(capsys):
    def in_place(z):
        z -= z.max(axis=1, keepdims=True)
        np.exp(z, out=z)
        z /= z.sum(axis=1, keepdims=True)
        return z

    assert_pass(check_stable_softmax, in_place, capsys)


def test_rows_that_do_not_sum_to_one_get_a_hint(capsys):
    assert_hint(check_stable_softmax, lambda z: softmax_rows(z) * 0.9, capsys, "add up to 1")


def test_wrong_values_that_sum_to_one_get_a_hint(capsys):
    assert_hint(check_stable_softmax, lambda z: softmax_rows(2 * z), capsys, "should be")


# --- exercise 2: cross-entropy ---------------------------------------------------------------


def ce_right(logits, labels):
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -logp[np.arange(len(labels)), labels].mean()


def ce_logsumexp(logits, labels):
    lse = scipy.special.logsumexp(logits, axis=1)
    return float(np.mean(lse - logits[np.arange(len(labels)), labels]))


@pytest.mark.parametrize("right", [ce_right, ce_logsumexp, softmax.cross_entropy,
                                   lambda z, y: np.array([ce_right(z, y)])])
def test_cross_entropy_right_answers_pass(right, capsys):
    printed = assert_pass(check_cross_entropy, right, capsys)
    assert "1000" in printed


def ce_log_of_softmax(logits, labels):
    p = softmax.softmax(logits)
    return -np.log(p[np.arange(len(labels)), labels]).mean()


def ce_naive(logits, labels):
    e = np.exp(logits)
    p = e / e.sum(axis=1, keepdims=True)
    return -np.log(p[np.arange(len(labels)), labels]).mean()


def ce_epsilon(logits, labels):
    p = softmax.softmax(logits)
    return -np.log(p[np.arange(len(labels)), labels] + 1e-12).mean()


def ce_clip(logits, labels):
    p = np.clip(softmax.softmax(logits), 1e-7, 1)
    return -np.log(p[np.arange(len(labels)), labels]).mean()


def test_log_of_softmax_gets_the_log_of_zero_hint(capsys):
    assert_hint(check_cross_entropy, ce_log_of_softmax, capsys, "log(0)", "directly")


def test_naive_exp_gets_the_overflow_hint(capsys):
    assert_hint(check_cross_entropy, ce_naive, capsys, "overflow")


@pytest.mark.parametrize("capped", [ce_epsilon, ce_clip])
def test_epsilon_or_clipping_gets_a_hint(capped, capsys):
    assert_hint(check_cross_entropy, capped, capsys, "epsilon", "should be 500")


def test_log_of_softmax_with_alarms_off_gets_the_inf_hint(capsys):
    def hidden(z, y):
        return _quiet(ce_log_of_softmax, z, y)

    assert_hint(check_cross_entropy, hidden, capsys, "inf", "1000")


def _quiet(fn, *args):
    with np.errstate(all="ignore"):
        return fn(*args)


@pytest.mark.parametrize("wrong, fragment", [
    (lambda z, y: -ce_right(z, y), "sign is flipped"),
    (lambda z, y: ce_right(z, y) * len(y), "sum of the"),
    (lambda z, y: -softmax.log_softmax(z)[np.arange(len(y)), y], "one loss per example"),
    (lambda z, y: -softmax.log_softmax(z)[:, y], "not logp[:, labels]"),
    (lambda z, y: (ce_right(z, y), 0.0), "single number"),
    (lambda z, y: -softmax.log_softmax(z)[:, y].mean(), "np.arange(n)"),
    (lambda z, y: -softmax.softmax(z)[np.arange(len(y)), y].mean(), "negative logarithm"),
    (lambda z, y: ce_right(z, y) / np.log(10), "np.log10"),
    (lambda z, y: -softmax.log_softmax(z).mean(), "every class"),
    (lambda z, y: ce_right(z, y) + 0.1, "should be"),
])
def test_cross_entropy_wrong_answers_get_specific_hints(wrong, fragment, capsys):
    assert_hint(check_cross_entropy, wrong, capsys, fragment)


def test_cross_entropy_with_alarms_off_does_not_pass(capsys):
    def hiding(logits, labels):
        with np.errstate(divide="ignore"):
            return ce_log_of_softmax(logits, labels)

    assert_hint(check_cross_entropy, hiding, capsys, "switches off")


def test_cross_entropy_that_breaks_on_one_example_gets_a_hint(capsys):
    assert_hint(check_cross_entropy, lambda z, y: ce_right(z, y) if len(y) > 1 else 0.0, capsys,
                "batch of one")


# --- exercise 3: the gradient --------------------------------------------------------------------


def grad_right(logits, labels):
    n = len(labels)
    grad = softmax.softmax(logits)
    grad[np.arange(n), labels] -= 1
    return grad / n


def grad_every_label_column(logits, labels):
    grad = softmax.softmax(logits)
    grad[:, labels] -= 1
    return grad / len(labels)


def grad_with_one_hot(logits, labels):
    return (softmax.softmax(logits) - softmax.one_hot(labels, logits.shape[1])) / len(labels)


@pytest.mark.parametrize("right", [grad_right, softmax.cross_entropy_grad, grad_with_one_hot])
def test_gradient_right_answers_pass(right, capsys):
    assert_pass(check_cross_entropy_grad, right, capsys)


@pytest.mark.parametrize("wrong, fragment", [
    (lambda z, y: grad_right(z, y) * len(y), "divide by n"),
    (lambda z, y: -grad_right(z, y), "sign is flipped"),
    (lambda z, y: softmax.softmax(z) / len(y), "softmax alone"),
    (lambda z, y: softmax.softmax(z), "softmax alone"),
    (lambda z, y: grad_right(z, y) * 2, "numeric gradient"),
    (grad_every_label_column, "its own label only"),
])
def test_gradient_wrong_answers_get_specific_hints(wrong, fragment, capsys):
    assert_hint(check_cross_entropy_grad, wrong, capsys, fragment)


def test_gradient_with_a_naive_softmax_gets_the_overflow_hint(capsys):
    def naive_grad(z, y):
        grad = naive(z)
        grad[np.arange(len(y)), y] -= 1
        return grad / len(y)

    assert_hint(check_cross_entropy_grad, naive_grad, capsys, "overflow", "1000")
