"""Each chapter-04 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import check_helpers
import numpy as np
import pytest
import torch
from check_helpers import assert_pass, assert_starts_with_a_capital, each_check, usual_wrong_answers

from course_utils import mlp
from course_utils.checks.ch04_mlp import PARAM_CASES, check_mlp_forward, check_param_count


def assert_hint(check, answer, capsys, *fragments):
    """As check_helpers.assert_hint, and the hint starts with a capital letter, ` or (."""
    printed = check_helpers.assert_hint(check, answer, capsys, *fragments)
    assert_starts_with_a_capital(printed, or_with="`(")
    return printed


ALL_CHECKS = [check_mlp_forward, check_param_count]


# --- what every check must survive -----------------------------------------------------------
# None, a value instead of a function, the student stub and a crashing function (the usual wrong
# answers), then this chapter's own: each must get a hint holding the fragments.


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [13002, "forward", [1, 2, 3], np.zeros(3)]),
    *each_check(ALL_CHECKS, "returns-None", lambda *args: None, "None", "return"),
    *each_check(ALL_CHECKS, "returns-text", lambda *args: "13002"),
    *each_check(ALL_CHECKS, "no-arguments", lambda: 0, "TypeError"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: the forward pass -------------------------------------------------------------


def forward(X, W1, b1, W2, b2, activation):
    return activation(X @ W1 + b1) @ W2 + b2


def forward_with_loops(X, W1, b1, W2, b2, activation):
    out = np.zeros((X.shape[0], W2.shape[1]))
    for i, x in enumerate(X):
        h = activation(x @ W1 + b1)
        out[i] = h @ W2 + b2
    return out


def forward_in_torch(X, W1, b1, W2, b2, activation):
    t = [torch.from_numpy(a) for a in (X, W1, b1, W2, b2)]
    hidden = torch.from_numpy(np.asarray(activation((t[0] @ t[1] + t[2]).numpy())))
    return hidden @ t[3] + t[4]


def forward_that_modifies_its_input(X, W1, b1, W2, b2, activation):
    X *= 1.0
    return activation(X @ W1 + b1) @ W2 + b2


def forward_with_reference(X, W1, b1, W2, b2, activation):
    return mlp.mlp_forward(X, [W1, W2], [b1, b2], activation)


@pytest.mark.parametrize("right", [forward, forward_with_loops, forward_in_torch,
                                   forward_that_modifies_its_input, forward_with_reference])
def test_forward_right_answers_pass(right, capsys):
    assert_pass(check_mlp_forward, right, capsys, "H = activation(X @ W1 + b1)")


@pytest.mark.parametrize("wrong, fragments", [
    (lambda X, W1, b1, W2, b2, f: (X @ W1 + b1) @ W2 + b2, ["no activation at all"]),
    (lambda X, W1, b1, W2, b2, f: f(f(X @ W1 + b1) @ W2 + b2), ["output layer too"]),
    (lambda X, W1, b1, W2, b2, f: f(X @ W1) @ W2 + b2, ["b1 is missing"]),
    (lambda X, W1, b1, W2, b2, f: f(X @ W1 + b1) @ W2, ["b2 is missing"]),
    (lambda X, W1, b1, W2, b2, f: f(X @ W1) @ W2, ["Both biases are missing"]),
    (lambda X, W1, b1, W2, b2, f: (f(X @ W1) + b1) @ W2 + b2, ["inside the activation"]),
    (lambda X, W1, b1, W2, b2, f: f((X @ W1 + b1) @ W2 + b2), ["not after the last one"]),
    (lambda X, W1, b1, W2, b2, f: np.tanh(X @ W1 + b1) @ W2 + b2, ["what np.tanh would give",
                                                                    "`activation` argument"]),
    (lambda X, W1, b1, W2, b2, f: np.maximum(X @ W1 + b1, 0) @ W2 + b2, ["what activations.relu would give"]),
])
def test_forward_slips_get_specific_hints(wrong, fragments, capsys):
    assert_hint(check_mlp_forward, wrong, capsys, *fragments)


def test_forward_with_the_matrices_the_wrong_way_round_gets_a_shape_hint(capsys):
    printed = assert_hint(check_mlp_forward, lambda X, W1, b1, W2, b2, f: W2.T @ f(W1.T @ X.T + b1),
                          capsys, "ValueError", "X @ W1 (not W1 @ X)")
    assert "shape (5, 3)" in printed  # names the arguments it was called with


def test_forward_transposed_output_gets_a_hint(capsys):
    assert_hint(check_mlp_forward, lambda *a: forward(*a).T, capsys, "transpose", "(5, 2)")


def test_forward_returning_the_hidden_layer_gets_a_hint(capsys):
    assert_hint(check_mlp_forward, lambda X, W1, b1, W2, b2, f: f(X @ W1 + b1), capsys,
                "that is the hidden layer", "second layer")


def test_forward_for_one_example_only_gets_a_hint(capsys):
    assert_hint(check_mlp_forward, lambda X, *rest: forward(X[0], *rest), capsys,
                "should have shape (5, 2)", "one row per example")


def test_forward_with_hard_coded_numbers_gets_a_hint(capsys):
    assert_hint(check_mlp_forward, lambda X, *rest: np.zeros((X.shape[0], 2)), capsys,
                "should be", "H = activation(X @ W1 + b1)")


def test_forward_nan_gets_a_hint(capsys):
    assert_hint(check_mlp_forward, lambda *a: forward(*a) * np.nan, capsys, "nan")


def test_forward_only_right_for_five_examples_is_caught(capsys):
    def five_only(X, *rest):
        out = forward(X, *rest)
        return out if len(X) == 5 else out + 1

    assert_hint(check_mlp_forward, five_only, capsys, "batch of 7")


# --- exercise 2: counting parameters ----------------------------------------------------------


def count_with_loop(layer_sizes):
    total = 0
    for i in range(len(layer_sizes) - 1):
        total += layer_sizes[i] * layer_sizes[i + 1] + layer_sizes[i + 1]
    return total


def count_with_zip(layer_sizes):
    return sum(a * b + b for a, b in zip(layer_sizes[:-1], layer_sizes[1:], strict=True))


def count_with_numpy(layer_sizes):
    s = np.array(layer_sizes)
    return np.sum(s[:-1] * s[1:] + s[1:])


@pytest.mark.parametrize("right", [count_with_loop, count_with_zip, count_with_numpy,
                                   mlp.count_parameters, lambda s: float(count_with_zip(s))])
def test_param_count_right_answers_pass(right, capsys):
    assert_pass(check_param_count, right, capsys, "13,002")


def pairs(sizes):
    return list(zip(sizes[:-1], sizes[1:], strict=True))


@pytest.mark.parametrize("wrong, fragment", [
    (lambda s: sum(a * b for a, b in pairs(s)), "forgot the biases"),
    (lambda s: sum(b for a, b in pairs(s)), "only the biases"),
    (lambda s: count_with_zip(s) + s[0], "input layer biases too"),
    (lambda s: sum(a * b + a for a, b in pairs(s)), "per *output* neuron"),
    (lambda s: sum(a * b for a, b in pairs(s)) + sum(s), "input layer biases too"),
    (lambda s: sum(s), "number of neurons"),
    (lambda s: int(np.prod(s)), "counts paths"),
    (lambda s: 2 * sum(a * b for a, b in pairs(s)), "one bias per weight"),
    (lambda s: count_with_zip(s) + 1, "Go layer by layer"),
])
def test_param_count_slips_get_specific_hints(wrong, fragment, capsys):
    assert_hint(check_param_count, wrong, capsys, fragment, "should give")


def test_forgetting_biases_is_caught_on_the_smallest_network(capsys):
    printed = assert_hint(check_param_count, lambda s: sum(a * b for a, b in pairs(s)), capsys)
    assert f"`param_count({list(PARAM_CASES[0])})` gave 2 but should give 3" in printed


def test_hard_coded_answers_are_caught(capsys):
    assert_hint(check_param_count, lambda s: 13002, capsys, "`param_count([2, 1])` gave 13,002")
    assert_hint(check_param_count, lambda s: s[0] * s[1] + s[1] + s[1] * s[2] + s[2], capsys,
                "IndexError")  # written for exactly three sizes


def test_a_list_of_per_layer_counts_gets_a_hint(capsys):
    assert_hint(check_param_count, lambda s: [a * b + b for a, b in pairs(s)], capsys,
                "Return one number", "sum")


def test_a_fraction_gets_a_hint(capsys):
    assert_hint(check_param_count, lambda s: count_with_zip(s) + 0.5, capsys, "not a whole number")


def test_a_boolean_gets_a_hint(capsys):
    assert_hint(check_param_count, lambda s: True, capsys, "whole number")


def test_only_lists_is_caught(capsys):
    # list + list works, tuple + list raises: the check hands over tuples as well
    assert_hint(check_param_count, lambda s: count_with_zip(s + [0])
                if isinstance(s, list) else count_with_zip(s + [0]), capsys, "TypeError")


def test_mutating_the_sizes_does_not_break_the_check(capsys):
    def pops(sizes):
        sizes = list(sizes)
        total = 0
        while len(sizes) > 1:
            a = sizes.pop(0)
            total += a * sizes[0] + sizes[0]
        return total

    assert_pass(check_param_count, pops, capsys)
