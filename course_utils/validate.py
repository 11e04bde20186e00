"""Input checks shared by the concept modules, with errors a learner can act on."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def check_number(value: Any, name: str, what: str) -> float:
    """A single finite real number as a float, or an error saying which argument is wrong.

    ``name`` is the function being called and ``what`` the argument, e.g.
    ``check_number(lr, "sgd_step", "the learning rate lr")``. ``True``/``False`` are refused:
    they are numbers to Python but almost always a mistake here.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(
            value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: {what} must be a single number, not {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name}: {what} must be a finite number, got {value}")
    return value
