"""Chapter 06's widget: the drawing, the controls, and a visible change for every control."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from widget_helpers import picture_changes, record_draws, same_picture_after_a_detour

from course_utils.backprop import neuron_graph
from course_utils.widgets.autograd import (
    ACTIVATION_MENU,
    draw_neuron_graph,
    neuron_graph_title,
    neuron_graph_widget,
)


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
    import course_utils.widgets.autograd as module

    calls = record_draws(monkeypatch, module, "draw_neuron_graph")
    box = module.neuron_graph_widget()
    try:
        controls_of(box)[1].value = -2.0
        assert calls[0] == {"x1": 1.0, "w1": 0.5, "x2": 2.0, "w2": -1.0, "b": 0.5,
                            "target": 1.0, "activation": "sigmoid"}
        assert calls[-1]["w1"] == -2.0
    finally:
        plt.close("all")
