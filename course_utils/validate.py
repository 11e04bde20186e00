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


def check_positive(value: Any, name: str, what: str) -> float:
    """A single finite number greater than 0, as a float (a step size, a rate, a tolerance)."""
    value = check_number(value, name, what)
    if value <= 0:
        raise ValueError(f"{name}: {what} must be positive, got {value}")
    return value


def check_whole(value: Any, name: str, what: str, minimum: int | None = None) -> int:
    """A whole number (an int, not a float or True/False) of at least ``minimum``, as an int.

    ``check_whole(epochs, "train", "the number of epochs epochs", minimum=1)``.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: {what} must be a whole number, not {type(value).__name__} "
                        f"{value!r}"[:200])
    if minimum is not None and value < minimum:
        raise ValueError(f"{name}: {what} must be at least {minimum}, got {value}")
    return int(value)


def as_float_array(value: Any, name: str, what: str, *, finite: bool = False,
                   allow_bool: bool = True, copy: bool = False) -> np.ndarray:
    """``value`` (a number, list, NumPy array or torch tensor) as a float64 NumPy array.

    The one place the concept modules turn an argument into numbers. Anything that is not real
    numbers gets an error naming the function (``name``) and the argument (``what``) — None, a
    string, a dict, ragged lists, complex numbers, text arrays — and so does True/False when
    ``allow_bool`` is off, and nan or inf when ``finite`` is on. ``copy=True`` always returns a
    new array, so the caller's array can never be changed through the result.

    >>> as_float_array([1, 2], "normalize", "the vector v")
    array([1., 2.])
    """
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name}: {what} must be numbers (a number, a list, a NumPy array or a "
                        f"tensor), not {type(value).__name__} {value!r}"[:200])
    if hasattr(value, "detach") and hasattr(value, "cpu"):  # a torch tensor, maybe on a GPU
        value = value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
    except ValueError:  # ragged nested lists
        raise TypeError(f"{name}: {what} is not a regular grid of numbers: do all its rows "
                        "have the same length?") from None
    if array.dtype.kind == "c":
        raise TypeError(f"{name} works on real numbers; {what} is complex")
    if array.dtype.kind == "b" and not allow_bool:
        raise TypeError(f"{name}: {what} must be numbers, not True/False values")
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name}: {what} must be numbers, not {type(value).__name__} of "
                        f"{array.dtype} (e.g. {array.ravel()[:1].tolist()!r})"[:200])
    array = array.astype(np.float64, copy=copy)
    if finite and not np.isfinite(array).all():
        bad = array[~np.isfinite(array)].flat[0]
        raise ValueError(f"{name}: {what} contains {bad}; every entry must be a finite number")
    return array
