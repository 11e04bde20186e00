"""Shared test setup: a non-interactive plot backend, no progress record, figures closed after
every test, and the strict_floats and one_torch_thread fixtures."""

from __future__ import annotations

import os
import sys
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


@pytest.fixture(autouse=True)
def close_figures():
    """No test leaves matplotlib figures open (widget tests draw many)."""
    yield
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread for a module of tiny models, as the notebooks use: faster, and it does
    not fight other work for the cores. Use with ``pytestmark = pytest.mark.usefixtures(...)``."""
    import torch

    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)
