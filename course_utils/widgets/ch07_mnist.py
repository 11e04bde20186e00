"""Chapter 07's demos, pictures and widget: digits, the confusion matrix, weights, a digit explorer.

The network itself (training, predicting, accuracy, the confusion matrix) lives in
:mod:`course_utils.mnist_mlp`. This module holds what only the chapter's notebook uses:

* the numbers behind its pictures: :func:`most_confused_pairs` (the worst cells of a confusion
  matrix), :func:`most_confident_mistakes`, :func:`top_activating` (the digits a hidden unit
  likes most), and the robustness demo's :func:`shift_images` and :func:`add_noise`;
* :func:`digit_view`, the pure compute function behind the widget (a held-out digit, noised or
  shifted, and the probabilities the network gives it);
* the ``draw_*`` functions, each returning a matplotlib ``Figure``; images are drawn pixel by
  pixel, without smoothing, as the network sees them;
* :func:`digit_explorer_widget`, which wires four sliders (which digit, how much noise, how far
  to shift it) to :func:`draw_digit_view`.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..mnist_mlp import (
    IMAGE_SIDE,
    N_CLASSES,
    Params,
    check_inputs,
    check_labels,
    check_params,
    predict_proba,
)
from ..validate import as_float_array, check_number, check_whole
from .core import FigureBox, figure_widget, float_slider, int_slider

MAX_SHIFT = 8  # pixels; beyond this most digits start to leave the picture
NOISE_SEED = 7  # the widget's noise pattern for digit i comes from seed NOISE_SEED + i


# --- the numbers behind the pictures ------------------------------------------------------------


def most_confused_pairs(matrix: Any, k: int = 3) -> list[tuple[int, int, int]]:
    """The ``k`` largest off-diagonal counts as ``(true digit, predicted digit, count)``."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"most_confused_pairs needs a square confusion matrix, got {matrix.shape}")
    k = check_whole(k, "most_confused_pairs", "k", 1)
    off = matrix.astype(np.int64).copy()
    np.fill_diagonal(off, -1)
    order = np.argsort(-off, axis=None, kind="stable")[:k]
    pairs = [(int(i), int(j), int(off[i, j])) for i, j in zip(*np.unravel_index(order, off.shape),
                                                             strict=True)]
    return [p for p in pairs if p[2] > 0]


def most_confident_mistakes(probs: Any, labels: Any, k: int = 8) -> np.ndarray:
    """Indices of the ``k`` wrong predictions made with the highest probability, surest first."""
    probs = as_float_array(probs, "most_confident_mistakes", "probs")
    if probs.ndim != 2:
        raise ValueError(f"most_confident_mistakes needs probabilities of shape (n, 10), "
                         f"got {probs.shape}")
    labels = check_labels(labels, len(probs), "most_confident_mistakes")
    k = check_whole(k, "most_confident_mistakes", "k", 1)
    predicted = probs.argmax(axis=1)
    wrong = np.flatnonzero(predicted != labels)
    confidence = probs[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")][:k]


def top_activating(params: Params, X: Any, neuron: int, k: int = 6) -> np.ndarray:
    """Indices of the ``k`` rows of ``X`` that excite hidden unit ``neuron`` the most."""
    params = check_params(params, "top_activating")
    X = check_inputs(X, params, "top_activating")
    hidden = params["W1"].shape[1]
    neuron = check_whole(neuron, "top_activating", "neuron", 0)
    if neuron >= hidden:
        raise IndexError(f"top_activating: there are {hidden} hidden units, numbered 0 to "
                         f"{hidden - 1}; got {neuron}")
    k = check_whole(k, "top_activating", "k", 1)
    activation = np.maximum(X @ params["W1"][:, neuron] + params["b1"][neuron], 0)
    return np.argsort(-activation, kind="stable")[:k]


def shift_images(images: Any, dx: int = 0, dy: int = 0) -> np.ndarray:
    """Move images ``dx`` pixels right and ``dy`` pixels down; what is uncovered is blank (0).

    Works on one ``(28, 28)`` image or a stack ``(n, 28, 28)``; ink pushed over the edge is lost.
    """
    if not isinstance(images, np.ndarray) or images.ndim not in (2, 3) \
            or images.shape[-2:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"shift_images needs a 28×28 image or a stack (n, 28, 28), got "
                         f"{getattr(images, 'shape', type(images).__name__)}")
    dx = check_whole(dx, "shift_images", "dx", None)
    dy = check_whole(dy, "shift_images", "dy", None)
    if abs(dx) >= IMAGE_SIDE or abs(dy) >= IMAGE_SIDE:
        raise ValueError(f"shift_images: a shift of ({dx}, {dy}) moves the whole digit out of "
                         f"the {IMAGE_SIDE}×{IMAGE_SIDE} picture; use shifts between "
                         f"{-(IMAGE_SIDE - 1)} and {IMAGE_SIDE - 1}")
    out = np.zeros_like(images)
    src_y = slice(max(0, -dy), IMAGE_SIDE - max(0, dy))
    dst_y = slice(max(0, dy), IMAGE_SIDE - max(0, -dy))
    src_x = slice(max(0, -dx), IMAGE_SIDE - max(0, dx))
    dst_x = slice(max(0, dx), IMAGE_SIDE - max(0, -dx))
    out[..., dst_y, dst_x] = images[..., src_y, src_x]
    return out


def add_noise(image: Any, amount: float, seed: int = 0) -> np.ndarray:
    """``image`` (values in [0, 1]) plus Gaussian noise of standard deviation ``amount``,
    clipped back into [0, 1]. The same seed gives the same noise pattern, scaled by ``amount``."""
    image = np.asarray(image)
    if image.dtype.kind != "f":
        raise TypeError(f"add_noise needs float pixel values in [0, 1], got {image.dtype}; "
                        "divide uint8 pixels by 255 first")
    amount = check_number(amount, "add_noise", "amount")
    if amount < 0:
        raise ValueError(f"add_noise: amount is a standard deviation and cannot be negative, "
                         f"got {amount}")
    noise = np.random.default_rng(check_whole(seed, "add_noise", "seed", 0)).standard_normal(image.shape)
    return np.clip(image + amount * noise.astype(image.dtype), 0, 1).astype(image.dtype)


def digit_view(params: Params, images: Any, labels: Any, index: int, noise: float = 0.0,
               shift_x: int = 0, shift_y: int = 0) -> dict[str, Any]:
    """Everything the digit widget shows for one held-out digit, as numbers.

    ``images``: the raw ``(n, 28, 28)`` uint8 digits; ``labels``: their digits. The chosen image
    is shifted (``shift_x`` right, ``shift_y`` down), then noised (``noise`` is the noise's
    standard deviation on the 0–1 pixel scale, a fixed pattern per digit), then classified.
    Returns ``image`` (28×28 floats in [0, 1]), ``probs`` (10), ``predicted``, ``label``,
    ``confidence`` (the predicted digit's probability), ``correct`` and ``index``.
    """
    params = check_params(params, "digit_view")
    if not isinstance(images, np.ndarray) or images.ndim != 3 \
            or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"digit_view needs the images as an array of shape (n, 28, 28), got "
                         f"{getattr(images, 'shape', type(images).__name__)}")
    labels = check_labels(labels, len(images), "digit_view")
    index = check_whole(index, "digit_view", "index")
    n = len(images)
    if not 0 <= index < n:
        raise IndexError(f"digit_view: there is no digit {index}: there are {n:,} digits, "
                         f"numbered 0 to {n - 1:,}")
    image = images[index].astype(params["W1"].dtype) / 255
    image = add_noise(shift_images(image, shift_x, shift_y), noise, seed=NOISE_SEED + index)
    probs = predict_proba(params, image.reshape(1, -1))[0]
    predicted = int(probs.argmax())
    label = int(labels[index])
    return {"image": image, "probs": probs, "predicted": predicted, "label": label,
            "confidence": float(probs[predicted]), "correct": predicted == label, "index": index}


# --- pictures -------------------------------------------------------------------------------------


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
    params = check_params(params, "digit_explorer_widget")
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
    "MAX_SHIFT",
    "NOISE_SEED",
    "add_noise",
    "digit_explorer_widget",
    "digit_view",
    "draw_confusion_matrix",
    "draw_digit_view",
    "draw_digits",
    "draw_weight_images",
    "most_confident_mistakes",
    "most_confused_pairs",
    "shift_images",
    "top_activating",
]
