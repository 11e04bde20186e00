"""Shared test setup: a non-interactive plot backend, no progress record, and the strict_floats
fixture."""

from __future__ import annotations

import os
import tempfile
import warnings
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
os.environ.setdefault("PYTHONHASHSEED", "0")
# Checks record a learner's progress in their home folder. The tests (and the notebook kernels
# they start) record nothing, and anything that turns recording on writes to a scratch file, never
# into the real home; tests/infrastructure/test_progress.py turns it on for itself.
os.environ["COURSE_PROGRESS"] = "0"
os.environ["COURSE_PROGRESS_FILE"] = str(Path(tempfile.mkdtemp(prefix="course-progress-"))
                                         / "progress.json")


@pytest.fixture
def strict_floats():
    """Every warning is an error, and NumPy raises on overflow / invalid / divide by zero."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield
