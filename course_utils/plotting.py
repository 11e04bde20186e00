"""Plot style and small plotting helpers shared by every chapter."""

from __future__ import annotations

import io
from typing import Any

import matplotlib as mpl
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
