"""Where the course keeps data.

* The **cache** (writable): ``data/`` at the top of the course, or the directory named by the
  ``COURSE_DATA_DIR`` environment variable. Downloads land here.
* **Read-only copies** searched first: the directories listed in ``COURSE_DATA_PATH``
  (separated like ``PATH``). A classroom can point this at a shared folder so that nobody
  downloads anything; the test suite points it at a local copy of the data sets.
"""

from __future__ import annotations

import os
from pathlib import Path

CACHE_ENV = "COURSE_DATA_DIR"
SEARCH_ENV = "COURSE_DATA_PATH"

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def data_dir() -> Path:
    """The writable data cache (created if missing)."""
    override = os.environ.get(CACHE_ENV)
    path = Path(override).expanduser() if override else PROJECT_ROOT / "data"
    path.mkdir(parents=True, exist_ok=True)
    return path.resolve()


def search_dirs() -> list[Path]:
    """Directories searched for a data file, read-only copies first, the cache last."""
    extra = os.environ.get(SEARCH_ENV, "")
    dirs = [Path(p).expanduser().resolve() for p in extra.split(os.pathsep) if p.strip()]
    cache = data_dir()
    return [d for d in dirs if d != cache] + [cache]


def display_path(path: Path) -> str:
    """A path as a learner should read it: relative to the course when inside it."""
    path = Path(path).resolve()
    try:
        return path.relative_to(PROJECT_ROOT).as_posix()
    except ValueError:
        return path.as_posix()
