"""Unit tests of course_utils.graph_plot: the layered layout, the table, the drawing."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils import backprop as bp
from course_utils import graph_plot as gp
from course_utils.autograd import Value, topological_order


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
    nodes = bp.neuron_graph()
    where = gp.graph_layout(nodes["C"])
    order = topological_order(nodes["C"])
    assert set(where) == {id(n) for n in order}
    for node in order:
        for child in node._prev:
            assert where[id(child)][0] < where[id(node)][0]
    assert where[id(nodes["C"])][0] == max(x for x, _ in where.values())


def test_layout_puts_inputs_just_before_their_first_use():
    nodes = bp.neuron_graph()
    where = gp.graph_layout(nodes["C"])
    step = gp.COLUMN_WIDTH
    assert where[id(nodes["b"])][0] == pytest.approx(where[id(nodes["z"])][0] - step)
    assert where[id(nodes["y"])][0] == pytest.approx(where[id(nodes["a − y"])][0] - step)


def test_layout_never_stacks_two_nodes_on_one_spot():
    nodes = bp.neuron_graph()
    where = gp.graph_layout(nodes["C"])
    spots = {(round(x, 6), round(y, 6)) for x, y in where.values()}
    assert len(spots) == len(where)


def test_table_lists_nodes_inputs_first():
    a, b, c, d = small_graph()
    rows = gp.graph_table(d)
    assert [r["label"] for r in rows][-1] == "d"
    by_label = {r["label"]: r for r in rows}
    assert by_label["c"] == {"label": "c", "op": "*", "data": -6.0, "grad": 1.0}
    assert by_label["a"]["grad"] == -2.0  # b + 1: a is used twice


def test_drawing_shows_labels_values_gradients_and_operations():
    a, b, c, d = small_graph()
    fig = gp.draw_graph(d, title="a·b + a")
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
        assert gp.draw_graph(d, show_grad=False, ax=ax) is fig
        assert not any(t.startswith("grad") for t in texts(fig))
    finally:
        plt.close(fig)


def test_operation_symbols():
    v = Value(3.0)
    out = ((v ** 2) - v.sigmoid()) / 2
    fig = gp.draw_graph(out)
    try:
        shown = texts(fig)
        assert {"^2", "σ", "−", "÷"} <= set(shown)
    finally:
        plt.close(fig)


class Handmade:
    """A Value-like class such as the one the notebook builds: only data, grad and _prev."""

    def __init__(self, data, children=()):
        self.data, self.grad, self._prev = data, 0.0, tuple(children)


def test_any_value_like_object_can_be_drawn():
    x = Handmade(1.0)
    y = Handmade(2.0, (x,))
    fig = gp.draw_graph(y)
    try:
        assert "data 2" in texts(fig)
    finally:
        plt.close(fig)


def test_bad_input():
    with pytest.raises(TypeError, match="can only draw a Value"):
        gp.draw_graph(3.0)
    big = Value(1.0)
    for _ in range(gp.MAX_NODES):
        big = big + 1
    with pytest.raises(ValueError, match="drawings stay readable up to"):
        gp.draw_graph(big)


def test_weight_gradient_heat_maps_show_x_delta_and_dW():
    x = np.array([[1.0, 0.0], [1.0, 0.5], [0.0, 0.5]])
    delta = np.array([[-1.0, 0.0, 2.0], [-1.0, 0.0, 0.0], [0.0, 0.0, 1.0]])
    fig = gp.draw_weight_gradient(x, delta)
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
        gp.draw_weight_gradient(np.ones((3, 2)), np.ones((4, 2)))
    with pytest.raises(ValueError, match="must be a matrix"):
        gp.draw_weight_gradient(np.ones(3), np.ones((3, 2)))
