"""Each chapter-00 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.checks.tensors import (
    check_broadcast_shape,
    check_normalize_rows,
    check_zeros_tensor,
)


def run(check, answer, capsys, *args):
    result = check(answer, *args)
    printed = capsys.readouterr().out
    assert "Traceback" not in printed
    return result, printed


def assert_hint(check, answer, capsys, *fragments, args=()):
    result, printed = run(check, answer, capsys, *args)
    assert not result, printed
    assert printed.startswith("❌ Not yet."), printed
    for fragment in fragments:
        assert fragment in printed, printed
    return printed


def assert_pass(check, answer, capsys, *fragments, args=()):
    result, printed = run(check, answer, capsys, *args)
    assert result, printed
    assert printed.startswith("✅ Passed!"), printed
    for fragment in fragments:
        assert fragment in printed, printed
    return printed


@pytest.mark.parametrize("check", [check_zeros_tensor, check_broadcast_shape, check_normalize_rows])
def test_none_gets_a_hint(check, capsys):
    assert_hint(check, None, capsys, "is None")


# --- exercise 1: zeros ------------------------------------------------------------------------


def test_zeros_right_answer_passes(capsys):
    assert_pass(check_zeros_tensor, torch.zeros(3, 4), capsys, "float32 by default")
    assert_pass(check_zeros_tensor, torch.zeros((3, 4), dtype=torch.float32), capsys)


@pytest.mark.parametrize("answer, fragment", [
    (np.zeros((3, 4), dtype=np.float32), "NumPy array"),
    ([[0.0] * 4] * 3, "should be a torch tensor"),
    ("zeros", "should be a torch tensor"),
    (0, "should be a torch tensor"),
])
def test_zeros_wrong_type(answer, fragment, capsys):
    assert_hint(check_zeros_tensor, answer, capsys, fragment, "torch.zeros")


@pytest.mark.parametrize("shape", [(4, 3), (12,), (3, 4, 1), ()])
def test_zeros_wrong_shape(shape, capsys):
    assert_hint(check_zeros_tensor, torch.zeros(shape), capsys, f"has shape {shape}", "(3, 4)")


@pytest.mark.parametrize("dtype, fragment", [
    (torch.float64, "a different precision"), (torch.int64, "whole numbers"),
    (torch.float16, "a different precision"), (torch.bool, "whole numbers"),
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


@pytest.mark.parametrize("answer", [(5, 4, 3), [5, 4, 3], torch.Size([5, 4, 3]),
                                    (np.int64(5), 4, 3)])
def test_broadcast_right_answer_passes(answer, capsys):
    assert_pass(check_broadcast_shape, answer, capsys, "broadcast to (5, 4, 3)")


def test_broadcast_default_pair_is_the_exercise(capsys):
    assert_pass(check_broadcast_shape, (5, 4, 3), capsys, args=((5, 1, 3), (4, 3)))


@pytest.mark.parametrize("answer, fragment", [
    ("(5, 4, 3)", "is the string"),
    (5, "should be a tuple"),
    ({5: 4}, "should be a tuple"),
    ((5.0, 4, 3), "whole numbers only"),
    (np.zeros((5, 4, 3)), "array or tensor"),
    (torch.Size, "should be a tuple"),
])
def test_broadcast_wrong_type(answer, fragment, capsys):
    assert_hint(check_broadcast_shape, answer, capsys, fragment)


@pytest.mark.parametrize("answer, fragments", [
    ((5, 1, 3), ["dim -2", "a has 1", "b has 4", "you wrote 1"]),
    ((4, 4, 3), ["dim -3", "b has nothing"]),
    ((5, 4, 4), ["dim -1"]),
    ((4, 3), ["has 2 dimensions", "longer shape: 3"]),
    ((1, 5, 4, 3), ["has 4 dimensions"]),
    ("error", ["do broadcast", "from the right"]),
])
def test_broadcast_wrong_answer(answer, fragments, capsys):
    printed = assert_hint(check_broadcast_shape, answer, capsys, *fragments)
    assert "(5, 4, 3)" not in printed, "a hint must not give the answer away"


def test_broadcast_pairs_that_clash_expect_error(capsys):
    assert_pass(check_broadcast_shape, "error", capsys, "dim -1", args=((3, 4), (3,)))
    assert_pass(check_broadcast_shape, " Error ", capsys, args=((2, 3), (3, 2)))
    assert_hint(check_broadcast_shape, (3, 4), capsys, "up from the right", args=((3, 4), (3,)))
    assert_hint(check_broadcast_shape, None, capsys, "is None", args=((3, 4), (3,)))


def test_broadcast_other_pairs(capsys):
    assert_pass(check_broadcast_shape, (3, 4), capsys, args=((3, 1), (1, 4)))
    assert_hint(check_broadcast_shape, (3, 1), capsys, "dim -1", args=((3, 1), (1, 4)))


# --- exercise 3: normalize_rows ---------------------------------------------------------------


def stub(x):
    """What the student version holds before the learner writes anything."""
    raise NotImplementedError("write normalize_rows() — see the task above")


def right(x):
    return x / x.sum(dim=1, keepdim=True)


def test_normalize_rows_right_answers_pass(capsys):
    assert_pass(check_normalize_rows, right, capsys, "keepdim=True")
    assert_pass(check_normalize_rows, lambda x: x / x.sum(1)[:, None], capsys)
    assert_pass(check_normalize_rows,
                lambda x: x.numpy() / x.numpy().sum(axis=1, keepdims=True), capsys)


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


def test_normalize_rows_missing_keepdim_gets_the_broadcasting_hint(capsys):
    assert_hint(check_normalize_rows, lambda x: x / x.sum(dim=1), capsys,
                "must match the size", "keepdim=True", "(3, 1)")


def test_normalize_rows_square_only_bug(capsys):
    def only_square_wrong(x):  # right on 3×4, the keepdim bug on a square input
        if x.shape[0] == x.shape[1]:
            return x / x.sum(dim=1)
        return right(x)

    assert_hint(check_normalize_rows, only_square_wrong, capsys, "square input",
                "keepdim=True")


@pytest.mark.parametrize("answer, fragments", [
    (lambda x: x / x.sum(dim=0), ["*columns* sum to 1"]),
    (lambda x: x, ["should be"]),
    (lambda x: x / x.sum(), ["should be"]),
    (lambda x: right(x)[:2], ["should have shape (3, 4)"]),
    (lambda x: right(x).T, ["should have shape (3, 4)"]),
    (lambda x: x.div_(x.sum(dim=1, keepdim=True)), ["changed its input"]),
    (lambda x: "rows", ["should be numbers"]),
    (lambda x: None, ["is None"]),
])
def test_normalize_rows_wrong_answers(answer, fragments, capsys):
    assert_hint(check_normalize_rows, answer, capsys, *fragments)
