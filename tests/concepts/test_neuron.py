"""Unit tests of course_utils.neuron: forward passes, perceptron, likelihood, fitting, geometry."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

from course_utils import activations, neuron
from course_utils.data import make_blobs

X_SMALL = np.array([[0.5, 1.0], [-1.0, 2.0], [2.0, -0.5], [0.0, 0.0]])
W_SMALL = np.array([1.5, -2.0])


@pytest.fixture(scope="module")
def blobs():
    return make_blobs(noise=1.0)


# --- the forward pass ------------------------------------------------------------------------


def test_weighted_sum_of_one_point_and_of_many():
    assert neuron.weighted_sum([2.0, -1.0, 0.5], [0.8, -0.4, 1.5], -1.0) == pytest.approx(1.75)
    z = neuron.weighted_sum(X_SMALL, W_SMALL, 0.5)
    np.testing.assert_allclose(z, [-0.75, -5.0, 4.5, 0.5])
    assert type(neuron.weighted_sum([1.0, 1.0], [1.0, 1.0], 0)) is float


def test_neuron_forward_with_each_activation():
    x, w, b = [2.0, -1.0, 0.5], [0.8, -0.4, 1.5], -1.0
    assert neuron.neuron_forward(x, w, b) == pytest.approx(activations.sigmoid(1.75))
    assert neuron.neuron_forward(x, w, b, "step") == 1.0
    assert neuron.neuron_forward(x, w, -3.0, "step") == 0.0  # z = -0.25
    assert neuron.neuron_forward(x, w, b, "tanh") == pytest.approx(math.tanh(1.75))
    assert neuron.neuron_forward(x, w, -3.0, "relu") == 0.0
    assert neuron.neuron_forward(x, w, b, "identity") == pytest.approx(1.75)
    np.testing.assert_allclose(neuron.neuron_forward(X_SMALL, W_SMALL, 0.5),
                               activations.sigmoid(X_SMALL @ W_SMALL + 0.5))


def test_step_is_zero_at_zero():
    np.testing.assert_array_equal(neuron.step(np.array([-1.0, 0.0, 1e-9, 3.0])), [0, 0, 1, 1])
    assert neuron.step(0.0) == 0.0 and neuron.step(2) == 1.0


def test_predict_proba_matches_torch_and_is_stable():
    X = np.array([[400.0, 300.0], [-400.0, -300.0], [1.0, 1.0]])
    w = np.array([1.5, 1.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            p = neuron.predict_proba(X, w, 0.0)
    np.testing.assert_allclose(p, [1.0, 0.0, activations.sigmoid(2.5)])
    layer = torch.nn.Linear(2, 1, dtype=torch.float64)
    with torch.no_grad():
        layer.weight[:] = torch.from_numpy(W_SMALL)[None, :]
        layer.bias[:] = 0.5
        expected = torch.sigmoid(layer(torch.from_numpy(X_SMALL))).squeeze(1).numpy()
    np.testing.assert_allclose(neuron.predict_proba(X_SMALL, W_SMALL, 0.5), expected, rtol=1e-12)


def test_predict_proba_accepts_lists_ints_tensors_and_numpy_scalars():
    p = neuron.predict_proba([[1, 2], [3, 4]], [1, -1], np.float64(0.5))
    np.testing.assert_allclose(p, activations.sigmoid(np.array([-0.5, -0.5])))
    p = neuron.predict_proba(torch.tensor([[1.0, 2.0]]), torch.tensor([1.0, -1.0]), torch.tensor(0.5))
    assert p.shape == (1,)
    assert type(neuron.predict_proba([1.0, 2.0], [1.0, -1.0], 0.5)) is float


def test_perceptron_predict_is_the_step_of_the_score():
    np.testing.assert_array_equal(neuron.perceptron_predict(X_SMALL, W_SMALL, 0.5), [0, 0, 1, 1])


# --- the perceptron rule -----------------------------------------------------------------------


def test_perceptron_converges_on_separable_data():
    X, y = make_blobs(noise=0.5)
    fit = neuron.perceptron_fit(X + 2.0, y, epochs=50)
    assert fit.converged and fit.mistakes[-1] == 0 and fit.mistakes[0] > 0
    np.testing.assert_array_equal(neuron.perceptron_predict(X + 2.0, fit.w, fit.b), y)
    assert len(fit.history) == len(fit.mistakes)
    assert fit.b < 0  # clouds away from the origin need a threshold


def test_perceptron_without_bias_cannot_separate_shifted_clouds():
    X, y = make_blobs(noise=0.5)
    fit = neuron.perceptron_fit(X + 2.0, y, epochs=30, train_bias=False)
    assert not fit.converged and fit.b == 0.0 and len(fit.mistakes) == 30


def test_perceptron_never_settles_on_overlapping_data(blobs):
    fit = neuron.perceptron_fit(blobs.X, blobs.y, epochs=10)
    assert not fit.converged and min(fit.mistakes) > 0


def test_perceptron_rule_by_hand():
    # One point of class 1 that the zero neuron calls 0: w += x, b += 1.
    fit = neuron.perceptron_fit([[2.0, -1.0]], [1], epochs=1, lr=0.5)
    np.testing.assert_allclose(fit.w, [1.0, -0.5])
    assert fit.b == 0.5 and fit.mistakes == [1]


def test_perceptron_starts_from_given_weights_without_changing_them():
    w0 = np.array([1.0, 1.0])
    fit = neuron.perceptron_fit(X_SMALL, [1, 0, 1, 0], w0=w0, b0=-1.0, epochs=5)
    np.testing.assert_array_equal(w0, [1.0, 1.0])
    assert fit.w.shape == (2,)


# --- likelihood ---------------------------------------------------------------------------------


def test_label_probabilities_pick_p_or_one_minus_p():
    q = neuron.label_probabilities([1, 0, 1, 0], [0.9, 0.2, 0.3, 0.6])
    np.testing.assert_allclose(q, [0.9, 0.8, 0.3, 0.4])


def test_likelihood_and_log_likelihood():
    y, p = np.array([1, 0, 1]), np.array([0.9, 0.2, 0.5])
    assert neuron.likelihood(y, p) == pytest.approx(0.9 * 0.8 * 0.5)
    assert neuron.log_likelihood(y, p) == pytest.approx(math.log(0.36))
    assert neuron.nll(y, p) == pytest.approx(-math.log(0.36) / 3)
    assert neuron.nll(y, p, reduction="sum") == pytest.approx(-math.log(0.36))


def test_the_product_underflows_but_the_sum_of_logs_does_not():
    y, p = np.ones(1000), np.full(1000, 0.3)
    assert neuron.likelihood(y, p) == 0.0
    assert neuron.log_likelihood(y, p) == pytest.approx(1000 * math.log(0.3))
    # Factors above 1/2 get stuck on the smallest subnormal float instead: 2·tiny · 0.8 rounds
    # back to 2·tiny. Still 10^-161 times too large, and useless as a measure.
    assert 0 < neuron.likelihood(np.ones(5000), np.full(5000, 0.8)) < 1e-322


def test_nll_equals_torch_binary_cross_entropy():
    rng = np.random.default_rng(0)
    p = rng.uniform(0.01, 0.99, 50)
    y = (rng.random(50) < 0.5).astype(float)
    expected = torch.nn.functional.binary_cross_entropy(torch.from_numpy(p), torch.from_numpy(y))
    assert neuron.nll(y, p) == pytest.approx(expected.item(), rel=1e-12)


def test_nll_at_zero_and_one_is_finite_and_matches_torch():
    y, p = np.array([1.0, 0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0, 0.3])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        value = neuron.nll(y, p)
    expected = torch.nn.functional.binary_cross_entropy(torch.from_numpy(p), torch.from_numpy(y))
    assert value == pytest.approx(expected.item())  # the certain-and-wrong point costs 100
    assert neuron.nll([1, 0], [1.0, 0.0]) == 0.0
    assert neuron.log_likelihood([1], [0.0]) == -math.inf


def test_nll_from_scores_is_stable_and_matches_torch():
    z = np.array([-1000.0, -5.0, 0.0, 3.0, 1000.0])
    y = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
    expected = torch.nn.functional.binary_cross_entropy_with_logits(torch.from_numpy(z),
                                                                    torch.from_numpy(y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert neuron.nll_from_scores(y, z) == pytest.approx(expected.item(), rel=1e-12)
    z = np.array([-2.0, 0.5, 1.0])
    y = np.array([0, 1, 0])
    assert neuron.nll_from_scores(y, z) == pytest.approx(neuron.nll(y, activations.sigmoid(z)), rel=1e-12)
    assert neuron.nll_from_scores(y, z, "sum") == pytest.approx(3 * neuron.nll_from_scores(y, z))


# --- fitting ---------------------------------------------------------------------------------------


def test_nll_gradient_matches_central_differences(blobs):
    w, b = np.array([0.7, -0.3]), 0.2

    def loss(w_, b_):
        return neuron.nll_from_scores(blobs.y, blobs.X @ w_ + b_)

    dw, db = neuron.nll_gradient(blobs.X, blobs.y, w, b)
    h = 1e-6
    numeric = [(loss(w + h * e, b) - loss(w - h * e, b)) / (2 * h) for e in np.eye(2)]
    np.testing.assert_allclose(dw, numeric, rtol=1e-6)
    assert db == pytest.approx((loss(w, b + h) - loss(w, b - h)) / (2 * h), rel=1e-6)


def test_fit_logistic_finds_the_minimum(blobs):
    fit = neuron.fit_logistic(blobs.X, blobs.y)
    assert fit.losses.shape == (1001,)
    assert np.all(np.diff(fit.losses) <= 1e-15)  # gradient descent never went uphill here
    assert fit.losses[0] == pytest.approx(math.log(2))  # w = 0: every point gets p = 1/2
    dw, db = neuron.nll_gradient(blobs.X, blobs.y, fit.w, fit.b)
    assert np.abs(dw).max() < 1e-8 and abs(db) < 1e-8  # flat: the bottom of the bowl
    np.testing.assert_allclose(fit.w, [2.4896, 1.6785], atol=1e-3)
    assert fit.b == pytest.approx(-0.5555, abs=1e-3)


def test_fit_logistic_agrees_with_torch(blobs):
    X, y = torch.from_numpy(blobs.X), torch.from_numpy(blobs.y.astype(float))
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    b = torch.zeros((), dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w, b], lr=1.0)
    for _ in range(200):
        optimizer.zero_grad()
        torch.nn.functional.binary_cross_entropy_with_logits(X @ w + b, y).backward()
        optimizer.step()
    fit = neuron.fit_logistic(blobs.X, blobs.y, lr=1.0, steps=200)
    np.testing.assert_allclose(fit.w, w.detach().numpy(), rtol=1e-10)
    assert fit.b == pytest.approx(b.item(), rel=1e-10)


def test_fit_logistic_with_zero_steps_returns_the_start():
    fit = neuron.fit_logistic(X_SMALL, [1, 0, 1, 0], steps=0, w0=[1.0, 2.0], b0=3.0)
    np.testing.assert_array_equal(fit.w, [1.0, 2.0])
    assert fit.b == 3.0 and fit.losses.shape == (1,)


# --- the decision line -------------------------------------------------------------------------------


def test_decision_line_is_where_the_score_is_zero():
    line = neuron.decision_line([1.0, 2.0], -1.0, (-4, 4), (-4, 4))
    assert line.coefficients == (1.0, 2.0) and line.constant == 1.0
    assert line.equation == "1.00·x + 2.00·y = 1.00"
    assert line.visible
    np.testing.assert_allclose(line.x + 2 * line.y, [1.0, 1.0])  # both ends lie on x + 2y = 1
    ends = np.column_stack([line.x, line.y])
    assert np.all((ends >= -4 - 1e-12) & (ends <= 4 + 1e-12))
    assert np.isclose(np.abs(ends), 4).any(axis=1).all()  # each end on the edge of the box


def test_decision_line_signs_and_a_zero_bias():
    assert neuron.decision_line([1.0, -1.0], 0.0).equation == "1.00·x − 1.00·y = 0.00"
    assert neuron.decision_line([-2.0, 1.0], 3.0).equation == "−2.00·x + 1.00·y = −3.00"


def test_vertical_and_horizontal_lines():
    vertical = neuron.decision_line([2.0, 0.0], -2.0, (-4, 4), (-3, 3))  # x = 1
    np.testing.assert_allclose(vertical.x, [1.0, 1.0])
    np.testing.assert_allclose(sorted(vertical.y), [-3.0, 3.0])
    horizontal = neuron.decision_line([0.0, 1.0], 0.5, (-4, 4), (-3, 3))  # y = -0.5
    np.testing.assert_allclose(horizontal.y, [-0.5, -0.5])


def test_a_line_outside_the_box_is_not_visible_and_zero_weights_give_none():
    far = neuron.decision_line([1.0, 1.0], -100.0, (-4, 4), (-4, 4))
    assert far is not None and not far.visible and far.x.size == 0
    assert neuron.decision_line([0.0, 0.0], 1.0) is None


def test_bias_shifts_the_line_and_scaling_keeps_it():
    a = neuron.decision_line([1.0, 1.0], 0.0)
    b = neuron.decision_line([3.0, 3.0], 0.0)
    np.testing.assert_allclose(sorted(a.x), sorted(b.x))
    shifted = neuron.decision_line([1.0, 1.0], -2.0)
    np.testing.assert_allclose(shifted.x + shifted.y, [2.0, 2.0])


# --- input errors a learner can read ------------------------------------------------------------


def test_mismatched_weights_are_explained():
    with pytest.raises(ValueError, match="2 features .* but w has 3 weights"):
        neuron.predict_proba(X_SMALL, [1.0, 2.0, 3.0], 0.0)
    with pytest.raises(ValueError, match="one weight per feature.*ravel"):
        neuron.predict_proba(X_SMALL, np.array([[1.0], [2.0]]), 0.0)
    with pytest.raises(ValueError, match="shape \\(n, d\\)"):
        neuron.weighted_sum(np.zeros((2, 2, 2)), [1.0, 2.0], 0.0)


@pytest.mark.parametrize("bad_bias", [np.array([1.0, 2.0]), "1", None, [0.5], True])
def test_the_bias_must_be_one_number(bad_bias):
    with pytest.raises(TypeError, match="bias b must be a single number"):
        neuron.predict_proba(X_SMALL, W_SMALL, bad_bias)


@pytest.mark.parametrize("fn", [neuron.weighted_sum, neuron.predict_proba, neuron.perceptron_predict,
                                neuron.neuron_forward])
@pytest.mark.parametrize("bad", ["abc", None, {"x": 1}, [[1, 2], [3]], [1 + 2j, 2]])
def test_non_numeric_points_are_a_type_error_naming_the_function(fn, bad):
    with pytest.raises(TypeError, match=fn.__name__):
        fn(bad, W_SMALL, 0.0)


def test_nan_and_empty_inputs_are_refused():
    with pytest.raises(ValueError, match="finite"):
        neuron.predict_proba([[np.nan, 1.0]], W_SMALL, 0.0)
    with pytest.raises(ValueError, match="finite"):
        neuron.predict_proba(X_SMALL, W_SMALL, float("inf"))
    with pytest.raises(ValueError, match="empty"):
        neuron.predict_proba([], W_SMALL, 0.0)
    with pytest.raises(ValueError, match="at least one point"):
        neuron.predict_proba(np.zeros((0, 2)), W_SMALL, 0.0)


@pytest.mark.parametrize("y, message", [
    ([1, 0, 2], "must be 0 or 1.*got 2.0 at index 2"),
    ([1, 0], "2 and p has 3"),
    ([[1, 0, 1]], "flat array"),
])
def test_bad_labels_are_explained(y, message):
    with pytest.raises(ValueError, match=message):
        neuron.nll(y, [0.5, 0.5, 0.5])


@pytest.mark.parametrize("p, message", [
    ([0.5, 1.2, 0.5], "between 0 and 1; got 1.2 at index 1.*nll_from_scores"),
    ([0.5, -3.0, 0.5], "got -3.0"),
    ([0.5, np.nan, 0.5], "got nan"),
    ([0.5, 0.5], "y has 3 and p has 2"),
])
def test_bad_probabilities_are_explained(p, message):
    with pytest.raises(ValueError, match=message):
        neuron.nll([1, 0, 1], p)


def test_other_bad_arguments():
    with pytest.raises(ValueError, match="reduction"):
        neuron.nll([1], [0.5], reduction="max")
    with pytest.raises(ValueError, match="one entry per point"):
        neuron.nll_from_scores([1, 0], [0.5])
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        neuron.neuron_forward([1.0], [1.0], 0.0, "softmax")
    with pytest.raises(ValueError, match="positive"):
        neuron.fit_logistic(X_SMALL, [1, 0, 1, 0], lr=0.0)
    with pytest.raises(TypeError, match="whole number"):
        neuron.fit_logistic(X_SMALL, [1, 0, 1, 0], steps=10.5)
    with pytest.raises(ValueError, match="4 points but 3 labels"):
        neuron.perceptron_fit(X_SMALL, [1, 0, 1])
    with pytest.raises(ValueError, match="low < high"):
        neuron.decision_line([1.0, 1.0], 0.0, xlim=(4, -4))
    with pytest.raises(TypeError, match="pair of numbers"):
        neuron.decision_line([1.0, 1.0], 0.0, xlim=3)
    with pytest.raises(ValueError, match="points have 2 features .* but w has 3"):
        neuron.decision_line([1.0, 1.0, 1.0], 0.0)
