"""Exercise checks. :mod:`.core` holds the pattern and runs the learner's code; each chapter's
checks sit beside it in a module named like its notebook (``ch01_sigmoid`` for ``01_sigmoid``).

Notebooks import what they need, e.g. ``from course_utils.checks.ch01_sigmoid import check_stable_sigmoid``.
"""

from .core import CheckFailed, CheckResult, exercise_check

__all__ = ["CheckFailed", "CheckResult", "exercise_check"]
