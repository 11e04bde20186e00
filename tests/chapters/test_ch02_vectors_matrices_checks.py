"""Each chapter-02 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from check_helpers import assert_hint, assert_pass, each_check, usual_wrong_answers

from course_utils import linalg
from course_utils.checks import ch02_vectors_matrices
from course_utils.checks.ch02_vectors_matrices import check_cosine_similarity, check_matmul


def stub_matmul(A, B):
    """What the student version holds before the learner writes anything."""
    raise NotImplementedError("write matmul() — see the task above")


def stub_cosine(u, v):
    """What the student version holds before the learner writes anything."""
    raise NotImplementedError("write cosine_similarity() — see the task above")


ALL_CHECKS = [check_matmul, check_cosine_similarity]
STUBS = {check_matmul: stub_matmul, check_cosine_similarity: stub_cosine}


# --- what every check must survive -----------------------------------------------------------
# None, a value instead of a function, the student stub and a crashing function (the usual wrong
# answers), then this chapter's own: each must get a hint holding the fragments.


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "matmul", [1, 2, 3], np.zeros((2, 2))], STUBS),
    *each_check(ALL_CHECKS, "returns-None", lambda a, b: None, "None", "return"),
    *each_check(ALL_CHECKS, "returns-text", lambda a, b: "0.5", "should be numbers"),
    *each_check(ALL_CHECKS, "one-argument", lambda a: a, "TypeError", "argument"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: cosine similarity ----------------------------------------------------------------


def cosine_with_norms(u, v):
    norm_u, norm_v = np.linalg.norm(u), np.linalg.norm(v)
    if norm_u == 0 or norm_v == 0:
        raise ValueError("a zero vector has no direction")
    return u @ v / (norm_u * norm_v)


def cosine_with_loops(u, v):
    dot = sum(a * b for a, b in zip(u, v, strict=True))
    length_u = math.sqrt(sum(a * a for a in u))
    length_v = math.sqrt(sum(b * b for b in v))
    if length_u == 0 or length_v == 0:
        raise ValueError("cosine similarity is undefined for a zero vector")
    return dot / (length_u * length_v)


def cosine_in_torch(u, v):
    tu, tv = torch.from_numpy(u), torch.from_numpy(v)
    if not tu.any() or not tv.any():
        raise ValueError("zero vector")
    return torch.nn.functional.cosine_similarity(tu, tv, dim=0)


@pytest.mark.parametrize("right", [cosine_with_norms, cosine_with_loops, cosine_in_torch,
                                   linalg.cosine_similarity])
def test_cosine_right_answers_pass(right, capsys):
    printed = assert_pass(check_cosine_similarity, right, capsys)
    assert "|u| |v|" in printed


def plain(u, v):
    return u @ v / (np.linalg.norm(u) * np.linalg.norm(v))


@pytest.mark.parametrize("wrong, fragments", [
    (lambda u, v: u @ v, ["plain dot product"]),
    (lambda u, v: u @ v / ((u @ u) * (v @ v)), ["squared", "square root"]),
    (lambda u, v: u @ v / np.linalg.norm(u), ["|u| only"]),
    (lambda u, v: u @ v / np.linalg.norm(v), ["|v| only"]),
    (lambda u, v: u @ v / (np.linalg.norm(u) + np.linalg.norm(v)), ["|u| + |v|"]),
    (lambda u, v: np.arccos(plain(u, v)), ["angle θ itself"]),
    (lambda u, v: 1 - plain(u, v), ["cosine distance"]),
    (lambda u, v: abs(plain(u, v)), ["sign", "absolute value"]),
    (lambda u, v: u * v / (np.linalg.norm(u) * np.linalg.norm(v)), ["single number", "u * v"]),
    (lambda u, v: plain(u, v) * 1.01, ["should be", "u · v / (|u| |v|)"]),
    (lambda u, v: float("nan"), ["nan", "Neither vector is zero"]),
])
def test_cosine_wrong_answers_get_specific_hints(wrong, fragments, capsys):
    assert_hint(check_cosine_similarity, wrong, capsys, *fragments)


def test_a_zero_vector_that_gives_nan_gets_a_hint(capsys):
    assert_hint(check_cosine_similarity, plain, capsys, "returned nan", "zero vector",
                "raise ValueError")


def test_a_zero_vector_hidden_by_an_epsilon_gets_a_hint(capsys):
    def with_epsilon(u, v):
        return u @ v / (np.linalg.norm(u) * np.linalg.norm(v) + 1e-12)

    assert_hint(check_cosine_similarity, with_epsilon, capsys, "returned 0", "raise ValueError")


def test_a_zero_vector_that_raises_the_wrong_error_gets_a_hint(capsys):
    def pure_python(u, v):
        u, v = u.tolist(), v.tolist()  # Python floats: 0.0 / 0.0 raises instead of giving nan
        dot = sum(a * b for a, b in zip(u, v, strict=True))
        return dot / (math.sqrt(sum(a * a for a in u)) * math.sqrt(sum(b * b for b in v)))

    assert_hint(check_cosine_similarity, pure_python, capsys, "ZeroDivisionError", "ValueError")


def test_only_one_zero_vector_checked_is_not_enough(capsys):
    def checks_u_only(u, v):
        if not np.any(u):
            raise ValueError("u is zero")
        return plain(u, v)

    assert_hint(check_cosine_similarity, checks_u_only, capsys, "v is the zero vector")


# --- exercise 2: matmul with loops ------------------------------------------------------------------


def matmul_three_loops(A, B):
    n, m = A.shape
    m2, p = B.shape
    if m != m2:
        raise ValueError(f"cannot multiply a {n}×{m} matrix by a {m2}×{p} matrix: "
                         f"A has {m} columns but B has {m2} rows")
    C = np.zeros((n, p))
    for i in range(n):
        for j in range(p):
            total = 0.0
            for k in range(m):
                total += A[i, k] * B[k, j]
            C[i, j] = total
    return C


def matmul_lists(A, B):
    if len(A[0]) != len(B):
        raise ValueError(f"shapes {A.shape} and {B.shape} do not fit")
    return [[sum(A[i][k] * B[k][j] for k in range(len(B))) for j in range(len(B[0]))]
            for i in range(len(A))]


def matmul_two_loops(A, B):
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"A is {A.shape[0]} x {A.shape[1]} but B is {B.shape[0]} x {B.shape[1]}")
    C = np.zeros((A.shape[0], B.shape[1]))
    for i in range(A.shape[0]):
        for j in range(B.shape[1]):
            C[i, j] = np.sum(A[i, :] * B[:, j])
    return C


@pytest.mark.parametrize("right", [matmul_three_loops, matmul_lists, matmul_two_loops,
                                   linalg.matmul_loops])
def test_matmul_right_answers_pass(right, capsys):
    printed = assert_pass(check_matmul, right, capsys)
    assert "2×3 @ 3×4" in printed and "3×1 @ 1×2" in printed


def matmul_no_shape_check(A, B):
    n, m = A.shape
    p = B.shape[1]
    C = np.zeros((n, p))
    for i in range(n):
        for j in range(p):
            for k in range(m):
                C[i, j] += A[i, k] * B[k, j]
    return C


def test_missing_shape_check_gets_a_hint_about_the_error_it_should_raise(capsys):
    assert_hint(check_matmul, matmul_no_shape_check, capsys, "IndexError", "ValueError",
                "compare A's columns with B's rows")


def test_loops_that_silently_ignore_rows_of_b_get_a_hint(capsys):
    def crash_on_one_side_only(A, B):
        if A.shape[1] > B.shape[0]:
            raise ValueError(f"cannot multiply {A.shape} by {B.shape}")
        return matmul_no_shape_check(A, B)

    assert_hint(check_matmul, crash_on_one_side_only, capsys, "3×2 matrix A times a 3×4",
                "ran without any error", "ignored the rest")


@pytest.mark.parametrize("vague", ["shapes do not match", "A has 3 columns but B has 2 rows",
                                   "cannot multiply a 2×3 matrix"])
def test_an_error_message_that_does_not_name_both_shapes_gets_a_hint(vague, capsys):
    def raises_vaguely(A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(vague)
        return matmul_three_loops(A, B)

    assert_hint(check_matmul, raises_vaguely, capsys, "should say which shapes clash", "2×3",
                "2×4")


@pytest.mark.parametrize("shown", ["{a} and {b}", "{a[0]}x{a[1]} times {b[0]} by {b[1]}",
                                   "({a[0]},{a[1]}) vs ({b[0]}, {b[1]})"])
def test_shapes_may_be_written_in_several_ways(shown, capsys):
    def raises(A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(shown.format(a=A.shape, b=B.shape))
        return matmul_three_loops(A, B)

    assert_pass(check_matmul, raises, capsys)


def test_wrong_error_type_for_a_mismatch_gets_a_hint(capsys):
    def raises_type_error(A, B):
        if A.shape[1] != B.shape[0]:
            raise TypeError(f"cannot multiply {A.shape} by {B.shape}")
        return matmul_three_loops(A, B)

    assert_hint(check_matmul, raises_type_error, capsys, "raised TypeError", "ValueError")


def test_comparing_the_wrong_sizes_gets_a_hint(capsys):
    def compares_rows_with_columns(A, B):
        if A.shape[0] != B.shape[1]:
            raise ValueError(f"cannot multiply {A.shape} by {B.shape}")
        return matmul_three_loops(A, B)

    assert_hint(check_matmul, compares_rows_with_columns, capsys, "these shapes fit",
                "A.shape[1]")


@pytest.mark.parametrize("shortcut, shown", [
    (lambda A, B: A @ B, "`A @ B`"),
    (lambda A, B: np.dot(A, B), "`np.dot(A, B)`"),
    (lambda A, B: np.matmul(A, B), "`np.matmul(A, B)`"),
    (lambda A, B: A.dot(B), "`A.dot(B)`"),
    (lambda A, B: np.einsum("ik,kj->ij", A, B), "`np.einsum('ik,kj->ij', A, B)`"),
])
def test_a_ready_made_product_gets_a_hint(shortcut, shown, capsys):
    assert_hint(check_matmul, shortcut, capsys, shown, "ready-made product", "one entry at a time")


def own_dot(u, v):
    """Section 1's dot product: a loop over the pairs."""
    total = 0.0
    for a, b in zip(u, v, strict=True):
        total += a * b
    return total


def entries_with(dot_product):
    """Two loops over i and j; entry [i, j] is a dot product of row i and column j (rule 1)."""
    def matmul(A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"cannot multiply {A.shape} by {B.shape}")
        C = np.zeros((A.shape[0], B.shape[1]))
        for i in range(A.shape[0]):
            for j in range(B.shape[1]):
                C[i, j] = dot_product(A[i], B[:, j])
        return C

    return matmul


@pytest.mark.parametrize("dot_product", [own_dot, np.dot, np.inner, np.vdot,
                                         lambda row, column: row @ column,
                                         lambda row, column: np.matmul(row, column)])
def test_a_dot_product_of_one_row_and_one_column_is_allowed(dot_product, capsys):
    assert_pass(check_matmul, entries_with(dot_product), capsys)


def test_at_on_a_row_and_a_column_written_in_place_is_allowed(capsys):
    def entries_with_at(A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"{A.shape} {B.shape}")
        return np.array([[A[i] @ B[:, j] for j in range(B.shape[1])] for i in range(A.shape[0])])

    assert_pass(check_matmul, entries_with_at, capsys)


def test_a_sum_of_outer_products_is_allowed(capsys):
    def outer_products(A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"{A.shape} {B.shape}")
        C = np.zeros((A.shape[0], B.shape[1]))
        for k in range(A.shape[1]):
            C += np.outer(A[:, k], B[k])
        return C

    assert_pass(check_matmul, outer_products, capsys)


def whole_product(A, B):
    return A @ B


def row_times_matrix(row, M):
    return np.dot(row, M)


def test_a_whole_product_hidden_in_a_helper_is_seen(capsys):
    def calls_a_helper(A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"{A.shape} {B.shape}")
        return whole_product(A, B)

    assert_hint(check_matmul, calls_a_helper, capsys, "@ (np.matmul)", "(3, 3) and (3, 3)",
                "the whole result in one step", "one entry at a time")


def test_a_row_at_a_time_gets_a_hint(capsys):
    def row_by_row(A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"{A.shape} {B.shape}")
        return np.array([row_times_matrix(A[i], B) for i in range(A.shape[0])])

    assert_hint(check_matmul, row_by_row, capsys, "np.dot", "(3,) and (3, 3)",
                "3 entries of the result in one step", "A[i] @ B[:, j], is fine")


def test_a_product_of_arrays_made_from_the_inputs_is_seen(capsys):
    def scaled(A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"{A.shape} {B.shape}")
        return row_times_matrix(A * 1.0, B.T.T)

    assert_hint(check_matmul, scaled, capsys, "np.dot", "the whole result")


@pytest.mark.parametrize("convert", ["asarray", "torch"])
def test_a_whole_product_of_converted_inputs_is_seen_in_the_source(convert, capsys):
    def via_asarray(A, B):
        A, B = np.asarray(A), np.asarray(B)
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"{A.shape} {B.shape}")
        return A @ B

    def via_torch(A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"{A.shape} {B.shape}")
        a, b = torch.tensor(A), torch.tensor(B)
        return torch.mm(a, b).numpy()

    fn, shown = {"asarray": (via_asarray, "`A @ B`"), "torch": (via_torch, "`torch.mm(a, b)`")}[convert]
    assert_hint(check_matmul, fn, capsys, shown, "ready-made product")


def test_the_recorded_inputs_look_like_plain_arrays_to_the_learner(capsys):
    def typo(A, B):
        return A.shap

    printed = assert_hint(check_matmul, typo, capsys, "'ndarray' object has no attribute 'shap'")
    assert "_Recorded" not in printed

    def shows_its_input(A, B):
        print(repr(A[0]), type(A).__name__)
        return linalg.matmul_loops(A, B)

    result = check_matmul(shows_its_input)
    printed = capsys.readouterr().out
    assert result, printed
    assert "array([" in printed and "ndarray" in printed and "_Recorded" not in printed


def with_shape_check(body):
    def fn(A, B):
        if A.shape[1] != B.shape[0]:
            raise ValueError(f"cannot multiply {A.shape} by {B.shape}")
        return body(A, B)

    return fn


def running_total_never_reset(A, B):
    n, m = A.shape
    p = B.shape[1]
    C = np.zeros((n, p))
    total = 0.0
    for i in range(n):
        for j in range(p):
            for k in range(m):
                total += A[i, k] * B[k, j]
            C[i, j] = total
    return C


def integer_result(A, B):
    n, m = A.shape
    p = B.shape[1]
    C = np.zeros((n, p), dtype=int)
    for i in range(n):
        for j in range(p):
            for k in range(m):
                C[i, j] += A[i, k] * B[k, j]
    return C


def rows_of_b(A, B):
    n, m = A.shape
    p = B.shape[1]
    C = np.zeros((n, p))
    for i in range(n):
        for j in range(p):
            C[i, j] = sum(A[i, k] * B[j, k] for k in range(m))
    return C


def transposed_result(A, B):
    return matmul_three_loops(A, B).T.copy()


def swapped_order(A, B):
    n, m = A.shape
    p = B.shape[1]
    C = np.zeros((n, p))
    for i in range(n):
        for j in range(p):
            C[i, j] = sum(B[i, k] * A[k, j] for k in range(m))
    return C


def elementwise(A, B):
    n, p = A.shape[0], B.shape[1]
    C = np.zeros((n, p))
    for i in range(min(n, A.shape[0])):
        for j in range(p):
            C[i, j] = A[i, j] * B[i, j]
    return C


def overwrites_a(A, B):
    C = matmul_three_loops(A, B)
    A[0, 0] = 99.0
    return C


def uses_empty(A, B):
    C = np.empty((A.shape[0], B.shape[1]))
    C[...] = np.nan
    return C


@pytest.mark.parametrize("wrong, fragments", [
    (running_total_never_reset, ["Reset the running total"]),
    (integer_result, ["all whole numbers", "float dtype"]),
    (transposed_result, ["transposed", "C[i, j]"]),
    (overwrites_a, ["changed A or B"]),
    (uses_empty, ["nan", "np.zeros"]),
    (lambda A, B: np.zeros((A.shape[0], B.shape[1])), ["should be", "A[i, k] * B[k, j]"]),
    (lambda A, B: [[1.0]], ["should have shape (3, 3)"]),
])
def test_matmul_wrong_answers_get_specific_hints(wrong, fragments, capsys):
    assert_hint(check_matmul, with_shape_check(wrong), capsys, *fragments)


def test_elementwise_star_on_non_square_matrices_gets_a_hint(capsys):
    def star_then_fix(A, B):
        if A.shape == B.shape:
            return matmul_three_loops(A, B)  # right on the square pair, A * B on the others
        return A * B

    assert_hint(check_matmul, with_shape_check(star_then_fix), capsys, "broadcast",
                "entry by entry")


@pytest.mark.parametrize("wrong, fragment", [
    (rows_of_b, "row j of B"),
    (swapped_order, "B @ A"),
    (elementwise, "A * B, which multiplies entry by entry"),
    (lambda A, B: A * B, "A * B, which multiplies entry by entry"),
])
def test_slips_that_only_square_matrices_allow_get_named_hints(wrong, fragment, capsys):
    # The check multiplies a square pair first, where these slips run and give a wrong answer.
    assert_hint(check_matmul, with_shape_check(wrong), capsys, "3×3 A and a 3×3 B", fragment)


def test_transposed_result_of_a_non_square_pair_gets_a_shape_hint(capsys, monkeypatch):
    monkeypatch.setattr(ch02_vectors_matrices, "MATMUL_SHAPES",
                        ch02_vectors_matrices.MATMUL_SHAPES[1:])
    assert_hint(check_matmul, with_shape_check(transposed_result), capsys,
                "should have shape (2, 4)", "(4, 2)", "transpose")


def test_learner_code_returning_a_torch_tensor_passes(capsys):
    def in_torch(A, B):
        C = matmul_three_loops(A, B)
        return torch.from_numpy(C)

    assert_pass(check_matmul, in_torch, capsys)
