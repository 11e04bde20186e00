"""Chapter 00's widgets: the course map and the broadcasting picture, their menus, and a redraw
when a menu changes."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch, Rectangle
from widget_helpers import shown

from course_utils.checks.ch00_welcome import EXERCISE_SHAPES
from course_utils.course_map import CHAPTERS, all_prerequisites
from course_utils.widgets.ch00_welcome import (
    ASSUMED_COLOR,
    EXAMPLE_SHAPES,
    OTHER_COLOR,
    SELECTED_COLOR,
    broadcast_widget,
    chapter_label,
    course_map_widget,
    describe_prerequisites,
    draw_broadcast,
    draw_course_map,
    format_chapter_list,
)

# --- the course map ---------------------------------------------------------------------------

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


def test_widget_has_a_menu_of_all_chapters_and_an_output():
    box = course_map_widget(selected=10)
    menu, output = box.children
    assert isinstance(menu, widgets.Dropdown) and isinstance(output, widgets.Output)
    assert list(menu.options) == [chapter_label(ch.number) for ch in CHAPTERS]
    assert menu.value == 10 and menu.label == "10 · Attention"
    shown(output)  # drawn straight away, never empty
    for ch in CHAPTERS:  # every label leads to its own chapter number
        menu.value = ch.number
        assert menu.label == chapter_label(ch.number)


def test_picking_a_chapter_redraws_the_map():
    box = course_map_widget(selected=10)
    menu, output = box.children
    first = shown(output)
    menu.value = 3
    second = shown(output)
    menu.value = 13
    third = shown(output)
    menu.value = 10
    again = shown(output)
    assert len({first, second, third}) == 3
    assert again == first, "the same chapter draws the same picture"


def test_widget_refuses_an_unknown_chapter():
    with pytest.raises(KeyError):
        course_map_widget(selected=99)


# --- broadcasting -----------------------------------------------------------------------------


def _labels(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.axes[0].texts]


def test_draw_shows_the_result_shape():
    fig = draw_broadcast((5, 1, 3), (4, 3))
    try:
        assert isinstance(fig, Figure)
        assert fig.axes[0].get_title() == "result shape (5, 4, 3)"
        labels = _labels(fig)
        assert "1→4" in labels and "(1)" in labels  # stretched, and missing
        assert {"dim -1", "dim -2", "dim -3"} <= set(labels)
        boxes = [p for p in fig.axes[0].patches if isinstance(p, Rectangle)]
        assert len(boxes) == 9  # a, b and the result, three dimensions each
    finally:
        plt.close(fig)


def test_draw_shows_which_dimension_clashes():
    fig = draw_broadcast((3, 4), (3,))
    try:
        assert fig.axes[0].get_title() == "no result: dim -1 clashes (4 vs 3)"
        reds = [p for p in fig.axes[0].patches if to_hex(p.get_facecolor()) == "#e7685c"]
        assert len(reds) == 3  # both sizes and the missing result
    finally:
        plt.close(fig)


def test_draw_handles_scalars_and_rejects_non_shapes():
    fig = draw_broadcast((), ())
    try:
        assert fig.axes[0].get_title() == "result shape ()"
    finally:
        plt.close(fig)
    with pytest.raises(TypeError, match="shape"):
        draw_broadcast("3", (3,))


def test_widget_has_two_menus_and_redraws_when_a_shape_changes():
    box = broadcast_widget((5, 1, 3), (4, 3))
    row, output = box.children
    menu_a, menu_b = row.children
    assert isinstance(menu_a, widgets.Dropdown) and isinstance(output, widgets.Output)
    assert (menu_a.value, menu_b.value) == ((5, 1, 3), (4, 3))
    first = shown(output)
    menu_b.value = (3,)
    second = shown(output)
    menu_a.value = (3, 4)  # clashes with (3,)
    third = shown(output)
    assert len({first, second, third}) == 3


def test_widget_adds_a_shape_that_is_not_in_the_menu():
    box = broadcast_widget((6, 1), (1, 7))
    menu_a, menu_b = box.children[0].children
    assert (6, 1) not in EXAMPLE_SHAPES and menu_a.value == (6, 1) and menu_b.value == (1, 7)
    assert len(menu_a.options) == len(EXAMPLE_SHAPES) + 2


def test_widget_does_not_open_on_the_exercise_pair():
    menu_a, menu_b = broadcast_widget().children[0].children
    assert (menu_a.value, menu_b.value) == ((2, 3, 4), (3, 1))
    assert (menu_a.value, menu_b.value) != EXERCISE_SHAPES
