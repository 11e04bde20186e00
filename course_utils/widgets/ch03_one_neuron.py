"""Chapter 03's pictures: a neuron diagram, a decision line, and the logistic-regression playground.

The neuron itself comes from :mod:`course_utils.neuron`; this module computes what the
playground shows and draws it.

* :func:`draw_neuron_diagram` — inputs, weights, the sum and the activation, with the numbers
  of one worked example (and, if asked, the parts of a biological neuron they stand for);
* :func:`plot_boundary` — a neuron's decision line with its probability shading, drawn onto an
  existing axes (the points themselves: :func:`course_utils.plotting.plot_points`);
* :func:`logistic_playground` — the playground's numbers: probabilities, likelihood,
  log-likelihood, mean NLL, the line and the shading grid (no plotting);
* :func:`draw_logistic_playground` and :func:`logistic_playground_widget` — sliders for the
  two weights and the bias above the live picture, with the likelihood, the log-likelihood
  and the mean negative log-likelihood printed under it.
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch

from ..activations import sigmoid
from ..data import make_blobs
from ..neuron import decision_line, neuron_forward, weighted_sum
from ..plotting import CLASS_COLORS, CLASS_MARKERS, band_colors, plot_points
from ..validate import as_float_array, check_number
from .core import figure_widget, float_slider

PLAYGROUND_NOISE = 1.0                 # overlapping blobs: no line is perfect, the fit is finite


def playground_data() -> Any:
    """The widget's data set: ``make_blobs(n=200, noise=1.0, seed=0)`` (two overlapping clouds)."""
    return make_blobs(n=200, noise=PLAYGROUND_NOISE, seed=0)


# --- pieces to draw onto an axes --------------------------------------------------------------


def plot_boundary(ax: Axes, w: Any, b: float, xlim: tuple[float, float],
                  ylim: tuple[float, float], shade: bool = True, resolution: int = 101,
                  **line_style: Any) -> Any:
    """Draw the neuron's decision line ``w1·x + w2·y + b = 0`` (and, with ``shade``, σ over the box).

    The shading comes in bands of 10 % probability. Returns the shading (a contour set, or None),
    so a caller can add a colour bar.
    """
    image = None
    if shade:
        gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
        grid = np.column_stack([gx.ravel(), gy.ravel()])
        p = np.asarray(sigmoid(weighted_sum(grid, w, b))).reshape(gx.shape)
        # Bands of 10 % rather than a smooth blend: easier to read, and a much smaller picture.
        # Opaque pale colours without antialiasing keep the saved image small as well.
        image = ax.contourf(gx, gy, p, levels=np.linspace(0, 1, 11), colors=band_colors(),
                            antialiased=False)
    line = decision_line(w, b, xlim, ylim)
    if line is not None and line.visible:
        ax.plot(line.x, line.y, **{"color": "k", "linewidth": 2, **line_style})
    ax.set(xlim=xlim, ylim=ylim)
    return image


# --- the neuron diagram ------------------------------------------------------------------------


def _arrow(ax: Axes, start: tuple[float, float], end: tuple[float, float], **style: Any) -> None:
    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>",
                                 **{"mutation_scale": 14, "color": "0.3", "linewidth": 1.4, **style}))


def draw_neuron_diagram(x: Any, w: Any, b: float, activation: str = "sigmoid",
                        biology: bool = False) -> Figure:
    """A neuron as a picture: inputs ``x`` on the left, one arrow per weight, the body, the output.

    The numbers of the example are written on it: each input, each weight, the score
    ``z = w·x + b`` and the output. With ``biology=True`` the parts of a nerve cell that each
    piece stands for are labelled underneath (dendrites, cell body, axon).
    """
    x, w = np.atleast_1d(np.asarray(x, dtype=float)), np.atleast_1d(np.asarray(w, dtype=float))
    z = weighted_sum(x, w, b)
    out = neuron_forward(x, w, b, activation)
    n = len(x)
    if n > 6:
        raise ValueError(f"draw_neuron_diagram draws at most 6 inputs, got {n}")
    fig, ax = plt.subplots(figsize=(7.6, 3.4 if biology else 2.9))
    ax.set_axis_off()
    ax.set(xlim=(-0.3, 10.3), ylim=(-2.3 if biology else -1.3, n + 0.2))
    body, radius = (5.0, (n - 1) / 2), 1.05
    for i, (xi, wi) in enumerate(zip(x, w, strict=True)):
        yi = n - 1 - i
        ax.add_patch(Circle((0.6, yi), 0.38, facecolor="#deebf7", edgecolor="0.3"))
        ax.text(0.6, yi, f"{xi:g}", ha="center", va="center", fontsize=10)
        ax.text(-0.05, yi, f"x{i + 1}", ha="right", va="center", fontsize=10, color="0.3")
        dx, dy = body[0] - 1.0, body[1] - yi
        tip = (body[0] - radius * dx / math.hypot(dx, dy), body[1] - radius * dy / math.hypot(dx, dy))
        _arrow(ax, (1.0, yi), tip, linewidth=0.8 + 0.8 * min(abs(wi), 3))
        label_at = (1.0 + 0.4 * (tip[0] - 1.0), yi + 0.4 * (tip[1] - yi) + 0.12)
        ax.text(*label_at, f"w{i + 1} = {wi:g}", ha="center", va="bottom", fontsize=9.5,
                color="C1" if wi < 0 else "C2")
    ax.add_patch(Circle(body, radius, facecolor="#fee8c8", edgecolor="0.3"))
    ax.text(body[0], body[1] + 0.35, "z = w·x + b", ha="center", fontsize=9.5)
    ax.text(body[0], body[1] - 0.05, f"= {z:.3g}", ha="center", fontsize=10)
    ax.text(body[0], body[1] - 0.5, f"b = {b:g}", ha="center", fontsize=9, color="0.35")
    _arrow(ax, (body[0] + radius, body[1]), (8.6, body[1]))
    name = {"sigmoid": "σ", "step": "step", "tanh": "tanh", "relu": "ReLU",
            "identity": ""}[activation]
    ax.text(7.3, body[1] + 0.2, f"{name}(z)" if name else "z", ha="center", fontsize=10)
    ax.text(8.75, body[1], f"a = {out:.3g}", va="center", fontsize=11, fontweight="bold")
    if biology:
        for xpos, text in ((0.9, "dendrites: inputs arrive\nthrough synapses (weights)"),
                           (body[0], "cell body: adds up\nthe incoming signals"),
                           (8.3, "axon: one output,\nsent on to many cells")):
            ax.text(xpos, -1.5, text, ha="center", va="center", fontsize=9, color="#6a3d9a",
                    style="italic")
    fig.tight_layout()
    return fig


# --- the playground's numbers -------------------------------------------------------------------


def logistic_playground(w1: float, w2: float, b: float, X: Any, y: Any,
                        xlim: Any = None, ylim: Any = None, resolution: int = 101) -> dict[str, Any]:
    """Everything the logistic-regression playground shows, as numbers (no plotting).

    For the neuron ``σ(w1·x + w2·y + b)`` on the 2-D points ``X`` with labels ``y``, returns:
    ``w``, ``b``; ``z`` and ``p`` (each point's score and probability of class 1); ``q`` (the
    probability of each point's actual label); ``likelihood`` (their product: may underflow to
    0.0), ``log_likelihood`` (the sum of their logs), ``nll`` (the mean negative
    log-likelihood), ``correct`` and ``n`` (points on the right side of the line, of n);
    ``underflow`` (True when the product rounded to 0 although no point has q = 0);
    ``line`` (a :class:`~course_utils.neuron.DecisionLine`, or None when w = 0); ``xlim``,
    ``ylim`` and the grid ``grid_x``, ``grid_y``, ``grid_p`` (resolution × resolution
    probabilities) for the shading.
    """
    name = "logistic_playground"
    points = as_float_array(X, name, "X", finite=True)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"{name} draws a plane, so X needs 2 features (columns), one row per "
                         f"point; it has shape {points.shape}")
    labels = as_float_array(y, name, "y")
    if labels.shape != (len(points),) or not np.isin(labels, (0.0, 1.0)).all():
        raise ValueError(f"{name}: y needs one label, 0 or 1, per point ({len(points)}); got "
                         f"shape {labels.shape}")
    w = np.array([check_number(w1, name, "the weight w1"), check_number(w2, name, "the weight w2")])
    bias = check_number(b, name, "the bias b")
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)):
        raise TypeError(f"{name}: resolution must be a whole number, not "
                        f"{type(resolution).__name__}")
    if resolution < 2:
        raise ValueError(f"{name}: resolution must be at least 2, got {resolution}")
    pad = 0.5
    if xlim is None:
        xlim = (math.floor(points[:, 0].min() - pad), math.ceil(points[:, 0].max() + pad))
    if ylim is None:
        ylim = (math.floor(points[:, 1].min() - pad), math.ceil(points[:, 1].max() + pad))
    line = decision_line(w, bias, xlim, ylim)  # also checks xlim and ylim
    z = points @ w + bias
    p = np.asarray(sigmoid(z), dtype=np.float64)
    signed = np.where(labels == 1, z, -z)           # q = σ(signed): 1 − σ(z) = σ(−z), no rounding
    q = np.asarray(sigmoid(signed), dtype=np.float64)
    log_q = -np.logaddexp(0.0, -signed)             # ln σ(s), exact even where σ(s) underflows
    gx, gy = np.meshgrid(np.linspace(*xlim, resolution), np.linspace(*ylim, resolution))
    grid_p = np.asarray(sigmoid(w[0] * gx + w[1] * gy + bias), dtype=np.float64)
    lik = float(math.prod(q.tolist()))
    return {
        "w": w, "b": bias, "z": z, "p": p, "q": q,
        "likelihood": lik,
        "log_likelihood": float(log_q.sum()),
        "nll": float(-log_q.mean()),
        "correct": int(((z > 0) == (labels == 1)).sum()),
        "n": int(labels.size),
        "underflow": lik == 0.0 and bool((q > 0).all()),
        "line": line,
        "xlim": xlim, "ylim": ylim,
        "grid_x": gx, "grid_y": gy, "grid_p": grid_p,
    }


# --- the logistic-regression playground -------------------------------------------------------


def likelihood_text(view: dict[str, Any]) -> str:
    """The two lines printed under the playground, from :func:`logistic_playground`'s numbers."""
    lik, log_lik, n = view["likelihood"], view["log_likelihood"], view["n"]
    if view["underflow"]:
        shown = f"0.0 (underflow: really ≈ 1e{log_lik / math.log(10):.0f})"
    else:
        shown = f"{lik:.3g}"
    return (f"likelihood L = q1·q2·…·q{n} = {shown}    log-likelihood ln L = {log_lik:.2f}\n"
            f"mean NLL = −ln L / {n} = {view['nll']:.4f}    "
            f"correct side of the line: {view['correct']} of {n}")


def _quiet_spot(line: Any, w: np.ndarray, X: np.ndarray, xlim: tuple[float, float],
                ylim: tuple[float, float]) -> np.ndarray:
    """A point of the line where the unit arrow w stays in the box and covers the fewest points."""
    start, end = np.array([line.x[0], line.y[0]]), np.array([line.x[1], line.y[1]])
    unit = w / np.linalg.norm(w)
    best, best_score = (start + end) / 2, math.inf
    for t in np.linspace(0.15, 0.85, 15):
        base = start + t * (end - start)
        tip = base + unit
        if not (xlim[0] <= tip[0] <= xlim[1] and ylim[0] <= tip[1] <= ylim[1]):
            continue
        crowd = int((np.linalg.norm(X - (base + unit / 2), axis=1) < 0.9).sum())
        score = crowd + abs(t - 0.5)  # fewest points nearby; the middle breaks ties
        if score < best_score:
            best, best_score = base, score
    return best


def draw_logistic_playground(w1: float = 1.0, w2: float = 1.0, bias: float = 0.0,
                             X: Any = None, y: Any = None) -> Figure:
    """Two panels and two lines of numbers for the neuron ``σ(w1·x + w2·y + bias)``.

    Left: the data, the probability shading and the decision line with the weight vector w.
    Right: every point at its score z and the probability q its own label gets (σ(z) for
    class 1, 1 − σ(z) for class 0): the likelihood is the product of these heights. Underneath: likelihood,
    log-likelihood, mean NLL and how many points are on the right side. ``X, y`` default to
    :func:`playground_data`.
    """
    if X is None or y is None:
        X, y = playground_data()
    view = logistic_playground(w1, w2, bias, X, y)
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.2, 4.0),
                                      gridspec_kw={"width_ratios": [1.15, 1]})
    image = plot_boundary(left, view["w"], bias, view["xlim"], view["ylim"])
    plot_points(left, X, y, size=18)
    left.grid(False)
    line = view["line"]
    if line is None:
        left.set_title(f"no line: w = (0, 0), every point gets σ({bias:g}) = {sigmoid(bias):.2f}",
                       fontsize=10)
    else:
        left.set_title(f"line {line.equation}", fontsize=11)
        if line.visible:
            middle = _quiet_spot(line, view["w"], np.asarray(X, dtype=float), view["xlim"],
                                 view["ylim"])
            tip = middle + view["w"] / np.linalg.norm(view["w"])
            _arrow(left, tuple(middle), tuple(tip), color="k", linewidth=2.2, mutation_scale=18,
                   zorder=3)
            left.text(*tip, " w", fontsize=12, fontweight="bold", va="center", zorder=3)
    left.legend(loc="upper left", fontsize=8, framealpha=0.8, frameon=True)
    fig.colorbar(image, ax=left, fraction=0.046, pad=0.03, label="P(class 1)")
    z_max = max(6.0, 1.05 * float(np.abs(view["z"]).max()))
    zs = np.linspace(-z_max, z_max, 301)
    right.plot(zs, sigmoid(zs), color=CLASS_COLORS[1], linewidth=1.2, alpha=0.6, zorder=1,
               label="class 1: q = σ(z)")
    right.plot(zs, sigmoid(-zs), color=CLASS_COLORS[0], linewidth=1.2, alpha=0.6, zorder=1,
               label="class 0: q = 1 − σ(z)")
    right.axvline(0, color="0.75", linewidth=1)
    labels = np.asarray(y)
    for label in (0, 1):
        chosen = labels == label
        right.scatter(view["z"][chosen], view["q"][chosen], s=20, alpha=0.8,
                      c=CLASS_COLORS[label], marker=CLASS_MARKERS[label], edgecolors="k",
                      linewidths=0.3, zorder=2)
    right.set(xlim=(-z_max, z_max), ylim=(-0.05, 1.05), xlabel="score z = w1·x + w2·y + bias",
              ylabel="q = P(the point's own label)")
    right.legend(loc="center left", fontsize=8, framealpha=0.8, frameon=True)
    right.set_title("L multiplies these heights: low q is costly", fontsize=10)
    fig.text(0.5, 0.01, likelihood_text(view), ha="center", va="bottom", fontsize=10,
             family="monospace")
    fig.tight_layout(rect=(0, 0.12, 1, 1))
    return fig


def logistic_playground_widget(X: Any = None, y: Any = None, w1: float = 1.0, w2: float = 1.0,
                               bias: float = 0.0) -> widgets.VBox:
    """Sliders for w1, w2 and the bias above the live playground (data: :func:`playground_data`)."""
    if X is None or y is None:
        X, y = playground_data()

    def draw(w1: float, w2: float, bias: float) -> Figure:
        return draw_logistic_playground(w1=w1, w2=w2, bias=bias, X=X, y=y)

    controls = {
        "w1": float_slider("weight w1", w1, -4.0, 4.0, 0.1, readout_format=".1f"),
        "w2": float_slider("weight w2", w2, -4.0, 4.0, 0.1, readout_format=".1f"),
        "bias": float_slider("bias b", bias, -6.0, 6.0, 0.1, readout_format=".1f"),
    }
    return figure_widget(draw, controls)


__all__ = [
    "draw_logistic_playground",
    "draw_neuron_diagram",
    "likelihood_text",
    "logistic_playground",
    "logistic_playground_widget",
    "playground_data",
    "plot_boundary",
]
