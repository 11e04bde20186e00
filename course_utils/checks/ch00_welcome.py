"""Checks for chapter 00's tensor exercises: a zeros tensor, a broadcast shape, row normalisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensors import Shape, explain_broadcast, normalize_rows
from .core import (
    CheckFailed,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
    try_learner,
    value_or_hint,
)

#: The pair of shapes in Exercise 2. The notebook shows other pairs before it, never this one.
EXERCISE_SHAPES: tuple[Shape, Shape] = ((6, 1, 5), (3, 1))


def _is_torch_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "dtype") and hasattr(value, "shape")


def _expect_answered(value: Any, name: str) -> None:
    """An assigned answer still set to ``None`` is the untouched student stub."""
    if value is None:
        raise CheckFailed(f"{name} is None, so it is not answered yet: replace None with your answer.")


def _dtype_kind(dtype: Any) -> str:
    import torch

    if dtype == torch.bool:
        return "booleans: true or false"
    if dtype.is_complex:
        return "complex numbers"
    if not dtype.is_floating_point:
        return "whole numbers"
    return "a different precision"


@exercise_check
def check_zeros_tensor(answer: Any) -> str:
    """Exercise: a torch tensor of zeros with shape (3, 4) and dtype float32."""
    import torch

    _expect_answered(answer, "`zeros`")
    if isinstance(answer, np.ndarray):
        raise CheckFailed("`zeros` is a NumPy array; this exercise asks for a torch tensor. "
                          "Try torch.zeros(...).")
    if callable(answer) and not _is_torch_tensor(answer):
        what = "the function torch.zeros itself" if answer is torch.zeros else "a function"
        raise CheckFailed(f"`zeros` is {what}, not a tensor. Call it: torch.zeros(3, 4, ...).")
    if not _is_torch_tensor(answer):
        raise CheckFailed(f"`zeros` should be a torch tensor, but it is {describe(answer)}. "
                          "Try torch.zeros(...).")
    if tuple(answer.shape) != (3, 4):
        raise CheckFailed(f"`zeros` has shape {tuple(answer.shape)}, but it should be (3, 4): "
                          "3 rows and 4 columns. torch.zeros takes the sizes in that order.")
    if answer.dtype != torch.float32:
        raise CheckFailed(f"`zeros` has dtype {answer.dtype} ({_dtype_kind(answer.dtype)}); it "
                          "should be torch.float32. Pass dtype=torch.float32 (or leave dtype out: "
                          "float32 is torch's default).")
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
def check_broadcast_shape(answer: Any, shape_a: Shape = EXERCISE_SHAPES[0],
                          shape_b: Shape = EXERCISE_SHAPES[1]) -> str:
    """Exercise: predict the shape that ``shape_a`` and ``shape_b`` broadcast to.

    The answer is a tuple (a list or ``torch.Size`` is fine too), or the string ``'error'``
    when the shapes do not broadcast.
    """
    explanation = explain_broadcast(shape_a, shape_b)
    _expect_answered(answer, "`predicted_shape`")
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
        raise CheckFailed(f"Your shape has {len(predicted)} dimensions, but the result has as many "
                          f"as the longer shape: {len(explanation.result)}.")
    for step in explanation.steps:
        if predicted[-step.position] != step.result:
            a = "nothing" if step.size_a is None else step.size_a
            b = "nothing" if step.size_b is None else step.size_b
            raise CheckFailed(f"Look at dim {step.index}: a has {a} there and b has {b}, and you "
                              f"wrote {predicted[-step.position]}. A size 1 (or a missing "
                              "dimension) stretches to match the other size.")
    return explanation.reason


# --- exercise 3: which shapes did the learner's code combine? ------------------------------------


def _shape_recorder() -> Any:
    """A torch function mode that notes the operand shapes of every two-tensor operation.

    It lets a hint say what the learner's code actually divided by, e.g. ``(1, 3)``, instead
    of guessing from torch's error message (which reads the same for ``(3,)`` and ``(1, 3)``).
    """
    import torch
    from torch.overrides import TorchFunctionMode

    class ShapeRecorder(TorchFunctionMode):
        def __init__(self) -> None:
            super().__init__()
            self.pairs: list[tuple[Shape, Shape]] = []

        def __torch_function__(self, func, types, args=(), kwargs=None):
            shapes = [tuple(a.shape) for a in args if isinstance(a, torch.Tensor)]
            if len(shapes) == 2:
                self.pairs.append((shapes[0], shapes[1]))
            return func(*args, **(kwargs or {}))

    return ShapeRecorder()


def _row_sums_shape(pairs: list[tuple[Shape, Shape]], shape: Shape) -> Shape | None:
    """The shape x's row sums had when x (of ``shape``) was combined with them, if we saw it."""
    rows = shape[0]
    for a, b in reversed(pairs):
        other = b if a == shape else a if b == shape else None
        if other is not None and other != shape and rows in other and other.count(1) == len(other) - 1:
            return other
    return None


def _misaligned_sums_hint(sums: Shape, rows: int, cols: int) -> str:
    if sums == (rows,):
        what = (f"The row sums have shape ({rows},). Broadcasting lines shapes up from the right, "
                f"so those {rows} sums line up with the last dimension, the {cols} columns")
    elif sums == (1, rows):
        what = (f"Your row sums have shape (1, {rows}): a size-1 dimension on the wrong side. "
                f"Lined up from the right, the {rows} sums still line up with the {cols} columns")
    else:
        what = (f"Your row sums have shape {sums}; lined up from the right, that does not put "
                f"the {rows} sums beside the {rows} rows")
    return (f"{what}. To stretch each sum along its own row, the sums need shape ({rows}, 1): "
            "the size 1 on the right. x.sum(dim=1, keepdim=True) gives that, and so does adding "
            "the dimension with [:, None].")


@exercise_check
def check_normalize_rows(fn: Callable[[Any], Any]) -> str:
    """Exercise: ``normalize_rows(x)`` returns a new tensor whose rows are divided by their sums."""
    import torch

    expect_callable(fn, "`normalize_rows`")

    for rows, cols in ((3, 4), (4, 4)):  # a square input exposes sums that line up with the columns
        x = torch.arange(1.0, rows * cols + 1).reshape(rows, cols)
        recorder = _shape_recorder()
        with recorder:
            outcome = try_learner(fn, x, what="`normalize_rows`")  # keeps the copy fn was given
        sums = _row_sums_shape(recorder.pairs, (rows, cols))
        if (outcome.error is not None and "must match the size" in str(outcome.error)
                and sums is not None):
            raise CheckFailed(f"Dividing a ({rows}, {cols}) tensor by its row sums failed. "
                              + _misaligned_sums_hint(sums, rows, cols))
        out = value_or_hint(outcome, (x,), what="`normalize_rows`")
        if out is None:
            raise CheckFailed("`normalize_rows` returned None. Did you forget to `return` the result?")
        if not _is_torch_tensor(out):
            kind = "a NumPy array" if isinstance(out, np.ndarray) else describe(out)
            raise CheckFailed(f"`normalize_rows` returned {kind}, but the task asks for a new torch "
                              "tensor. Keep to torch operations (no .numpy() or .tolist()).")
        got = expect_array(out, f"`normalize_rows` of a {rows}×{cols} tensor", shape=(rows, cols))
        if not torch.equal(outcome.inputs[0], x):
            raise CheckFailed("`normalize_rows` changed its input. Return a new tensor "
                              "(x / ..., not x /= ...).")
        want = normalize_rows(x).numpy()
        if np.allclose(got, (x / x.sum(dim=0)).numpy(), rtol=1e-4):
            raise CheckFailed("Your *columns* sum to 1, not your rows. A row's sum runs across "
                              "the columns: dim=1.")
        if rows == cols and np.allclose(got, (x / x.sum(dim=1)).numpy(), rtol=1e-4):
            sums = _row_sums_shape(recorder.pairs, (rows, cols)) or (rows,)
            raise CheckFailed("On a square input your rows do not sum to 1: column j was divided "
                              "by row j's sum. " + _misaligned_sums_hint(sums, rows, cols))
        expect_close(got, want, f"`normalize_rows` of a {rows}×{cols} tensor", rtol=1e-4,
                     hint="Each row should be divided by the sum of that row, so it sums to 1.")
    return ("Dividing an (n, m) tensor by row sums of shape (n, 1) stretches each sum along its "
            "own row. x.sum(dim=1, keepdim=True) keeps the summed dimension as size 1 for exactly "
            "this; you will use it again in softmax (chapter 07).")
