"""Every course notebook follows the notebook shape of the course design.

Title cell (objectives, prerequisites, time, run time), the setup call, at least one widget
(saved so static renders show it), exercises whose solutions are tagged and checked, a recap,
short cells, committed executed with no errors, and listed in the course map.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from course_utils.course_map import CHAPTERS

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
MAX_CELL_LINES = 40

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")


def _load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _code(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if c.cell_type == "code"]


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def nb_path(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_name_matches_the_course_map(nb_path: Path) -> None:
    assert nb_path.name in {c.notebook for c in CHAPTERS}, (
        f"{nb_path.name} is not in course_utils/course_map.py")


def test_title_cell(nb_path: Path) -> None:
    first = _load(nb_path).cells[0]
    number = int(nb_path.name[:2])
    assert first.cell_type == "markdown"
    assert re.match(rf"#\s+{number:02d}\b", first.source), "title must start with '# NN'"
    low = first.source.lower()
    assert "you will" in low or "objective" in low, "learning objectives missing"
    assert re.search(r"prerequisites?:", low), "prerequisites missing"
    assert re.search(r"\btime:.*\d+\s*min", low), "learner time missing"
    assert re.search(r"run time:.*\d", low), "measured run time missing"


def test_setup_call_comes_first(nb_path: Path) -> None:
    first_code = _code(_load(nb_path))[0].source
    assert "import course_utils as cu" in first_code and "cu.setup()" in first_code


def test_executed_without_errors(nb_path: Path) -> None:
    for cell in _code(_load(nb_path)):
        if cell.source.strip():
            assert cell.execution_count is not None, f"unexecuted cell: {cell.source[:60]!r}"
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"error output in cell: {cell.source[:60]!r}"


def test_execution_counts_are_in_order(nb_path: Path) -> None:
    counts = [c.execution_count for c in _code(_load(nb_path)) if c.source.strip()]
    assert counts == list(range(1, len(counts) + 1)), "run top to bottom in a fresh kernel"


def test_has_a_widget_whose_state_is_saved(nb_path: Path) -> None:
    nb = _load(nb_path)
    views = [o.data[WIDGET_VIEW]["model_id"] for c in _code(nb) for o in c.outputs
             if o.get("data", {}).get(WIDGET_VIEW)]
    assert views, "at least one interactive widget"
    state = nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    missing = [m for m in views if m not in state]
    assert not missing, "widget state not saved: static renders would show an error"


def test_exercises_are_tagged_and_checked(nb_path: Path) -> None:
    cells = _load(nb_path).cells
    solutions = [i for i, c in enumerate(cells) if "solution" in c.metadata.get("tags", [])]
    assert solutions, "no cell tagged 'solution'"
    for i in solutions:
        if cells[i].cell_type != "code":
            continue
        after = next((c for c in cells[i + 1:] if c.cell_type == "code"
                      and "solution" not in c.metadata.get("tags", [])), None)
        assert after is not None and re.search(r"\bcheck_\w+\(", after.source), (
            f"solution cell {i} must be followed by a check cell")
        before = "".join(c.source for c in cells[max(0, i - 3):i] if c.cell_type == "markdown")
        assert re.search(r"exercise", before, re.I), f"solution cell {i} has no task cell before it"


def test_recap_at_the_end(nb_path: Path) -> None:
    md = [c.source for c in _load(nb_path).cells if c.cell_type == "markdown"]
    assert any(re.search(r"^##\s+recap", s, re.I | re.M) for s in md[-3:]), "recap missing"


def test_cells_are_short(nb_path: Path) -> None:
    for cell in _code(_load(nb_path)):
        lines = len(cell.source.splitlines())
        assert lines <= MAX_CELL_LINES, f"{lines}-line cell: move long code into course_utils"


def test_saved_with_the_course_kernel(nb_path: Path) -> None:
    assert _load(nb_path).metadata.get("kernelspec", {}).get("name") == "sigmoid-to-gpt"
