"""Chapter 03's pictures: the neuron diagram, the boundary helpers and the playground widget."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure

from course_utils.widgets.neuron import (
    band_colors,
    draw_logistic_playground,
    draw_neuron_diagram,
    likelihood_text,
    logistic_playground_widget,
    playground_data,
    plot_boundary,
    plot_points,
)


def _texts(fig: Figure) -> str:
    """Every piece of text on the figure: figure texts, axes titles and texts."""
    parts = [t.get_text() for t in fig.texts]
    for ax in fig.axes:
        parts.append(ax.get_title())
        parts.extend(t.get_text() for t in ax.texts)
    return "\n".join(parts)


def test_playground_data_is_the_overlapping_blobs():
    X, y = playground_data()
    assert X.shape == (200, 2) and set(np.unique(y)) == {0, 1}
    np.testing.assert_array_equal(playground_data().X, X)  # same points every time


def test_draw_playground_shows_line_and_likelihood():
    fig = draw_logistic_playground(1.0, 1.0, 0.0)
    try:
        assert isinstance(fig, Figure)
        text = _texts(fig)
        assert "line 1.00·x + 1.00·y = 0.00" in text
        assert "likelihood L = q1·q2·…·q200 = 5.71e-20" in text
        assert "log-likelihood ln L = -44.31" in text
        assert "mean NLL = −ln L / 200 = 0.2216" in text
        assert "183 of 200" in text
        left = fig.axes[0]
        assert any(isinstance(c, ContourSet) for c in left.collections)  # the shading
        assert len(left.lines) == 1  # the decision line
    finally:
        plt.close(fig)


def test_draw_playground_announces_underflow():
    fig = draw_logistic_playground(-3.0, -3.0, 0.0)
    try:
        assert "= 0.0 (underflow: really ≈ 1e-575)" in _texts(fig)
    finally:
        plt.close(fig)


def test_draw_playground_without_weights_says_there_is_no_line():
    fig = draw_logistic_playground(0.0, 0.0, 1.0)
    try:
        text = _texts(fig)
        assert "no line" in text and "σ(1) = 0.73" in text
        assert len(fig.axes[0].lines) == 0
    finally:
        plt.close(fig)


@pytest.mark.parametrize("w1, w2, bias", [(1.0, 1.0, 0.0), (-3.0, -3.0, 0.0), (2.0, 0.0, -6.0),
                                           (0.1, 2.0, 3.0)])
def test_the_weight_arrow_sits_on_the_line_inside_the_box(w1, w2, bias):
    from course_utils.neuron import logistic_playground
    from course_utils.widgets.neuron import _quiet_spot

    X, y = playground_data()
    view = logistic_playground(w1, w2, bias, X, y)
    base = _quiet_spot(view["line"], view["w"], X, view["xlim"], view["ylim"])
    assert view["w"] @ base + bias == pytest.approx(0.0, abs=1e-9)  # on the line
    tip = base + view["w"] / np.linalg.norm(view["w"])
    assert view["xlim"][0] <= tip[0] <= view["xlim"][1]
    assert view["ylim"][0] <= tip[1] <= view["ylim"][1]


def test_band_colors_are_pale_and_run_from_blue_to_red():
    colors = np.array(band_colors())
    assert colors.shape == (10, 3)
    assert colors.min() >= 0.55 - 1e-12 and colors.max() <= 1.0  # mixed with white: pale
    assert colors[0, 2] > colors[0, 0] and colors[-1, 0] > colors[-1, 2]  # blue → red


def test_likelihood_text_from_numbers():
    view = {"likelihood": 1e-3, "log_likelihood": -6.9, "n": 3, "nll": 2.3, "correct": 2,
            "underflow": False}
    assert likelihood_text(view).splitlines() == [
        "likelihood L = q1·q2·…·q3 = 0.001    log-likelihood ln L = -6.90",
        "mean NLL = −ln L / 3 = 2.3000    correct side of the line: 2 of 3",
    ]


def test_neuron_diagram_shows_the_worked_numbers():
    fig = draw_neuron_diagram([2.0, -1.0, 0.5], [0.8, -0.4, 1.5], -1.0)
    try:
        text = _texts(fig)
        for piece in ("x1", "x3", "w2 = -0.4", "= 1.75", "b = -1", "σ(z)", "a = 0.852"):
            assert piece in text, piece
        assert "dendrites" not in text
    finally:
        plt.close(fig)


def test_neuron_diagram_with_biology_and_a_step():
    fig = draw_neuron_diagram([1.0, 1.0], [1.0, 1.0], -3.0, activation="step", biology=True)
    try:
        text = _texts(fig)
        assert "dendrites" in text and "cell body" in text and "axon" in text
        assert "step(z)" in text and "a = 0" in text
    finally:
        plt.close(fig)


def test_neuron_diagram_refuses_too_many_inputs():
    with pytest.raises(ValueError, match="at most 6"):
        draw_neuron_diagram(np.ones(7), np.ones(7), 0.0)


def test_plot_helpers_draw_onto_an_axes():
    X, y = playground_data()
    fig, ax = plt.subplots()
    try:
        plot_points(ax, X, y)
        shading = plot_boundary(ax, [1.0, -1.0], 0.5, (-4, 4), (-4, 4), color="C2")
        assert isinstance(shading, ContourSet) and list(shading.levels) == pytest.approx(
            np.linspace(0, 1, 11))  # bands of 10 %
        assert len(ax.collections) == 3 and len(ax.lines) == 1  # 2 classes + the shading
        assert ax.lines[0].get_color() == "C2"
        assert plot_boundary(ax, [0.0, 0.0], 0.5, (-4, 4), (-4, 4), shade=False) is None
        assert len(ax.lines) == 1  # no line for w = 0
    finally:
        plt.close(fig)
    with pytest.raises(ValueError, match="shape \\(n, 2\\)"):
        plot_points(ax, np.zeros((3, 3)), [0, 1, 0])


def test_widget_has_three_sliders_and_an_output():
    box = logistic_playground_widget()
    sliders, output = box.children[:-1], box.children[-1]
    assert [s.description for s in sliders] == ["weight w1", "weight w2", "bias b"]
    assert all(isinstance(s, widgets.FloatSlider) for s in sliders)
    assert [s.value for s in sliders] == [1.0, 1.0, 0.0]
    assert isinstance(output, widgets.Output)
    plt.close("all")


def test_the_fitted_neuron_is_within_the_sliders_reach():
    from course_utils.neuron import fit_logistic

    X, y = playground_data()
    fit = fit_logistic(X, y)
    w1, w2, bias = logistic_playground_widget().children[:3]
    plt.close("all")
    for slider, value in ((w1, fit.w[0]), (w2, fit.w[1]), (bias, fit.b)):
        assert slider.min < value < slider.max


def _shown(output: widgets.Output) -> str:
    assert len(output.outputs) == 1, "old figures must be replaced, not stacked"
    [item] = output.outputs
    assert item["output_type"] == "display_data", item.get("text")
    return item["data"]["image/png"]


def test_every_slider_redraws_the_picture():
    box = logistic_playground_widget()
    w1, w2, bias, output = box.children
    pictures = [_shown(output)]
    for slider, value in ((w1, 2.5), (w2, -1.0), (bias, 1.5)):
        slider.value = value
        pictures.append(_shown(output))
    assert len(set(pictures)) == 4
    w1.value, w2.value, bias.value = 1.0, 1.0, 0.0
    assert _shown(output) == pictures[0]  # same settings, same picture
    plt.close("all")


def test_widget_uses_given_data_and_start_values(monkeypatch):
    import course_utils.widgets.neuron as module

    calls: list[tuple] = []
    real_draw = module.draw_logistic_playground

    def recording_draw(w1, w2, bias, X, y):
        calls.append((w1, w2, bias, len(X)))
        return real_draw(w1, w2, bias, X, y)

    monkeypatch.setattr(module, "draw_logistic_playground", recording_draw)
    X, y = playground_data()
    box = module.logistic_playground_widget(X[:50], y[:50], w1=2.0, w2=0.5, bias=-1.0)
    box.children[2].value = 0.3
    assert calls[0] == (2.0, 0.5, -1.0, 50)
    assert calls[-1] == (2.0, 0.5, 0.3, 50)
    plt.close("all")
