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

Everything a check needs to run the learner's code lives here, once:

* :func:`call_learner` calls the learner's function on *copies* of the inputs (so a function
  that changes its input in place cannot spoil the next test), turns a stub's
  ``NotImplementedError`` into "not written yet", any other exception into a hint that names
  it, and, with ``float_alarms=True``, an overflow / invalid value / division by zero into a
  hint that says which problem NumPy met (:func:`float_advice`); :func:`try_learner` does the
  same but hands back the exception, for checks that diagnose it themselves.
* :func:`show_array` writes inputs into a hint; :func:`is_close` and :func:`first_mismatch`
  compare an answer with the reference; :func:`expect_close` does both and fails with a hint.
* :func:`switches_off_alarms` spots a learner's own ``np.errstate`` that would hide overflow.

Every check also records its result in the learner's progress file (:mod:`course_utils.progress`;
a file that cannot be written never breaks a check). Inside ``with grading():`` (the test
cells of the nbgrader export, :mod:`course_utils.nbgrader`) a check raises :class:`NotPassed`
with its hint as the message instead of printing it, so a wrong answer scores zero and the hint
is the feedback; nothing is recorded there.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import inspect
import math
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

PASS_MARK = "✅"
HINT_MARK = "❌"

EXP_LIMIT = math.log(np.finfo(np.float64).max)  # e**t overflows float64 beyond t ≈ 709.78
# NumPy's floating-point warnings as errors (underflow to 0 is harmless and stays quiet).
FLOAT_ALARMS = {"over": "raise", "invalid": "raise", "divide": "raise", "under": "ignore"}
NOT_WRITTEN = "is not written yet: replace `raise NotImplementedError` with your code."


class CheckFailed(Exception):
    """Raised inside a check to stop it with a hint for the learner."""


class NotPassed(AssertionError):
    """Raised by a check in grading mode when the answer is wrong; the message is the hint."""


_grading = False


@contextlib.contextmanager
def grading() -> Iterator[None]:
    """Grading mode: inside ``with grading():`` a check raises :class:`NotPassed` on a wrong
    answer (the hint is its message) instead of printing the hint, and records no progress."""
    global _grading
    before, _grading = _grading, True
    try:
        yield
    finally:
        _grading = before


def _record_progress(check: Callable[..., Any], passed: bool) -> None:
    """Save the result in the learner's progress file; never raises, never waits long."""
    try:
        from ..progress import record_check

        record_check(check, passed)
    except Exception:  # noqa: BLE001 - progress must never break a check
        pass


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
            if _grading:
                raise NotPassed(text) from None
            print(text)
            _record_progress(fn, False)
            return CheckResult(False, text)
        text = f"{PASS_MARK} Passed! {message}"
        print(text)
        if not _grading:
            _record_progress(fn, True)
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


def _copied(value: Any) -> Any:
    """A copy of an input, so the learner's function cannot change the caller's (or the next test's)."""
    if isinstance(value, np.ndarray) or hasattr(value, "clone"):
        return value.copy() if isinstance(value, np.ndarray) else value.clone()
    if isinstance(value, (list, dict, set)):
        return copy.deepcopy(value)
    return value


@dataclass
class Outcome:
    """What the learner's function did: the value it returned, or the exception it raised, and
    the copies of the inputs it was given (to see whether it changed them in place)."""

    value: Any = None
    error: BaseException | None = None
    inputs: tuple[Any, ...] = ()


def try_learner(fn: Callable[..., Any], *args: Any, what: str = "your function",
                float_alarms: bool = False) -> Outcome:
    """Call the learner's ``fn`` on copies of ``args`` and report what happened, without raising.

    A stub (``NotImplementedError``) still becomes a "not written yet" hint at once; any other
    exception is handed back in :attr:`Outcome.error` for the check to diagnose. With
    ``float_alarms`` NumPy's overflow, invalid-value and divide-by-zero warnings become errors
    (:class:`FloatingPointError`), so a formula that only *looks* right is caught.
    """
    copies = tuple(_copied(a) for a in args)
    try:
        if float_alarms:
            with np.errstate(**FLOAT_ALARMS):
                return Outcome(value=fn(*copies), inputs=copies)
        return Outcome(value=fn(*copies), inputs=copies)
    except NotImplementedError:
        raise CheckFailed(f"{what} {NOT_WRITTEN}") from None
    except Exception as exc:  # noqa: BLE001 - any learner error becomes a hint
        return Outcome(error=exc, inputs=copies)


def call_learner(fn: Callable[..., Any], *args: Any, what: str = "your function",
                 float_alarms: bool = False, advice: dict[str, str] | None = None) -> Any:
    """Call the learner's ``fn`` on copies of ``args``; an exception becomes a hint naming it.

    With ``float_alarms``, a floating-point problem becomes a hint saying which one and what it
    usually means (:func:`float_advice`; ``advice`` replaces that text for a kind of problem).
    """
    outcome = try_learner(fn, *args, what=what, float_alarms=float_alarms)
    return value_or_hint(outcome, args, what=what, advice=advice)


def value_or_hint(outcome: Outcome, args: Sequence[Any], what: str = "your function",
                  advice: dict[str, str] | None = None) -> Any:
    """The value of a :func:`try_learner` call, or the hint :func:`call_learner` would give."""
    if outcome.error is None:
        return outcome.value
    exc, shown = outcome.error, ", ".join(describe(a) for a in args)
    if isinstance(exc, (FloatingPointError, OverflowError)):
        raise CheckFailed(f"{what} hit a floating-point problem ({exc}) when called with "
                          f"{shown}. {float_advice(exc, advice)}") from None
    raise CheckFailed(f"{what} raised {type(exc).__name__}: {exc} (called with {shown}).") from None


def float_problem(error: BaseException) -> str:
    """The kind of NumPy floating-point problem: ``"overflow"``, ``"log_of_zero"``,
    ``"divide_by_zero"``, ``"log_of_negative"``, ``"invalid"`` or ``"other"``."""
    text = str(error)
    if isinstance(error, OverflowError) or "overflow" in text:
        return "overflow"
    if "divide by zero" in text:
        return "log_of_zero" if text.endswith(" log") else "divide_by_zero"
    if "invalid" in text:
        return "log_of_negative" if text.endswith(" log") else "invalid"
    return "other"


def _invalid_cause(text: str) -> str:
    for ending, cause in ((" divide", "0/0 or inf/inf"), (" subtract", "inf − inf"),
                          (" add", "inf − inf"), (" multiply", "0 · inf")):
        if text.endswith(ending):
            return cause
    return "an operation with no valid result"


def float_advice(error: BaseException, advice: dict[str, str] | None = None) -> str:
    """What a NumPy floating-point error means, in words; ``advice`` overrides a kind's text."""
    kind = float_problem(error)
    if advice and kind in advice:
        return advice[kind]
    return {
        "overflow": (f"e**t is bigger than the largest float once t > {EXP_LIMIT:.2f}, so every "
                     "exp you compute must get an argument that cannot be large."),
        "log_of_zero": ("np.log got exactly 0 there, and the log of 0 is −∞: something that "
                        "should be positive came out as 0."),
        "divide_by_zero": "Something was divided by exactly 0: check each denominator.",
        "log_of_negative": ("np.log got a negative number there, and a negative number has no "
                            "real logarithm (nan). Check the brackets and signs inside np.log."),
        "invalid": (f"NumPy met {_invalid_cause(str(error))}, which has no value, and made it nan. "
                    f"An intermediate value became 0 or inf along the way (e**t is inf for "
                    f"t > {EXP_LIMIT:.2f} and rounds to 0 for t < −745)."),
    }.get(kind, "Check the formula for these inputs.")


_ERRSTATE_CALL = re.compile(r"\b(?:errstate|seterr)\s*\(([^)]*)\)")
_HIDES_ALARM = re.compile(r"\b(?:all|over|invalid|divide)\s*=")


def switches_off_alarms(fn: Callable[..., Any]) -> bool:
    """Whether ``fn``'s own source sets ``np.errstate`` / ``np.seterr`` for overflow, invalid
    values or division (which would hide from a check what ``float_alarms`` looks for)."""
    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):  # a builtin, or code typed where Python kept no source
        return False
    return any(_HIDES_ALARM.search(args) for args in _ERRSTATE_CALL.findall(source))


def show_array(values: Any, exact: bool = False) -> str:
    """An array on one line for a hint: ``[1000, -1, 0.5]``; ``exact`` keeps every digit
    (so 1 − 1e-12 shows as 0.999999999999, not 1)."""
    if hasattr(values, "detach"):  # a torch tensor
        values = values.detach().cpu().numpy()
    form = (lambda v: repr(float(v))) if exact else (lambda v: f"{v:g}")
    text = np.array2string(np.asarray(values, dtype=float), separator=", ",
                           formatter={"float_kind": form})
    return " ".join(text.split())


def is_close(got: Any, want: Any, rtol: float = 1e-6, atol: float = 1e-12) -> bool:
    """Same shape and every entry within ``atol + rtol·|want|`` (nan only where want has nan)."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    return got.shape == want.shape and bool(np.allclose(got, want, rtol=rtol, atol=atol,
                                                        equal_nan=True))


def first_mismatch(got: Any, want: Any, rtol: float = 1e-6, atol: float = 1e-12,
                   digits: int = 6) -> str:
    """Where ``got`` first differs from ``want``: "at index (1, 2) is 0.5 but should be 0.25"."""
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol, equal_nan=True)
    if not got.ndim:
        return f"is {float(got):.{digits}g} but should be {float(want):.{digits}g}"
    index = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.any() else (0,) * got.ndim
    return f"at index {index} is {got[index]:.{digits}g} but should be {want[index]:.{digits}g}"


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
    if not is_close(got, want, rtol=rtol, atol=atol):
        raise CheckFailed(f"{what} {first_mismatch(got, want, rtol, atol)}. {hint}".strip())
