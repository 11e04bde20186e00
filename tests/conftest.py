"""Shared test setup: a non-interactive plot backend, and the strict_floats fixture."""

from __future__ import annotations

import os
import warnings

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
os.environ.setdefault("PYTHONHASHSEED", "0")


@pytest.fixture
def strict_floats():
    """Every warning is an error, and NumPy raises on overflow / invalid / divide by zero."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield
