"""The course map: fourteen chapters, prerequisites pointing backwards, a layout for drawing."""

from __future__ import annotations

from pathlib import Path

import pytest

from course_utils.course_map import CHAPTERS, Chapter, all_prerequisites, chapter, layout_chapters

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"


def test_fourteen_chapters_numbered_0_to_13_in_order():
    assert [ch.number for ch in CHAPTERS] == list(range(14))
    assert CHAPTERS[0].slug == "welcome" and CHAPTERS[0].prerequisites == ()


def test_notebook_names_are_unique_and_well_formed():
    names = [ch.notebook for ch in CHAPTERS]
    assert len(set(names)) == len(names)
    for ch in CHAPTERS:
        assert ch.notebook.startswith(f"{ch.number:02d}_") and ch.notebook.endswith(".ipynb")
        assert ch.learner_minutes > 0 and ch.title and ch.builds


def test_prerequisites_exist_and_point_backwards():
    for ch in CHAPTERS:
        for p in ch.prerequisites:
            assert 0 <= p < ch.number, f"chapter {ch.number} assumes {p}"


def test_every_chapter_after_the_first_rests_on_the_welcome_chapter():
    for ch in CHAPTERS[1:]:
        assert ch.prerequisites, f"chapter {ch.number} lists no prerequisite"
        assert 0 in all_prerequisites(ch.number)


def test_every_notebook_that_exists_is_in_the_map():
    in_map = {ch.notebook for ch in CHAPTERS}
    for path in NOTEBOOKS.glob("*.ipynb"):
        assert path.name in in_map, f"{path.name} is not in course_utils/course_map.py"


def test_all_prerequisites_is_closed_and_sorted():
    assert all_prerequisites(0) == []
    for ch in CHAPTERS:
        before = all_prerequisites(ch.number)
        assert before == sorted(set(before))
        assert set(ch.prerequisites) <= set(before)
        for p in before:
            assert set(all_prerequisites(p)) <= set(before)


def test_unknown_chapter_is_a_clear_error():
    with pytest.raises(KeyError, match="chapters run from 0 to 13"):
        chapter(14)
    with pytest.raises(KeyError):
        all_prerequisites(-1)


# --- layout -----------------------------------------------------------------------------------


def test_layout_places_every_chapter_once():
    positions = layout_chapters()
    assert set(positions) == {ch.number for ch in CHAPTERS}
    assert len(set(positions.values())) == len(positions), "two chapters drawn on one spot"
    assert positions[0][0] == 0.0


def test_every_arrow_points_to_the_right():
    positions = layout_chapters()
    for ch in CHAPTERS:
        for p in ch.prerequisites:
            assert positions[p][0] < positions[ch.number][0]


def test_a_chapter_sits_one_column_after_its_latest_prerequisite():
    positions = layout_chapters()
    for ch in CHAPTERS[1:]:
        assert positions[ch.number][0] == 1 + max(positions[p][0] for p in ch.prerequisites)


def _ch(number, prereqs):
    return Chapter(number, f"c{number}", f"Chapter {number}", "something", prereqs, 10)


def test_layout_of_a_small_diamond():
    chapters = (_ch(0, ()), _ch(1, (0,)), _ch(2, (0,)), _ch(3, (1, 2)))
    assert layout_chapters(chapters) == {0: (0.0, 0.0), 1: (1.0, 0.5), 2: (1.0, -0.5),
                                         3: (2.0, 0.0)}


def test_chains_stay_in_their_lane():
    chapters = (_ch(0, ()), _ch(1, (0,)), _ch(2, (0,)), _ch(3, (2,)), _ch(4, (1,)))
    positions = layout_chapters(chapters)
    assert positions[3][1] == positions[2][1] and positions[4][1] == positions[1][1]


@pytest.mark.parametrize("chapters, fragment", [
    ((_ch(0, ()), _ch(1, (2,)), _ch(2, (0,))), "only assume earlier chapters"),
    ((_ch(0, ()), _ch(1, (1,))), "only assume earlier chapters"),
    ((_ch(0, ()), _ch(1, (7,))), "not in the map"),
    ((_ch(0, ()), _ch(0, ())), "unique"),
])
def test_layout_rejects_a_broken_map(chapters, fragment):
    with pytest.raises(ValueError, match=fragment):
        layout_chapters(chapters)


def test_layout_of_an_empty_map():
    assert layout_chapters(()) == {}


# --- where each chapter's code lives ------------------------------------------------------------

import ast  # noqa: E402
import importlib.util  # noqa: E402
import json  # noqa: E402

from course_utils.course_map import format_run_time, measured_run_times, run_time_line  # noqa: E402

PACKAGE = Path(__file__).parents[2] / "course_utils"
WRITTEN = [ch for ch in CHAPTERS if (NOTEBOOKS / ch.notebook).exists()]


def _is_module(dotted: str) -> bool:
    try:
        return importlib.util.find_spec(dotted) is not None
    except ModuleNotFoundError:
        return False


def _course_modules(tree: ast.AST) -> set[str]:
    """The course_utils modules a piece of code imports, relative to the package."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            submodules = [f"{node.module}.{a.name}" for a in node.names]
            names = [m for m in submodules if _is_module(m)]
            if len(names) < len(submodules):  # something imported from the module itself
                names.append(node.module)
        else:
            continue
        for name in names:
            if name.startswith("course_utils.") and _is_module(name):
                found.add(name.removeprefix("course_utils."))
    return found


def notebook_modules(path: Path) -> set[str]:
    """Every course_utils module a notebook's code cells import."""
    nb = json.loads(path.read_text())
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    return _course_modules(ast.parse(code))


@pytest.mark.parametrize("ch", WRITTEN, ids=lambda ch: ch.notebook)
def test_the_map_lists_exactly_the_modules_each_notebook_imports(ch):
    imported, listed = notebook_modules(NOTEBOOKS / ch.notebook), set(ch.modules)
    assert not imported - listed, (f"{ch.notebook} imports {sorted(imported - listed)}, which its "
                                   "entry in course_utils/course_map.py does not list: add them")
    assert not listed - imported, (f"course_utils/course_map.py lists {sorted(listed - imported)} "
                                   f"for {ch.notebook}, which it does not import: remove them")


def test_listed_modules_exist():
    for ch in CHAPTERS:
        for name in ch.modules:
            assert _is_module(f"course_utils.{name}"), f"chapter {ch.number}: no module {name}"


def test_chapter_modules_are_named_after_their_notebook_and_used_by_it_alone():
    owners = {}
    for ch in CHAPTERS:
        for name in ch.modules:
            stem = name.split(".")[-1]
            if stem.startswith("ch") and stem[2:4].isdigit():
                assert stem == ch.module_stem, (f"chapter {ch.number} uses {name}, a module of "
                                                "another chapter: move what both need to a "
                                                "concept module")
                owners[name] = ch.number
    for folder in ("checks", "widgets"):
        for path in sorted((PACKAGE / folder).glob("ch[0-9][0-9]_*.py")):
            name = f"{folder}.{path.stem}"
            assert name in owners, f"course_utils/{name}.py belongs to no chapter in the map"


def test_concept_modules_do_not_import_chapter_modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE).with_suffix("")
        own = relative.name if relative.name.startswith("ch") else None
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module.split(".")[-1]] + [a.name for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name.split(".")[-1] for a in node.names]
            else:
                continue
            for name in names:
                if name.startswith("ch") and name[2:4].isdigit() and name != own:
                    raise AssertionError(f"course_utils/{relative}.py imports the chapter "
                                         f"module {name}; only its own notebook may")


def test_run_times_in_title_cells_are_the_measured_ones():
    times = measured_run_times()
    for ch in WRITTEN:
        nb = json.loads((NOTEBOOKS / ch.notebook).read_text())
        title = "".join(nb["cells"][0]["source"])
        assert ch.notebook in times, f"no measured time for {ch.notebook}: run `make execute`"
        assert run_time_line(times[ch.notebook]) in title, (
            f"{ch.notebook}'s run-time line is not the measured {format_run_time(times[ch.notebook])}:"
            f" run `make execute NB=notebooks/{ch.notebook}`")


def test_format_run_time():
    assert format_run_time(0.2) == "1 s" and format_run_time(12.4) == "12 s"
    assert format_run_time(125) == "2 min 5 s"


def test_module_table_names_each_chapters_own_modules():
    from course_utils.course_map import module_table

    row = next(line for line in module_table().splitlines() if line.startswith("| 06 |"))
    assert "`06_backprop.ipynb`" in row and "`autograd`" in row
    assert "`checks/ch06_backprop.py`" in row and "`widgets/ch06_backprop.py`" in row
    assert "ch06_backprop`," not in row  # its own modules are not listed among the concepts
    unwritten = [ch for ch in CHAPTERS if not ch.modules]
    for ch in unwritten:  # a chapter not yet written has no row
        assert ch.notebook not in module_table()


def test_generated_tables_are_written_between_their_markers(tmp_path):
    from course_utils.course_map import chapter_table, module_table, refresh_generated_tables

    for name, marker in (("README.md", "chapter-table"), ("CONTRIBUTING.md", "module-table")):
        (tmp_path / name).write_text(f"intro\n<!-- {marker}:start -->\nold\n<!-- {marker}:end -->\nend\n")
    refresh_generated_tables(tmp_path)
    assert (tmp_path / "README.md").read_text() == (
        f"intro\n<!-- chapter-table:start -->\n{chapter_table()}\n<!-- chapter-table:end -->\nend\n")
    assert module_table() in (tmp_path / "CONTRIBUTING.md").read_text()
    (tmp_path / "README.md").write_text("no markers")
    with pytest.raises(ValueError, match="README.md has no <!-- chapter-table:start -->"):
        refresh_generated_tables(tmp_path)


def test_make_execute_writes_the_measured_run_time_into_the_title():
    import nbformat

    from course_utils.execute import write_run_time

    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# 99 · Title\n**Time:** 5 min.<br>\n**Run time:** about 7 s.<br>\nend"),
        nbformat.v4.new_code_cell("1")])
    assert write_run_time(nb, 12.4)
    assert nb.cells[0].source.splitlines()[2] == run_time_line(12.4) + "<br>"
    assert nb.cells[0].source.endswith("\nend")
    untitled = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# no line")])
    assert not write_run_time(untitled, 3.0)
    assert untitled.cells[0].source == "# no line"
