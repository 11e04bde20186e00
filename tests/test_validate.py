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
