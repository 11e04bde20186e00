"""Shared test setup: a non-interactive plot backend, no progress record, figures closed after
every test, the strict_floats and one_torch_thread fixtures, and the one headless Chromium that
every browser test shares (Playwright's sync API allows one running instance per process)."""

from __future__ import annotations

import os
import sys
import tempfile
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _browser_unavailable(reason: str) -> None:
    import browser_support as bs

    message = f"browser tests need {reason}: {bs.INSTALL_HINT}"
    if bs.browser_required():
        pytest.fail(message + f" ({bs.REQUIRE_ENV}=required)", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    import browser_support as bs

    path = bs.find_chromium()
    if path is None:
        override = os.environ.get(bs.CHROMIUM_ENV)
        _browser_unavailable(f"{bs.CHROMIUM_ENV}={override!r}, which is not an executable"
                             if override else "Chromium, which is not installed")
    return path  # type: ignore[return-value]


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[Any]:
    """Headless Chromium for the whole session: the widget tests and the site test share it."""
    import browser_support as bs

    try:
        import playwright.sync_api  # noqa: F401  (is it installed?)
    except ImportError:
        _browser_unavailable("Playwright for Python (the dev extra: pip install -e '.[dev]')")
    with bs.launched_chromium(chromium_path) as chromium:
        yield chromium
