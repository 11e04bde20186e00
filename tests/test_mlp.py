"""Unit tests of course_utils.mlp: forward pass, parameter counts, collapse, trainer, widget maths."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_utils import activations as act
from course_utils import mlp
from course_utils.data import make_circles, make_xor

RNG = np.random.default_rng(0)
X5 = RNG.normal(size=(5, 3))
W1, B1 = RNG.normal(size=(3, 4)), RNG.normal(size=4)
W2, B2 = RNG.normal(size=(4, 2)), RNG.normal(size=2)


# --- the forward pass ---------------------------------------------------------------------


def test_forward_matches_the_formula():
    want = act.relu(X5 @ W1 + B1) @ W2 + B2
    np.testing.assert_allclose(mlp.mlp_forward(X5, [W1, W2], [B1, B2]), want, rtol=1e-12)
    np.testing.assert_allclose(mlp.mlp_forward(X5, [W1, W2], [B1, B2], "tanh"),
                               np.tanh(X5 @ W1 + B1) @ W2 + B2, rtol=1e-12)
    np.testing.assert_allclose(mlp.mlp_forward(X5, [W1, W2], [B1, B2], np.tanh, act.sigmoid),
                               act.sigmoid(np.tanh(X5 @ W1 + B1) @ W2 + B2), rtol=1e-12)


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
    np.testing.assert_allclose(p, act.sigmoid(model.scores(X)))


@pytest.mark.parametrize("kwargs, error, fragment", [
    ({"y": np.arange(200) % 3}, ValueError, "labels 0 and 1"),
    ({"y": np.zeros(10)}, ValueError, "one label per row"),
    ({"X": np.zeros(200)}, ValueError, "shape (points, features)"),
    ({"X": np.full((200, 2), np.nan)}, ValueError, "nan or inf"),
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


# --- widget 1: half-planes ------------------------------------------------------------------

XOR_W1 = np.array([[3.0, 3.0], [3.0, 3.0]])
XOR_B1 = np.array([3.0, -3.0])


def test_hand_built_xor_network():
    X, y = make_xor()
    net = mlp.combine_half_planes(XOR_W1, XOR_B1, [10.0, -10.0], -5.0, points=X)
    assert net["hidden"].shape == (2, 121, 121) and net["output"].shape == (121, 121)
    assert net["axis"][0] == -2.5 and net["axis"][-1] == 2.5
    assert np.mean((net["point_output"] >= 0.5) == y) == pytest.approx(0.965)
    assert net["output"][60, 72] > 0.5  # (x1, x2) = (0.5, 0): inside the band
    assert net["output"][120, 120] < 0.5  # (2.5, 2.5): above both lines
    assert net["output"][0, 0] < 0.5  # (-2.5, -2.5): below both lines


def test_points_land_on_the_corners_of_the_hidden_square():
    X, y = make_xor()
    net = mlp.combine_half_planes(XOR_W1, XOR_B1, [10.0, -10.0], -5.0, points=X)
    H = net["point_hidden"]
    assert H.shape == (len(y), 2)
    np.testing.assert_allclose(H, act.sigmoid(X @ XOR_W1 + XOR_B1))
    # class 1 (the band) lands near (1, 0); class 0 near (0, 0) or (1, 1)
    assert np.median(H[y == 1], axis=0) == pytest.approx([1.0, 0.0], abs=0.1)
    assert np.mean(np.abs(H[y == 0, 0] - H[y == 0, 1]) < 0.5) > 0.9  # near the diagonal


def test_hidden_plane_is_the_output_neuron_over_the_square():
    seen = mlp.hidden_plane([10.0, -10.0], -5.0)
    axis, out, line = seen["axis"], seen["output"], seen["line"]
    assert axis[0] == pytest.approx(-0.1) and axis[-1] == pytest.approx(1.1)
    assert out.shape == (61, 61)
    h1, h2 = np.meshgrid(axis, axis)  # row i is the i-th h2 value
    np.testing.assert_allclose(out, act.sigmoid(10 * h1 - 10 * h2 - 5))
    np.testing.assert_allclose(line @ [10.0, -10.0] - 5.0, 0.0, atol=1e-9)  # on the edge
    assert np.all((line >= -0.1 - 1e-9) & (line <= 1.1 + 1e-9))
    assert mlp.hidden_plane([1.0, 1.0], -5.0)["line"] is None  # h1 + h2 = 5 misses the square
    flat = mlp.hidden_plane([0.0, 0.0], 2.0, output_activation="identity", resolution=3)
    np.testing.assert_allclose(flat["output"], 2.0)
    assert flat["line"] is None


@pytest.mark.parametrize("args, kwargs, error, fragment", [
    (([1.0, 2.0, 3.0], 0.0), {}, ValueError, "two weights"),
    (([1.0, 2.0], "0"), {}, TypeError, "b2 must be a single number"),
    (([1.0, 2.0], 0.0), {"low": 1.0, "high": 0.0}, ValueError, "high must be larger"),
    (([1.0, 2.0], 0.0), {"resolution": 1}, ValueError, "resolution"),
    (([1.0, 2.0], 0.0), {"output_activation": "step"}, ValueError, "unknown output_activation"),
])
def test_hidden_plane_rejects_bad_input(args, kwargs, error, fragment):
    with pytest.raises(error, match="hidden_plane") as info:
        mlp.hidden_plane(*args, **kwargs)
    assert fragment in str(info.value)


def test_grid_rows_are_x2_and_columns_are_x1():
    net = mlp.combine_half_planes([[10.0], [0.0]], [0.0], [1.0], 0.0, resolution=5)  # on for x1 > 0
    assert np.all(net["hidden"][0][:, -1] > 0.99) and np.all(net["hidden"][0][:, 0] < 0.01)


def test_hidden_lines_lie_on_the_edges_inside_the_square():
    net = mlp.combine_half_planes(XOR_W1, XOR_B1, [1.0, 1.0], 0.0)
    for segment, w, b in zip(net["lines"], XOR_W1.T, XOR_B1, strict=True):
        assert segment.shape == (2, 2)
        np.testing.assert_allclose(segment @ w + b, 0.0, atol=1e-9)
        assert np.all(np.abs(segment) <= 2.5 + 1e-9)


def test_identity_hidden_layer_gives_a_linear_output():
    net = mlp.combine_half_planes(XOR_W1, XOR_B1, [1.0, -0.5], 0.2, activation="identity",
                                  output_activation="identity", resolution=5)
    second = np.diff(net["output"], n=2, axis=1)
    np.testing.assert_allclose(second, 0.0, atol=1e-9)


@pytest.mark.parametrize("w, b, extent, expected", [
    ([1.0, 0.0], -1.0, 2.5, [[1.0, -2.5], [1.0, 2.5]]),     # the vertical line x1 = 1
    ([0.0, 2.0], 2.0, 2.5, [[2.5, -1.0], [-2.5, -1.0]]),    # the horizontal line x2 = -1
])
def test_line_in_square(w, b, extent, expected):
    segment = mlp.line_in_square(w, b, extent)
    assert sorted(map(tuple, np.round(segment, 9))) == sorted(map(tuple, expected))


def test_line_in_square_misses():
    assert mlp.line_in_square([1.0, 0.0], -3.0, 2.5) is None  # x1 = 3 is outside
    assert mlp.line_in_square([1.0, 1.0], -10.0, 2.5) is None
    assert mlp.line_in_square([0.0, 0.0], 1.0, 2.5) is None  # no weights, no line


def test_line_in_square_rejects_bad_input():
    with pytest.raises(ValueError, match="two weights"):
        mlp.line_in_square([1.0, 2.0, 3.0], 0.0)
    with pytest.raises(ValueError, match="extent must be positive"):
        mlp.line_in_square([1.0, 2.0], 0.0, 0.0)


def test_half_plane_weights():
    w, b = mlp.half_plane_weights(0.0, 1.0, 4.0)
    np.testing.assert_allclose(w, [4.0, 0.0], atol=1e-12)
    assert b == 4.0  # edge at x1 = -1, on the far side of the arrow
    w, b = mlp.half_plane_weights(90.0, -0.5)
    np.testing.assert_allclose(w, [0.0, 4.0], atol=1e-12)
    segment = mlp.line_in_square(w, b)
    np.testing.assert_allclose(segment[:, 1], 0.5)
    with pytest.raises(TypeError, match="angle"):
        mlp.half_plane_weights("45", 0.0)


@pytest.mark.parametrize("args, error, fragment", [
    ((np.ones((3, 2)), [0, 0], [1, 1], 0.0), ValueError, "shape (2, hidden neurons)"),
    ((np.ones((2, 2)), [0, 0, 0], [1, 1], 0.0), ValueError, "need 2 numbers each"),
    ((np.ones((2, 2)), [0, 0], [1], 0.0), ValueError, "need 2 numbers each"),
    ((np.ones((2, 2)), [0, 0], [1, 1], [0.0]), TypeError, "b2 must be a single number"),
    ((np.ones((2, 2)), [0, 0], [1, 1], float("nan")), ValueError, "finite"),
    (("W1", [0, 0], [1, 1], 0.0), TypeError, "W1 must be numbers"),
])
def test_combine_half_planes_rejects_bad_input(args, error, fragment):
    with pytest.raises(error, match="combine_half_planes") as info:
        mlp.combine_half_planes(*args)
    assert fragment in str(info.value)


def test_combine_half_planes_rejects_bad_points_and_extent():
    with pytest.raises(ValueError, match=r"points must have shape \(n, 2\)"):
        mlp.combine_half_planes(XOR_W1, XOR_B1, [1, 1], 0.0, points=np.ones((4, 3)))
    with pytest.raises(ValueError, match="extent must be positive"):
        mlp.combine_half_planes(XOR_W1, XOR_B1, [1, 1], 0.0, extent=-1.0)
    with pytest.raises(ValueError, match="resolution"):
        mlp.combine_half_planes(XOR_W1, XOR_B1, [1, 1], 0.0, resolution=1)


# --- widget 2: universal approximation -----------------------------------------------------


def test_even_units_have_evenly_spaced_kinks_from_the_left_edge():
    w, b = mlp.relu_units(4, "even")
    np.testing.assert_array_equal(w, 1.0)
    np.testing.assert_allclose(-b / w, [-3.0, -1.5, 0.0, 1.5])


def test_random_units_are_nested_and_repeatable():
    w5, b5 = mlp.relu_units(5, "random", seed=3)
    w6, b6 = mlp.relu_units(6, "random", seed=3)
    np.testing.assert_array_equal(w5, w6[:5])
    np.testing.assert_array_equal(b5, b6[:5])
    assert set(np.unique(w6)) <= {-1.0, 1.0}
    kinks = -b6 / w6
    assert np.all((kinks >= -3) & (kinks <= 3))


@pytest.mark.parametrize("target", list(mlp.TARGETS))
@pytest.mark.parametrize("placement", mlp.PLACEMENTS)
def test_fit_is_a_real_network_and_improves_with_more_units(target, placement):
    fit = mlp.fit_relu_units(12, target, placement)
    out = mlp.mlp_forward(fit["x"][:, None], fit["weights"], fit["biases"], "relu")[:, 0]
    np.testing.assert_allclose(out, fit["fit"], atol=1e-9)
    np.testing.assert_allclose(fit["units"].sum(axis=0) + fit["biases"][1][0], fit["fit"], atol=1e-9)
    assert fit["units"].shape == (12, 401)
    errors = mlp.relu_fit_errors(target, placement, 30)
    if placement == "random":  # the units are nested: one more unit never hurts
        assert np.all(np.diff(errors["rms"]) <= 1e-9)
    assert errors["rms"][-1] < 0.5 * errors["rms"][0]


def test_even_fit_of_the_wave_converges_quadratically():
    rms = [mlp.fit_relu_units(n, "wave")["rms"] for n in (16, 32, 64)]
    assert 3 < rms[0] / rms[1] < 5 and 3 < rms[1] / rms[2] < 5
    assert mlp.fit_relu_units(64, "wave")["max_error"] < 0.005


def test_fit_reports_its_error():
    fit = mlp.fit_relu_units(5, "bump", "even", n_points=11)
    error = fit["fit"] - fit["y"]
    assert fit["rms"] == pytest.approx(np.sqrt(np.mean(error**2)))
    assert fit["max_error"] == pytest.approx(np.abs(error).max())
    assert fit["x"].shape == (11,)


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: mlp.fit_relu_units(4, "cubic"), ValueError, "unknown target 'cubic'"),
    (lambda: mlp.fit_relu_units(0), ValueError, "n_units must be at least 1"),
    (lambda: mlp.fit_relu_units(2.5), TypeError, "whole number"),
    (lambda: mlp.relu_units(3, "grid"), ValueError, "placement must be one of"),
    (lambda: mlp.relu_fit_errors("wave", "even", 0), ValueError, "max_units"),
])
def test_universal_approximation_input_errors(call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value)


# --- depth ------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2, 3, 5, 8])
def test_sawtooth_doubles_the_pieces_with_each_layer(depth):
    weights, biases = mlp.sawtooth_network(depth)
    assert len(weights) == depth + 1
    assert sum(W.shape[1] for W in weights[:-1]) == 2 * depth
    t = np.linspace(0, 1, 2**10 + 1)
    out = mlp.mlp_forward(t[:, None], weights, biases, "relu")[:, 0]
    assert mlp.count_linear_pieces(t, out) == 2**depth
    assert out.min() == pytest.approx(0.0) and out.max() == pytest.approx(1.0)


def test_sawtooth_rejects_depth_zero():
    with pytest.raises(ValueError, match="depth must be at least 1"):
        mlp.sawtooth_network(0)


def test_count_linear_pieces():
    x = np.linspace(-1, 1, 21)
    assert mlp.count_linear_pieces(x, 3 * x + 1) == 1
    assert mlp.count_linear_pieces(x, np.abs(x)) == 2
    assert mlp.count_linear_pieces(x, act.relu(x) + act.relu(x - 0.5)) == 3
    with pytest.raises(ValueError, match="strictly increasing"):
        mlp.count_linear_pieces(x[::-1], x)
    with pytest.raises(ValueError, match="same length"):
        mlp.count_linear_pieces(x, x[:-1])


def test_gradient_through_depth():
    results = {a: mlp.gradient_through_depth(a, depth=20) for a in ("sigmoid", "tanh", "relu")}
    for g in results.values():
        assert g["layer"].tolist() == list(range(1, 21))
        assert g["signal"].shape == g["slope"].shape == (20,)
    assert results["sigmoid"]["signal"][0] < 1e-8
    assert np.all(results["sigmoid"]["slope"] <= 0.25)
    assert results["relu"]["signal"][0] > 0.1
    assert results["tanh"]["signal"][0] > 1e-3
    again = mlp.gradient_through_depth("relu", depth=20)
    np.testing.assert_array_equal(again["signal"], results["relu"]["signal"])


def test_gradient_through_depth_rejects_bad_input():
    with pytest.raises(ValueError, match="activation must be one of"):
        mlp.gradient_through_depth("gelu")
    with pytest.raises(ValueError, match="depth"):
        mlp.gradient_through_depth("relu", depth=0)
