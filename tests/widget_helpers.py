"""Helpers for the widget tests (``test_widgets_*.py``): what a figure widget shows, and whether
moving one of its controls redraws it.

A figure widget is a box whose last child is the ``Output`` that shows one figure as a PNG.
"""

from __future__ import annotations

import ipywidgets as widgets


def shown(output: widgets.Output) -> str:
    """The PNG of the one figure the widget shows."""
    assert len(output.outputs) == 1, "old figures must be replaced, not stacked"
    [item] = output.outputs
    assert item["output_type"] == "display_data", item.get("text")
    return item["data"]["image/png"]


def picture_changes(box: widgets.Box, control: widgets.ValueWidget, value) -> bool:
    """Whether setting ``control`` (one of ``box``'s) to ``value`` changes the picture."""
    output = box.children[-1]
    before = shown(output)
    control.value = value
    return shown(output) != before


def same_picture_after_a_detour(box: widgets.Box, control: widgets.ValueWidget, detour) -> bool:
    """Whether setting ``control`` to ``detour`` and back to where it was gives the first picture."""
    output = box.children[-1]
    first, start = shown(output), control.value
    control.value = detour
    control.value = start
    return shown(output) == first


def record_draws(monkeypatch, module, name: str) -> list[dict]:
    """Wrap ``module.<name>`` (a drawing function the widget calls with keywords) so that every
    call still draws and also adds its keyword arguments to the returned list."""
    calls: list[dict] = []
    real_draw = getattr(module, name)

    def recording_draw(**values):
        calls.append(values)
        return real_draw(**values)

    monkeypatch.setattr(module, name, recording_draw)
    return calls
