"""Chapter 00's widgets: the course map, and broadcasting as a picture.

* :func:`draw_course_map` / :func:`course_map_widget` — the chapters as boxes, with arrows from
  each prerequisite to the chapter that needs it; pick a chapter and everything it assumes lights
  up, or colour the chapters by the learner's progress. The numbers come from
  :mod:`course_utils.course_map` (:data:`CHAPTERS`, :func:`all_prerequisites`,
  :func:`layout_chapters`) and :mod:`course_utils.progress` (:func:`~course_utils.progress.summary`).
* :func:`draw_broadcast` / :func:`broadcast_widget` — two shapes lined up from the right, and
  what each dimension does. The reasoning comes from
  :func:`course_utils.tensors.explain_broadcast`.

This module only draws; the numbers come from those modules.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle

from ..course_map import CHAPTERS, all_prerequisites, chapter, layout_chapters
from ..progress import PROGRESS_COLORS, ChapterProgress
from ..tensors import Shape, as_shape, explain_broadcast
from .core import dropdown, figure_widget

# --- the course map ---------------------------------------------------------------------------

SELECTED_COLOR = "#e8743b"  # the chapter picked
ASSUMED_COLOR = "#4c8bd6"  # everything it builds on
OTHER_COLOR = "#e6e6e6"
_BOX_W, _BOX_H = 0.82, 0.36


def chapter_label(number: int) -> str:
    """``'07 · MNIST'``: how a chapter is named in menus."""
    ch = chapter(number)
    return f"{ch.number:02d} · {ch.title}"


def format_chapter_list(numbers: list[int]) -> str:
    """``[0, 1, 2, 3, 9]`` → ``'00–03, 09'``: runs of consecutive chapters shortened."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"{r[0]:02d}" if len(r) == 1 else
                     f"{r[0]:02d}, {r[1]:02d}" if len(r) == 2 else f"{r[0]:02d}–{r[-1]:02d}"
                     for r in runs)


def describe_prerequisites(number: int) -> str:
    """A sentence saying what a chapter assumes and how much study time that is."""
    ch = chapter(number)
    before = all_prerequisites(number)
    if not before:
        return f"{chapter_label(number)} assumes nothing: start here."
    listed = format_chapter_list(before)
    minutes = sum(chapter(n).learner_minutes for n in before)
    before_time = f"{minutes} min" if minutes < 120 else f"{minutes / 60:.1f} h"
    return (f"{chapter_label(number)} assumes {listed} "
            f"(about {before_time} of study before its own {ch.learner_minutes} min).")


def draw_course_map(selected: int | None = None,
                    progress: Sequence[ChapterProgress] | None = None) -> Figure:
    """The chapters as boxes, arrows from each prerequisite to the chapter that needs it.

    With ``selected`` given, that chapter is orange, everything it assumes (directly or
    through another chapter) is blue, and the arrows between them are drawn dark. With
    ``progress`` (``cu.progress.summary()``) each chapter with exercises shows how many you have
    passed, and, when no chapter is selected, is coloured by them: green when all are passed,
    light green when some are.
    """
    if selected is not None:
        chapter(selected)  # a clear error for a chapter that does not exist
    if progress is not None and not all(isinstance(row, ChapterProgress) for row in progress):
        raise TypeError("progress should be the list cu.progress.summary() returns, one row per "
                        f"chapter, but it is {type(progress).__name__}")
    done = {row.number: row for row in progress or ()}
    positions = layout_chapters()
    assumed = set(all_prerequisites(selected)) if selected is not None else set()
    lit = assumed | ({selected} if selected is not None else set())
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    fig, ax = plt.subplots(figsize=(11.0, 3.0))
    for ch in CHAPTERS:
        x1, y1 = positions[ch.number]
        for p in ch.prerequisites:
            x0, y0 = positions[p]
            strong = selected is not None and p in lit and ch.number in lit
            faint = selected is not None and not strong
            ax.annotate("", xy=(x1 - _BOX_W / 2, y1), xytext=(x0 + _BOX_W / 2, y0),
                        arrowprops={"arrowstyle": "-|>", "lw": 1.8 if strong else 1.1,
                                    "color": "#c0c0c0" if faint else "#333333",
                                    "shrinkA": 0, "shrinkB": 0})
    for ch in CHAPTERS:
        x, y = positions[ch.number]
        if ch.number == selected:
            face, text_color = SELECTED_COLOR, "white"
        elif ch.number in assumed:
            face, text_color = ASSUMED_COLOR, "white"
        elif ch.number in done and selected is None:
            face, text_color = PROGRESS_COLORS[done[ch.number].status], "#333333"
        else:
            face, text_color = OTHER_COLOR, "#333333"
        ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                    boxstyle="round,pad=0.02,rounding_size=0.06",
                                    facecolor=face, edgecolor="#555555", linewidth=0.8))
        title = textwrap.fill(ch.title, 13)
        ax.text(x, y, f"{ch.number:02d}\n{title}", ha="center", va="center", fontsize=7.5,
                color=text_color, linespacing=1.1)
        if ch.number in done:
            row = done[ch.number]
            ax.text(x, y - _BOX_H / 2 - 0.03, f"{row.passed}/{row.total} passed", ha="center",
                    va="top", fontsize=6.5, color="#555555")
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.45, max(ys) + 0.45)
    ax.set_aspect("auto")
    ax.axis("off")
    if selected is None and progress is not None:
        ax.set_title("The course map: an arrow means 'is assumed by'; green: exercises passed "
                     "(light green: some of them)", fontsize=10.5)
    elif selected is None:
        ax.set_title("The course map: an arrow means 'is assumed by'")
    else:
        ax.set_title(describe_prerequisites(selected), fontsize=10.5)
    fig.tight_layout()
    return fig


def course_map_widget(selected: int = 10) -> widgets.VBox:
    """Pick a chapter from the menu; the map highlights everything that chapter assumes."""
    options = {chapter_label(ch.number): ch.number for ch in CHAPTERS}
    chapter(selected)
    return figure_widget(draw_course_map, {"selected": dropdown("chapter", options, selected)})


# --- broadcasting -----------------------------------------------------------------------------

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


__all__ = [
    "EXAMPLE_SHAPES",
    "broadcast_widget",
    "chapter_label",
    "course_map_widget",
    "describe_prerequisites",
    "draw_broadcast",
    "draw_course_map",
    "format_chapter_list",
]
