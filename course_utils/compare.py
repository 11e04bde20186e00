"""Comparing what a notebook built with the reference in ``course_utils`` or torch.

Chapters end by checking their from-scratch code against the package. The differences are
usually at the level of float rounding (around 1e-16), and their exact size depends on the
CPU and the maths library, so the table printed here says whether each pair agrees within a
stated tolerance, not the rounding noise itself. A pair that disagrees shows its gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from .validate import as_float_array


def agreement(mine: Any, reference: Any, rtol: float = 1e-10, atol: float = 1e-12) -> str:
    """``"agree"`` when ``mine`` matches ``reference`` within the tolerance, else the gap.

    Uses the rule of ``np.allclose``: ``|mine - reference| <= atol + rtol * |reference|``.
    """
    if rtol < 0 or atol < 0:
        raise ValueError(f"tolerances must be >= 0, got rtol={rtol}, atol={atol}")
    a = as_float_array(mine, "agreement", "the first value")
    b = as_float_array(reference, "agreement", "the reference")
    try:
        np.broadcast_shapes(a.shape, b.shape)
    except ValueError:
        raise ValueError(f"cannot compare shapes {a.shape} and {b.shape}") from None
    if np.allclose(a, b, rtol=rtol, atol=atol):
        return "agree"
    return f"DIFFER (largest difference {np.abs(a - b).max():.1e})"


def print_agreement(pairs: Mapping[str, tuple[Any, Any]], rtol: float = 1e-10,
                    atol: float = 1e-12) -> bool:
    """Print one line per ``name: (mine, reference)`` pair; return True if all agree."""
    if not isinstance(pairs, Mapping) or not pairs:
        raise TypeError("print_agreement needs a non-empty dict {name: (mine, reference)}")
    print(f"a pair agrees when |mine − reference| ≤ {atol:g} + {rtol:g}·|reference| everywhere:")
    width = max(len(name) for name in pairs)
    verdicts = []
    for name, pair in pairs.items():
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise TypeError(f"{name!r}: expected a pair (mine, reference), got {type(pair).__name__}")
        verdicts.append(agreement(*pair, rtol=rtol, atol=atol))
        print(f"  {name:{width}s}  {verdicts[-1]}")
    return all(v == "agree" for v in verdicts)
