"""Unit tests of course_utils.landscapes: surfaces and gradients, walks that diverge cleanly,
the widgets' compute functions, and the logistic-regression problem with mini-batches."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from course_utils import landscapes as ls
from course_utils import optim

ALL = [ls.bowl_1d(), ls.bowl_1d(3.0), ls.bowl_2d(), ls.bowl_2d((2.0, 0.5)), ls.ravine(),
       ls.ravine(100.0), ls.four_valleys(), ls.four_valleys(0.0)]


@pytest.fixture
def strict():
    """Every warning is an error: a diverging run must not leak overflow warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# --- surfaces and their gradients ----------------------------------------------------------


@pytest.mark.parametrize("landscape", ALL, ids=lambda s: f"{s.name}:{s.description}")
def test_analytic_gradient_matches_central_differences(landscape):
    rng = np.random.default_rng(1)
    for _ in range(5):
        point = rng.uniform(-1.5, 1.5, size=landscape.dim)
        numeric = ls.numeric_gradient(landscape.loss, point)
        np.testing.assert_allclose(landscape.grad(point), numeric, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("landscape", ALL, ids=lambda s: f"{s.name}:{s.description}")
def test_loss_and_grad_work_on_grids(landscape):
    grid = landscape.grid(7)
    assert len(grid) == landscape.dim + 1
    assert grid[-1].shape == ((7,) if landscape.dim == 1 else (7, 7))
    points = np.zeros((4, 5, landscape.dim))
    assert landscape.loss(points).shape == (4, 5)
    assert landscape.grad(points).shape == (4, 5, landscape.dim)
    assert isinstance(landscape.loss(np.zeros(landscape.dim)), float)


@pytest.mark.parametrize("landscape", ALL, ids=lambda s: f"{s.name}:{s.description}")
def test_known_points_are_what_they_claim(landscape):
    for kind, points in (("minimum", landscape.minima), ("saddle", landscape.saddles),
                         ("maximum", landscape.maxima)):
        for point in points:
            assert np.linalg.norm(landscape.grad(point)) < 1e-9, (kind, point)
            assert ls.classify_point(landscape, point) == kind


def test_four_valleys_depths_and_counts():
    valleys = ls.four_valleys(0.3)
    assert len(valleys.minima) == 4 and len(valleys.saddles) == 4 and len(valleys.maxima) == 1
    left = [valleys.loss(m) for m in valleys.minima if m[0] < 0]
    right = [valleys.loss(m) for m in valleys.minima if m[0] > 0]
    assert max(left) < min(right)  # the tilt makes the left valleys deeper
    assert valleys.min_loss == pytest.approx(min(left))
    assert all(isinstance(c, float) for m in valleys.minima for c in m)


def test_classify_point_says_not_flat_away_from_critical_points():
    assert ls.classify_point(ls.ravine(), (0.0, 0.0)) == "not flat"


def test_hessian_of_a_bowl_is_its_curvatures():
    np.testing.assert_allclose(ls.hessian(ls.bowl_2d((0.1, 1.0)), (0.3, -2.0)),
                               np.diag([0.1, 1.0]), atol=1e-8)


def test_fraction_of_minima_falls_with_dimension():
    fractions = ls.fraction_of_minima([1, 2, 3, 4], trials=4000, seed=0)
    assert fractions[0] == pytest.approx(0.5, abs=0.03)
    assert np.all(np.diff(fractions) < 0)
    assert fractions[-1] < 0.5**4  # faster than independent coin tosses
    np.testing.assert_array_equal(fractions, ls.fraction_of_minima([1, 2, 3, 4], 4000, 0))


def test_basin_map_labels_each_start_by_its_minimum():
    valleys = ls.four_valleys()
    X, Y, labels = ls.basin_map(valleys, lr=0.05, steps=300, n=41)
    assert X.shape == Y.shape == labels.shape == (41, 41)
    assert set(np.unique(labels)) == {-1, 0, 1, 2, 3}
    assert np.all(Y[labels == -1] == 0.0)  # only the line y = 0 ends on saddle points
    minima = np.array(valleys.minima)
    i, j = 5, 35  # a start in the lower right
    assert np.linalg.norm(minima[labels[i, j]] - (X[i, j], Y[i, j])) < 1.5


# --- walks ------------------------------------------------------------------------------------


def test_descend_on_a_bowl_follows_the_closed_form():
    path = ls.descend(ls.bowl_1d(2.0), lr=0.1, steps=10)
    np.testing.assert_allclose(path.points[:, 0], 3.0 * 0.8 ** np.arange(11))
    np.testing.assert_allclose(path.losses, 0.5 * 2.0 * path.points[:, 0] ** 2)
    assert path.steps == 10 and path.optimizer == "SGD" and path.lr == 0.1


@pytest.mark.parametrize("lr", [2.5, 50.0, 1e6])
def test_divergence_is_reported_cleanly_not_as_nan(lr, strict):
    path = ls.descend(ls.bowl_1d(), lr=lr, steps=500)
    assert path.status == "diverged" and path.diverged
    assert np.all(np.isfinite(path.points)) and np.all(np.isfinite(path.losses))
    assert path.losses.max() <= ls.MAX_LOSS
    assert len(path.points) == path.stopped_at == path.steps + 1
    assert "diverged at step" in path.summary()


def test_divergence_on_the_ravine_with_every_optimizer(strict):
    for name in optim.OPTIMIZERS:
        path = ls.run_optimizer(ls.ravine(), optim.make_optimizer(name, 50.0), steps=300)
        assert np.all(np.isfinite(path.points)), name
        assert path.status in ("diverged", "moving"), name


def test_an_infinite_gradient_stops_the_run():
    def grad_fn(p):
        return np.where(np.abs(p) > 2, np.inf, p)

    weird = ls.Landscape("weird", 1, lambda p: 0.5 * p[..., 0] ** 2, grad_fn, ((-3.0, 3.0),),
                         (1.0,))
    path = ls.descend(weird, lr=3.5, steps=10)
    assert path.diverged and path.stopped_at == 2


def test_status_converged_and_moving():
    assert ls.descend(ls.bowl_1d(), 0.5, steps=100).status == "converged"
    moving = ls.descend(ls.bowl_1d(), 0.01, steps=10)
    assert moving.status == "moving" and "still moving" in moving.summary()
    assert "getting worse" in ls.descend(ls.bowl_1d(), 2.05, steps=10).summary()


def test_run_optimizer_resets_the_optimizer_and_uses_the_start():
    opt = optim.Adam(0.1)
    first = ls.run_optimizer(ls.ravine(), opt, steps=20)
    second = ls.run_optimizer(ls.ravine(), opt, steps=20)
    np.testing.assert_array_equal(first.points, second.points)
    custom = ls.run_optimizer(ls.ravine(), opt, start=(0.5, 0.5), steps=0)
    np.testing.assert_array_equal(custom.points, [[0.5, 0.5]])


def test_overshoots_counts_sign_changes():
    assert ls.overshoots(ls.descend(ls.bowl_1d(), 1.5, steps=6), (0.0,)) == 6
    assert ls.overshoots(ls.descend(ls.bowl_1d(), 0.5, steps=6), (0.0,)) == 0


@pytest.mark.parametrize("call, error, message", [
    (lambda: ls.run_optimizer("ravine", optim.SGD(0.1)), TypeError, "needs a Landscape"),
    (lambda: ls.run_optimizer(ls.ravine(), "SGD"), TypeError, "optimiser from course_utils.optim"),
    (lambda: ls.run_optimizer(ls.ravine(), optim.SGD(0.1), start=(1.0, 2.0, 3.0)), ValueError,
     "2 coordinates"),
    (lambda: ls.run_optimizer(ls.ravine(), optim.SGD(0.1), steps=-1), ValueError, "at least 0"),
    (lambda: ls.ravine().loss(None), TypeError, "needs a point"),
    (lambda: ls.ravine().loss("ab"), TypeError, "needs a point"),
    (lambda: ls.ravine().grad([1.0]), ValueError, "2 coordinates"),
    (lambda: ls.bowl_1d(0.0), ValueError, "curvature must be positive"),
    (lambda: ls.bowl_2d((1.0,)), ValueError, "two curvatures"),
    (lambda: ls.bowl_2d((1.0, -1.0)), ValueError, "positive"),
    (lambda: ls.ravine(-1.0), ValueError, "steepness must be positive"),
    (lambda: ls.four_valleys(2.0), ValueError, "tilt"),
    (lambda: ls.numeric_gradient(3.0, [1.0]), TypeError, "needs a function"),
    (lambda: ls.numeric_gradient(sum, [1.0], h=0.0), ValueError, "positive"),
    (lambda: ls.basin_map(ls.bowl_1d()), ValueError, "2-D landscape"),
    (lambda: ls.fraction_of_minima([0]), ValueError, "at least 1"),
])
def test_input_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_one_d_landscapes_accept_plain_numbers():
    bowl = ls.bowl_1d()
    assert bowl.loss(2.0) == 2.0
    np.testing.assert_array_equal(bowl.grad(2.0), [2.0])


# --- the learning-rate widget's numbers ------------------------------------------------------


@pytest.mark.parametrize("surface", ls.LR_SURFACES)
@pytest.mark.parametrize("lr, regime, word", [
    (0.02, "smooth", "crawls"),
    (0.5, "smooth", None),
    (1.5, "zig-zags but converges", "zig-zagging"),
    (2.0, "bounces for ever", "bounces"),
    (2.05, "diverges", "grows at every step"),
    (2.4, "diverges", "diverges"),
])
def test_learning_rate_run_verdicts(surface, lr, regime, word):
    run = ls.learning_rate_run(surface, lr, 30)
    assert run["regime"] == regime
    assert run["limits"] == (1.0, 2.0)
    if word:
        assert word in run["verdict"]


def test_learning_rate_run_details():
    assert ls.learning_rate_run("1-D bowl", 0.5, 30)["verdict"].startswith("converges")
    slow = ls.learning_rate_run("2-D bowl", 0.5, 30)["verdict"]
    assert slow.startswith("too slow") and "fallen" in slow  # the flat direction is slow
    exploded = ls.learning_rate_run("1-D bowl", 2.4, 60)
    assert exploded["path"].diverged and "stopped" in exploded["verdict"]
    assert ls.learning_rate_run("1-D bowl", 1.5, 10)["overshoots"] == 10


@pytest.mark.parametrize("kwargs, message", [
    ({"surface": "ravine"}, "surface must be one of"),
    ({"lr": 0.0}, "positive"),
    ({"lr": "big"}, "single number"),
    ({"steps": 0}, "at least 1"),
])
def test_learning_rate_run_errors(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        ls.learning_rate_run(**kwargs)


def test_learning_rate_regime_needs_a_quadratic():
    with pytest.raises(ValueError, match="quadratic"):
        ls.learning_rate_regime(ls.ravine(), 0.1)


# --- the race widget's numbers ---------------------------------------------------------------


def test_optimizer_race_defaults_rank_as_the_chapter_says():
    lrs = {"SGD": 0.01, "momentum": 0.005, "AdaGrad": 0.3, "RMSProp": 0.02, "Adam": 0.1}
    paths = ls.optimizer_race(lrs, steps=300)
    assert list(paths) == list(lrs)
    assert all(np.array_equal(p.points[0], ls.ravine().start) for p in paths.values())
    assert all(len(p.points) == 301 for p in paths.values())
    assert paths["momentum"].final_loss < 1e-6 and paths["Adam"].final_loss < 1e-6
    assert paths["SGD"].final_loss > 1e-2 and paths["RMSProp"].final_loss > 1e-3
    assert paths["AdaGrad"].final_loss > 0.1  # its shrinking steps stall on the long floor
    assert all(not p.diverged for p in paths.values())


def test_optimizer_race_stops_a_diverging_runner_and_keeps_the_others(strict):
    paths = ls.optimizer_race({"SGD": 0.021, "Adam": 0.1}, steps=100)
    assert paths["SGD"].diverged and len(paths["SGD"].points) < 101
    assert not paths["Adam"].diverged and len(paths["Adam"].points) == 101


def test_optimizer_race_errors():
    with pytest.raises(TypeError, match="dict of learning rates"):
        ls.optimizer_race([0.1, 0.2])
    with pytest.raises(ValueError, match="unknown optimiser"):
        ls.optimizer_race({"Nadam": 0.1})


# --- logistic regression on real data, mini-batches ----------------------------------------


@pytest.fixture(scope="module")
def problem():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 5))
    y = (X @ np.array([1.0, -2.0, 0.5, 0.0, 1.0]) + 0.5 * rng.normal(size=120) > 0).astype(float)
    return ls.LogisticProblem(X, y)


def test_logistic_loss_at_zero_is_ln_2(problem):
    assert problem.loss(np.zeros(6)) == pytest.approx(math.log(2))
    assert problem.n_params == 6 and len(problem) == 120


def test_logistic_gradient_matches_numeric(problem):
    params = np.random.default_rng(2).normal(size=6)
    np.testing.assert_allclose(problem.grad(params), ls.numeric_gradient(problem.loss, params),
                               rtol=1e-6, atol=1e-8)
    idx = np.array([3, 7, 11])
    np.testing.assert_allclose(problem.grad(params, idx),
                               ls.numeric_gradient(lambda p: problem.loss(p, idx), params),
                               rtol=1e-6, atol=1e-8)


def test_logistic_loss_is_stable_for_huge_scores(problem, strict):
    assert math.isfinite(problem.loss(np.full(6, 1e4)))
    assert np.all(np.isfinite(problem.grad(np.full(6, -1e4))))


def test_logistic_accuracy(problem):
    assert problem.accuracy(np.zeros(6)) == pytest.approx(np.mean(problem.y == 0))
    run = ls.train_minibatch(problem, optim.SGD(0.5), 10, epochs=10)
    assert problem.accuracy(run.params) > 0.9
    assert problem.accuracy(run.params, problem.X, problem.y) == problem.accuracy(run.params)


@pytest.mark.parametrize("X, y, message", [
    (np.zeros((4, 2, 2)), np.zeros(4), "2-D array"),
    (np.zeros((4, 2)), np.zeros(3), "one label per example"),
    (np.zeros((4, 2)), np.array([0, 1, 2, 1]), "0 or 1"),
])
def test_logistic_problem_input_errors(X, y, message):
    with pytest.raises(ValueError, match=message):
        ls.LogisticProblem(X, y)


def test_logistic_params_shape_is_checked(problem):
    with pytest.raises(ValueError, match=r"shape \(6,\) \(5 weights and a bias\)"):
        problem.loss(np.zeros(5))
    with pytest.raises(ValueError, match="at least one example"):
        problem.grad(np.zeros(6), np.array([], dtype=int))


def test_full_batch_training_is_gradient_descent(problem):
    run = ls.train_minibatch(problem, optim.SGD(0.3), len(problem), epochs=5)
    p = np.zeros(6)
    for _ in range(5):
        p = p - 0.3 * problem.grad(p)
    np.testing.assert_allclose(run.params, p)
    assert run.steps.tolist() == [0, 1, 2, 3, 4, 5] and run.epochs[-1] == 5


def test_minibatch_training_records_and_repeats(problem):
    a = ls.train_minibatch(problem, optim.SGD(0.1), 32, epochs=2, seed=3, record_every=3)
    b = ls.train_minibatch(problem, optim.SGD(0.1), 32, epochs=2, seed=3, record_every=3)
    np.testing.assert_array_equal(a.params, b.params)
    assert a.steps.tolist() == [0, 3, 6, 8] and len(a.lrs) == 8  # 4 batches per epoch
    assert a.losses[-1] < a.losses[0]
    c = ls.train_minibatch(problem, optim.SGD(0.1), 32, epochs=2, seed=4)
    assert not np.array_equal(a.params, c.params)  # another seed, another order


def test_minibatch_training_uses_the_schedule(problem):
    run = ls.train_minibatch(problem, optim.SGD(optim.cosine_schedule(0.5, 8)), 30, epochs=2)
    np.testing.assert_allclose(run.lrs, optim.schedule_values(optim.cosine_schedule(0.5, 8), 8))


def test_sorted_data_without_shuffle_is_worse(problem):
    order = np.argsort(problem.y, kind="stable")
    sorted_problem = ls.LogisticProblem(problem.X[order], problem.y[order])
    stored = ls.train_minibatch(sorted_problem, optim.SGD(0.5), 10, epochs=3, shuffle=False)
    shuffled = ls.train_minibatch(sorted_problem, optim.SGD(0.5), 10, epochs=3, shuffle=True)
    assert shuffled.losses[-1] < stored.losses[-1]


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0}, "at least 1"), ({"batch_size": 500}, "larger than the data set"),
    ({"batch_size": 10, "epochs": 0}, "at least 1"),
])
def test_train_minibatch_errors(problem, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ls.train_minibatch(problem, optim.SGD(0.1), **kwargs)
    with pytest.raises(TypeError, match="LogisticProblem"):
        ls.train_minibatch("data", optim.SGD(0.1), 10)


def test_gradient_noise_shrinks_like_one_over_root_b(problem):
    noise = ls.gradient_noise(problem, np.zeros(6), [1, 4, 16, 120], batches=400, seed=0)
    assert noise[1] / noise[4] == pytest.approx(2 * math.sqrt(119 / 116), rel=0.15)
    assert noise[4] / noise[16] == pytest.approx(2 * math.sqrt(116 / 104), rel=0.15)
    assert noise[120] == pytest.approx(0.0, abs=1e-12)  # the whole data set: no noise
    with pytest.raises(ValueError, match="larger than the data set"):
        ls.gradient_noise(problem, np.zeros(6), [121])
