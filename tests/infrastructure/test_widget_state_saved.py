"""Committed notebooks carry their widgets' state, so a static render shows each widget's first view.

GitHub, nbviewer and an HTML export have no kernel. They draw a widget from the state saved in
the notebook's metadata, or fall back to the output's other formats; without that state the
reader sees "Error displaying widget" (or nothing). For every notebook (found by glob):

* the saved state is well formed: ``metadata.widgets`` holds version 2 state, every model has
  its name, module, module version and state;
* every widget view shown (in a cell's outputs, or inside an Output widget's saved outputs)
  names a saved model, and so does every model it refers to (children, layout, style, ...),
  all the way down, so the whole widget can be rebuilt;
* every widget output also carries ``text/plain``, and a figure widget (one whose Output widget
  shows an image) carries an ``image/png`` fallback that is a real PNG, and its saved Output
  widget still holds the figure;
* nbconvert's HTML export embeds the state and a view for every widget.

``tests/test_notebook_shape.py`` checks that each top-level view's model is saved; this goes
further. The browser tests (``tests/test_browser_widgets.py``) check the live widgets.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).parents[2] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MODEL_REF = re.compile(r"^IPY_MODEL_([0-9a-f]+)$")

pytestmark = pytest.mark.skipif(not NOTEBOOKS, reason="no notebooks yet")


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def nb_path(request: pytest.FixtureRequest) -> Path:
    return request.param


def _load(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)


def _state(nb: nbformat.NotebookNode) -> dict[str, Any]:
    return nb.metadata.get("widgets", {}).get(WIDGET_STATE, {}).get("state", {})


def _views(nb: nbformat.NotebookNode) -> Iterator[tuple[int, dict[str, Any]]]:
    """(cell index, output) for every top-level output that shows a widget."""
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if WIDGET_VIEW in output.get("data", {}):
                yield i, output


def _references(value: Any) -> Iterator[str]:
    """Model ids a model's state refers to ("IPY_MODEL_<id>" strings, however nested)."""
    if isinstance(value, str):
        match = MODEL_REF.match(value)
        if match:
            yield match.group(1)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _references(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _references(item)


def _closure(model_id: str, state: dict[str, Any]) -> tuple[list[str], list[tuple[str, str]]]:
    """Every model reachable from ``model_id`` (itself included), and (from, to) references
    to models that are not saved. Views shown inside an Output widget count as reachable."""
    seen: list[str] = []
    missing: list[tuple[str, str]] = []
    todo = [model_id]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.append(current)
        entry = state.get(current, {})
        refs = list(_references(entry.get("state", {})))
        for output in entry.get("state", {}).get("outputs", []) or []:
            view = output.get("data", {}).get(WIDGET_VIEW) if isinstance(output, dict) else None
            if view:
                refs.append(view.get("model_id", ""))
        for ref in refs:
            if ref not in state:
                missing.append((current, ref))
            elif ref not in seen:
                todo.append(ref)
    return seen, missing


def _name(nb: nbformat.NotebookNode, cell: int) -> str:
    lines = [line for line in nb.cells[cell].source.splitlines() if line.strip()]
    return f"cell {cell} (`{lines[-1].strip() if lines else ''}`)"


def _figure_outputs(ids: list[str], state: dict[str, Any]) -> list[dict[str, Any]]:
    """The saved outputs of the Output widgets among ``ids`` that show an image."""
    found = []
    for model_id in ids:
        entry = state.get(model_id, {})
        if entry.get("model_name") != "OutputModel":
            continue
        outputs = entry.get("state", {}).get("outputs", []) or []
        if any("image/png" in o.get("data", {}) for o in outputs if isinstance(o, dict)):
            found.append(entry)
    return found


def _is_png(data: str) -> bool:
    try:
        return base64.b64decode(data, validate=True).startswith(PNG_SIGNATURE)
    except ValueError:
        return False


def test_saved_state_is_well_formed(nb_path: Path) -> None:
    nb = _load(nb_path)
    if not list(_views(nb)):
        pytest.skip(f"{nb_path.name} shows no widget yet")
    saved = nb.metadata.get("widgets", {}).get(WIDGET_STATE)
    assert saved, f"{nb_path.name}: widget state not saved in metadata.widgets (run `make execute`)"
    assert saved.get("version_major") == 2, f"{nb_path.name}: widget state version {saved.get('version_major')}"
    for model_id, entry in saved["state"].items():
        for key in ("model_name", "model_module", "model_module_version", "state"):
            assert key in entry, f"{nb_path.name}: saved widget model {model_id} has no {key!r}"


def test_every_widget_view_can_be_rebuilt_from_saved_state(nb_path: Path) -> None:
    nb = _load(nb_path)
    state = _state(nb)
    views = list(_views(nb))
    if not views:
        pytest.skip(f"{nb_path.name} shows no widget yet")
    problems = []
    for cell, output in views:
        view = output["data"][WIDGET_VIEW]
        model_id = view.get("model_id", "")
        if view.get("version_major") != 2:
            problems.append(f"{_name(nb, cell)}: widget view version {view.get('version_major')}")
        if model_id not in state:
            problems.append(f"{_name(nb, cell)}: its widget {model_id!r} is not in the saved state")
            continue
        _, missing = _closure(model_id, state)
        problems += [f"{_name(nb, cell)}: saved model {src} ({state[src]['model_name']}) refers "
                     f"to {dst}, which is not saved" for src, dst in missing]
    assert not problems, (f"{nb_path.name}: a static render could not show these widgets "
                          f"(re-run `make execute`):\n  " + "\n  ".join(problems))


def test_widget_outputs_carry_fallbacks(nb_path: Path) -> None:
    nb = _load(nb_path)
    state = _state(nb)
    views = list(_views(nb))
    if not views:
        pytest.skip(f"{nb_path.name} shows no widget yet")
    problems = []
    for cell, output in views:
        data = output["data"]
        if not str(data.get("text/plain", "")).strip():
            problems.append(f"{_name(nb, cell)}: no text/plain fallback")
        ids, _ = _closure(data[WIDGET_VIEW].get("model_id", ""), state)
        if not _figure_outputs(ids, state):
            continue  # not a figure widget (a bare control): text is its fallback
        if "image/png" not in data:
            problems.append(f"{_name(nb, cell)}: a figure widget without an image/png fallback "
                            "(build it with course_utils.widgets.figure_widget)")
        elif not _is_png(data["image/png"]):
            problems.append(f"{_name(nb, cell)}: its image/png fallback is not a PNG")
    assert not problems, f"{nb_path.name}:\n  " + "\n  ".join(problems)


def test_saved_figure_widgets_hold_their_figure(nb_path: Path) -> None:
    """The saved Output widget of a figure widget holds a real PNG, not an error message."""
    nb = _load(nb_path)
    state = _state(nb)
    problems = []
    for model_id, entry in state.items():
        if entry.get("model_name") != "OutputModel":
            continue
        for output in entry.get("state", {}).get("outputs", []) or []:
            if not isinstance(output, dict):
                continue
            if output.get("output_type") == "error" or output.get("name") == "stderr":
                text = output.get("text") or " ".join(output.get("traceback", []))
                problems.append(f"Output widget {model_id} saved an error: {str(text)[:200]!r}")
            png = output.get("data", {}).get("image/png")
            if png is not None and not _is_png(png):
                problems.append(f"Output widget {model_id} saved an image that is not a PNG")
    assert not problems, f"{nb_path.name}:\n  " + "\n  ".join(problems)


def test_html_export_embeds_every_widget(nb_path: Path) -> None:
    from nbconvert import HTMLExporter

    nb = _load(nb_path)
    views = [output["data"][WIDGET_VIEW]["model_id"] for _, output in _views(nb)]
    if not views:
        pytest.skip(f"{nb_path.name} shows no widget yet")
    html, _ = HTMLExporter().from_notebook_node(nb)
    scripts = re.findall(r'<script type="application/vnd\.jupyter\.widget-(state|view)\+json">'
                         r"(.*?)</script>", html, re.S)
    states = [json.loads(body) for kind, body in scripts if kind == "state"]
    shown = {json.loads(body).get("model_id") for kind, body in scripts if kind == "view"}
    assert len(states) == 1, f"{nb_path.name}: the HTML export does not embed the widget state"
    missing = [m for m in views if m not in shown or m not in states[0].get("state", {})]
    assert not missing, f"{nb_path.name}: the HTML export cannot show widgets {missing}"


def test_a_missing_child_model_is_caught() -> None:
    """The check above is not vacuous: a box whose slider's layout was not saved is reported."""
    state = {
        "box": {"model_name": "VBoxModel", "state": {"children": ["IPY_MODEL_aa", "IPY_MODEL_bb"]}},
        "aa": {"model_name": "FloatSliderModel", "state": {"layout": "IPY_MODEL_cc"}},
        "bb": {"model_name": "OutputModel", "state": {"outputs": [
            {"output_type": "display_data", "data": {WIDGET_VIEW: {"model_id": "dd"}}}]}},
    }
    seen, missing = _closure("box", state)
    assert set(seen) == {"box", "aa", "bb"}
    assert sorted(missing) == [("aa", "cc"), ("bb", "dd")]
