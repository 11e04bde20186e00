"""Chapter 06's pictures and widget: the graph layout, table and drawing, the neuron behind the
widget, the widget's controls, and the weight-gradient heat maps."""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from widget_helpers import picture_changes, record_draws, same_picture_after_a_detour

from course_utils.autograd import Value, topological_order
from course_utils.widgets import ch06_backprop
from course_utils.widgets.ch06_backprop import (
    ACTIVATION_MENU,
    draw_neuron_graph,
    neuron_graph,
    neuron_graph_title,
    neuron_graph_widget,
)


def small_graph():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    d.backward()
    return a, b, c, d


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts] + \
        [ax.get_title() for ax in fig.axes]


def test_layout_puts_every_node_right_of_its_inputs():
    nodes = neuron_graph()
    where = ch06_backprop.graph_layout(nodes["C"])
    order = topological_order(nodes["C"])
    assert set(where) == {id(n) for n in order}
    for node in order:
        for child in node._prev:
            assert where[id(child)][0] < where[id(node)][0]
    assert where[id(nodes["C"])][0] == max(x for x, _ in where.values())


def test_layout_puts_inputs_just_before_their_first_use():
    nodes = neuron_graph()
    where = ch06_backprop.graph_layout(nodes["C"])
    step = ch06_backprop.COLUMN_WIDTH
    assert where[id(nodes["b"])][0] == pytest.approx(where[id(nodes["z"])][0] - step)
    assert where[id(nodes["y"])][0] == pytest.approx(where[id(nodes["a − y"])][0] - step)


def test_layout_never_stacks_two_nodes_on_one_spot():
    nodes = neuron_graph()
    where = ch06_backprop.graph_layout(nodes["C"])
    spots = {(round(x, 6), round(y, 6)) for x, y in where.values()}
    assert len(spots) == len(where)


def test_table_lists_nodes_inputs_first():
    a, b, c, d = small_graph()
    rows = ch06_backprop.graph_table(d)
    assert [r["label"] for r in rows][-1] == "d"
    by_label = {r["label"]: r for r in rows}
    assert by_label["c"] == {"label": "c", "op": "*", "data": -6.0, "grad": 1.0}
    assert by_label["a"]["grad"] == -2.0  # b + 1: a is used twice


def test_drawing_shows_labels_values_gradients_and_operations():
    a, b, c, d = small_graph()
    fig = ch06_backprop.draw_graph(d, title="a·b + a")
    try:
        shown = texts(fig)
        for fragment in ("a", "b", "c", "d", "data -6", "grad -2", "grad 1", "×", "+", "a·b + a"):
            assert fragment in shown, fragment
    finally:
        plt.close(fig)


def test_drawing_without_gradients_and_on_given_axes():
    a, b, c, d = small_graph()
    fig, ax = plt.subplots()
    try:
        assert ch06_backprop.draw_graph(d, show_grad=False, ax=ax) is fig
        assert not any(t.startswith("grad") for t in texts(fig))
    finally:
        plt.close(fig)


def test_operation_symbols():
    v = Value(3.0)
    out = ((v ** 2) - v.sigmoid()) / 2  # division is built as · 2^(−1)
    fig = ch06_backprop.draw_graph(out)
    try:
        shown = texts(fig)
        assert {"^2", "σ", "−", "×", "^-1"} <= set(shown)
    finally:
        plt.close(fig)


class Handmade:
    """A Value-like class such as the one the notebook builds: only data, grad and _prev."""

    def __init__(self, data, children=()):
        self.data, self.grad, self._prev = data, 0.0, tuple(children)


def test_any_value_like_object_can_be_drawn():
    x = Handmade(1.0)
    y = Handmade(2.0, (x,))
    fig = ch06_backprop.draw_graph(y)
    try:
        assert "data 2" in texts(fig)
    finally:
        plt.close(fig)


def test_bad_input():
    with pytest.raises(TypeError, match="can only draw a Value"):
        ch06_backprop.draw_graph(3.0)
    big = Value(1.0)
    for _ in range(ch06_backprop.MAX_NODES):
        big = big + 1
    with pytest.raises(ValueError, match="drawings stay readable up to"):
        ch06_backprop.draw_graph(big)


def test_weight_gradient_heat_maps_show_x_delta_and_dW():
    x = np.array([[1.0, 0.0], [1.0, 0.5], [0.0, 0.5]])
    delta = np.array([[-1.0, 0.0, 2.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    fig = ch06_backprop.draw_weight_gradient(x, delta)
    try:
        assert [ax.get_title() for ax in fig.axes] == ["input activity x", "output error δ",
                                                        "dW = xᵀδ"]
        images = [ax.get_images()[0].get_array() for ax in fig.axes]
        np.testing.assert_array_equal(images[0], x)
        np.testing.assert_array_equal(images[1], delta)
        np.testing.assert_array_equal(images[2], x.T @ delta)
        assert [t.get_text() for t in fig.axes[2].texts] == ["-2", "0", "2", "-0.5", "0", "0.5"]
        assert fig.axes[0].get_images()[0].get_cmap().name == "RdBu"  # blue = positive
    finally:
        plt.close(fig)


def test_weight_gradient_needs_one_row_per_example_in_both():
    with pytest.raises(ValueError, match="one row per example"):
        ch06_backprop.draw_weight_gradient(np.ones((3, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="must be a matrix"):
        ch06_backprop.draw_weight_gradient(np.ones(3), np.ones((3, 2)))


# --- the neuron behind the widget -------------------------------------------------------------------


def test_neuron_graph_matches_the_hand_computation():
    nodes = neuron_graph(x1=1.0, w1=0.5, x2=2.0, w2=-1.0, b=0.5, target=1.0)
    z = 0.5 * 1.0 - 1.0 * 2.0 + 0.5
    a = 1 / (1 + math.exp(-z))
    dz = 2 * (a - 1) * a * (1 - a)
    assert nodes["z"].data == pytest.approx(z)
    assert nodes["a"].data == pytest.approx(a)
    assert nodes["C"].data == pytest.approx((a - 1) ** 2)
    assert nodes["C"].grad == 1.0
    assert nodes["w1"].grad == pytest.approx(dz * 1.0)
    assert nodes["w2"].grad == pytest.approx(dz * 2.0)
    assert nodes["b"].grad == pytest.approx(dz)
    assert nodes["x2"].grad == pytest.approx(dz * -1.0)
    assert nodes["y"].grad == pytest.approx(-2 * (a - 1))
    assert set(nodes) == {"x1", "w1", "x2", "w2", "b", "y", "w1·x1", "w2·x2", "sum", "z", "a",
                          "a − y", "C"}
    assert all(nodes[name].label == name for name in nodes)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu"])
def test_neuron_graph_agrees_with_torch(activation):
    args = dict(x1=-0.7, w1=1.3, x2=0.4, w2=0.9, b=0.2, target=0.3)
    nodes = neuron_graph(**args, activation=activation)
    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": torch.relu}[activation]
    t = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in args.items()}
    cost = (act(t["w1"] * t["x1"] + t["w2"] * t["x2"] + t["b"]) - t["target"]) ** 2
    cost.backward()
    assert nodes["C"].data == pytest.approx(float(cost.detach()), rel=1e-12)
    for name in ("x1", "w1", "x2", "w2", "b"):
        assert nodes[name].grad == pytest.approx(float(t[name].grad), rel=1e-12, abs=1e-15)
    assert nodes["y"].grad == pytest.approx(float(t["target"].grad), rel=1e-12)


def test_neuron_graph_bad_input():
    with pytest.raises(ValueError, match="activation"):
        neuron_graph(activation="linear")
    with pytest.raises(TypeError, match="single real number"):
        neuron_graph(x1="1")


# --- the widget ------------------------------------------------------------------------


def controls_of(box: widgets.VBox) -> list[widgets.ValueWidget]:
    found = []
    for child in box.children[:-1]:
        found.extend(child.children if isinstance(child, widgets.HBox) else [child])
    return found


def test_draw_returns_the_graph_with_the_gradients_in_the_title():
    fig = draw_neuron_graph()
    try:
        assert isinstance(fig, Figure)
        title = fig.axes[0].get_title()
        nodes = neuron_graph()
        assert title == neuron_graph_title(nodes)
        assert f"{nodes['w1'].grad:+.4f}" in title and f"{nodes['C'].data:.4f}" in title
        labels = {t.get_text() for t in fig.axes[0].texts}
        assert {"x1", "w1", "x2", "w2", "b", "z", "a", "C", "σ"} <= labels
    finally:
        plt.close(fig)


def test_title_follows_the_numbers():
    nodes = neuron_graph(x1=2.0, w1=-1.0, x2=0.0, w2=0.0, b=0.0, target=0.0, activation="relu")
    # z = -2 < 0: ReLU is flat there, so no gradient reaches the weights
    assert "∂C/∂w1 = +0.0000" in neuron_graph_title(nodes) or \
        "∂C/∂w1 = -0.0000" in neuron_graph_title(nodes)


def test_widget_has_six_sliders_a_menu_and_an_output():
    box = neuron_graph_widget()
    try:
        controls = controls_of(box)
        assert [c.description for c in controls] == ["input x1", "weight w1", "input x2",
                                                     "weight w2", "bias b", "target y",
                                                     "activation"]
        assert all(isinstance(c, widgets.FloatSlider) for c in controls[:6])
        assert isinstance(controls[6], widgets.Dropdown)
        assert set(controls[6].options) == set(ACTIVATION_MENU)
        assert isinstance(box.children[-1], widgets.Output)
    finally:
        plt.close("all")


@pytest.mark.parametrize("index, new_value", [
    (0, -1.5), (1, 2.0), (2, 0.0), (3, 1.0), (4, -2.0), (5, 0.0), (6, "tanh"), (6, "relu"),
])
def test_every_control_changes_the_picture(index, new_value):
    box = neuron_graph_widget()
    try:
        assert picture_changes(box, controls_of(box)[index], new_value)
    finally:
        plt.close("all")


def test_same_settings_same_picture():
    box = neuron_graph_widget()
    try:
        assert same_picture_after_a_detour(box, controls_of(box)[0], 2.5)
    finally:
        plt.close("all")


def test_redraw_passes_the_control_values(monkeypatch):
    calls = record_draws(monkeypatch, ch06_backprop, "draw_neuron_graph")
    box = ch06_backprop.neuron_graph_widget()
    try:
        controls_of(box)[1].value = -2.0
        assert calls[0] == {"x1": 1.0, "w1": 0.5, "x2": 2.0, "w2": -1.0, "b": 0.5,
                            "target": 1.0, "activation": "sigmoid"}
        assert calls[-1]["w1"] == -2.0
    finally:
        plt.close("all")
