"""Tensors, the objects every chapter computes with: shape, dtype and broadcasting.

Chapter 00 introduces NumPy arrays and torch tensors. This module keeps the small helpers that
make them easy to look at and reason about:

* :func:`describe_tensor` — one line saying what a tensor is: kind, shape, dtype, device;
* :func:`explain_broadcast` — whether two shapes broadcast, dimension by dimension from the
  right, with the result shape or, in words, which dimensions clash;
* :func:`normalize_rows` — the reference for chapter 00's broadcasting exercise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

Shape = tuple[int, ...]


def as_shape(shape: Any, name: str = "shape") -> Shape:
    """Turn ``(5, 1, 3)``, ``[4, 3]``, ``torch.Size([2])`` or a single whole number into a tuple.

    Raises a ``TypeError`` / ``ValueError`` that says what a shape should look like, including
    the common slip of passing an array where its ``.shape`` was meant.
    """
    if isinstance(shape, (bool, np.bool_)):
        raise TypeError(f"{name} should be a shape such as (3, 4), not {shape!r}")
    if isinstance(shape, (int, np.integer)):
        shape = (int(shape),)
    if hasattr(shape, "shape") and hasattr(shape, "dtype"):
        raise TypeError(f"{name} should be a shape such as (3, 4), not an array or tensor; "
                        f"pass its .shape instead (here {tuple(shape.shape)})")
    if isinstance(shape, (str, bytes)) or not isinstance(shape, Sequence):
        raise TypeError(f"{name} should be a tuple of whole numbers such as (3, 4), "
                        f"not {type(shape).__name__} {shape!r}")
    sizes = []
    for size in shape:
        if isinstance(size, (bool, np.bool_)) or not isinstance(size, (int, np.integer)):
            raise TypeError(f"{name} {tuple(shape)!r} should hold whole numbers only, "
                            f"but {size!r} is a {type(size).__name__}")
        if size < 0:
            raise ValueError(f"{name} {tuple(shape)!r} has a negative size {size}; sizes are 0 or more")
        sizes.append(int(size))
    return tuple(sizes)


@dataclass(frozen=True)
class DimensionStep:
    """One dimension of a broadcast, counted from the right (``position`` 1 is the last one).

    ``size_a`` / ``size_b`` are ``None`` where that shape has run out of dimensions (it then
    counts as 1); ``result`` is ``None`` where the sizes clash.
    """

    position: int
    size_a: int | None
    size_b: int | None
    result: int | None
    rule: str

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def index(self) -> int:
        """The dimension as a negative index: -1 for the last one, -2 before it, ..."""
        return -self.position


@dataclass(frozen=True)
class BroadcastExplanation:
    """Whether two shapes broadcast, why, and to what. ``str()`` gives a printable table."""

    shape_a: Shape
    shape_b: Shape
    steps: tuple[DimensionStep, ...]  # steps[0] is the last dimension
    result: Shape | None  # None when the shapes do not broadcast

    @property
    def ok(self) -> bool:
        return self.result is not None

    @property
    def clashes(self) -> tuple[DimensionStep, ...]:
        return tuple(step for step in self.steps if not step.ok)

    @property
    def reason(self) -> str:
        """One sentence: the result shape, or which dimensions clash."""
        if self.ok:
            return f"{self.shape_a} and {self.shape_b} broadcast to {self.result}."
        parts = [f"dim {s.index} (a has {s.size_a}, b has {s.size_b})" for s in self.clashes]
        listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
        verb = "clashes" if len(parts) == 1 else "clash"
        return (f"{self.shape_a} and {self.shape_b} do not broadcast: {listed} {verb}. "
                "Sizes must be equal, or one of them must be 1.")

    def __str__(self) -> str:
        def size(s: int | None) -> str:
            return "-" if s is None else str(s)

        width = max([len(size(s.size_a)) for s in self.steps]
                    + [len(size(s.size_b)) for s in self.steps] + [1])
        index_width = len(str(-len(self.steps)))
        lines = [f"a: {self.shape_a}   b: {self.shape_b}   (lined up from the right)"]
        for step in self.steps:
            outcome = f"→ {step.result}" if step.ok else "→ clash"
            lines.append(f"  dim {step.index:>{index_width}}:  a {size(step.size_a):>{width}}  "
                         f"b {size(step.size_b):>{width}}  {outcome:<9} {step.rule}")
        lines.append(f"result shape: {self.result}" if self.ok else
                     f"cannot broadcast: {self.reason.split(': ', 1)[1]}")
        return "\n".join(lines)


def _rule(size_a: int | None, size_b: int | None) -> tuple[int | None, str]:
    a = 1 if size_a is None else size_a
    b = 1 if size_b is None else size_b
    if size_a is None:
        return b, f"a has no dim here: counts as 1, stretched to {b}"
    if size_b is None:
        return a, f"b has no dim here: counts as 1, stretched to {a}"
    if a == b:
        return a, "equal sizes"
    if a == 1:
        return b, f"a has size 1: stretched to {b}"
    if b == 1:
        return a, f"b has size 1: stretched to {a}"
    return None, f"{a} ≠ {b} and neither is 1"


def explain_broadcast(shape_a: Any, shape_b: Any) -> BroadcastExplanation:
    """Explain, dimension by dimension from the right, whether two shapes broadcast.

    Broadcasting lines the shapes up from the right. In each position the sizes must be
    equal, or one of them 1 (it is repeated to match), or missing (it counts as 1). The
    result agrees with ``numpy.broadcast_shapes``; where that raises, the explanation says
    which dimensions clash::

        >>> print(explain_broadcast((5, 1, 3), (4, 3)).result)
        (5, 4, 3)
    """
    a = as_shape(shape_a, "shape_a")
    b = as_shape(shape_b, "shape_b")
    steps = []
    for position in range(1, max(len(a), len(b)) + 1):
        size_a = a[-position] if position <= len(a) else None
        size_b = b[-position] if position <= len(b) else None
        result, rule = _rule(size_a, size_b)
        steps.append(DimensionStep(position, size_a, size_b, result, rule))
    ok = all(step.ok for step in steps)
    result = tuple(step.result for step in reversed(steps)) if ok else None
    return BroadcastExplanation(a, b, tuple(steps), result)  # type: ignore[arg-type]


def describe_tensor(x: Any) -> str:
    """One line about a NumPy array or torch tensor: what it is, its shape, dtype and device.

    >>> describe_tensor(np.zeros((2, 3)))
    'numpy array  shape (2, 3)  dtype float64'
    """
    if isinstance(x, np.ndarray):
        return f"numpy array  shape {x.shape}  dtype {x.dtype}"
    if type(x).__module__.startswith("torch") and hasattr(x, "dtype") and hasattr(x, "device"):
        dtype = str(x.dtype).replace("torch.", "")
        return f"torch tensor  shape {tuple(x.shape)}  dtype {dtype}  device {x.device}"
    if isinstance(x, (list, tuple)):
        raise TypeError(f"a Python {type(x).__name__} has no shape or dtype; "
                        "turn it into an array first: np.array(...) or torch.tensor(...)")
    raise TypeError(f"describe_tensor needs a numpy array or a torch tensor, not {type(x).__name__}")


def normalize_rows(x: Any) -> Any:
    """Divide each row of a 2-D array or tensor by its own sum, so every row sums to 1.

    ``x.sum(axis=1)`` has shape ``(n,)``, which would line up with the *columns*; keeping the
    summed dimension gives shape ``(n, 1)``, which broadcasts along each row.
    """
    if not hasattr(x, "ndim") or not hasattr(x, "sum"):
        raise TypeError(f"normalize_rows needs a 2-D numpy array or torch tensor, not {type(x).__name__}")
    if x.ndim != 2:
        raise ValueError(f"normalize_rows needs a 2-D input (rows × columns), got shape {tuple(x.shape)}")
    if isinstance(x, np.ndarray):
        sums = x.sum(axis=1, keepdims=True)
    else:
        sums = x.sum(dim=1, keepdim=True)
    if (sums == 0).any():
        raise ValueError("a row sums to 0, so it cannot be scaled to sum to 1")
    return x / sums
