"""Chapter 02's widget, a matrix-multiplication explorer, and its picture of a layer.

Pick the shapes of A and B and an entry [i, j] of C = A @ B. The picture lays A, B and C out so
that row i of A and column j of B meet at C[i, j], and beside them pairs the two up number by
number: products, then their sum. If A's columns do not match B's rows, the pairing runs out on
one side and the title states the rule that is broken.

:func:`example_matrices` and :func:`matmul_entry` compute what the explorer shows (no plotting;
the tests call them), :func:`draw_matmul` draws it and :func:`matmul_widget` wires the sliders.
:func:`draw_layer` draws ``W @ x`` as a layer of neurons.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from ..linalg import (
    TIMES,
    as_matrix,
    as_matrix_shape,
    as_vector,
    matmul_shape,
    matmul_shape_error,
    shape_text,
)
from ..validate import check_whole
from .core import figure_widget, int_slider

ROW_COLOR = "#f6c48f"      # row i of A
COLUMN_COLOR = "#9ecae1"   # column j of B
ENTRY_COLOR = "#a8d5a2"    # C[i, j]
PLAIN_COLOR = "#ffffff"
CLASH_COLOR = "#e7685c"
GOOD_COLOR = "#2e7d32"
GAP = 1.2  # space between the blocks, in cells


def _num(x: float | None, bracket: bool = False) -> str:
    """A number as the widget writes it: whole numbers without '.0', a real minus sign, and
    (with ``bracket``) a negative term of a sum in brackets."""
    if x is None:
        return "?"
    text = f"{x + 0.0:g}".replace("-", "−")  # + 0.0 turns −0.0 (from 0 · −1) into 0
    return f"({text})" if bracket and x < 0 else text


# --- what the explorer shows ------------------------------------------------------------------

#: Largest matrix side the explorer offers (a grid of 5×5 stays readable).
EXPLORER_MAX_SIZE = 5
_RNG_SEED = 2  # picks small, varied integers below (mixed signs, few zeros)


def example_matrices(shape_a: Sequence[int],
                     shape_b: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """Two small integer matrices of the given shapes, for the explorer widget.

    They are the top-left corners of two fixed 5×5 grids of numbers from −3 to 5, so the
    numbers stay put while a shape grows or shrinks. The shapes need not fit each other.
    """
    (n, m), (m2, p) = as_matrix_shape(shape_a, "shape_a"), as_matrix_shape(shape_b, "shape_b")
    big = EXPLORER_MAX_SIZE
    if max(n, m, m2, p) > big:
        raise ValueError(f"example_matrices offers matrices up to {big}{TIMES}{big}, "
                         f"got {shape_text((n, m))} and {shape_text((m2, p))}")
    rng = np.random.default_rng(_RNG_SEED)
    full_a = rng.integers(-3, 6, size=(big, big)).astype(np.float64)
    full_b = rng.integers(-3, 6, size=(big, big)).astype(np.float64)
    return full_a[:n, :m].copy(), full_b[:m2, :p].copy()


@dataclass(frozen=True)
class MatmulEntry:
    """One entry of ``C = A @ B`` taken apart, or the rule that makes ``A @ B`` impossible.

    ``row`` is row i of A and ``column`` is column j of B. When the shapes fit (``ok``),
    ``products`` holds ``row[k] * column[k]`` for every k, ``value`` their sum (= ``C[i, j]``),
    ``result`` the whole product C and ``result_shape`` its shape; otherwise these are ``None``
    and ``rule`` says which rule is broken.
    """

    A: np.ndarray
    B: np.ndarray
    i: int
    j: int
    row: np.ndarray
    column: np.ndarray
    ok: bool
    rule: str | None
    products: np.ndarray | None
    value: float | None
    result: np.ndarray | None
    result_shape: tuple[int, int] | None

    def formula(self) -> str:
        """``'C[1, 0] = 2·1 + (−1)·3 + 0·4 = −1'``, or the broken rule."""
        if not self.ok:
            return str(self.rule)
        terms = " + ".join(f"{_num(a, bracket=True)}·{_num(b, bracket=True)}"
                           for a, b in zip(self.row, self.column, strict=True))
        return f"C[{self.i}, {self.j}] = {terms} = {_num(self.value)}"


def _index(value: Any, size: int, name: str, what: str) -> int:
    value = check_whole(value, "matmul_entry", name)
    if not 0 <= value < size:
        raise ValueError(f"matmul_entry: {name} = {value} is outside the {what}: it must be "
                         f"from 0 to {size - 1} (counting from 0)")
    return value


def matmul_entry(A: Any, B: Any, i: int, j: int) -> MatmulEntry:
    """Take entry ``[i, j]`` of ``A @ B`` apart: row i of A, column j of B, products and sum.

    ``i`` must be a row of A and ``j`` a column of B. If A's columns do not match B's rows there
    is no product: the result has ``ok=False`` and ``rule`` explains why, but ``row`` and
    ``column`` are still filled in, so a picture can show that their lengths differ.
    """
    A = as_matrix(A, "matmul_entry", "A")
    B = as_matrix(B, "matmul_entry", "B")
    i = _index(i, A.shape[0], "i", f"{A.shape[0]} rows of A")
    j = _index(j, B.shape[1], "j", f"{B.shape[1]} columns of B")
    row, column = A[i].copy(), B[:, j].copy()
    rule = matmul_shape_error(A.shape, B.shape)
    if rule is not None:
        return MatmulEntry(A, B, i, j, row, column, False, rule, None, None, None, None)
    products = row * column
    value = float(math.fsum(products.tolist()))
    result = A @ B
    return MatmulEntry(A, B, i, j, row, column, True, None, products, value, result,
                       (A.shape[0], B.shape[1]))


# --- drawing ------------------------------------------------------------------------------------


def _cell(ax: Axes, x: float, y: float, text: str, color: str, *, bold: bool = False,
          dashed: bool = False, text_color: str = "black") -> None:
    ax.add_patch(Rectangle((x + 0.04, y + 0.04), 0.92, 0.92, facecolor=color,
                           edgecolor="#555555", linewidth=1.0, linestyle="--" if dashed else "-"))
    ax.text(x + 0.5, y + 0.5, text, ha="center", va="center", fontsize=9.5, color=text_color,
            fontweight="bold" if bold else "normal")


def _draw_blocks(ax: Axes, entry: MatmulEntry) -> None:
    """A bottom left, B top right, C bottom right: row i of A and column j of B meet at C[i, j]."""
    A, B, i, j = entry.A, entry.B, entry.i, entry.j
    (n, m), (m2, p) = A.shape, B.shape
    left, top = EXPLORER_MAX_SIZE, EXPLORER_MAX_SIZE  # fixed room, so the picture does not jump
    ax_x, c_x, b_y, a_y = left - m, left + GAP, top - m2, top + GAP
    for r in range(n):
        for k in range(m):
            _cell(ax, ax_x + k, a_y + r, _num(A[r, k]), ROW_COLOR if r == i else PLAIN_COLOR)
    for k in range(m2):
        for c in range(p):
            _cell(ax, c_x + c, b_y + k, _num(B[k, c]), COLUMN_COLOR if c == j else PLAIN_COLOR)
    rule_color = GOOD_COLOR if m == m2 else CLASH_COLOR
    ax.text(ax_x + m / 2, a_y - 0.3, f"A is {shape_text(A.shape)}", ha="center", fontsize=10)
    ax.text(ax_x + m / 2, a_y + n + 0.35, f"{m} column{'s' * (m != 1)}", ha="center", va="top",
            fontsize=10, color=rule_color, fontweight="bold")
    ax.text(c_x + p / 2, b_y - 0.3, f"B is {shape_text(B.shape)}", ha="center", fontsize=10)
    ax.text(c_x - 0.25, b_y + m2 / 2, f"{m2} row{'s' * (m2 != 1)}", ha="right", va="center",
            fontsize=10, color=rule_color, fontweight="bold")
    ax.text(ax_x - 0.2, a_y + i + 0.5, f"row {i} →", ha="right", va="center", fontsize=9)
    ax.text(c_x + j + 0.5, b_y - 1.0, f"column {j}\n↓", ha="center", va="bottom", fontsize=9)
    if entry.ok:
        for r in range(n):
            for c in range(p):
                here = (r, c) == (i, j)
                _cell(ax, c_x + c, a_y + r, _num(entry.result[r, c]),
                      ENTRY_COLOR if here else "#f2f2f2", bold=here,
                      text_color="black" if here else "#9a9a9a")
        ax.text(c_x + p / 2, a_y + n + 0.35, f"C = A @ B is {shape_text(entry.result_shape)}",
                ha="center", va="top", fontsize=10)
    else:
        ax.add_patch(Rectangle((c_x, a_y), 3, 2, facecolor="none", edgecolor=CLASH_COLOR,
                               linestyle="--", linewidth=1.5))
        ax.text(c_x + 1.5, a_y + 1, f"no C:\n{m} ≠ {m2}", ha="center", va="center",
                fontsize=11, color=CLASH_COLOR, fontweight="bold")
    ax.set_xlim(-1.6, left + GAP + EXPLORER_MAX_SIZE + 0.2)
    ax.set_ylim(top + GAP + EXPLORER_MAX_SIZE + 1.0, -1.6)  # rows grow downwards
    ax.set_aspect("equal")
    ax.axis("off")


def _draw_pairing(ax: Axes, entry: MatmulEntry) -> None:
    """Row i of A and column j of B side by side, one pair per line, then the products' sum."""
    row, column = entry.row, entry.column
    depth = max(len(row), len(column))
    headers = (f"A[{entry.i}, k]", f"B[k, {entry.j}]", "product" if entry.ok else "")
    for x, header in zip((1, 2.6, 4.2), headers, strict=True):
        ax.text(x + 0.5, -0.35, header, ha="center", fontsize=9)
    for k in range(depth):
        ax.text(0.6, k + 0.5, f"k={k}", ha="right", va="center", fontsize=9, color="#555555")
        has_a, has_b = k < len(row), k < len(column)
        if has_a:
            _cell(ax, 1, k, _num(row[k]), ROW_COLOR)
        else:
            _cell(ax, 1, k, "?", PLAIN_COLOR, dashed=True, text_color=CLASH_COLOR, bold=True)
        ax.text(2.3, k + 0.5, "×", ha="center", va="center", fontsize=10)
        if has_b:
            _cell(ax, 2.6, k, _num(column[k]), COLUMN_COLOR)
        else:
            _cell(ax, 2.6, k, "?", PLAIN_COLOR, dashed=True, text_color=CLASH_COLOR, bold=True)
        if entry.ok:
            ax.text(3.9, k + 0.5, "=", ha="center", va="center", fontsize=10)
            _cell(ax, 4.2, k, _num(entry.products[k]), "#f2f2f2")
        elif not (has_a and has_b):
            ax.text(3.8, k + 0.5, "no partner", ha="left", va="center", fontsize=9,
                    color=CLASH_COLOR)
    if entry.ok:
        ax.plot([4.2, 5.2], [depth + 0.15, depth + 0.15], color="black", linewidth=1)
        ax.text(3.9, depth + 0.8, "sum", ha="right", va="center", fontsize=9)
        _cell(ax, 4.2, depth + 0.3, _num(entry.value), ENTRY_COLOR, bold=True)
        title = f"C[{entry.i}, {entry.j}] = row {entry.i} of A · column {entry.j} of B"
    else:
        title = (f"row {entry.i} of A: {len(row)} numbers\n"
                 f"column {entry.j} of B: {len(column)} numbers")
    ax.set_title(title, fontsize=10)
    ax.set_xlim(-0.6, 5.6)
    ax.set_ylim(EXPLORER_MAX_SIZE + 1.6, -0.9)
    ax.set_aspect("equal")
    ax.axis("off")


def _headline(entry: MatmulEntry) -> str:
    if entry.ok:
        return entry.formula()
    first_sentence = str(entry.rule).split(". ")[0] + "."
    return "\n".join(textwrap.wrap(first_sentence + " The rule: A's columns must equal B's rows.",
                                   95))


def draw_matmul(a_rows: int = 3, a_cols: int = 4, b_rows: int = 4, b_cols: int = 2,
                i: int = 1, j: int = 0) -> Figure:
    """A, B and C = A @ B with row i, column j and entry [i, j] highlighted, and the pairing.

    The title is the sum that makes C[i, j], or, when A's columns differ from B's rows, the rule
    that is broken (instead of NumPy's error).
    """
    A, B = example_matrices((a_rows, a_cols), (b_rows, b_cols))
    entry = matmul_entry(A, B, i, j)
    fig, (blocks, pairing) = plt.subplots(1, 2, figsize=(9.0, 5.0),
                                          gridspec_kw={"width_ratios": [1.75, 1.0]})
    _draw_blocks(blocks, entry)
    _draw_pairing(pairing, entry)
    fig.suptitle(_headline(entry), fontsize=10.5,
                 color="black" if entry.ok else CLASH_COLOR)
    fig.tight_layout()
    return fig


def draw_layer(W: Any, x: Any) -> Figure:
    """A layer as a picture: inputs x on the left, outputs ``W @ x`` on the right.

    Each output neuron i is joined to every input k by a line for the weight ``W[i, k]``: blue
    for positive, red for negative, thicker for larger. Output i is the weighted sum of the
    inputs with the weights of row i, i.e. row i of W · x.
    """
    W = as_matrix(W, "draw_layer", "W")
    x = as_vector(x, "draw_layer", "x")
    matmul_shape(W.shape, (x.size, 1))
    y = W @ x
    n_out, n_in = W.shape
    fig, ax = plt.subplots(figsize=(5.6, 0.55 * max(n_in, n_out) + 1.0))
    in_y = np.linspace(0, 1, n_in) if n_in > 1 else np.array([0.5])
    out_y = (np.linspace(0.1, 0.9, n_out) if n_out > 1 else np.array([0.5]))
    biggest = float(np.abs(W).max()) or 1.0
    for i in range(n_out):
        for k in range(n_in):
            ax.plot([0, 1], [in_y[k], out_y[i]], color="C0" if W[i, k] >= 0 else "C3",
                    linewidth=0.5 + 3.0 * abs(W[i, k]) / biggest, alpha=0.75, zorder=1)
    for k in range(n_in):
        ax.scatter([0], [in_y[k]], s=900, color="#f2f2f2", edgecolor="#555555", zorder=2)
        ax.text(0, in_y[k], _num(round(x[k], 3)), ha="center", va="center", fontsize=9, zorder=3)
        ax.text(-0.12, in_y[k], f"x[{k}]", ha="right", va="center", fontsize=9)
    for i in range(n_out):
        ax.scatter([1], [out_y[i]], s=900, color=ENTRY_COLOR, edgecolor="#555555", zorder=2)
        ax.text(1, out_y[i], _num(round(y[i], 3)), ha="center", va="center", fontsize=9,
                zorder=3)
        ax.text(1.12, out_y[i], f"neuron {i}: row {i} of W · x", ha="left", va="center",
                fontsize=9)
    ax.set_xlim(-0.45, 2.0)
    ax.set_ylim(1.12, -0.12)
    ax.set_title(f"W @ x: {n_in} inputs, {n_out} weighted sums (blue +, red −)", fontsize=10.5)
    ax.axis("off")
    fig.tight_layout()
    return fig


def _keep_index_in_range(size: widgets.IntSlider, index: widgets.IntSlider) -> None:
    """Let ``index`` run over 0 … size − 1 only; it moves down if the size shrinks below it."""

    def update(_change: Any = None) -> None:
        index.max = size.value - 1  # ipywidgets lowers index.value with it if needed

    size.observe(update, names="value")
    update()


def matmul_widget(shape_a: tuple[int, int] = (3, 4), shape_b: tuple[int, int] = (4, 2),
                  i: int = 1, j: int = 0) -> widgets.VBox:
    """Sliders for the shapes of A and B and for the entry [i, j]; the picture takes C[i, j] apart."""
    (n, m), (m2, p) = shape_a, shape_b
    top = EXPLORER_MAX_SIZE
    controls = {
        "a_rows": int_slider("rows of A", n, 1, top),
        "a_cols": int_slider("columns of A", m, 1, top),
        "b_rows": int_slider("rows of B", m2, 1, top),
        "b_cols": int_slider("columns of B", p, 1, top),
        "i": int_slider("entry row i", i, 0, top - 1),
        "j": int_slider("entry column j", j, 0, top - 1),
    }
    # Linked before figure_widget wires the redraw, so a shrinking size moves the index first.
    _keep_index_in_range(controls["a_rows"], controls["i"])
    _keep_index_in_range(controls["b_cols"], controls["j"])
    return figure_widget(draw_matmul, controls, columns=2)


__all__ = [
    "EXPLORER_MAX_SIZE",
    "MatmulEntry",
    "draw_layer",
    "draw_matmul",
    "example_matrices",
    "matmul_entry",
    "matmul_widget",
]
