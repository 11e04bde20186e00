"""Each chapter-03 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from check_helpers import assert_hint, assert_pass, each_check, usual_wrong_answers

from course_utils import activations, neuron
from course_utils.checks.ch03_one_neuron import check_nll, check_predict_proba

ALL_CHECKS = [check_predict_proba, check_nll]


# --- what every check must survive -----------------------------------------------------------
# None, a value instead of a function, the student stub and a crashing function (the usual wrong
# answers), then this chapter's own: each must get a hint holding the fragments.


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "predict", [1, 2, 3], np.zeros(3)]),
    *each_check(ALL_CHECKS, "returns-None", lambda *args: None, "None", "return"),
    *each_check(ALL_CHECKS, "returns-text", lambda *args: "0.5", "should be numbers"),
    *each_check(ALL_CHECKS, "too-few-arguments", lambda X: X, "TypeError", "positional argument"),
    *each_check([check_predict_proba], "nan", lambda X, w, b: np.full(len(X), np.nan), "nan"),
    *each_check([check_nll], "nan", lambda y, p: np.nan, "nan"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: predict_proba ---------------------------------------------------------------


def predict_with_sigmoid(X, w, b):
    return activations.sigmoid(X @ w + b)


def predict_with_torch(X, w, b):
    return torch.sigmoid(torch.as_tensor(X, dtype=torch.float64) @ torch.as_tensor(w) + b)


def predict_with_torch_from_numpy(X, w, b):
    return torch.sigmoid(torch.from_numpy(X) @ torch.from_numpy(w) + b)  # keeps NumPy's dtypes


def predict_with_a_loop(X, w, b):
    return np.array([activations.sigmoid(float(np.dot(row, w)) + b) for row in X])


@pytest.mark.parametrize("right", [predict_with_sigmoid, predict_with_torch,
                                   predict_with_torch_from_numpy, predict_with_a_loop,
                                   neuron.predict_proba])
def test_predict_proba_right_answers_pass(right, capsys):
    printed = assert_pass(check_predict_proba, right, capsys)
    assert "σ(X @ w + b)" in printed


@pytest.mark.parametrize("wrong, fragment", [
    (lambda X, w, b: X @ w + b, "scores z"),
    (lambda X, w, b: activations.sigmoid(X @ w), "bias is missing"),
    (lambda X, w, b: activations.sigmoid(-(X @ w + b)), "σ(−z)"),
    (lambda X, w, b: (X @ w + b > 0).astype(float), "perceptron's step"),
    (lambda X, w, b: activations.sigmoid(X @ w) + b, "after the sigmoid"),
    (lambda X, w, b: activations.sigmoid(X @ w - b), "subtracted"),
    (lambda X, w, b: activations.sigmoid(X @ w + 2 * b), "For the point X[0]"),
])
def test_predict_proba_wrong_answers_get_specific_hints(wrong, fragment, capsys):
    assert_hint(check_predict_proba, wrong, capsys, fragment)


def test_a_column_instead_of_a_flat_array_gets_a_hint(capsys):
    assert_hint(check_predict_proba, lambda X, w, b: activations.sigmoid(X @ w.reshape(-1, 1) + b),
                capsys, "shape (6, 1)", "flat array of shape (6,)")


def test_weights_times_points_gets_a_hint_about_the_order(capsys):
    assert_hint(check_predict_proba, lambda X, w, b: activations.sigmoid(w @ X + b), capsys,
                "ValueError", "X @ w fits", "w @ X does not")


def test_one_number_for_all_points_gets_a_hint(capsys):
    assert_hint(check_predict_proba, lambda X, w, b: activations.sigmoid(float(np.sum(X @ w)) + b),
                capsys, "one number", "shape (6,)")


def test_code_for_exactly_two_features_gets_a_hint(capsys):
    def two_features_only(X, w, b):
        return activations.sigmoid(X[:, 0] * w[0] + X[:, 1] * w[1] + b)

    assert_hint(check_predict_proba, two_features_only, capsys, "three features", "X @ w")


def test_code_that_crashes_on_three_features_gets_a_hint(capsys):
    def unpacks_two_weights(X, w, b):
        w1, w2 = w
        return activations.sigmoid(X[:, 0] * w1 + X[:, 1] * w2 + b)

    assert_hint(check_predict_proba, unpacks_two_weights, capsys, "three features", "ValueError")


def test_using_the_notebooks_variables_gets_a_hint(capsys):
    w_global, b_global = np.array([1.5, -2.0]), 0.5  # happen to match the first test case

    def ignores_its_arguments(X, w, b):
        return activations.sigmoid(X[:, :2] @ w_global + b_global)

    assert_hint(check_predict_proba, ignores_its_arguments, capsys, "three features",
                "not variables from the notebook")


def test_the_naive_sigmoid_gets_the_overflow_hint(capsys):
    assert_hint(check_predict_proba, lambda X, w, b: 1 / (1 + np.exp(-(X @ w + b))), capsys,
                "z = ±900", "activations.sigmoid")


def test_an_overflow_into_nan_gets_the_overflow_hint(capsys):
    def other_form(X, w, b):
        with np.errstate(all="ignore"):
            e = np.exp(X @ w + b)
            return e / (1 + e)

    assert_hint(check_predict_proba, other_form, capsys, "z = ±900", "activations.sigmoid")


def test_clipping_the_score_far_out_gets_a_hint(capsys):
    def clipped_badly(X, w, b):
        return activations.sigmoid(np.clip(X @ w + b, -2, 2))

    assert_hint(check_predict_proba, clipped_badly, capsys, "For the point X[1]")


def test_the_learners_arrays_are_copies(capsys):
    def modifies_x(X, w, b):
        X *= 0
        return activations.sigmoid(X @ w + b)

    assert_hint(check_predict_proba, modifies_x, capsys, "but your function gives")


# --- exercise 2: the negative log-likelihood ---------------------------------------------------


def nll_with_clip(y, p):
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def nll_with_where(y, p):
    return -np.mean(np.log(np.where(y == 1, p, 1 - p)))


def nll_with_where_inside(y, p):
    return -np.mean(np.where(y == 1, np.log(p), np.log(1 - p)))  # log(0) in the unused branch


def nll_with_torch(y, p):
    return torch.nn.functional.binary_cross_entropy(torch.as_tensor(p), torch.as_tensor(y,
                                                    dtype=torch.float64))


def nll_with_a_loop(y, p):
    total = 0.0
    for yi, pi in zip(y, p, strict=True):
        q = pi if yi == 1 else 1 - pi
        total += -math.log(q) if q > 0 else 1e9
    return total / len(y)


def nll_keras_epsilon(y, p):
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


@pytest.mark.parametrize("right", [nll_with_clip, nll_with_where, nll_with_where_inside,
                                   nll_with_torch, nll_with_a_loop, nll_keras_epsilon, neuron.nll])
def test_nll_right_answers_pass(right, capsys):
    printed = assert_pass(check_nll, right, capsys)
    assert "binary cross-entropy" in printed


def test_the_textbook_formula_gets_the_log_of_zero_hint(capsys):
    assert_hint(check_nll, lambda y, p: -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)),
                capsys, "0 · (−inf) is nan", "np.clip", "np.where")


@pytest.mark.parametrize("wrong, fragment", [
    (lambda y, p: np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)), "sign is flipped"),
    (lambda y, p: -np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)), "mean"),
    (lambda y, p: np.sum(y * np.log(p) + (1 - y) * np.log(1 - p)), "log-likelihood itself"),
    (lambda y, p: -np.mean(y * np.log(p)), "class-0 points are missing"),
    (lambda y, p: -np.mean((1 - y) * np.log(1 - p)), "class-1 points are missing"),
    (lambda y, p: -np.mean(np.log(p)), "1 − p"),
    (lambda y, p: -np.mean(y * np.log(1 - p) + (1 - y) * np.log(p)), "swapped"),
    (lambda y, p: -np.mean(y * np.log10(p) + (1 - y) * np.log10(1 - p)), "np.log10"),
    (lambda y, p: np.mean((p - y) ** 2), "Each point costs"),
])
def test_nll_wrong_answers_get_specific_hints(wrong, fragment, capsys):
    assert_hint(check_nll, wrong, capsys, fragment)


def test_one_cost_per_point_gets_a_hint(capsys):
    assert_hint(check_nll, lambda y, p: -np.log(np.where(y == 1, p, 1 - p)), capsys,
                "8 numbers, one per point", "np.mean")


def test_a_product_of_probabilities_underflows_and_gets_a_hint(capsys):
    def through_the_likelihood(y, p):
        with np.errstate(divide="ignore"):
            return -np.log(np.prod(np.where(y == 1, p, 1 - p))) / len(y)

    assert_hint(check_nll, through_the_likelihood, capsys, "3,000 points", "rounds to 0.0",
                "average the logs")


def test_too_wide_a_clip_gets_a_hint(capsys):
    def clip_far(y, p):
        p = np.clip(p, 1e-3, 1 - 1e-3)
        return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))

    assert_hint(check_nll, clip_far, capsys, "margin is too wide")


def test_dropping_the_nan_terms_gets_a_hint(capsys):
    def skips_nan(y, p):
        with np.errstate(all="ignore"):
            return -np.nanmean(y * np.log(p) + (1 - y) * np.log(1 - p))

    assert_hint(check_nll, skips_nan, capsys, "uncertain points only", "divide by all 5")


def test_a_tiny_cost_for_a_certain_mistake_gets_a_hint(capsys):
    def forgives_mistakes(y, p):
        q = np.where(y == 1, p, 1 - p)
        return -np.mean(np.log(np.where(q == 0, 1.0, q)))  # an impossible label costs nothing

    assert_hint(check_nll, forgives_mistakes, capsys, "called the truth impossible")


def test_nll_that_only_works_for_integer_labels_gets_a_hint(capsys):
    def integer_labels_only(y, p):
        if y.dtype.kind == "f":
            return 0.123
        return neuron.nll(y, p)

    assert_hint(check_nll, integer_labels_only, capsys, "labels given as floats")
