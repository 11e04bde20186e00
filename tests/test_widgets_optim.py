"""Chapter 05's widgets: the drawings, the controls, and a new picture for every control."""

from __future__ import annotations

import warnings

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from course_utils.widgets.optim import (
    RACE_DEFAULTS,
    draw_learning_rate,
    draw_optimizer_race,
    learning_rate_widget,
    optimizer_race_widget,
)


def _close(fig: Figure) -> None:
    plt.close(fig)


def _texts(fig: Figure) -> str:
    parts = [fig._suptitle.get_text() if fig._suptitle else ""]
    for ax in fig.axes:
        parts.append(ax.get_title())
        legend = ax.get_legend()
        if legend:
            parts.extend(t.get_text() for t in legend.get_texts())
    return " | ".join(parts)


# --- widget 1: the learning rate -------------------------------------------------------------


@pytest.mark.parametrize("surface", ["1-D bowl", "2-D bowl"])
def test_draw_learning_rate_has_the_walk_and_the_loss(surface):
    fig = draw_learning_rate(surface, 0.3, 30)
    try:
        assert isinstance(fig, Figure) and len(fig.axes) == 2
        text = _texts(fig)
        assert "lr = 0.30" in text and "diverges above 2" in text
        walk, loss = fig.axes
        assert loss.get_yscale() == "log"
        assert len(loss.lines[0].get_xdata()) == 31  # the start and 30 steps
    finally:
        _close(fig)


@pytest.mark.parametrize("lr, word", [(0.02, "crawls"), (0.5, "converges"), (1.5, "zig-zagging"),
                                      (2.0, "bounces"), (2.4, "diverges")])
def test_learning_rate_title_gives_the_verdict(lr, word):
    fig = draw_learning_rate("1-D bowl", lr, 30)
    try:
        assert word in fig._suptitle.get_text()
    finally:
        _close(fig)


def test_diverging_walk_draws_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for surface in ("1-D bowl", "2-D bowl"):
            fig = draw_learning_rate(surface, 2.4, 100)
            assert "stopped" in fig._suptitle.get_text()
            _close(fig)


def test_learning_rate_widget_controls():
    box = learning_rate_widget()
    controls, output = box.children[:-1], box.children[-1]
    assert [c.description for c in controls] == ["surface", "learning rate", "steps"]
    assert isinstance(controls[0], widgets.Dropdown)
    assert list(controls[0].options) == ["1-D bowl", "2-D bowl"]
    lr = controls[1]
    assert lr.min <= 1.0 <= lr.max and lr.min <= 2.0 <= lr.max < 3  # both limits reachable
    assert lr.max > 2.0  # and beyond: divergence
    assert isinstance(output, widgets.Output)
    plt.close("all")


def _shown(output: widgets.Output) -> str:
    assert len(output.outputs) == 1, "old figures must be replaced, not stacked"
    [item] = output.outputs
    assert item["output_type"] == "display_data", item.get("text")
    return item["data"]["image/png"]


def test_every_learning_rate_control_changes_the_picture():
    box = learning_rate_widget()
    surface, lr, steps, output = box.children
    pictures = [_shown(output)]
    surface.value = "2-D bowl"
    pictures.append(_shown(output))
    lr.value = 1.8
    pictures.append(_shown(output))
    steps.value = 60
    pictures.append(_shown(output))
    lr.value = 2.4  # diverges: still a picture, not an error
    pictures.append(_shown(output))
    steps.value = 100  # after the run was stopped, the axis still follows the slider
    pictures.append(_shown(output))
    assert len(set(pictures)) == len(pictures)
    surface.value, lr.value, steps.value = "1-D bowl", 0.3, 30
    assert _shown(output) == pictures[0]  # same settings, same picture
    plt.close("all")


# --- widget 2: the race --------------------------------------------------------------------


def test_draw_optimizer_race_names_every_runner():
    fig = draw_optimizer_race()
    try:
        assert len(fig.axes) == 2
        assert list(RACE_DEFAULTS) == ["SGD", "momentum", "AdaGrad", "RMSProp", "Adam"]
        text = _texts(fig)
        for name, lr in RACE_DEFAULTS.items():
            assert f"{name}, lr {lr:g}" in text
        assert "300 steps" in text and "diverged" not in text
    finally:
        _close(fig)


def test_race_marks_a_diverged_runner():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = draw_optimizer_race(sgd_lr=0.021, momentum_lr=0.03)
    try:
        text = _texts(fig)
        assert "SGD, lr 0.021: diverged at step" in text
        assert "momentum, lr 0.03: diverged at step" in text
        assert "Adam, lr 0.1: loss" in text
    finally:
        _close(fig)


def test_race_widget_controls():
    box = optimizer_race_widget()
    controls = box.children[:-1]
    assert [c.description for c in controls] == ["SGD lr", "momentum lr", "AdaGrad lr",
                                                 "RMSProp lr", "Adam lr", "steps"]
    for control, name in zip(controls[:5], RACE_DEFAULTS, strict=True):
        assert control.value == pytest.approx(RACE_DEFAULTS[name])
    assert controls[0].max > 0.018  # SGD can be pushed past its edge
    plt.close("all")


def test_every_race_control_changes_the_picture():
    box = optimizer_race_widget()
    *controls, output = box.children
    pictures = [_shown(output)]
    for control, value in zip(controls, (0.015, 0.002, 1.0, 0.05, 0.2, 150), strict=True):
        control.value = value
        pictures.append(_shown(output))
    assert len(set(pictures)) == len(pictures)
    plt.close("all")


def test_race_redraw_passes_the_slider_values(monkeypatch):
    import course_utils.widgets.optim as module

    calls: list[dict] = []
    real = module.draw_optimizer_race

    def recording(**values):
        calls.append(values)
        return real(**values)

    monkeypatch.setattr(module, "draw_optimizer_race", recording)
    box = module.optimizer_race_widget()
    box.children[4].value = 0.25
    assert calls[-1] == {"sgd_lr": 0.01, "momentum_lr": 0.005, "adagrad_lr": 0.3,
                         "rmsprop_lr": 0.02, "adam_lr": 0.25, "steps": 300}
    plt.close("all")
