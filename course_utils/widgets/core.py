"""The widget pattern: a pure compute function, a draw function, and a thin ipywidgets layer.

A chapter's widget is made of three small pieces:

1. a *compute* function (no plotting, no widgets) that returns the numbers the widget shows —
   the test suite calls it directly. It lives in the chapter's module ``widgets/chNN_slug.py``
   beside the widget, or in a concept module when later chapters reuse it;
2. a *draw* function that turns those numbers into a matplotlib figure;
3. :func:`figure_widget`, which wires controls to the draw function and redraws on change.

Only the third piece needs a browser, and it is the same few lines for every chapter.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..plotting import figure_png

_STYLE = {"description_width": "initial"}
_LAYOUT = widgets.Layout(width="420px")


def float_slider(description: str, value: float, min: float, max: float, step: float,
                 readout_format: str = ".2f") -> widgets.FloatSlider:
    """A float slider that redraws when released (dragging stays smooth on a slow laptop)."""
    if not (min <= value <= max):
        raise ValueError(f"slider {description!r}: value {value} is outside [{min}, {max}]")
    return widgets.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                               continuous_update=False, readout_format=readout_format,
                               style=_STYLE, layout=_LAYOUT)


def int_slider(description: str, value: int, min: int, max: int, step: int = 1) -> widgets.IntSlider:
    """An integer slider that redraws when released."""
    if not (min <= value <= max):
        raise ValueError(f"slider {description!r}: value {value} is outside [{min}, {max}]")
    return widgets.IntSlider(value=value, min=min, max=max, step=step, description=description,
                             continuous_update=False, style=_STYLE, layout=_LAYOUT)


def dropdown(description: str, options: list[Any] | dict[str, Any], value: Any = None) -> widgets.Dropdown:
    """A dropdown menu; ``value`` defaults to the first option."""
    opts = list(options.values()) if isinstance(options, dict) else list(options)
    if not opts:
        raise ValueError(f"dropdown {description!r} needs at least one option")
    return widgets.Dropdown(options=options, value=opts[0] if value is None else value,
                            description=description, style=_STYLE)


class FigureBox(widgets.VBox):
    """A box of controls and a figure that also shows as a plain picture.

    JupyterLab renders the live widget; a viewer without widget support (GitHub, a PDF
    export) falls back to the PNG of the figure as it was last drawn, not a blank space.
    """

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        bundle = super()._repr_mimebundle_(**kwargs)
        output = self.children[-1] if self.children else None
        shown = getattr(output, "outputs", ())
        if bundle is not None and shown and "image/png" in shown[0].get("data", {}):
            bundle["image/png"] = shown[0]["data"]["image/png"]
        return bundle


def figure_output(fig: Figure) -> dict[str, Any]:
    """A figure as a notebook display output (PNG), closing the figure.

    Setting an ``Output`` widget's outputs to this directly (rather than capturing
    ``display``) works the same inside and outside a kernel, so tests can inspect it.
    """
    png = figure_png(fig)
    plt.close(fig)
    return {"output_type": "display_data", "metadata": {},
            "data": {"image/png": base64.b64encode(png).decode("ascii"),
                     "text/plain": f"<Figure {fig.get_figwidth():.1f}x{fig.get_figheight():.1f} in>"}}


def figure_widget(draw: Callable[..., Figure], controls: dict[str, widgets.ValueWidget],
                  columns: int = 1) -> FigureBox:
    """Controls above a figure; changing any control calls ``draw(**values)`` and redraws.

    ``draw`` receives one keyword argument per control (its current value) and returns a
    matplotlib ``Figure``. The figure is drawn once straight away so the widget never opens
    empty, and its state is saved with the notebook for static renders.
    """
    if not callable(draw):
        raise TypeError("figure_widget needs a draw function that returns a matplotlib Figure")
    if not controls:
        raise ValueError("figure_widget needs at least one control")
    output = widgets.Output()

    def redraw(_change: Any = None) -> None:
        values = {name: control.value for name, control in controls.items()}
        try:
            fig = draw(**values)
            output.outputs = (figure_output(fig),)
        except Exception as exc:  # noqa: BLE001 - show the learner what went wrong, in place
            output.outputs = ({"output_type": "stream", "name": "stderr",
                               "text": f"Could not draw this: {type(exc).__name__}: {exc}\n"},)

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    boxes = list(controls.values())
    if columns > 1:
        rows = [widgets.HBox(boxes[i:i + columns]) for i in range(0, len(boxes), columns)]
        return FigureBox([*rows, output])
    return FigureBox([*boxes, output])
