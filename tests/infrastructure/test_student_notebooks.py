"""The student version of every chapter runs top to bottom; its checks give hints."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from course_utils.execute import execute_notebook
from course_utils.student import generate

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def student_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("student")
    generate(NOTEBOOKS, folder)
    return folder


@pytest.mark.slow
@pytest.mark.skipif(not NAMES, reason="no notebooks yet")
@pytest.mark.parametrize("name", NAMES)
def test_student_version_runs_and_hints(student_dir: Path, name: str) -> None:
    path = student_dir / name
    execute_notebook(path)  # raises on any error output
    nb = nbformat.read(path, as_version=4)
    cells = nb.cells
    for i, cell in enumerate(cells):
        if "solution" not in cell.metadata.get("tags", []) or cell.cell_type != "code":
            continue
        check = next(c for c in cells[i + 1:] if c.cell_type == "code"
                     and re.search(r"\bcheck_\w+\(", c.source))
        text = "".join(o.get("text", "") for o in check.outputs)
        assert "Not yet" in text, f"the check after stub {i} printed no hint: {text!r}"
