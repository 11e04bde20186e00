"""Unit tests of course_utils.linalg: values, the shape rule, matmul with loops, input errors."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from course_utils import linalg

# --- dot product, length, cosine similarity ---------------------------------------------------


def test_dot_and_norm_values():
    assert linalg.dot([1, 2, 3], [4, 5, 6]) == 32.0
    assert linalg.dot(np.array([1.5, -2.0]), torch.tensor([2.0, 1.0])) == 1.0
    assert type(linalg.dot([1, 2], [3, 4])) is float
    assert linalg.norm([3, 4]) == 5.0
    assert linalg.norm([1, 1, 1, 1]) == 2.0


@pytest.mark.parametrize("u, v, expected", [
    ([3, 4], [4, 3], 24 / 25),
    ([1, 2, 3], [2, 4, 6], 1.0),
    ([1, 0], [0, 5], 0.0),
    ([1, 2], [-2, -4], -1.0),
    ([1, 2, 3, 4], [4, -3, 2, 1], 8 / 30),
])
def test_cosine_similarity_values(u, v, expected):
    assert linalg.cosine_similarity(u, v) == pytest.approx(expected, abs=1e-15)


def test_cosine_similarity_is_exact_for_parallel_vectors_and_stays_in_range():
    assert linalg.cosine_similarity([1, 2], [2, 4]) == 1.0
    assert linalg.cosine_similarity([0.1, 0.2, 0.3], [0.3, 0.6, 0.9]) <= 1.0
    assert linalg.cosine_similarity([1, 2], [-3, -6]) == -1.0


def test_cosine_similarity_ignores_length_and_survives_huge_and_tiny_numbers():
    assert linalg.cosine_similarity([1e200, 1e200], [1e200, 0]) == pytest.approx(1 / math.sqrt(2))
    assert linalg.cosine_similarity([1e-200, 1e-200], [3e-200, 0]) == pytest.approx(1 / math.sqrt(2))
    assert linalg.cosine_similarity([3, 4], [4, 3]) == pytest.approx(
        linalg.cosine_similarity([30, 40], [0.4, 0.3]))


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=8).flatmap(
    lambda xs: st.tuples(st.just(xs), st.lists(st.floats(-1e6, 1e6), min_size=len(xs),
                                               max_size=len(xs)))))
def test_cosine_similarity_is_symmetric_and_bounded(pair):
    u, v = pair
    if not any(u) or not any(v):
        with pytest.raises(ValueError, match="zero vector"):
            linalg.cosine_similarity(u, v)
        return
    c = linalg.cosine_similarity(u, v)
    assert -1.0 <= c <= 1.0
    assert c == pytest.approx(linalg.cosine_similarity(v, u), abs=1e-12)


@pytest.mark.parametrize("u, v, which", [([0, 0, 0], [1, 2, 3], "u is the zero vector"),
                                         ([1, 2], [0.0, 0.0], "v is the zero vector")])
def test_cosine_similarity_refuses_a_zero_vector(u, v, which):
    with pytest.raises(ValueError, match=which):
        linalg.cosine_similarity(u, v)


@pytest.mark.parametrize("fn", [linalg.dot, linalg.cosine_similarity])
def test_vectors_of_different_lengths_are_refused(fn):
    with pytest.raises(ValueError, match="same length.*u has 2 entries and v has 3"):
        fn([1, 2], [1, 2, 3])


@pytest.mark.parametrize("bad, error, message", [
    (None, TypeError, "must be numbers"),
    ("abc", TypeError, "must be numbers"),
    ({"x": 1}, TypeError, "must be numbers"),
    ([1 + 2j, 1], TypeError, "complex"),
    (["a", "b"], TypeError, "must be numbers"),
    ([[1, 2], [3, 4]], ValueError, "1-D vector"),
    ([[1, 2, 3]], ValueError, r"\.ravel\(\)"),
    (3.0, ValueError, "single number"),
    ([], ValueError, "empty"),
])
@pytest.mark.parametrize("fn", [linalg.dot, linalg.cosine_similarity, linalg.norm])
def test_bad_vectors_get_readable_errors(fn, bad, error, message):
    args = (bad,) if fn is linalg.norm else (bad, [1.0, 2.0])
    with pytest.raises(error, match=message) as caught:
        fn(*args)
    assert re.match(rf"{fn.__name__}\b.*\bu\b", str(caught.value))  # names the function and u


@pytest.mark.parametrize("bad", [[np.inf, 1.0], [np.nan, 1.0]])
def test_cosine_similarity_refuses_inf_and_nan(bad):
    with pytest.raises(ValueError, match="inf or nan"):
        linalg.cosine_similarity(bad, [1.0, 2.0])


# --- the shape rule -----------------------------------------------------------------------------


@pytest.mark.parametrize("shape_a, shape_b, result", [
    ((2, 3), (3, 4), (2, 4)),
    ((3, 1), (1, 3), (3, 3)),
    ((1, 3), (3, 1), (1, 1)),
    ((5, 5), (5, 5), (5, 5)),
])
def test_matmul_shape_is_rows_of_a_by_columns_of_b(shape_a, shape_b, result):
    assert linalg.matmul_shape(shape_a, shape_b) == result
    assert linalg.matmul_shape_error(shape_a, shape_b) is None


def test_mismatch_message_names_both_shapes_and_the_rule():
    message = linalg.matmul_shape_error((2, 3), (2, 3))
    assert message.startswith("cannot multiply a 2×3 matrix by a 2×3 matrix: A has 3 columns but "
                              "B has 2 rows")
    assert "A @ B.T would fit" in message
    with pytest.raises(ValueError, match="cannot multiply a 2×3 matrix by a 4×2 matrix"):
        linalg.matmul_shape((2, 3), (4, 2))
    assert "B @ A would fit" in linalg.matmul_shape_error((2, 3), (4, 2))
    assert "1 column but B has 2 rows" in linalg.matmul_shape_error((3, 1), (2, 5))


@pytest.mark.parametrize("bad, error, message", [
    ((2, 3, 4), TypeError, "matrix shape"),
    ("23", TypeError, "matrix shape"),
    ((2, 0), ValueError, "at least 1 row"),
    ((2.0, 3), TypeError, "whole numbers"),
    ((True, 3), TypeError, "whole numbers"),
    (np.zeros((2, 3)), TypeError, "pass its .shape"),
])
def test_bad_shapes_are_refused(bad, error, message):
    with pytest.raises(error, match=message):
        linalg.matmul_shape(bad, (3, 3))


def test_multiply_adds_counts_n_m_p():
    assert linalg.multiply_adds((2, 3), (3, 4)) == 24
    assert linalg.multiply_adds((100, 100), (100, 1)) == 10_000
    with pytest.raises(ValueError, match="cannot multiply"):
        linalg.multiply_adds((2, 3), (4, 5))


def test_shape_text():
    assert linalg.shape_text((2, 3)) == "2×3"
    assert linalg.shape_text(np.zeros((4, 1)).shape) == "4×1"


# --- matmul with loops --------------------------------------------------------------------------


@pytest.mark.parametrize("shape_a, shape_b", [((2, 3), (3, 4)), ((1, 4), (4, 1)), ((3, 1), (1, 2)),
                                              ((4, 4), (4, 4)), ((1, 1), (1, 1)), ((5, 2), (2, 7))])
def test_matmul_loops_agrees_with_numpy(shape_a, shape_b):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=shape_a), rng.normal(size=shape_b)
    C = linalg.matmul_loops(A, B)
    assert C.shape == (shape_a[0], shape_b[1]) and C.dtype == np.float64
    np.testing.assert_allclose(C, A @ B, rtol=1e-12, atol=1e-12)


def test_matmul_loops_takes_lists_ints_and_tensors():
    C = linalg.matmul_loops([[1, 2], [3, 4]], torch.tensor([[5, 6], [7, 8]]))
    np.testing.assert_array_equal(C, [[19.0, 22.0], [43.0, 50.0]])
    assert C.dtype == np.float64


def test_matmul_loops_leaves_its_inputs_alone():
    A, B = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    A0, B0 = A.copy(), B.copy()
    linalg.matmul_loops(A, B)
    np.testing.assert_array_equal(A, A0)
    np.testing.assert_array_equal(B, B0)


@pytest.mark.parametrize("shape_a, shape_b", [((2, 3), (2, 3)), ((3, 2), (3, 4)), ((1, 5), (4, 1))])
def test_matmul_loops_refuses_shapes_that_do_not_fit(shape_a, shape_b):
    a, b = linalg.shape_text(shape_a), linalg.shape_text(shape_b)
    with pytest.raises(ValueError, match=f"cannot multiply a {a} matrix by a {b} matrix"):
        linalg.matmul_loops(np.ones(shape_a), np.ones(shape_b))


@pytest.mark.parametrize("bad, error, message", [
    (None, TypeError, "matmul_loops: A must be numbers"),
    ("matrix", TypeError, "matmul_loops: A must be numbers"),
    ([[1, 2], [3]], TypeError, "regular grid"),
    (np.array([[1j, 2]]), TypeError, "complex"),
    (np.ones(3), ValueError, r"1-D vector of shape \(3,\).*reshape\(1, 3\)"),
    (np.ones((2, 2, 2)), ValueError, "3 dimensions"),
    (5.0, ValueError, "single number"),
    (np.ones((0, 3)), ValueError, "no entries"),
])
def test_matmul_loops_bad_inputs_get_readable_errors(bad, error, message):
    with pytest.raises(error, match=message):
        linalg.matmul_loops(bad, np.ones((3, 3)))
    with pytest.raises(error, match=message.replace(": A ", ": B ")):
        linalg.matmul_loops(np.ones((3, 3)), bad)
