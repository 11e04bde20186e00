"""Checks for chapter 00's tensor exercises: a zeros tensor, a broadcast shape, row normalisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensors import Shape, explain_broadcast, normalize_rows
from .core import (
    CheckFailed,
    call_learner,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
    expect_not_none,
)


def _is_torch_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "dtype") and hasattr(value, "shape")


@exercise_check
def check_zeros_tensor(answer: Any) -> str:
    """Exercise: a torch tensor of zeros with shape (3, 4) and dtype float32."""
    import torch

    expect_not_none(answer, "`zeros`")
    if isinstance(answer, np.ndarray):
        raise CheckFailed("`zeros` is a NumPy array; this exercise asks for a torch tensor. "
                          "Try torch.zeros(...).")
    if not _is_torch_tensor(answer):
        raise CheckFailed(f"`zeros` should be a torch tensor, but it is {describe(answer)}. "
                          "Try torch.zeros(...).")
    if tuple(answer.shape) != (3, 4):
        raise CheckFailed(f"`zeros` has shape {tuple(answer.shape)}, but it should be (3, 4): "
                          "3 rows and 4 columns. torch.zeros takes the sizes in that order.")
    if answer.dtype != torch.float32:
        kind = "whole numbers" if not answer.dtype.is_floating_point else "a different precision"
        raise CheckFailed(f"`zeros` has dtype {answer.dtype} ({kind}); it should be torch.float32. "
                          "Pass dtype=torch.float32 (or leave dtype out: float32 is torch's default).")
    nonzero = int((answer != 0).sum())
    if nonzero:
        raise CheckFailed(f"`zeros` has the right shape and dtype, but {nonzero} of its 12 entries "
                          "are not zero.")
    return ("torch.zeros(3, 4) is float32 by default. np.zeros((3, 4)) would have been float64: "
            "keep an eye on that difference.")


def _as_int_shape(answer: Any) -> Shape:
    if isinstance(answer, str):
        raise CheckFailed(f"`predicted_shape` is the string {answer!r}. Write a tuple of whole "
                          "numbers such as (2, 3), or the string 'error' if the shapes do not broadcast.")
    if _is_torch_tensor(answer) or isinstance(answer, np.ndarray):
        raise CheckFailed("`predicted_shape` is an array or tensor. Write the shape itself, "
                          "a tuple of whole numbers such as (2, 3).")
    if not isinstance(answer, (tuple, list)):
        raise CheckFailed(f"`predicted_shape` should be a tuple such as (2, 3), but it is {describe(answer)}.")
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in answer):
        raise CheckFailed(f"`predicted_shape` {tuple(answer)!r} should hold whole numbers only.")
    return tuple(int(n) for n in answer)


@exercise_check
def check_broadcast_shape(answer: Any, shape_a: Shape = (5, 1, 3), shape_b: Shape = (4, 3)) -> str:
    """Exercise: predict the shape that ``shape_a`` and ``shape_b`` broadcast to.

    The answer is a tuple (a list or ``torch.Size`` is fine too), or the string ``'error'``
    when the shapes do not broadcast.
    """
    explanation = explain_broadcast(shape_a, shape_b)
    expect_not_none(answer, "`predicted_shape`")
    says_error = isinstance(answer, str) and answer.strip().lower() == "error"
    if not explanation.ok:
        if says_error:
            return explanation.reason
        raise CheckFailed(f"Line {explanation.shape_a} and {explanation.shape_b} up from the "
                          "right and compare each pair of sizes: is every pair equal or has a 1?")
    if says_error:
        raise CheckFailed(f"{explanation.shape_a} and {explanation.shape_b} do broadcast. Line "
                          "them up from the right: in each position the sizes are equal, or one "
                          "of them is 1, or one shape has run out of dimensions.")
    predicted = _as_int_shape(answer)
    if len(predicted) != len(explanation.result):
        raise CheckFailed(f"your shape has {len(predicted)} dimensions, but the result has as many "
                          f"as the longer shape: {len(explanation.result)}.")
    for step in explanation.steps:
        if predicted[-step.position] != step.result:
            a = "nothing" if step.size_a is None else step.size_a
            b = "nothing" if step.size_b is None else step.size_b
            raise CheckFailed(f"look at dim {step.index}: a has {a} there and b has {b}, and you "
                              f"wrote {predicted[-step.position]}. A size 1 (or a missing "
                              "dimension) stretches to match the other size.")
    return explanation.reason


@exercise_check
def check_normalize_rows(fn: Callable[[Any], Any]) -> str:
    """Exercise: ``normalize_rows(x)`` divides each row of a 2-D tensor by that row's sum."""
    import torch

    expect_callable(fn, "`normalize_rows`")
    for rows, cols in ((3, 4), (4, 4)):  # a square input exposes the missing keepdim
        x = torch.arange(1.0, rows * cols + 1).reshape(rows, cols)
        original = x.clone()
        try:
            out = call_learner(fn, x, what="`normalize_rows`")
        except CheckFailed as exc:
            if "must match the size" in str(exc):
                raise CheckFailed(f"{exc} Dividing a ({rows}, {cols}) tensor by a sum of shape "
                                  f"({rows},)? Broadcasting lines that up with the last dimension. "
                                  "Keep the summed dimension: keepdim=True gives shape "
                                  f"({rows}, 1).") from None
            raise
        got = expect_array(out, f"normalize_rows of a {rows}×{cols} tensor", shape=(rows, cols))
        if not torch.equal(x, original):
            raise CheckFailed("`normalize_rows` changed its input. Return a new tensor "
                              "(x / ..., not x /= ...).")
        want = normalize_rows(original).numpy()
        if np.allclose(got, (original / original.sum(dim=0)).numpy(), rtol=1e-4):
            raise CheckFailed("your *columns* sum to 1, not your rows. A row's sum runs along "
                              "dim=1 (across the columns).")
        if rows == cols and np.allclose(got, (original / original.sum(dim=1)).numpy(), rtol=1e-4):
            raise CheckFailed("on a square input your rows do not sum to 1: x.sum(dim=1) has shape "
                              "(n,), which lines up with the last dimension, so column j was divided "
                              "by row j's sum. Keep the dimension: x.sum(dim=1, keepdim=True) has "
                              "shape (n, 1).")
        expect_close(got, want, f"normalize_rows of a {rows}×{cols} tensor", rtol=1e-4,
                     hint="Each row should be divided by the sum of that row, so it sums to 1.")
    return ("x / x.sum(dim=1, keepdim=True) divides a (n, m) tensor by a (n, 1) one: "
            "each row by its own sum.")
