"""Each chapter-01 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest
from check_helpers import assert_hint, assert_pass, each_check, usual_wrong_answers

from course_utils import activations
from course_utils.checks.ch01_sigmoid import (
    ADVICE,
    check_logit,
    check_sigmoid_derivative,
    check_stable_sigmoid,
)
from course_utils.checks.core import float_advice

ALL_CHECKS = [check_logit, check_sigmoid_derivative, check_stable_sigmoid]


# --- what every check must survive -----------------------------------------------------------
# None, a value instead of a function, the student stub and a crashing function (the usual wrong
# answers), then this chapter's own: each must get a hint holding the fragments.


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "sigmoid", [1, 2, 3], np.zeros(3)]),
    *each_check(ALL_CHECKS, "returns-None", lambda x: None, "None", "return"),
    *each_check(ALL_CHECKS, "returns-text", lambda x: "0.5", "should be numbers"),
    *each_check(ALL_CHECKS, "one-number", lambda x: 0.5, "one number per input"),
    *each_check(ALL_CHECKS, "nan", lambda x: np.full(np.shape(x), np.nan), "nan"),
    *each_check(ALL_CHECKS, "scalar-only", lambda x: 1 / (1 + math.exp(-x)), "TypeError"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: logit --------------------------------------------------------------------


def test_logit_right_answers_pass(capsys):
    assert_pass(check_logit, lambda p: np.log(p / (1 - p)), capsys)
    assert_pass(check_logit, lambda p: np.log(p) - np.log(1 - p), capsys)
    printed = assert_pass(check_logit, activations.logit, capsys)
    assert "odds" in printed


@pytest.mark.parametrize("wrong, fragment", [
    (lambda p: np.log((1 - p) / p), "sign is flipped"),
    (lambda p: p / (1 - p), "returned the odds"),
    (lambda p: np.log10(p / (1 - p)), "np.log10"),
    (lambda p: np.log(p), "should be"),
    (lambda p: np.log(p / (1 + p)), "should be"),
])
def test_logit_wrong_answers_get_specific_hints(wrong, fragment, capsys):
    assert_hint(check_logit, wrong, capsys, fragment)


def test_logit_hint_shows_the_first_mismatch(capsys):
    printed = assert_hint(check_logit, lambda p: np.log(p), capsys)
    assert "at index (0,)" in printed and "ln(p / (1 − p))" in printed


def test_logit_hints_name_p_not_x(capsys):
    printed = assert_hint(check_logit, lambda p: np.where(p > 0.5, np.nan, 0.0), capsys)
    assert "logit(p) gives nan" in printed and "for p = [0.75, 0.9, 0.99]" in printed
    assert "x =" not in printed and "(x)" not in printed
    printed = assert_hint(check_logit, lambda p: p[:3], capsys, "p has shape (7,)")
    assert "(x)" not in printed


def test_logit_missing_brackets_gets_the_log_of_zero_hint(capsys):
    assert_hint(check_logit, lambda p: np.log(p / 1 - p), capsys,
                "divide by zero encountered in log", "log of 0 is −∞", "brackets",
                "p = [0.01, 0.1, 0.25")


def test_logit_hint_names_only_the_p_that_caused_the_problem(capsys):
    def log_of_zero_at_half(p):
        return np.log(np.abs(p - 0.5)) * 0 + np.log(p / (1 - p))

    printed = assert_hint(check_logit, log_of_zero_at_half, capsys, "log of 0")
    assert "for p = [0.5]" in printed


@pytest.mark.parametrize("guarded", [
    lambda p: np.log(p / (1 - p + 1e-9)),
    lambda p: np.log((p + 1e-9) / (1 - p + 1e-9)),
    lambda p: np.log(np.clip(p, 1e-7, 1 - 1e-7) / (1 - np.clip(p, 1e-7, 1 - 1e-7))),
])
def test_logit_with_an_epsilon_or_clip_gets_a_hint_naming_p(guarded, capsys):
    printed = assert_hint(check_logit, guarded, capsys, "epsilon or clip", "no guard is needed")
    assert "p = 0.999999999999 " in printed or "p = 1e-12 " in printed  # every digit shown


# --- exercise 2: the derivative ---------------------------------------------------------


def naive_sigmoid(x):
    """Section 1's sigmoid, which the task tells the learner to use (it overflows at -1000)."""
    return 1 / (1 + np.exp(-x))


def test_derivative_right_answers_pass(capsys):
    def with_naive_sigmoid(x):
        s = naive_sigmoid(x)
        return s * (1 - s)

    assert_pass(check_sigmoid_derivative, with_naive_sigmoid, capsys)
    assert_pass(check_sigmoid_derivative, lambda x: naive_sigmoid(x) * (1 - naive_sigmoid(x)),
                capsys)
    assert_pass(check_sigmoid_derivative, activations.sigmoid_derivative, capsys)


@pytest.mark.parametrize("unstable, where", [
    (lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, "x = [-1000.0]"),
    (lambda x: np.exp(x) / (1 + np.exp(x)) ** 2, "x = [1000.0]"),
])
def test_derivative_that_overflows_into_nan_far_out_gets_a_hint(unstable, where, capsys):
    assert_hint(check_sigmoid_derivative, unstable, capsys, "nan", where, "inf / inf",
                "s * (1 - s)")


@pytest.mark.parametrize("wrong, fragment", [
    (activations.sigmoid, "σ(x) itself"),
    (lambda x: 1 - activations.sigmoid(x), "1 − σ(x)"),
    (lambda x: activations.sigmoid(x) * (1 + activations.sigmoid(x)), "At x = 0"),
    (lambda x: activations.sigmoid(x) * (1 - activations.sigmoid(x)) * (1 + 0.01 * x ** 2), "s * (1 - s)"),
])
def test_derivative_wrong_answers_get_hints(wrong, fragment, capsys):
    assert_hint(check_sigmoid_derivative, wrong, capsys, fragment)


# --- exercise 3: a stable sigmoid ---------------------------------------------------------


def stable_with_masks(x):
    out = np.empty_like(x, dtype=float)
    pos = x >= 0
    out[pos] = 1 / (1 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1 + e)
    return out


def stable_with_abs(x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def stable_with_abs_ignoring_underflow(x):
    with np.errstate(under="ignore"):  # e^-|x| rounding to 0 is harmless, and allowed
        z = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + z), z / (1 + z))


def stable_with_logaddexp(x):
    return np.exp(-np.logaddexp(0, -x))  # -ln σ(x) = ln(1 + e^-x), computed without overflow


@pytest.mark.parametrize("right", [stable_with_masks, stable_with_abs,
                                   stable_with_abs_ignoring_underflow, stable_with_logaddexp,
                                   activations.sigmoid])
def test_stable_sigmoid_right_answers_pass(right, capsys):
    printed = assert_pass(check_stable_sigmoid, right, capsys)
    assert "±1000" in printed
    assert "e to the power −|x|" not in printed  # not true of every accepted answer


def test_naive_formula_gets_an_overflow_hint_naming_x(capsys):
    assert_hint(check_stable_sigmoid, lambda x: 1 / (1 + np.exp(-x)), capsys,
                "overflow", "x = [-1000.0]", "709.78")


def naive_with_alarms_off(x):
    with np.errstate(all="ignore"):
        return 1 / (1 + np.exp(-x))


def both_branches_with_overflow_ignored(x):
    with np.errstate(over="ignore"):
        return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))


def naive_with_seterr(x):
    old = np.seterr(over="ignore")
    try:
        return 1 / (1 + np.exp(-x))
    finally:
        np.seterr(**old)


@pytest.mark.parametrize("hiding", [naive_with_alarms_off, both_branches_with_overflow_ignored,
                                    naive_with_seterr])
def test_overflow_hidden_with_errstate_does_not_pass(hiding, capsys):
    assert_hint(check_stable_sigmoid, hiding, capsys, "switches off", "remove it")
    assert np.geterr()["over"] == "warn"  # the learner's seterr did not leak out


def mirror_rule(x):
    z = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + z), 1 - 1 / (1 + z))


def rounds_far_out(x):
    return np.where(x < -30, 0.0, np.where(x > 30, 1.0, 1 / (1 + np.exp(-np.clip(x, -30, 30)))))


@pytest.mark.parametrize("loses_tiny_values", [
    mirror_rule, rounds_far_out, lambda x: 0.5 * (1 + np.tanh(x / 2))])
def test_tiny_values_lost_to_cancellation_or_rounding_get_a_hint(loses_tiny_values, capsys):
    assert_hint(check_stable_sigmoid, loses_tiny_values, capsys,
                "x = -40 gives exactly 0", "4.25e-18", "1 − (something close to 1)",
                "e^x / (1 + e^x)")


@pytest.mark.parametrize("limit", [30, 100, 500])
def test_clipping_the_input_gets_a_hint(limit, capsys):
    # Clipping avoids the overflow but changes tiny values: σ(−700) ≈ 9.9e-305 is a float too.
    assert_hint(check_stable_sigmoid, lambda x: 1 / (1 + np.exp(-np.clip(x, -limit, limit))),
                capsys, "clipped")


def test_where_with_both_branches_gets_the_np_where_hint(capsys):
    def both_branches(x):
        return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))

    assert_hint(check_stable_sigmoid, both_branches, capsys, "overflow", "np.where")


def test_other_form_gets_an_overflow_hint_at_plus_1000(capsys):
    assert_hint(check_stable_sigmoid, lambda x: np.exp(x) / (1 + np.exp(x)), capsys,
                "overflow", "x = [1000.0]")


def _inf_over_inf(x):
    with np.errstate(all="ignore"):
        return np.exp(x) / (1 + np.exp(x))


def test_formula_that_overflows_into_nan_is_reported(capsys):
    # The errstate sits in a helper, out of the check's sight: the overflow is silent, the nan is not.
    assert_hint(check_stable_sigmoid, lambda x: _inf_over_inf(x), capsys, "nan", "1000")


def test_mirrored_curve_gets_a_hint(capsys):
    assert_hint(check_stable_sigmoid, lambda x: activations.sigmoid(-x), capsys, "σ(−x)")


def test_wrong_values_far_out_get_a_hint(capsys):
    def gives_half_far_out(x):
        return np.where(np.abs(x) > 100, 0.5, activations.sigmoid(x))

    assert_hint(check_stable_sigmoid, gives_half_far_out, capsys, "Far from 0")


def test_zero_over_zero_is_not_called_a_division_by_zero(capsys):
    def zero_over_zero_far_left(x):
        return np.exp(x) / np.exp(x) * activations.sigmoid(x)  # e^-1000 rounds to 0: 0/0

    printed = assert_hint(check_stable_sigmoid, zero_over_zero_far_left, capsys,
                          "invalid value encountered in divide", "0/0 or inf/inf")
    assert "divided by" not in printed


@pytest.mark.parametrize("message, says, never", [
    ("invalid value encountered in divide", "0/0 or inf/inf", "divided by"),
    ("invalid value encountered in subtract", "inf − inf", "divided by"),
    ("invalid value encountered in multiply", "0 · inf", "divided by"),
    ("invalid value encountered in log", "negative number", "divided by"),
    ("divide by zero encountered in log", "log of 0 is −∞", "divided by"),
    ("divide by zero encountered in divide", "divided by exactly 0", "nan"),
    ("overflow encountered in exp", "709.78", "divided by"),
])
def test_float_advice_matches_the_problem(message, says, never):
    advice = float_advice(FloatingPointError(message), ADVICE)
    assert says in advice and never not in advice
