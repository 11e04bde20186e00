"""Shared test setup: a non-interactive plot backend and helpers for data-layer tests."""

from __future__ import annotations

import os

import matplotlib

matplotlib.use("Agg")
os.environ.setdefault("PYTHONHASHSEED", "0")
