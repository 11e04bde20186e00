"""Chapter 04's pictures and widgets: half-planes combined into regions, and ReLU units
approximating a curve.

The numbers come from :mod:`course_utils.mlp` (:func:`~course_utils.mlp.combine_half_planes`,
:func:`~course_utils.mlp.hidden_plane`, :func:`~course_utils.mlp.fit_relu_units`); this module
only draws them and wires controls:

* :func:`plot_regions` — shade a network's output over the plane, with its lines and data;
* :func:`draw_half_planes` / :func:`half_plane_widget` — two hidden neurons and an output neuron,
  in the plane of the inputs and in the plane of the hidden neurons;
* :func:`draw_relu_fit` / :func:`relu_fit_widget` — the number of hidden ReLU units vs the fit.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..data import make_xor
from ..mlp import (
    PLACEMENTS,
    TARGETS,
    combine_half_planes,
    fit_relu_units,
    half_plane_weights,
    hidden_plane,
    relu_fit_errors,
)
from .core import dropdown, figure_widget, float_slider, int_slider

SHADING = "RdBu_r"  # P(class 1): blue near 0, white at 1/2, red near 1, as in chapter 03
CLASS_COLORS = ("#2166ac", "#b2182b")  # class 0 blue, class 1 red: the ends of the shading
POINT_STYLE = {0: {"marker": "o", "color": CLASS_COLORS[0]},
               1: {"marker": "^", "color": CLASS_COLORS[1]}}
SHARPNESS = 4.0  # how steep each hidden neuron's edge is (the length of its weight vector)
MAX_UNITS = 40
# The error curve does not depend on the slider, so it is computed once per target and placement.
_error_curve = functools.lru_cache(maxsize=16)(relu_fit_errors)
LINE_COLORS = ("#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")


def band_colors(n: int = 10, strength: float = 0.45) -> list[tuple[float, float, float]]:
    """``n`` pale colours for probability bands of width 1/n: the shading mixed with white."""
    centres = plt.get_cmap(SHADING)((np.arange(n) + 0.5) / n)[:, :3]
    return [tuple(float(v) for v in strength * rgb + (1 - strength)) for rgb in centres]


_BANDS = band_colors()


def _shade(ax: Axes, axis: np.ndarray, values: np.ndarray, boundary: bool) -> None:
    """Probability bands of 10 % (flat colours: quick to draw, small to store), and the ½ line."""
    ax.contourf(axis, axis, np.clip(values, 0.0, 1.0), levels=np.linspace(0.0, 1.0, 11),
                colors=_BANDS, antialiased=False)
    if boundary and values.min() < 0.5 < values.max():
        ax.contour(axis, axis, values, levels=[0.5], colors="k", linewidths=1.5)


def _points(ax: Axes, X: Any, y: Any, size: float = 14) -> None:
    X, y = np.asarray(X), np.asarray(y)
    for label, style in POINT_STYLE.items():
        chosen = y == label
        ax.scatter(X[chosen, 0], X[chosen, 1], s=size, edgecolors="k", linewidths=0.3,
                   label=f"class {label}", **style)


def plot_regions(ax: Axes, axis: np.ndarray, values: np.ndarray, X: Any = None, y: Any = None,
                 lines: Sequence[Any] = (), title: str = "", boundary: bool = True) -> None:
    """Shade ``values`` (r, r) in [0, 1] over the square ``axis × axis`` in bands of 10 % (red
    for class 1, blue for class 0); draw the 1/2 contour, each line in ``lines`` (two end points
    each, or None) and the points ``X`` coloured by ``y``."""
    extent = (axis[0], axis[-1], axis[0], axis[-1])
    _shade(ax, axis, values, boundary)
    for j, segment in enumerate(lines):
        if segment is not None:
            ax.plot(segment[:, 0], segment[:, 1], "--", color=LINE_COLORS[j % len(LINE_COLORS)],
                    linewidth=1.8)
    if X is not None and y is not None:
        _points(ax, X, y)
    ax.set(xlim=extent[:2], ylim=extent[2:], aspect="equal", title=title)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.grid(False)


def plot_classifier(ax: Axes, predict: Callable[[np.ndarray], Any], X: Any = None, y: Any = None,
                    title: str = "", extent: float = 2.5, lines: Sequence[Any] = (),
                    resolution: int = 121) -> None:
    """Shade ``predict`` (points (m, 2) → probabilities (m,)) over [−extent, extent]², with
    the 1/2 boundary, optional ``lines`` and the points ``X`` coloured by ``y``."""
    if not callable(predict):
        raise TypeError("plot_classifier needs a function from points (m, 2) to probabilities, "
                        "e.g. model.predict_proba")
    axis = np.linspace(-extent, extent, resolution)
    g1, g2 = np.meshgrid(axis, axis)
    values = np.asarray(predict(np.column_stack([g1.ravel(), g2.ravel()])), dtype=float)
    if values.size != resolution**2:
        raise ValueError(f"plot_classifier: predict must give one number per point, got "
                         f"shape {values.shape} for {resolution**2} points")
    plot_regions(ax, axis, values.reshape(resolution, resolution), X, y, lines, title)


def _arrow(ax: Axes, segment: np.ndarray | None, direction: np.ndarray, color: str,
           label: str) -> None:
    """A short arrow from the middle of a line towards the side where the neuron is on."""
    if segment is None:
        return
    middle = segment.mean(axis=0)
    unit = direction / np.linalg.norm(direction)
    ax.annotate("", xy=middle + 0.6 * unit, xytext=middle,
                arrowprops={"arrowstyle": "->", "color": color, "linewidth": 2})
    ax.text(*(middle + 0.85 * unit), label, color=color, fontsize=11, fontweight="bold",
            ha="center", va="center",
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})


def _clean(value: float) -> float:
    """Round away float noise such as cos(90°) = 6e-17, and −0."""
    return round(float(value), 9) + 0.0


def _signed(value: float) -> str:
    value = _clean(value)
    return f"− {abs(value):.3g}" if value < 0 else f"+ {value:.3g}"


def _formula(w: np.ndarray, b: float, names: tuple[str, str]) -> str:
    first = _clean(w[0])
    lead = f"−{abs(first):.3g}" if first < 0 else f"{first:.3g}"  # a true minus sign, as below
    return f"σ({lead}·{names[0]} {_signed(w[1])}·{names[1]} {_signed(b)})"


def draw_half_planes(angle1: float = 45.0, bias1: float = 0.7, angle2: float = 45.0,
                     bias2: float = -0.7, v1: float = 10.0, v2: float = -10.0,
                     c: float = -5.0) -> Figure:
    """Two hidden neurons and the output neuron weighing them, seen in two planes.

    Hidden neuron j: weights ``4 · (cos angle_j, sin angle_j)``, bias ``4 · bias_j``, sigmoid.
    Output: ``σ(v1 · h1 + v2 · h2 + c)``. Left: the plane of the inputs (x1, x2), shaded by the
    output, with each hidden neuron's line and an arrow to the side where it is on. Right: the
    plane of the hidden neurons (h1, h2), where every XOR point lands after the hidden layer and
    the output neuron draws its one straight line. The suptitle scores the XOR points.
    """
    (w1, b1), (w2, b2) = (half_plane_weights(angle1, bias1, SHARPNESS),
                          half_plane_weights(angle2, bias2, SHARPNESS))
    X, y = _xor_points()
    net = combine_half_planes(np.column_stack([w1, w2]), [b1, b2], [v1, v2], c, points=X,
                              resolution=101)
    seen = hidden_plane([v1, v2], c)
    right = float(np.mean((net["point_output"] >= 0.5) == y))
    fig, (left, hid) = plt.subplots(1, 2, figsize=(9.0, 4.6))
    fig.subplots_adjust(left=0.07, right=0.98, bottom=0.1, top=0.8, wspace=0.25)
    plot_regions(left, net["axis"], net["output"], X, y, net["lines"])
    for j, (w, b) in enumerate(((w1, b1), (w2, b2))):
        _arrow(left, net["lines"][j], w, LINE_COLORS[j], f"h{j + 1}")
        left.text(0.0, 1.1 - 0.075 * j, f"h{j + 1} = {_formula(w, b, ('x1', 'x2'))}",
                  color=LINE_COLORS[j], transform=left.transAxes, fontsize=11)
    _shade(hid, seen["axis"], seen["output"], boundary=True)
    hid.plot([0, 1, 1, 0, 0], [0, 0, 1, 1, 0], color="0.6", linewidth=0.8)  # where h can be
    _points(hid, net["point_hidden"], y)
    lo, hi = seen["axis"][0], seen["axis"][-1]
    hid.set(xlim=(lo, hi), ylim=(lo, hi), aspect="equal", xlabel="h1", ylabel="h2")
    hid.grid(False)
    hid.text(0.0, 1.1, f"output = {_formula(np.array([v1, v2]), c, ('h1', 'h2'))}",
             transform=hid.transAxes, fontsize=11)
    hid.text(0.0, 1.025, "the points as the output neuron sees them", transform=hid.transAxes,
             fontsize=10, color="0.35")
    fig.suptitle(f"{right:.0%} of the XOR points classified correctly", fontsize=12,
                 fontweight="bold")
    return fig


@functools.lru_cache(maxsize=1)
def _xor_points() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_xor()
    X.setflags(write=False)
    y.setflags(write=False)
    return X, y


def half_plane_widget() -> widgets.VBox:
    """Sliders for both hidden neurons (direction and bias) and the output neuron's weights."""
    controls = {
        "angle1": float_slider("h1 direction (°)", 45.0, 0.0, 360.0, 5.0, readout_format=".0f"),
        "bias1": float_slider("h1 bias", 0.7, -2.5, 2.5, 0.1, readout_format=".1f"),
        "angle2": float_slider("h2 direction (°)", 45.0, 0.0, 360.0, 5.0, readout_format=".0f"),
        "bias2": float_slider("h2 bias", -0.7, -2.5, 2.5, 0.1, readout_format=".1f"),
        "v1": float_slider("output weight v1", 10.0, -15.0, 15.0, 0.5, readout_format=".1f"),
        "v2": float_slider("output weight v2", -10.0, -15.0, 15.0, 0.5, readout_format=".1f"),
        "c": float_slider("output bias c", -5.0, -20.0, 20.0, 0.5, readout_format=".1f"),
    }
    return figure_widget(draw_half_planes, controls, columns=2)


def draw_relu_fit(n_units: int = 4, target: str = "wave", placement: str = "even") -> Figure:
    """Left: the target, the network's fit and each unit's weighted ramp. Right: the error of
    the fit for every number of units, the current one marked."""
    fit = fit_relu_units(n_units, target, placement)
    errors = _error_curve(target, placement, MAX_UNITS)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.6, 3.4),
                                      gridspec_kw={"width_ratios": [1.6, 1]})
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.15, top=0.8, wspace=0.2)
    ramps = np.stack([np.broadcast_to(fit["x"], fit["units"].shape), fit["units"]], axis=-1)
    left.add_collection(LineCollection(ramps, colors="0.7", linewidths=0.8))  # one artist, fast
    left.plot(fit["x"], fit["y"], color="k", linewidth=3, alpha=0.35, label="target")
    left.plot(fit["x"], fit["fit"], color="C3", label=f"network, {n_units} ReLU units")
    kinks = fit["kinks"]
    left.plot(kinks, np.interp(kinks, fit["x"], fit["fit"]), "o", color="C3", markersize=4)
    low, high = fit["y"].min(), fit["y"].max()
    pad = 0.35 * (high - low)
    left.set(xlim=(fit["x"][0], fit["x"][-1]), ylim=(low - pad, high + pad), xlabel="x",
             title=f"RMS error {fit['rms']:.3f}, largest error {fit['max_error']:.3f}")
    left.legend(loc="upper left", fontsize=9)
    right.semilogy(errors["n_units"], errors["rms"], ".-", color="C0", label="RMS error")
    right.semilogy([n_units], [fit["rms"]], "o", color="C3", markersize=9)
    right.set(xlabel="hidden units", title="error vs number of units")
    right.legend(loc="upper right", fontsize=9)
    fig.suptitle(f"{target}: one hidden layer of {n_units} ReLU units "
                 f"({'evenly spaced' if placement == 'even' else 'random'} kinks, dots)",
                 fontsize=11)
    return fig


def relu_fit_widget() -> widgets.VBox:
    """A slider for the number of hidden units and menus for the target and the kinks."""
    controls = {
        "n_units": int_slider("hidden ReLU units", 4, 1, MAX_UNITS),
        "target": dropdown("target function", list(TARGETS)),
        "placement": dropdown("kinks", {"evenly spaced": PLACEMENTS[0], "random": PLACEMENTS[1]}),
    }
    return figure_widget(draw_relu_fit, controls)


__all__ = ["draw_half_planes", "draw_relu_fit", "half_plane_widget", "plot_classifier",
           "plot_regions", "relu_fit_widget"]
