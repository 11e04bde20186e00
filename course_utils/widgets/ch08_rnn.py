"""Chapter 08's demos, pictures and widget: the unrolled RNN, gradients through time, limits.

The recurrent networks themselves live in :mod:`course_utils.rnn`. This module holds what only
the chapter's notebook uses:

* :func:`dense_parameter_counts`: how many weights a dense network needs for a window of text,
  next to an RNN's, for several window lengths;
* :func:`draw_unrolled`: the recurrence drawn as a chain of copies of one cell;
* :func:`gradient_norms_through_time`, the pure compute function behind the widget (how large
  ∂loss/∂h_t is at every step t, for a loss of the last step), :func:`draw_gradient_norms` and
  :func:`gradient_norm_widget` (recurrent weight scale and activation → gradient norms, log scale);
* :func:`draw_memory_table`: the memory task's accuracy against the distance k;
* :func:`draw_lstm_gates`: the gate values of an LSTM reading a sequence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import rnn
from ..validate import as_float_array, check_number, check_whole
from .core import FigureBox, dropdown, figure_widget, float_slider, int_slider

# --- why not a dense network -------------------------------------------------------------------


def dense_parameter_counts(lengths: Sequence[int], vocab_size: int,
                           hidden_size: int) -> list[dict[str, int]]:
    """Weights of a dense layer that reads a window of ``L`` one-hot characters, and of an RNN.

    The dense layer needs a weight for every (position, character, hidden unit): L·V·H + H.
    The RNN reads one character at a time with the same weights: V·H + H·H + H, whatever L is.
    """
    v = check_whole(vocab_size, "dense_parameter_counts", "vocab_size", 1)
    h = check_whole(hidden_size, "dense_parameter_counts", "hidden_size", 1)
    rows = []
    for length in lengths:
        n = check_whole(length, "dense_parameter_counts", "each window length", 1)
        rows.append({"length": n, "dense": n * v * h + h, "rnn": v * h + h * h + h})
    return rows


# --- the unrolled picture ------------------------------------------------------------------------


def draw_unrolled(steps: int = 4, text: str = "ROME") -> Figure:
    """The recurrence unrolled: one box per step, the same W_xh, W_hh, W_hy in every copy."""
    steps = check_whole(steps, "draw_unrolled", "steps", 1)
    fig, ax = plt.subplots(figsize=(1.9 * steps + 1.4, 3.0))
    ax.set_axis_off()
    ax.set(xlim=(-1.2, 1.9 * steps - 0.4), ylim=(-0.6, 2.7))
    box = {"boxstyle": "round,pad=0.3", "fc": "#dbe9f6", "ec": "C0"}
    arrow = {"arrowstyle": "->", "color": "0.3", "lw": 1.5}
    ax.text(-0.95, 1.0, "h₋₁ = 0", ha="center", va="center", fontsize=10)
    for t in range(steps):
        x = 1.9 * t
        char = text[t] if t < len(text) else "·"
        ax.text(x, 0.0, f"x{t}\n'{char}'", ha="center", va="center", fontsize=10,
                bbox={"boxstyle": "round,pad=0.3", "fc": "#fde2c8", "ec": "C1"})
        ax.text(x, 1.0, f"h{t}", ha="center", va="center", fontsize=12, bbox=box)
        ax.text(x, 2.2, f"y{t}", ha="center", va="center", fontsize=10,
                bbox={"boxstyle": "round,pad=0.3", "fc": "#d5f0d5", "ec": "C2"})
        ax.annotate("", (x, 0.72), (x, 0.3), arrowprops=arrow)
        ax.annotate("", (x, 1.9), (x, 1.3), arrowprops=arrow)
        ax.text(x + 0.08, 0.5, "W_xh", fontsize=8, color="C1")
        ax.text(x + 0.08, 1.58, "W_hy", fontsize=8, color="C2")
        ax.annotate("", (x - 0.35, 1.0), (x - 1.55 if t else -0.55, 1.0), arrowprops=arrow)
        ax.text(x - 0.95 if t else -0.45, 1.1, "W_hh" if t else "", fontsize=8, color="C0",
                ha="center")
    ax.set_title("One cell, unrolled: the same three weight matrices at every step", fontsize=11)
    return fig


# --- the widget: gradients through time ----------------------------------------------------------

WIDGET_STEPS = 60
WIDGET_HIDDEN = 32


def stretch_factors(scale: float, hidden_size: int = WIDGET_HIDDEN,
                    seed: int = 0) -> dict[str, float]:
    """How much the widget's ``W_hh`` stretches a vector: per step at most, and in the long run.

    ``"largest"`` is the largest factor by which one multiplication by ``W_hh`` (or its
    transpose) can lengthen a vector (its largest singular value); ``"long_run"`` is the factor
    per step that many repeated multiplications approach (its spectral radius, the largest
    absolute eigenvalue). For the random matrices of :func:`gradient_norms_through_time` the
    long-run factor is close to ``scale`` and the largest one about twice that.
    """
    scale = check_number(scale, "stretch_factors", "scale")
    n = check_whole(hidden_size, "stretch_factors", "hidden_size", 1)
    w_hh = rnn.init_rnn_params(n, n, seed=seed, scale=scale)["W_hh"]
    return {"largest": float(np.linalg.norm(w_hh, 2)),
            "long_run": float(np.max(np.abs(np.linalg.eigvals(w_hh))))}


def gradient_norms_through_time(scale: float, activation: str = "tanh",
                                steps: int = WIDGET_STEPS, hidden_size: int = WIDGET_HIDDEN,
                                seed: int = 0) -> np.ndarray:
    """‖∂loss/∂h_t‖ for t = 0 … steps−1, for a loss that reads only the last hidden state.

    A random RNN (``W_hh`` with entries of standard deviation ``scale/√hidden``, so that in the
    long run each step stretches a vector by about ``scale``: :func:`stretch_factors`) reads ``steps`` random inputs; the loss is a fixed random
    direction of the last state, so ∂loss/∂h_last has norm 1. Backprop through time
    (:func:`course_utils.rnn.hidden_state_grads`) carries that gradient back to every earlier
    state. Below scale 1 it shrinks step after step (vanishing), above 1 it can grow (exploding).
    """
    scale = check_number(scale, "gradient_norms_through_time", "scale")
    if scale < 0:
        raise ValueError(f"gradient_norms_through_time: scale must be ≥ 0, got {scale}")
    steps = check_whole(steps, "gradient_norms_through_time", "steps", 2)
    n = check_whole(hidden_size, "gradient_norms_through_time", "hidden_size", 1)
    params = rnn.init_rnn_params(n, n, seed=seed, scale=scale)
    rng = np.random.default_rng(seed + 1)
    xs = rng.normal(0.0, 1.0, (steps, n))
    hs = rnn.rnn_forward(xs, params, activation=activation)
    direction = rng.normal(0.0, 1.0, n)
    grads = rnn.hidden_state_grads(hs, params, direction / np.linalg.norm(direction), activation)
    return np.linalg.norm(grads, axis=1)


def draw_gradient_norms(scale: float = 1.0, activation: str = "tanh",
                        steps: int = WIDGET_STEPS) -> Figure:
    """The widget's picture: gradient norm against the step it reaches, on a log scale."""
    norms = gradient_norms_through_time(scale, activation, steps)
    fig, ax = plt.subplots(figsize=(6.8, 3.2))
    t = np.arange(len(norms))
    shown = np.where(norms > 0, norms, np.nan)  # a gradient of exactly 0 has no logarithm
    ax.semilogy(t, shown, "o-", ms=3)
    ax.axhline(1.0, color="0.5", linestyle="--", linewidth=1)
    ax.set(xlabel="time step t (the loss reads the last one)", ylabel="‖∂loss/∂h_t‖ (log)",
           ylim=(1e-30, 1e30),
           title=f"{activation}, W_hh scale {scale:.2f}: the first step gets "
                 f"{norms[0]:.1e}")
    return fig


def gradient_norm_widget() -> FigureBox:
    """Sliders for the recurrent weight scale, the activation and the sequence length."""
    controls = {
        "scale": float_slider("W_hh scale", 1.0, 0.0, 3.0, 0.05),
        "activation": dropdown("activation", ["tanh", "relu", "linear"]),
        "steps": int_slider("time steps", WIDGET_STEPS, 10, 100, 5),
    }
    return figure_widget(draw_gradient_norms, controls)


# --- the memory task and the LSTM gates ----------------------------------------------------------


def draw_memory_table(ks: Sequence[int], accuracy: dict[str, Sequence[float]]) -> Figure:
    """Accuracy against the distance k for each model (``{"RNN": [...], "LSTM": [...]}``)."""
    ks = [check_whole(k, "draw_memory_table", "each k", 1) for k in ks]
    fig, ax = plt.subplots(figsize=(6.0, 3.0))
    for i, (name, values) in enumerate(accuracy.items()):
        values = as_float_array(values, "draw_memory_table", f"the accuracies of {name}")
        if values.shape != (len(ks),):
            raise ValueError(f"draw_memory_table: {name} needs one accuracy per k ({len(ks)})")
        ax.plot(ks, values, "os"[i % 2] + "-", label=name)
    ax.axhline(1 / rnn.N_SYMBOLS, color="0.5", linestyle="--", linewidth=1)
    ax.text(ks[0], 1 / rnn.N_SYMBOLS + 0.03, "guessing", color="0.4", fontsize=9)
    ax.set(xlabel="k: steps between the symbol and the question", ylabel="test accuracy",
           ylim=(0, 1.05), title="Recall a symbol seen k steps earlier (same training budget)")
    ax.legend(loc="center left")
    return fig


def draw_lstm_gates(gates: dict[str, Any], labels: Sequence[str], unit: int = 0) -> Figure:
    """Gate values of one LSTM unit while it reads a sequence: one row per gate, one column per
    step (``gates`` maps "i", "f", "g", "o" and "c" to arrays of shape (time, hidden))."""
    unit = check_whole(unit, "draw_lstm_gates", "unit", 0)
    names = [g for g in ("i", "f", "g", "o", "c") if g in gates]
    table = np.stack([as_float_array(gates[g], "draw_lstm_gates", g)[:, unit] for g in names])
    fig, ax = plt.subplots(figsize=(0.45 * table.shape[1] + 1.6, 2.4))
    image = ax.imshow(table, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
    ax.set(yticks=range(len(names)), yticklabels=names, xticks=range(len(labels)),
           xticklabels=list(labels), title=f"LSTM unit {unit}: gates while reading")
    ax.grid(False)
    fig.colorbar(image, ax=ax, fraction=0.03)
    return fig


__all__ = [
    "WIDGET_HIDDEN",
    "WIDGET_STEPS",
    "dense_parameter_counts",
    "draw_gradient_norms",
    "draw_lstm_gates",
    "draw_memory_table",
    "draw_unrolled",
    "gradient_norm_widget",
    "stretch_factors",
    "gradient_norms_through_time",
]
