"""Chapter 04's demos and widgets: the numbers behind them (half-planes, ReLU fits, depth), the
drawings, the controls, and a redraw for every control."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import record_draws, shown

from course_utils import activations, mlp
from course_utils.data import make_xor
from course_utils.widgets import ch04_mlp
from course_utils.widgets.ch04_mlp import (
    draw_half_planes,
    draw_relu_fit,
    half_plane_widget,
    plot_classifier,
    plot_regions,
    relu_fit_widget,
)


def _controls(box: widgets.Box) -> list[widgets.ValueWidget]:
    found = []
    for child in box.children:
        if isinstance(child, widgets.HBox):
            found.extend(child.children)
        elif not isinstance(child, widgets.Output):
            found.append(child)
    return found


# --- the numbers behind widget 1: half-planes --------------------------------------------

XOR_W1 = np.array([[3.0, 3.0], [3.0, 3.0]])
XOR_B1 = np.array([3.0, -3.0])


def test_hand_built_xor_network():
    X, y = make_xor()
    net = ch04_mlp.combine_half_planes(XOR_W1, XOR_B1, [10.0, -10.0], -5.0, points=X)
    assert net["hidden"].shape == (2, 121, 121) and net["output"].shape == (121, 121)
    assert net["axis"][0] == -2.5 and net["axis"][-1] == 2.5
    assert np.mean((net["point_output"] >= 0.5) == y) == pytest.approx(0.965)
    assert net["output"][60, 72] > 0.5  # (x1, x2) = (0.5, 0): inside the band
    assert net["output"][120, 120] < 0.5  # (2.5, 2.5): above both lines
    assert net["output"][0, 0] < 0.5  # (-2.5, -2.5): below both lines


def test_points_land_on_the_corners_of_the_hidden_square():
    X, y = make_xor()
    net = ch04_mlp.combine_half_planes(XOR_W1, XOR_B1, [10.0, -10.0], -5.0, points=X)
    H = net["point_hidden"]
    assert H.shape == (len(y), 2)
    np.testing.assert_allclose(H, activations.sigmoid(X @ XOR_W1 + XOR_B1))
    # class 1 (the band) lands near (1, 0); class 0 near (0, 0) or (1, 1)
    assert np.median(H[y == 1], axis=0) == pytest.approx([1.0, 0.0], abs=0.1)
    assert np.mean(np.abs(H[y == 0, 0] - H[y == 0, 1]) < 0.5) > 0.9  # near the diagonal


def test_hidden_plane_is_the_output_neuron_over_the_square():
    seen = ch04_mlp.hidden_plane([10.0, -10.0], -5.0)
    axis, out, line = seen["axis"], seen["output"], seen["line"]
    assert axis[0] == pytest.approx(-0.1) and axis[-1] == pytest.approx(1.1)
    assert out.shape == (61, 61)
    h1, h2 = np.meshgrid(axis, axis)  # row i is the i-th h2 value
    np.testing.assert_allclose(out, activations.sigmoid(10 * h1 - 10 * h2 - 5))
    np.testing.assert_allclose(line @ [10.0, -10.0] - 5.0, 0.0, atol=1e-9)  # on the edge
    assert np.all((line >= -0.1 - 1e-9) & (line <= 1.1 + 1e-9))
    assert ch04_mlp.hidden_plane([1.0, 1.0], -5.0)["line"] is None  # h1 + h2 = 5 misses the square
    flat = ch04_mlp.hidden_plane([0.0, 0.0], 2.0, output_activation="identity", resolution=3)
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
        ch04_mlp.hidden_plane(*args, **kwargs)
    assert fragment in str(info.value)


def test_grid_rows_are_x2_and_columns_are_x1():
    net = ch04_mlp.combine_half_planes([[10.0], [0.0]], [0.0], [1.0], 0.0, resolution=5)  # on for x1 > 0
    assert np.all(net["hidden"][0][:, -1] > 0.99) and np.all(net["hidden"][0][:, 0] < 0.01)


def test_hidden_lines_lie_on_the_edges_inside_the_square():
    net = ch04_mlp.combine_half_planes(XOR_W1, XOR_B1, [1.0, 1.0], 0.0)
    for segment, w, b in zip(net["lines"], XOR_W1.T, XOR_B1, strict=True):
        assert segment.shape == (2, 2)
        np.testing.assert_allclose(segment @ w + b, 0.0, atol=1e-9)
        assert np.all(np.abs(segment) <= 2.5 + 1e-9)


def test_identity_hidden_layer_gives_a_linear_output():
    net = ch04_mlp.combine_half_planes(XOR_W1, XOR_B1, [1.0, -0.5], 0.2, activation="identity",
                                  output_activation="identity", resolution=5)
    second = np.diff(net["output"], n=2, axis=1)
    np.testing.assert_allclose(second, 0.0, atol=1e-9)


@pytest.mark.parametrize("w, b, extent, expected", [
    ([1.0, 0.0], -1.0, 2.5, [[1.0, -2.5], [1.0, 2.5]]),     # the vertical line x1 = 1
    ([0.0, 2.0], 2.0, 2.5, [[2.5, -1.0], [-2.5, -1.0]]),    # the horizontal line x2 = -1
])
def test_line_in_square(w, b, extent, expected):
    segment = ch04_mlp.line_in_square(w, b, extent)
    assert sorted(map(tuple, np.round(segment, 9))) == sorted(map(tuple, expected))


def test_line_in_square_misses():
    assert ch04_mlp.line_in_square([1.0, 0.0], -3.0, 2.5) is None  # x1 = 3 is outside
    assert ch04_mlp.line_in_square([1.0, 1.0], -10.0, 2.5) is None
    assert ch04_mlp.line_in_square([0.0, 0.0], 1.0, 2.5) is None  # no weights, no line


def test_line_in_square_rejects_bad_input():
    with pytest.raises(ValueError, match="two weights"):
        ch04_mlp.line_in_square([1.0, 2.0, 3.0], 0.0)
    with pytest.raises(ValueError, match="extent must be positive"):
        ch04_mlp.line_in_square([1.0, 2.0], 0.0, 0.0)


def test_half_plane_weights():
    w, b = ch04_mlp.half_plane_weights(0.0, 1.0, 4.0)
    np.testing.assert_allclose(w, [4.0, 0.0], atol=1e-12)
    assert b == 4.0  # edge at x1 = -1, on the far side of the arrow
    w, b = ch04_mlp.half_plane_weights(90.0, -0.5)
    np.testing.assert_allclose(w, [0.0, 4.0], atol=1e-12)
    segment = ch04_mlp.line_in_square(w, b)
    np.testing.assert_allclose(segment[:, 1], 0.5)
    with pytest.raises(TypeError, match="angle"):
        ch04_mlp.half_plane_weights("45", 0.0)


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
        ch04_mlp.combine_half_planes(*args)
    assert fragment in str(info.value)


def test_combine_half_planes_rejects_bad_points_and_extent():
    with pytest.raises(ValueError, match=r"points must have shape \(n, 2\)"):
        ch04_mlp.combine_half_planes(XOR_W1, XOR_B1, [1, 1], 0.0, points=np.ones((4, 3)))
    with pytest.raises(ValueError, match="extent must be positive"):
        ch04_mlp.combine_half_planes(XOR_W1, XOR_B1, [1, 1], 0.0, extent=-1.0)
    with pytest.raises(ValueError, match="resolution"):
        ch04_mlp.combine_half_planes(XOR_W1, XOR_B1, [1, 1], 0.0, resolution=1)


# --- the numbers behind widget 2: universal approximation ----------------------------------


def test_even_units_have_evenly_spaced_kinks_from_the_left_edge():
    w, b = ch04_mlp.relu_units(4, "even")
    np.testing.assert_array_equal(w, 1.0)
    np.testing.assert_allclose(-b / w, [-3.0, -1.5, 0.0, 1.5])


def test_random_units_are_nested_and_repeatable():
    w5, b5 = ch04_mlp.relu_units(5, "random", seed=3)
    w6, b6 = ch04_mlp.relu_units(6, "random", seed=3)
    np.testing.assert_array_equal(w5, w6[:5])
    np.testing.assert_array_equal(b5, b6[:5])
    assert set(np.unique(w6)) <= {-1.0, 1.0}
    kinks = -b6 / w6
    assert np.all((kinks >= -3) & (kinks <= 3))


@pytest.mark.parametrize("target", list(ch04_mlp.TARGETS))
@pytest.mark.parametrize("placement", ch04_mlp.PLACEMENTS)
def test_fit_is_a_real_network_and_improves_with_more_units(target, placement):
    fit = ch04_mlp.fit_relu_units(12, target, placement)
    out = mlp.mlp_forward(fit["x"][:, None], fit["weights"], fit["biases"], "relu")[:, 0]
    np.testing.assert_allclose(out, fit["fit"], atol=1e-9)
    np.testing.assert_allclose(fit["units"].sum(axis=0) + fit["biases"][1][0], fit["fit"], atol=1e-9)
    assert fit["units"].shape == (12, 401)
    errors = ch04_mlp.relu_fit_errors(target, placement, 30)
    if placement == "random":  # the units are nested: one more unit never hurts
        assert np.all(np.diff(errors["rms"]) <= 1e-9)
    assert errors["rms"][-1] < 0.5 * errors["rms"][0]


def test_even_fit_of_the_wave_converges_quadratically():
    rms = [ch04_mlp.fit_relu_units(n, "wave")["rms"] for n in (16, 32, 64)]
    assert 3 < rms[0] / rms[1] < 5 and 3 < rms[1] / rms[2] < 5
    assert ch04_mlp.fit_relu_units(64, "wave")["max_error"] < 0.005


def test_fit_reports_its_error():
    fit = ch04_mlp.fit_relu_units(5, "bump", "even", n_points=11)
    error = fit["fit"] - fit["y"]
    assert fit["rms"] == pytest.approx(np.sqrt(np.mean(error**2)))
    assert fit["max_error"] == pytest.approx(np.abs(error).max())
    assert fit["x"].shape == (11,)


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: ch04_mlp.fit_relu_units(4, "cubic"), ValueError, "unknown target 'cubic'"),
    (lambda: ch04_mlp.fit_relu_units(0), ValueError, "n_units must be at least 1"),
    (lambda: ch04_mlp.fit_relu_units(2.5), TypeError, "whole number"),
    (lambda: ch04_mlp.relu_units(3, "grid"), ValueError, "placement must be one of"),
    (lambda: ch04_mlp.relu_fit_errors("wave", "even", 0), ValueError, "max_units"),
])
def test_universal_approximation_input_errors(call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value)


# --- depth ------------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1, 2, 3, 5, 8])
def test_sawtooth_doubles_the_pieces_with_each_layer(depth):
    weights, biases = ch04_mlp.sawtooth_network(depth)
    assert len(weights) == depth + 1
    assert sum(W.shape[1] for W in weights[:-1]) == 2 * depth
    t = np.linspace(0, 1, 2**10 + 1)
    out = mlp.mlp_forward(t[:, None], weights, biases, "relu")[:, 0]
    assert ch04_mlp.count_linear_pieces(t, out) == 2**depth
    assert out.min() == pytest.approx(0.0) and out.max() == pytest.approx(1.0)


def test_sawtooth_rejects_depth_zero():
    with pytest.raises(ValueError, match="depth must be at least 1"):
        ch04_mlp.sawtooth_network(0)


def test_count_linear_pieces():
    x = np.linspace(-1, 1, 21)
    assert ch04_mlp.count_linear_pieces(x, 3 * x + 1) == 1
    assert ch04_mlp.count_linear_pieces(x, np.abs(x)) == 2
    assert ch04_mlp.count_linear_pieces(x, activations.relu(x) + activations.relu(x - 0.5)) == 3
    with pytest.raises(ValueError, match="strictly increasing"):
        ch04_mlp.count_linear_pieces(x[::-1], x)
    with pytest.raises(ValueError, match="same length"):
        ch04_mlp.count_linear_pieces(x, x[:-1])


def test_gradient_through_depth():
    results = {a: ch04_mlp.gradient_through_depth(a, depth=20) for a in ("sigmoid", "tanh", "relu")}
    for g in results.values():
        assert g["layer"].tolist() == list(range(1, 21))
        assert g["signal"].shape == g["slope"].shape == (20,)
    assert results["sigmoid"]["signal"][0] < 1e-8
    assert np.all(results["sigmoid"]["slope"] <= 0.25)
    assert results["relu"]["signal"][0] > 0.1
    assert results["tanh"]["signal"][0] > 1e-3
    again = ch04_mlp.gradient_through_depth("relu", depth=20)
    np.testing.assert_array_equal(again["signal"], results["relu"]["signal"])


def test_gradient_through_depth_rejects_bad_input():
    with pytest.raises(ValueError, match="activation must be one of"):
        ch04_mlp.gradient_through_depth("gelu")
    with pytest.raises(ValueError, match="depth"):
        ch04_mlp.gradient_through_depth("relu", depth=0)


# --- widget 1: combining half-planes ----------------------------------------------------------


def _texts(ax) -> list[str]:
    return [t.get_text() for t in ax.texts]


def test_half_plane_drawing_starts_at_the_xor_solution():
    fig = draw_half_planes()
    try:
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 2
        assert "96% of the XOR points" in fig._suptitle.get_text()
        inputs, hidden = fig.axes
        assert "h1 = σ(2.83·x1 + 2.83·x2 + 2.8)" in _texts(inputs)
        assert "h2 = σ(2.83·x1 + 2.83·x2 − 2.8)" in _texts(inputs)
        assert {"h1", "h2"} <= set(_texts(inputs))  # the arrows' labels
        assert "output = σ(10·h1 − 10·h2 − 5)" in _texts(hidden)
        assert len(inputs.lines) == 2  # the two hidden neurons' edges
        assert (hidden.get_xlabel(), hidden.get_ylabel()) == ("h1", "h2")
    finally:
        plt.close(fig)


def test_the_hidden_plane_shows_where_the_points_land():
    fig = draw_half_planes()
    try:
        hidden = fig.axes[1]
        X, y = make_xor()
        points = np.concatenate([c.get_offsets() for c in hidden.collections
                                 if len(c.get_offsets()) in (np.sum(y == 0), np.sum(y == 1))])
        assert len(points) == len(y)
        assert np.all((points >= 0) & (points <= 1))  # sigmoid neurons: h in (0, 1)
        assert hidden.get_xlim() == (-0.1, 1.1)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("kwargs, score", [
    ({"v2": 0.0}, "72%"),               # only h1: one half-plane
    ({"angle2": 135.0}, "49%"),         # a wedge that does not fit XOR
    ({"v1": -10.0, "v2": 10.0, "c": 5.0}, "4%"),  # every answer reversed
    ({"v2": 10.0, "c": -15.0}, "26%"),  # AND: above both lines
])
def test_the_notebooks_suggestions_give_what_it_says(kwargs, score):
    fig = draw_half_planes(**kwargs)
    try:
        assert f"{score} of the XOR points" in fig._suptitle.get_text()
    finally:
        plt.close(fig)


def test_a_line_outside_the_square_is_left_out():
    fig = draw_half_planes(bias1=3.0, angle1=0.0)  # h1's edge at x1 = -3, outside the picture
    try:
        inputs = fig.axes[0]
        assert len(inputs.lines) == 1 and "h1" not in _texts(inputs) and "h2" in _texts(inputs)
        assert "h1 = σ(4·x1 + 0·x2 + 12)" in _texts(inputs)
    finally:
        plt.close(fig)
    fig = draw_half_planes(v1=0.0, v2=0.0, c=0.0)  # a flat output: no boundary to draw
    try:
        assert "50%" in fig._suptitle.get_text()
    finally:
        plt.close(fig)


def test_formulas_show_no_float_noise():
    fig = draw_half_planes(angle1=90.0, bias1=0.0, angle2=270.0, c=0.0)
    try:
        texts = _texts(fig.axes[0]) + _texts(fig.axes[1])
        assert "h1 = σ(0·x1 + 4·x2 + 0)" in texts
        assert "h2 = σ(0·x1 − 4·x2 − 2.8)" in texts
        assert "output = σ(10·h1 − 10·h2 + 0)" in texts
    finally:
        plt.close(fig)
    fig = draw_half_planes(angle1=180.0, v1=-10.0)
    try:
        texts = _texts(fig.axes[0]) + _texts(fig.axes[1])
        assert "h1 = σ(−4·x1 + 0·x2 + 2.8)" in texts  # a minus sign, not a hyphen
        assert "output = σ(−10·h1 − 10·h2 − 5)" in texts
    finally:
        plt.close(fig)


def test_half_plane_widget_has_seven_sliders_in_two_columns():
    box = half_plane_widget()
    plt.close("all")
    controls = _controls(box)
    assert [c.description for c in controls] == [
        "h1 direction (°)", "h1 bias", "h2 direction (°)", "h2 bias", "output weight v1",
        "output weight v2", "output bias c"]
    assert all(isinstance(c, widgets.FloatSlider) for c in controls)
    assert isinstance(box.children[-1], widgets.Output)
    assert any(isinstance(child, widgets.HBox) for child in box.children)


def test_every_half_plane_control_changes_the_picture():
    box = half_plane_widget()
    output = box.children[-1]
    seen = {shown(output)}
    for control, value in zip(_controls(box), [120.0, 0.0, 200.0, 1.0, 5.0, 3.0, 2.0],
                              strict=True):
        control.value = value
        seen.add(shown(output))
    plt.close("all")
    assert len(seen) == 8  # the start and one new picture per control


# --- widget 2: universal approximation ------------------------------------------------------


def test_relu_fit_drawing():
    fig = draw_relu_fit(8, "wave", "even")
    try:
        assert len(fig.axes) == 2
        fit = ch04_mlp.fit_relu_units(8, "wave", "even")
        assert f"RMS error {fit['rms']:.3f}" in fig.axes[0].get_title()
        assert "8 ReLU units" in fig._suptitle.get_text()
        assert "evenly spaced" in fig._suptitle.get_text()
        assert len(fig.axes[0].lines) == 3  # target, fit, kinks
        [ramps] = fig.axes[0].collections  # one ramp per unit, drawn as one artist
        assert len(ramps.get_segments()) == 8
    finally:
        plt.close(fig)


def test_relu_fit_widget_controls():
    box = relu_fit_widget()
    plt.close("all")
    units, target, placement = _controls(box)
    assert isinstance(units, widgets.IntSlider) and units.min == 1 and units.max == 40
    assert list(target.options) == list(ch04_mlp.TARGETS)
    assert set(placement.options) == {"evenly spaced", "random"} and placement.value == "even"


def test_every_relu_fit_control_changes_the_picture():
    box = relu_fit_widget()
    output = box.children[-1]
    units, target, placement = _controls(box)
    first = shown(output)
    units.value = 12
    second = shown(output)
    target.value = "step"
    third = shown(output)
    placement.value = "random"
    fourth = shown(output)
    assert len({first, second, third, fourth}) == 4
    units.value, target.value, placement.value = 4, "wave", "even"
    assert shown(output) == first  # same settings, same picture
    plt.close("all")


def test_redraw_calls_draw_with_the_control_values(monkeypatch):
    calls = record_draws(monkeypatch, ch04_mlp, "draw_relu_fit")
    box = ch04_mlp.relu_fit_widget()
    box.children[0].value = 20
    plt.close("all")
    assert calls[0] == {"n_units": 4, "target": "wave", "placement": "even"}
    assert calls[-1] == {"n_units": 20, "target": "wave", "placement": "even"}


# --- the plotting helpers -------------------------------------------------------------------


def test_plot_regions_and_classifier():
    X, y = make_xor(n=20)
    fig, (left, right) = plt.subplots(1, 2)
    try:
        axis = np.linspace(-1, 1, 5)
        plot_regions(left, axis, np.full((5, 5), 0.3), X, y, lines=[None, np.array([[0, -1], [0, 1]])],
                     title="flat")
        assert left.get_title() == "flat" and len(left.lines) == 1
        plot_classifier(right, lambda P: (P[:, 0] > 0).astype(float), X, y, extent=2.0,
                        resolution=11)
        assert right.get_xlim() == (-2.0, 2.0)
    finally:
        plt.close(fig)


def test_plot_classifier_rejects_bad_predictors():
    fig, ax = plt.subplots()
    try:
        with pytest.raises(TypeError, match="function from points"):
            plot_classifier(ax, np.zeros(4))
        with pytest.raises(ValueError, match="one number per point"):
            plot_classifier(ax, lambda P: np.zeros(3), resolution=5)
    finally:
        plt.close(fig)
