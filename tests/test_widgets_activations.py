"""Chapter 01's widget: the drawing, the controls, and a redraw when a slider moves."""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from course_utils.widgets.activations import base_sigmoid_widget, draw_base_sigmoid


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


def _shown(output: widgets.Output) -> tuple[str, str]:
    """The one output the widget holds: (PNG data, text)."""
    assert len(output.outputs) == 1, "old figures must be replaced, not stacked"
    [item] = output.outputs
    assert item["output_type"] == "display_data", item.get("text")
    return item["data"]["image/png"], item["data"]["text/plain"]


def test_moving_a_slider_redraws_the_output():
    box = base_sigmoid_widget()
    base, steepness, shift, output = box.children
    first, _ = _shown(output)  # drawn once straight away, never empty
    base.value = 2.0
    second, _ = _shown(output)
    steepness.value = 2.0
    third, _ = _shown(output)
    shift.value = -1.5
    fourth, _ = _shown(output)
    assert len({first, second, third, fourth}) == 4
    base.value = math.e
    steepness.value = 1.0
    shift.value = 0.0
    assert _shown(output)[0] == first  # same settings, same picture: the drawing is deterministic


def test_redraw_calls_draw_with_the_slider_values(monkeypatch):
    import course_utils.widgets.activations as module

    calls: list[dict] = []
    real_draw = module.draw_base_sigmoid

    def recording_draw(**values):
        calls.append(values)
        return real_draw(**values)

    monkeypatch.setattr(module, "draw_base_sigmoid", recording_draw)
    box = module.base_sigmoid_widget()
    box.children[0].value = 10.0
    assert calls[0] == {"base": pytest.approx(math.e), "steepness": 1.0, "shift": 0.0}
    assert calls[-1] == {"base": 10.0, "steepness": 1.0, "shift": 0.0}
