"""Unit tests of course_utils.mlp: forward pass, parameter counts, collapse, init and trainer."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_utils import activations, mlp
from course_utils.data import make_circles, make_xor

RNG = np.random.default_rng(0)
X5 = RNG.normal(size=(5, 3))
W1, B1 = RNG.normal(size=(3, 4)), RNG.normal(size=4)
W2, B2 = RNG.normal(size=(4, 2)), RNG.normal(size=2)


# --- the forward pass ---------------------------------------------------------------------


def test_forward_matches_the_formula():
    want = activations.relu(X5 @ W1 + B1) @ W2 + B2
    np.testing.assert_allclose(mlp.mlp_forward(X5, [W1, W2], [B1, B2]), want, rtol=1e-12)
    np.testing.assert_allclose(mlp.mlp_forward(X5, [W1, W2], [B1, B2], "tanh"),
                               np.tanh(X5 @ W1 + B1) @ W2 + B2, rtol=1e-12)
    np.testing.assert_allclose(mlp.mlp_forward(X5, [W1, W2], [B1, B2], np.tanh, activations.sigmoid),
                               activations.sigmoid(np.tanh(X5 @ W1 + B1) @ W2 + B2), rtol=1e-12)


@pytest.mark.parametrize("name", ["identity", "sigmoid", "tanh", "relu", " ReLU "])
def test_activation_names(name):
    fn = mlp.ACTIVATIONS[name.strip().lower()][0]
    got = mlp.mlp_forward(X5, [W1, W2], [B1, B2], name)
    np.testing.assert_allclose(got, np.asarray(fn(X5 @ W1 + B1)) @ W2 + B2, rtol=1e-12)


def test_forward_of_a_single_example_is_one_dimensional():
    out = mlp.mlp_forward(X5[0], [W1, W2], [B1, B2])
    assert out.shape == (2,)
    np.testing.assert_allclose(out, mlp.mlp_forward(X5, [W1, W2], [B1, B2])[0])


def test_forward_returns_every_layer_when_asked():
    out, zs, hs = mlp.mlp_forward(X5, [W1, W2], [B1, B2], "tanh", return_layers=True)
    assert [z.shape for z in zs] == [(5, 4), (5, 2)]
    assert [h.shape for h in hs] == [(5, 3), (5, 4), (5, 2)]
    np.testing.assert_array_equal(hs[0], X5)
    np.testing.assert_allclose(hs[1], np.tanh(zs[0]))
    np.testing.assert_array_equal(out, hs[2])


def test_forward_accepts_lists_and_tensors():
    got = mlp.mlp_forward(X5.tolist(), [W1.tolist(), torch.from_numpy(W2)], [B1, B2.tolist()])
    np.testing.assert_allclose(got, mlp.mlp_forward(X5, [W1, W2], [B1, B2]))


def test_forward_matches_torch():
    net = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Tanh(), torch.nn.Linear(4, 2)).double()
    with torch.no_grad():
        for layer, W, b in zip(net[::2], [W1, W2], [B1, B2], strict=True):
            layer.weight.copy_(torch.from_numpy(W.T))
            layer.bias.copy_(torch.from_numpy(b))
        want = net(torch.from_numpy(X5)).numpy()
    np.testing.assert_allclose(mlp.mlp_forward(X5, [W1, W2], [B1, B2], "tanh"), want, rtol=1e-12)


@pytest.mark.parametrize("X, weights, biases, fragments", [
    (np.ones((5, 2)), [W1, W2], [B1, B2], ["layer 1", "X of shape (5, 2)", "W1", "3 rows"]),
    (X5, [W1, np.ones((5, 2))], [B1, B2], ["layer 1 has 4 output neurons", "W2", "4 rows, not 5"]),
    (X5, [W1, W2, np.ones((3, 1))], [B1, B2, np.zeros(1)], ["layer 2 has 2 output neurons", "W3"]),
    (X5, [W1, W2], [B1, np.zeros(3)], ["layer 2 has 2 output neurons", "b2 holds 3"]),
    (X5, [W1, W2], [B1, np.zeros((1, 2))], ["b2 must be a vector", "(1, 2)"]),
    (X5, [W1.ravel(), W2], [B1, B2], ["W1 must be a matrix", "(12,)"]),
    (np.ones((2, 5, 3)), [W1, W2], [B1, B2], ["batch of shape (examples, inputs)", "(2, 5, 3)"]),
    (X5, [W1, W2], [B1], ["2 weight matrices but 1 bias vectors"]),
    (X5, [], [], ["at least one layer"]),
])
def test_shape_errors_name_the_layer(X, weights, biases, fragments):
    with pytest.raises(ValueError) as info:
        mlp.mlp_forward(X, weights, biases)
    for fragment in fragments:
        assert fragment in str(info.value), str(info.value)


@pytest.mark.parametrize("X, weights, biases, fragment", [
    ("abc", [W1], [B1], "X (the inputs) must be numbers"),
    (None, [W1], [B1], "X (the inputs) must be numbers"),
    (X5 + 1j, [W1], [B1], "complex"),
    (X5, W1, B1, "weights must be a list"),
    (X5, [W1], B1, "biases must be a list"),
    (X5, [W1, "W2"], [B1, B2], "W2 (the weights of layer 2) must be numbers"),
    (X5, [W1, W2], [B1, None], "b2 (the biases of layer 2)"),
    (X5, [W1, W2], [B1, [1, [2]]], "b2"),
])
def test_non_numbers_are_type_errors(X, weights, biases, fragment):
    with pytest.raises(TypeError, match="mlp_forward") as info:
        mlp.mlp_forward(X, weights, biases)
    assert fragment in str(info.value)


def test_bad_activations():
    with pytest.raises(ValueError, match="unknown activation 'softplus'.*relu"):
        mlp.mlp_forward(X5, [W1], [B1], "softplus")
    with pytest.raises(ValueError, match="output_activation"):
        mlp.mlp_forward(X5, [W1], [B1], "relu", "soft")
    with pytest.raises(TypeError, match="activation must be a name"):
        mlp.mlp_forward(X5, [W1], [B1], 3)
    with pytest.raises(ValueError, match="layer 1 changed the shape"):
        mlp.mlp_forward(X5, [W1, W2], [B1, B2], lambda z: z.sum(axis=1))


def test_none_as_activation_means_identity():
    np.testing.assert_allclose(mlp.mlp_forward(X5, [W1], [B1], None, None), X5 @ W1 + B1)


# --- counting parameters ------------------------------------------------------------------


@pytest.mark.parametrize("sizes, count", [
    ([784, 16, 16, 10], 13_002), ([2, 1], 3), ((2, 2, 1), 9), ([2, 4, 1], 17), ([10, 10], 110),
    ([1, 2, 2, 2, 1], 19)])
def test_count_parameters(sizes, count):
    assert mlp.count_parameters(sizes) == count
    assert type(mlp.count_parameters(sizes)) is int


def test_count_matches_torch():
    net = torch.nn.Sequential(torch.nn.Linear(784, 16), torch.nn.Sigmoid(), torch.nn.Linear(16, 16),
                              torch.nn.Sigmoid(), torch.nn.Linear(16, 10))
    assert mlp.count_parameters([784, 16, 16, 10]) == sum(p.numel() for p in net.parameters())


def test_parameter_table_and_description():
    rows = mlp.parameter_table([784, 16, 16, 10])
    assert [r["weights"] for r in rows] == [12_544, 256, 160]
    assert [r["biases"] for r in rows] == [16, 16, 10]
    assert sum(r["total"] for r in rows) == 13_002
    text = mlp.describe_parameters([784, 16, 16, 10])
    assert "13,002" in text and "784 × 16" in text and "12,960" in text


@pytest.mark.parametrize("bad, error, fragment", [
    ([784], ValueError, "at least two numbers"),
    ([], ValueError, "at least two numbers"),
    ([2, 0, 1], ValueError, "at least 1"),
    ([2, -3, 1], ValueError, "at least 1"),
    ([2, 2.5, 1], TypeError, "whole number"),
    ([2, True, 1], TypeError, "whole number"),
    ("784,16,10", TypeError, "list of whole numbers"),
    (784, TypeError, "list of whole numbers"),
    (None, TypeError, "list of whole numbers"),
])
def test_count_parameters_rejects_bad_sizes(bad, error, fragment):
    with pytest.raises(error, match="count_parameters") as info:
        mlp.count_parameters(bad)
    assert fragment in str(info.value)


def test_numpy_integers_are_fine():
    assert mlp.count_parameters(np.array([2, 4, 1])) == 17
    assert mlp.count_parameters([np.int64(2), np.int32(4), 1]) == 17


# --- linear layers collapse ---------------------------------------------------------------


def test_collapse_linear_gives_the_same_outputs():
    weights, biases = mlp.init_mlp([3, 8, 8, 5, 2], "tanh", seed=1)
    biases = [RNG.normal(size=b.shape) for b in biases]
    W, b = mlp.collapse_linear(weights, biases)
    assert W.shape == (3, 2) and b.shape == (2,)
    np.testing.assert_allclose(X5 @ W + b, mlp.mlp_forward(X5, weights, biases, "identity"),
                               rtol=1e-10, atol=1e-12)


def test_collapse_of_one_layer_is_that_layer():
    W, b = mlp.collapse_linear([W1], [B1])
    np.testing.assert_array_equal(W, W1)
    np.testing.assert_array_equal(b, B1)


def test_collapse_names_the_mismatched_layer():
    with pytest.raises(ValueError, match="collapse_linear: layer 1 has 4 output neurons"):
        mlp.collapse_linear([W1, np.ones((3, 2))], [B1, B2])


# --- init and training --------------------------------------------------------------------


def test_init_mlp_shapes_scales_and_seed():
    weights, biases = mlp.init_mlp([784, 16, 16, 10], "relu", seed=0)
    assert [W.shape for W in weights] == [(784, 16), (16, 16), (16, 10)]
    assert all(np.all(b == 0) for b in biases)
    assert weights[0].std() == pytest.approx(math.sqrt(2 / 784), rel=0.05)
    glorot, _ = mlp.init_mlp([784, 16, 10], "tanh", seed=0)
    assert glorot[0].std() == pytest.approx(math.sqrt(2 / 800), rel=0.05)
    again, _ = mlp.init_mlp([784, 16, 16, 10], "relu", seed=0)
    other, _ = mlp.init_mlp([784, 16, 16, 10], "relu", seed=1)
    np.testing.assert_array_equal(weights[0], again[0])
    assert not np.allclose(weights[0], other[0])


def test_init_mlp_rejects_bad_arguments():
    with pytest.raises(ValueError, match="activation must be one of"):
        mlp.init_mlp([2, 1], "swish")
    with pytest.raises(ValueError, match="seed"):
        mlp.init_mlp([2, 1], "relu", seed=-1)
    with pytest.raises(ValueError, match="init_mlp"):
        mlp.init_mlp([2], "relu")


def test_one_neuron_cannot_do_xor_but_one_hidden_layer_can():
    X, y = make_xor()
    assert mlp.train_mlp(X, y, [], steps=500).accuracy(X, y) < 0.6
    model = mlp.train_mlp(X, y, [4], "tanh", steps=1000, lr=0.5)
    assert model.accuracy(X, y) == 1.0
    assert model.layer_sizes == [2, 4, 1]
    assert model.losses[-1] < 0.01 < model.losses[0]


def test_circles_need_a_hidden_layer_too():
    X, y = make_circles()
    assert mlp.train_mlp(X, y, [], steps=500).accuracy(X, y) < 0.6
    assert mlp.train_mlp(X, y, [4], "tanh", steps=1000, lr=0.5).accuracy(X, y) == 1.0


def test_deep_sigmoid_network_is_stuck_where_relu_and_tanh_learn():
    X, y = make_circles()
    losses = {a: mlp.train_mlp(X, y, [16] * 4, a, steps=1000, lr=0.1).losses[-1]
              for a in ("sigmoid", "tanh", "relu")}
    assert losses["sigmoid"] > 0.69 and losses["tanh"] < 0.05 and losses["relu"] < 0.05


def test_deep_linear_network_is_no_better_than_one_neuron():
    X, y = make_circles()
    model = mlp.train_mlp(X, y, [16, 16, 16], "identity", steps=1000, lr=0.1)
    assert model.accuracy(X, y) < 0.6
    W, b = mlp.collapse_linear(model.weights, model.biases)
    np.testing.assert_allclose(model.scores(X), (X @ W + b)[:, 0], rtol=1e-9, atol=1e-12)


def test_training_is_repeatable_and_records_every_step():
    X, y = make_xor(n=40)
    a = mlp.train_mlp(X, y, [3], "relu", steps=50, seed=2)
    b = mlp.train_mlp(X, y, [3], "relu", steps=50, seed=2)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert len(a.losses) == 51
    assert len(mlp.train_mlp(X, y, 3, steps=0).losses) == 1  # an int is one hidden layer
    assert "2-3-1" in repr(a) and "relu" in repr(a)


def test_trained_model_predictions():
    X, y = make_xor(n=40)
    model = mlp.train_mlp(X, y, [4], steps=300)
    p = model.predict_proba(X)
    assert p.shape == (40,) and np.all((p > 0) & (p < 1))
    np.testing.assert_array_equal(model.predict(X), (p >= 0.5).astype(int))
    np.testing.assert_allclose(p, activations.sigmoid(model.scores(X)))


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"y": np.arange(200) % 3}, ValueError, "labels 0 and 1"),
    ({"y": np.zeros(10)}, ValueError, "one label per row"),
    ({"X": np.zeros(200)}, ValueError, "shape (points, features)"),
    ({"X": np.full((200, 2), np.nan)}, ValueError, "finite number"),
    ({"lr": 0.0}, ValueError, "must be positive"),
    ({"lr": "fast"}, TypeError, "single number"),
    ({"momentum": 1.0}, ValueError, "momentum"),
    ({"steps": -1}, ValueError, "steps"),
    ({"steps": 2.5}, TypeError, "steps"),
    ({"hidden_sizes": "8"}, TypeError, "hidden_sizes"),
    ({"hidden_sizes": [8, 0]}, ValueError, "at least 1"),
    ({"activation": np.tanh}, ValueError, "activation must be one of"),
])
def test_train_mlp_rejects_bad_arguments(kwargs, error, fragment):
    X, y = make_xor()
    args = {"X": X, "y": y, **kwargs}
    with pytest.raises(error, match="train_mlp") as info:
        mlp.train_mlp(args.pop("X"), args.pop("y"), **args)
    assert fragment in str(info.value)
