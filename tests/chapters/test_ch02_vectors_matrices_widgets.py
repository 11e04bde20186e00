"""Chapter 02's widgets: what the matmul explorer computes, its drawing, its controls and a redraw
for every control; and the picture of a layer."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import picture_changes, record_draws, same_picture_after_a_detour, shown

from course_utils.widgets import ch02_vectors_matrices
from course_utils.widgets.ch02_vectors_matrices import (
    draw_layer,
    draw_matmul,
    example_matrices,
    matmul_entry,
    matmul_widget,
)

# --- what the explorer shows -----------------------------------------------------------------------


def test_example_matrices_are_fixed_small_integers_that_keep_their_place():
    A, B = example_matrices((3, 4), (4, 2))
    assert A.shape == (3, 4) and B.shape == (4, 2)
    assert np.all(A == np.round(A)) and A.min() >= -3 and A.max() <= 5
    big_a, big_b = example_matrices((5, 5), (5, 5))
    np.testing.assert_array_equal(big_a[:3, :4], A)  # growing a shape keeps the numbers
    np.testing.assert_array_equal(big_b[:4, :2], B)
    again_a, _ = example_matrices((3, 4), (4, 2))
    np.testing.assert_array_equal(again_a, A)
    assert (big_a < 0).any() and (big_a > 0).any()
    mismatch_a, mismatch_b = example_matrices((2, 3), (4, 2))  # need not fit
    assert mismatch_a.shape == (2, 3) and mismatch_b.shape == (4, 2)


@pytest.mark.parametrize("shape_a, shape_b, message", [
    ((6, 2), (2, 2), "up to 5×5"),
    ((2, 0), (2, 2), "at least 1 row"),
])
def test_example_matrices_refuses_shapes_it_cannot_show(shape_a, shape_b, message):
    with pytest.raises(ValueError, match=message):
        example_matrices(shape_a, shape_b)


def test_matmul_entry_takes_an_entry_apart():
    A = np.array([[1.0, 2.0, 3.0], [4.0, -5.0, 6.0]])
    B = np.array([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]])
    entry = matmul_entry(A, B, 1, 0)
    assert entry.ok and entry.rule is None
    np.testing.assert_array_equal(entry.row, [4.0, -5.0, 6.0])
    np.testing.assert_array_equal(entry.column, [7.0, 9.0, 11.0])
    np.testing.assert_array_equal(entry.products, [28.0, -45.0, 66.0])
    assert entry.value == 49.0 == (A @ B)[1, 0]
    np.testing.assert_array_equal(entry.result, A @ B)
    assert entry.result_shape == (2, 2)
    assert entry.formula() == "C[1, 0] = 4·7 + (−5)·9 + 6·11 = 49"


def test_every_entry_is_its_row_dot_its_column():
    A, B = example_matrices((4, 5), (5, 3))
    for i in range(4):
        for j in range(3):
            entry = matmul_entry(A, B, i, j)
            assert entry.value == pytest.approx(A[i] @ B[:, j])
            assert entry.value == pytest.approx(entry.products.sum())


def test_matmul_entry_of_a_mismatch_gives_the_rule_instead_of_a_traceback():
    A, B = example_matrices((2, 3), (4, 2))
    entry = matmul_entry(A, B, 1, 1)
    assert not entry.ok
    assert entry.rule.startswith("cannot multiply a 2×3 matrix by a 4×2 matrix: A has 3 columns "
                                 "but B has 4 rows")
    assert entry.products is None and entry.value is None and entry.result is None
    assert entry.result_shape is None
    assert entry.row.shape == (3,) and entry.column.shape == (4,)  # lengths that cannot pair up
    assert entry.formula() == entry.rule


@pytest.mark.parametrize("i, j, error, message", [
    (2, 0, ValueError, "i = 2 is outside the 2 rows of A"),
    (0, 2, ValueError, "j = 2 is outside the 2 columns of B"),
    (-1, 0, ValueError, "from 0 to 1"),
    (0.5, 0, TypeError, "whole number"),
    (True, 0, TypeError, "whole number"),
])
def test_matmul_entry_refuses_an_entry_that_does_not_exist(i, j, error, message):
    with pytest.raises(error, match=message):
        matmul_entry(np.ones((2, 3)), np.ones((3, 2)), i, j)


def test_matmul_entry_refuses_bad_matrices():
    with pytest.raises(ValueError, match="1-D vector"):
        matmul_entry([1, 2, 3], np.ones((3, 2)), 0, 0)
    with pytest.raises(TypeError, match="matmul_entry: B must be numbers"):
        matmul_entry(np.ones((2, 3)), None, 0, 0)


# --- the explorer -------------------------------------------------------------------------------

CONTROL_NAMES = ["rows of A", "columns of A", "rows of B", "columns of B", "entry row i",
                 "entry column j"]


def _texts(fig: Figure) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_draw_returns_two_panels_with_the_sum_in_the_title():
    fig = draw_matmul(3, 4, 4, 2, 1, 0)
    try:
        assert isinstance(fig, Figure)
        assert len(fig.axes) == 2
        title = fig._suptitle.get_text()
        assert title == "C[1, 0] = 4·0 + 1·(−2) + (−3)·3 + 0·(−1) = −11"
        texts = _texts(fig)
        assert "A is 3×4" in texts and "B is 4×2" in texts and "C = A @ B is 3×2" in texts
        assert "row 1 →" in texts and "column 0\n↓" in texts
        assert "sum" in texts and "−11" in texts
        assert fig.axes[1].get_title() == "C[1, 0] = row 1 of A · column 0 of B"
        assert "−0" not in texts  # 0 · (−1) is shown as 0
    finally:
        plt.close(fig)


def test_highlighted_cells_follow_i_and_j():
    fig = draw_matmul(3, 3, 3, 3, 2, 1)
    try:
        blocks = fig.axes[0]
        colors = [p.get_facecolor() for p in blocks.patches]
        orange = sum(1 for c in colors if c[:3] == pytest.approx((0xf6 / 255, 0xc4 / 255, 0x8f / 255)))
        blue = sum(1 for c in colors if c[:3] == pytest.approx((0x9e / 255, 0xca / 255, 0xe1 / 255)))
        green = sum(1 for c in colors if c[:3] == pytest.approx((0xa8 / 255, 0xd5 / 255, 0xa2 / 255)))
        assert (orange, blue, green) == (3, 3, 1)  # row i of A, column j of B, entry [i, j]
        assert "row 2 →" in _texts(fig)
    finally:
        plt.close(fig)


def test_a_mismatch_shows_the_broken_rule_not_a_traceback():
    fig = draw_matmul(2, 3, 4, 2, 1, 1)
    try:
        title = fig._suptitle.get_text().replace("\n", " ")
        assert "cannot multiply a 2×3 matrix by a 4×2 matrix: A has 3 columns but B has 4 rows" \
            in title
        assert "A's columns must equal B's rows" in title
        texts = _texts(fig)
        assert "no C:\n3 ≠ 4" in texts
        assert "no partner" in texts and "?" in texts  # B's 4th number has nothing to pair with
        assert "3 columns" in texts and "4 rows" in texts
    finally:
        plt.close(fig)


def test_draw_refuses_an_entry_outside_the_matrices():
    with pytest.raises(ValueError, match="i = 3 is outside"):
        draw_matmul(3, 2, 2, 2, 3, 0)


def test_widget_has_six_sliders_in_pairs_and_an_output():
    box = matmul_widget()
    try:
        rows, output = box.children[:-1], box.children[-1]
        sliders = [s for row in rows for s in row.children]
        assert len(rows) == 3 and all(isinstance(r, widgets.HBox) for r in rows)
        assert [s.description for s in sliders] == CONTROL_NAMES
        assert all(isinstance(s, widgets.IntSlider) for s in sliders)
        assert [s.value for s in sliders] == [3, 4, 4, 2, 1, 0]
        assert isinstance(output, widgets.Output)
    finally:
        plt.close("all")


def _sliders(box: widgets.VBox) -> dict[str, widgets.IntSlider]:
    return {s.description: s for row in box.children[:-1] for s in row.children}


@pytest.mark.parametrize("name, value", [("rows of A", 4), ("columns of A", 2), ("rows of B", 2),
                                         ("columns of B", 5), ("entry row i", 2),
                                         ("entry column j", 1)])
def test_every_control_changes_the_picture(name, value):
    box = matmul_widget()
    try:
        assert picture_changes(box, _sliders(box)[name], value)
    finally:
        plt.close("all")


def test_each_index_slider_only_offers_entries_that_exist():
    box = matmul_widget()
    try:
        sliders = _sliders(box)
        i, j = sliders["entry row i"], sliders["entry column j"]
        assert (i.min, i.max) == (0, 2) and (j.min, j.max) == (0, 1)
        sliders["rows of A"].value = 5
        sliders["columns of B"].value = 4
        assert (i.max, j.max) == (4, 3)
        i.value, j.value = 4, 3
        sliders["rows of A"].value = 2  # i was 4: it moves down to the last row
        sliders["columns of B"].value = 1
        assert (i.max, i.value, j.max, j.value) == (1, 1, 0, 0)
        shown(box.children[-1])  # and the picture is a figure, not an error
    finally:
        plt.close("all")


def test_a_mismatch_in_the_widget_still_draws_and_i_j_still_move_it():
    box = matmul_widget()
    try:
        sliders, output = _sliders(box), box.children[-1]
        sliders["rows of B"].value = 3  # A is 3×4, B is 3×2: no product
        mismatch = shown(output)
        sliders["entry row i"].value = 2
        moved_i = shown(output)
        sliders["entry column j"].value = 1
        assert len({mismatch, moved_i, shown(output)}) == 3
    finally:
        plt.close("all")


def test_same_settings_give_the_same_picture():
    box = matmul_widget()
    try:
        assert same_picture_after_a_detour(box, _sliders(box)["columns of A"], 5)
    finally:
        plt.close("all")


def test_redraw_calls_draw_with_the_slider_values(monkeypatch):
    calls = record_draws(monkeypatch, ch02_vectors_matrices, "draw_matmul")
    box = ch02_vectors_matrices.matmul_widget()
    try:
        _sliders(box)["rows of A"].value = 1  # i (was 1) must drop to 0 before the redraw
        assert calls[0] == {"a_rows": 3, "a_cols": 4, "b_rows": 4, "b_cols": 2, "i": 1, "j": 0}
        assert calls[-1] == {"a_rows": 1, "a_cols": 4, "b_rows": 4, "b_cols": 2, "i": 0, "j": 0}
        assert all(c["i"] < c["a_rows"] and c["j"] < c["b_cols"] for c in calls)
    finally:
        plt.close("all")


# --- the picture of a layer (section 4) -------------------------------------------------------------


def test_draw_layer_shows_inputs_outputs_and_one_line_per_weight():
    W = np.array([[0.2, -0.5, 1.0, 0.1], [1.0, 1.0, 0.0, -0.5], [-0.3, 0.8, 0.5, 0.4]])
    x = np.array([1.0, 0.5, -1.0, 2.0])
    fig = draw_layer(W, x)
    try:
        [ax] = fig.axes
        assert len(ax.lines) == W.size
        texts = _texts(fig)
        for value in W @ x:  # every output is shown
            assert f"{round(value, 3) + 0.0:g}".replace("-", "−") in texts
        assert "x[3]" in texts and "neuron 2: row 2 of W · x" in texts
        colors = {line.get_color() for line in ax.lines}
        assert colors == {"C0", "C3"}  # positive and negative weights look different
    finally:
        plt.close(fig)


@pytest.mark.parametrize("W, x, error, message", [
    ([[1.0, 2.0]], [1.0, 2.0, 3.0], ValueError, "cannot multiply a 1×2 matrix by a 3×1"),
    ([1.0, 2.0], [1.0, 2.0], ValueError, "2-D matrix"),
    ([[1.0, 2.0]], [[1.0, 2.0]], ValueError, "1-D vector"),
    ([[1.0, 2.0]], "12", TypeError, "draw_layer: x must be numbers"),
])
def test_draw_layer_refuses_bad_inputs(W, x, error, message):
    with pytest.raises(error, match=message):
        draw_layer(W, x)
