"""Chapter 07's pictures and widget: the drawings, the controls, a redraw for every control."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from course_utils import mnist_mlp as mm
from course_utils.data import load_mnist
from course_utils.widgets import mnist as wm


@pytest.fixture(scope="module")
def trained():
    """A small network trained for two epochs on the sample, and the held-out digits."""
    data = load_mnist("sample", verbose=False)
    params = mm.init_params(32)
    mm.train(params, mm.flatten_images(data.x_train), data.y_train, epochs=2, progress=False)
    return params, data.x_test, data.y_test


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_draw_digits_grid_and_titles():
    images = np.zeros((12, 28, 28), dtype=np.uint8)
    fig = wm.draw_digits(images, [str(i) for i in range(12)], ncols=5, title="digits")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 15  # 3 rows of 5; the three spare panels are blank
    assert [ax.get_title() for ax in fig.axes[:3]] == ["0", "1", "2"]
    assert fig._suptitle.get_text() == "digits"
    assert len(wm.draw_digits(np.zeros((3, 784), dtype=np.float32)).axes) == 3


def test_images_show_their_pixels_unsmoothed(trained):
    params, images, labels = trained
    figures = [wm.draw_digits(images[:2]), wm.draw_weight_images(params["W1"], [0, 1]),
               wm.draw_digit_view(params, images, labels, 0)]
    for fig in figures:
        assert fig.axes[0].images[0].get_interpolation() == "nearest"


@pytest.mark.parametrize("images, titles, message", [
    (np.zeros((2, 27, 27)), None, r"\(n, 28, 28\)"),
    (np.zeros((0, 28, 28)), None, "empty"),
    (np.zeros((2, 28, 28)), ["a"], "1 titles for 2 images"),
])
def test_draw_digits_errors(images, titles, message):
    with pytest.raises(ValueError, match=message):
        wm.draw_digits(images, titles)


def test_draw_weight_images_uses_a_symmetric_scale():
    W = np.zeros((784, 4))
    W[0, 1], W[5, 1] = 2.0, -0.5
    fig = wm.draw_weight_images(W, [1, 3], ncols=2)
    image = fig.axes[0].images[0]
    assert image.get_clim() == (-2.0, 2.0)  # white is exactly zero
    assert fig.axes[0].get_title() == "neuron 1"
    assert fig.axes[1].images[0].get_clim() == (-1.0, 1.0)  # an all-zero neuron still draws
    with pytest.raises(IndexError, match="4 neurons, numbered 0 to 3"):
        wm.draw_weight_images(W, [4])
    with pytest.raises(ValueError, match=r"\(784, hidden\)"):
        wm.draw_weight_images(np.zeros((10, 4)), [0])


def test_draw_confusion_matrix_writes_the_counts():
    matrix = np.diag(np.arange(1, 11))
    matrix[4, 9] = 3
    fig = wm.draw_confusion_matrix(matrix)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"1", "10", "3"} <= texts and "0" not in texts  # empty cells stay empty
    with pytest.raises(ValueError, match="square"):
        wm.draw_confusion_matrix(np.zeros((3, 4)))


def test_draw_digit_view(trained):
    params, images, labels = trained
    fig = wm.draw_digit_view(params, images, labels, index=3, noise=0.2, shift_x=1, shift_y=-2)
    left, right = fig.axes
    assert left.get_title() == f"digit #3, true label {labels[3]}"
    assert len(right.patches) == 10  # one bar per digit
    assert "predicts" in right.get_title()
    assert "noise 0.20" in fig._suptitle.get_text() and "+1 px right" in fig._suptitle.get_text()
    heights = [bar.get_height() for bar in right.patches]
    assert sum(heights) == pytest.approx(1.0, rel=1e-5)


def test_draw_digit_view_bad_index_is_a_clear_error(trained):
    params, images, labels = trained
    with pytest.raises(IndexError, match="there is no digit 5000"):
        wm.draw_digit_view(params, images, labels, index=5000)


def _shown(output: widgets.Output) -> str:
    """The PNG the widget holds (there must be exactly one, and no error text)."""
    assert len(output.outputs) == 1, "old figures must be replaced, not stacked"
    [item] = output.outputs
    assert item["output_type"] == "display_data", item.get("text")
    return item["data"]["image/png"]


def _controls(box: widgets.Box) -> dict[str, widgets.ValueWidget]:
    rows = [child for child in box.children if isinstance(child, widgets.HBox)]
    return {c.description: c for row in rows for c in row.children}


def test_widget_has_four_sliders_and_an_output(trained):
    box = wm.digit_explorer_widget(*trained)
    controls = _controls(box)
    assert list(controls) == ["held-out digit", "noise", "shift right", "shift down"]
    assert controls["held-out digit"].max == len(trained[1]) - 1
    assert controls["noise"].min == 0 and controls["noise"].value == 0
    assert controls["shift right"].min == -wm.MAX_SHIFT and controls["shift down"].max == wm.MAX_SHIFT
    assert isinstance(box.children[-1], widgets.Output)
    assert _shown(box.children[-1])  # drawn straight away, never empty


@pytest.mark.parametrize("name, value", [("held-out digit", 1), ("noise", 0.35),
                                         ("shift right", 3), ("shift down", -2)])
def test_every_control_changes_the_picture(trained, name, value):
    box = wm.digit_explorer_widget(*trained)
    output = box.children[-1]
    before = _shown(output)
    control = _controls(box)[name]
    control.value = value
    after = _shown(output)
    assert after != before, f"moving {name!r} did not change the picture"
    control.value = 0
    assert _shown(output) == before  # same settings, same picture: the drawing is deterministic


def test_every_slider_position_draws_without_error(trained):
    box = wm.digit_explorer_widget(*trained)
    controls = _controls(box)
    for name in ("held-out digit", "noise", "shift right", "shift down"):
        control = controls[name]
        for value in (control.min, control.max):
            control.value = value
            _shown(box.children[-1])


def test_widget_rejects_bad_inputs_before_drawing(trained):
    params, images, labels = trained
    with pytest.raises(ValueError, match=r"\(n, 28, 28\)"):
        wm.digit_explorer_widget(params, images.reshape(len(images), -1), labels)
    with pytest.raises(TypeError, match="dict with keys"):
        wm.digit_explorer_widget([params], images, labels)
