"""Unit tests of course_utils.landscapes: surfaces and their gradients, the curvature at a
point, and walks that stop cleanly when they diverge."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from course_utils import landscapes, optim

ALL = [landscapes.bowl_1d(), landscapes.bowl_1d(3.0), landscapes.bowl_2d(),
       landscapes.bowl_2d((2.0, 0.5)), landscapes.ravine(), landscapes.ravine(100.0),
       landscapes.four_valleys(), landscapes.four_valleys(0.0)]


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
        numeric = landscapes.numeric_gradient(landscape.loss, point)
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
            assert landscapes.classify_point(landscape, point) == kind


def test_four_valleys_depths_and_counts():
    valleys = landscapes.four_valleys(0.3)
    assert len(valleys.minima) == 4 and len(valleys.saddles) == 4 and len(valleys.maxima) == 1
    left = [valleys.loss(m) for m in valleys.minima if m[0] < 0]
    right = [valleys.loss(m) for m in valleys.minima if m[0] > 0]
    assert max(left) < min(right)  # the tilt makes the left valleys deeper
    assert valleys.min_loss == pytest.approx(min(left))
    assert all(isinstance(c, float) for m in valleys.minima for c in m)


def test_classify_point_says_not_flat_away_from_critical_points():
    assert landscapes.classify_point(landscapes.ravine(), (0.0, 0.0)) == "not flat"


def test_hessian_of_a_bowl_is_its_curvatures():
    np.testing.assert_allclose(landscapes.hessian(landscapes.bowl_2d((0.1, 1.0)), (0.3, -2.0)),
                               np.diag([0.1, 1.0]), atol=1e-8)


# --- walks ------------------------------------------------------------------------------------


def test_descend_on_a_bowl_follows_the_closed_form():
    path = landscapes.descend(landscapes.bowl_1d(2.0), lr=0.1, steps=10)
    np.testing.assert_allclose(path.points[:, 0], 3.0 * 0.8 ** np.arange(11))
    np.testing.assert_allclose(path.losses, 0.5 * 2.0 * path.points[:, 0] ** 2)
    assert path.steps == 10 and path.optimizer == "SGD" and path.lr == 0.1


@pytest.mark.parametrize("lr", [2.5, 50.0, 1e6])
def test_divergence_is_reported_cleanly_not_as_nan(lr, strict):
    path = landscapes.descend(landscapes.bowl_1d(), lr=lr, steps=500)
    assert path.status == "diverged" and path.diverged
    assert np.all(np.isfinite(path.points)) and np.all(np.isfinite(path.losses))
    assert path.losses.max() <= landscapes.MAX_LOSS
    assert len(path.points) == path.stopped_at == path.steps + 1
    assert "diverged at step" in path.summary()


def test_divergence_on_the_ravine_with_every_optimizer(strict):
    for name in optim.OPTIMIZERS:
        path = landscapes.run_optimizer(landscapes.ravine(), optim.make_optimizer(name, 50.0),
                                        steps=300)
        assert np.all(np.isfinite(path.points)), name
        assert path.status in ("diverged", "moving"), name


def test_an_infinite_gradient_stops_the_run():
    def grad_fn(p):
        return np.where(np.abs(p) > 2, np.inf, p)

    weird = landscapes.Landscape("weird", 1, lambda p: 0.5 * p[..., 0] ** 2, grad_fn,
                                 ((-3.0, 3.0),), (1.0,))
    path = landscapes.descend(weird, lr=3.5, steps=10)
    assert path.diverged and path.stopped_at == 2


def test_status_converged_and_moving():
    assert landscapes.descend(landscapes.bowl_1d(), 0.5, steps=100).status == "converged"
    moving = landscapes.descend(landscapes.bowl_1d(), 0.01, steps=10)
    assert moving.status == "moving" and "still moving" in moving.summary()
    assert "getting worse" in landscapes.descend(landscapes.bowl_1d(), 2.05, steps=10).summary()


def test_run_optimizer_resets_the_optimizer_and_uses_the_start():
    opt = optim.Adam(0.1)
    first = landscapes.run_optimizer(landscapes.ravine(), opt, steps=20)
    second = landscapes.run_optimizer(landscapes.ravine(), opt, steps=20)
    np.testing.assert_array_equal(first.points, second.points)
    custom = landscapes.run_optimizer(landscapes.ravine(), opt, start=(0.5, 0.5), steps=0)
    np.testing.assert_array_equal(custom.points, [[0.5, 0.5]])


@pytest.mark.parametrize("call, error, message", [
    (lambda: landscapes.run_optimizer("ravine", optim.SGD(0.1)), TypeError, "needs a Landscape"),
    (lambda: landscapes.run_optimizer(landscapes.ravine(), "SGD"), TypeError,
     "optimiser from course_utils.optim"),
    (lambda: landscapes.run_optimizer(landscapes.ravine(), optim.SGD(0.1), start=(1.0, 2.0, 3.0)),
     ValueError, "2 coordinates"),
    (lambda: landscapes.run_optimizer(landscapes.ravine(), optim.SGD(0.1), start="x"), TypeError,
     "ravine: the point given to run_optimizer must be numbers"),
    (lambda: landscapes.run_optimizer(landscapes.ravine(), optim.SGD(0.1), steps=-1), ValueError,
     "at least 0"),
    (lambda: landscapes.ravine().loss(None), TypeError,
     "ravine: the point given to loss must be numbers"),
    (lambda: landscapes.ravine().loss("ab"), TypeError,
     "ravine: the point given to loss must be numbers"),
    (lambda: landscapes.four_valleys().grad([[1.0, 2.0], [3.0]]), TypeError,
     "four valleys: the point given to grad is not a regular grid"),
    (lambda: landscapes.ravine().grad([1.0]), ValueError, "2 coordinates"),
    (lambda: landscapes.bowl_1d(0.0), ValueError, "curvature must be positive"),
    (lambda: landscapes.bowl_2d((1.0,)), ValueError, "two curvatures"),
    (lambda: landscapes.bowl_2d((1.0, -1.0)), ValueError, "positive"),
    (lambda: landscapes.ravine(-1.0), ValueError, "steepness must be positive"),
    (lambda: landscapes.four_valleys(2.0), ValueError, "tilt"),
    (lambda: landscapes.numeric_gradient(3.0, [1.0]), TypeError, "needs a function"),
    (lambda: landscapes.numeric_gradient(sum, [1.0], h=0.0), ValueError, "positive"),
    (lambda: landscapes.numeric_gradient(sum, "ab"), TypeError,
     "numeric_gradient: the point must be numbers"),
])
def test_input_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_one_d_landscapes_accept_plain_numbers():
    bowl = landscapes.bowl_1d()
    assert bowl.loss(2.0) == 2.0
    np.testing.assert_array_equal(bowl.grad(2.0), [2.0])
