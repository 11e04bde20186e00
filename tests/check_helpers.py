"""Helpers for the exercise-check tests (``test_checks_*.py``).

Every check prints either "✅ Passed!" or "❌ Not yet." and a hint, and never a traceback:

* :func:`run`, :func:`assert_hint` and :func:`assert_pass` call a check and look at what it printed.
* :func:`stub` is what a notebook holds before the learner writes anything; :func:`crashes` is a
  function with a bug in it.
* :func:`usual_wrong_answers` and :func:`each_check` build the cases of a chapter's
  "what every check must survive" table: ``(check, answer, fragments)``, one per check, where the
  check must answer ``answer`` with a hint that holds every one of ``fragments``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pytest


def run(check, answer, capsys, *args):
    """Call ``check(answer, *args)``; return its result and what it printed, which has no traceback."""
    result = check(answer, *args)
    printed = capsys.readouterr().out
    assert "Traceback" not in printed
    return result, printed


def assert_hint(check, answer, capsys, *fragments, args=()):
    """The check fails ``answer`` with a hint that holds every fragment; returns the hint."""
    result, printed = run(check, answer, capsys, *args)
    assert not result, printed
    assert printed.startswith("❌ Not yet."), printed
    for fragment in fragments:
        assert fragment in printed, printed
    return printed


def assert_pass(check, answer, capsys, *fragments, args=()):
    """The check passes ``answer`` with a message that holds every fragment; returns the message."""
    result, printed = run(check, answer, capsys, *args)
    assert result, printed
    assert printed.startswith("✅ Passed!"), printed
    for fragment in fragments:
        assert fragment in printed, printed
    return printed


def assert_starts_with_a_capital(hint: str, or_with: str = "`") -> None:
    """After "❌ Not yet. " the hint starts with a capital letter (or one of ``or_with``)."""
    after = hint.removeprefix("❌ Not yet. ")
    assert after[0].isupper() or after[0] in or_with, hint


def stub(*args):
    """What the student version holds before the learner writes anything."""
    raise NotImplementedError("write it — see the task above")


def crashes(*args):
    """A learner's function with a bug: it asks its first argument for an attribute it lacks."""
    return args[0].no_such_attribute


def each_check(checks: Iterable[Callable], what: str, answer: Any, *fragments: str) -> list:
    """One case per check: it must answer ``answer`` with a hint holding every fragment.

    ``what`` names the wrong answer in the test's id (``check_nll-returns-None``).
    """
    return [pytest.param(check, answer, fragments, id=f"{check.__name__}-{what}")
            for check in checks]


def usual_wrong_answers(checks: Iterable[Callable], values: Iterable[Any],
                        stubs: Mapping[Callable, Callable] | None = None) -> list:
    """The cases every check of a learner's function must survive, whatever the chapter.

    For each check: None (the cell never ran); each of ``values`` where the function belongs
    (a number, the function's name as text, a list, an array); the untouched stub (``stubs[check]``,
    or :func:`stub`); and a function that crashes, whose error the hint must name.
    """
    checks, values = list(checks), list(values)
    cases = each_check(checks, "None", None, "is None")
    for value in values:
        cases += each_check(checks, f"a-{type(value).__name__}", value, "should be a function")
    for check in checks:
        cases += each_check([check], "the-stub", (stubs or {}).get(check, stub), "not written yet")
    cases += each_check(checks, "crashes", crashes, "AttributeError", "no_such_attribute")
    return cases
