"""Chapter 05's widgets: the learning rate on a bowl, and a race of five optimisers down a ravine.

The numbers come from :func:`course_utils.landscapes.learning_rate_run` and
:func:`course_utils.landscapes.optimizer_race`; this module only draws them
(:func:`draw_learning_rate`, :func:`draw_optimizer_race`) and wires the controls
(:func:`learning_rate_widget`, :func:`optimizer_race_widget`).
"""

from __future__ import annotations

from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..landscapes import LR_SURFACES, Landscape, Path, learning_rate_run, optimizer_race, ravine
from .core import dropdown, figure_widget, float_slider, int_slider

LOSS_FLOOR = 1e-16  # a loss of exactly 0 cannot go on a log scale: drawn here instead
RACE_COLORS = {"SGD": "C0", "momentum": "C1", "RMSProp": "C2", "Adam": "C3", "AdaGrad": "C4"}


def _loss_panel(ax: Axes, path: Path, color: str, label: str) -> None:
    steps = np.arange(len(path.losses))
    ax.semilogy(steps, np.maximum(path.losses, LOSS_FLOOR), color=color, label=label)
    if path.diverged:
        ax.plot(steps[-1], max(path.losses[-1], LOSS_FLOOR), "x", color=color, markersize=10,
                markeredgewidth=2.5)


def draw_contours(ax: Axes, landscape: Landscape, levels: Any = 12, log: bool = False) -> None:
    """Thin contour lines of a 2-D landscape over its window, with its minima as stars.

    With ``log`` the levels are spaced evenly in log(loss − lowest loss), so a valley with a
    nearly flat floor still shows lines near its bottom.
    """
    X, Y, Z = landscape.grid(100)
    if log:
        shifted = Z - Z.min() + 1e-2
        lv = np.geomspace(shifted.min(), shifted.max(), levels)
        ax.contour(X, Y, shifted, levels=lv, colors="0.6", linewidths=0.8)
    else:
        ax.contour(X, Y, Z, levels=levels, colors="0.6", linewidths=0.8)
    for m in landscape.minima:
        ax.plot(*m, "*", color="k", markersize=12)
    (x0, x1), (y0, y1) = landscape.window
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="x", ylabel="y")
    ax.set_aspect("equal")
    ax.grid(False)


# --- widget 1: the learning rate -------------------------------------------------------------


def draw_learning_rate(surface: str = "1-D bowl", lr: float = 0.3, steps: int = 30) -> Figure:
    """Gradient descent on a bowl: the walk (left) and the loss per step (right)."""
    run = learning_rate_run(surface, lr, steps)
    landscape, path = run["landscape"], run["path"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.1),
                                      gridspec_kw={"width_ratios": [1.5, 1]})
    colors = plt.cm.plasma(np.linspace(0, 0.85, len(path.points)))
    if landscape.dim == 1:
        w, loss = landscape.grid(200)
        left.plot(w, loss, color="0.5")
        pw = path.points[:, 0]
        left.plot(pw, path.losses, "-", color="C0", linewidth=1, alpha=0.6)
        left.scatter(pw, path.losses, c=colors, s=28, zorder=3)
        left.set(xlim=landscape.window[0], ylim=(-0.3, 1.15 * loss.max()), xlabel="w",
                 ylabel="loss", title=landscape.description)
    else:
        draw_contours(left, landscape, levels=np.geomspace(0.01, 80, 14))
        left.plot(path.points[:, 0], path.points[:, 1], "-", color="C0", linewidth=1, alpha=0.6)
        left.scatter(path.points[:, 0], path.points[:, 1], c=colors, s=22, zorder=3)
        left.set_title(landscape.description)
    start = path.points[0] if landscape.dim == 2 else (path.points[0, 0], path.losses[0])
    left.plot(start[0], start[1], "o", color="k", markersize=9, fillstyle="none")
    _loss_panel(right, path, "C0", "loss")
    low, high = run["limits"]
    right.axhline(path.losses[0], color="0.7", linestyle="--", linewidth=1)
    right.set(xlabel="step", ylabel="loss (log scale)", xlim=(0, steps),
              title=f"zig-zags above lr = {low:g}, diverges above {high:g}")
    fig.suptitle(f"lr = {lr:.2f}: {run['verdict']}", fontsize=11)
    fig.tight_layout()
    return fig


def learning_rate_widget() -> widgets.VBox:
    """A surface menu and sliders for the learning rate and the number of steps."""
    controls = {
        "surface": dropdown("surface", list(LR_SURFACES)),
        "lr": float_slider("learning rate", 0.3, 0.02, 2.4, 0.02),
        "steps": int_slider("steps", 30, 5, 100),
    }
    return figure_widget(draw_learning_rate, controls)


# --- widget 2: the optimiser race --------------------------------------------------------------

RACE_DEFAULTS = {"SGD": 0.01, "momentum": 0.005, "AdaGrad": 0.3, "RMSProp": 0.02, "Adam": 0.1}


def _race_label(name: str, path: Path) -> str:
    if path.diverged:
        return f"{name}, lr {path.lr:g}: diverged at step {path.stopped_at}"
    return f"{name}, lr {path.lr:g}: loss {path.final_loss:.1e}"


def draw_optimizer_race(sgd_lr: float = RACE_DEFAULTS["SGD"],
                        momentum_lr: float = RACE_DEFAULTS["momentum"],
                        adagrad_lr: float = RACE_DEFAULTS["AdaGrad"],
                        rmsprop_lr: float = RACE_DEFAULTS["RMSProp"],
                        adam_lr: float = RACE_DEFAULTS["Adam"], steps: int = 300) -> Figure:
    """SGD, momentum, AdaGrad, RMSProp and Adam down the ravine: paths (left), losses (right)."""
    lrs = {"SGD": sgd_lr, "momentum": momentum_lr, "AdaGrad": adagrad_lr, "RMSProp": rmsprop_lr,
           "Adam": adam_lr}
    landscape = ravine()
    paths = optimizer_race(lrs, steps, landscape)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.4, 3.4),
                                      gridspec_kw={"width_ratios": [1, 1.15]})
    draw_contours(left, landscape, levels=10, log=True)
    left.plot(*landscape.start, "o", color="k", markersize=9, fillstyle="none")
    for name, path in paths.items():
        color = RACE_COLORS[name]
        left.plot(path.points[:, 0], path.points[:, 1], "-", color=color, linewidth=1.2)
        if path.diverged:
            left.plot(*path.points[-1], "x", color=color, markersize=10, markeredgewidth=2.5)
        else:
            left.plot(*path.points[-1], "o", color=color, markersize=7)  # where it got to
        _loss_panel(right, path, color, _race_label(name, path))
    left.set_title(landscape.description, fontsize=10)
    right.set(xlabel="step", ylabel="loss (log scale)", xlim=(0, steps),
              title=f"{steps} steps from the same start")
    right.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig


def optimizer_race_widget() -> widgets.VBox:
    """One learning-rate slider per optimiser, and the number of steps."""
    controls = {
        "sgd_lr": float_slider("SGD lr", RACE_DEFAULTS["SGD"], 0.001, 0.025, 0.001, ".3f"),
        "momentum_lr": float_slider("momentum lr", RACE_DEFAULTS["momentum"], 0.0005, 0.03,
                                    0.0005, ".4f"),
        "adagrad_lr": float_slider("AdaGrad lr", RACE_DEFAULTS["AdaGrad"], 0.05, 2.0, 0.05),
        "rmsprop_lr": float_slider("RMSProp lr", RACE_DEFAULTS["RMSProp"], 0.005, 0.2, 0.005,
                                   ".3f"),
        "adam_lr": float_slider("Adam lr", RACE_DEFAULTS["Adam"], 0.01, 0.5, 0.01),
        "steps": int_slider("steps", 300, 20, 500, 10),
    }
    return figure_widget(draw_optimizer_race, controls)


__all__ = ["draw_contours", "draw_learning_rate", "draw_optimizer_race", "learning_rate_widget",
           "optimizer_race_widget"]
