"""The nbgrader export: its cells, and a real round trip through nbgrader.

The round trip exports chapter 01, releases it with ``nbgrader generate_assignment``, submits a
student version with one exercise right, one wrong and one untouched, autogrades it and writes
the feedback: the scores and the hints in the feedback must be what the checks say.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils.nbgrader import (
    BEGIN,
    CONFIG_NAME,
    END,
    export_course,
    export_notebook,
    graded_check_source,
    main,
    solution_source,
)
from course_utils.student import SOLUTION_TAG

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).parents[2]
NOTEBOOKS = ROOT / "notebooks"
MASTERS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def released(source: str) -> str:
    """What nbgrader's ClearSolutions makes of a solution cell (the same rule, for unit tests)."""
    pattern = re.compile(rf"^([ \t]*){re.escape(BEGIN)}\n.*?^[ \t]*{re.escape(END)}$", re.S | re.M)
    return pattern.sub(lambda m: "\n".join(m.group(1) + line for line in STUB.splitlines()),
                       source)


@pytest.mark.parametrize("path", MASTERS, ids=lambda p: p.stem)
def test_every_exercise_becomes_a_solution_and_a_graded_test(path: Path) -> None:
    master = nbformat.read(path, as_version=4)
    nb, tests = export_notebook(master, points=2)
    solutions = [c for c in master.cells
                 if SOLUTION_TAG in c.metadata.get("tags", []) and c.cell_type == "code"]
    meta = [c.metadata["nbgrader"] for c in nb.cells]
    assert len(nb.cells) == len(master.cells)
    assert len({m["grade_id"] for m in meta}) == len(meta), "grade ids must be unique"
    assert sum(m["solution"] for m in meta if not m["grade"]) == len(solutions)
    assert len(tests) == len(solutions)
    for cell, m in zip(nb.cells, meta, strict=True):
        assert not cell.get("outputs"), "the export carries no outputs"
        if m["grade"] and not m["solution"]:
            assert m["points"] == 2 and m["locked"] and "with grading():" in cell.source
            ast.parse(cell.source)
        elif m["solution"]:
            assert not m["locked"]
            if cell.cell_type == "code":
                assert BEGIN in cell.source and END in cell.source
                ast.parse(cell.source)  # the master still runs
                ast.parse(released(cell.source))  # so does what the student gets
        else:
            assert m["locked"], "everything but answers is read-only"
    assert nb.metadata.kernelspec.name == "python3" and "widgets" not in nb.metadata
    nbformat.validate(nb)


def test_a_function_keeps_its_signature_and_docstring_for_the_student() -> None:
    source = 'def f(x):\n    """Twice x."""\n    y = 2 * x\n    return y'
    assert released(solution_source(source)) == ('def f(x):\n    """Twice x."""\n'
                                                 '    # YOUR CODE HERE\n'
                                                 '    raise NotImplementedError()')


def test_an_assigned_name_starts_as_none_so_the_check_gives_a_hint() -> None:
    student = released(solution_source("import numpy as np\nzeros = np.zeros(3)"))
    assert student.startswith("import numpy as np\nzeros = None")
    assert student.endswith(STUB)


def test_a_check_cell_runs_its_checks_in_grading_mode() -> None:
    source = "from course_utils.checks.ch01_sigmoid import check_logit\n\ncheck_logit(logit)"
    graded = graded_check_source(source)
    assert graded.splitlines()[:2] == [
        "from course_utils.checks.core import grading  # a wrong answer raises its hint",
        "from course_utils.checks.ch01_sigmoid import check_logit"]
    assert graded.endswith("with grading():\n    check_logit(logit)")
    with pytest.raises(ValueError, match="plain Python"):
        graded_check_source("%time check_logit(logit)")


def test_export_course_writes_one_assignment_per_notebook(tmp_path, capsys) -> None:
    assert main([str(NOTEBOOKS), str(tmp_path), "--chapters", "1", "2"]) == 0
    assert sorted(p.name for p in (tmp_path / "source").iterdir()) == ["01_sigmoid",
                                                                        "02_vectors_matrices"]
    assert "c.Execute.timeout" in (tmp_path / CONFIG_NAME).read_text()
    out = capsys.readouterr().out
    assert ("01_sigmoid: 3 autograded exercise(s), 3 point(s); assumes 00 (about 0.8 h of study); "
            "a learner needs about 60 min") in out
    assert main([str(NOTEBOOKS), str(tmp_path), "--chapters", "1"]) == 2  # nothing overwritten
    assert "--force" in capsys.readouterr().err
    with pytest.raises(FileNotFoundError, match="chapter"):
        export_course(NOTEBOOKS, tmp_path / "other", chapters=[99])
    with pytest.raises(ValueError, match="points"):
        export_course(NOTEBOOKS, tmp_path / "other", chapters=[1], points=0)


def test_the_instructor_extra_is_pinned() -> None:
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["instructor"]
    assert any(req.startswith("nbgrader") for req in extra)
    assert re.search(r"^nbgrader==\S+$", (ROOT / "constraints.txt").read_text(), re.M)
    assert '".[dev,instructor]"' in (ROOT / "Makefile").read_text()


# --- the real round trip ------------------------------------------------------------------------


def _nbgrader(course: Path, *args: str) -> str:
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout + done.stderr


ANSWERS = {  # the student's code for each solution cell; a missing one stays as released
    "exercise-1-solution": "    return np.log(p / (1 - p))",  # right
    "exercise-2-solution": "    return sigmoid(x)",  # wrong: the sigmoid, not its slope
}


@pytest.mark.slow
def test_round_trip_release_submit_autograde_feedback(tmp_path: Path) -> None:
    pytest.importorskip("nbgrader", reason="the instructor extra: pip install -e '.[instructor]'")
    course = tmp_path / "course"
    [assignment] = export_course(NOTEBOOKS, course, chapters=[1])
    name = assignment.name
    _nbgrader(course, "generate_assignment", name)
    release = nbformat.read(course / "release" / name / f"{name}.ipynb", as_version=4)
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            assert "raise NotImplementedError()" in cell.source and "np.log(p" not in cell.source
        if grade_id in ANSWERS:
            cell.source = cell.source.replace("    # YOUR CODE HERE\n    raise NotImplementedError()",
                                              ANSWERS[grade_id])
    submitted = course / "submitted" / "ada" / name / f"{name}.ipynb"
    submitted.parent.mkdir(parents=True)
    nbformat.write(release, submitted)

    _nbgrader(course, "autograde", name)
    _nbgrader(course, "generate_feedback", name)

    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        submission = gradebook.find_submission_notebook(name, name, "ada")
        scores = {grade.name: (grade.score, grade.max_score) for grade in submission.grades}
        total = (submission.score, submission.max_score)
    assert scores == {"check_logit": (1, 1), "check_sigmoid_derivative": (0, 1),
                      "check_stable_sigmoid": (0, 1)}
    assert total == (1, 3)
    feedback = (course / "feedback" / "ada" / name / f"{name}.html").read_text()
    assert "Passed! logit undoes the sigmoid" in feedback
    assert "Not yet. That is σ(x) itself" in feedback  # the hint is the feedback
    assert "stable_sigmoid is not written yet" in feedback
