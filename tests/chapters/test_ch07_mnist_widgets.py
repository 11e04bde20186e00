"""Chapter 07's demos, pictures and widget: the numbers behind them, the drawings, the controls
and a redraw for every control."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import picture_changes, same_picture_after_a_detour, shown

from course_utils import mnist_mlp
from course_utils.data import load_mnist
from course_utils.widgets import ch07_mnist


@pytest.fixture(scope="module")
def data():
    return load_mnist("sample", verbose=False)


@pytest.fixture(scope="module")
def held_out(data):
    """The raw held-out digits (uint8, (n, 28, 28)) and their labels."""
    return data.x_test, data.y_test


@pytest.fixture(scope="module")
def trained(data):
    """A small network trained for two epochs on the sample, and the held-out digits."""
    params = mnist_mlp.init_params(32)
    mnist_mlp.train(params, mnist_mlp.flatten_images(data.x_train), data.y_train, epochs=2,
                    progress=False)
    return params, data.x_test, data.y_test


@pytest.fixture
def small():
    """A tiny float64 network (7 hidden units) and a batch of 6 random inputs."""
    rng = np.random.default_rng(3)
    params = mnist_mlp.init_params(n_hidden=7, seed=1, dtype=np.float64)
    params["b1"] += rng.normal(0, 0.1, 7)
    return params, rng.random((6, 784))



# --- the numbers behind the pictures --------------------------------------------------------------


def test_most_confused_pairs():
    labels = np.array([0, 0, 1, 4, 4, 4, 9])
    predicted = np.array([0, 1, 1, 9, 9, 4, 4])
    matrix = mnist_mlp.confusion_matrix(labels, predicted)
    assert ch07_mnist.most_confused_pairs(matrix, 2) == [(4, 9, 2), (0, 1, 1)]
    assert ch07_mnist.most_confused_pairs(np.eye(10, dtype=int), 3) == []  # no mistakes at all
    with pytest.raises(ValueError, match="square"):
        ch07_mnist.most_confused_pairs(np.zeros((3, 4)))


def test_most_confident_mistakes():
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.05, 0.95]])
    labels = np.array([0, 0, 1, 0])
    np.testing.assert_array_equal(ch07_mnist.most_confident_mistakes(probs, labels, k=5), [3, 1, 2])
    np.testing.assert_array_equal(ch07_mnist.most_confident_mistakes(probs, labels, k=1), [3])
    with pytest.raises(ValueError, match=r"\(n, 10\)"):
        ch07_mnist.most_confident_mistakes(probs[:, 0], labels)


def test_top_activating(small):
    params, X = small
    top = ch07_mnist.top_activating(params, X, neuron=2, k=3)
    activation = np.maximum(X @ params["W1"][:, 2] + params["b1"][2], 0)
    np.testing.assert_array_equal(top, np.argsort(-activation, kind="stable")[:3])
    with pytest.raises(IndexError, match="7 hidden units, numbered 0 to 6"):
        ch07_mnist.top_activating(params, X, neuron=7)


# --- the robustness demo and the widget's numbers ------------------------------------------------


def test_shift_images_moves_ink_and_fills_with_blank():
    image = np.zeros((28, 28), dtype=np.uint8)
    image[10, 10] = 200
    moved = ch07_mnist.shift_images(image, dx=3, dy=-2)
    assert moved[8, 13] == 200 and moved.sum() == 200
    stack = np.stack([image, image])
    assert ch07_mnist.shift_images(stack, dx=-5).shape == (2, 28, 28)
    assert ch07_mnist.shift_images(stack, dx=-5)[1, 10, 5] == 200
    assert ch07_mnist.shift_images(image, dx=20).sum() == 0  # pushed over the edge: lost
    np.testing.assert_array_equal(ch07_mnist.shift_images(image), image)


@pytest.mark.parametrize("args, error, message", [
    ((np.zeros((28, 27)),), ValueError, "28×28 image"),
    ((np.zeros((28, 28)), 28, 0), ValueError, "out of the 28×28 picture"),
    ((np.zeros((28, 28)), 1.5, 0), TypeError, "whole number"),
])
def test_shift_images_errors(args, error, message):
    with pytest.raises(error, match=message):
        ch07_mnist.shift_images(*args)


def test_add_noise():
    image = np.full((28, 28), 0.5, dtype=np.float32)
    assert np.array_equal(ch07_mnist.add_noise(image, 0.0), image)
    noisy = ch07_mnist.add_noise(image, 0.3, seed=2)
    assert noisy.dtype == np.float32 and noisy.min() >= 0 and noisy.max() <= 1
    assert np.array_equal(noisy, ch07_mnist.add_noise(image, 0.3, seed=2))
    assert not np.array_equal(noisy, ch07_mnist.add_noise(image, 0.3, seed=3))
    with pytest.raises(ValueError, match="cannot be negative"):
        ch07_mnist.add_noise(image, -0.1)
    with pytest.raises(TypeError, match="float pixel values"):
        ch07_mnist.add_noise(image.astype(np.uint8), 0.1)


def test_digit_view(held_out):
    images, y_test = held_out
    params = mnist_mlp.init_params(16)
    view = ch07_mnist.digit_view(params, images, y_test, 5)
    assert set(view) == {"image", "probs", "predicted", "label", "confidence", "correct", "index"}
    assert view["image"].shape == (28, 28) and view["label"] == y_test[5]
    assert view["probs"].sum() == pytest.approx(1.0, rel=1e-5)
    assert view["confidence"] == view["probs"].max()
    assert view["correct"] == (view["predicted"] == view["label"])
    np.testing.assert_allclose(view["image"], images[5] / 255, rtol=1e-6)
    noisy = ch07_mnist.digit_view(params, images, y_test, 5, noise=0.4)
    shifted = ch07_mnist.digit_view(params, images, y_test, 5, shift_x=3, shift_y=-2)
    assert not np.allclose(noisy["image"], view["image"])
    assert not np.allclose(noisy["probs"], view["probs"])
    assert not np.allclose(shifted["image"], view["image"])
    again = ch07_mnist.digit_view(params, images, y_test, 5, noise=0.4)
    np.testing.assert_array_equal(again["image"], noisy["image"])  # a fixed pattern per digit


@pytest.mark.parametrize("index, error, message", [
    (1000, IndexError, "there is no digit 1000: there are 1,000 digits, numbered 0 to 999"),
    (-1, IndexError, "there is no digit -1"),
    (2.0, TypeError, "whole number"),
    ("3", TypeError, "whole number"),
    (True, TypeError, "whole number"),
])
def test_digit_view_bad_index(held_out, index, error, message):
    with pytest.raises(error, match=message):
        ch07_mnist.digit_view(mnist_mlp.init_params(4), *held_out, index)


def test_digit_view_other_bad_inputs(held_out):
    params, (images, labels) = mnist_mlp.init_params(4), held_out
    with pytest.raises(ValueError, match=r"\(n, 28, 28\)"):
        ch07_mnist.digit_view(params, images.reshape(len(images), -1), labels, 0)
    with pytest.raises(ValueError, match="labels"):
        ch07_mnist.digit_view(params, images, labels[:10], 0)
    with pytest.raises(ValueError, match="cannot be negative"):
        ch07_mnist.digit_view(params, images, labels, 0, noise=-0.5)
    with pytest.raises(ValueError, match="out of the 28×28 picture"):
        ch07_mnist.digit_view(params, images, labels, 0, shift_x=30)


# --- pictures -------------------------------------------------------------------------------------


def test_draw_digits_grid_and_titles():
    images = np.zeros((12, 28, 28), dtype=np.uint8)
    fig = ch07_mnist.draw_digits(images, [str(i) for i in range(12)], ncols=5, title="digits")
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 15  # 3 rows of 5; the three spare panels are blank
    assert [ax.get_title() for ax in fig.axes[:3]] == ["0", "1", "2"]
    assert fig._suptitle.get_text() == "digits"
    assert len(ch07_mnist.draw_digits(np.zeros((3, 784), dtype=np.float32)).axes) == 3


def test_images_show_their_pixels_unsmoothed(trained):
    params, images, labels = trained
    figures = [ch07_mnist.draw_digits(images[:2]),
               ch07_mnist.draw_weight_images(params["W1"], [0, 1]),
               ch07_mnist.draw_digit_view(params, images, labels, 0)]
    for fig in figures:
        assert fig.axes[0].images[0].get_interpolation() == "nearest"


@pytest.mark.parametrize("images, titles, message", [
    (np.zeros((2, 27, 27)), None, r"\(n, 28, 28\)"),
    (np.zeros((0, 28, 28)), None, "empty"),
    (np.zeros((2, 28, 28)), ["a"], "1 titles for 2 images"),
])
def test_draw_digits_errors(images, titles, message):
    with pytest.raises(ValueError, match=message):
        ch07_mnist.draw_digits(images, titles)


def test_draw_weight_images_uses_a_symmetric_scale():
    W = np.zeros((784, 4))
    W[0, 1], W[5, 1] = 2.0, -0.5
    fig = ch07_mnist.draw_weight_images(W, [1, 3], ncols=2)
    image = fig.axes[0].images[0]
    assert image.get_clim() == (-2.0, 2.0)  # white is exactly zero
    assert fig.axes[0].get_title() == "neuron 1"
    assert fig.axes[1].images[0].get_clim() == (-1.0, 1.0)  # an all-zero neuron still draws
    with pytest.raises(IndexError, match="4 neurons, numbered 0 to 3"):
        ch07_mnist.draw_weight_images(W, [4])
    with pytest.raises(ValueError, match=r"\(784, hidden\)"):
        ch07_mnist.draw_weight_images(np.zeros((10, 4)), [0])


def test_draw_confusion_matrix_writes_the_counts():
    matrix = np.diag(np.arange(1, 11))
    matrix[4, 9] = 3
    fig = ch07_mnist.draw_confusion_matrix(matrix)
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {"1", "10", "3"} <= texts and "0" not in texts  # empty cells stay empty
    with pytest.raises(ValueError, match="square"):
        ch07_mnist.draw_confusion_matrix(np.zeros((3, 4)))


def test_draw_digit_view(trained):
    params, images, labels = trained
    fig = ch07_mnist.draw_digit_view(params, images, labels, index=3, noise=0.2, shift_x=1,
                                     shift_y=-2)
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
        ch07_mnist.draw_digit_view(params, images, labels, index=5000)


def _controls(box: widgets.Box) -> dict[str, widgets.ValueWidget]:
    rows = [child for child in box.children if isinstance(child, widgets.HBox)]
    return {c.description: c for row in rows for c in row.children}


def test_widget_has_four_sliders_and_an_output(trained):
    box = ch07_mnist.digit_explorer_widget(*trained)
    controls = _controls(box)
    assert list(controls) == ["held-out digit", "noise", "shift right", "shift down"]
    assert controls["held-out digit"].max == len(trained[1]) - 1
    assert controls["noise"].min == 0 and controls["noise"].value == 0
    assert controls["shift right"].min == -ch07_mnist.MAX_SHIFT
    assert controls["shift down"].max == ch07_mnist.MAX_SHIFT
    assert isinstance(box.children[-1], widgets.Output)
    assert shown(box.children[-1])  # drawn straight away, never empty


@pytest.mark.parametrize("name, value", [("held-out digit", 1), ("noise", 0.35),
                                         ("shift right", 3), ("shift down", -2)])
def test_every_control_changes_the_picture(trained, name, value):
    box = ch07_mnist.digit_explorer_widget(*trained)
    control = _controls(box)[name]
    assert picture_changes(box, control, value), f"moving {name!r} did not change the picture"
    # same settings, same picture: the drawing is deterministic
    assert same_picture_after_a_detour(box, control, 0)


def test_every_slider_position_draws_without_error(trained):
    box = ch07_mnist.digit_explorer_widget(*trained)
    controls = _controls(box)
    for name in ("held-out digit", "noise", "shift right", "shift down"):
        control = controls[name]
        for value in (control.min, control.max):
            control.value = value
            shown(box.children[-1])


def test_widget_rejects_bad_inputs_before_drawing(trained):
    params, images, labels = trained
    with pytest.raises(ValueError, match=r"\(n, 28, 28\)"):
        ch07_mnist.digit_explorer_widget(params, images.reshape(len(images), -1), labels)
    with pytest.raises(TypeError, match="dict with keys"):
        ch07_mnist.digit_explorer_widget([params], images, labels)
