"""Chapter 05's demos and widgets: the numbers behind each demo and widget (learning-rate runs,
basins and saddles, mini-batch training on a logistic-regression problem, the optimiser race),
the drawings, the controls, and a new picture for every control."""

from __future__ import annotations

import math
import warnings

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import record_draws, shown

from course_utils import landscapes, optim
from course_utils.widgets import ch05_gradient_descent
from course_utils.widgets.ch05_gradient_descent import (
    LR_SURFACES,
    RACE_DEFAULTS,
    LogisticProblem,
    basin_map,
    draw_learning_rate,
    draw_optimizer_race,
    fraction_of_minima,
    gradient_noise,
    learning_rate_regime,
    learning_rate_run,
    learning_rate_widget,
    optimizer_race,
    optimizer_race_widget,
    overshoots,
    train_minibatch,
)


@pytest.fixture
def strict():
    """Every warning is an error: a diverging run must not leak overflow warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- section 4: the learning rate on a bowl --------------------------------------------------


def test_overshoots_counts_sign_changes():
    assert overshoots(landscapes.descend(landscapes.bowl_1d(), 1.5, steps=6), (0.0,)) == 6
    assert overshoots(landscapes.descend(landscapes.bowl_1d(), 0.5, steps=6), (0.0,)) == 0


@pytest.mark.parametrize("surface", LR_SURFACES)
@pytest.mark.parametrize("lr, regime, word", [
    (0.02, "smooth", "crawls"),
    (0.5, "smooth", None),
    (1.5, "zig-zags but converges", "zig-zagging"),
    (2.0, "bounces for ever", "bounces"),
    (2.05, "diverges", "grows at every step"),
    (2.4, "diverges", "diverges"),
])
def test_learning_rate_run_verdicts(surface, lr, regime, word):
    run = learning_rate_run(surface, lr, 30)
    assert run["regime"] == regime
    assert run["limits"] == (1.0, 2.0)
    if word:
        assert word in run["verdict"]


def test_learning_rate_run_details():
    assert learning_rate_run("1-D bowl", 0.5, 30)["verdict"].startswith("converges")
    slow = learning_rate_run("2-D bowl", 0.5, 30)["verdict"]
    assert slow.startswith("too slow") and "fallen" in slow  # the flat direction is slow
    exploded = learning_rate_run("1-D bowl", 2.4, 60)
    assert exploded["path"].diverged and "stopped" in exploded["verdict"]
    assert learning_rate_run("1-D bowl", 1.5, 10)["overshoots"] == 10


@pytest.mark.parametrize("kwargs, message", [
    ({"surface": "ravine"}, "surface must be one of"),
    ({"lr": 0.0}, "positive"),
    ({"lr": "big"}, "single number"),
    ({"steps": 0}, "at least 1"),
])
def test_learning_rate_run_errors(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        learning_rate_run(**kwargs)


def test_learning_rate_regime_needs_a_quadratic():
    with pytest.raises(ValueError, match="quadratic"):
        learning_rate_regime(landscapes.ravine(), 0.1)


# --- section 5: basins and saddles ------------------------------------------------------------


def test_fraction_of_minima_falls_with_dimension():
    fractions = fraction_of_minima([1, 2, 3, 4], trials=4000, seed=0)
    assert fractions[0] == pytest.approx(0.5, abs=0.03)
    assert np.all(np.diff(fractions) < 0)
    assert fractions[-1] < 0.5**4  # faster than independent coin tosses
    np.testing.assert_array_equal(fractions, fraction_of_minima([1, 2, 3, 4], 4000, 0))


def test_basin_map_labels_each_start_by_its_minimum():
    valleys = landscapes.four_valleys()
    X, Y, labels = basin_map(valleys, lr=0.05, steps=300, n=41)
    assert X.shape == Y.shape == labels.shape == (41, 41)
    assert set(np.unique(labels)) == {-1, 0, 1, 2, 3}
    assert np.all(Y[labels == -1] == 0.0)  # only the line y = 0 ends on saddle points
    minima = np.array(valleys.minima)
    i, j = 5, 35  # a start in the lower right
    assert np.linalg.norm(minima[labels[i, j]] - (X[i, j], Y[i, j])) < 1.5


@pytest.mark.parametrize("call, error, message", [
    (lambda: basin_map(landscapes.bowl_1d()), ValueError, "2-D landscape"),
    (lambda: basin_map(landscapes.four_valleys(), lr=0.0), ValueError, "lr must be positive"),
    (lambda: fraction_of_minima([0]), ValueError, "at least 1"),
    (lambda: fraction_of_minima([2], trials=1.5), TypeError, "whole number"),
])
def test_basin_and_saddle_input_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


# --- sections 6-8: logistic regression on real data, mini-batches ------------------------------


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0, 1.0]) + 0.5 * rng.normal(size=120) > 0).astype(float)
    return LogisticProblem(X, y)


def test_logistic_loss_at_zero_is_ln_2(problem):
    assert problem.loss(np.zeros(6)) == pytest.approx(math.log(2))
    assert problem.n_params == 6 and len(problem) == 120


def test_logistic_gradient_matches_numeric(problem):
    params = np.random.default_rng(2).normal(size=6)
    np.testing.assert_allclose(problem.grad(params), landscapes.numeric_gradient(problem.loss, params),
                               rtol=1e-6, atol=1e-8)
    idx = np.array([3, 7, 11])
    np.testing.assert_allclose(problem.grad(params, idx),
                               landscapes.numeric_gradient(lambda p: problem.loss(p, idx), params),
                               rtol=1e-6, atol=1e-8)


def test_logistic_loss_is_stable_for_huge_scores(problem, strict):
    assert math.isfinite(problem.loss(np.full(6, 1e4)))
    assert np.all(np.isfinite(problem.grad(np.full(6, -1e4))))


def test_logistic_accuracy(problem):
    assert problem.accuracy(np.zeros(6)) == pytest.approx(np.mean(problem.y == 0))
    run = train_minibatch(problem, optim.SGD(0.5), 10, epochs=10)
    assert problem.accuracy(run.params) > 0.9
    assert problem.accuracy(run.params, problem.X, problem.y) == problem.accuracy(run.params)


@pytest.mark.parametrize("X, y, message", [
    (np.zeros((4, 2, 2)), np.zeros(4), "2-D array"),
    (np.zeros((4, 2)), np.zeros(3), "one label per example"),
    (np.zeros((4, 2)), np.array([0, 1, 2, 1]), "0 or 1"),
])
def test_logistic_problem_input_errors(X, y, message):
    with pytest.raises(ValueError, match=message):
        LogisticProblem(X, y)


@pytest.mark.parametrize("call, message", [
    (lambda p: LogisticProblem("pixels", np.zeros(3)), "LogisticProblem: the inputs X must be numbers"),
    (lambda p: LogisticProblem(np.zeros((3, 2)), ["a", "b", "c"]),
     "LogisticProblem: the labels y must be numbers"),
    (lambda p: p.loss(None), "logistic regression: params must be numbers"),
    (lambda p: p.accuracy(np.zeros(6), "images", p.y), "accuracy: the inputs X must be numbers"),
    (lambda p: train_minibatch(p, optim.SGD(0.1), 10, params="zeros"),
     "train_minibatch: params must be numbers"),
])
def test_logistic_non_numbers_are_type_errors_naming_function_and_argument(problem, call, message):
    with pytest.raises(TypeError, match=message):
        call(problem)


def test_logistic_params_shape_is_checked(problem):
    with pytest.raises(ValueError, match=r"shape \(6,\) \(5 weights and a bias\)"):
        problem.loss(np.zeros(5))
    with pytest.raises(ValueError, match="at least one example"):
        problem.grad(np.zeros(6), np.array([], dtype=int))


def test_full_batch_training_is_gradient_descent(problem):
    run = train_minibatch(problem, optim.SGD(0.3), len(problem), epochs=5)
    p = np.zeros(6)
    for _ in range(5):
        p = p - 0.3 * problem.grad(p)
    np.testing.assert_allclose(run.params, p)
    assert run.steps.tolist() == [0, 1, 2, 3, 4, 5] and run.epochs[-1] == 5


def test_minibatch_training_records_and_repeats(problem):
    a = train_minibatch(problem, optim.SGD(0.1), 32, epochs=2, seed=3, record_every=3)
    b = train_minibatch(problem, optim.SGD(0.1), 32, epochs=2, seed=3, record_every=3)
    np.testing.assert_array_equal(a.params, b.params)
    assert a.steps.tolist() == [0, 3, 6, 8] and len(a.lrs) == 8  # 4 batches per epoch
    assert a.losses[-1] < a.losses[0]
    c = train_minibatch(problem, optim.SGD(0.1), 32, epochs=2, seed=4)
    assert not np.array_equal(a.params, c.params)  # another seed, another order


def test_minibatch_training_uses_the_schedule(problem):
    run = train_minibatch(problem, optim.SGD(optim.cosine_schedule(0.5, 8)), 30, epochs=2)
    np.testing.assert_allclose(run.lrs, optim.schedule_values(optim.cosine_schedule(0.5, 8), 8))


def test_sorted_data_without_shuffle_is_worse(problem):
    order = np.argsort(problem.y, kind="stable")
    sorted_problem = LogisticProblem(problem.X[order], problem.y[order])
    stored = train_minibatch(sorted_problem, optim.SGD(0.5), 10, epochs=3, shuffle=False)
    shuffled = train_minibatch(sorted_problem, optim.SGD(0.5), 10, epochs=3, shuffle=True)
    assert shuffled.losses[-1] < stored.losses[-1]


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0}, "at least 1"), ({"batch_size": 500}, "larger than the data set"),
    ({"batch_size": 10, "epochs": 0}, "at least 1"),
])
def test_train_minibatch_errors(problem, kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_minibatch(problem, optim.SGD(0.1), **kwargs)
    with pytest.raises(TypeError, match="LogisticProblem"):
        train_minibatch("data", optim.SGD(0.1), 10)


def test_gradient_noise_shrinks_like_one_over_root_b(problem):
    noise = gradient_noise(problem, np.zeros(6), [1, 4, 16, 120], batches=400, seed=0)
    assert noise[1] / noise[4] == pytest.approx(2 * math.sqrt(119 / 116), rel=0.15)
    assert noise[4] / noise[16] == pytest.approx(2 * math.sqrt(116 / 104), rel=0.15)
    assert noise[120] == pytest.approx(0.0, abs=1e-12)  # the whole data set: no noise
    with pytest.raises(ValueError, match="larger than the data set"):
        gradient_noise(problem, np.zeros(6), [121])


# --- section 12: the race ---------------------------------------------------------------------


def test_optimizer_race_defaults_rank_as_the_chapter_says():
    lrs = {"SGD": 0.01, "momentum": 0.005, "AdaGrad": 0.3, "RMSProp": 0.02, "Adam": 0.1}
    paths = optimizer_race(lrs, steps=300)
    assert list(paths) == list(lrs)
    assert all(np.array_equal(p.points[0], landscapes.ravine().start) for p in paths.values())
    assert all(len(p.points) == 301 for p in paths.values())
    assert paths["momentum"].final_loss < 1e-6 and paths["Adam"].final_loss < 1e-6
    assert paths["SGD"].final_loss > 1e-2 and paths["RMSProp"].final_loss > 1e-3
    assert paths["AdaGrad"].final_loss > 0.1  # its shrinking steps stall on the long floor
    assert all(not p.diverged for p in paths.values())


def test_optimizer_race_stops_a_diverging_runner_and_keeps_the_others(strict):
    paths = optimizer_race({"SGD": 0.021, "Adam": 0.1}, steps=100)
    assert paths["SGD"].diverged and len(paths["SGD"].points) < 101
    assert not paths["Adam"].diverged and len(paths["Adam"].points) == 101


def test_optimizer_race_errors():
    with pytest.raises(TypeError, match="dict of learning rates"):
        optimizer_race([0.1, 0.2])
    with pytest.raises(ValueError, match="unknown optimiser"):
        optimizer_race({"Nadam": 0.1})


# --- the drawings and the widgets -------------------------------------------------------------


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
        plt.close(fig)


@pytest.mark.parametrize("lr, word", [(0.02, "crawls"), (0.5, "converges"), (1.5, "zig-zagging"),
                                      (2.0, "bounces"), (2.4, "diverges")])
def test_learning_rate_title_gives_the_verdict(lr, word):
    fig = draw_learning_rate("1-D bowl", lr, 30)
    try:
        assert word in fig._suptitle.get_text()
    finally:
        plt.close(fig)


def test_diverging_walk_draws_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for surface in ("1-D bowl", "2-D bowl"):
            fig = draw_learning_rate(surface, 2.4, 100)
            assert "stopped" in fig._suptitle.get_text()
            plt.close(fig)


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


def test_every_learning_rate_control_changes_the_picture():
    box = learning_rate_widget()
    surface, lr, steps, output = box.children
    pictures = [shown(output)]
    surface.value = "2-D bowl"
    pictures.append(shown(output))
    lr.value = 1.8
    pictures.append(shown(output))
    steps.value = 60
    pictures.append(shown(output))
    lr.value = 2.4  # diverges: still a picture, not an error
    pictures.append(shown(output))
    steps.value = 100  # after the run was stopped, the axis still follows the slider
    pictures.append(shown(output))
    assert len(set(pictures)) == len(pictures)
    surface.value, lr.value, steps.value = "1-D bowl", 0.3, 30
    assert shown(output) == pictures[0]  # same settings, same picture
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
        plt.close(fig)


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
        plt.close(fig)


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
    pictures = [shown(output)]
    for control, value in zip(controls, (0.015, 0.002, 1.0, 0.05, 0.2, 150), strict=True):
        control.value = value
        pictures.append(shown(output))
    assert len(set(pictures)) == len(pictures)
    plt.close("all")


def test_race_redraw_passes_the_slider_values(monkeypatch):
    calls = record_draws(monkeypatch, ch05_gradient_descent, "draw_optimizer_race")
    box = ch05_gradient_descent.optimizer_race_widget()
    box.children[4].value = 0.25
    assert calls[-1] == {"sgd_lr": 0.01, "momentum_lr": 0.005, "adagrad_lr": 0.3,
                         "rmsprop_lr": 0.02, "adam_lr": 0.25, "steps": 300}
    plt.close("all")
