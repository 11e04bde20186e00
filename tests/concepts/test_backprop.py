"""Unit tests of course_utils.backprop: gradient checks, engine vs torch, the Value MLP and
the vectorised layer backward."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import backprop
from course_utils.autograd import Value, topological_order

torch.set_num_threads(1)


# --- numeric_gradient and grad_check -----------------------------------------------------


def test_numeric_gradient_of_a_known_function():
    x = np.array([[0.5, -1.0, 2.0], [0.0, 1.5, -0.3]])
    got = backprop.numeric_gradient(lambda a: np.sum(np.sin(a) * a), x)
    want = np.cos(x) * x + np.sin(x)
    assert got.shape == x.shape
    np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-10)


def test_numeric_gradient_leaves_x_alone_and_accepts_lists_and_numbers():
    x = np.array([1.0, 2.0])
    before = x.copy()
    backprop.numeric_gradient(lambda a: float(a @ a), x)
    np.testing.assert_array_equal(x, before)
    np.testing.assert_allclose(backprop.numeric_gradient(lambda a: float(a @ a), [1, 2]), [2, 4])
    assert backprop.numeric_gradient(lambda a: float(a) ** 3, 2.0) == pytest.approx(12.0, rel=1e-8)


def test_numeric_gradient_bad_input():
    with pytest.raises(TypeError, match="needs a function"):
        backprop.numeric_gradient(3.0, [1.0])
    with pytest.raises(ValueError, match="numeric_gradient: the step h must be positive"):
        backprop.numeric_gradient(np.sum, [1.0], h=0)
    with pytest.raises(TypeError, match="numeric_gradient: the step h must be a single number"):
        backprop.numeric_gradient(np.sum, [1.0], h="small")
    with pytest.raises(ValueError, match="single number"):
        backprop.numeric_gradient(lambda a: a * 2, [1.0, 2.0])
    with pytest.raises(TypeError, match="numeric_gradient: x must be numbers"):
        backprop.numeric_gradient(np.sum, "abc")


def test_grad_check_passes_a_correct_gradient():
    result = backprop.grad_check(lambda a: float(np.sum(a ** 3)), lambda a: 3 * a ** 2,
                           np.array([1.0, -2.0, 0.0]))
    assert result and result.passed
    assert "passed" in str(result)
    assert result.max_abs_error < 1e-6
    # the message names the tolerances, never the round-off left over (it varies by CPU)
    assert str(result) == ("gradient check passed: all 3 entries agree with central differences "
                           "(to rtol=1e-05, atol=1e-08)")
    assert "atol=0.001" in str(backprop.grad_check(np.sum, np.ones_like, np.zeros(2), atol=1e-3))


def test_grad_check_catches_a_planted_bug_and_names_the_entry():
    def buggy(a):
        g = 3 * a ** 2
        g[1, 0] += 0.01
        return g
    result = backprop.grad_check(lambda a: float(np.sum(a ** 3)), buggy, np.ones((2, 2)))
    assert not result
    assert result.worst_index == (1, 0)
    assert "FAILED at index (1, 0)" in str(result)


def test_grad_check_handles_large_and_zero_slopes():
    def f(a):
        return float(1e6 * np.sum(np.tanh(a) * a) + a[0] ** 2)
    def df(a):
        g = 1e6 * (np.tanh(a) + a * (1 - np.tanh(a) ** 2))
        g[0] += 2 * a[0]
        return g
    assert backprop.grad_check(f, df, np.array([0.0, 0.4, -1.3]))


def test_grad_check_bad_input():
    with pytest.raises(TypeError, match="grad_f"):
        backprop.grad_check(np.sum, None, [1.0])
    with pytest.raises(ValueError, match="shape of x"):
        backprop.grad_check(np.sum, lambda a: np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="grad_check: rtol must be positive"):
        backprop.grad_check(np.sum, np.ones_like, np.ones(2), rtol=-1)
    with pytest.raises(TypeError, match="grad_check: grad_f\\(x\\) must be numbers"):
        backprop.grad_check(np.sum, lambda a: "slopes", np.ones(2))


# --- one function, two engines -----------------------------------------------------------


def neuron_cost(w, x, b):
    return ((w * x + b).sigmoid() - 1) ** 2


def test_engine_and_torch_agree_on_a_neuron():
    out, grads = backprop.engine_gradients(neuron_cost, 0.5, 2.0, -1.0)
    t_out, t_grads = backprop.torch_gradients(neuron_cost, 0.5, 2.0, -1.0)
    assert out == pytest.approx(t_out, rel=1e-12)
    assert grads == pytest.approx(t_grads, rel=1e-12)


def test_engine_gradients_needs_a_value_back():
    with pytest.raises(TypeError, match="must return a Value"):
        backprop.engine_gradients(lambda a: 3.0, 1.0)
    with pytest.raises(TypeError, match="single-number torch tensor"):
        backprop.torch_gradients(lambda a: torch.stack([a, a]), 1.0)


@pytest.mark.parametrize("seed", range(20))
def test_random_expressions_agree_with_torch(seed):
    f = backprop.random_expression(seed, n_inputs=3, n_steps=15)
    xs = np.random.default_rng(seed).uniform(-2, 2, 3)
    out, grads = backprop.engine_gradients(f, *xs)
    t_out, t_grads = backprop.torch_gradients(f, *xs)
    assert out == pytest.approx(t_out, rel=1e-10)
    assert grads == pytest.approx(t_grads, rel=1e-8, abs=1e-12)


def test_random_expression_is_deterministic_and_uses_many_operations():
    assert backprop.random_expression(3).program == backprop.random_expression(3).program
    assert backprop.random_expression(3).program != backprop.random_expression(4).program
    ops = set()
    for seed in range(10):
        out = backprop.random_expression(seed, 2, 20)(Value(0.3), Value(-0.8))
        ops |= {n._op for n in topological_order(out)}
    assert {"+", "-", "*", "**-1", "exp", "log", "tanh", "sigmoid", "relu"} <= ops


def test_random_expression_bad_input():
    with pytest.raises(TypeError, match="random_expression: seed must be a whole number"):
        backprop.random_expression("1")
    with pytest.raises(ValueError, match="random_expression: n_steps must be at least 1"):
        backprop.random_expression(0, n_steps=0)
    with pytest.raises(TypeError, match="takes 3 inputs"):
        backprop.random_expression(0, n_inputs=3)(1.0)


# --- the Value MLP ---------------------------------------------------------------------------


def test_mlp_shapes_and_parameter_count():
    model = backprop.MLP(2, [8, 8, 1])
    assert len(model.parameters()) == (2 * 8 + 8) + (8 * 8 + 8) + (8 + 1)
    assert "105 parameters" in repr(model)
    assert isinstance(model([0.5, -0.5]), Value)
    outputs = backprop.MLP(3, [4, 2])([1.0, 2.0, 3.0])
    assert isinstance(outputs, list) and len(outputs) == 2
    assert [layer.neurons[0].activation for layer in model.layers] == ["tanh", "tanh", "linear"]


def test_mlp_is_seeded():
    a, b, c = backprop.MLP(2, [4, 1], seed=1), backprop.MLP(2, [4, 1], seed=1), backprop.MLP(2, [4, 1], seed=2)
    data = [[p.data for p in m.parameters()] for m in (a, b, c)]
    assert data[0] == data[1] != data[2]


@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid"])
def test_mlp_predict_matches_the_engine(activation):
    model = backprop.MLP(2, [5, 4, 1], activation=activation, seed=3)
    X = np.random.default_rng(0).normal(size=(6, 2))
    engine = [model(list(map(float, row))).data for row in X]
    np.testing.assert_allclose(model.predict(X), engine, rtol=1e-12, atol=1e-14)


def test_mlp_gradients_match_torch():
    model = backprop.MLP(2, [4, 3, 1], seed=0)
    X = np.array([[0.5, -1.0], [1.5, 0.2], [-0.3, 0.8]])
    y = [1, 0, 1]
    loss = sum(((model(list(row)) - t) ** 2 for row, t in zip(X, y, strict=True)), Value(0.0))
    model.zero_grad()
    loss.backward()
    tensors = []
    for layer in model.layers:
        W = torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=torch.float64,
                         requires_grad=True)
        b = torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64,
                         requires_grad=True)
        tensors.append((W, b))
    a = torch.tensor(X)
    for i, (W, b) in enumerate(tensors):
        a = a @ W.T + b
        a = torch.tanh(a) if i < len(tensors) - 1 else a
    t_loss = ((a[:, 0] - torch.tensor(y, dtype=torch.float64)) ** 2).sum()
    t_loss.backward()
    assert loss.data == pytest.approx(float(t_loss.detach()), rel=1e-12)
    for layer, (W, b) in zip(model.layers, tensors, strict=True):
        got_W = [[w.grad for w in n.w] for n in layer.neurons]
        np.testing.assert_allclose(got_W, W.grad.numpy(), rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose([n.b.grad for n in layer.neurons], b.grad.numpy(),
                                   rtol=1e-10, atol=1e-12)
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_mean_bce_matches_the_engine_and_torch():
    scores, labels = np.array([-40.0, -1.5, 0.0, 2.0, 700.0]), np.array([1, 0, 1, 1, 0])
    engine = []
    for s, y in zip(scores[:4], labels[:4], strict=True):
        p = Value(float(s)).sigmoid()
        engine.append((-p.log() if y == 1 else -(1 - p).log()).data)
    assert backprop.mean_bce(scores[:4], labels[:4]) == pytest.approx(np.mean(engine), rel=1e-12)
    want = torch.nn.functional.binary_cross_entropy_with_logits(
        torch.tensor(scores), torch.tensor(labels, dtype=torch.float64)).item()
    assert backprop.mean_bce(scores, labels) == pytest.approx(want, rel=1e-12)  # no overflow at 700


def test_mean_bce_bad_input():
    with pytest.raises(ValueError, match="same shape"):
        backprop.mean_bce(np.zeros(3), np.zeros(4))
    with pytest.raises(TypeError, match="mean_bce: labels must be numbers"):
        backprop.mean_bce(np.zeros(2), None)
    with pytest.raises(ValueError, match="0 or 1"):
        backprop.mean_bce(np.zeros(2), [0.5, 1])


def test_mlp_bad_input():
    with pytest.raises(ValueError, match="list of layer widths"):
        backprop.MLP(2, 8)
    with pytest.raises(ValueError, match="list of layer widths"):
        backprop.MLP(2, [])
    with pytest.raises(ValueError, match="MLP: a layer width must be at least 1"):
        backprop.MLP(2, [0, 1])
    with pytest.raises(TypeError, match="MLP: a layer width must be a whole number"):
        backprop.MLP(2, [2.5, 1])
    with pytest.raises(ValueError, match="MLP: n_inputs must be at least 1"):
        backprop.MLP(-1, [2, 1])
    with pytest.raises(ValueError, match="Neuron: n_inputs must be at least 1"):
        backprop.Neuron(0)
    with pytest.raises(ValueError, match="Layer: n_outputs must be at least 1"):
        backprop.Layer(2, 0)
    with pytest.raises(ValueError, match="activation"):
        backprop.MLP(2, [2, 1], activation="softmax")
    model = backprop.MLP(2, [3, 1])
    with pytest.raises(ValueError, match="takes 2 inputs, got 3"):
        model([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        model.predict(np.ones((4, 3)))
    with pytest.raises(TypeError, match="MLP.predict: X must be numbers"):
        model.predict("points")
    with pytest.raises(TypeError, match="single real number"):
        model(["a", "b"])


# --- the vectorised layer ------------------------------------------------------------------


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 6), st.integers(1, 5), st.integers(1, 4), st.integers(0, 10_000))
def test_linear_backward_matches_torch(batch, n_in, n_out, seed):
    rng = np.random.default_rng(seed)
    x, W, b = rng.normal(size=(batch, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=n_out)
    target = rng.normal(size=(batch, n_out))
    tx, tW, tb = (torch.tensor(a, requires_grad=True) for a in (x, W, b))
    z = tx @ tW + tb
    np.testing.assert_allclose(backprop.linear_forward(x, W, b), z.detach().numpy(), rtol=1e-12)
    loss = ((torch.sigmoid(z) - torch.tensor(target)) ** 2).sum()
    loss.backward()
    s = 1 / (1 + np.exp(-(x @ W + b)))
    delta = 2 * (s - target) * s * (1 - s)  # ∂loss/∂z by hand
    dx, dW, db = backprop.linear_backward(x, W, delta)
    np.testing.assert_allclose(dW, tW.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(db, tb.grad.numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(dx, tx.grad.numpy(), rtol=1e-10, atol=1e-12)
    terms = backprop.weight_gradient_terms(x, delta)
    assert terms.shape == (batch, n_in, n_out)
    np.testing.assert_allclose(terms.sum(axis=0), dW, rtol=1e-12, atol=1e-14)


def test_linear_layer_shape_errors_say_what_is_wrong():
    with pytest.raises(ValueError, match="x has 3 columns .* W has 2 rows"):
        backprop.linear_forward(np.ones((4, 3)), np.ones((2, 5)), np.ones(5))
    with pytest.raises(ValueError, match="one entry per output"):
        backprop.linear_forward(np.ones((4, 3)), np.ones((3, 5)), np.ones(4))
    with pytest.raises(ValueError, match="linear_forward: x must be a matrix"):
        backprop.linear_forward(np.ones(3), np.ones((3, 5)), np.ones(5))
    with pytest.raises(ValueError, match="x has 3 columns but W has 2 rows"):
        backprop.linear_backward(np.ones((4, 3)), np.ones((2, 5)), np.ones((4, 5)))
    with pytest.raises(ValueError, match=r"delta must have the shape of z = x @ W, \(4, 5\)"):
        backprop.linear_backward(np.ones((4, 3)), np.ones((3, 5)), np.ones((5, 4)))
    with pytest.raises(ValueError, match="one row per example"):
        backprop.weight_gradient_terms(np.ones((4, 3)), np.ones((5, 2)))
    with pytest.raises(TypeError, match="linear_backward: x must be numbers"):
        backprop.linear_backward("x", np.ones((3, 5)), np.ones((4, 5)))
    with pytest.raises(TypeError, match="weight_gradient_terms: delta is not a regular grid"):
        backprop.weight_gradient_terms(np.ones((4, 3)), [[1, 2], [3]])


def test_fire_together_wire_together():
    x = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])  # input 0 active in examples 0 and 1
    delta = np.array([[0.0, -1.0], [0.0, -1.0], [0.5, 0.0]])  # output 1 wrong in 0 and 1
    _, dW, _ = backprop.linear_backward(x, np.zeros((2, 2)), delta)
    assert np.unravel_index(np.abs(dW).argmax(), dW.shape) == (0, 1)
    assert dW[0, 1] == -2.0 and dW[0, 0] == 0.0 and dW[1, 1] == 0.0
