"""Export the course to an nbgrader course, so instructors can assign, collect and grade chapters.

``python -m course_utils.nbgrader notebooks nbgrader-course`` (or ``make nbgrader``) turns every
master notebook ``NN_slug.ipynb`` into one nbgrader assignment, ``source/NN_slug/NN_slug.ipynb``,
and writes the course's ``nbgrader_config.py``:

* a cell tagged ``solution`` becomes an nbgrader *solution* cell: the body of each function (and
  any other code) sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``, so the released
  version keeps the function's name, arguments and docstring, as the course's own student
  versions do (:mod:`course_utils.student`). A name the cell assigns is first set to ``None``,
  so an unanswered exercise gets the check's hint, not a ``NameError``. A markdown cell tagged
  ``solution`` becomes a manually graded answer;
* the check cell after it becomes an autograded *test* cell worth ``points``. Its checks run
  inside ``with grading():`` (:func:`course_utils.checks.core.grading`), where a wrong answer
  raises with the hint as its message: the exercise scores zero and the hint is the feedback;
* every other cell is read-only (nbgrader restores it if a student edits it).

Outputs are cleared (nbgrader releases notebooks without them). Notebooks are discovered, so
new chapters are exported as soon as they exist. nbgrader itself is only needed to release and
grade (``pip install "sigmoid-to-gpt[instructor]"``), not to export.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .course_map import all_prerequisites, chapter
from .execute import save_notebook
from .student import SOLUTION_TAG, make_student_notebook

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
SCHEMA_VERSION = 3
CONFIG_NAME = "nbgrader_config.py"
_CHECK_CALL = re.compile(r"\bcheck_\w+\(")
_NAME = re.compile(r"[^A-Za-z0-9_-]+")

CONFIG_TEXT = '''\
# nbgrader configuration for the Sigmoid to GPT course (written by `make nbgrader`).
c = get_config()  # noqa: F821 - nbgrader provides get_config

c.CourseDirectory.course_id = "sigmoid-to-gpt"
# What a student sees in place of each solution: keep this, the course's checks expect it.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Some chapters train a network in one cell: give a cell up to 10 minutes when autograding.
c.Execute.timeout = 600
'''


def _cell_meta(grade_id: str, *, solution: bool = False, grade: bool = False,
               locked: bool = True, points: float | None = None) -> dict:
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": SCHEMA_VERSION,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _indent_of(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _region(lines: list[str], start: int, end: int, indent: str) -> list[str]:
    """``lines[start:end]`` wrapped in the solution markers, at ``indent``."""
    return [f"{indent}{BEGIN}", *lines[start:end], f"{indent}{END}"]


def _function_regions(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef,
                      lines: list[str]) -> list[tuple[int, int]] | None:
    """The (start, end) line ranges (0-based, end exclusive) to hide in a def or class, or None
    when its body cannot be separated from its signature (a one-line def)."""
    if isinstance(node, ast.ClassDef):
        regions: list[tuple[int, int]] = []
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = _function_regions(item, lines)
                if inner is None:
                    return None
                regions.extend(inner)
        return regions
    body = node.body
    doc = body[0] if (isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant)
                      and isinstance(body[0].value.value, str)) else None
    rest = body[1:] if doc else body
    if not rest:
        return []
    if rest[0].lineno == node.lineno or (doc and rest[0].lineno == doc.end_lineno):
        return None  # `def f(x): return x` on one line
    first = doc.end_lineno if doc else rest[0].lineno - 1  # 0-based: the body's first line
    return [(first, node.end_lineno)]


def solution_source(source: str) -> str:
    """A solution cell's code with its answer between nbgrader's solution markers.

    Functions (and methods) keep their signature and docstring outside the markers; every other
    statement goes inside them, after ``name = None`` for each name it assigns; imports stay
    visible. Code that does not parse is wrapped whole.
    """
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return "\n".join([BEGIN, *lines, END])
    out: list[str] = []
    pending: list[ast.stmt] = []  # consecutive statements to hide in one region

    def flush() -> None:
        if not pending:
            return
        names = []
        for node in pending:
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                for target in targets:
                    elts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
                    names.extend(e.id for e in elts if isinstance(e, ast.Name))
        out.extend(f"{name} = None  # replace None with your answer"
                   for name in dict.fromkeys(names))
        out.extend(_region(lines, pending[0].lineno - 1, pending[-1].end_lineno, ""))
        pending.clear()

    position = 0  # the next line of `lines` not yet copied
    for node in tree.body:
        decorators = getattr(node, "decorator_list", [])
        start = min([node.lineno - 1] + [d.lineno - 1 for d in decorators])  # 0-based
        regions = (_function_regions(node, lines)
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                   else None)
        if isinstance(node, (ast.Import, ast.ImportFrom)) or regions is not None:
            flush()
            out.extend(lines[position:start])  # comments and blank lines between statements
            cursor = start
            for first, last in regions or []:
                out.extend(lines[cursor:first])
                body_line = next(line for line in lines[first:last] if line.strip())
                out.extend(_region(lines, first, last, _indent_of(body_line)))
                cursor = last
            out.extend(lines[cursor:node.end_lineno])
        else:
            if not pending:
                out.extend(lines[position:start])
            pending.append(node)
        position = node.end_lineno
    flush()
    out.extend(lines[position:])
    text = "\n".join(out)
    ast.parse(text)  # the markers are comments: the master still runs
    return text


def graded_check_source(source: str) -> str:
    """A check cell's code for a test cell: imports first, then the checks inside ``grading()``.

    A check cell that is not plain Python (a ``%magic``, say) is an error: outside grading mode
    its checks would only print, and every answer would score full points.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ValueError(f"a check cell must be plain Python to be graded ({exc.msg}, line "
                         f"{exc.lineno}):\n{source}") from None
    lines = source.splitlines()
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    others = [n for n in tree.body if not isinstance(n, (ast.Import, ast.ImportFrom))]
    head = ["from course_utils.checks.core import grading  # a wrong answer raises its hint"]
    head += [line for n in imports for line in lines[n.lineno - 1:n.end_lineno]]
    body = [line for n in others for line in lines[n.lineno - 1:n.end_lineno]]
    if not body:
        raise ValueError(f"this check cell calls no check outside its imports:\n{source}")
    return "\n".join(head + ["", "with grading():"] + ["    " + line if line else line
                                                       for line in body])


@dataclass
class Assignment:
    """What one exported chapter holds, and (from the course map) what it asks of a learner."""

    name: str
    path: Path
    exercises: list[str]
    points: float

    def planning(self) -> str:
        """What the chapter assumes and how long it takes, from :mod:`course_utils.course_map`."""
        try:
            ch = chapter(int(self.name[:2]))
        except KeyError:
            return "not in the course map"
        before = all_prerequisites(ch.number)
        hours = sum(chapter(n).learner_minutes for n in before) / 60
        assumes = (f"assumes {', '.join(f'{n:02d}' for n in before)} (about {hours:.1f} h of "
                   "study)" if before else "assumes nothing")
        return f"{assumes}; a learner needs about {ch.learner_minutes} min"

    def __str__(self) -> str:
        return (f"{self.name}: {len(self.exercises)} autograded exercise(s), "
                f"{self.points:g} point(s); {self.planning()} -> {self.path}")


def export_notebook(master: nbformat.NotebookNode, points: float = 1.0,
                    kernel: str | None = "python3") -> tuple[nbformat.NotebookNode, list[str]]:
    """The nbgrader source version of one master notebook, and the grade ids of its test cells.

    ``kernel`` names the kernel nbgrader runs when it autogrades (``python3``: the hub's default
    Python, where the course is installed); ``None`` keeps the master's.
    """
    if not isinstance(points, (int, float)) or isinstance(points, bool) or points <= 0:
        raise ValueError(f"points must be a positive number, got {points!r}")
    solutions = {i for i, c in enumerate(master.cells)
                 if SOLUTION_TAG in c.get("metadata", {}).get("tags", [])}
    # the same clean copy the student versions start from: no outputs, no saved widget state
    nb = make_student_notebook(master)
    for i, cell in enumerate(nb.cells):  # put the solutions back: nbgrader hides them itself
        if i in solutions:
            cell.source = master.cells[i].source
    tests: list[str] = []
    waiting_for_check: str | None = None
    used: set[str] = set()

    def unique(name: str) -> str:
        name, n = _NAME.sub("-", name).strip("-") or "cell", 2
        base = name
        while name in used:
            name, n = f"{base}-{n}", n + 1
        used.add(name)
        return name

    for i, cell in enumerate(nb.cells):
        if i in solutions and cell.cell_type == "code":
            label = unique(f"exercise-{len(tests) + 1}-solution")
            cell.source = solution_source(cell.source)
            cell.metadata["nbgrader"] = _cell_meta(label, solution=True, locked=False)
            waiting_for_check = label
        elif i in solutions:  # a written answer, graded by hand
            cell.metadata["nbgrader"] = _cell_meta(unique(f"answer-{i}"), solution=True,
                                                   grade=True, locked=False, points=points)
        elif (waiting_for_check and cell.cell_type == "code"
              and _CHECK_CALL.search(cell.source)):
            called = _CHECK_CALL.search(cell.source).group(0)[:-1]
            grade_id = unique(called)
            try:
                cell.source = graded_check_source(cell.source)
            except ValueError as exc:
                raise ValueError(f"cell {i}: {exc}") from None
            cell.metadata["nbgrader"] = _cell_meta(grade_id, grade=True, points=points)
            tests.append(grade_id)
            waiting_for_check = None
        else:
            cell.metadata["nbgrader"] = _cell_meta(unique(f"cell-{i:03d}"))
    if kernel is not None:
        nb.metadata["kernelspec"] = {"name": kernel, "language": "python",
                                     "display_name": "Python 3 (ipykernel)" if kernel == "python3"
                                     else kernel}
    return nb, tests


def export_course(notebooks: Path, course: Path, chapters: list[int] | None = None,
                  points: float = 1.0, kernel: str | None = "python3",
                  force: bool = False) -> list[Assignment]:
    """Write ``course/source/NN_slug/NN_slug.ipynb`` for every master notebook (or ``chapters``)
    and ``course/nbgrader_config.py``. Existing files are kept unless ``force``."""
    notebooks, course = Path(notebooks), Path(course)
    if not notebooks.is_dir():
        raise FileNotFoundError(f"no notebook folder at {notebooks}")
    masters = sorted(notebooks.glob("[0-9][0-9]_*.ipynb"))
    if chapters is not None:
        wanted = {int(n) for n in chapters}
        masters = [m for m in masters if int(m.name[:2]) in wanted]
        missing = wanted - {int(m.name[:2]) for m in masters}
        if missing:
            raise FileNotFoundError(f"no notebook for chapter(s) {sorted(missing)} in {notebooks}")
    if not masters:
        raise FileNotFoundError(f"no notebooks named NN_*.ipynb in {notebooks}")
    targets = [course / "source" / m.stem / m.name for m in masters]
    config = course / CONFIG_NAME
    existing = [t for t in targets if t.exists()]
    if existing and not force:  # check everything before writing anything
        raise FileExistsError(f"{course} already has {', '.join(t.parent.name for t in existing)};"
                              " pass --force to overwrite")
    exported = []
    for master, target in zip(masters, targets, strict=True):
        nb, tests = export_notebook(nbformat.read(master, as_version=4), points, kernel)
        nbformat.validate(nb)
        target.parent.mkdir(parents=True, exist_ok=True)
        save_notebook(nb, target)
        exported.append(Assignment(master.stem, target, tests, points * len(tests)))
    if force or not config.exists():
        config.write_text(CONFIG_TEXT)
    return exported


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m course_utils.nbgrader",
        description="Export the master notebooks as an nbgrader course (one assignment each).")
    parser.add_argument("notebooks", type=Path, help="folder with the master notebooks")
    parser.add_argument("course", type=Path, help="the nbgrader course folder to write")
    parser.add_argument("--chapters", type=int, nargs="+", metavar="N",
                        help="export only these chapters (default: every notebook)")
    parser.add_argument("--points", type=float, default=1.0, help="points per exercise")
    parser.add_argument("--kernel", default="python3",
                        help="kernel that autograding runs (default python3; 'keep' keeps the "
                             "notebooks' own)")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args(argv)
    try:
        exported = export_course(args.notebooks, args.course, args.chapters, args.points,
                                 None if args.kernel == "keep" else args.kernel, args.force)
    except (FileNotFoundError, FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for assignment in exported:
        print(assignment)
    print(f"nbgrader course written to {args.course}: run nbgrader there "
          "(nbgrader generate_assignment NN_slug).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
