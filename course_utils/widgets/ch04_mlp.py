"""Chapter 04's demos and widgets: half-planes combined into regions, ReLU units approximating a
curve, and what depth does.

The network itself comes from :mod:`course_utils.mlp` (:func:`~course_utils.mlp.mlp_forward`,
:func:`~course_utils.mlp.init_mlp`); this module computes what the chapter's pictures show and
draws them:

* :func:`line_in_square`, :func:`combine_half_planes`, :func:`hidden_plane`,
  :func:`half_plane_weights` — a 2-input network with one hidden layer, over the plane;
* :func:`relu_units`, :func:`fit_relu_units`, :func:`relu_fit_errors` — universal
  approximation: a growing number of ReLU units fitting a curve;
* :func:`sawtooth_network`, :func:`count_linear_pieces` — what depth buys;
  :func:`gradient_through_depth` — how the backward signal shrinks (or not) layer by layer;
* :func:`plot_regions` and :func:`plot_classifier` — shade a network's output over the plane,
  with its lines and data;
* :func:`draw_half_planes` / :func:`half_plane_widget` — two hidden neurons and an output neuron,
  in the plane of the inputs and in the plane of the hidden neurons;
* :func:`draw_relu_fit` / :func:`relu_fit_widget` — the number of hidden ReLU units vs the fit.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure

from ..activations import relu
from ..data import make_xor
from ..mlp import ACTIVATIONS, init_mlp, mlp_forward
from ..neuron import decision_line
from ..plotting import band_colors, plot_points
from ..validate import as_float_array, check_number, check_whole
from .core import dropdown, figure_widget, float_slider, int_slider

# --- input checks ---------------------------------------------------------------------------


def _output_function(activation: Any, name: str) -> Callable[[Any], Any]:
    """An output activation given by name (``"sigmoid"``) or as a function, or a clear error."""
    if callable(activation):
        return activation
    if isinstance(activation, str) and activation.strip().lower() in ACTIVATIONS:
        return ACTIVATIONS[activation.strip().lower()][0]
    raise ValueError(f"{name}: unknown output_activation {activation!r}; choose one of "
                     f"{', '.join(ACTIVATIONS)} (or pass a function)")


# --- the numbers behind widget 1: combining half-planes -----------------------------------


def line_in_square(w: Any, b: float, extent: float = 2.5) -> np.ndarray | None:
    """End points (2, 2) of the line ``w · x + b = 0`` inside the square [−extent, extent]².

    That line is the edge of a neuron with weights ``w`` (two numbers) and bias ``b``
    (chapter 03's :func:`~course_utils.neuron.decision_line`). Returns None when the line
    misses the square, or when ``w`` is zero (then there is no line).
    """
    w = as_float_array(w, "line_in_square", "w", finite=True).reshape(-1)
    if w.shape != (2,):
        raise ValueError(f"line_in_square: w must hold two weights (x1, x2), got {w.size}")
    b = check_number(b, "line_in_square", "b")
    extent = check_number(extent, "line_in_square", "extent")
    if extent <= 0:
        raise ValueError(f"line_in_square: extent must be positive, got {extent}")
    return _edge(w, b, -extent, extent)


def _edge(w: np.ndarray, b: float, low: float, high: float) -> np.ndarray | None:
    """The two end points of ``w · x + b = 0`` inside the square [low, high]², or None."""
    line = decision_line(w, b, (low, high), (low, high))
    return np.column_stack([line.x, line.y]) if line is not None and line.visible else None


def combine_half_planes(W1: Any, b1: Any, w2: Any, b2: float, points: Any = None,
                        extent: float = 2.5, resolution: int = 121,
                        activation: Any = "sigmoid",
                        output_activation: Any = "sigmoid") -> dict[str, Any]:
    """What a 2-input network with one hidden layer computes, over a square of the plane.

    ``W1`` (2, k) and ``b1`` (k,) are the k hidden neurons: neuron j is on where
    ``W1[:, j] · x + b1[j] > 0``, a half-plane whose edge is a line. ``w2`` (k,) and ``b2``
    weigh them into one output neuron. Returns a dict with ``axis`` (the grid's coordinates),
    ``hidden`` (k, r, r) and ``output`` (r, r) over the grid (row i is the i-th x2 value),
    ``lines`` (each hidden neuron's edge as two end points, or None when it misses the square)
    and, when ``points`` (n, 2) are given, ``point_output`` (n,) and ``point_hidden`` (n, k):
    where the hidden layer moves each point.
    """
    name = "combine_half_planes"
    W1 = as_float_array(W1, name, "W1", finite=True)
    if W1.ndim != 2 or W1.shape[0] != 2:
        raise ValueError(f"{name}: W1 must have shape (2, hidden neurons): two inputs (x1, x2), "
                         f"one column per hidden neuron; got shape {W1.shape}")
    k = W1.shape[1]
    b1 = as_float_array(b1, name, "b1", finite=True).reshape(-1)
    w2 = as_float_array(w2, name, "w2", finite=True).reshape(-1)
    if b1.shape != (k,) or w2.shape != (k,):
        raise ValueError(f"{name}: with {k} hidden neurons b1 and w2 need {k} numbers each, "
                         f"got {b1.size} and {w2.size}")
    b2 = check_number(b2, name, "b2")
    extent = check_number(extent, name, "extent")
    if extent <= 0:
        raise ValueError(f"{name}: extent must be positive, got {extent}")
    resolution = check_whole(resolution, name, "resolution", 2)
    weights, biases = [W1, w2[:, None]], [b1, np.array([b2])]
    axis = np.linspace(-extent, extent, resolution)
    g1, g2 = np.meshgrid(axis, axis)
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    out, _, hs = mlp_forward(grid, weights, biases, activation, output_activation,
                             return_layers=True)
    result: dict[str, Any] = {
        "axis": axis,
        "hidden": hs[1].T.reshape(k, resolution, resolution),
        "output": out[:, 0].reshape(resolution, resolution),
        "lines": [_edge(W1[:, j], float(b1[j]), -extent, extent) for j in range(k)],
    }
    if points is not None:
        pts = as_float_array(points, name, "points")
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise ValueError(f"{name}: points must have shape (n, 2), got {pts.shape}")
        point_out, _, point_hs = mlp_forward(pts, weights, biases, activation,
                                             output_activation, return_layers=True)
        result["point_output"] = point_out[:, 0]
        result["point_hidden"] = point_hs[1]
    return result


def hidden_plane(w2: Any, b2: float, low: float = -0.1, high: float = 1.1, resolution: int = 61,
                 output_activation: Any = "sigmoid") -> dict[str, Any]:
    """The output neuron of a 2-hidden-neuron network, seen in the plane of (h1, h2).

    The output computes ``output_activation(w2[0]·h1 + w2[1]·h2 + b2)``: a single neuron whose
    inputs are the hidden neurons' outputs, so its edge ``w2 · h + b2 = 0`` is a straight line in
    that plane. Returns ``axis`` (the grid over [low, high]), ``output`` (r, r), row i being the
    i-th h2 value, and ``line`` (the edge's two end points inside the square, or None).
    """
    name = "hidden_plane"
    w2 = as_float_array(w2, name, "w2", finite=True).reshape(-1)
    if w2.shape != (2,):
        raise ValueError(f"{name}: w2 must hold two weights, one per hidden neuron, got {w2.size}")
    b2 = check_number(b2, name, "b2")
    low, high = check_number(low, name, "low"), check_number(high, name, "high")
    if high <= low:
        raise ValueError(f"{name}: high must be larger than low, got low={low}, high={high}")
    resolution = check_whole(resolution, name, "resolution", 2)
    out_fn = _output_function(output_activation, name)
    axis = np.linspace(low, high, resolution)
    g1, g2 = np.meshgrid(axis, axis)
    output = np.asarray(out_fn(w2[0] * g1 + w2[1] * g2 + b2), dtype=float)
    return {"axis": axis, "output": output, "line": _edge(w2, b2, low, high)}


def half_plane_weights(angle: float, bias: float, sharpness: float = 4.0) -> tuple[np.ndarray, float]:
    """A hidden neuron's weights from the direction its half-plane faces.

    ``angle`` (degrees) is the direction of the weight vector, the side the neuron switches on;
    the weights are ``sharpness · (cos, sin)`` and the bias ``sharpness · bias``, so the edge
    ``w · x + b = 0`` lies at distance ``bias`` from the origin, on the far side of the arrow
    for a positive bias.
    """
    angle = check_number(angle, "half_plane_weights", "angle")
    bias = check_number(bias, "half_plane_weights", "bias")
    sharpness = check_number(sharpness, "half_plane_weights", "sharpness")
    radians = math.radians(angle)
    return sharpness * np.array([math.cos(radians), math.sin(radians)]), sharpness * bias


# --- the numbers behind widget 2: universal approximation ---------------------------------

DOMAIN = (-3.0, 3.0)
TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "wave": lambda x: np.sin(2.0 * x),
    "bump": lambda x: np.exp(-2.0 * x**2),
    "step": lambda x: (x > 0.3).astype(float),
    "zigzag": lambda x: np.abs(np.sin(1.5 * x)) + 0.2 * x,
}
PLACEMENTS = ("even", "random")


def relu_units(n_units: int, placement: str = "even", seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Hidden weights ``w`` and biases ``b`` of ``n_units`` ReLU units on a 1-D input.

    Unit i computes ``relu(w[i] · x + b[i])``: zero on one side of its *kink* ``−b[i] / w[i]``,
    a ramp on the other. ``"even"``: kinks evenly spaced across :data:`DOMAIN`, starting at
    its left end, every ramp rising to the right. ``"random"``: kinks anywhere in the domain
    and ramps facing either way, drawn with ``seed``; asking for one more unit keeps the
    units drawn before and adds one.
    """
    n_units = check_whole(n_units, "relu_units", "n_units", 1)
    if placement not in PLACEMENTS:
        raise ValueError(f"relu_units: placement must be one of {', '.join(PLACEMENTS)}, "
                         f"got {placement!r}")
    lo, hi = DOMAIN
    if placement == "even":
        kinks = np.linspace(lo, hi, n_units + 1)[:-1]
        w = np.ones(n_units)
    else:
        seed = check_whole(seed, "relu_units", "seed", 0)
        # two streams, so that n + 1 units are the n units of before plus one new one
        kinks = np.random.default_rng(seed).uniform(lo, hi, n_units)
        w = np.random.default_rng(seed + 1).choice([-1.0, 1.0], n_units)
    return w, -w * kinks


def fit_relu_units(n_units: int, target: str = "wave", placement: str = "even", seed: int = 0,
                   n_points: int = 401) -> dict[str, Any]:
    """Fit ``target`` with one hidden layer of ``n_units`` ReLU units (what widget 2 shows).

    The hidden units come from :func:`relu_units`; only the output layer (a weight per unit
    and a bias) is fitted, by least squares, which for fixed hidden units gives the best
    possible output layer. Returns ``x``, ``y`` (the target), ``fit``, ``units`` (each unit's
    weighted contribution, (n_units, n_points)), ``kinks``, the network's ``weights`` and
    ``biases`` (usable with :func:`~course_utils.mlp.mlp_forward`), ``rms`` and ``max_error``.
    """
    if target not in TARGETS:
        raise ValueError(f"fit_relu_units: unknown target {target!r}; choose one of "
                         f"{', '.join(TARGETS)}")
    n_points = check_whole(n_points, "fit_relu_units", "n_points", 2)
    w, b = relu_units(n_units, placement, seed)
    x = np.linspace(*DOMAIN, n_points)
    y = TARGETS[target](x)
    features = np.asarray(relu(np.outer(x, w) + b))
    design = np.column_stack([features, np.ones_like(x)])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    v, c = coef[:-1], float(coef[-1])
    fit = design @ coef
    error = fit - y
    return {
        "x": x, "y": y, "fit": fit, "units": (features * v).T, "kinks": -b / w,
        "weights": [w[None, :], v[:, None]], "biases": [b, np.array([c])],
        "rms": float(np.sqrt(np.mean(error**2))), "max_error": float(np.max(np.abs(error))),
        "n_units": int(n_units), "target": target, "placement": placement,
    }


def relu_fit_errors(target: str = "wave", placement: str = "even", max_units: int = 40,
                    seed: int = 0) -> dict[str, np.ndarray]:
    """The RMS and largest error of :func:`fit_relu_units` for 1, 2, …, ``max_units`` units."""
    max_units = check_whole(max_units, "relu_fit_errors", "max_units", 1)
    fits = [fit_relu_units(n, target, placement, seed) for n in range(1, max_units + 1)]
    return {"n_units": np.arange(1, max_units + 1),
            "rms": np.array([f["rms"] for f in fits]),
            "max_error": np.array([f["max_error"] for f in fits])}


# --- depth: folds that double the pieces, and the learning signal through many layers -----


def sawtooth_network(depth: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A ReLU network on inputs in [0, 1] with ``depth`` hidden layers of 2 units each.

    Every hidden layer folds [0, 1] onto itself with the tent ``2·relu(t) − 4·relu(t − ½)``
    (up from 0 to 1 and back down), so ``depth`` folds give ``2**depth`` straight pieces from
    only ``2 · depth`` hidden units. Use with ``mlp_forward(x, *sawtooth_network(d), "relu")``.
    """
    depth = check_whole(depth, "sawtooth_network", "depth", 1)
    split = np.array([0.0, -0.5])
    fold = np.array([[2.0], [-4.0]])  # the tent: 2·relu(t) − 4·relu(t − ½)
    weights = [np.array([[1.0, 1.0]])] + [fold @ np.array([[1.0, 1.0]])] * (depth - 1) + [fold]
    biases = [split] * depth + [np.zeros(1)]
    return [W.copy() for W in weights], [b.copy() for b in biases]


def count_linear_pieces(x: Any, y: Any, tol: float = 1e-6) -> int:
    """How many straight pieces the curve ``y(x)`` has: 1 + the number of slope changes.

    ``x`` must be increasing; a kink that falls between two grid points shows as a short
    extra piece, so use a grid that contains the kinks (e.g. 2**k + 1 points on [0, 1]).
    """
    x = as_float_array(x, "count_linear_pieces", "x").reshape(-1)
    y = as_float_array(y, "count_linear_pieces", "y").reshape(-1)
    if x.shape != y.shape or x.size < 2:
        raise ValueError("count_linear_pieces: x and y need the same length, at least 2")
    if not np.all(np.diff(x) > 0):
        raise ValueError("count_linear_pieces: x must be strictly increasing")
    slopes = np.diff(y) / np.diff(x)
    return 1 + int(np.sum(np.abs(np.diff(slopes)) > tol * max(1.0, np.abs(slopes).max())))


def gradient_through_depth(activation: str = "sigmoid", depth: int = 20, width: int = 64,
                           n: int = 256, seed: int = 0) -> dict[str, np.ndarray]:
    """How big the learning signal is at each layer of a deep, freshly initialised network.

    A batch of ``n`` random inputs goes forward through ``depth`` layers of ``width`` units
    (weights from :func:`~course_utils.mlp.init_mlp`); a random signal of size 1 is sent back from the top, and
    at each layer it is multiplied by the transposed weights and by the activation's slope,
    as backprop does (chapter 06). Returns ``layer`` (1 = nearest the input), ``signal`` (the
    size of the backward signal arriving at that layer, relative to the top) and ``slope``
    (the mean activation slope in that layer).
    """
    name = "gradient_through_depth"
    if not isinstance(activation, str) or activation not in ACTIVATIONS:
        raise ValueError(f"{name}: activation must be one of {', '.join(ACTIVATIONS)}, "
                         f"got {activation!r}")
    act = activation
    depth = check_whole(depth, name, "depth", 1)
    width = check_whole(width, name, "width", 1)
    n = check_whole(n, name, "n", 1)
    weights, biases = init_mlp([width] * (depth + 1), act, seed)
    rng = np.random.default_rng(seed + 1)
    X = rng.normal(0.0, 1.0, (n, width))
    _, zs, _ = mlp_forward(X, weights, biases, act, act, return_layers=True)
    df = ACTIVATIONS[act][1]
    delta = rng.normal(0.0, 1.0, (n, width))
    top = float(np.linalg.norm(delta))
    signal, slope = np.empty(depth), np.empty(depth)
    for layer in range(depth - 1, -1, -1):
        slopes = df(zs[layer])
        delta = delta * slopes  # through the activation of this layer
        signal[layer] = np.linalg.norm(delta) / top
        slope[layer] = float(np.mean(slopes))
        delta = delta @ weights[layer].T  # through its weights, to the layer below
    return {"layer": np.arange(1, depth + 1), "signal": signal, "slope": slope}


# --- drawing ---------------------------------------------------------------------------------

SHARPNESS = 4.0  # how steep each hidden neuron's edge is (the length of its weight vector)
MAX_UNITS = 40
# The error curve does not depend on the slider, so it is computed once per target and placement.
_error_curve = functools.lru_cache(maxsize=16)(relu_fit_errors)
LINE_COLORS = ("#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")
_BANDS = band_colors()


def _shade(ax: Axes, axis: np.ndarray, values: np.ndarray, boundary: bool) -> None:
    """Probability bands of 10 % (flat colours: quick to draw, small to store), and the ½ line."""
    ax.contourf(axis, axis, np.clip(values, 0.0, 1.0), levels=np.linspace(0.0, 1.0, 11),
                colors=_BANDS, antialiased=False)
    if boundary and values.min() < 0.5 < values.max():
        ax.contour(axis, axis, values, levels=[0.5], colors="k", linewidths=1.5)


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
        plot_points(ax, X, y, size=14, alpha=None, axis_labels=None)
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
    plot_points(hid, net["point_hidden"], y, size=14, alpha=None, axis_labels=None)
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


__all__ = [
    "DOMAIN",
    "PLACEMENTS",
    "TARGETS",
    "combine_half_planes",
    "count_linear_pieces",
    "draw_half_planes",
    "draw_relu_fit",
    "fit_relu_units",
    "gradient_through_depth",
    "half_plane_weights",
    "half_plane_widget",
    "hidden_plane",
    "line_in_square",
    "plot_classifier",
    "plot_regions",
    "relu_fit_errors",
    "relu_fit_widget",
    "relu_units",
    "sawtooth_network",
]
