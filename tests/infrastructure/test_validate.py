"""The shared input check for single numbers."""

import numpy as np
import pytest

from course_utils.validate import check_number


@pytest.mark.parametrize("value", [3, 2.5, np.float32(1.5), np.int64(-4)])
def test_numbers_come_back_as_floats(value):
    assert check_number(value, "f", "x") == float(value)
    assert isinstance(check_number(value, "f", "x"), float)


@pytest.mark.parametrize("value, error, message", [
    (True, TypeError, "f: the rate must be a single number, not bool"),
    (np.bool_(False), TypeError, "not bool"),
    ("0.1", TypeError, "not str"),
    (np.array([1.0]), TypeError, "not ndarray"),
    (None, TypeError, "not NoneType"),
    (float("nan"), ValueError, "f: the rate must be a finite number, got nan"),
    (float("inf"), ValueError, "got inf"),
])
def test_anything_else_says_which_argument_is_wrong(value, error, message):
    with pytest.raises(error, match=message):
        check_number(value, "f", "the rate")


from course_utils.validate import as_float_array  # noqa: E402


def test_as_float_array_accepts_numbers_lists_arrays_and_tensors():
    import torch

    for value in (3, [1, 2], np.array([1, 2], dtype=np.int32), torch.tensor([1.0, 2.0]), [True]):
        array = as_float_array(value, "f", "x")
        assert array.dtype == np.float64


def test_as_float_array_copies_only_when_asked():
    original = np.array([1.0, 2.0])
    assert as_float_array(original, "f", "x") is original
    copied = as_float_array(original, "f", "x", copy=True)
    copied[0] = 9
    assert original[0] == 1.0


@pytest.mark.parametrize("value, kwargs, error, message", [
    (None, {}, TypeError, "f: the vector v must be numbers .* not NoneType"),
    ("abc", {}, TypeError, "not str"),
    ({"a": 1}, {}, TypeError, "not dict"),
    ([[1, 2], [3]], {}, TypeError, "same length"),
    (np.array([1j]), {}, TypeError, "real numbers; the vector v is complex"),
    (np.array(["a"]), {}, TypeError, "must be numbers, not ndarray of <U1"),
    ([True, False], {"allow_bool": False}, TypeError, "not True/False"),
    ([1.0, np.nan], {"finite": True}, ValueError, "contains nan"),
    ([np.inf], {"finite": True}, ValueError, "contains inf"),
])
def test_as_float_array_explains_what_is_wrong(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        as_float_array(value, "f", "the vector v", **kwargs)


from course_utils.validate import check_whole  # noqa: E402


def test_check_whole():
    assert check_whole(np.int64(3), "f", "n", minimum=1) == 3
    assert isinstance(check_whole(np.int64(3), "f", "n"), int)
    for value in (2.0, True, "3", None):
        with pytest.raises(TypeError, match="f: n must be a whole number, not"):
            check_whole(value, "f", "n")
    with pytest.raises(ValueError, match="f: n must be at least 1, got 0"):
        check_whole(0, "f", "n", minimum=1)


def test_check_positive():
    from course_utils.validate import check_positive

    assert check_positive(np.float32(0.5), "f", "lr") == 0.5
    for value in (0, -1.0):
        with pytest.raises(ValueError, match="f: lr must be positive, got"):
            check_positive(value, "f", "lr")
    with pytest.raises(TypeError, match="single number"):
        check_positive("1", "f", "lr")
