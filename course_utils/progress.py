"""Your progress through the course: which exercises you have passed, chapter by chapter.

Every exercise check records its result (passed, or not yet) in a small file in your home
folder, ``~/.sigmoid-to-gpt/progress.json``, so that a week later :func:`progress` can show
where you stopped, as a table and a picture, and chapter 00's course map can colour the
chapters you have finished. ``cu.progress()`` calls :func:`show` (this module can be called).

* ``COURSE_PROGRESS=0`` turns recording off (nothing is read or written);
* ``COURSE_PROGRESS_FILE=/some/file.json`` keeps the record somewhere else.

The record must never get in the way of learning. A check never fails and never waits long
because of it: a file that cannot be written is skipped with a one-line note, a damaged file
is set aside (kept as ``progress.json.corrupt``) and a fresh one started, and two notebooks
checking at the same moment take turns through a lock instead of overwriting each other.
Every write goes to a temporary file first and then replaces the record in one step, so the
file is never half written.
"""

from __future__ import annotations

import ast
import contextlib
import importlib.util
import json
import os
import re
import sys
import tempfile
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .course_map import CHAPTERS, Chapter

SWITCH_ENV = "COURSE_PROGRESS"
FILE_ENV = "COURSE_PROGRESS_FILE"
FORMAT_VERSION = 1
PASSED, NOT_YET = "passed", "not yet"
#: The longest a check waits for another notebook to finish writing: then it skips the record.
LOCK_TIMEOUT_S = 1.0
_CHAPTER_MODULE = re.compile(r"(?:^|\.)checks\.ch(\d{2})_\w+$")
_reported: set[str] = set()  # notes already shown in this process (each is shown once)
#: How progress is coloured here and on chapter 00's course map.
PROGRESS_COLORS = {"done": "#4caf50", "started": "#b9e0a5", "not started": "#e6e6e6"}


def enabled() -> bool:
    """Whether checks record progress: yes unless ``COURSE_PROGRESS`` is ``0``/``off``/``no``."""
    return os.environ.get(SWITCH_ENV, "1").strip().lower() not in {"0", "off", "no", "false"}


def progress_file() -> Path:
    """Where the record lives: ``$COURSE_PROGRESS_FILE``, else ``~/.sigmoid-to-gpt/progress.json``."""
    custom = os.environ.get(FILE_ENV, "").strip()
    if custom:
        return Path(custom).expanduser()
    return Path.home() / ".sigmoid-to-gpt" / "progress.json"


def _note(key: str, text: str) -> None:
    """Tell the learner something about the record once per process, on stderr."""
    if key not in _reported:
        _reported.add(key)
        print(f"Note: {text}", file=sys.stderr)


# --- reading and writing the file --------------------------------------------------------------


@contextlib.contextmanager
def _locked(path: Path, timeout: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Hold the record's lock file while reading and rewriting it (TimeoutError if busy)."""
    fd = os.open(f"{path}.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + timeout
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{path} is being written by another notebook")
            time.sleep(0.005)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


if os.name == "nt":  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


def _valid(data: Any) -> bool:
    """Whether ``data`` has the record's shape: {"version": 1, "chapters": {"01": {name: {...}}}}."""
    if not isinstance(data, dict) or not isinstance(data.get("chapters"), dict):
        return False
    for key, exercises in data["chapters"].items():
        if not (isinstance(key, str) and key.isdigit() and isinstance(exercises, dict)):
            return False
        for entry in exercises.values():
            if not (isinstance(entry, dict) and isinstance(entry.get("passed"), bool)
                    and isinstance(entry.get("tries"), int)):
                return False
    return True


def _read(path: Path) -> dict[str, Any]:
    """The record at ``path`` (empty if there is none). A damaged file is moved aside and reported."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {"version": FORMAT_VERSION, "chapters": {}}
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if _valid(data):
        return data
    backup = path.with_name(path.name + ".corrupt")
    try:
        os.replace(path, backup)
        kept = f"kept it as {backup.name} and started a new one"
    except OSError:
        kept = "started a new one"
    _note(f"corrupt:{path}", f"your progress file {path} was damaged (not the JSON it should be): "
                            f"{kept}. Passing a check again records it again.")
    return {"version": FORMAT_VERSION, "chapters": {}}


def _write(path: Path, data: dict[str, Any]) -> None:
    """Replace the record in one step: write a temporary file beside it, then rename it.

    A reader sees the old record or the new one, never half of one. (There is no fsync, which
    would slow every check down on some disks: a power cut at the wrong moment can at worst
    leave a damaged file, which :func:`_read` sets aside.)
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def record(chapter: int, exercise: str, passed: bool) -> bool:
    """Record one check's result for ``exercise`` of ``chapter``; True if it was saved.

    Never raises: if the record cannot be written, it says so once (on stderr) and returns False.
    Once an exercise has passed it stays passed; ``tries`` counts every check.
    """
    if not isinstance(chapter, int) or isinstance(chapter, bool) or not 0 <= chapter <= 99:
        raise ValueError(f"chapter must be a whole number from 0 to 99, got {chapter!r}")
    if not isinstance(exercise, str) or not exercise:
        raise ValueError(f"exercise must be a non-empty name, got {exercise!r}")
    if not enabled():
        return False
    path = progress_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _locked(path):
            data = _read(path)
            entry = data["chapters"].setdefault(f"{chapter:02d}", {}).setdefault(
                exercise, {"passed": False, "tries": 0})
            entry["passed"] = bool(entry["passed"] or passed)
            entry["tries"] += 1
            entry["last"] = PASSED if passed else NOT_YET
            entry["when"] = time.strftime("%Y-%m-%d %H:%M")
            data["version"] = FORMAT_VERSION
            _write(path, data)
        return True
    except Exception as exc:  # noqa: BLE001 - the record must never break a check
        _note(f"unwritable:{path}", f"your progress is not being saved ({type(exc).__name__}: "
                                    f"{exc}). Set {FILE_ENV} to a file you can write, or "
                                    f"{SWITCH_ENV}=0 to stop recording.")
        return False


def chapter_of_check(check: Callable[..., Any]) -> int | None:
    """The chapter a check belongs to, from its module (``checks.ch07_mnist`` → 7), or None."""
    match = _CHAPTER_MODULE.search(getattr(check, "__module__", "") or "")
    return int(match.group(1)) if match else None


def record_check(check: Callable[..., Any], passed: bool) -> bool:
    """Record the result of an exercise check from a chapter's checks module (others are ignored)."""
    if not enabled():
        return False
    number = chapter_of_check(check)
    if number is None:
        return False
    return record(number, check.__name__, passed)


def load() -> dict[int, dict[str, dict[str, Any]]]:
    """Everything recorded: ``{chapter: {exercise: {"passed", "tries", "last", "when"}}}``.

    Empty when recording is off or nothing is recorded yet; never raises.
    """
    if not enabled():
        return {}
    path = progress_file()
    try:
        if not path.exists():
            return {}
        with _locked(path):
            data = _read(path)
    except Exception as exc:  # noqa: BLE001 - an unreadable record shows as no progress
        _note(f"unreadable:{path}", f"your progress file {path} cannot be read "
                                    f"({type(exc).__name__}: {exc}).")
        return {}
    return {int(key): exercises for key, exercises in data["chapters"].items()}


# --- which exercises each chapter has ----------------------------------------------------------


def _decorated_checks(source: str) -> list[str]:
    """Names of the functions in a checks module's source decorated with ``@exercise_check``."""
    names = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and any(
                (isinstance(d, ast.Name) and d.id == "exercise_check")
                or (isinstance(d, ast.Attribute) and d.attr == "exercise_check")
                for d in node.decorator_list):
            names.append(node.name)
    return names


def chapter_exercises(chapters: tuple[Chapter, ...] = CHAPTERS) -> dict[int, list[str]]:
    """The exercise checks of every chapter that has a checks module: ``{1: ["check_logit", …]}``.

    Read from the modules' source (nothing is imported), so it is quick.
    """
    found: dict[int, list[str]] = {}
    for ch in chapters:
        spec = importlib.util.find_spec(f"course_utils.checks.{ch.module_stem}")
        if spec is None or not spec.origin:
            continue
        names = _decorated_checks(Path(spec.origin).read_text(encoding="utf-8"))
        if names:
            found[ch.number] = names
    return found


@dataclass(frozen=True)
class ChapterProgress:
    """How far a learner is in one chapter."""

    number: int
    title: str
    passed: int
    total: int

    @property
    def status(self) -> str:
        """``"done"``, ``"started"`` (some passed or tried) or ``"not started"``."""
        if self.total and self.passed >= self.total:
            return "done"
        return "started" if self.passed else "not started"


def summary(records: dict[int, dict[str, dict[str, Any]]] | None = None,
            chapters: tuple[Chapter, ...] = CHAPTERS) -> list[ChapterProgress]:
    """Exercises passed per chapter, for every chapter that has exercises.

    ``records`` defaults to the learner's record (:func:`load`).
    """
    records = load() if records is None else records
    exercises = chapter_exercises(chapters)
    rows = []
    for ch in chapters:
        if ch.number not in exercises:
            continue
        done = records.get(ch.number, {})
        passed = sum(1 for name in exercises[ch.number] if done.get(name, {}).get("passed"))
        rows.append(ChapterProgress(ch.number, ch.title, passed, len(exercises[ch.number])))
    return rows


def format_table(rows: list[ChapterProgress]) -> str:
    """The progress table as text: one line per chapter, and a total."""
    if not rows:
        return "No chapter has exercises yet."
    lines = [f"{'chapter':<32} passed", "-" * 42]
    for row in rows:
        bar = "■" * row.passed + "□" * (row.total - row.passed)
        mark = "  ✅" if row.status == "done" else ""
        lines.append(f"{row.number:02d} · {row.title:<27} {row.passed}/{row.total}  {bar}{mark}")
    passed, total = sum(r.passed for r in rows), sum(r.total for r in rows)
    lines += ["-" * 42, f"{'all chapters':<32} {passed}/{total}"]
    return "\n".join(lines)


def draw_progress(rows: list[ChapterProgress]) -> Any:
    """A bar per chapter: the share of its exercises passed (green when all are)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7.0, 0.35 * max(len(rows), 3) + 0.9))
    labels = [f"{r.number:02d} · {r.title}" for r in rows]
    shares = [r.passed / r.total for r in rows]
    ax.barh(labels, [1.0] * len(rows), color=PROGRESS_COLORS["not started"])
    ax.barh(labels, shares, color=[PROGRESS_COLORS[r.status] for r in rows])
    for y, row in enumerate(rows):
        ax.text(1.02, y, f"{row.passed}/{row.total}", va="center", fontsize=9)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.set_xticks([0, 0.5, 1.0], ["0", "half", "all"])
    ax.set_xlabel("exercises passed")
    ax.set_title("Your progress")
    fig.tight_layout()
    return fig


@dataclass
class ProgressReport:
    """What :func:`progress` found: the rows, and where the record lives (or that it is off)."""

    rows: list[ChapterProgress]
    where: str

    def __str__(self) -> str:
        return f"{format_table(self.rows)}\n{self.where}"

    def _ipython_display_(self) -> None:  # the table and picture were already shown
        pass


def show(picture: bool = True) -> ProgressReport:
    """Show the exercises you have passed, per chapter, as a table and (``picture``) a bar chart.

    Run ``cu.progress()`` (the same thing) in any notebook. It reads the record your checks keep
    (``~/.sigmoid-to-gpt/progress.json``; see the module's docstring to move it or turn it off).
    """
    if not isinstance(picture, bool):
        raise TypeError(f"picture must be True or False, got {picture!r}")
    rows = summary()
    where = (f"Recording is off ({SWITCH_ENV}=0)." if not enabled()
             else f"Recorded in {progress_file()}.")
    report = ProgressReport(rows, where)
    print(report)
    if picture and rows:
        from IPython.display import display

        fig = draw_progress(rows)
        display(fig)
        import matplotlib.pyplot as plt

        plt.close(fig)
    return report


class _CallableModule(types.ModuleType):
    """Makes ``cu.progress()`` call :func:`show` while ``course_utils.progress`` stays a module."""

    def __call__(self, picture: bool = True) -> ProgressReport:
        return show(picture)


sys.modules[__name__].__class__ = _CallableModule

__all__ = [
    "PROGRESS_COLORS",
    "ChapterProgress",
    "ProgressReport",
    "chapter_exercises",
    "chapter_of_check",
    "draw_progress",
    "enabled",
    "format_table",
    "load",
    "progress_file",
    "record",
    "record_check",
    "show",
    "summary",
]
