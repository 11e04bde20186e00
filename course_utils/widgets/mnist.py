"""Chapter 07's pictures and widget: digits, the confusion matrix, weights, a digit explorer.

The numbers come from :mod:`course_utils.mnist_mlp` (:func:`~course_utils.mnist_mlp.digit_view`
for the widget); this module only draws them. Every ``draw_*`` function returns a matplotlib
``Figure``. Images are drawn pixel by pixel, without smoothing, as the network sees them.
:func:`digit_explorer_widget` wires four sliders (which digit, how much noise, how far to shift
it) to :func:`draw_digit_view`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..mnist_mlp import IMAGE_SIDE, N_CLASSES, Params, _check_params, digit_view
from .core import FigureBox, figure_widget, float_slider, int_slider

MAX_SHIFT = 8  # pixels; beyond this most digits start to leave the picture


def _grid(count: int, ncols: int, scale: float) -> tuple[Figure, np.ndarray]:
    if count < 1:
        raise ValueError("there is nothing to draw: the list of images is empty")
    if isinstance(ncols, bool) or not isinstance(ncols, int) or ncols < 1:
        raise ValueError(f"ncols must be a positive whole number, got {ncols!r}")
    ncols = min(ncols, count)
    nrows = math.ceil(count / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(scale * ncols, scale * 1.15 * nrows),
                             squeeze=False)
    for ax in axes.flat:
        ax.axis("off")
    return fig, axes


def draw_digits(images: Any, titles: Sequence[str] | None = None, ncols: int = 10,
                scale: float = 0.9, title: str | None = None) -> Figure:
    """A grid of 28×28 images (ink dark on white), each with an optional small title."""
    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == IMAGE_SIDE * IMAGE_SIDE:
        images = images.reshape(-1, IMAGE_SIDE, IMAGE_SIDE)
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"draw_digits needs images of shape (n, 28, 28) or (n, 784), "
                         f"got {images.shape}")
    if titles is not None and len(titles) != len(images):
        raise ValueError(f"draw_digits: {len(titles)} titles for {len(images)} images")
    fig, axes = _grid(len(images), ncols, scale)
    top = 255 if images.dtype == np.uint8 else 1.0
    for i, image in enumerate(images):
        ax = axes.flat[i]
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=top, interpolation="nearest")
        if titles is not None:
            ax.set_title(titles[i], fontsize=9)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def draw_weight_images(weights: Any, neurons: Sequence[int], ncols: int = 8, scale: float = 1.0,
                       title: str | None = None) -> Figure:
    """Columns of a ``(784, h)`` weight matrix as 28×28 pictures: red positive, blue negative.

    Each picture has its own symmetric colour scale, so white is exactly 0 and the strongest
    weight of that neuron is full red or full blue.
    """
    weights = np.asarray(weights)
    if weights.ndim != 2 or weights.shape[0] != IMAGE_SIDE * IMAGE_SIDE:
        raise ValueError(f"draw_weight_images needs a weight matrix of shape (784, hidden), "
                         f"got {weights.shape}")
    neurons = [int(n) for n in neurons]
    bad = [n for n in neurons if not 0 <= n < weights.shape[1]]
    if bad:
        raise IndexError(f"draw_weight_images: there are {weights.shape[1]} neurons, numbered 0 "
                         f"to {weights.shape[1] - 1}; got {bad[0]}")
    fig, axes = _grid(len(neurons), ncols, scale)
    for ax, n in zip(axes.flat, neurons, strict=False):
        image = weights[:, n].reshape(IMAGE_SIDE, IMAGE_SIDE)
        limit = float(np.abs(image).max()) or 1.0
        ax.imshow(image, cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        ax.set_title(f"neuron {n}", fontsize=9)
    if title:
        fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    return fig


def draw_confusion_matrix(matrix: Any, title: str = "Held-out digits: true vs predicted") -> Figure:
    """A heat map of a confusion matrix with every count written in its cell."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"draw_confusion_matrix needs a square matrix, got {matrix.shape}")
    k = matrix.shape[0]
    fig, ax = plt.subplots(figsize=(5.2, 4.6))
    shown = np.log1p(matrix)  # a log scale, so that the few mistakes are visible next to the hits
    ax.imshow(shown, cmap="Blues")
    for i in range(k):
        for j in range(k):
            if matrix[i, j]:
                dark = shown[i, j] > 0.6 * shown.max()
                ax.text(j, i, str(int(matrix[i, j])), ha="center", va="center", fontsize=8,
                        color="white" if dark else ("C3" if i != j else "black"))
    ax.set(xticks=range(k), yticks=range(k), xlabel="predicted digit", ylabel="true digit",
           title=title)
    ax.grid(False)
    fig.tight_layout()
    return fig


def draw_digit_view(params: Params, images: Any, labels: Any, index: int = 0,
                    noise: float = 0.0, shift_x: int = 0, shift_y: int = 0) -> Figure:
    """One held-out digit as the network sees it (left) and the probabilities it gives (right)."""
    view = digit_view(params, images, labels, index, noise, shift_x, shift_y)
    fig, (left, right) = plt.subplots(1, 2, figsize=(7.6, 3.0),
                                      gridspec_kw={"width_ratios": [1, 1.6]})
    left.imshow(view["image"], cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
    left.set_title(f"digit #{view['index']}, true label {view['label']}", fontsize=10)
    left.axis("off")
    colours = ["0.75"] * N_CLASSES
    colours[view["predicted"]] = "C2" if view["correct"] else "C3"
    bars = right.bar(range(N_CLASSES), view["probs"], color=colours)
    bars[view["label"]].set_edgecolor("black")
    bars[view["label"]].set_linewidth(1.5)
    verdict = "right" if view["correct"] else "wrong"
    right.set(xticks=range(N_CLASSES), ylim=(0, 1.05), xlabel="digit", ylabel="probability",
              title=f"predicts {view['predicted']} with {view['confidence']:.1%} ({verdict})")
    right.title.set_fontsize(10)
    fig.suptitle(f"noise {noise:.2f}, shifted {shift_x:+d} px right, {shift_y:+d} px down",
                 fontsize=10)
    fig.tight_layout()
    return fig


def digit_explorer_widget(params: Params, images: Any, labels: Any) -> FigureBox:
    """Sliders for the digit, the noise and the shift, above the digit and its probabilities.

    ``params``: a trained network (the dict of W1, b1, W2, b2); ``images`` and ``labels``: the
    held-out digits (uint8, shape (n, 28, 28)) and their labels.
    """
    params = _check_params(params, "digit_explorer_widget")
    digit_view(params, images, labels, 0)  # fail here, with a clear message, on bad input
    draw = functools.partial(draw_digit_view, params, images, labels)
    controls = {
        "index": int_slider("held-out digit", 0, 0, len(images) - 1),
        "noise": float_slider("noise", 0.0, 0.0, 1.0, 0.05),
        "shift_x": int_slider("shift right", 0, -MAX_SHIFT, MAX_SHIFT),
        "shift_y": int_slider("shift down", 0, -MAX_SHIFT, MAX_SHIFT),
    }
    return figure_widget(draw, controls, columns=2)


__all__ = [
    "draw_confusion_matrix",
    "draw_digit_view",
    "draw_digits",
    "draw_weight_images",
    "digit_explorer_widget",
]
