"""The seeded 2-D toy data sets used by chapters 03-06."""

import numpy as np
import pytest

from course_utils.data import TOY_DATASETS, load_toy, make_circles, make_xor


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
def test_shapes_labels_and_balance(name):
    data = load_toy(name, n=101, seed=3)
    assert data.X.shape == (101, 2) and data.y.shape == (101,)
    assert data.X.dtype == np.float64 and set(np.unique(data.y)) == {0, 1}
    assert abs(int(data.y.sum()) - 50) <= 1
    X, y = data  # unpacks like a tuple
    assert X is data.X and y is data.y
    assert name in repr(data)


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
def test_same_seed_same_points(name):
    a, b, c = load_toy(name, seed=1), load_toy(name, seed=1), load_toy(name, seed=2)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)


def test_xor_labels_follow_the_sign_rule_without_noise():
    X, y = make_xor(n=40, noise=0.0)
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))


def test_circles_inner_class_is_inside():
    X, y = make_circles(n=200, noise=0.0, factor=0.4)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(r[y == 1], 0.4) and np.allclose(r[y == 0], 1.0)


@pytest.mark.parametrize("kwargs, message", [
    ({"n": 2}, "at least 4"),
    ({"n": 10.5}, "must be an integer"),
    ({"noise": -1}, "noise must be"),
    ({"seed": "a"}, "seed must be an integer"),
])
def test_bad_inputs_say_what_is_wrong(kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        make_xor(**kwargs)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="blobs, xor, circles, moons"):
        load_toy("spirals")
