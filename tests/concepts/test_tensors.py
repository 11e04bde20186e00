"""Chapter 00's tensor helpers: broadcasting explained, tensors described, rows normalised."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from course_utils.tensors import as_shape, describe_tensor, explain_broadcast, normalize_rows


def _shapes(max_ndim: int, sizes: tuple[int, ...]) -> list[tuple[int, ...]]:
    return [s for n in range(max_ndim + 1) for s in itertools.product(sizes, repeat=n)]


SHAPES = _shapes(3, (1, 2, 3)) + [(0,), (0, 1), (1, 0), (2, 0), (5, 1, 3), (4, 3), (8, 1, 6, 1),
                                 (7, 1, 5), (2, 1, 4, 1), (6, 4)]
PAIRS = list(itertools.product(SHAPES, repeat=2))


def _numpy_says(a, b):
    try:
        return np.broadcast_shapes(a, b)
    except ValueError:
        return None


def test_there_are_many_pairs_and_both_outcomes():
    outcomes = {_numpy_says(a, b) is None for a, b in PAIRS}
    assert len(PAIRS) > 2000 and outcomes == {True, False}


def test_agrees_with_numpy_on_every_pair():
    for a, b in PAIRS:
        explanation = explain_broadcast(a, b)
        assert explanation.result == _numpy_says(a, b), (a, b)
        assert explanation.ok == (explanation.result is not None)


def test_agrees_with_torch_on_a_sample():
    for a, b in PAIRS[::37]:
        explanation = explain_broadcast(a, b)
        try:
            shape = tuple((torch.zeros(a) + torch.zeros(b)).shape)
        except RuntimeError:
            shape = None
        assert explanation.result == shape, (a, b)


def test_steps_run_from_the_right_with_missing_dimensions_as_none():
    explanation = explain_broadcast((5, 1, 3), (4, 3))
    assert [s.index for s in explanation.steps] == [-1, -2, -3]
    assert [(s.size_a, s.size_b, s.result) for s in explanation.steps] == [
        (3, 3, 3), (1, 4, 4), (5, None, 5)]
    assert "stretched to 4" in explanation.steps[1].rule
    assert "counts as 1" in explanation.steps[2].rule
    assert explanation.clashes == ()


def test_every_clash_names_the_dimension_and_both_sizes():
    for a, b in PAIRS:
        explanation = explain_broadcast(a, b)
        if explanation.ok:
            assert "broadcast to" in explanation.reason
            continue
        assert explanation.clashes
        for step in explanation.clashes:
            assert step.size_a not in (None, 1) and step.size_b not in (None, 1)
            assert step.size_a != step.size_b
            assert f"dim {step.index} (a has {step.size_a}, b has {step.size_b})" in explanation.reason
        assert "do not broadcast" in explanation.reason


def test_the_order_of_the_shapes_does_not_change_the_result():
    for a, b in PAIRS[::11]:
        assert explain_broadcast(a, b).result == explain_broadcast(b, a).result


def test_printout_for_a_success_and_a_failure():
    good = str(explain_broadcast((5, 1, 3), (4, 3)))
    assert good.splitlines()[-1] == "result shape: (5, 4, 3)"
    assert "dim -2:" in good and "a has size 1: stretched to 4" in good
    bad = str(explain_broadcast((3, 4), (3,)))
    assert bad.splitlines()[-1].startswith("cannot broadcast: dim -1 (a has 4, b has 3) clashes")
    two = explain_broadcast((2, 3), (3, 2)).reason
    assert "dim -1 (a has 3, b has 2) and dim -2 (a has 2, b has 3) clash." in two


def test_scalars_and_empty_dimensions():
    assert explain_broadcast((), ()).result == ()
    assert explain_broadcast((), (2, 3)).result == (2, 3)
    assert explain_broadcast((0,), (1,)).result == (0,)
    assert not explain_broadcast((0,), (3,)).ok


@pytest.mark.parametrize("shape, expected", [
    ((3, 4), (3, 4)), ([3, 4], (3, 4)), (torch.Size([2, 5]), (2, 5)), (7, (7,)),
    (np.int64(4), (4,)), ((np.int32(2), 3), (2, 3)), ((), ()),
])
def test_shapes_can_be_written_several_ways(shape, expected):
    assert as_shape(shape) == expected
    assert explain_broadcast(shape, ()).result == expected


@pytest.mark.parametrize("bad, error, fragment", [
    (np.zeros((2, 3)), TypeError, "pass its .shape"),
    (torch.zeros(2, 3), TypeError, "pass its .shape"),
    ("3, 4", TypeError, "tuple of whole numbers"),
    ((3.0, 4), TypeError, "whole numbers only"),
    ((True, 4), TypeError, "whole numbers only"),
    (True, TypeError, "shape such as"),
    (None, TypeError, "tuple of whole numbers"),
    ((3, -1), ValueError, "negative size -1"),
])
def test_bad_shapes_get_a_clear_error(bad, error, fragment):
    with pytest.raises(error, match=fragment.replace(".", r"\.")):
        explain_broadcast(bad, (3,))


def test_the_error_names_the_argument():
    with pytest.raises(TypeError, match="shape_b"):
        explain_broadcast((3,), "x")


def test_describe_tensor():
    assert describe_tensor(np.zeros((2, 3))) == "numpy array  shape (2, 3)  dtype float64"
    assert describe_tensor(torch.zeros(4, dtype=torch.int64)) == (
        "torch tensor  shape (4,)  dtype int64  device cpu")
    assert "shape ()" in describe_tensor(torch.tensor(1.0))
    with pytest.raises(TypeError, match="np.array"):
        describe_tensor([1, 2, 3])
    with pytest.raises(TypeError, match="not str"):
        describe_tensor("x")


@pytest.mark.parametrize("make", [np.array, torch.tensor])
@pytest.mark.parametrize("rows, cols", [(3, 4), (4, 4), (1, 5), (5, 1)])
def test_normalize_rows_makes_every_row_sum_to_one(make, rows, cols):
    x = make(np.arange(1.0, rows * cols + 1).reshape(rows, cols))
    before = x.copy() if isinstance(x, np.ndarray) else x.clone()
    out = normalize_rows(x)
    assert type(out) is type(x)
    sums = np.asarray(out.sum(1))
    np.testing.assert_allclose(sums, np.ones(rows), rtol=1e-6)
    np.testing.assert_allclose(np.asarray(out) * np.asarray(before).sum(1, keepdims=True),
                               np.asarray(before), rtol=1e-6)
    assert (np.asarray(x) == np.asarray(before)).all(), "the input must not change"


def test_normalize_rows_rejects_bad_input():
    with pytest.raises(ValueError, match="2-D"):
        normalize_rows(np.ones(3))
    with pytest.raises(ValueError, match="sums to 0"):
        normalize_rows(np.array([[1.0, -1.0], [1.0, 1.0]]))
    with pytest.raises(TypeError, match="list"):
        normalize_rows([[1.0, 2.0]])
