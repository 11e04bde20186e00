"""The student-version generator: stubs parse, checks then hint, nothing is overwritten."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_utils import student

SOLUTION_FUNC = '''import numpy as np

def stable_sigmoid(x):
    """Return σ(x) without overflow."""
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
'''

CHECK = '''from course_utils.checks.core import exercise_check, expect_callable, call_learner, expect_close

@exercise_check
def check_double(fn):
    fn = expect_callable(fn, "double")
    expect_close(call_learner(fn, 2.0, what="double"), 4.0, "double(2)")
    return "doubles."
'''


def _fixture_notebook() -> nbformat.NotebookNode:
    solution = new_code_cell("def double(x):\n    \"\"\"Twice x.\"\"\"\n    return 2 * x\n",
                             metadata={"tags": ["solution"]})
    solution.outputs = [new_output("stream", name="stdout", text="hidden\n")]
    answer = new_code_cell("answer = 6 * 7\nprint(answer)", metadata={"tags": ["solution"]})
    written = new_markdown_cell("Because e makes the derivative simple.",
                                metadata={"tags": ["solution"]})
    nb = new_notebook(cells=[
        new_markdown_cell("# 99 · Fixture"),
        new_code_cell(CHECK),
        new_markdown_cell("## Exercise 1: write double"),
        solution,
        new_code_cell("check_double(double)"),
        answer,
        new_code_cell("print('answer is', answer)"),
        written,
    ])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    return nb


@pytest.fixture
def masters(tmp_path: Path) -> Path:
    folder = tmp_path / "masters"
    folder.mkdir()
    nbformat.write(_fixture_notebook(), folder / "99_fixture.ipynb")
    return folder


def test_function_stub_keeps_signature_and_docstring() -> None:
    stub = student.stub_source(SOLUTION_FUNC)
    tree = ast.parse(stub)
    funcs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
    assert [f.name for f in funcs] == ["stable_sigmoid"]
    assert ast.get_docstring(funcs[0]) == "Return σ(x) without overflow."
    assert "NotImplementedError" in stub and "np.where" not in stub
    assert "import numpy as np" in stub


def test_assignment_stub_sets_none_and_drops_the_rest() -> None:
    stub = student.stub_source("a, b = 1, 2\nc: int = a + b\nprint(c)\nfor i in range(3):\n    c += i\n")
    assert "a = None" in stub and "b = None" in stub and "c = None" in stub
    assert "print" not in stub and "range" not in stub
    ast.parse(stub)


def test_stub_of_unparsable_or_magic_source_still_parses() -> None:
    for source in ["%timeit f(3)\nx = 1", "def broken(:\n  pass", "", "!pip list"]:
        ast.parse(student.stub_source(source))


def test_class_stub() -> None:
    stub = student.stub_source('class Value:\n    """A number."""\n    def __add__(self, o):\n        return 1\n')
    ast.parse(stub)
    assert "class Value" in stub and "return 1" not in stub


def test_generate_writes_stubbed_cleared_notebooks(masters: Path, tmp_path: Path) -> None:
    dest = tmp_path / "student"
    [path] = student.generate(masters, dest)
    nb = nbformat.read(path, as_version=4)
    sources = [c.source for c in nb.cells]
    assert "return 2 * x" not in "\n".join(sources)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert "widgets" not in nb.metadata
    assert any("Your answer" in s for s in sources)
    master = nbformat.read(masters / "99_fixture.ipynb", as_version=4)
    assert "return 2 * x" in master.cells[3].source, "the master must be untouched"


def test_student_notebook_runs_and_checks_give_hints(masters: Path, tmp_path: Path) -> None:
    from course_utils.execute import execute_notebook

    [path] = student.generate(masters, tmp_path / "student")
    execute_notebook(path, timeout=120)
    nb = nbformat.read(path, as_version=4)
    text = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code"
                   for o in c.outputs)
    assert "Not yet" in text and "not written yet" in text
    assert "answer is None" in text


def test_refuses_to_overwrite_without_force(masters: Path, tmp_path: Path) -> None:
    dest = tmp_path / "student"
    student.generate(masters, dest)
    target = dest / "99_fixture.ipynb"
    target.write_text("my notes")
    with pytest.raises(FileExistsError, match="--force"):
        student.generate(masters, dest)
    assert target.read_text() == "my notes", "nothing may be lost"
    student.generate(masters, dest, force=True)
    assert target.read_text() != "my notes"


def test_command_line(masters: Path, tmp_path: Path) -> None:
    dest = tmp_path / "out"
    run = [sys.executable, "-m", "course_utils.student", str(masters), str(dest)]
    first = subprocess.run(run, capture_output=True, text=True)
    assert first.returncode == 0 and "wrote" in first.stdout
    second = subprocess.run(run, capture_output=True, text=True)
    assert second.returncode == 2 and "--force" in second.stderr
    assert subprocess.run([*run, "--force"], capture_output=True).returncode == 0


def test_bad_folders(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        student.generate(tmp_path / "missing", tmp_path / "out")
    with pytest.raises(FileNotFoundError, match="NN_"):
        student.generate(tmp_path, tmp_path / "out")


def test_course_notebooks_all_have_parsable_stubs(tmp_path: Path) -> None:
    notebooks = Path(__file__).parents[2] / "notebooks"
    if not list(notebooks.glob("[0-9][0-9]_*.ipynb")):
        pytest.skip("no course notebooks yet")
    for path in student.generate(notebooks, tmp_path / "student"):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            if "solution" in cell.metadata.get("tags", []) and cell.cell_type == "code":
                ast.parse(cell.source)
