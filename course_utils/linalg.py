"""Vectors and matrices: the dot product, cosine similarity and matrix multiplication.

Chapter 02 builds these from scratch; this module keeps the reference versions that the checks
compare against and later chapters can import:

* :func:`dot` and :func:`cosine_similarity` — how much two vectors point the same way;
* :func:`matmul_shape` — the shape rule of matrix multiplication, with an error in words when
  two shapes do not fit (``"cannot multiply a 2×3 matrix by a 2×3 matrix: A has 3 columns but
  B has 2 rows"``);
* :func:`matmul_loops` — matrix multiplication as three plain Python loops, straight from the
  definition ``C[i, j] = row i of A · column j of B`` (slow on purpose: chapter 02 times it
  against NumPy's ``@``);
* :func:`multiply_adds` — what a product costs: n·m·p multiply-and-add steps.

Inputs may be lists, NumPy arrays or (CPU) torch tensors of real numbers. Every function checks
them and says in words what is wrong: a vector where a matrix was expected, text instead of
numbers, a zero vector that has no direction, shapes that do not fit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from .validate import as_float_array

#: The multiplication sign used in shapes such as ``2×3``.
TIMES = "×"


# --- input checks -----------------------------------------------------------------------------

def as_vector(x: Any, fn: str = "as_vector", name: str = "the vector") -> np.ndarray:
    """``x`` as a 1-D float array with at least one entry, or an error saying what it is instead."""
    array = as_float_array(x, fn, name)
    if array.ndim != 1:
        if array.ndim == 0:
            what = "a single number"
        else:
            what = f"a {array.ndim}-D array of shape {array.shape}"
        hint = ""
        if array.ndim == 2 and 1 in array.shape:
            hint = " A single row or column can be flattened with .ravel()."
        raise ValueError(f"{fn} needs {name} as a 1-D vector (a flat list of numbers), but it "
                         f"is {what}.{hint}")
    if array.size == 0:
        raise ValueError(f"{fn}: {name} is empty; a vector needs at least one number")
    return array


def as_matrix(x: Any, fn: str = "as_matrix", name: str = "the matrix") -> np.ndarray:
    """``x`` as a 2-D float array (rows × columns), or an error saying what it is instead."""
    array = as_float_array(x, fn, name)
    if array.ndim != 2:
        if array.ndim == 0:
            raise ValueError(f"{fn} needs {name} as a 2-D matrix (rows × columns), but it is a "
                             "single number.")
        if array.ndim == 1:
            n = array.shape[0]
            raise ValueError(
                f"{fn} needs {name} as a 2-D matrix (rows × columns), but it is a 1-D vector of "
                f"shape ({n},). Decide whether it is a row or a column: x.reshape(1, {n}) is a "
                f"1{TIMES}{n} row, x.reshape({n}, 1) a {n}{TIMES}1 column.")
        raise ValueError(f"{fn} needs {name} as a 2-D matrix (rows × columns), but it has "
                         f"{array.ndim} dimensions, shape {array.shape}.")
    if 0 in array.shape:
        raise ValueError(f"{fn}: {name} has shape {array.shape}, with no entries; a matrix needs "
                         "at least one row and one column")
    return array


def as_matrix_shape(shape: Any, name: str = "shape") -> tuple[int, int]:
    """A matrix shape ``(rows, columns)`` of positive whole numbers, or an error saying why not."""
    if hasattr(shape, "shape") and hasattr(shape, "dtype"):
        raise TypeError(f"{name} should be a shape such as (2, 3), not an array; pass its .shape")
    if isinstance(shape, (str, bytes)) or not isinstance(shape, Sequence) or len(shape) != 2:
        raise TypeError(f"{name} should be a matrix shape (rows, columns) such as (2, 3), "
                        f"not {shape!r}")
    sizes = []
    for size in shape:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)):
            raise TypeError(f"{name} {tuple(shape)!r} should hold whole numbers, but {size!r} "
                            f"is a {type(size).__name__}")
        if size < 1:
            raise ValueError(f"{name} {tuple(shape)!r}: a matrix needs at least 1 row and 1 "
                             f"column, got {size}")
        sizes.append(int(size))
    return sizes[0], sizes[1]


def shape_text(shape: Sequence[int]) -> str:
    """``(2, 3)`` → ``'2×3'``: how the course writes a matrix shape in words."""
    return TIMES.join(str(int(s)) for s in shape)


# --- vectors --------------------------------------------------------------------------------


def _same_length(u: np.ndarray, v: np.ndarray, fn: str) -> None:
    if u.shape != v.shape:
        raise ValueError(f"{fn} pairs the entries of u and v one by one, so they need the same "
                         f"length, but u has {u.size} entries and v has {v.size}")


def dot(u: Any, v: Any) -> float:
    """The dot product ``u · v = u[0]·v[0] + u[1]·v[1] + …``: multiply pairwise, then add."""
    u = as_vector(u, "dot", "u")
    v = as_vector(v, "dot", "v")
    _same_length(u, v, "dot")
    return float(np.dot(u, v))


def norm(u: Any) -> float:
    """The length of a vector, ``|u| = √(u · u)`` (Pythagoras in any number of dimensions)."""
    u = as_vector(u, "norm", "u")
    return float(np.linalg.norm(u))


def cosine_similarity(u: Any, v: Any) -> float:
    """``cos θ = u · v / (|u| |v|)``: how much u and v point the same way, from −1 to 1.

    1: the same direction; 0: perpendicular; −1: opposite. Scaling either vector by a positive
    number does not change it. A zero vector has no direction, so it is an error (not ``nan``).
    The result is clipped to [−1, 1], which rounding can overstep by a hair.
    """
    u = as_vector(u, "cosine_similarity", "u")
    v = as_vector(v, "cosine_similarity", "v")
    _same_length(u, v, "cosine_similarity")
    for name, vec in (("u", u), ("v", v)):
        if not np.all(np.isfinite(vec)):
            raise ValueError(f"cosine_similarity: {name} contains inf or nan, so it has no "
                             "direction to compare")
    for name, vec in (("u", u), ("v", v)):
        if not np.any(vec):
            raise ValueError(f"cosine_similarity: {name} is the zero vector (length 0). It points "
                             "in no direction, so its angle to another vector is undefined "
                             "(the formula would divide 0 by 0).")
    # Dividing by the largest entry first changes no angle, and keeps u·u from overflowing
    # (or underflowing) for very large (or tiny) numbers.
    u, v = u / np.abs(u).max(), v / np.abs(v).max()
    cosine = np.dot(u, v) / math.sqrt(np.dot(u, u) * np.dot(v, v))
    return float(np.clip(cosine, -1.0, 1.0))


# --- matrix multiplication -------------------------------------------------------------------


def matmul_shape_error(shape_a: Sequence[int], shape_b: Sequence[int]) -> str | None:
    """Why ``A @ B`` is impossible for these two matrix shapes, in words; ``None`` if it is fine.

    The rule: A's columns must equal B's rows, because entry ``[i, j]`` pairs the numbers of
    row i of A (one per column of A) with those of column j of B (one per row of B).
    """
    (n, m), (m2, p) = as_matrix_shape(shape_a, "shape_a"), as_matrix_shape(shape_b, "shape_b")
    if m == m2:
        return None
    message = (f"cannot multiply a {n}{TIMES}{m} matrix by a {m2}{TIMES}{p} matrix: A has {m} "
               f"column{'s' * (m != 1)} but B has {m2} row{'s' * (m2 != 1)}. Each row of A "
               f"holds {m} number{'s' * (m != 1)} and each column of B {m2}, so they cannot be "
               "paired up one by one.")
    if m == p:
        message += f" (B transposed, B.T, is {p}{TIMES}{m2}: A @ B.T would fit.)"
    elif p == n:
        message += " (B @ A would fit, but that is a different product.)"
    return message


def matmul_shape(shape_a: Sequence[int], shape_b: Sequence[int]) -> tuple[int, int]:
    """The shape of ``A @ B``: ``(rows of A, columns of B)``, or a ValueError saying which rule broke."""
    problem = matmul_shape_error(shape_a, shape_b)
    if problem is not None:
        raise ValueError(problem)
    return int(shape_a[0]), int(shape_b[1])


def matmul_loops(A: Any, B: Any) -> np.ndarray:
    """``A @ B`` with three plain Python loops, straight from the definition.

    ``C[i, j] = A[i, 0]·B[0, j] + A[i, 1]·B[1, j] + …``: row i of A dotted with column j of B.
    A is n×m, B must be m×p, and C is n×p. Shapes that do not fit raise a ValueError naming
    both. The numbers are copied into Python lists first (indexing a NumPy array one number at
    a time is slower still); it is meant to be read and timed, not used.
    """
    A = as_matrix(A, "matmul_loops", "A")
    B = as_matrix(B, "matmul_loops", "B")
    (n, m), (_, p) = A.shape, B.shape
    matmul_shape(A.shape, B.shape)
    a, b = A.tolist(), B.tolist()
    C = [[0.0] * p for _ in range(n)]
    for i in range(n):
        for j in range(p):
            total = 0.0
            for k in range(m):
                total += a[i][k] * b[k][j]
            C[i][j] = total
    return np.array(C, dtype=np.float64)


def multiply_adds(shape_a: Sequence[int], shape_b: Sequence[int]) -> int:
    """How many multiply-and-add steps ``A @ B`` takes: n·m·p (one per term of every entry)."""
    n, m = as_matrix_shape(shape_a, "shape_a")
    p = matmul_shape(shape_a, shape_b)[1]
    return n * m * p


__all__ = [
    "as_matrix",
    "as_matrix_shape",
    "as_vector",
    "cosine_similarity",
    "dot",
    "matmul_loops",
    "matmul_shape",
    "matmul_shape_error",
    "multiply_adds",
    "norm",
    "shape_text",
]
