"""Chapter 04's widgets and pictures: the drawings, the controls, and a redraw for every control."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils import mlp
from course_utils.data import make_xor
from course_utils.widgets.mlp import (
    draw_half_planes,
    draw_relu_fit,
    half_plane_widget,
    plot_classifier,
    plot_regions,
    relu_fit_widget,
)


def _shown(output: widgets.Output) -> str:
    """The PNG the widget shows now (exactly one output, never an error)."""
    assert len(output.outputs) == 1, "old figures must be replaced, not stacked"
    [item] = output.outputs
    assert item["output_type"] == "display_data", item.get("text")
    return item["data"]["image/png"]


def _controls(box: widgets.Box) -> list[widgets.ValueWidget]:
    found = []
    for child in box.children:
        if isinstance(child, widgets.HBox):
            found.extend(child.children)
        elif not isinstance(child, widgets.Output):
            found.append(child)
    return found


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
    seen = {_shown(output)}
    for control, value in zip(_controls(box), [120.0, 0.0, 200.0, 1.0, 5.0, 3.0, 2.0],
                              strict=True):
        control.value = value
        seen.add(_shown(output))
    plt.close("all")
    assert len(seen) == 8  # the start and one new picture per control


# --- widget 2: universal approximation ------------------------------------------------------


def test_relu_fit_drawing():
    fig = draw_relu_fit(8, "wave", "even")
    try:
        assert len(fig.axes) == 2
        fit = mlp.fit_relu_units(8, "wave", "even")
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
    assert list(target.options) == list(mlp.TARGETS)
    assert set(placement.options) == {"evenly spaced", "random"} and placement.value == "even"


def test_every_relu_fit_control_changes_the_picture():
    box = relu_fit_widget()
    output = box.children[-1]
    units, target, placement = _controls(box)
    first = _shown(output)
    units.value = 12
    second = _shown(output)
    target.value = "step"
    third = _shown(output)
    placement.value = "random"
    fourth = _shown(output)
    assert len({first, second, third, fourth}) == 4
    units.value, target.value, placement.value = 4, "wave", "even"
    assert _shown(output) == first  # same settings, same picture
    plt.close("all")


def test_redraw_calls_draw_with_the_control_values(monkeypatch):
    import course_utils.widgets.mlp as module

    calls: list[dict] = []
    real_draw = module.draw_relu_fit

    def recording_draw(**values):
        calls.append(values)
        return real_draw(**values)

    monkeypatch.setattr(module, "draw_relu_fit", recording_draw)
    box = module.relu_fit_widget()
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
