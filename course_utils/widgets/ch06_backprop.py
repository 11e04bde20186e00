"""Chapter 06's pictures and widget: a computational graph with every node's value and
gradient, one neuron's graph live under sliders, and the weight gradient dW = xᵀδ as heat maps.

* :func:`draw_graph` (with :func:`graph_layout` and :func:`graph_table`) draws any Value-like
  object that has ``data``, ``grad`` and ``_prev`` (the inputs it was computed from), and
  optionally ``_op`` and ``label``: the course's :class:`~course_utils.autograd.Value` and the
  one the notebook builds alike. The layout is layered, from the topological order: inputs on
  the left, each result one column to the right of its deepest input, the output on the far
  right. A box shows a node's label, value (``data``) and gradient (``grad``); a small circle
  in front of it shows the operation that produced it. No Graphviz needed.
* :func:`neuron_graph` builds one sigmoid neuron and its cost ``C = (a − y)²`` as labelled
  Values, with ``C.backward()`` already run; :func:`draw_neuron_graph` draws it and
  :func:`neuron_graph_widget` wires sliders for the inputs, weights, bias and target, and a menu
  for the activation, to the drawing.
* :func:`draw_weight_gradient` shows x, δ and dW = xᵀδ side by side.

Both pictures colour positive numbers blue and negative ones red.
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyBboxPatch

from ..autograd import Value, topological_order
from ..backprop import weight_gradient_terms
from .core import dropdown, figure_widget, float_slider

MAX_NODES = 40  # beyond this a drawing is a hairball; draw a smaller expression instead
COLUMN_WIDTH = 2.6
ROW_HEIGHT = 1.25
BOX_WIDTH, BOX_HEIGHT = 1.55, 0.95
OP_OFFSET = 1.0  # how far left of its box an operation's circle sits
OP_SYMBOLS = {"*": "×", "-": "−", "neg": "−x", "sigmoid": "σ", "/": "÷"}


def _nodes(root: Any) -> list[Any]:
    for attribute in ("data", "grad", "_prev"):
        if not hasattr(root, attribute):
            raise TypeError(f"can only draw a Value (something with .data, .grad and ._prev), "
                            f"got {type(root).__name__}")
    nodes = topological_order(root)
    if len(nodes) > MAX_NODES:
        raise ValueError(f"this graph has {len(nodes)} nodes; drawings stay readable up to "
                         f"{MAX_NODES}. Draw a smaller expression (e.g. one neuron).")
    return nodes


def graph_layout(root: Any) -> dict[int, tuple[float, float]]:
    """``{id(node): (x, y)}`` for every node of ``root``'s graph.

    A computed node's column is one more than its deepest input's; an input (a node with no
    inputs of its own) sits one column before the first node that uses it. Within a column,
    nodes are ordered by the average height of their neighbours, so edges rarely cross.
    """
    nodes = _nodes(root)
    users: dict[int, list[Any]] = {id(n): [] for n in nodes}
    for node in nodes:
        for child in node._prev:
            users[id(child)].append(node)
    column: dict[int, int] = {}
    for node in nodes:  # inputs come first in topological order
        column[id(node)] = 1 + max((column[id(c)] for c in node._prev), default=-1)
    for node in nodes:
        if not node._prev:
            later = [column[id(u)] for u in users[id(node)]]
            column[id(node)] = min(later) - 1 if later else 0
    shift = min(column.values())
    columns: dict[int, list[Any]] = {}
    for node in nodes:
        columns.setdefault(column[id(node)] - shift, []).append(node)

    y = {id(n): float(-i) for i, n in enumerate(nodes)}  # a first guess: topological order
    for _sweep in range(4):  # barycentre sweeps, right to left then left to right
        for members in (columns[c] for c in sorted(columns, reverse=True)):
            _spread(members, y, lambda n: [y[id(u)] for u in users[id(n)]])
        for members in (columns[c] for c in sorted(columns)):
            _spread(members, y, lambda n: [y[id(c)] for c in n._prev])
    return {id(n): ((column[id(n)] - shift) * COLUMN_WIDTH, y[id(n)] * ROW_HEIGHT) for n in nodes}


def _spread(members: list[Any], y: dict[int, float], neighbours: Any) -> None:
    """Order a column by its neighbours' average height; space it one row apart around it."""
    def wanted(n: Any) -> float:
        around = neighbours(n)
        return sum(around) / len(around) if around else y[id(n)]

    targets = {id(n): wanted(n) for n in members}
    members.sort(key=lambda n: -targets[id(n)])
    centre = sum(targets.values()) / len(members)
    top = (len(members) - 1) / 2
    for row, n in enumerate(members):
        y[id(n)] = centre + top - row


def graph_table(root: Any) -> list[dict[str, Any]]:
    """Every node of the graph, inputs first: ``label``, ``op``, ``data`` and ``grad``."""
    return [{"label": getattr(n, "label", ""), "op": getattr(n, "_op", ""),
             "data": float(n.data), "grad": float(n.grad)} for n in _nodes(root)]


def _op_symbol(op: str) -> str:
    """How an operation is written in its circle: '×' for '*', '^2' for '**2'."""
    if op.startswith("**"):
        return "^" + op[2:]
    return OP_SYMBOLS.get(op, op)


def _fmt(x: float) -> str:
    return f"{x:.3g}" if abs(x) >= 1e-3 or x == 0 else f"{x:.1e}"


def _grad_colour(g: float) -> str:
    return "0.45" if g == 0 else ("tab:blue" if g > 0 else "tab:red")


def draw_graph(root: Any, title: str | None = None, show_grad: bool = True,
               ax: Axes | None = None) -> Figure:
    """Draw ``root``'s computational graph; returns the matplotlib Figure.

    Each box shows the node's label (if it has one), ``data`` and, if ``show_grad``, ``grad``
    (blue when positive, red when negative). Inputs have a yellow box, the output a blue one.
    """
    nodes = _nodes(root)
    where = graph_layout(root)
    xs = [p[0] for p in where.values()]
    ys = [p[1] for p in where.values()]
    width = max(xs) - min(xs) + COLUMN_WIDTH
    height = max(ys) - min(ys) + ROW_HEIGHT
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(13.0, 0.55 * width + 1.0),
                                        min(7.5, 0.55 * height + 0.9)))
    else:
        fig = ax.figure
    arrow = {"arrowstyle": "-|>", "color": "0.55", "lw": 1.0, "shrinkA": 0, "shrinkB": 0,
             "mutation_scale": 9}
    for node in nodes:
        x, y = where[id(node)]
        if node._prev:  # the operation's circle, and the edges into and out of it
            ox = x - OP_OFFSET
            for child in node._prev:
                cx, cy = where[id(child)]
                ax.annotate("", xy=(ox - 0.2, y), xytext=(cx + BOX_WIDTH / 2, cy),
                            arrowprops=arrow, zorder=1)  # behind the boxes it may cross
            ax.annotate("", xy=(x - BOX_WIDTH / 2, y), xytext=(ox + 0.2, y), arrowprops=arrow,
                        zorder=1)
            ax.add_patch(Circle((ox, y), 0.22, facecolor="white", edgecolor="0.3", zorder=3))
            op = _op_symbol(str(getattr(node, "_op", "")))
            ax.text(ox, y, op, ha="center", va="center", zorder=4,
                    fontsize=8 if len(op) <= 3 else 6)
        face = "#fff3c4" if not node._prev else ("#d6e8ff" if node is root else "white")
        ax.add_patch(FancyBboxPatch((x - BOX_WIDTH / 2, y - BOX_HEIGHT / 2), BOX_WIDTH,
                                    BOX_HEIGHT, boxstyle="round,pad=0.02,rounding_size=0.12",
                                    facecolor=face, edgecolor="0.3", zorder=3))
        label = str(getattr(node, "label", "") or "")
        lines = [(label, "black", "bold")] if label else []
        lines.append((f"data {_fmt(float(node.data))}", "black", "normal"))
        if show_grad:
            lines.append((f"grad {_fmt(float(node.grad))}", _grad_colour(float(node.grad)), "bold"))
        step = BOX_HEIGHT / (len(lines) + 0.6)
        for k, (text, colour, weight) in enumerate(lines):
            ax.text(x, y + step * ((len(lines) - 1) / 2 - k), text, ha="center", va="center",
                    fontsize=7.5, color=colour, fontweight=weight, zorder=4)
    ax.set_xlim(min(xs) - COLUMN_WIDTH / 2, max(xs) + COLUMN_WIDTH / 2)
    ax.set_ylim(min(ys) - ROW_HEIGHT / 2 - 0.1, max(ys) + ROW_HEIGHT / 2 + 0.1)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def draw_weight_gradient(x: Any, delta: Any) -> Figure:
    """Three heat maps side by side: the inputs ``x`` (examples × inputs), the errors ``delta``
    (examples × outputs) and ``dW = xᵀ delta`` (inputs × outputs), dW with its numbers written in.

    Blue is positive and red negative, as in :func:`draw_graph`.
    """
    terms = weight_gradient_terms(x, delta)  # checks the shapes: one row per example in both
    x, delta = np.asarray(x, dtype=float), np.asarray(delta, dtype=float)
    dW = terms.sum(axis=0)  # = xᵀ δ
    n_in, n_out = dW.shape
    fig, axes = plt.subplots(1, 3, figsize=(7.2, 3.4), layout="constrained",
                             gridspec_kw={"width_ratios": [n_in, n_out, n_out]})
    panels = ((x, "input activity x", "input i", "example k"),
              (delta, "output error δ", "output j", "example k"),
              (dW, "dW = xᵀδ", "output j", "input i"))
    for ax, (data, title, xlabel, ylabel) in zip(axes, panels, strict=True):
        top = float(np.abs(data).max()) or 1.0
        ax.imshow(data, cmap="RdBu", vmin=-top, vmax=top)
        ax.set(title=title, xlabel=xlabel, ylabel=ylabel, xticks=range(data.shape[1]),
               yticks=range(data.shape[0]))
        ax.grid(False)
    top = float(np.abs(dW).max()) or 1.0
    for (i, j), value in np.ndenumerate(dW):
        axes[2].text(j, i, f"{value:.3g}", ha="center", va="center",
                     color="white" if abs(value) > 0.6 * top else "black")
    return fig


# --- the widget: one sigmoid neuron and its cost, live ------------------------------------

NEURON_ACTIVATIONS = ("sigmoid", "tanh", "relu")
ACTIVATION_MENU = {"sigmoid σ": "sigmoid", "tanh": "tanh", "ReLU": "relu"}


def neuron_graph(x1: float = 1.0, w1: float = 0.5, x2: float = 2.0, w2: float = -1.0,
                 b: float = 0.5, target: float = 1.0, activation: str = "sigmoid"
                 ) -> dict[str, Value]:
    """The cost ``C = (a − y)²`` of one neuron ``a = act(w1·x1 + w2·x2 + b)``, differentiated.

    Returns the graph's Values by label (``x1``, ``w1``, ``x2``, ``w2``, ``b``, ``w1·x1``,
    ``w2·x2``, ``sum``, ``z``, ``a``, ``y``, ``a − y``, ``C``), with ``C.backward()`` already
    run, so each ``.grad`` is ∂C/∂(that node). ``nodes["C"]`` is the root to draw.
    """
    if activation not in NEURON_ACTIVATIONS:
        raise ValueError(f"activation must be 'sigmoid', 'tanh' or 'relu', got {activation!r}")
    nodes = {name: Value(v, label=name) for name, v in
             (("x1", x1), ("w1", w1), ("x2", x2), ("w2", w2), ("b", b), ("y", target))}
    steps: list[tuple[str, Value]] = []
    steps.append(("w1·x1", nodes["w1"] * nodes["x1"]))
    steps.append(("w2·x2", nodes["w2"] * nodes["x2"]))
    steps.append(("sum", steps[0][1] + steps[1][1]))
    steps.append(("z", steps[2][1] + nodes["b"]))
    steps.append(("a", getattr(steps[3][1], activation)()))
    steps.append(("a − y", steps[4][1] - nodes["y"]))
    steps.append(("C", steps[5][1] ** 2))
    for name, value in steps:
        value.label = name
        nodes[name] = value
    nodes["C"].backward()
    return nodes


def neuron_graph_title(nodes: dict) -> str:
    """The cost and the three parameter gradients, as the figure's title."""
    return (f"C = {nodes['C'].data:.4f}     ∂C/∂w1 = {nodes['w1'].grad:+.4f}     "
            f"∂C/∂w2 = {nodes['w2'].grad:+.4f}     ∂C/∂b = {nodes['b'].grad:+.4f}")


def draw_neuron_graph(x1: float = 1.0, w1: float = 0.5, x2: float = 2.0, w2: float = -1.0,
                      b: float = 0.5, target: float = 1.0, activation: str = "sigmoid") -> Figure:
    """The graph of ``C = (act(w1·x1 + w2·x2 + b) − y)²`` after ``C.backward()``."""
    nodes = neuron_graph(x1, w1, x2, w2, b, target, activation)
    return draw_graph(nodes["C"], title=neuron_graph_title(nodes))


def neuron_graph_widget() -> widgets.VBox:
    """Sliders for x1, w1, x2, w2, b and the target y, a menu for the activation; the graph below."""
    controls = {
        "x1": float_slider("input x1", 1.0, -3.0, 3.0, 0.1, readout_format=".1f"),
        "w1": float_slider("weight w1", 0.5, -3.0, 3.0, 0.1, readout_format=".1f"),
        "x2": float_slider("input x2", 2.0, -3.0, 3.0, 0.1, readout_format=".1f"),
        "w2": float_slider("weight w2", -1.0, -3.0, 3.0, 0.1, readout_format=".1f"),
        "b": float_slider("bias b", 0.5, -3.0, 3.0, 0.1, readout_format=".1f"),
        "target": float_slider("target y", 1.0, 0.0, 1.0, 0.05),
        "activation": dropdown("activation", ACTIVATION_MENU, "sigmoid"),
    }
    return figure_widget(draw_neuron_graph, controls, columns=2)


__all__ = [
    "ACTIVATION_MENU",
    "MAX_NODES",
    "draw_graph",
    "draw_neuron_graph",
    "draw_weight_gradient",
    "graph_layout",
    "graph_table",
    "neuron_graph",
    "neuron_graph_title",
    "neuron_graph_widget",
]
