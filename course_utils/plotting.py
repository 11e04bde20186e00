"""Plot style and small plotting helpers shared by every chapter."""

from __future__ import annotations

import io
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

COURSE_STYLE: dict[str, Any] = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 80,  # keeps committed notebooks small while staying readable
    "savefig.dpi": 80,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "legend.frameon": False,
    "lines.linewidth": 2.0,
    "image.cmap": "viridis",
}


def use_course_style() -> None:
    """Apply the course's matplotlib style (called by :func:`course_utils.setup`).

    Inside Jupyter it also makes figures display as compact PNGs (see :func:`figure_png`).
    """
    mpl.rcParams.update(COURSE_STYLE)
    _show_figures_as_compact_png()


def figure_png(fig: Figure, colors: int = 256) -> bytes:
    """The figure as PNG bytes with a palette of at most ``colors`` colours.

    Plots use few colours, so a palette PNG looks the same as the full-colour one at about
    a third of the size: the notebooks, which are saved with their pictures, stay small.
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"figure_png needs a matplotlib Figure, got {type(fig).__name__}")
    if not 2 <= colors <= 256:
        raise ValueError(f"colors must be between 2 and 256, got {colors}")
    from PIL import Image  # matplotlib depends on Pillow, so it is always there

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi, bbox_inches="tight")
    image = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    palette = image.quantize(colors=colors, method=Image.Quantize.MEDIANCUT,
                             dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _show_figures_as_compact_png() -> None:
    """Register :func:`figure_png` as the way IPython turns a Figure into a PNG."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python: nothing is displayed inline
        return
    shell = get_ipython()
    if shell is None:
        return
    # Jupyter's inline backend registers its own PNG formatter when it is first imported
    # (which matplotlib otherwise does lazily, at the first figure); importing it now
    # lets ours, registered after it, be the one used. Other backends are left alone.
    try:
        import matplotlib_inline.backend_inline  # noqa: F401
    except ImportError:
        pass
    formatter = shell.display_formatter.formatters["image/png"]
    formatter.for_type(Figure, figure_png)


# --- two classes in the plane (chapters 03 and 04) -----------------------------------------

CLASS_COLORS = ("#2166ac", "#b2182b")  # class 0 blue, class 1 red: the ends of the shading
CLASS_MARKERS = ("o", "^")
PROBABILITY_SHADING = "RdBu_r"  # P(class 1): blue near 0, white at 1/2, red near 1


def band_colors(n: int = 10, strength: float = 0.45) -> list[tuple[float, float, float]]:
    """``n`` pale colours for probability bands of width 1/n: the shading mixed with white.

    Flat bands of 10 % are easier to read than a smooth blend, and make a much smaller picture.
    """
    centres = mpl.colormaps[PROBABILITY_SHADING]((np.arange(n) + 0.5) / n)[:, :3]
    return [tuple(float(v) for v in strength * rgb + (1 - strength)) for rgb in centres]


def plot_points(ax: Axes, X: Any, y: Any, size: float = 22, alpha: float | None = 0.9,
                axis_labels: tuple[str, str] | None = ("x", "y")) -> None:
    """Scatter the two classes of 2-D points ``X`` with 0/1 labels ``y``: class 0 as blue dots,
    class 1 as red triangles, each labelled for a legend. ``axis_labels=None`` leaves the axes'
    labels as they are."""
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) != len(y):
        raise ValueError(f"plot_points needs 2-D points X of shape (n, 2) and n labels y; got "
                         f"X of shape {X.shape} and {len(y)} labels")
    for label in (0, 1):
        chosen = y == label
        ax.scatter(X[chosen, 0], X[chosen, 1], s=size, alpha=alpha, c=CLASS_COLORS[label],
                   marker=CLASS_MARKERS[label], edgecolors="k", linewidths=0.3,
                   label=f"class {label}")
    if axis_labels is not None:
        ax.set(xlabel=axis_labels[0], ylabel=axis_labels[1])
