"""Unit tests of course_utils.activations: values, identities, stability, input errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from course_utils import activations

GRID = np.linspace(-10.0, 10.0, 41)
EXTREMES = np.array([-1e308, -1000.0, -710.0, -100.0, 0.0, 100.0, 710.0, 1000.0, 1e308])


# --- reference values and identities -----------------------------------------------------


def test_sigmoid_reference_values():
    assert activations.sigmoid(0.0) == 0.5
    assert activations.sigmoid(1.0) == pytest.approx(1 / (1 + math.exp(-1)), rel=1e-15)
    assert activations.sigmoid(-2.0) == pytest.approx(0.11920292202211755, rel=1e-14)
    assert activations.sigmoid(math.log(3)) == pytest.approx(0.75, rel=1e-14)


def test_sigmoid_range_and_symmetry():
    s = activations.sigmoid(GRID)
    assert np.all((s > 0) & (s < 1))
    assert np.all(np.diff(s) > 0)  # strictly increasing
    np.testing.assert_allclose(activations.sigmoid(-GRID), 1 - s, rtol=1e-12, atol=1e-15)


def test_sigmoid_matches_naive_where_naive_is_safe():
    np.testing.assert_allclose(activations.sigmoid(GRID), activations.naive_sigmoid(GRID), rtol=1e-14)


def test_scalars_give_floats_and_arrays_keep_shape():
    assert type(activations.sigmoid(0)) is float
    assert type(activations.sigmoid(np.float64(2.0))) is float
    grid = np.zeros((2, 3))
    for fn in (activations.sigmoid, activations.naive_sigmoid, activations.sigmoid_derivative, activations.tanh,
               activations.tanh_derivative, activations.relu, activations.relu_derivative):
        assert fn(grid).shape == (2, 3), fn.__name__
    assert activations.sigmoid([1, 2, 3]).dtype == np.float64  # lists and ints become floats


def test_float32_stays_float32():
    x = np.array([-100.0, 0.0, 100.0], dtype=np.float32)
    assert activations.sigmoid(x).dtype == np.float32
    assert activations.relu(x).dtype == np.float32


def test_logit_inverts_sigmoid():
    p = np.array([1e-12, 0.01, 0.25, 0.5, 0.75, 0.99, 1 - 1e-12])
    np.testing.assert_allclose(activations.sigmoid(activations.logit(p)), p, rtol=1e-9)
    np.testing.assert_allclose(activations.logit(activations.sigmoid(GRID)), GRID, rtol=1e-9, atol=1e-9)
    assert activations.logit(0.5) == 0.0
    assert activations.logit(0.75) == pytest.approx(math.log(3))


def test_base_sigmoid_is_a_rescaled_sigmoid():
    for base in (2.0, math.e, 10.0, 0.5):
        np.testing.assert_allclose(activations.base_sigmoid(GRID, base), activations.sigmoid(GRID * math.log(base)),
                                   rtol=1e-14)
    x = np.linspace(-3, 3, 13)
    np.testing.assert_allclose(activations.base_sigmoid(x, 2.0), 1 / (1 + 2.0 ** -x), rtol=1e-14)
    np.testing.assert_allclose(activations.base_sigmoid(x, 10.0, 0.5, 1.0),
                               1 / (1 + 10.0 ** (-0.5 * (x - 1.0))), rtol=1e-14)
    assert activations.base_sigmoid(1.5, 3.0, 2.0, 1.5) == 0.5  # the shift is where it crosses 1/2


def test_base_below_one_gives_a_falling_curve():
    assert np.all(np.diff(activations.base_sigmoid(GRID, 0.5)) < 0)


# --- derivatives --------------------------------------------------------------------------


def test_sigmoid_derivative_is_s_times_one_minus_s():
    s = activations.sigmoid(GRID)
    np.testing.assert_allclose(activations.sigmoid_derivative(GRID), s * (1 - s), rtol=1e-14)
    assert activations.sigmoid_derivative(0.0) == 0.25
    assert activations.sigmoid_derivative(GRID).max() == 0.25


@pytest.mark.parametrize("fn, derivative", [
    (activations.sigmoid, activations.sigmoid_derivative),
    (activations.tanh, activations.tanh_derivative),
    (activations.relu, activations.relu_derivative),
    (lambda x: activations.base_sigmoid(x, 2.0, 1.5, 0.5),
     lambda x: activations.base_sigmoid_derivative(x, 2.0, 1.5, 0.5)),
])
def test_analytic_derivatives_match_central_differences(fn, derivative):
    x = np.array([-4.0, -1.3, -0.2, 0.3, 1.1, 3.7])  # away from ReLU's kink at 0
    np.testing.assert_allclose(activations.numeric_derivative(fn, x), derivative(x), rtol=1e-7,
                               atol=1e-10)


def test_base_sigmoid_slope_at_centre_is_ln_b_over_four():
    for base, k in ((2.0, 1.0), (math.e, 1.0), (10.0, 0.5), (3.0, 2.0)):
        assert activations.base_sigmoid_derivative(0.0, base, k) == pytest.approx(k * math.log(base) / 4)


def test_numeric_derivative_is_second_order():
    exact = activations.sigmoid_derivative(1.0)
    err_big = abs(activations.numeric_derivative(activations.sigmoid, 1.0, h=1e-2) - exact)
    err_small = abs(activations.numeric_derivative(activations.sigmoid, 1.0, h=1e-3) - exact)
    assert 50 < err_big / err_small < 200  # h 10× smaller → error about 100× smaller


def test_tanh_is_a_stretched_sigmoid_and_relu_values():
    np.testing.assert_allclose(activations.tanh(GRID), 2 * activations.sigmoid(2 * GRID) - 1, atol=1e-14)
    assert activations.tanh_derivative(0.0) == 1.0
    np.testing.assert_array_equal(activations.relu(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(activations.relu_derivative(np.array([-2.0, 0.0, 3.0])), [0.0, 0.0, 1.0])


# --- stability ------------------------------------------------------------------------------


def test_stable_sigmoid_never_warns(strict_floats):
    s = activations.sigmoid(EXTREMES)
    np.testing.assert_array_equal(s[[0, 1]], 0.0)  # the true value is below the smallest float
    assert 0 < s[2] < 1e-300  # σ(-710) ≈ e**-710 is still a (subnormal) float, not rounded to 0
    np.testing.assert_array_equal(s[[-1, -2, -3]], 1.0)
    assert activations.sigmoid(-100.0) == pytest.approx(math.exp(-100), rel=1e-14)  # tiny, not 0
    assert activations.sigmoid(-1e308) == 0.0 and activations.sigmoid(1e308) == 1.0
    assert activations.sigmoid(-np.inf) == 0.0 and activations.sigmoid(np.inf) == 1.0
    assert activations.sigmoid(np.float32(-100.0)) > 0


def test_functions_built_on_sigmoid_are_stable_too(strict_floats):
    assert np.all(np.isfinite(activations.sigmoid_derivative(EXTREMES)))
    assert np.all(np.isfinite(activations.base_sigmoid(EXTREMES, 10.0, 3.0)))
    assert np.all(np.isfinite(activations.base_sigmoid_derivative(EXTREMES, 2.0)))
    assert np.all(np.isfinite(activations.tanh(EXTREMES)))
    assert np.all(np.isfinite(activations.tanh_derivative(EXTREMES)))


def test_sigmoid_passes_nan_through():
    assert math.isnan(activations.sigmoid(float("nan")))


def test_naive_sigmoid_overflows_for_large_negative_x_only():
    with pytest.warns(RuntimeWarning, match="overflow"):
        assert activations.naive_sigmoid(-1000.0) == 0.0
    with pytest.warns(RuntimeWarning, match="overflow"):
        activations.naive_sigmoid(np.float32(-100.0))  # float32 overflows already beyond -88.7
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert activations.naive_sigmoid(1000.0) == 1.0  # e**-1000 just rounds to 0


# --- input errors a learner can read -----------------------------------------------------


@pytest.mark.parametrize("bad_p", [0.0, 1.0, -0.1, 1.5, float("nan"), [0.2, 1.0]])
def test_logit_rejects_non_probabilities(bad_p):
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        activations.logit(bad_p)


@pytest.mark.parametrize("base, message", [(1.0, "flat line"), (1, "flat line"),
                                           (0.0, "must be positive"), (-2.0, "must be positive")])
def test_base_sigmoid_rejects_bad_bases(base, message):
    with pytest.raises(ValueError, match=message):
        activations.base_sigmoid(0.5, base)


@pytest.mark.parametrize("bad", ["2", None, float("inf"), [2.0, 3.0], True])
def test_base_sigmoid_rejects_non_numbers_as_parameters(bad):
    with pytest.raises((TypeError, ValueError), match="base"):
        activations.base_sigmoid(0.5, bad)
    with pytest.raises((TypeError, ValueError), match="steepness"):
        activations.base_sigmoid(0.5, 2.0, bad)


@pytest.mark.parametrize("fn", [activations.sigmoid, activations.naive_sigmoid, activations.sigmoid_derivative,
                                activations.logit, activations.tanh, activations.relu, activations.base_sigmoid])
@pytest.mark.parametrize("bad", ["abc", None, {"x": 1}, 1 + 2j])
def test_non_numeric_input_is_a_type_error_naming_the_function(fn, bad):
    argument = "p" if fn is activations.logit else "x"
    with pytest.raises(TypeError, match=rf"^{fn.__name__}\b.*\b{argument}\b"):
        fn(bad)


def test_numeric_derivative_input_errors():
    with pytest.raises(TypeError, match="function"):
        activations.numeric_derivative(3.0, 1.0)
    with pytest.raises(ValueError, match="positive"):
        activations.numeric_derivative(activations.sigmoid, 1.0, h=0.0)
    with pytest.raises(ValueError, match="positive"):
        activations.numeric_derivative(activations.sigmoid, 1.0, h=-1e-5)


# --- property test over the whole float range ----------------------------------------------

@given(st.floats(allow_nan=False, allow_infinity=True))
def test_sigmoid_on_any_float_is_quiet_bounded_and_symmetric(value):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            s, mirror = activations.sigmoid(value), activations.sigmoid(-value)
    assert 0.0 <= s <= 1.0
    assert s + mirror == pytest.approx(1.0, abs=1e-15)
