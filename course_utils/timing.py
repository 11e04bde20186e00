"""Measuring how long code takes, the way the course reports it: the median of repeats.

Timings vary from run to run (the machine is doing other things too), so a single number
misleads. :func:`time_call` runs a function several times and keeps the median; printed
timings all share one format (``12.3 ms``) that the test suite knows how to ignore.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def format_seconds(seconds: float) -> str:
    """``0.0123`` → ``'12.3 ms'``; picks ns, µs, ms or s."""
    if seconds < 0:
        raise ValueError(f"a duration cannot be negative: {seconds}")
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


@dataclass
class Timing:
    """The runs of one measurement; ``median`` is the number to quote."""

    runs: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def __str__(self) -> str:
        return format_seconds(self.median)

    def __repr__(self) -> str:
        return f"Timing(median={self}, runs={len(self.runs)})"


def time_call(fn: Callable[..., Any], *args: Any, repeat: int = 5, warmup: int = 1,
              **kwargs: Any) -> Timing:
    """Call ``fn(*args, **kwargs)`` ``warmup`` times untimed, then ``repeat`` times timed."""
    if not callable(fn):
        raise TypeError(f"time_call needs a function to call, got {type(fn).__name__}")
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    for _ in range(max(warmup, 0)):
        fn(*args, **kwargs)
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args, **kwargs)
        runs.append(time.perf_counter() - start)
    return Timing(runs)
