"""Chapter 06's widget: one neuron's computational graph, live, with every value and gradient.

The numbers come from :func:`course_utils.backprop.neuron_graph` (the neuron, its cost
``C = (a − y)²`` and ``C.backward()``); :func:`draw_neuron_graph` draws them with
:func:`course_utils.graph_plot.draw_graph`, and :func:`neuron_graph_widget` wires sliders for
the inputs, weights, bias and target, and a menu for the activation, to the drawing.
"""

from __future__ import annotations

import ipywidgets as widgets
from matplotlib.figure import Figure

from ..backprop import neuron_graph
from ..graph_plot import draw_graph
from .core import dropdown, figure_widget, float_slider

ACTIVATION_MENU = {"sigmoid σ": "sigmoid", "tanh": "tanh", "ReLU": "relu"}


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


__all__ = ["ACTIVATION_MENU", "draw_neuron_graph", "neuron_graph_title", "neuron_graph_widget"]
