"""Exercise checks. :mod:`.core` holds the pattern; each chapter's checks sit beside it.

Notebooks import what they need, e.g. ``from course_utils.checks.activations import check_stable_sigmoid``.
"""

from .core import CheckFailed, CheckResult, exercise_check

__all__ = ["CheckFailed", "CheckResult", "exercise_check"]
