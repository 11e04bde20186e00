"""Checks for chapter 02's exercises: cosine similarity, and matrix multiplication with loops.

Both checks compare the learner's function with the reference in :mod:`course_utils.linalg`
on several inputs, recognise the usual slips (forgetting to divide by the lengths, adding up
in the wrong order, a total that is never reset, the transposed result) and name them, and
test the error cases: a zero vector for cosine similarity, shapes that do not fit for matmul.
The matmul check also turns down a ready-made product that makes many entries at once
(``A @ B``), while a dot product of one row and one column (rule 1) is fine.
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import linalg
from .core import (
    CheckFailed,
    call_learner,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
    try_learner,
)

# --- exercise 1: cosine similarity -----------------------------------------------------------

#: (u, v) pairs: a general pair first, so that a wrong formula is recognised from its values.
COSINE_CASES: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...] = (
    ((3.0, 4.0), (4.0, 3.0)),                      # 24/25 = 0.96
    ((1.0, 2.0, 3.0, 4.0), (4.0, -3.0, 2.0, 1.0)),  # 8/30
    ((1.0, 2.0, 3.0), (2.0, 4.0, 6.0)),            # same direction, twice as long: 1
    ((1.0, 0.0), (0.0, 2.0)),                      # perpendicular: 0
    ((1.0, 2.0), (-2.0, -4.0)),                    # opposite: -1
    ((0.5, -1.0, 2.0, 0.0, 3.0), (1.0, 1.0, 1.0, 1.0, 1.0)),
)
ZERO_CASES: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...] = (
    ((0.0, 0.0, 0.0), (1.0, 2.0, 3.0)),
    ((1.0, 2.0), (0.0, 0.0)),
)


def _cosine_value(fn: Callable[..., Any], u: np.ndarray, v: np.ndarray) -> float:
    result = call_learner(fn, u, v, what="cosine_similarity")
    if result is None:
        raise CheckFailed("cosine_similarity returned None. Did you forget to `return` the result?")
    values = expect_array(result, "cosine_similarity(u, v)")
    if values.size != 1:
        raise CheckFailed(f"cosine_similarity(u, v) should be a single number, but for vectors of "
                          f"length {u.size} it returned {describe(result)}. u * v only multiplies "
                          "the pairs; the dot product also adds them up (np.sum, or u @ v).")
    return float(values.ravel()[0])


def _cosine_slip(got: np.ndarray, pairs: list[tuple[np.ndarray, np.ndarray]]) -> str | None:
    """Name a common wrong formula if every value matches it."""
    dots = np.array([u @ v for u, v in pairs])
    uu = np.array([u @ u for u, _ in pairs])
    vv = np.array([v @ v for _, v in pairs])
    want = dots / np.sqrt(uu * vv)
    candidates = [
        (dots, "That is the plain dot product u · v. Cosine similarity divides it by both "
               "lengths, |u| |v|, so that long vectors do not score higher just for being long."),
        (dots / (uu * vv), "You divided by u · u times v · v, the *squared* lengths. A length is "
                           "the square root: |u| = √(u · u), e.g. np.sqrt(u @ u) or "
                           "np.linalg.norm(u)."),
        (dots / np.sqrt(uu), "You divided by |u| only. Divide by the length of v as well."),
        (dots / np.sqrt(vv), "You divided by |v| only. Divide by the length of u as well."),
        (dots / (np.sqrt(uu) + np.sqrt(vv)), "You divided by |u| + |v|. The lengths are "
                                             "multiplied: u · v / (|u| · |v|)."),
        (np.arccos(np.clip(want, -1, 1)), "That is the angle θ itself (in radians). The task "
                                          "asks for its cosine, cos θ = u · v / (|u| |v|): "
                                          "no np.arccos needed."),
        (1 - want, "That is 1 − cos θ, the *cosine distance* (0 for the same direction). The "
                   "task asks for the similarity cos θ itself."),
        (np.abs(want), "Your values are right except for the sign: opposite vectors should give "
                       "−1, not 1. Did you take an absolute value?"),
    ]
    for values, hint in candidates:
        if np.allclose(got, values, rtol=1e-6, atol=1e-9):
            return hint
    return None


def _zero_vector_hint(fn: Callable[..., Any]) -> None:
    """A zero vector must raise ValueError: it has no direction."""
    for u, v in ZERO_CASES:
        u, v = np.array(u), np.array(v)
        which = "u" if not u.any() else "v"
        shown = f"cosine_similarity({u.tolist()}, {v.tolist()})"
        outcome = try_learner(fn, u, v, what="cosine_similarity")
        exc = outcome.error
        if exc is None:
            value = _describe_returned(outcome.value)
            raise CheckFailed(f"{shown} returned {value}, but {which} is the zero vector: it has "
                              "length 0 and points in no direction, so there is no angle. Check "
                              "the two lengths first and `raise ValueError(...)` if one is 0.")
        if not isinstance(exc, ValueError):
            raise CheckFailed(f"{shown} raised {type(exc).__name__}: "
                              f"{str(exc).strip().rstrip('.')}. A zero vector should "
                              "raise a ValueError that says so: check the two lengths first and "
                              "`raise ValueError(\"...\")` if one is 0.")


def _describe_returned(result: Any) -> str:
    try:
        values = np.asarray(result, dtype=float)
    except (TypeError, ValueError):
        return describe(result)
    if values.size == 1 and np.isnan(values).all():
        return "nan (0 divided by 0)"
    return describe(result) if values.size != 1 else f"{float(values.ravel()[0]):.6g}"


@exercise_check
def check_cosine_similarity(cosine_similarity: Any) -> str:
    """Exercise: ``cosine_similarity(u, v) = u · v / (|u| |v|)``, and a ValueError for a zero vector."""
    fn = expect_callable(cosine_similarity, "cosine_similarity")
    pairs = [(np.array(u), np.array(v)) for u, v in COSINE_CASES]
    got = np.array([_cosine_value(fn, u, v) for u, v in pairs])
    want = np.array([linalg.cosine_similarity(u, v) for u, v in pairs])
    if np.isnan(got).any():
        u, v = pairs[int(np.argmax(np.isnan(got)))]
        raise CheckFailed(f"cosine_similarity({u.tolist()}, {v.tolist()}) gave nan (not a "
                          "number). Neither vector is zero here: check the formula.")
    if not np.allclose(got, want, rtol=1e-6, atol=1e-9):
        slip = _cosine_slip(got, pairs)
        if slip:
            raise CheckFailed(slip)
        k = int(np.argmax(~np.isclose(got, want, rtol=1e-6, atol=1e-9)))
        u, v = pairs[k]
        raise CheckFailed(f"cosine_similarity({u.tolist()}, {v.tolist()}) is {got[k]:.6g} but "
                          f"should be {want[k]:.6g}: u · v = {u @ v:g}, |u| = {np.sqrt(u @ u):.6g}, "
                          f"|v| = {np.sqrt(v @ v):.6g}, and cos θ = u · v / (|u| |v|).")
    _zero_vector_hint(fn)
    return ("cos θ = u · v / (|u| |v|): 1 for the same direction however long the vectors, 0 for "
            "perpendicular, −1 for opposite, and a clear error for a vector with no direction.")


# --- exercise 2: matrix multiplication with loops ----------------------------------------------

#: Shapes the matmul check multiplies: square, non-square, vectors as matrices, 1×1.
MATMUL_SHAPES: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((3, 3), (3, 3)),   # first: slips such as A * B or B[j, k] run here and can be named
    ((2, 3), (3, 4)),
    ((4, 2), (2, 5)),
    ((3, 1), (1, 2)),   # a column times a row: the outer product
    ((1, 4), (4, 1)),   # a row times a column: one number, the dot product
    ((1, 1), (1, 1)),
)
#: Shapes that do not fit. In the second, a loop over A's 2 columns runs without any error and
#: quietly ignores B's last row, which is why the shapes must be checked before looping.
MISMATCHED_SHAPES: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = (
    ((2, 3), (2, 4)),   # a plain loop runs off the end of B's columns: IndexError
    ((3, 2), (3, 4)),
)

# A loop version that secretly calls `@` would pass every numerical test, so the check also
# looks at the ready-made products the learner's function computes. One entry at a time is the
# task: a product of row i of A and column j of B makes one entry (rule 1) and is fine, also
# inside a helper such as section 1's `dot`. A product that makes several entries at once is
# the shortcut the exercise rules out. Two rules catch it:
#
# * while the function runs, np.dot, np.matmul, np.einsum, np.inner and np.tensordot note every
#   product they make, and A and B are handed over as arrays whose `@` and `.dot()` go through
#   np.matmul and np.dot (:func:`_recording_products`), which sees through helper functions;
# * its own source may not apply a ready-made product to the whole of A or B (`A @ B`,
#   `torch.mm(a, b)` after `a = torch.tensor(A)`): that catches products of converted copies,
#   which the run-time rule cannot follow (:func:`_whole_product_in_source`).

_RECORDED = ("dot", "matmul", "einsum", "inner", "tensordot")


@dataclass(frozen=True)
class _Product:
    """A ready-made product seen while the learner's function ran."""

    name: str
    shapes: tuple[tuple[int, ...], ...]
    entries: int


class _Recorded(np.ndarray):
    """An input whose `@` and `.dot()` call np.matmul and np.dot, so the recorders see them.

    Slices, ``.T`` and arithmetic keep the type, so ``A[i] @ B[:, j]`` and ``(A * 1.0) @ B`` are
    seen too. Printed, and in error messages, it is an ordinary array.
    """

    def __matmul__(self, other: Any) -> Any:
        return np.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return np.matmul(other, self)

    def dot(self, other: Any, out: Any = None) -> Any:
        return np.dot(self, other, out=out)

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))


_Recorded.__name__ = _Recorded.__qualname__ = "ndarray"  # "'ndarray' object has no attribute .."


@contextmanager
def _recording_products() -> Iterator[list[_Product]]:
    """Within the block, every np.dot, np.matmul, ... call adds a :class:`_Product` to the list."""
    products: list[_Product] = []
    originals = {name: getattr(np, name) for name in _RECORDED}

    def recorder(name: str, product: Callable[..., Any]) -> Callable[..., Any]:
        def record(*args: Any, **kwargs: Any) -> Any:
            result = product(*args, **kwargs)
            shapes = tuple(np.shape(a) for a in args if isinstance(a, np.ndarray))
            products.append(_Product(name, shapes, int(np.size(result))))
            return result

        return record

    for name, product in originals.items():
        setattr(np, name, recorder("@ (np.matmul)" if name == "matmul" else f"np.{name}", product))
    try:
        yield products
    finally:
        for name, product in originals.items():
            setattr(np, name, product)


_ENTRY_BY_ENTRY = ("Build C one entry at a time: loop over i and j, and make C[i, j] = "
                   "A[i, 0]·B[0, j] + A[i, 1]·B[1, j] + … with a third loop over k. (A dot "
                   "product of just row i and column j, such as dot(A[i], B[:, j]) or "
                   "A[i] @ B[:, j], is fine too: that is rule 1.)")


def _shortcut_hint(products: list[_Product], result_shape: tuple[int, int]) -> str | None:
    """A hint if one of the products made more than one entry of the result at once."""
    for product in products:
        if product.entries > 1:
            shapes = " and ".join(str(s) for s in product.shapes) or "the inputs"
            if product.entries == result_shape[0] * result_shape[1]:
                made = "the whole result in one step"
            else:
                made = f"{product.entries} entries of the result in one step"
            return (f"Your function uses {product.name} on arrays of shape {shapes}, which makes "
                    f"{made}: a ready-made matrix product, the very thing the check compares "
                    f"your answer with. {_ENTRY_BY_ENTRY}")
    return None


#: Ready-made products that add up sums, as named in source (``outer`` and ``kron`` only multiply).
_PRODUCT_NAMES = frozenset({"matmul", "dot", "einsum", "tensordot", "inner", "vdot", "mm", "bmm",
                            "multi_dot", "matvec", "vecmat", "vecdot", "mv", "addmm"})
_SIZES = frozenset({"shape", "size", "ndim", "dtype"})


def _source_tree(fn: Callable[..., Any]) -> ast.AST | None:
    """The parsed source of fn, or None when Python kept no source (a builtin, a lambda in a REPL)."""
    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return None
    try:
        return ast.parse(source)
    except SyntaxError:  # e.g. a lambda cut out of the middle of a line
        return None


def _whole(node: ast.AST, names: set[str]) -> bool:
    """Whether an expression is all of A or B: ``A``, ``A.T``, ``np.asarray(A)``, not ``A[i]``."""
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Subscript):
        return False  # a row, a column or a number
    if isinstance(node, ast.Attribute) and node.attr in _SIZES:
        return False
    return any(_whole(child, names) for child in ast.iter_child_nodes(node))


def _whole_product_in_source(fn: Callable[..., Any]) -> str | None:
    """Source text of a ready-made product of a whole input (``A @ B``, ``np.dot(A, B)``), if any."""
    function = next((node for node in ast.walk(_source_tree(fn) or ast.Module(body=[]))
                     if isinstance(node, (ast.FunctionDef, ast.Lambda))), None)
    if function is None:
        return None
    names = {arg.arg for arg in function.args.posonlyargs + function.args.args}
    assigns = [(target, node.value) for node in ast.walk(function) if isinstance(node, ast.Assign)
               for target in node.targets]
    for _ in assigns:  # follow names given all of A or B (a = torch.tensor(A); b = a.T; ...)
        for target, value in assigns:
            pairs = (zip(target.elts, value.elts, strict=False) if isinstance(target, ast.Tuple)
                     and isinstance(value, ast.Tuple) else [(target, value)])
            names |= {t.id for t, v in pairs if isinstance(t, ast.Name) and _whole(v, names)}
    for node in ast.walk(function):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            operands = [node.left, node.right]
        elif isinstance(node, ast.Call) and isinstance(node.func, (ast.Name, ast.Attribute)):
            func = node.func
            if getattr(func, "attr", getattr(func, "id", None)) not in _PRODUCT_NAMES:
                continue
            operands = node.args + ([func.value] if isinstance(func, ast.Attribute) else [])
        else:
            continue
        if any(_whole(x, names) for x in operands):
            return ast.unparse(node)
    return None


def _matrices(shape_a: tuple[int, int], shape_b: tuple[int, int],
              seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Numbers like 1.5 and −0.25: products that are not whole numbers, of both signs."""
    rng = np.random.default_rng(seed)
    return (rng.integers(-8, 9, size=shape_a) / 4 + 0.5,
            rng.integers(-8, 9, size=shape_b) / 4 - 0.25)


def _matmul_slip(got: np.ndarray, A: np.ndarray, B: np.ndarray) -> str | None:
    """Name a common loop slip if the result matches it."""
    want = A @ B
    candidates = []
    if A.shape == B.shape:
        candidates.append((A * B, "That is A * B, which multiplies entry by entry. Matrix "
                                  "multiplication pairs row i of A with column j of B: "
                                  "C[i, j] = A[i, 0]·B[0, j] + A[i, 1]·B[1, j] + …"))
    if A.shape[0] == B.shape[1]:
        candidates.append((B @ A, "That is B @ A: the order is swapped, and for matrices the "
                                  "order matters. C[i, j] uses row i of A and column j of B."))
    if B.shape[0] == B.shape[1]:
        candidates.append((A @ B.T, "That pairs row i of A with row j of B (B[j, k]). Use "
                                    "column j of B: B[k, j], where k runs down the column."))
    if A.shape[0] == A.shape[1]:
        candidates.append((A.T @ B, "That pairs column i of A (A[k, i]) with column j of B. "
                                    "Use row i of A: A[i, k]."))
    if want.shape[0] == want.shape[1]:
        candidates.append((want.T, "Your result is transposed: C[j, i] sits where C[i, j] "
                                   "belongs. Entry [i, j] goes to row i (from A) and column j "
                                   "(from B)."))
    candidates.append((np.cumsum(want.ravel()).reshape(want.shape),
                       "Your entries keep growing: each one also holds the sums of the entries "
                       "before it. Reset the running total to 0 for every new entry [i, j] "
                       "(inside the two outer loops, before the innermost one)."))
    if got.any() and np.array_equal(got, np.round(got)) and not np.allclose(want, np.round(want)):
        return ("Your entries are all whole numbers, but these products are not: the result "
                "array holds integers, which cut off every fraction you write into it. Create it "
                "with a float dtype, e.g. np.zeros((n, p)) without dtype=int.")
    for values, hint in candidates:
        if values.shape == got.shape and np.allclose(got, values, rtol=1e-6, atol=1e-9):
            return hint
    return None


def _valid_shapes_error_hint(exc: BaseException, what: str, shape_a: tuple[int, int],
                             shape_b: tuple[int, int]) -> str:
    """A hint for an exception raised on shapes that fit."""
    text = f"{what} raised {type(exc).__name__}: {str(exc).strip().rstrip('.')}."
    if "broadcast" in str(exc):
        return (f"{text} That comes from A * B, which multiplies entry by entry (and needs equal "
                "shapes). Matrix multiplication pairs row i of A with column j of B: "
                "C[i, j] = A[i, 0]·B[0, j] + A[i, 1]·B[1, j] + …")
    if isinstance(exc, ValueError):
        return (f"{text} But these shapes fit: A has {shape_a[1]} columns and B has "
                f"{shape_b[0]} rows. Check which sizes your test compares: A's columns are "
                "A.shape[1], B's rows are B.shape[0].")
    if isinstance(exc, IndexError):
        return (f"{text} Check the ranges of your loops: i runs over the rows of A "
                "(A.shape[0]), j over the columns of B (B.shape[1]), k over the columns of A "
                "(A.shape[1]).")
    return text


def _mentions_shape(message: str, shape: tuple[int, int]) -> bool:
    r, c = shape
    pattern = rf"(?<!\d){r}\s*(?:×|x|X|\*|,|by)\s*{c}(?!\d)"
    return re.search(pattern, message) is not None


def _check_mismatch(fn: Callable[..., Any], shape_a: tuple[int, int],
                    shape_b: tuple[int, int]) -> None:
    A, B = _matrices(shape_a, shape_b, seed=7)
    shown = (f"a {linalg.shape_text(shape_a)} matrix A times a {linalg.shape_text(shape_b)} "
             f"matrix B")
    outcome = try_learner(fn, A, B, what="matmul")
    exc = outcome.error
    example = ("e.g. raise ValueError(f\"cannot multiply a {n}×{m} matrix by a "
               "{m2}×{p} matrix: A has {m} columns but B has {m2} rows\")")
    if exc is None:
        got = describe(outcome.value)
        sneaky = shape_a[1] < shape_b[0]
        why = (f" Your loops ran without any error: they used only the first {shape_a[1]} rows "
               f"of B and quietly ignored the rest, so the answer is wrong, not just refused."
               if sneaky else "")
        raise CheckFailed(f"For {shown} your function returned {got}, but these cannot be "
                          f"multiplied: A has {shape_a[1]} columns and B has {shape_b[0]} rows."
                          f"{why} Compare the two numbers before the loops and raise a "
                          f"ValueError when they differ, {example}.")
    if not isinstance(exc, ValueError):
        raise CheckFailed(f"For {shown} your function raised {type(exc).__name__}: "
                          f"{str(exc).strip().rstrip('.')}. The "
                          "shapes do not fit, so an error is right, but let it be a ValueError "
                          "that a reader understands: compare A's columns with B's rows before "
                          f"the loops, {example}.")
    message = str(exc)
    missing = [s for s in (shape_a, shape_b) if not _mentions_shape(message, s)]
    if missing:
        raise CheckFailed(f"For {shown} your function raised ValueError({message!r}). Good, but "
                          "the message should say which shapes clash, so a reader can fix the "
                          f"call: mention both, {linalg.shape_text(shape_a)} and "
                          f"{linalg.shape_text(shape_b)} (or {shape_a} and {shape_b}), {example}.")


@exercise_check
def check_matmul(matmul: Any) -> str:
    """Exercise: ``matmul(A, B)`` with loops; a ValueError naming both shapes if they do not fit."""
    fn = expect_callable(matmul, "matmul")
    shortcut = _whole_product_in_source(fn)
    if shortcut:
        raise CheckFailed(f"Your function computes `{shortcut}`, a ready-made product with the "
                          "whole of A or B, which makes many entries of the result in one step: "
                          f"the very thing the check compares your answer with. {_ENTRY_BY_ENTRY}")
    for seed, (shape_a, shape_b) in enumerate(MATMUL_SHAPES):
        A, B = _matrices(shape_a, shape_b, seed)
        what = (f"matmul(A, B) for a {linalg.shape_text(shape_a)} A and a "
                f"{linalg.shape_text(shape_b)} B")
        with _recording_products() as products:
            outcome = try_learner(fn, A.view(_Recorded), B.view(_Recorded), what="matmul")
        if outcome.error is not None:
            raise CheckFailed(_valid_shapes_error_hint(outcome.error, what, shape_a, shape_b))
        shortcut = _shortcut_hint(products, (shape_a[0], shape_b[1]))
        if shortcut:
            raise CheckFailed(shortcut)
        if outcome.value is None:
            raise CheckFailed("matmul returned None. Did you forget to `return` the result?")
        got = expect_array(outcome.value, what)
        if not (np.array_equal(outcome.inputs[0], A) and np.array_equal(outcome.inputs[1], B)):
            raise CheckFailed(f"{what} changed A or B. Write the result into a new array "
                              "(np.zeros((n, p))) and leave the inputs alone.")
        want = A @ B
        if got.shape != want.shape:
            flipped = " (the transpose of the right one)" if got.shape == want.shape[::-1] else ""
            raise CheckFailed(f"{what} should have shape {want.shape}: rows of A × columns of B. "
                              f"Yours has shape {got.shape}{flipped}.")
        if np.isnan(got).any():
            raise CheckFailed(f"{what} contains nan. Start the result from zeros "
                              "(np.zeros((n, p))), not np.empty, which holds leftover junk.")
        if not np.allclose(got, want, rtol=1e-9, atol=1e-12):
            slip = _matmul_slip(got, A, B)
            if slip:
                raise CheckFailed(f"{what}: {slip}")
        expect_close(got, want, what, rtol=1e-9, atol=1e-12,
                     hint="Entry [i, j] is row i of A times column j of B, pair by pair, added "
                          "up: the sum over k of A[i, k] * B[k, j].")
    for shape_a, shape_b in MISMATCHED_SHAPES:
        _check_mismatch(fn, shape_a, shape_b)
    shapes = ", ".join(f"{linalg.shape_text(a)} @ {linalg.shape_text(b)}" for a, b in MATMUL_SHAPES)
    return (f"Your matmul agrees with NumPy's @ for {shapes}, and refuses shapes that do not fit "
            "with a ValueError that names them, even where the loops alone would have run.")


__all__ = ["check_cosine_similarity", "check_matmul"]
