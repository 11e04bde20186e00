"""Broadcasting as a picture: two shapes lined up from the right, and what each dimension does.

The reasoning comes from :func:`course_utils.tensors.explain_broadcast`; this module only draws it.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..tensors import Shape, as_shape, explain_broadcast
from .core import dropdown, figure_widget

#: Shapes offered in the widget's menus: the ones learners meet most often.
EXAMPLE_SHAPES: tuple[Shape, ...] = (
    (), (3,), (4,), (1, 4), (3, 1), (3, 4), (4, 3), (2, 3, 4), (5, 1, 3), (2, 1, 4), (8, 1, 6, 1),
    (7, 1, 5),
)

_COLORS = {"same": "#d9e7f7", "stretched": "#f6c48f", "missing": "#ffffff", "clash": "#e7685c",
           "result": "#a8d5a2"}


def draw_broadcast(shape_a: Shape, shape_b: Shape) -> Figure:
    """Boxes for each dimension of ``a``, ``b`` and the result, right-aligned.

    Blue: the sizes agree. Orange: a size 1 that is stretched. Dashed: a missing dimension
    (it counts as 1). Red: a clash, so there is no result.
    """
    explanation = explain_broadcast(shape_a, shape_b)
    ndim = len(explanation.steps)
    columns = max(ndim, 4)  # a fixed width, so the widget does not jump as shapes change
    fig, ax = plt.subplots(figsize=(6.0, 2.6))
    rows = [("a", [s.size_a for s in explanation.steps]), ("b", [s.size_b for s in explanation.steps])]
    for r, (name, sizes) in enumerate(rows):
        y = 2 - r
        shape = explanation.shape_a if r == 0 else explanation.shape_b
        ax.text(-0.2, y + 0.4, f"{name} {shape}", ha="right", va="center", fontsize=10)
        for step, size in zip(explanation.steps, sizes, strict=True):
            x = columns - step.position
            if size is None:
                kind, label = "missing", "(1)"
            elif not step.ok:
                kind, label = "clash", str(size)
            elif size != step.result:  # a size 1 being stretched
                kind, label = "stretched", f"1→{step.result}"
            else:
                kind, label = "same", str(size)
            ax.add_patch(Rectangle((x + 0.05, y + 0.05), 0.9, 0.7, facecolor=_COLORS[kind],
                                   edgecolor="#555555", linestyle="--" if kind == "missing" else "-"))
            ax.text(x + 0.5, y + 0.4, label, ha="center", va="center", fontsize=10)
    ax.text(-0.2, 0.4, "result", ha="right", va="center", fontsize=10, fontweight="bold")
    for step in explanation.steps:
        x = columns - step.position
        ax.text(x + 0.5, 3.0, f"dim {step.index}", ha="center", va="center", fontsize=8,
                color="#777777")
        kind, label = ("result", str(step.result)) if step.ok else ("clash", "clash")
        ax.add_patch(Rectangle((x + 0.05, 0.05), 0.9, 0.7, facecolor=_COLORS[kind], edgecolor="#555555"))
        ax.text(x + 0.5, 0.4, label, ha="center", va="center", fontsize=10, fontweight="bold")
    if explanation.ok:
        title = f"result shape {explanation.result}"
    else:
        title = "no result: " + ", ".join(f"dim {s.index} clashes ({s.size_a} vs {s.size_b})"
                                          for s in explanation.clashes)
    ax.set_title(title, fontsize=10.5)
    ax.set_xlim(-2.2, columns)
    ax.set_ylim(-0.1, 3.2)
    fig.text(0.5, 0.02, "blue: sizes agree   orange: size 1, stretched   dashed: missing, "
             "counts as 1   red: clash", ha="center", fontsize=8, color="#555555")
    ax.axis("off")
    fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def broadcast_widget(shape_a: Shape = (2, 3, 4), shape_b: Shape = (3, 1)) -> widgets.VBox:
    """Two menus of shapes; the picture shows whether (and how) they broadcast."""
    options = {str(shape): shape for shape in EXAMPLE_SHAPES}
    for shape in (as_shape(shape_a, "shape_a"), as_shape(shape_b, "shape_b")):
        options.setdefault(str(shape), shape)
    controls = {"shape_a": dropdown("a", options, as_shape(shape_a)),
                "shape_b": dropdown("b", options, as_shape(shape_b))}
    return figure_widget(draw_broadcast, controls, columns=2)
