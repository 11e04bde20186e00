"""Chapter 03's pictures: the neuron diagram, the boundary helpers, and the playground widget
with the numbers behind it."""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.contour import ContourSet
from matplotlib.figure import Figure
from widget_helpers import record_draws, same_picture_after_a_detour, shown

from course_utils import activations, neuron
from course_utils.plotting import band_colors, plot_points
from course_utils.widgets.ch03_one_neuron import (
    _quiet_spot,
    draw_logistic_playground,
    draw_neuron_diagram,
    likelihood_text,
    logistic_playground,
    logistic_playground_widget,
    playground_data,
    plot_boundary,
)


@pytest.fixture(scope="module")
def blobs():
    return playground_data()


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
    X, y = playground_data()
    view = logistic_playground(w1, w2, bias, X, y)
    base = _quiet_spot(view["line"], view["w"], X, view["xlim"], view["ylim"])
    assert view["w"] @ base + bias == pytest.approx(0.0, abs=1e-9)  # on the line
    tip = base + view["w"] / np.linalg.norm(view["w"])
    assert view["xlim"][0] <= tip[0] <= view["xlim"][1]
    assert view["ylim"][0] <= tip[1] <= view["ylim"][1]


# --- the playground's numbers ------------------------------------------------------------------


def test_playground_numbers(blobs):
    view = logistic_playground(1.0, 1.0, 0.0, blobs.X, blobs.y)
    p = activations.sigmoid(blobs.X @ np.array([1.0, 1.0]))
    np.testing.assert_allclose(view["p"], p)
    assert view["likelihood"] == pytest.approx(neuron.likelihood(blobs.y, p), rel=1e-10)
    assert view["log_likelihood"] == pytest.approx(neuron.log_likelihood(blobs.y, p), rel=1e-10)
    assert view["nll"] == pytest.approx(neuron.nll(blobs.y, p), rel=1e-10)
    assert view["log_likelihood"] == pytest.approx(-view["n"] * view["nll"])
    assert view["correct"] == 183 and view["n"] == 200 and not view["underflow"]
    assert view["grid_p"].shape == (101, 101) == view["grid_x"].shape
    assert view["line"].equation == "1.00·x + 1.00·y = 0.00"
    assert view["xlim"] == (-4, 5) and view["ylim"] == (-4, 5)


def test_playground_reports_an_underflowing_likelihood(blobs):
    view = logistic_playground(-3.0, -3.0, 0.0, blobs.X, blobs.y)
    assert view["likelihood"] == 0.0 and view["underflow"]
    assert math.isfinite(view["log_likelihood"]) and view["log_likelihood"] < -745


def test_playground_log_likelihood_stays_exact_for_steep_neurons(blobs):
    # σ(z) rounds to 1.0 for z > 37, so ln(1 − p) would be -inf; the playground works from z.
    view = logistic_playground(-4.0, -4.0, -6.0, blobs.X, blobs.y)
    assert math.isfinite(view["log_likelihood"])
    assert view["log_likelihood"] == pytest.approx(-view["n"] * neuron.nll_from_scores(blobs.y, view["z"]))


def test_playground_without_weights_has_no_line(blobs):
    view = logistic_playground(0.0, 0.0, 1.0, blobs.X, blobs.y)
    assert view["line"] is None
    np.testing.assert_allclose(view["grid_p"], activations.sigmoid(1.0))
    assert view["correct"] == 100  # every point is called class 1


def test_every_playground_control_changes_the_numbers(blobs):
    base = logistic_playground(1.0, 1.0, 0.0, blobs.X, blobs.y)
    for changed in ((1.5, 1.0, 0.0), (1.0, 1.5, 0.0), (1.0, 1.0, 0.5)):
        view = logistic_playground(*changed, blobs.X, blobs.y)
        assert view["nll"] != base["nll"]
        assert not np.array_equal(view["grid_p"], base["grid_p"])



def test_playground_refuses_what_it_cannot_draw(blobs):
    with pytest.raises(ValueError, match="logistic_playground draws a plane.*2 features"):
        logistic_playground(1.0, 1.0, 0.0, np.zeros((4, 3)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="resolution must be at least 2"):
        logistic_playground(1.0, 1.0, 0.0, blobs.X, blobs.y, resolution=1)
    with pytest.raises(ValueError, match="logistic_playground: y needs one label, 0 or 1"):
        logistic_playground(1.0, 1.0, 0.0, blobs.X, blobs.y[:10])
    with pytest.raises(TypeError, match="logistic_playground: the weight w2 must be a single number"):
        logistic_playground(1.0, "2", 0.0, blobs.X, blobs.y)
    with pytest.raises(ValueError, match="logistic_playground: X contains nan"):
        logistic_playground(1.0, 1.0, 0.0, np.full((3, 2), np.nan), [0, 1, 0])


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
    X, y = playground_data()
    fit = neuron.fit_logistic(X, y)
    w1, w2, bias = logistic_playground_widget().children[:3]
    plt.close("all")
    for slider, value in ((w1, fit.w[0]), (w2, fit.w[1]), (bias, fit.b)):
        assert slider.min < value < slider.max


def test_every_slider_redraws_the_picture():
    box = logistic_playground_widget()
    w1, w2, bias, output = box.children
    pictures = [shown(output)]
    for slider, value in ((w1, 2.5), (w2, -1.0), (bias, 1.5)):
        slider.value = value
        pictures.append(shown(output))
    assert len(set(pictures)) == 4
    w1.value, w2.value, bias.value = 1.0, 1.0, 0.0
    assert shown(output) == pictures[0]  # same settings, same picture
    assert same_picture_after_a_detour(box, w2, -2.0)
    plt.close("all")


def test_widget_uses_given_data_and_start_values(monkeypatch):
    import course_utils.widgets.ch03_one_neuron as module

    calls = record_draws(monkeypatch, module, "draw_logistic_playground")
    X, y = playground_data()
    box = module.logistic_playground_widget(X[:50], y[:50], w1=2.0, w2=0.5, bias=-1.0)
    box.children[2].value = 0.3
    assert [(c["w1"], c["w2"], c["bias"], len(c["X"])) for c in (calls[0], calls[-1])] == [
        (2.0, 0.5, -1.0, 50), (2.0, 0.5, 0.3, 50)]
    plt.close("all")
