"""Unit tests of course_utils.optim: update rules against torch.optim, schedules, mini-batches,
and the errors a learner sees for bad inputs."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from course_utils import optim

RNG = np.random.default_rng(7)
START = RNG.normal(size=(3, 2))  # a small weight matrix
GRADS = [RNG.normal(size=(3, 2)) * np.array([[1.0, 100.0], [1e-3, 5.0], [1e-7, 0.2]])
         for _ in range(40)]


def torch_params(make, start=START, grads=GRADS):
    """The parameters after each torch.optim step, fed exactly these gradients."""
    p = torch.nn.Parameter(torch.tensor(start, dtype=torch.float64))
    opt = make([p])
    out = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return out


def ours(step, state_count, start=START, grads=GRADS, with_t=False, **kw):
    p, state, out = start.copy(), [np.zeros_like(start) for _ in range(state_count)], []
    for t, g in enumerate(grads, start=1):
        result = step(p, g, *state, t, **kw) if with_t else step(p, g, *state, **kw)
        p, *state = result
        out.append(np.asarray(p))
    return out


def assert_paths_equal(a, b, rtol=1e-12, atol=1e-14):
    for step, (x, y) in enumerate(zip(a, b, strict=True), start=1):
        np.testing.assert_allclose(x, y, rtol=rtol, atol=atol, err_msg=f"step {step}")


# --- the update rules match torch.optim ----------------------------------------------------


def test_sgd_step_values_and_types():
    np.testing.assert_allclose(optim.sgd_step(np.array([1.0, -2.0]), np.array([0.5, 1.0]), 0.1),
                               [0.95, -2.1])
    assert optim.sgd_step(2.0, 4.0, 0.25) == 1.0 and type(optim.sgd_step(2.0, 4.0, 0.25)) is float
    assert optim.sgd_step(START, GRADS[0], 0.1).shape == (3, 2)


def test_sgd_matches_torch():
    expected = torch_params(lambda ps: torch.optim.SGD(ps, lr=0.03))
    p, mine = START.copy(), []
    for g in GRADS:
        p = optim.sgd_step(p, g, 0.03)
        mine.append(p)
    assert_paths_equal(mine, expected)


@pytest.mark.parametrize("lr, beta", [(0.01, 0.9), (0.1, 0.5), (0.003, 0.99)])
def test_momentum_matches_torch_sgd_with_momentum(lr, beta):
    expected = torch_params(lambda ps: torch.optim.SGD(ps, lr=lr, momentum=beta))
    assert_paths_equal(ours(optim.momentum_step, 1, lr=lr, beta=beta), expected)


def test_momentum_is_not_torch_with_dampening():
    # torch's dampening turns v ← βv + g into v ← βv + (1 − β)g (after the first step): a
    # different (averaging) convention, which the reference does not follow.
    expected = torch_params(lambda ps: torch.optim.SGD(ps, lr=0.01, momentum=0.9, dampening=0.9))
    mine = ours(optim.momentum_step, 1, lr=0.01, beta=0.9)
    np.testing.assert_allclose(mine[0], expected[0])  # torch skips dampening on step 1
    assert not np.allclose(mine[-1], expected[-1])


@pytest.mark.parametrize("lr, alpha, eps", [(0.01, 0.99, 1e-8), (0.1, 0.9, 1e-6)])
def test_rmsprop_matches_torch(lr, alpha, eps):
    expected = torch_params(lambda ps: torch.optim.RMSprop(ps, lr=lr, alpha=alpha, eps=eps))
    assert_paths_equal(ours(optim.rmsprop_step, 1, lr=lr, alpha=alpha, eps=eps), expected)


def test_rmsprop_eps_goes_outside_the_square_root():
    # With a tiny gradient, ε inside the root (as some libraries do) would give a tiny step.
    p, _ = optim.rmsprop_step(0.0, 1e-7, 0.0, lr=1.0, alpha=0.0, eps=1e-8)
    assert p == pytest.approx(-1e-7 / (1e-7 + 1e-8))
    assert abs(p) > 0.9  # ε inside: 1e-7 / sqrt(1e-14 + 1e-8) ≈ 1e-3


@pytest.mark.parametrize("lr, eps", [(0.1, 1e-10), (1.0, 1e-6)])
def test_adagrad_matches_torch(lr, eps):
    expected = torch_params(lambda ps: torch.optim.Adagrad(ps, lr=lr, eps=eps))
    assert_paths_equal(ours(optim.adagrad_step, 1, lr=lr, eps=eps), expected)


@pytest.mark.parametrize("lr, beta1, beta2, eps", [(1e-3, 0.9, 0.999, 1e-8),
                                                   (0.05, 0.8, 0.99, 1e-6),
                                                   (0.3, 0.0, 0.5, 1e-3)])
def test_adam_matches_torch(lr, beta1, beta2, eps):
    expected = torch_params(lambda ps: torch.optim.Adam(ps, lr=lr, betas=(beta1, beta2), eps=eps))
    mine = ours(optim.adam_step, 2, with_t=True, lr=lr, beta1=beta1, beta2=beta2, eps=eps)
    assert_paths_equal(mine, expected)


def test_adam_first_step_is_about_lr_per_parameter():
    g = np.array([1e-6, 1.0, 1e4])
    p, m, v = optim.adam_step(np.zeros(3), g, np.zeros(3), np.zeros(3), 1, lr=0.01)
    np.testing.assert_allclose(p, -0.01 * np.ones(3), rtol=1e-2)
    np.testing.assert_allclose(m, 0.1 * g)
    np.testing.assert_allclose(v, 0.001 * g**2)


def test_step_functions_never_modify_their_inputs():
    p, g, s1, s2 = START.copy(), GRADS[0].copy(), np.ones((3, 2)), np.ones((3, 2))
    optim.sgd_step(p, g, 0.1)
    optim.momentum_step(p, g, s1, 0.1)
    optim.adagrad_step(p, g, s1, 0.1)
    optim.rmsprop_step(p, g, s1, 0.1)
    optim.adam_step(p, g, s1, s2, 3, 0.1)
    np.testing.assert_array_equal(p, START)
    np.testing.assert_array_equal(g, GRADS[0])
    assert (s1 == 1).all() and (s2 == 1).all()


def test_torch_tensors_and_lists_are_accepted():
    np.testing.assert_allclose(optim.sgd_step(torch.tensor([1.0, 2.0]), [1.0, 1.0], 0.5), [0.5, 1.5])


# --- optimiser objects --------------------------------------------------------------------


@pytest.mark.parametrize("name, step, n_state, with_t, options", [
    ("SGD", None, 0, False, {}),
    ("momentum", optim.momentum_step, 1, False, {"beta": 0.8}),
    ("AdaGrad", optim.adagrad_step, 1, False, {}),
    ("RMSProp", optim.rmsprop_step, 1, False, {"alpha": 0.9}),
    ("Adam", optim.adam_step, 2, True, {"beta1": 0.8}),
])
def test_optimizer_objects_repeat_their_step_function(name, step, n_state, with_t, options):
    opt = optim.make_optimizer(name, 0.02, **options)
    p, seen = START.copy(), []
    for g in GRADS[:10]:
        p = opt.step(p, g)
        seen.append(p)
    assert opt.t == 10
    if step is None:
        expected = [START - 0.02 * np.sum(GRADS[:k + 1], axis=0) for k in range(10)]
    else:
        expected = ours(step, n_state, grads=GRADS[:10], with_t=with_t, lr=0.02, **options)
    assert_paths_equal(seen, expected)
    opt.reset()
    assert opt.t == 0 and opt.state == {}
    np.testing.assert_allclose(opt.step(START, GRADS[0]), seen[0])  # a fresh start


def test_optimizer_uses_its_schedule():
    opt = optim.SGD(optim.step_schedule(1.0, step_size=2, gamma=0.5))
    p, lrs = 0.0, []
    for _ in range(5):
        lrs.append(opt.lr)
        p = opt.step(p, 1.0)
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert p == pytest.approx(-3.25)


def test_optimizer_refuses_a_change_of_shape():
    opt = optim.Adam(0.1)
    opt.step(np.zeros(3), np.ones(3))
    with pytest.raises(ValueError, match="reset"):
        opt.step(np.zeros(4), np.ones(4))


def test_make_optimizer_rejects_unknown_names():
    with pytest.raises(ValueError, match="unknown optimiser 'adam'.*Adam"):
        optim.make_optimizer("adam", 0.1)


def test_optimizer_repr_names_the_schedule():
    assert "constant(lr=0.1)" in repr(optim.SGD(0.1))


# --- schedules ----------------------------------------------------------------------------


def torch_schedule(make, steps, lr=0.5):
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=lr)
    scheduler, out = make(opt), []
    for _ in range(steps):
        out.append(opt.param_groups[0]["lr"])
        opt.step()
        scheduler.step()
    return np.array(out)


def test_step_schedule_matches_torch_steplr():
    theirs = torch_schedule(lambda o: torch.optim.lr_scheduler.StepLR(o, 7, gamma=0.3), 50)
    np.testing.assert_allclose(optim.schedule_values(optim.step_schedule(0.5, 7, 0.3), 50), theirs,
                               rtol=1e-12)


@pytest.mark.parametrize("lr_min", [0.0, 0.05])
def test_cosine_schedule_matches_torch(lr_min):
    theirs = torch_schedule(lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(
        o, T_max=40, eta_min=lr_min), 40)
    ours_ = optim.schedule_values(optim.cosine_schedule(0.5, 40, lr_min), 40)
    np.testing.assert_allclose(ours_, theirs, rtol=1e-10, atol=1e-14)


def test_cosine_schedule_stays_at_the_minimum_afterwards():
    schedule = optim.cosine_schedule(1.0, 10, 0.1)
    assert schedule(10) == pytest.approx(0.1) and schedule(500) == pytest.approx(0.1)
    assert schedule(5) == pytest.approx(0.55)


def test_warmup_cosine_schedule_shape():
    schedule = optim.warmup_cosine_schedule(1.0, total_steps=100, warmup_steps=10)
    values = optim.schedule_values(schedule, 100)
    np.testing.assert_allclose(values[:10], np.arange(1, 11) / 10)
    assert values[10] == 1.0
    assert np.all(np.diff(values[10:]) <= 0)
    assert values[-1] == pytest.approx(1.0 * (1 + math.cos(math.pi * 89 / 90)) / 2)
    no_warmup = optim.warmup_cosine_schedule(1.0, 50, 0)
    np.testing.assert_allclose(optim.schedule_values(no_warmup, 50),
                               optim.schedule_values(optim.cosine_schedule(1.0, 50), 50))


def test_constant_schedule():
    assert optim.schedule_values(optim.constant_schedule(0.3), 4).tolist() == [0.3] * 4


@pytest.mark.parametrize("make, message", [
    (lambda: optim.step_schedule(0.1, 0), "step_size must be at least 1"),
    (lambda: optim.step_schedule(0.1, 2.5), "whole number"),
    (lambda: optim.step_schedule(0.1, 3, gamma=0), "gamma must be positive"),
    (lambda: optim.cosine_schedule(0.1, 10, lr_min=0.2), "must not be above lr"),
    (lambda: optim.cosine_schedule(-0.1, 10), "walks uphill"),
    (lambda: optim.warmup_cosine_schedule(0.1, 10, 10), "smaller than total_steps"),
    (lambda: optim.warmup_cosine_schedule(0.1, 10, -1), "at least 0"),
    (lambda: optim.schedule_values(0.1, 10), "needs a schedule"),
    (lambda: optim.schedule_values(optim.constant_schedule(0.1), 0), "at least 1"),
    (lambda: optim.constant_schedule(0.1)(-1), "at least 0"),
])
def test_schedule_input_errors(make, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make()


# --- mini-batches -------------------------------------------------------------------------


def test_minibatch_indices_cover_every_example_once():
    rng = np.random.default_rng(0)
    batches = list(optim.minibatch_indices(10, 4, rng))
    assert [len(b) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))
    assert np.concatenate(batches).tolist() != list(range(10))  # shuffled
    again = list(optim.minibatch_indices(10, 4, rng))  # the next epoch: a new order
    assert np.concatenate(again).tolist() != np.concatenate(batches).tolist()


def test_minibatch_indices_without_shuffle_keep_the_order():
    batches = list(optim.minibatch_indices(7, 3, shuffle=False))
    assert [b.tolist() for b in batches] == [[0, 1, 2], [3, 4, 5], [6]]


def test_minibatch_indices_are_repeatable_with_a_seed():
    first = list(optim.minibatch_indices(20, 5, np.random.default_rng(3)))
    second = list(optim.minibatch_indices(20, 5, np.random.default_rng(3)))
    assert all((a == b).all() for a, b in zip(first, second, strict=True))


@pytest.mark.parametrize("args, kwargs, message", [
    ((10, 0), {"shuffle": False}, "batch_size must be at least 1"),
    ((0, 2), {"shuffle": False}, "at least 1"),
    ((10, 2.0), {"shuffle": False}, "whole number"),
    ((10, 2), {}, "random generator"),
])
def test_minibatch_indices_errors(args, kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        list(optim.minibatch_indices(*args, **kwargs))


# --- input errors a learner can read -------------------------------------------------------


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"params has shape \(3,\) but grad has shape \(2,\)"):
        optim.sgd_step(np.zeros(3), np.zeros(2), 0.1)
    with pytest.raises(ValueError, match="velocity has shape"):
        optim.momentum_step(np.zeros(3), np.zeros(3), np.zeros(4), 0.1)
    with pytest.raises(ValueError, match="v has shape"):
        optim.adam_step(np.zeros(3), np.zeros(3), np.zeros(3), np.zeros(1), 1)


@pytest.mark.parametrize("bad, word", [(np.array([1.0, np.nan]), "nan"),
                                       (np.array([np.inf, 0.0]), "inf")])
def test_non_finite_gradients_are_explained(bad, word):
    with pytest.raises(ValueError, match=f"grad contains {word}.*diverged"):
        optim.sgd_step(np.zeros(2), bad, 0.1)


@pytest.mark.parametrize("bad", [None, "0.5", {"a": 1}, ["a", "b"], [[1.0], [1.0, 2.0]]])
def test_non_numeric_params_are_type_errors_naming_the_function(bad):
    with pytest.raises(TypeError, match="sgd_step: params"):
        optim.sgd_step(bad, 1.0, 0.1)


@pytest.mark.parametrize("lr, error, message", [
    (-0.1, ValueError, "walks uphill"), ("0.1", TypeError, "single number"),
    (float("nan"), ValueError, "finite"), (True, TypeError, "single number"),
])
def test_bad_learning_rates(lr, error, message):
    with pytest.raises(error, match=message):
        optim.sgd_step(1.0, 1.0, lr)
    with pytest.raises(error, match=message):
        optim.SGD(lr)


@pytest.mark.parametrize("beta", [1.0, 1.5, -0.1])
def test_decay_factors_must_lie_in_zero_one(beta):
    with pytest.raises(ValueError, match="at least 0 and below 1"):
        optim.momentum_step(1.0, 1.0, 0.0, 0.1, beta=beta)
    with pytest.raises(ValueError, match="beta2"):
        optim.adam_step(1.0, 1.0, 0.0, 0.0, 1, beta2=beta)
    with pytest.raises(ValueError, match="alpha"):
        optim.RMSProp(0.1, alpha=beta)


def test_step_number_must_count_from_one():
    with pytest.raises(ValueError, match="counts from 1.*1 − β\\*\\*t is 0"):
        optim.adam_step(1.0, 1.0, 0.0, 0.0, 0)
    with pytest.raises(TypeError, match="whole number"):
        optim.adam_step(1.0, 1.0, 0.0, 0.0, 1.0)


@pytest.mark.parametrize("eps", [0.0, -1e-8])
def test_eps_must_be_positive(eps):
    with pytest.raises(ValueError, match="eps must be positive"):
        optim.adam_step(1.0, 1.0, 0.0, 0.0, 1, eps=eps)
    with pytest.raises(ValueError, match="eps must be positive"):
        optim.AdaGrad(0.1, eps=eps)
