"""Widgets: :mod:`.core` holds the pattern; each chapter's widgets, the compute functions behind
them and its one-off demos sit beside it in a module named like its notebook (``ch01_sigmoid``).

Notebooks import what they need, e.g. ``from course_utils.widgets.ch01_sigmoid import base_sigmoid_widget``.
"""

from .core import dropdown, figure_widget, float_slider, int_slider

__all__ = ["dropdown", "figure_widget", "float_slider", "int_slider"]
