"""Execute notebooks top to bottom in a fresh kernel and save them with their outputs.

This is how the committed notebooks are produced (``make execute``, or
``python -m course_utils.execute notebooks/01_sigmoid.ipynb``). Each notebook runs in a new
kernel from this Python environment with its own folder as the working directory; widget
state is stored so static renders show the widgets; the measured run time is printed, written
into the title cell's "**Run time:**" line, and can be recorded in a JSON file for the
README's chapter table, so the notebook and the README always quote the same measurement.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from .course_map import RUN_TIME_PREFIX, run_time_line

COURSE_KERNEL = {"name": "sigmoid-to-gpt", "display_name": "Python (Sigmoid to GPT)",
                 "language": "python"}
CELL_TIMEOUT_S = 600


def save_notebook(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write a notebook atomically: a crash mid-write never leaves half a notebook."""
    tmp = Path(path).with_suffix(".ipynb.tmp")
    nbformat.write(nb, tmp)
    tmp.replace(path)


def write_run_time(nb: nbformat.NotebookNode, seconds: float) -> bool:
    """Put the measured run time into the title cell's run-time line; False if it has none."""
    if not nb.cells or nb.cells[0].cell_type != "markdown":
        return False
    lines = nb.cells[0].source.split("\n")
    for i, line in enumerate(lines):
        if line.lstrip().startswith(RUN_TIME_PREFIX):
            ending = "<br>" if line.rstrip().endswith("<br>") else ""
            lines[i] = run_time_line(seconds) + ending
            nb.cells[0].source = "\n".join(lines)
            return True
    return False


def execute_notebook(path: Path, *, timeout: int = CELL_TIMEOUT_S, save: bool = True) -> float:
    """Run one notebook in a fresh kernel; save it in place; return the seconds it took."""
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", allow_errors=False,
                            store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent.resolve())}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    for cell in nb.cells:  # per-cell timestamps would make every run a diff
        cell.metadata.pop("execution", None)
    nb.metadata["kernelspec"] = dict(COURSE_KERNEL)
    write_run_time(nb, round(seconds, 1))
    if save:
        save_notebook(nb, path)
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.execute",
                                     description="Execute notebooks in place, in fresh kernels.")
    parser.add_argument("notebooks", nargs="+", type=Path, help="notebooks or folders")
    parser.add_argument("--times", type=Path, help="JSON file to record run times in")
    parser.add_argument("--no-save", action="store_true", help="run only, do not save")
    args = parser.parse_args(argv)
    paths: list[Path] = []
    for item in args.notebooks:
        paths.extend(sorted(item.glob("[0-9][0-9]_*.ipynb")) if item.is_dir() else [item])
    times: dict[str, float] = {}
    if args.times and args.times.exists():
        times = json.loads(args.times.read_text())
    failed = False
    for path in paths:
        try:
            seconds = execute_notebook(path, save=not args.no_save)
        except CellExecutionError as exc:
            print(f"FAILED {path.name}:\n{exc}", file=sys.stderr)
            failed = True
            continue
        times[path.name] = round(seconds, 1)
        print(f"{path.name}: {seconds:.1f} s")
    if args.times:
        args.times.write_text(json.dumps(dict(sorted(times.items())), indent=2) + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
