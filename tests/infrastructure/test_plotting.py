"""The course plot style and the compact PNGs that keep saved notebooks small."""

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from course_utils.plotting import COURSE_STYLE, figure_png, use_course_style


def _figure():
    fig, ax = plt.subplots()
    x = np.linspace(-5, 5, 200)
    ax.plot(x, 1 / (1 + np.exp(-x)), label="σ")
    ax.imshow(np.outer(x, x), extent=(-5, 5, 0, 1), aspect="auto")
    ax.legend()
    return fig


def test_figure_png_is_a_smaller_palette_image_that_looks_the_same():
    fig = _figure()
    full = io.BytesIO()
    fig.savefig(full, format="png", dpi=fig.dpi, bbox_inches="tight")
    compact = figure_png(fig)
    plt.close(fig)
    a = Image.open(io.BytesIO(full.getvalue())).convert("RGB")
    b = Image.open(io.BytesIO(compact))
    assert b.mode == "P" and b.size == a.size
    assert len(compact) < 0.7 * len(full.getvalue())
    diff = np.abs(np.asarray(a, dtype=int) - np.asarray(b.convert("RGB"), dtype=int))
    assert diff.mean() < 2.0  # on a 0-255 scale: no visible change


def test_figure_png_is_deterministic():
    fig = _figure()
    assert figure_png(fig) == figure_png(fig)
    plt.close(fig)


@pytest.mark.parametrize("bad, message", [("fig", "needs a matplotlib Figure"), (None, "got NoneType")])
def test_figure_png_rejects_what_is_not_a_figure(bad, message):
    with pytest.raises(TypeError, match=message):
        figure_png(bad)


def test_figure_png_rejects_a_bad_palette_size():
    fig = _figure()
    with pytest.raises(ValueError, match="between 2 and 256"):
        figure_png(fig, colors=1000)
    plt.close(fig)


def test_use_course_style_outside_jupyter_only_sets_the_style():
    use_course_style()
    assert plt.rcParams["figure.dpi"] == COURSE_STYLE["figure.dpi"]


def test_inside_ipython_figures_display_as_compact_pngs():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    try:
        use_course_style()
        fig = _figure()
        data, _ = shell.display_formatter.format(fig)
        plt.close(fig)
        assert Image.open(io.BytesIO(data["image/png"])).mode == "P"
    finally:
        InteractiveShell.clear_instance()
