"""The course map as a picture, and a widget that shows what a chosen chapter assumes.

The numbers come from :mod:`course_utils.course_map` (:data:`CHAPTERS`, :func:`all_prerequisites`,
:func:`layout_chapters`); this module only draws them.
"""

from __future__ import annotations

import textwrap

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from ..course_map import CHAPTERS, all_prerequisites, chapter, layout_chapters
from .core import dropdown, figure_widget

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


def draw_course_map(selected: int | None = None) -> Figure:
    """The chapters as boxes, arrows from each prerequisite to the chapter that needs it.

    With ``selected`` given, that chapter is orange, everything it assumes (directly or
    through another chapter) is blue, and the arrows between them are drawn dark.
    """
    if selected is not None:
        chapter(selected)  # a clear error for a chapter that does not exist
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
        else:
            face, text_color = OTHER_COLOR, "#333333"
        ax.add_patch(FancyBboxPatch((x - _BOX_W / 2, y - _BOX_H / 2), _BOX_W, _BOX_H,
                                    boxstyle="round,pad=0.02,rounding_size=0.06",
                                    facecolor=face, edgecolor="#555555", linewidth=0.8))
        title = textwrap.fill(ch.title, 13)
        ax.text(x, y, f"{ch.number:02d}\n{title}", ha="center", va="center", fontsize=7.5,
                color=text_color, linespacing=1.1)
    ax.set_xlim(min(xs) - 0.5, max(xs) + 0.5)
    ax.set_ylim(min(ys) - 0.45, max(ys) + 0.45)
    ax.set_aspect("auto")
    ax.axis("off")
    if selected is None:
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
