"""Chapter 00's course-map widget: the drawing, the menu, and a redraw when a chapter is picked."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from course_utils.course_map import CHAPTERS, all_prerequisites
from course_utils.widgets.course_map import (
    ASSUMED_COLOR,
    OTHER_COLOR,
    SELECTED_COLOR,
    chapter_label,
    course_map_widget,
    describe_prerequisites,
    draw_course_map,
    format_chapter_list,
)


def _box_colors(fig: Figure) -> list[str]:
    [ax] = fig.axes
    return [to_hex(p.get_facecolor()) for p in ax.patches if isinstance(p, FancyBboxPatch)]


def test_plain_map_has_one_grey_box_per_chapter_and_one_arrow_per_prerequisite():
    fig = draw_course_map()
    try:
        assert isinstance(fig, Figure)
        assert _box_colors(fig) == [OTHER_COLOR] * len(CHAPTERS)
        arrows = [t for t in fig.axes[0].texts if getattr(t, "arrow_patch", None) is not None]
        assert len(arrows) == sum(len(ch.prerequisites) for ch in CHAPTERS)
        labels = {t.get_text().split("\n")[0] for t in fig.axes[0].texts}
        assert {f"{ch.number:02d}" for ch in CHAPTERS} <= labels
    finally:
        plt.close(fig)


@pytest.mark.parametrize("number", [ch.number for ch in CHAPTERS])
def test_selected_chapter_and_everything_it_assumes_are_highlighted(number):
    fig = draw_course_map(number)
    try:
        colors = _box_colors(fig)
        assert colors[number] == SELECTED_COLOR
        assumed = {i for i, c in enumerate(colors) if c == ASSUMED_COLOR}
        assert assumed == set(all_prerequisites(number))
        assert fig.axes[0].get_title() == describe_prerequisites(number)
    finally:
        plt.close(fig)


def test_drawing_an_unknown_chapter_is_a_clear_error():
    with pytest.raises(KeyError, match="no chapter 42"):
        draw_course_map(42)


def test_labels_and_descriptions():
    assert chapter_label(7) == "07 · MNIST"
    assert describe_prerequisites(0) == "00 · Welcome assumes nothing: start here."
    text = describe_prerequisites(3)
    assert text.startswith("03 · One neuron assumes ") and "of study before its own 75 min" in text
    assert format_chapter_list([9, 0, 1, 2, 3, 7]) == "00–03, 07, 09"
    assert format_chapter_list([4, 5]) == "04, 05"
    assert format_chapter_list([]) == ""


def _shown(output: widgets.Output) -> str:
    assert len(output.outputs) == 1, "old figures must be replaced, not stacked"
    [item] = output.outputs
    assert item["output_type"] == "display_data", item.get("text")
    return item["data"]["image/png"]


def test_widget_has_a_menu_of_all_chapters_and_an_output():
    box = course_map_widget(selected=10)
    menu, output = box.children
    assert isinstance(menu, widgets.Dropdown) and isinstance(output, widgets.Output)
    assert list(menu.options) == [chapter_label(ch.number) for ch in CHAPTERS]
    assert menu.value == 10 and menu.label == "10 · Attention"
    _shown(output)  # drawn straight away, never empty
    for ch in CHAPTERS:  # every label leads to its own chapter number
        menu.value = ch.number
        assert menu.label == chapter_label(ch.number)


def test_picking_a_chapter_redraws_the_map():
    box = course_map_widget(selected=10)
    menu, output = box.children
    first = _shown(output)
    menu.value = 3
    second = _shown(output)
    menu.value = 13
    third = _shown(output)
    menu.value = 10
    again = _shown(output)
    assert len({first, second, third}) == 3
    assert again == first, "the same chapter draws the same picture"


def test_widget_refuses_an_unknown_chapter():
    with pytest.raises(KeyError):
        course_map_widget(selected=99)
