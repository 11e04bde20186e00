"""Generate student versions of the notebooks: solutions removed, outputs cleared.

Master notebooks carry their solutions in cells tagged ``solution``. The student version
keeps every other cell and replaces each solution by a *stub* that still runs:

* a function keeps its name, arguments and docstring; its body becomes
  ``raise NotImplementedError`` — the check below it then prints a hint, not a traceback;
* a variable keeps its name and is set to ``None`` — again the check gives a hint;
* any other statement is left out, with a comment saying where the learner's code goes;
* a markdown cell tagged ``solution`` (a written answer) becomes a prompt to answer.

Run it as ``python -m course_utils.student notebooks/ student/`` (or ``make student``).
Existing files are never overwritten unless ``--force`` is given.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import ClearMetadataPreprocessor, ClearOutputPreprocessor, Preprocessor

from .execute import save_notebook

SOLUTION_TAG = "solution"
STUB_HEADER = "# EXERCISE: write your code here, then run the check cell below."
TODO = "# YOUR CODE HERE"
_MAGIC = re.compile(r"^\s*[%!]")


def _stub_function(node: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.AST:
    body: list[ast.stmt] = []
    doc = ast.get_docstring(node, clean=False)
    if doc is not None:
        body.append(ast.Expr(ast.Constant(doc)))
    message = f"write {node.name}() — see the task above"
    body.append(ast.Raise(ast.Call(ast.Name("NotImplementedError", ast.Load()),
                                   [ast.Constant(message)], [])))
    node.body = body
    return node


def _stub_class(node: ast.ClassDef) -> ast.AST:
    kept: list[ast.stmt] = []
    for item in node.body:
        if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
            kept.append(_stub_function(item))  # type: ignore[arg-type]
        elif isinstance(item, ast.Expr) and isinstance(item.value, ast.Constant):
            kept.append(item)  # the docstring
    node.body = kept or [ast.Pass()]
    return node


def _assigned_names(node: ast.Assign | ast.AnnAssign | ast.AugAssign) -> list[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    names: list[str] = []
    for target in targets:
        elts = target.elts if isinstance(target, (ast.Tuple, ast.List)) else [target]
        names.extend(e.id for e in elts if isinstance(e, ast.Name))
    return names


def stub_source(source: str) -> str:
    """Turn a solution cell's code into a stub that parses and fails politely."""
    clean = "\n".join(line for line in source.splitlines() if not _MAGIC.match(line))
    try:
        tree = ast.parse(clean)
    except SyntaxError:
        return f"{STUB_HEADER}\n{TODO}\n"
    out: list[str] = [STUB_HEADER]
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            out.append(ast.unparse(node))
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out.append(ast.unparse(_stub_function(node)))
        elif isinstance(node, ast.ClassDef):
            out.append(ast.unparse(_stub_class(node)))
        elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            names = _assigned_names(node)
            out.extend(f"{name} = None  {TODO}" for name in dict.fromkeys(names))
        else:
            if out[-1] != TODO:
                out.append(TODO)
    stub = "\n\n".join(out) + "\n"
    ast.parse(stub)  # a stub must always parse
    return stub


class StudentPreprocessor(Preprocessor):
    """Replace every cell tagged ``solution`` by its stub."""

    def preprocess_cell(self, cell, resources, index):  # noqa: D102 - nbconvert's signature
        tags = cell.get("metadata", {}).get("tags", [])
        if SOLUTION_TAG in tags:
            if cell.cell_type == "code":
                cell.source = stub_source(cell.source)
            elif cell.cell_type == "markdown":
                cell.source = "**Your answer:** *(write it here)*"
        return cell, resources


def make_student_notebook(master: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The student version of one master notebook (a new object; the master is untouched)."""
    nb = nbformat.from_dict(master)
    nb = nbformat.from_dict(nbformat.reads(nbformat.writes(nb), as_version=4))
    resources: dict = {}
    nb, resources = StudentPreprocessor().preprocess(nb, resources)
    nb, resources = ClearOutputPreprocessor().preprocess(nb, resources)
    nb, resources = ClearMetadataPreprocessor(preserve_cell_metadata_mask={"tags"},
                                              preserve_nb_metadata_mask={"kernelspec",
                                                                         "language_info"}
                                              ).preprocess(nb, resources)
    nb.metadata.pop("widgets", None)  # saved widget views belong to the executed master
    return nb


def generate(src: Path, dest: Path, force: bool = False) -> list[Path]:
    """Write the student version of every ``NN_*.ipynb`` in ``src`` into ``dest``."""
    src, dest = Path(src), Path(dest)
    if not src.is_dir():
        raise FileNotFoundError(f"no notebook folder at {src}")
    masters = sorted(src.glob("[0-9][0-9]_*.ipynb"))
    if not masters:
        raise FileNotFoundError(f"no notebooks named NN_*.ipynb in {src}")
    if src.resolve() == dest.resolve():
        raise ValueError("the student folder must differ from the master folder")
    targets = [dest / m.name for m in masters]
    existing = [t for t in targets if t.exists()]
    if existing and not force:  # check everything before writing anything
        names = ", ".join(t.name for t in existing)
        raise FileExistsError(f"{dest} already has {names}; pass --force to overwrite")
    dest.mkdir(parents=True, exist_ok=True)
    for master, target in zip(masters, targets, strict=True):
        nb = make_student_notebook(nbformat.read(master, as_version=4))
        nbformat.validate(nb)
        save_notebook(nb, target)
    return targets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.student",
                                     description="Make student versions of the course notebooks.")
    parser.add_argument("src", type=Path, help="folder with the master notebooks")
    parser.add_argument("dest", type=Path, help="folder for the student versions")
    parser.add_argument("--force", action="store_true", help="overwrite existing files")
    args = parser.parse_args(argv)
    try:
        written = generate(args.src, args.dest, force=args.force)
    except (FileNotFoundError, FileExistsError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
