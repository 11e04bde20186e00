"""Chapter 01's widget: a sigmoid with any base, its slope, and the natural sigmoid beside it.

:func:`base_sigmoid_curve` computes what the widget shows (no plotting; the tests call it),
:func:`draw_base_sigmoid` draws it and :func:`base_sigmoid_widget` wires three sliders to the
drawing. The base-b sigmoid itself is :func:`course_utils.activations.base_sigmoid`.
"""

from __future__ import annotations

import math
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..activations import base_sigmoid, base_sigmoid_derivative, sigmoid, sigmoid_derivative
from ..validate import as_float_array
from .core import figure_widget, float_slider

REFERENCE_STYLE = {"color": "0.6", "linewidth": 1.2, "linestyle": ":"}
STEEPNESS_STEP = 0.01
# The steepness slider moves in steps of 0.01, so the best k it offers can miss 1/ln(b) by up to
# 0.005, and ln(b) · k can miss 1 by 0.005 · ln(10) ≈ 0.0115: within this the title says ≈ 1/4.
RATE_TOLERANCE = 0.012


def base_sigmoid_curve(base: float = math.e, steepness: float = 1.0, shift: float = 0.0,
                       x: Any = None) -> dict[str, Any]:
    """What the widget shows, as numbers (no plotting).

    Returns a dict with ``x`` (default: 401 points from −8 to 8), ``y`` and ``slope`` (the
    base-b sigmoid and its derivative), ``natural`` and ``natural_slope`` (σ and σ' for
    reference), ``rate`` (``steepness · ln(base)``, the factor that rescales x), ``centre``
    (the x where the curve crosses 1/2, i.e. ``shift``) and ``centre_slope`` (``rate / 4``).
    """
    xs = (np.linspace(-8.0, 8.0, 401) if x is None
          else as_float_array(x, "base_sigmoid_curve", "x"))
    if xs.ndim != 1 or xs.size < 2:
        raise ValueError("base_sigmoid_curve needs x as a 1-D array of at least two points")
    y = base_sigmoid(xs, base, steepness, shift)  # checks base, steepness and shift
    rate = float(steepness) * math.log(base)
    return {
        "x": xs,
        "y": y,
        "slope": base_sigmoid_derivative(xs, base, steepness, shift),
        "natural": sigmoid(xs),
        "natural_slope": sigmoid_derivative(xs),
        "base": float(base),
        "steepness": float(steepness),
        "shift": float(shift),
        "rate": rate,
        "centre": float(shift),
        "centre_slope": rate / 4.0,
    }


def _slope_title(curve: dict) -> str:
    """'slope at the centre = ln(b) · k / 4 = …', and when that is (about) 1/4."""
    b, k, slope = curve["base"], curve["steepness"], curve["centre_slope"]
    text = f"slope at the centre = ln({b:.2f}) · {k:.2f} / 4 = {slope:.3f}"
    if abs(curve["rate"] - 1.0) <= RATE_TOLERANCE:
        natural = math.isclose(b, math.e, abs_tol=5e-3) and math.isclose(k, 1.0, abs_tol=1e-9)
        text += "  (= 1/4: the natural sigmoid)" if natural else "  (≈ 1/4: ln(b) · k ≈ 1)"
    return text


def draw_base_sigmoid(base: float = math.e, steepness: float = 1.0, shift: float = 0.0) -> Figure:
    """Two panels: the base-b sigmoid (left) and its slope (right), σ and σ' dotted behind."""
    curve = base_sigmoid_curve(base, steepness, shift)
    x = curve["x"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.2), sharex=True)
    left.plot(x, curve["natural"], **REFERENCE_STYLE, label="σ(x), base e")
    left.plot(x, curve["y"], color="C0", label=f"base {base:.2f}")
    left.axhline(0.5, color="0.8", linewidth=0.8)
    left.plot([curve["centre"]], [0.5], "o", color="C0")
    left.set(ylim=(-0.05, 1.05), xlabel="x", title="1 / (1 + b^(−k·(x − shift)))")
    left.legend(loc="upper left", fontsize=9)
    right.plot(x, curve["natural_slope"], **REFERENCE_STYLE, label="σ'(x) = σ(1 − σ)")
    right.axhline(0.25, color="0.8", linewidth=0.8)
    right.plot(x, curve["slope"], color="C1", label="slope of the base-b curve")
    right.plot([curve["centre"]], [curve["centre_slope"]], "o", color="C1")
    top = max(0.3, 1.1 * abs(curve["centre_slope"]))
    right.set(ylim=(-0.02 * top, top), xlabel="x", title="its slope (1/4 marked)")
    right.legend(loc="best", fontsize=9)
    fig.suptitle(_slope_title(curve), fontsize=11)
    fig.tight_layout()
    return fig


def base_sigmoid_widget() -> widgets.VBox:
    """Sliders for the base b, the steepness k and the shift, above the live two-panel plot."""
    controls = {
        "base": float_slider("base b", math.e, 1.1, 10.0, 0.01),
        "steepness": float_slider("steepness k", 1.0, 0.25, 3.0, STEEPNESS_STEP),
        "shift": float_slider("shift", 0.0, -4.0, 4.0, 0.1, readout_format=".1f"),
    }
    return figure_widget(draw_base_sigmoid, controls)


__all__ = ["base_sigmoid_curve", "base_sigmoid_widget", "draw_base_sigmoid"]
