"""Unit tests of course_utils.linalg: values, the shape rule, the widget's numbers, input errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from course_utils import linalg as la

# --- dot product, length, cosine similarity ---------------------------------------------------


def test_dot_and_norm_values():
    assert la.dot([1, 2, 3], [4, 5, 6]) == 32.0
    assert la.dot(np.array([1.5, -2.0]), torch.tensor([2.0, 1.0])) == 1.0
    assert type(la.dot([1, 2], [3, 4])) is float
    assert la.norm([3, 4]) == 5.0
    assert la.norm([1, 1, 1, 1]) == 2.0


@pytest.mark.parametrize("u, v, expected", [
    ([3, 4], [4, 3], 24 / 25),
    ([1, 2, 3], [2, 4, 6], 1.0),
    ([1, 0], [0, 5], 0.0),
    ([1, 2], [-2, -4], -1.0),
    ([1, 2, 3, 4], [4, -3, 2, 1], 8 / 30),
])
def test_cosine_similarity_values(u, v, expected):
    assert la.cosine_similarity(u, v) == pytest.approx(expected, abs=1e-15)


def test_cosine_similarity_is_exact_for_parallel_vectors_and_stays_in_range():
    assert la.cosine_similarity([1, 2], [2, 4]) == 1.0
    assert la.cosine_similarity([0.1, 0.2, 0.3], [0.3, 0.6, 0.9]) <= 1.0
    assert la.cosine_similarity([1, 2], [-3, -6]) == -1.0


def test_cosine_similarity_ignores_length_and_survives_huge_and_tiny_numbers():
    assert la.cosine_similarity([1e200, 1e200], [1e200, 0]) == pytest.approx(1 / math.sqrt(2))
    assert la.cosine_similarity([1e-200, 1e-200], [3e-200, 0]) == pytest.approx(1 / math.sqrt(2))
    assert la.cosine_similarity([3, 4], [4, 3]) == pytest.approx(
        la.cosine_similarity([30, 40], [0.4, 0.3]))


@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=8).flatmap(
    lambda xs: st.tuples(st.just(xs), st.lists(st.floats(-1e6, 1e6), min_size=len(xs),
                                               max_size=len(xs)))))
def test_cosine_similarity_is_symmetric_and_bounded(pair):
    u, v = pair
    if not any(u) or not any(v):
        with pytest.raises(ValueError, match="zero vector"):
            la.cosine_similarity(u, v)
        return
    c = la.cosine_similarity(u, v)
    assert -1.0 <= c <= 1.0
    assert c == pytest.approx(la.cosine_similarity(v, u), abs=1e-12)


@pytest.mark.parametrize("u, v, which", [([0, 0, 0], [1, 2, 3], "u is the zero vector"),
                                         ([1, 2], [0.0, 0.0], "v is the zero vector")])
def test_cosine_similarity_refuses_a_zero_vector(u, v, which):
    with pytest.raises(ValueError, match=which):
        la.cosine_similarity(u, v)


@pytest.mark.parametrize("fn", [la.dot, la.cosine_similarity])
def test_vectors_of_different_lengths_are_refused(fn):
    with pytest.raises(ValueError, match="same length.*u has 2 entries and v has 3"):
        fn([1, 2], [1, 2, 3])


@pytest.mark.parametrize("bad, error, message", [
    (None, TypeError, "needs numbers"),
    ("abc", TypeError, "needs numbers"),
    ({"x": 1}, TypeError, "needs numbers"),
    ([1 + 2j, 1], TypeError, "complex"),
    (["a", "b"], TypeError, "needs numbers"),
    ([[1, 2], [3, 4]], ValueError, "1-D vector"),
    ([[1, 2, 3]], ValueError, r"\.ravel\(\)"),
    (3.0, ValueError, "single number"),
    ([], ValueError, "empty"),
])
@pytest.mark.parametrize("fn", [la.dot, la.cosine_similarity, la.norm])
def test_bad_vectors_get_readable_errors(fn, bad, error, message):
    args = (bad,) if fn is la.norm else (bad, [1.0, 2.0])
    with pytest.raises(error, match=message):
        fn(*args)


@pytest.mark.parametrize("bad", [[np.inf, 1.0], [np.nan, 1.0]])
def test_cosine_similarity_refuses_inf_and_nan(bad):
    with pytest.raises(ValueError, match="inf or nan"):
        la.cosine_similarity(bad, [1.0, 2.0])


# --- the shape rule -----------------------------------------------------------------------------


@pytest.mark.parametrize("shape_a, shape_b, result", [
    ((2, 3), (3, 4), (2, 4)),
    ((3, 1), (1, 3), (3, 3)),
    ((1, 3), (3, 1), (1, 1)),
    ((5, 5), (5, 5), (5, 5)),
])
def test_matmul_shape_is_rows_of_a_by_columns_of_b(shape_a, shape_b, result):
    assert la.matmul_shape(shape_a, shape_b) == result
    assert la.matmul_shape_error(shape_a, shape_b) is None


def test_mismatch_message_names_both_shapes_and_the_rule():
    message = la.matmul_shape_error((2, 3), (2, 3))
    assert message.startswith("cannot multiply a 2×3 matrix by a 2×3 matrix: A has 3 columns but "
                              "B has 2 rows")
    assert "A @ B.T would fit" in message
    with pytest.raises(ValueError, match="cannot multiply a 2×3 matrix by a 4×2 matrix"):
        la.matmul_shape((2, 3), (4, 2))
    assert "B @ A would fit" in la.matmul_shape_error((2, 3), (4, 2))
    assert "1 column but B has 2 rows" in la.matmul_shape_error((3, 1), (2, 5))


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
        la.matmul_shape(bad, (3, 3))


def test_multiply_adds_counts_n_m_p():
    assert la.multiply_adds((2, 3), (3, 4)) == 24
    assert la.multiply_adds((100, 100), (100, 1)) == 10_000
    with pytest.raises(ValueError, match="cannot multiply"):
        la.multiply_adds((2, 3), (4, 5))


def test_shape_text():
    assert la.shape_text((2, 3)) == "2×3"
    assert la.shape_text(np.zeros((4, 1)).shape) == "4×1"


# --- matmul with loops --------------------------------------------------------------------------


@pytest.mark.parametrize("shape_a, shape_b", [((2, 3), (3, 4)), ((1, 4), (4, 1)), ((3, 1), (1, 2)),
                                              ((4, 4), (4, 4)), ((1, 1), (1, 1)), ((5, 2), (2, 7))])
def test_matmul_loops_agrees_with_numpy(shape_a, shape_b):
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=shape_a), rng.normal(size=shape_b)
    C = la.matmul_loops(A, B)
    assert C.shape == (shape_a[0], shape_b[1]) and C.dtype == np.float64
    np.testing.assert_allclose(C, A @ B, rtol=1e-12, atol=1e-12)


def test_matmul_loops_takes_lists_ints_and_tensors():
    C = la.matmul_loops([[1, 2], [3, 4]], torch.tensor([[5, 6], [7, 8]]))
    np.testing.assert_array_equal(C, [[19.0, 22.0], [43.0, 50.0]])
    assert C.dtype == np.float64


def test_matmul_loops_leaves_its_inputs_alone():
    A, B = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    A0, B0 = A.copy(), B.copy()
    la.matmul_loops(A, B)
    np.testing.assert_array_equal(A, A0)
    np.testing.assert_array_equal(B, B0)


@pytest.mark.parametrize("shape_a, shape_b", [((2, 3), (2, 3)), ((3, 2), (3, 4)), ((1, 5), (4, 1))])
def test_matmul_loops_refuses_shapes_that_do_not_fit(shape_a, shape_b):
    a, b = la.shape_text(shape_a), la.shape_text(shape_b)
    with pytest.raises(ValueError, match=f"cannot multiply a {a} matrix by a {b} matrix"):
        la.matmul_loops(np.ones(shape_a), np.ones(shape_b))


@pytest.mark.parametrize("bad, error, message", [
    (None, TypeError, "needs numbers for A"),
    ("matrix", TypeError, "needs numbers for A"),
    ([[1, 2], [3]], TypeError, "regular grid"),
    (np.array([[1j, 2]]), TypeError, "complex"),
    (np.ones(3), ValueError, r"1-D vector of shape \(3,\).*reshape\(1, 3\)"),
    (np.ones((2, 2, 2)), ValueError, "3 dimensions"),
    (5.0, ValueError, "single number"),
    (np.ones((0, 3)), ValueError, "no entries"),
])
def test_matmul_loops_bad_inputs_get_readable_errors(bad, error, message):
    with pytest.raises(error, match=message):
        la.matmul_loops(bad, np.ones((3, 3)))
    with pytest.raises(error, match=message.replace("for A", "for B")):
        la.matmul_loops(np.ones((3, 3)), bad)


# --- the widget's compute functions ---------------------------------------------------------------


def test_example_matrices_are_fixed_small_integers_that_keep_their_place():
    A, B = la.example_matrices((3, 4), (4, 2))
    assert A.shape == (3, 4) and B.shape == (4, 2)
    assert np.all(A == np.round(A)) and A.min() >= -3 and A.max() <= 5
    big_a, big_b = la.example_matrices((5, 5), (5, 5))
    np.testing.assert_array_equal(big_a[:3, :4], A)  # growing a shape keeps the numbers
    np.testing.assert_array_equal(big_b[:4, :2], B)
    again_a, _ = la.example_matrices((3, 4), (4, 2))
    np.testing.assert_array_equal(again_a, A)
    assert (big_a < 0).any() and (big_a > 0).any()
    mismatch_a, mismatch_b = la.example_matrices((2, 3), (4, 2))  # need not fit
    assert mismatch_a.shape == (2, 3) and mismatch_b.shape == (4, 2)


@pytest.mark.parametrize("shape_a, shape_b, message", [
    ((6, 2), (2, 2), "up to 5×5"),
    ((2, 0), (2, 2), "at least 1 row"),
])
def test_example_matrices_refuses_shapes_it_cannot_show(shape_a, shape_b, message):
    with pytest.raises(ValueError, match=message):
        la.example_matrices(shape_a, shape_b)


def test_matmul_entry_takes_an_entry_apart():
    A = np.array([[1.0, 2.0, 3.0], [4.0, -5.0, 6.0]])
    B = np.array([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]])
    entry = la.matmul_entry(A, B, 1, 0)
    assert entry.ok and entry.rule is None
    np.testing.assert_array_equal(entry.row, [4.0, -5.0, 6.0])
    np.testing.assert_array_equal(entry.column, [7.0, 9.0, 11.0])
    np.testing.assert_array_equal(entry.products, [28.0, -45.0, 66.0])
    assert entry.value == 49.0 == (A @ B)[1, 0]
    np.testing.assert_array_equal(entry.result, A @ B)
    assert entry.result_shape == (2, 2)
    assert entry.formula() == "C[1, 0] = 4·7 + (−5)·9 + 6·11 = 49"


def test_every_entry_is_its_row_dot_its_column():
    A, B = la.example_matrices((4, 5), (5, 3))
    for i in range(4):
        for j in range(3):
            entry = la.matmul_entry(A, B, i, j)
            assert entry.value == pytest.approx(A[i] @ B[:, j])
            assert entry.value == pytest.approx(entry.products.sum())


def test_matmul_entry_of_a_mismatch_gives_the_rule_instead_of_a_traceback():
    A, B = la.example_matrices((2, 3), (4, 2))
    entry = la.matmul_entry(A, B, 1, 1)
    assert not entry.ok
    assert entry.rule.startswith("cannot multiply a 2×3 matrix by a 4×2 matrix: A has 3 columns "
                                 "but B has 4 rows")
    assert entry.products is None and entry.value is None and entry.result is None
    assert entry.result_shape is None
    assert entry.row.shape == (3,) and entry.column.shape == (4,)  # lengths that cannot pair up
    assert entry.formula() == entry.rule


@pytest.mark.parametrize("i, j, error, message", [
    (2, 0, ValueError, "i = 2 is outside the 2 rows of A"),
    (0, 2, ValueError, "j = 2 is outside the 2 columns of B"),
    (-1, 0, ValueError, "from 0 to 1"),
    (0.5, 0, TypeError, "whole number"),
    (True, 0, TypeError, "whole number"),
])
def test_matmul_entry_refuses_an_entry_that_does_not_exist(i, j, error, message):
    with pytest.raises(error, match=message):
        la.matmul_entry(np.ones((2, 3)), np.ones((3, 2)), i, j)


def test_matmul_entry_refuses_bad_matrices():
    with pytest.raises(ValueError, match="1-D vector"):
        la.matmul_entry([1, 2, 3], np.ones((3, 2)), 0, 0)
    with pytest.raises(TypeError, match="needs numbers for B"):
        la.matmul_entry(np.ones((2, 3)), None, 0, 0)
