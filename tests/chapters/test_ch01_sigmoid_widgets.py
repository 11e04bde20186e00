"""Chapter 01's widget: what it computes, the drawing, the controls, and a redraw when a slider moves."""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import record_draws, shown

from course_utils import activations
from course_utils.widgets import ch01_sigmoid
from course_utils.widgets.ch01_sigmoid import (
    base_sigmoid_curve,
    base_sigmoid_widget,
    draw_base_sigmoid,
)

# --- what the widget computes ---------------------------------------------------------------


def test_base_sigmoid_curve_contents():
    curve = base_sigmoid_curve()
    for key in ("x", "y", "slope", "natural", "natural_slope"):
        assert curve[key].shape == (401,), key
    assert curve["x"][0] == -8.0 and curve["x"][-1] == 8.0
    np.testing.assert_allclose(curve["y"], curve["natural"], rtol=1e-14)
    assert curve["centre_slope"] == pytest.approx(0.25)
    assert curve["rate"] == pytest.approx(1.0)


def test_base_sigmoid_curve_with_other_parameters():
    curve = base_sigmoid_curve(2.0, 2.0, 1.0, x=np.array([-1.0, 1.0, 3.0]))
    assert curve["rate"] == pytest.approx(2 * math.log(2))
    assert curve["centre"] == 1.0
    assert curve["centre_slope"] == pytest.approx(math.log(2) / 2)
    np.testing.assert_allclose(curve["y"],
                               activations.sigmoid(2 * math.log(2) * (curve["x"] - 1.0)))
    assert curve["y"][1] == 0.5
    assert curve["slope"][1] == pytest.approx(curve["centre_slope"])


@pytest.mark.parametrize("base, message", [(1.0, "flat line"), (0.0, "must be positive"),
                                           (-2.0, "must be positive")])
def test_base_sigmoid_curve_rejects_bad_bases(base, message):
    with pytest.raises(ValueError, match=message):
        base_sigmoid_curve(base)


def test_base_sigmoid_curve_rejects_a_bad_grid():
    with pytest.raises(ValueError, match="1-D"):
        base_sigmoid_curve(x=np.zeros((2, 2)))
    with pytest.raises(ValueError, match="two points"):
        base_sigmoid_curve(x=[1.0])
    with pytest.raises(TypeError, match="base_sigmoid_curve: x"):
        base_sigmoid_curve(x="abc")


# --- the drawing and the widget ------------------------------------------------------------


def test_draw_returns_two_panels_with_the_slope_in_the_title():
    fig = draw_base_sigmoid()
    try:
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 2
        title = fig._suptitle.get_text()
        assert "0.250" in title and "natural sigmoid" in title
        left, right = fig.axes
        assert len(left.lines) >= 2 and len(right.lines) >= 2  # curve + the σ reference
    finally:
        plt.close(fig)


@pytest.mark.parametrize("base, steepness, expected", [
    (2.0, 1.0, math.log(2) / 4),
    (10.0, 1.0, math.log(10) / 4),
    (math.e, 2.0, 0.5),
])
def test_title_reports_ln_b_times_k_over_four(base, steepness, expected):
    fig = draw_base_sigmoid(base, steepness, 0.0)
    try:
        title = fig._suptitle.get_text()
        assert f"= {expected:.3f}" in title
        assert "natural sigmoid" not in title
    finally:
        plt.close(fig)


def _title(base: float, steepness: float) -> str:
    fig = draw_base_sigmoid(base, steepness, 0.0)
    try:
        return fig._suptitle.get_text()
    finally:
        plt.close(fig)


def test_title_notices_when_steepness_cancels_the_base():
    assert "≈ 1/4" in _title(10.0, 1 / math.log(10))


@pytest.mark.parametrize("base, steepness", [(2.0, 1.44), (10.0, 0.43)])
def test_the_notebooks_suggested_settings_reach_a_quarter(base, steepness):
    # The notebook asks for k ≈ 1.44 at b = 2 and k ≈ 0.43 at b = 10: the slider must offer
    # those values, and the title must confirm them.
    slider = base_sigmoid_widget().children[1]
    plt.close("all")
    assert slider.description == "steepness k"
    assert slider.min <= steepness <= slider.max
    steps = (steepness - slider.min) / slider.step
    assert steps == pytest.approx(round(steps), abs=1e-9), "not a value the slider can take"
    assert "≈ 1/4" in _title(base, steepness)


@pytest.mark.parametrize("base, steepness", [(10.0, 0.44), (2.0, 1.5), (math.e, 1.05)])
def test_title_stays_quiet_when_the_slope_is_not_a_quarter(base, steepness):
    assert "1/4" not in _title(base, steepness)


def test_natural_label_only_for_base_e_with_steepness_one():
    assert "natural sigmoid" in _title(math.e, 1.0)
    assert "natural sigmoid" in _title(2.72, 1.0)  # where the base slider lands near e
    title = _title(math.e, 0.99)
    assert "natural sigmoid" not in title and "≈ 1/4" in title


def test_widget_has_three_sliders_and_an_output():
    box = base_sigmoid_widget()
    sliders, output = box.children[:-1], box.children[-1]
    assert [s.description for s in sliders] == ["base b", "steepness k", "shift"]
    assert all(isinstance(s, widgets.FloatSlider) for s in sliders)
    assert sliders[0].value == pytest.approx(math.e)
    assert sliders[0].min > 1  # base 1 would be a flat line
    assert isinstance(output, widgets.Output)
    plt.close("all")


def test_moving_a_slider_redraws_the_output():
    box = base_sigmoid_widget()
    base, steepness, shift, output = box.children
    first = shown(output)  # drawn once straight away, never empty
    base.value = 2.0
    second = shown(output)
    steepness.value = 2.0
    third = shown(output)
    shift.value = -1.5
    fourth = shown(output)
    assert len({first, second, third, fourth}) == 4
    base.value = math.e
    steepness.value = 1.0
    shift.value = 0.0
    assert shown(output) == first  # same settings, same picture: the drawing is deterministic


def test_redraw_calls_draw_with_the_slider_values(monkeypatch):
    calls = record_draws(monkeypatch, ch01_sigmoid, "draw_base_sigmoid")
    box = ch01_sigmoid.base_sigmoid_widget()
    box.children[0].value = 10.0
    assert calls[0] == {"base": pytest.approx(math.e), "steepness": 1.0, "shift": 0.0}
    assert calls[-1] == {"base": 10.0, "steepness": 1.0, "shift": 0.0}
