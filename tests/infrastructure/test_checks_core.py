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


# --- calling the learner's code: one way for every chapter ------------------------------------

from course_utils.checks.core import (  # noqa: E402
    first_mismatch,
    float_advice,
    float_problem,
    is_close,
    show_array,
    switches_off_alarms,
    try_learner,
)


def test_call_learner_hands_over_copies() -> None:
    original = np.array([1.0, 2.0])

    def spoils(x):
        x[:] = 0
        return x

    assert call_learner(spoils, original).tolist() == [0.0, 0.0]
    assert original.tolist() == [1.0, 2.0]
    outcome = try_learner(spoils, original)  # the copy it changed is kept, for a hint
    assert outcome.inputs[0].tolist() == [0.0, 0.0] and original.tolist() == [1.0, 2.0]


def test_float_alarms_become_hints() -> None:
    overflow = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
    with np.errstate(over="ignore"):
        assert call_learner(overflow, np.array([-1000.0]))[0] == 0.0  # quiet without alarms
    with pytest.raises(CheckFailed, match="floating-point problem.*overflow.*709.78"):
        call_learner(overflow, np.array([-1000.0]), what="sigmoid", float_alarms=True)
    with pytest.raises(CheckFailed, match="subtract the maximum"):
        call_learner(overflow, np.array([-1000.0]), float_alarms=True,
                     advice={"overflow": "subtract the maximum"})


def test_try_learner_returns_errors_but_stubs_are_hints() -> None:
    assert isinstance(try_learner(_raises, 1).error, ZeroDivisionError)
    assert try_learner(lambda x: x + 1, 1).value == 2
    with pytest.raises(CheckFailed, match="not written yet"):
        try_learner(_stub, 1, what="my_fn")


@pytest.mark.parametrize(("fn", "kind"), [
    (lambda: np.exp(np.array([1000.0])), "overflow"),
    (lambda: np.log(np.array([0.0])), "log_of_zero"),
    (lambda: np.array([1.0]) / np.array([0.0]), "divide_by_zero"),
    (lambda: np.log(np.array([-1.0])), "log_of_negative"),
    (lambda: np.array([np.inf]) - np.array([np.inf]), "invalid"),
])
def test_float_problems_are_named(fn, kind) -> None:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        with pytest.raises(FloatingPointError) as info:
            fn()
    assert float_problem(info.value) == kind
    assert float_advice(info.value)


def test_switches_off_alarms_reads_the_source() -> None:
    def hides(x):
        with np.errstate(over="ignore"):
            return np.exp(x)

    def fine(x):
        with np.errstate(under="ignore"):
            return np.exp(x)

    assert switches_off_alarms(hides) and not switches_off_alarms(fine)
    assert not switches_off_alarms(np.exp)  # no source: nothing to say


def test_show_array_and_closeness() -> None:
    assert show_array(np.array([[1000.0, -1.0], [0.5, 0.0]])) == "[[1000, -1], [0.5, 0]]"
    assert show_array([1 - 1e-12], exact=True) == "[0.999999999999]"
    assert show_array(torch.tensor([2.0])) == "[2]"
    assert is_close([1.0, 2.0], [1.0, 2.0 + 1e-9]) and not is_close([1.0], [1.0, 1.0])
    assert first_mismatch([1.0, 5.0], [1.0, 4.0]) == "at index (1,) is 5 but should be 4"
    assert first_mismatch(2.0, 1.0) == "is 2 but should be 1"
