"""Unit tests of course_utils.softmax: values, stability, agreement with torch, input errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from course_utils import softmax

Z = np.array([[2.0, 1.0, 0.1, -1.0],
              [0.5, 2.5, -0.5, 0.0],
              [-1.0, 0.0, 3.0, 1.0]])
Y = np.array([0, 1, 3])


# --- softmax ---------------------------------------------------------------------------------


def test_softmax_reference_values():
    p = softmax.softmax(np.array([2.0, 1.0, 0.1]))
    e = np.exp([2.0, 1.0, 0.1])
    np.testing.assert_allclose(p, e / e.sum(), rtol=1e-15)
    np.testing.assert_allclose(softmax.softmax(np.zeros(4)), 0.25)


def test_softmax_rows_sum_to_one_and_keep_order():
    p = softmax.softmax(Z)
    assert p.shape == Z.shape
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    assert np.all(p > 0)
    np.testing.assert_array_equal(p.argsort(axis=1), Z.argsort(axis=1))


def test_softmax_ignores_a_constant_shift_per_row():
    shifts = np.array([[1000.0], [-1000.0], [37.5]])
    np.testing.assert_allclose(softmax.softmax(Z + shifts), softmax.softmax(Z), rtol=1e-12)


def test_softmax_along_another_axis():
    np.testing.assert_allclose(softmax.softmax(Z, axis=0), softmax.softmax(Z.T).T, rtol=1e-15)
    np.testing.assert_allclose(softmax.softmax(Z, axis=0).sum(axis=0), 1.0)


def test_softmax_matches_torch():
    want = torch.softmax(torch.from_numpy(Z), dim=1).numpy()
    np.testing.assert_allclose(softmax.softmax(Z), want, rtol=1e-14)


def test_softmax_never_overflows(strict_floats):
    z = np.array([[1000.0, 999.0, 998.0], [-1000.0, -1001.0, -1002.0], [1000.0, -1000.0, 0.0]])
    p = softmax.softmax(z)
    np.testing.assert_allclose(p[0], p[1], rtol=1e-12)
    np.testing.assert_allclose(p[0], softmax.softmax(np.array([2.0, 1.0, 0.0])), rtol=1e-12)
    np.testing.assert_array_equal(p[2], [1.0, 0.0, 0.0])  # e**-1000 is below the smallest float
    tiny = softmax.softmax(np.array([0.0, -700.0]))[1]
    assert tiny == pytest.approx(math.exp(-700), rel=1e-12)  # tiny, but not rounded to 0


def test_naive_softmax_overflows_where_softmax_does_not():
    big = np.array([1000.0, 999.0, 998.0])
    with np.errstate(invalid="ignore"), pytest.warns(RuntimeWarning, match="overflow"):
        result = softmax.naive_softmax(big)  # e**1000 = inf, then inf / inf = nan
    assert np.isnan(result).all()
    with np.errstate(over="raise", invalid="raise"):
        assert np.isfinite(softmax.softmax(big)).all()


def test_float32_stays_float32_and_overflows_at_89_naively():
    z = np.array([[100.0, 0.0]], dtype=np.float32)
    assert softmax.softmax(z).dtype == np.float32
    assert softmax.log_softmax(z).dtype == np.float32
    with np.errstate(over="ignore", invalid="ignore"):
        assert np.isnan(softmax.naive_softmax(z)).any()  # e**100 overflows float32 (limit ≈ 88.7)


def test_minus_infinity_means_probability_zero():
    p = softmax.softmax(np.array([[0.0, -np.inf, 0.0]]))
    np.testing.assert_array_equal(p, [[0.5, 0.0, 0.5]])


def test_integers_and_lists_become_floats():
    p = softmax.softmax([[1, 2, 3]])
    assert p.dtype == np.float64
    np.testing.assert_allclose(p, softmax.softmax(np.array([[1.0, 2.0, 3.0]])))


# --- log_softmax -----------------------------------------------------------------------------


def test_log_softmax_is_the_log_of_softmax_where_that_is_safe():
    np.testing.assert_allclose(softmax.log_softmax(Z), np.log(softmax.softmax(Z)), rtol=1e-13)
    np.testing.assert_allclose(softmax.log_softmax(Z),
                               F.log_softmax(torch.from_numpy(Z), dim=1).numpy(), rtol=1e-13)


def test_log_softmax_keeps_tiny_probabilities(strict_floats):
    logp = softmax.log_softmax(np.array([[1000.0, 0.0, -1000.0]]))
    np.testing.assert_allclose(logp, [[0.0, -1000.0, -2000.0]], rtol=1e-15)


# --- cross-entropy and its gradient --------------------------------------------------------------


def test_cross_entropy_values():
    logp = softmax.log_softmax(Z)
    assert softmax.cross_entropy(Z, Y) == pytest.approx(-np.mean(logp[[0, 1, 2], Y]), rel=1e-14)
    assert softmax.cross_entropy(np.zeros((5, 10)), [0, 1, 2, 3, 4]) == pytest.approx(math.log(10))
    assert type(softmax.cross_entropy(Z, Y)) is float


def test_cross_entropy_matches_torch():
    want = F.cross_entropy(torch.from_numpy(Z), torch.from_numpy(Y)).item()
    assert softmax.cross_entropy(Z, Y) == pytest.approx(want, rel=1e-13)


def test_a_confident_mistake_costs_its_true_price(strict_floats):
    z = np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 0.0]])
    assert softmax.cross_entropy(z, [1, 1]) == pytest.approx(500.0, rel=1e-14)
    assert softmax.cross_entropy(z[:1], [0]) == 0.0


def test_cross_entropy_grad_is_p_minus_y_over_n():
    p = softmax.softmax(Z)
    np.testing.assert_allclose(softmax.cross_entropy_grad(Z, Y), (p - softmax.one_hot(Y, 4)) / 3,
                               rtol=1e-14)
    np.testing.assert_allclose(softmax.cross_entropy_grad(Z, Y).sum(axis=1), 0.0, atol=1e-15)


def test_cross_entropy_grad_matches_central_differences():
    numeric = np.zeros_like(Z)
    for index in np.ndindex(Z.shape):
        up, down = Z.copy(), Z.copy()
        up[index] += 1e-6
        down[index] -= 1e-6
        numeric[index] = (softmax.cross_entropy(up, Y) - softmax.cross_entropy(down, Y)) / 2e-6
    np.testing.assert_allclose(softmax.cross_entropy_grad(Z, Y), numeric, rtol=1e-6, atol=1e-9)


def test_cross_entropy_grad_matches_torch_autograd():
    z = torch.from_numpy(Z.copy()).requires_grad_(True)
    F.cross_entropy(z, torch.from_numpy(Y)).backward()
    np.testing.assert_allclose(softmax.cross_entropy_grad(Z, Y), z.grad.numpy(), rtol=1e-13)


def test_cross_entropy_grad_is_stable(strict_floats):
    grad = softmax.cross_entropy_grad(np.array([[0.0, 1000.0]]), [0])
    np.testing.assert_allclose(grad, [[-1.0, 1.0]])


def test_one_hot():
    np.testing.assert_array_equal(softmax.one_hot([2, 0], 3), [[0, 0, 1], [1, 0, 0]])
    assert softmax.one_hot(np.array([9]), 10).shape == (1, 10)


def test_labels_may_be_lists_tensors_or_whole_floats():
    want = softmax.cross_entropy(Z, Y)
    assert softmax.cross_entropy(Z, [0, 1, 3]) == want
    assert softmax.cross_entropy(Z, torch.tensor([0, 1, 3])) == want
    assert softmax.cross_entropy(Z, np.array([0.0, 1.0, 3.0])) == want
    assert softmax.cross_entropy(torch.from_numpy(Z), Y) == want


# --- input errors a learner can read -----------------------------------------------------------


@pytest.mark.parametrize("fn", [softmax.softmax, softmax.log_softmax, softmax.naive_softmax])
@pytest.mark.parametrize("bad, error, message", [
    (None, TypeError, "logits"),
    ("abc", TypeError, "logits"),
    ({"a": 1}, TypeError, "logits"),
    (np.array([1 + 2j, 0]), TypeError, "complex"),
    (np.array([True, False]), TypeError, "True/False"),
    (np.array(["a", "b"]), TypeError, "numbers"),
    ([[1.0, 2.0], [3.0]], TypeError, "regular grid"),
    (3.0, ValueError, "single number"),
    (np.zeros((2, 0)), ValueError, "no logits"),
    (np.array([1.0, np.nan]), ValueError, "nan"),
    (np.array([1.0, np.inf]), ValueError, r"\+inf"),
    (np.array([[0.0, 1.0], [-np.inf, -np.inf]]), ValueError, "every logit in a row is −inf"),
])
def test_bad_logits_get_clear_errors(fn, bad, error, message):
    with pytest.raises(error, match=message):
        fn(bad)


def test_bad_axis():
    with pytest.raises(ValueError, match="axis 2 does not exist"):
        softmax.softmax(Z, axis=2)


@pytest.mark.parametrize("fn", [softmax.cross_entropy, softmax.cross_entropy_grad])
@pytest.mark.parametrize("logits, labels, error, message", [
    (Z[0], [0], ValueError, "2-D logits"),
    (np.zeros((0, 3)), [], ValueError, "no examples"),
    (Z, [0, 1], ValueError, "2 labels but 3 rows"),
    (Z, [0, 1, 4], ValueError, "label 4 is not a class"),
    (Z, [0, 1, -1], ValueError, "label -1 is not a class"),
    (Z, [0.5, 1, 2], TypeError, "not fractions"),
    (Z, np.eye(3, 4), ValueError, "one-hot"),
    (Z, np.zeros((3, 2), dtype=int), ValueError, "1-D array"),
    (Z, None, TypeError, "class numbers"),
    (Z, "012", TypeError, "class numbers"),
    (Z, np.array([True, False, True]), TypeError, "whole class numbers"),
    (np.array([[np.nan, 0.0]]), [0], ValueError, "nan"),
])
def test_bad_batches_get_clear_errors(fn, logits, labels, error, message):
    with pytest.raises(error, match=message):
        fn(logits, labels)


@pytest.mark.parametrize("n_classes", [0, -1, 2.5, True, "10"])
def test_one_hot_rejects_bad_class_counts(n_classes):
    with pytest.raises(ValueError, match="n_classes"):
        softmax.one_hot([0], n_classes)


def test_one_hot_rejects_labels_out_of_range():
    with pytest.raises(ValueError, match="label 3 is not a class"):
        softmax.one_hot([3], 3)


# --- property test --------------------------------------------------------------------------------

@given(hnp.arrays(np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)),
                  elements=st.floats(-1e6, 1e6)))
def test_softmax_of_any_finite_logits_is_a_quiet_distribution(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            p = softmax.softmax(z)
            logp = softmax.log_softmax(z)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all(np.isfinite(logp)) and np.all(logp <= 1e-12)
