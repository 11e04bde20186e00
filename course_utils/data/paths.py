"""Where the course keeps data.

* The **cache** (writable): ``data/`` at the top of the course checkout, or the directory named
  by the ``COURSE_DATA_DIR`` environment variable. When the package was installed without the
  course around it (``pip install`` on Colab, say), the cache is ``~/.cache/sigmoid-to-gpt``.
  Downloads land here.
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


def _in_checkout() -> bool:
    """True when course_utils sits in the course's own folder (not in site-packages)."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "notebooks").is_dir()


def default_data_dir() -> Path:
    """``data/`` of the course checkout, else a per-user cache folder."""
    if _in_checkout():
        return PROJECT_ROOT / "data"
    cache_home = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache_home) / "sigmoid-to-gpt"


def data_dir() -> Path:
    """The writable data cache (created if missing)."""
    override = os.environ.get(CACHE_ENV)
    path = Path(override).expanduser() if override else default_data_dir()
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
    if _in_checkout() and path.is_relative_to(PROJECT_ROOT):
        return path.relative_to(PROJECT_ROOT).as_posix()
    home = Path.home().resolve()
    if path.is_relative_to(home):
        return "~/" + path.relative_to(home).as_posix()
    return path.as_posix()
