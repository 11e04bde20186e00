"""Plot style and small plotting helpers shared by every chapter."""

from __future__ import annotations

from typing import Any

import matplotlib as mpl

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
    """Apply the course's matplotlib style (called by :func:`course_utils.setup`)."""
    mpl.rcParams.update(COURSE_STYLE)
