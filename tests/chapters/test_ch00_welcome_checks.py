"""Each chapter-00 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from check_helpers import assert_hint, assert_pass, assert_starts_with_a_capital

from course_utils.checks.ch00_welcome import (
    EXERCISE_SHAPES,
    check_broadcast_shape,
    check_normalize_rows,
    check_zeros_tensor,
)
from course_utils.tensors import explain_broadcast
from course_utils.widgets.ch00_welcome import EXAMPLE_SHAPES


@pytest.mark.parametrize("check", [check_zeros_tensor, check_broadcast_shape, check_normalize_rows])
def test_none_gets_a_hint(check, capsys):
    assert_hint(check, None, capsys, "is None")


@pytest.mark.parametrize("check", [check_zeros_tensor, check_broadcast_shape])
def test_an_untouched_stub_says_not_answered_yet(check, capsys):
    assert_hint(check, None, capsys, "not answered yet", "replace None with your answer")


@pytest.mark.parametrize("check, answer", [
    (check_zeros_tensor, torch.ones(2)), (check_zeros_tensor, "zeros"),
    (check_broadcast_shape, (1, 2, 3)), (check_broadcast_shape, (1, 2)),
    (check_normalize_rows, lambda x: x),
])
def test_every_hint_starts_with_a_capital_letter(check, answer, capsys):
    assert_starts_with_a_capital(assert_hint(check, answer, capsys), or_with="`")


# --- exercise 1: zeros ------------------------------------------------------------------------


def test_zeros_right_answer_passes(capsys):
    assert_pass(check_zeros_tensor, torch.zeros(3, 4), capsys, "float32 by default")
    assert_pass(check_zeros_tensor, torch.zeros((3, 4), dtype=torch.float32), capsys)


@pytest.mark.parametrize("answer, fragment", [
    (np.zeros((3, 4), dtype=np.float32), "NumPy array"),
    ([[0.0] * 4] * 3, "should be a torch tensor"),
    ("zeros", "should be a torch tensor"),
    (0, "should be a torch tensor"),
    (torch.zeros, "the function torch.zeros itself"),
    (lambda: torch.zeros(3, 4), "is a function"),
])
def test_zeros_wrong_type(answer, fragment, capsys):
    printed = assert_hint(check_zeros_tensor, answer, capsys, fragment, "torch.zeros")
    if callable(answer):
        assert "Call it: torch.zeros(3, 4, ...)" in printed


@pytest.mark.parametrize("shape", [(4, 3), (12,), (3, 4, 1), ()])
def test_zeros_wrong_shape(shape, capsys):
    assert_hint(check_zeros_tensor, torch.zeros(shape), capsys, f"has shape {shape}", "(3, 4)")


@pytest.mark.parametrize("dtype, fragment", [
    (torch.float64, "a different precision"), (torch.int64, "whole numbers"),
    (torch.float16, "a different precision"), (torch.bool, "booleans"),
    (torch.uint8, "whole numbers"), (torch.complex64, "complex numbers"),
])
def test_zeros_wrong_dtype(dtype, fragment, capsys):
    assert_hint(check_zeros_tensor, torch.zeros(3, 4, dtype=dtype), capsys, fragment,
                "torch.float32")


def test_zeros_wrong_values(capsys):
    assert_hint(check_zeros_tensor, torch.ones(3, 4), capsys, "12 of its 12 entries")
    almost = torch.zeros(3, 4)
    almost[1, 2] = 5
    assert_hint(check_zeros_tensor, almost, capsys, "1 of its 12 entries")


# --- exercise 2: broadcast prediction ---------------------------------------------------------


def test_the_exercise_pair_is_new_to_the_learner():
    assert EXERCISE_SHAPES == ((6, 1, 5), (3, 1))
    assert EXERCISE_SHAPES[0] not in EXAMPLE_SHAPES, "the widget's menu must not show it"
    assert explain_broadcast(*EXERCISE_SHAPES).result == (6, 3, 5)


@pytest.mark.parametrize("answer", [(6, 3, 5), [6, 3, 5], torch.Size([6, 3, 5]),
                                    (np.int64(6), 3, 5)])
def test_broadcast_right_answer_passes(answer, capsys):
    assert_pass(check_broadcast_shape, answer, capsys, "broadcast to (6, 3, 5)")


def test_broadcast_default_pair_is_the_exercise(capsys):
    assert_pass(check_broadcast_shape, (6, 3, 5), capsys, args=((6, 1, 5), (3, 1)))


@pytest.mark.parametrize("answer, fragment", [
    ("(6, 3, 5)", "is the string"),
    (6, "should be a tuple"),
    ({6: 3}, "should be a tuple"),
    ((6.0, 3, 5), "whole numbers only"),
    (np.zeros((6, 3, 5)), "array or tensor"),
    (torch.Size, "should be a tuple"),
])
def test_broadcast_wrong_type(answer, fragment, capsys):
    assert_hint(check_broadcast_shape, answer, capsys, fragment)


@pytest.mark.parametrize("answer, fragments", [
    ((6, 1, 5), ["Look at dim -2", "a has 1", "b has 3", "you wrote 1"]),
    ((6, 3, 1), ["Look at dim -1", "a has 5", "b has 1"]),
    ((1, 3, 5), ["Look at dim -3", "b has nothing"]),
    ((3, 5), ["Your shape has 2 dimensions", "longer shape: 3"]),
    ((1, 6, 3, 5), ["has 4 dimensions"]),
    ("error", ["do broadcast", "from the right"]),
])
def test_broadcast_wrong_answer(answer, fragments, capsys):
    printed = assert_hint(check_broadcast_shape, answer, capsys, *fragments)
    assert "(6, 3, 5)" not in printed, "a hint must not give the answer away"


def test_broadcast_pairs_that_clash_expect_error(capsys):
    assert_pass(check_broadcast_shape, "error", capsys, "dim -1", args=((3, 4), (3,)))
    assert_pass(check_broadcast_shape, " Error ", capsys, args=((2, 3), (3, 2)))
    assert_hint(check_broadcast_shape, (3, 4), capsys, "up from the right", args=((3, 4), (3,)))
    assert_hint(check_broadcast_shape, None, capsys, "is None", args=((3, 4), (3,)))


def test_broadcast_other_pairs(capsys):
    assert_pass(check_broadcast_shape, (3, 4), capsys, args=((3, 1), (1, 4)))
    assert_hint(check_broadcast_shape, (3, 1), capsys, "dim -1", args=((3, 1), (1, 4)))
    assert_pass(check_broadcast_shape, (5, 4, 3), capsys, args=((5, 1, 3), (4, 3)))


# --- exercise 3: normalize_rows ---------------------------------------------------------------


def stub(x):
    """What the student version holds before the learner writes anything."""
    raise NotImplementedError("write normalize_rows() — see the task above")


def right(x):
    return x / x.sum(dim=1, keepdim=True)


def test_normalize_rows_right_answers_pass(capsys):
    assert_pass(check_normalize_rows, right, capsys, "keepdim=True", "(n, 1)")
    assert_pass(check_normalize_rows, lambda x: x / x.sum(1)[:, None], capsys)
    assert_pass(check_normalize_rows, lambda x: x / x.sum(1).unsqueeze(1), capsys)
    assert_pass(check_normalize_rows, lambda x: x / x.sum(1).reshape(-1, 1), capsys)
    assert_pass(check_normalize_rows, lambda x: (x.T / x.sum(1)).T, capsys)
    assert_pass(check_normalize_rows, lambda x: torch.div(x, x.sum(-1, keepdim=True)), capsys)


@pytest.mark.parametrize("answer, fragment", [
    (3, "should be a function"),
    (torch.ones(3, 4), "should be a function"),
    ("normalize_rows", "should be a function"),
])
def test_normalize_rows_wrong_type(answer, fragment, capsys):
    assert_hint(check_normalize_rows, answer, capsys, fragment)


def test_normalize_rows_stub_and_crash(capsys):
    assert_hint(check_normalize_rows, stub, capsys, "not written yet")
    assert_hint(check_normalize_rows, lambda x: x.no_such_thing, capsys, "raised AttributeError")


@pytest.mark.parametrize("answer, kind", [
    (lambda x: x.numpy() / x.numpy().sum(axis=1, keepdims=True), "a NumPy array"),
    (lambda x: right(x).numpy(), "a NumPy array"),
    (lambda x: right(x).tolist(), "a list"),
])
def test_normalize_rows_must_return_a_tensor(answer, kind, capsys):
    assert_hint(check_normalize_rows, answer, capsys, f"returned {kind}", "torch tensor",
                ".numpy()")


def test_normalize_rows_sums_of_shape_n_get_the_broadcasting_hint(capsys):
    printed = assert_hint(check_normalize_rows, lambda x: x / x.sum(dim=1), capsys,
                          "shape (3,)", "the 4 columns", "(3, 1)", "keepdim=True")
    assert "Traceback" not in printed and "wrong side" not in printed


def test_normalize_rows_size_one_on_the_wrong_side_is_described_as_such(capsys):
    for wrong in (lambda x: x / x.sum(dim=1)[None, :],
                  lambda x: x / x.sum(dim=1).reshape(1, -1),
                  lambda x: x / x.sum(dim=1, keepdim=True).T):
        printed = assert_hint(check_normalize_rows, wrong, capsys, "shape (1, 3)",
                              "a size-1 dimension on the wrong side", "(3, 1)")
        assert "shape (3,)" not in printed


def _only_square_wrong(sums_of):
    def answer(x):  # right on 3×4, sums lined up with the columns on a square input
        if x.shape[0] == x.shape[1]:
            return x / sums_of(x)
        return right(x)
    return answer


def test_normalize_rows_square_only_bug(capsys):
    printed = assert_hint(check_normalize_rows, _only_square_wrong(lambda x: x.sum(dim=1)),
                          capsys, "On a square input", "shape (4,)", "(4, 1)", "keepdim=True")
    assert "wrong side" not in printed
    assert_hint(check_normalize_rows, _only_square_wrong(lambda x: x.sum(dim=1)[None, :]),
                capsys, "On a square input", "shape (1, 4)", "wrong side")


@pytest.mark.parametrize("answer, fragments", [
    (lambda x: x / x.sum(dim=0), ["Your *columns* sum to 1"]),
    (lambda x: x, ["should be"]),
    (lambda x: x / x.sum(), ["should be"]),
    (lambda x: right(x)[:2], ["should have shape (3, 4)"]),
    (lambda x: right(x).T, ["should have shape (3, 4)"]),
    (lambda x: x.div_(x.sum(dim=1, keepdim=True)), ["changed its input"]),
    (lambda x: "rows", ["returned a str", "torch tensor"]),
    (lambda x: None, ["returned None", "`return`"]),
])
def test_normalize_rows_wrong_answers(answer, fragments, capsys):
    assert_hint(check_normalize_rows, answer, capsys, *fragments)
