"""The exercise-check pattern shared by every chapter.

A check takes the learner's answer (a value or a function), compares it with the reference
in ``course_utils`` and prints either a pass message or a *hint* — never a traceback. It
survives ``None``, a wrong type, a wrong shape and a function that raises, and says what was
expected instead. Each chapter's checks live in a module beside this one and are written as::

    @exercise_check
    def check_something(answer):
        values = expect_array(answer, "your answer", shape=(3,))
        expect_close(values, reference, "your answer")
        return "sigmoid is symmetric: σ(-x) = 1 - σ(x)."   # the pass message

Raising :class:`CheckFailed` (which the ``expect_*`` helpers do) turns into a hint.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PASS_MARK = "✅"
HINT_MARK = "❌"


class CheckFailed(Exception):
    """Raised inside a check to stop it with a hint for the learner."""


@dataclass
class CheckResult:
    """What a check decided. Truthy when it passed; shows nothing extra in a notebook."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def _ipython_display_(self) -> None:  # the message was already printed
        pass


def exercise_check(fn: Callable[..., str | None]) -> Callable[..., CheckResult]:
    """Turn a function that raises :class:`CheckFailed` into a friendly check."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> CheckResult:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                message = fn(*args, **kwargs) or "Correct."
        except CheckFailed as exc:
            text = f"{HINT_MARK} Not yet. {exc}"
            print(text)
            return CheckResult(False, text)
        text = f"{PASS_MARK} Passed! {message}"
        print(text)
        return CheckResult(True, text)

    return wrapper


def describe(value: Any) -> str:
    """A short description of a value for a hint: its type, and its shape for arrays."""
    if value is None:
        return "None"
    shape = getattr(value, "shape", None)
    if shape is not None:
        kind = {"ndarray": "NumPy array", "Tensor": "torch tensor"}.get(type(value).__name__,
                                                                       type(value).__name__)
        return f"{_a(kind)} of shape {tuple(shape)}"
    if isinstance(value, (list, tuple)):
        return f"{_a(type(value).__name__)} of length {len(value)}"
    if callable(value) and hasattr(value, "__name__"):
        return f"the function {value.__name__}"
    return f"{_a(type(value).__name__)} ({value!r})"[:120]


def _a(noun: str) -> str:
    """The noun with its indefinite article: 'an int', 'a float'."""
    return ("an " if noun[:1].lower() in "aeiou" else "a ") + noun


def expect_not_none(value: Any, what: str) -> Any:
    if value is None:
        raise CheckFailed(f"{what} is None. Did you forget to `return` (or assign) the result?")
    return value


def expect_callable(value: Any, what: str) -> Callable[..., Any]:
    expect_not_none(value, what)
    if not callable(value):
        raise CheckFailed(f"{what} should be a function, but it is {describe(value)}.")
    return value


def call_learner(fn: Callable[..., Any], *args: Any, what: str = "your function") -> Any:
    """Call the learner's function; an exception becomes a hint naming it."""
    try:
        return fn(*args)
    except NotImplementedError:
        raise CheckFailed(f"{what} is not written yet: replace `raise NotImplementedError` "
                          "with your code.") from None
    except Exception as exc:  # noqa: BLE001 - any learner error becomes a hint
        shown = ", ".join(describe(a) for a in args)
        raise CheckFailed(f"{what} raised {type(exc).__name__}: {exc} (called with {shown}).") from None


def expect_array(value: Any, what: str, shape: Sequence[int] | None = None) -> np.ndarray:
    """Convert a list / NumPy array / torch tensor / number into a float array, or explain why not."""
    expect_not_none(value, what)
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if isinstance(value, (str, bytes, dict, set)):
        raise CheckFailed(f"{what} should be numbers, but it is {describe(value)}.")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise CheckFailed(f"{what} should be numbers, but it is {describe(value)}.") from None
    if shape is not None and array.shape != tuple(shape):
        raise CheckFailed(f"{what} should have shape {tuple(shape)}, but it has shape {array.shape}.")
    return array


def expect_close(actual: Any, expected: Any, what: str, *, rtol: float = 1e-5,
                 atol: float = 1e-8, hint: str = "") -> None:
    """Compare numbers or arrays; the hint shows the first mismatch."""
    got = expect_array(actual, what, shape=np.shape(expected))
    want = np.asarray(expected, dtype=float)
    if np.isnan(got).any() and not np.isnan(want).any():
        raise CheckFailed(f"{what} contains nan (not a number). {hint}".strip())
    ok = np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if not ok.all():
        index = tuple(int(i) for i in np.argwhere(~ok)[0]) if got.ndim else ()
        where = f" at index {index}" if index else ""
        raise CheckFailed(f"{what}{where} is {got[index]:.6g} but should be {want[index]:.6g}. "
                          f"{hint}".strip())
