"""Chapter 01's widget: a sigmoid with any base, its slope, and the natural sigmoid beside it.

The numbers come from :func:`course_utils.activations.base_sigmoid_curve`; this module only
draws them (:func:`draw_base_sigmoid`) and wires three sliders to the drawing
(:func:`base_sigmoid_widget`).
"""

from __future__ import annotations

import math

import ipywidgets as widgets
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from ..activations import base_sigmoid_curve
from .core import figure_widget, float_slider

REFERENCE_STYLE = {"color": "0.6", "linewidth": 1.2, "linestyle": ":"}
STEEPNESS_STEP = 0.01
# The steepness slider moves in steps of 0.01, so the best k it offers can miss 1/ln(b) by up to
# 0.005, and ln(b) · k can miss 1 by 0.005 · ln(10) ≈ 0.0115: within this the title says ≈ 1/4.
RATE_TOLERANCE = 0.012


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


__all__ = ["base_sigmoid_widget", "draw_base_sigmoid"]
