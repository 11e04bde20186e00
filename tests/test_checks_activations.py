"""Each chapter-01 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest

from course_utils import activations as act
from course_utils.checks.activations import (
    check_logit,
    check_sigmoid_derivative,
    check_stable_sigmoid,
)


def stub(x):
    """What the student version holds before the learner writes anything."""
    raise NotImplementedError("write it — see the task above")


def crashes(x):
    return x.no_such_attribute


def run(check, answer, capsys):
    result = check(answer)
    printed = capsys.readouterr().out
    assert "Traceback" not in printed
    return result, printed


def assert_hint(check, answer, capsys, *fragments):
    result, printed = run(check, answer, capsys)
    assert not result, printed
    assert printed.startswith("❌ Not yet."), printed
    for fragment in fragments:
        assert fragment in printed, printed
    return printed


def assert_pass(check, answer, capsys):
    result, printed = run(check, answer, capsys)
    assert result, printed
    assert printed.startswith("✅ Passed!"), printed
    return printed


ALL_CHECKS = [check_logit, check_sigmoid_derivative, check_stable_sigmoid]


# --- what every check must survive -----------------------------------------------------------


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_none_gets_a_hint(check, capsys):
    assert_hint(check, None, capsys, "is None")


@pytest.mark.parametrize("check", ALL_CHECKS)
@pytest.mark.parametrize("wrong_type", [0.5, "sigmoid", [1, 2, 3], np.zeros(3)])
def test_a_value_instead_of_a_function_gets_a_hint(check, wrong_type, capsys):
    assert_hint(check, wrong_type, capsys, "should be a function")


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_the_student_stub_gets_a_hint(check, capsys):
    assert_hint(check, stub, capsys, "not written yet")


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_a_crashing_function_gets_a_hint_naming_the_error(check, capsys):
    assert_hint(check, crashes, capsys, "AttributeError", "no_such_attribute")


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_a_function_returning_none_gets_a_hint(check, capsys):
    assert_hint(check, lambda x: None, capsys, "None", "return")


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_a_function_returning_text_gets_a_hint(check, capsys):
    assert_hint(check, lambda x: "0.5", capsys, "should be numbers")


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_one_number_for_a_whole_array_gets_a_hint(check, capsys):
    assert_hint(check, lambda x: 0.5, capsys, "one number per input")


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_nan_gets_a_hint(check, capsys):
    assert_hint(check, lambda x: np.full(np.shape(x), np.nan), capsys, "nan")


@pytest.mark.parametrize("check", ALL_CHECKS)
def test_scalar_only_code_gets_a_hint(check, capsys):
    assert_hint(check, lambda x: 1 / (1 + math.exp(-x)), capsys, "TypeError")


# --- exercise 1: logit --------------------------------------------------------------------


def test_logit_right_answers_pass(capsys):
    assert_pass(check_logit, lambda p: np.log(p / (1 - p)), capsys)
    assert_pass(check_logit, lambda p: np.log(p) - np.log(1 - p), capsys)
    printed = assert_pass(check_logit, act.logit, capsys)
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


# --- exercise 2: the derivative ---------------------------------------------------------


def test_derivative_right_answers_pass(capsys):
    def with_naive_sigmoid(x):
        s = 1 / (1 + np.exp(-x))
        return s * (1 - s)

    assert_pass(check_sigmoid_derivative, with_naive_sigmoid, capsys)
    assert_pass(check_sigmoid_derivative, act.sigmoid_derivative, capsys)
    assert_pass(check_sigmoid_derivative, lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, capsys)


@pytest.mark.parametrize("wrong, fragment", [
    (act.sigmoid, "σ(x) itself"),
    (lambda x: 1 - act.sigmoid(x), "1 − σ(x)"),
    (lambda x: act.sigmoid(x) * (1 + act.sigmoid(x)), "At x = 0"),
    (lambda x: act.sigmoid(x) * (1 - act.sigmoid(x)) * (1 + 0.01 * x ** 2), "s * (1 - s)"),
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


@pytest.mark.parametrize("right", [stable_with_masks, stable_with_abs, act.sigmoid])
def test_stable_sigmoid_right_answers_pass(right, capsys):
    printed = assert_pass(check_stable_sigmoid, right, capsys)
    assert "±1000" in printed


def test_naive_formula_gets_an_overflow_hint_naming_x(capsys):
    assert_hint(check_stable_sigmoid, lambda x: 1 / (1 + np.exp(-x)), capsys,
                "overflow", "x = [-1000.]", "709.78")


def test_where_with_both_branches_gets_the_np_where_hint(capsys):
    def both_branches(x):
        return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))

    assert_hint(check_stable_sigmoid, both_branches, capsys, "overflow", "np.where")


def test_other_form_gets_an_overflow_hint_at_plus_1000(capsys):
    assert_hint(check_stable_sigmoid, lambda x: np.exp(x) / (1 + np.exp(x)), capsys,
                "overflow", "x = [1000.]")


def test_formula_that_overflows_into_nan_is_reported(capsys):
    def inf_over_inf(x):  # overflow is silent here, the nan is not
        with np.errstate(all="ignore"):
            return np.exp(x) / (1 + np.exp(x))

    assert_hint(check_stable_sigmoid, inf_over_inf, capsys, "nan", "1000")


def test_mirrored_curve_gets_a_hint(capsys):
    assert_hint(check_stable_sigmoid, lambda x: act.sigmoid(-x), capsys, "σ(−x)")


def test_clipping_the_input_is_accepted(capsys):
    # Clipping x to ±500 avoids the overflow, and far out the answer is 0 or 1 anyway.
    assert_pass(check_stable_sigmoid, lambda x: 1 / (1 + np.exp(-np.clip(x, -500, 500))), capsys)


def test_wrong_values_far_out_get_a_hint(capsys):
    def gives_half_far_out(x):
        return np.where(np.abs(x) > 100, 0.5, act.sigmoid(x))

    assert_hint(check_stable_sigmoid, gives_half_far_out, capsys, "Far from 0")

