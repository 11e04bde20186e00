"""The widget pattern: controls redraw the figure; bad arguments are clear errors."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from course_utils.widgets.core import dropdown, figure_widget, float_slider, int_slider


def _draw(scale: float, label: str) -> plt.Figure:
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, scale], label=label)
    ax.set_title(f"{label} {scale}")
    return fig


def _image_of(output) -> bytes:
    [item] = output.outputs
    return item["data"]["image/png"]


def test_widget_draws_at_once_and_redraws_on_change() -> None:
    slider = float_slider("scale", 1.0, 0.0, 5.0, 0.5)
    menu = dropdown("label", ["a", "b"])
    box = figure_widget(_draw, {"scale": slider, "label": menu})
    output = box.children[-1]
    first = _image_of(output)
    slider.value = 3.0
    second = _image_of(output)
    menu.value = "b"
    assert first != second != _image_of(output)
    assert len(output.outputs) == 1, "old figures must be replaced, not stacked"


def test_a_failing_draw_shows_the_error_in_place() -> None:
    def draw(n: int) -> plt.Figure:
        raise ValueError(f"n={n} is too big")

    box = figure_widget(draw, {"n": int_slider("n", 1, 0, 3)})
    [item] = box.children[-1].outputs
    assert "Could not draw this: ValueError: n=1 is too big" in item["text"]


def test_columns_layout() -> None:
    controls = {f"s{i}": int_slider(f"s{i}", 1, 0, 3) for i in range(3)}
    box = figure_widget(lambda **kw: _draw(sum(kw.values()), "sum"), controls, columns=2)
    assert len(box.children) == 3  # two rows of sliders and the output


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="outside"):
        float_slider("x", 9.0, 0.0, 1.0, 0.1)
    with pytest.raises(ValueError, match="outside"):
        int_slider("n", -1, 0, 3)
    with pytest.raises(ValueError, match="at least one option"):
        dropdown("d", [])
    with pytest.raises(TypeError, match="draw function"):
        figure_widget("not callable", {"x": int_slider("n", 1, 0, 3)})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one control"):
        figure_widget(_draw, {})


def test_static_viewers_get_the_figure_as_a_picture() -> None:
    slider = float_slider("scale", 1.0, 0.0, 5.0, 0.5)
    box = figure_widget(lambda scale: _draw(scale, "x"), {"scale": slider})
    bundle = box._repr_mimebundle_()
    assert bundle["image/png"] == _image_of(box.children[-1])
    assert "application/vnd.jupyter.widget-view+json" in bundle
