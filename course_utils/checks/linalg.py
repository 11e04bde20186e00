"""Checks for chapter 02's exercises: cosine similarity, and matrix multiplication with loops.

Both checks compare the learner's function with the reference in :mod:`course_utils.linalg`
on several inputs, recognise the usual slips (forgetting to divide by the lengths, adding up
in the wrong order, a total that is never reset, the transposed result) and name them, and
test the error cases: a zero vector for cosine similarity, shapes that do not fit for matmul.
A loop version that secretly calls ``@`` would pass every numerical test, so the matmul check
also watches which ready-made products the learner's function computes. It hands the function
arrays that note every ``@``, ``np.dot``, ``np.matmul``, ``np.einsum``, ... they take part in:
a product that makes a single entry (row i of A · column j of B, rule 1, for instance with the
``dot`` the chapter wrote in section 1) is fine; one that makes several entries at once is the
shortcut the exercise rules out. This sees through helper functions, and a look at the source
catches the same shortcut on copies of the inputs that the watch cannot follow (``np.asarray``).
"""

from __future__ import annotations

import ast
import inspect
import re
import textwrap
from collections.abc import Callable
from typing import Any

import numpy as np

from .. import linalg as ref
from .core import (
    CheckFailed,
    call_learner,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
)

# --- shared helpers ------------------------------------------------------------------------


def _call_raw(fn: Callable[..., Any], *args: Any) -> tuple[Any, BaseException | None]:
    """Call the learner's function and hand back (result, exception) instead of raising."""
    try:
        return fn(*args), None
    except NotImplementedError:
        raise CheckFailed("Your function is not written yet: replace `raise NotImplementedError` "
                          "with your code.") from None
    except Exception as exc:  # noqa: BLE001 - we look at the exception, then give a hint
        return None, exc


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
    result = call_learner(fn, u.copy(), v.copy(), what="cosine_similarity")
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
        result, exc = _call_raw(fn, u.copy(), v.copy())
        if exc is None:
            value = _describe_returned(result)
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
    want = np.array([ref.cosine_similarity(u, v) for u, v in pairs])
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
#: Names of ready-made products that add up sums (``outer`` and ``kron`` only multiply).
_PRODUCT_NAMES = frozenset({"matmul", "dot", "einsum", "tensordot", "inner", "vdot", "mm", "bmm",
                            "multi_dot", "matvec", "vecmat", "vecdot", "mv", "addmm"})
_PRODUCT_UFUNCS = frozenset(getattr(np, name) for name in ("matmul", "vecdot", "matvec", "vecmat")
                            if hasattr(np, name))
_PRODUCT_FUNCTIONS = frozenset(f for f in (np.dot, np.vdot, np.inner, np.tensordot, np.einsum,
                                           np.linalg.multi_dot, getattr(np.linalg, "matmul", None))
                               if f is not None)


class _Product:
    """A ready-made product seen while the learner's function ran."""

    def __init__(self, name: str, shapes: tuple[tuple[int, ...], ...], result: Any) -> None:
        self.name = name
        self.shapes = shapes
        self.entries = int(np.size(result))


#: Products noted while a learner's function runs (None: not watching), and how deep inside
#: one product we are (np.einsum may call np.tensordot, which calls np.dot: note only the first).
_seen: list[_Product] | None = None
_depth = 0


def _note(name: str, inputs: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
    global _depth
    _depth += 1
    try:
        result = compute()
    finally:
        _depth -= 1
    if _seen is not None and _depth == 0:
        shapes = tuple(tuple(np.shape(x)) for x in inputs if isinstance(x, np.ndarray))
        _seen.append(_Product(name, shapes, result))
    return result


class _Watched(np.ndarray):
    """An array that notes every ready-made product (``@``, ``np.dot``, ...) it takes part in.

    Everything else behaves as for a plain array: slices, ``.T`` and arithmetic stay watched,
    so a product of ``A.T`` or ``A * 1.0`` is seen too.
    """

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        plain = tuple(x.view(np.ndarray) if isinstance(x, _Watched) else x for x in inputs)
        outputs = kwargs.get("out")
        if outputs:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, _Watched) else o
                                  for o in outputs)

        def compute() -> Any:
            return getattr(ufunc, method)(*plain, **kwargs)

        if ufunc in _PRODUCT_UFUNCS and method == "__call__":
            name = "@ (np.matmul)" if ufunc is np.matmul else f"np.{ufunc.__name__}"
            result = _note(name, inputs, compute)
        else:
            result = compute()
        if outputs:
            return outputs[0] if len(outputs) == 1 else outputs
        if isinstance(result, np.ndarray) and result.ndim > 0:
            return result.view(_Watched)
        return result

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        def compute() -> Any:
            return super(_Watched, self).__array_function__(func, types, args, kwargs)

        if func in _PRODUCT_FUNCTIONS:
            module = "np.linalg" if func.__module__.endswith("linalg") else "np"
            return _note(f"{module}.{func.__name__}", tuple(args), compute)
        return compute()

    def dot(self, b: Any, out: Any = None) -> Any:  # the method A.dot(B) skips __array_function__
        plain = self.view(np.ndarray)
        other = b.view(np.ndarray) if isinstance(b, _Watched) else b
        return _note(".dot()", (self, b), lambda: plain.dot(other, out))

    def __repr__(self) -> str:  # a learner who prints A sees an ordinary array
        return repr(self.view(np.ndarray))


# ... and an error message names an ordinary array: "'ndarray' object has no attribute 'shap'".
_Watched.__name__ = _Watched.__qualname__ = "ndarray"


def _call_watched(fn: Callable[..., Any], A: np.ndarray, B: np.ndarray
                  ) -> tuple[Any, BaseException | None, list[_Product]]:
    """Call fn on watched views of A and B: (result, exception, products it computed)."""
    global _seen
    _seen = []
    try:
        result, exc = _call_raw(fn, A.view(_Watched), B.view(_Watched))
        return result, exc, _seen
    finally:
        _seen = None


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


_SIZES = frozenset({"shape", "size", "ndim", "dtype"})


def _whole_input(node: ast.AST, params: set[str]) -> bool:
    """Whether an expression is all of A or B (``A``, ``A.T``, ``np.asarray(A)``), not a slice."""
    if isinstance(node, ast.Name):
        return node.id in params
    if isinstance(node, ast.Attribute):
        return node.attr not in _SIZES and _whole_input(node.value, params)
    if isinstance(node, ast.BinOp):
        return _whole_input(node.left, params) or _whole_input(node.right, params)
    if isinstance(node, ast.Call):
        func = node.func
        return (any(_whole_input(arg, params) for arg in node.args)
                or (isinstance(func, ast.Attribute) and _whole_input(func.value, params)))
    return False


def _whole_names(function: ast.FunctionDef | ast.Lambda) -> set[str]:
    """The parameters, and every name assigned all of one (``a = torch.tensor(A)``)."""
    names = {arg.arg for arg in function.args.args + function.args.posonlyargs}
    assigns = [node for node in ast.walk(function) if isinstance(node, ast.Assign)]
    grew = True
    while grew:
        grew = False
        for node in assigns:
            for target in node.targets:
                pairs = [(target, node.value)]
                if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    pairs = list(zip(target.elts, node.value.elts, strict=False))
                for name, value in pairs:
                    if (isinstance(name, ast.Name) and name.id not in names
                            and _whole_input(value, names)):
                        names.add(name.id)
                        grew = True
    return names


def _whole_product_in_source(fn: Callable[..., Any]) -> str | None:
    """Source text of a ready-made product of a whole input (``A @ B``, ``np.dot(A, B)``), if any.

    The watched arrays catch such products at run time; this catches them on copies of the
    inputs that the watch cannot follow, such as ``np.asarray(A) @ np.asarray(B)``. A product
    of slices, ``A[i] @ B[:, j]``, is one entry and fine.
    """
    tree = _source_tree(fn)
    if tree is None:
        return None
    function = next((node for node in ast.walk(tree)
                     if isinstance(node, (ast.FunctionDef, ast.Lambda))), None)
    if function is None:
        return None
    params = _whole_names(function)
    for node in ast.walk(function):
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.MatMult):
            if _whole_input(node.left, params) or _whole_input(node.right, params):
                return ast.unparse(node)
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name not in _PRODUCT_NAMES:
                continue
            operands = list(node.args)
            if isinstance(func, ast.Attribute) and name in {"dot", "mm", "mv", "matmul"}:
                operands.append(func.value)  # A.dot(B), tensor.mm(other)
            if any(_whole_input(x, params) for x in operands):
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
    shown = (f"a {ref.shape_text(shape_a)} matrix A times a {ref.shape_text(shape_b)} "
             f"matrix B")
    result, exc = _call_raw(fn, A, B)
    example = ("e.g. raise ValueError(f\"cannot multiply a {n}×{m} matrix by a "
               "{m2}×{p} matrix: A has {m} columns but B has {m2} rows\")")
    if exc is None:
        got = describe(result)
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
                          f"call: mention both, {ref.shape_text(shape_a)} and "
                          f"{ref.shape_text(shape_b)} (or {shape_a} and {shape_b}), {example}.")


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
        A0, B0 = A.copy(), B.copy()
        what = f"matmul(A, B) for a {ref.shape_text(shape_a)} A and a {ref.shape_text(shape_b)} B"
        result, exc, products = _call_watched(fn, A, B)
        if exc is not None:
            raise CheckFailed(_valid_shapes_error_hint(exc, what, shape_a, shape_b))
        shortcut = _shortcut_hint(products, (shape_a[0], shape_b[1]))
        if shortcut:
            raise CheckFailed(shortcut)
        if result is None:
            raise CheckFailed("matmul returned None. Did you forget to `return` the result?")
        got = expect_array(result, what)
        if not (np.array_equal(A, A0) and np.array_equal(B, B0)):
            raise CheckFailed(f"{what} changed A or B. Write the result into a new array "
                              "(np.zeros((n, p))) and leave the inputs alone.")
        want = A0 @ B0
        if got.shape != want.shape:
            flipped = " (the transpose of the right one)" if got.shape == want.shape[::-1] else ""
            raise CheckFailed(f"{what} should have shape {want.shape}: rows of A × columns of B. "
                              f"Yours has shape {got.shape}{flipped}.")
        if np.isnan(got).any():
            raise CheckFailed(f"{what} contains nan. Start the result from zeros "
                              "(np.zeros((n, p))), not np.empty, which holds leftover junk.")
        if not np.allclose(got, want, rtol=1e-9, atol=1e-12):
            slip = _matmul_slip(got, A0, B0)
            if slip:
                raise CheckFailed(f"{what}: {slip}")
        expect_close(got, want, what, rtol=1e-9, atol=1e-12,
                     hint="Entry [i, j] is row i of A times column j of B, pair by pair, added "
                          "up: the sum over k of A[i, k] * B[k, j].")
    for shape_a, shape_b in MISMATCHED_SHAPES:
        _check_mismatch(fn, shape_a, shape_b)
    shapes = ", ".join(f"{ref.shape_text(a)} @ {ref.shape_text(b)}" for a, b in MATMUL_SHAPES)
    return (f"Your matmul agrees with NumPy's @ for {shapes}, and refuses shapes that do not fit "
            "with a ValueError that names them, even where the loops alone would have run.")


__all__ = ["check_cosine_similarity", "check_matmul"]
