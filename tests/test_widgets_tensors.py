"""Chapter 00's broadcasting widget: the picture, the menus, and a redraw when a shape changes."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from course_utils.widgets.tensors import EXAMPLE_SHAPES, broadcast_widget, draw_broadcast


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


def _shown(output: widgets.Output) -> str:
    assert len(output.outputs) == 1, "old figures must be replaced, not stacked"
    [item] = output.outputs
    assert item["output_type"] == "display_data", item.get("text")
    return item["data"]["image/png"]


def test_widget_has_two_menus_and_redraws_when_a_shape_changes():
    box = broadcast_widget((5, 1, 3), (4, 3))
    row, output = box.children
    menu_a, menu_b = row.children
    assert isinstance(menu_a, widgets.Dropdown) and isinstance(output, widgets.Output)
    assert (menu_a.value, menu_b.value) == ((5, 1, 3), (4, 3))
    first = _shown(output)
    menu_b.value = (3,)
    second = _shown(output)
    menu_a.value = (3, 4)  # clashes with (3,)
    third = _shown(output)
    assert len({first, second, third}) == 3


def test_widget_adds_a_shape_that_is_not_in_the_menu():
    box = broadcast_widget((6, 1), (1, 7))
    menu_a, menu_b = box.children[0].children
    assert (6, 1) not in EXAMPLE_SHAPES and menu_a.value == (6, 1) and menu_b.value == (1, 7)
    assert len(menu_a.options) == len(EXAMPLE_SHAPES) + 2


def test_widget_does_not_open_on_the_exercise_pair():
    from course_utils.checks.tensors import EXERCISE_SHAPES

    menu_a, menu_b = broadcast_widget().children[0].children
    assert (menu_a.value, menu_b.value) == ((2, 3, 4), (3, 1))
    assert (menu_a.value, menu_b.value) != EXERCISE_SHAPES
