"""The exercise-check pattern: a hint for every kind of wrong answer, never a traceback."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils.checks.core import (
    CheckFailed,
    call_learner,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
)


@exercise_check
def check_square(fn):
    fn = expect_callable(fn, "square")
    result = call_learner(fn, np.array([1.0, -2.0, 3.0]), what="square")
    expect_close(result, [1.0, 4.0, 9.0], "square([1, -2, 3])", hint="Multiply x by itself.")
    return "square works."


@exercise_check
def check_vector(value):
    expect_close(expect_array(value, "v", shape=(3,)), [1, 2, 3], "v")


def _raises(x):
    raise ZeroDivisionError("oops")


def _stub(x):
    raise NotImplementedError


@pytest.mark.parametrize(("answer", "expected"), [
    (None, "is None"),
    (42, "should be a function"),
    (_stub, "not written yet"),
    (_raises, "raised ZeroDivisionError: oops"),
    (lambda x: x * 2, "is 2 but should be 1"),
    (lambda x: x[:2], "shape (3,)"),
    (lambda x: "nope", "should be numbers"),
    (lambda x: x * np.nan, "nan"),
])
def test_wrong_answers_get_hints(answer, expected, capsys) -> None:
    result = check_square(answer)
    out = capsys.readouterr().out
    assert not result and out.startswith("❌ Not yet.") and expected in out
    assert "Traceback" not in out


def test_right_answers_pass_numpy_and_torch(capsys) -> None:
    assert check_square(lambda x: x**2)
    assert check_square(lambda x: torch.as_tensor(x) ** 2)
    assert capsys.readouterr().out.count("✅ Passed! square works.") == 2


def test_values_and_default_pass_message(capsys) -> None:
    assert check_vector([1, 2, 3])
    assert "Correct." in capsys.readouterr().out
    assert not check_vector({"a": 1})
    assert not check_vector([[1, 2, 3]])
    assert "shape (3,)" in capsys.readouterr().out


def test_check_result_is_silent_in_a_notebook(capsys) -> None:
    result = check_vector([1, 2, 3])
    capsys.readouterr()
    result._ipython_display_()
    assert capsys.readouterr().out == ""


def test_helpers_raise_checkfailed() -> None:
    with pytest.raises(CheckFailed):
        expect_array("abc", "x")
    with pytest.raises(CheckFailed, match="index \\(1,\\)"):
        expect_close([1, 5], [1, 2], "x")
    assert describe(np.zeros((2, 3))) == "a NumPy array of shape (2, 3)"
    assert describe(3) == "an int (3)"
    assert describe(len) == "the function len"
    assert describe(None) == "None"
