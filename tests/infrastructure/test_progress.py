"""The learner's progress record: every check writes pass / not yet, nothing can break a check."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import numpy as np
import pytest

import course_utils as cu
from course_utils import progress
from course_utils.checks.ch01_sigmoid import check_logit, check_sigmoid_derivative
from course_utils.checks.core import NotPassed, exercise_check, grading
from course_utils.course_map import CHAPTERS
from course_utils.widgets.ch00_welcome import draw_course_map

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def right_logit(p):
    return np.log(p / (1 - p))


def wrong_logit(p):
    return np.log(p)


def stub_logit(p):
    raise NotImplementedError


@pytest.fixture
def record_file(tmp_path, monkeypatch) -> Path:
    """Recording on, into a file of this test's own."""
    path = tmp_path / "progress.json"
    monkeypatch.setenv("COURSE_PROGRESS", "1")
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    monkeypatch.setattr(progress, "_reported", set())  # each test sees its own notes
    return path


def test_the_tests_never_record_into_the_real_home() -> None:
    assert os.environ["COURSE_PROGRESS"] == "0"
    assert not progress.enabled()
    assert not Path(os.environ["COURSE_PROGRESS_FILE"]).is_relative_to(Path.home() / ".sigmoid-to-gpt")


def test_a_check_records_pass_and_not_yet(record_file, capsys) -> None:
    assert not check_logit(wrong_logit)
    assert progress.load() == {1: {"check_logit": {
        "passed": False, "tries": 1, "last": "not yet",
        "when": progress.load()[1]["check_logit"]["when"]}}}
    assert check_logit(right_logit)
    assert not check_logit(None)  # a later slip does not undo a pass
    entry = progress.load()[1]["check_logit"]
    assert (entry["passed"], entry["tries"], entry["last"]) == (True, 3, "not yet")
    assert json.loads(record_file.read_text())["version"] == progress.FORMAT_VERSION
    out = capsys.readouterr()
    assert "Passed!" in out.out and "Note:" not in out.err


def test_checks_outside_the_chapter_modules_are_not_recorded(record_file) -> None:
    @exercise_check
    def check_anything(x):
        return "fine"

    assert check_anything(1)
    assert not record_file.exists()


def test_switched_off_nothing_is_read_or_written(record_file, monkeypatch) -> None:
    assert check_logit(right_logit)
    monkeypatch.setenv("COURSE_PROGRESS", "0")
    before = record_file.read_text()
    assert not check_logit(wrong_logit)
    assert record_file.read_text() == before
    assert progress.load() == {}
    assert "Recording is off" in str(cu.progress(picture=False))


def test_the_default_file_lives_in_the_home_folder(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COURSE_PROGRESS", "1")
    monkeypatch.delenv("COURSE_PROGRESS_FILE")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert progress.progress_file() == tmp_path / ".sigmoid-to-gpt" / "progress.json"
    assert check_logit(right_logit)
    assert progress.load()[1]["check_logit"]["passed"]


WRITER = """
import sys
from course_utils import progress
tag = sys.argv[1]
for i in range(40):
    assert progress.record(1, f"{tag}-{i}", True)
    assert progress.record(1, "shared", i % 2 == 0)
"""


def test_two_kernels_writing_at_once_lose_nothing(record_file) -> None:
    env = dict(os.environ)
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, tag], env=env,
                                stderr=subprocess.PIPE, text=True) for tag in ("a", "b")]
    errors = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0], errors
    chapter = progress.load()[1]
    assert {f"{t}-{i}" for t in "ab" for i in range(40)} <= set(chapter)
    assert chapter["shared"]["tries"] == 80  # every read-modify-write kept the other's updates
    assert not list(record_file.parent.glob("*.tmp"))  # no temporary file left behind


@pytest.mark.parametrize("damage", ["{not json", "[]", '{"chapters": {"01": {"x": 3}}}', ""])
def test_a_corrupt_file_is_replaced_and_reported(record_file, capsys, damage) -> None:
    record_file.write_text(damage)
    assert check_logit(right_logit)
    err = capsys.readouterr().err
    assert "was damaged" in err and "progress.json.corrupt" in err
    assert record_file.with_name("progress.json.corrupt").read_text() == damage
    assert progress.load() == {1: {"check_logit": json.loads(record_file.read_text())
                                   ["chapters"]["01"]["check_logit"]}}
    assert check_logit(right_logit)  # reported once, not at every check
    assert "damaged" not in capsys.readouterr().err


def _timed_check(fn=right_logit) -> tuple[bool, float]:
    start = time.perf_counter()
    passed = bool(check_logit(fn))
    return passed, time.perf_counter() - start


def test_a_home_that_cannot_be_written_never_breaks_or_slows_a_check(tmp_path, monkeypatch,
                                                                      capsys) -> None:
    home = tmp_path / "home"
    home.write_text("a file where the home folder should be")  # nothing can be created inside
    monkeypatch.setenv("COURSE_PROGRESS", "1")
    monkeypatch.delenv("COURSE_PROGRESS_FILE")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(progress, "_reported", set())
    results = [_timed_check() for _ in range(5)]
    assert all(passed for passed, _ in results)
    assert max(seconds for _, seconds in results[1:]) < 1.0
    out = capsys.readouterr()
    assert out.out.count("✅ Passed!") == 5 and "Traceback" not in out.out + out.err
    assert out.err.count("your progress is not being saved") == 1  # said once, not every time
    assert progress.load() == {}


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_read_only_home_directory(tmp_path, monkeypatch, capsys) -> None:
    home = tmp_path / "home"
    home.mkdir()
    home.chmod(0o555)
    monkeypatch.setenv("COURSE_PROGRESS", "1")
    monkeypatch.delenv("COURSE_PROGRESS_FILE")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setattr(progress, "_reported", set())
    try:
        writable = os.access(home, os.W_OK)  # the superuser may write anyway
        assert check_logit(right_logit) and check_logit(right_logit)
        out = capsys.readouterr()
        assert out.out.count("✅ Passed!") == 2 and "Traceback" not in out.err
        saved = (home / ".sigmoid-to-gpt" / "progress.json").exists()
        assert saved == writable
        assert ("not being saved" in out.err) == (not writable)
    finally:
        home.chmod(0o755)


@pytest.mark.skipif(os.name != "posix", reason="uses flock")
def test_a_busy_record_does_not_hold_up_a_check(record_file, capsys) -> None:
    import fcntl

    with open(f"{record_file}.lock", "w") as held:  # another notebook stuck mid-write
        fcntl.flock(held, fcntl.LOCK_EX)
        passed, seconds = _timed_check()
    assert passed and seconds < progress.LOCK_TIMEOUT_S + 0.75
    assert "not being saved" in capsys.readouterr().err
    assert check_logit(right_logit) and progress.load()[1]["check_logit"]["tries"] == 1


def test_grading_mode_raises_the_hint_and_records_nothing(record_file, capsys) -> None:
    with grading(), pytest.raises(NotPassed, match=r"Not yet\. .*σ\(x\) itself"):
        check_sigmoid_derivative(lambda x: 1 / (1 + np.exp(-x)))
    with grading(), pytest.raises(NotPassed, match="not written yet"):
        check_logit(stub_logit)
    with grading():
        assert check_logit(right_logit)
    assert "Passed!" in capsys.readouterr().out
    assert not record_file.exists()
    assert not check_logit(wrong_logit)  # grading mode ends with the block
    assert progress.load()[1]["check_logit"]["passed"] is False


def test_progress_shows_a_table_and_a_picture(record_file, capsys, monkeypatch) -> None:
    shown = []
    monkeypatch.setattr("IPython.display.display", shown.append)
    check_logit(right_logit)
    check_sigmoid_derivative(lambda x: 0.25 * np.ones_like(x))
    capsys.readouterr()
    report = cu.progress()
    out = capsys.readouterr().out
    assert re.search(r"01 · The sigmoid\s+1/3", out)
    assert re.search(r"07 · MNIST\s+0/3", out)
    assert str(record_file) in out
    assert [row.number for row in report.rows] == sorted(progress.chapter_exercises())
    assert len(shown) == 1 and isinstance(shown[0], plt.Figure)
    bars = [p.get_width() for p in shown[0].axes[0].patches]
    assert bars[len(report.rows) + 1] == pytest.approx(1 / 3)  # chapter 01, after the backgrounds
    with pytest.raises(TypeError, match="True or False"):
        cu.progress(picture="yes")


def test_the_course_map_is_coloured_by_progress() -> None:
    records = {0: {name: {"passed": True, "tries": 1} for name in progress.chapter_exercises()[0]},
               1: {"check_logit": {"passed": True, "tries": 2}}}
    rows = progress.summary(records)
    assert [r.status for r in rows[:3]] == ["done", "started", "not started"]
    fig = draw_course_map(progress=rows)
    faces = {patch.get_facecolor()[:3] for patch in fig.axes[0].patches}
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert "1/3 passed" in texts and "3/3 passed" in texts
    from matplotlib.colors import to_rgb
    assert {to_rgb(progress.PROGRESS_COLORS[s]) for s in ("done", "started")} <= faces
    plt.close(fig)
    with pytest.raises(TypeError, match="summary"):
        draw_course_map(progress={1: (1, 3)})


def test_each_chapter_counts_the_exercises_its_notebook_checks() -> None:
    exercises = progress.chapter_exercises()
    for ch in CHAPTERS:
        path = NOTEBOOKS / ch.notebook
        if not path.exists():
            continue
        cells = nbformat.read(path, as_version=4).cells
        checked = set()
        for i, cell in enumerate(cells):
            if "solution" in cell.metadata.get("tags", []) and cell.cell_type == "code":
                after = next(c for c in cells[i + 1:] if c.cell_type == "code"
                             and "solution" not in c.metadata.get("tags", []))
                checked |= set(re.findall(r"\b(check_\w+)\(", after.source))
        assert set(exercises.get(ch.number, [])) == checked, (
            f"{ch.notebook}: the @exercise_check functions of checks/{ch.module_stem}.py should "
            "be exactly the checks its exercises call, so progress counts its exercises right")


def test_record_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="chapter"):
        progress.record(100, "x", True)
    with pytest.raises(ValueError, match="exercise"):
        progress.record(1, "", True)
