"""Widgets: :mod:`.core` holds the pattern; each chapter's widgets sit beside it.

Notebooks import what they need, e.g. ``from course_utils.widgets.activations import base_sigmoid_widget``.
"""

from .core import dropdown, figure_widget, float_slider, int_slider

__all__ = ["dropdown", "figure_widget", "float_slider", "int_slider"]
