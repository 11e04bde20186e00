"""A scalar autograd engine: every number remembers how it was made (chapter 06 builds this).

A :class:`Value` wraps one float. Arithmetic on Values builds a *computational graph*: each
result keeps the Values it came from (``_prev``), the operation that made it (``_op``) and a
small function ``_backward(out_grad)`` that applies the chain rule for that one operation: given
the gradient that has reached the result, it adds each input's share to the input's ``.grad``.
Calling ``loss.backward()`` visits the graph from the output back to the inputs, in reverse
topological order, and leaves ``∂loss/∂v`` in ``v.grad`` for every Value ``v`` the loss
depends on.

This is the engine the chapter-06 notebook builds, operation for operation: ``+``, ``*``,
``-``, ``**`` (a number as the exponent), ``exp``, ``log``, ``tanh``, ``sigmoid`` and ``relu``
each have a backward rule, written right next to the forward computation, and negation and
division are built from them (``-a = a · (-1)``, ``a / b = a · b^(-1)``), as are the versions
with a number on the left (``1 - v``, ``2 * v``). Every rule *adds* to ``.grad`` (``+=``): a
Value used in two places receives a contribution along each path, and the chain rule sums them.

What it adds to the notebook's version is what a tool used every day needs: a clear error for
anything that is not one real number (an array, a string) and for impossible operations (the
log of 0, a slope that is infinite); chapter 01's overflow-proof sigmoid; ``number ** Value``;
an iterative topological sort, so a graph 10,000 operations deep needs no recursion; and
``__slots__``, which makes each Value smaller and faster to create.

(``_backward`` receives the gradient as an argument instead of reading it from the result, as
micrograd does, so that a result and its rule do not refer to each other: a graph is then freed
the moment it is no longer used, and training with the engine is several times faster.)

The method names match PyTorch's (``exp``, ``log``, ``tanh``, ``sigmoid``, ``relu``), so one
Python function can be run with Values or with torch tensors and the answers compared.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

Number = int | float


class Value:
    """One number in a computational graph, with the gradient of the output with respect to it.

    ``data`` is the number, ``grad`` is ∂(output)/∂(this number), filled in by
    :meth:`backward` (0 until then). ``label`` is an optional name shown in graph drawings.
    """

    __slots__ = ("data", "grad", "label", "_backward", "_prev", "_op")
    __array_ufunc__ = None  # stops NumPy from looping over an array; we raise a clear error instead

    def __init__(self, data: Number, _children: tuple[Value, ...] = (), _op: str = "",
                 label: str = "") -> None:
        self.data = _as_number(data, "Value(data)")
        if type(_children) is not tuple or not all(isinstance(c, Value) for c in _children):
            _children = _as_children(_children)
        self.grad = 0.0
        self.label = label
        self._backward: Callable[[float], None] = _no_backward  # hands self.grad to the inputs
        self._prev = _children  # the Values this one was computed from
        self._op = _op  # the operation that made it ('' for an input)

    @staticmethod
    def _lift(other: Any, op: str) -> Value:
        """A Value for ``other``: Values pass through, numbers are wrapped."""
        if isinstance(other, Value):
            return other
        return Value(_as_number(other, f"the other side of {op}", or_value=True))

    def __repr__(self) -> str:
        name = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{name})"

    # --- the operations: forward value, then the local chain rule ---------------------------

    def __add__(self, other: Value | Number) -> Value:
        other = self._lift(other, "+")
        out = Value(self.data + other.data, (self, other), "+")

        def _backward(out_grad: float) -> None:  # d(a+b)/da = 1, d(a+b)/db = 1
            self.grad += out_grad
            other.grad += out_grad

        out._backward = _backward
        return out

    def __mul__(self, other: Value | Number) -> Value:
        other = self._lift(other, "*")
        out = Value(self.data * other.data, (self, other), "*")

        def _backward(out_grad: float) -> None:  # d(a·b)/da = b, d(a·b)/db = a
            self.grad += other.data * out_grad
            other.grad += self.data * out_grad

        out._backward = _backward
        return out

    def __sub__(self, other: Value | Number) -> Value:
        other = self._lift(other, "-")
        out = Value(self.data - other.data, (self, other), "-")

        def _backward(out_grad: float) -> None:  # d(a−b)/da = 1, d(a−b)/db = −1
            self.grad += out_grad
            other.grad += -out_grad

        out._backward = _backward
        return out

    def __pow__(self, exponent: Number) -> Value:
        if isinstance(exponent, Value):
            raise TypeError("Value ** Value is not supported: the exponent must be a number such "
                            "as 2 or -1. For a variable exponent write (b * a.log()).exp().")
        k = _as_number(exponent, "the exponent of **")
        if self.data < 0 and not k.is_integer():
            raise ValueError(f"cannot raise the negative number {self.data:g} to the power {k:g}: "
                             "the result is not a real number")
        if self.data == 0 and k < 0:
            raise ZeroDivisionError(f"cannot raise 0 to the negative power {k:g} (that divides "
                                    "by zero)")
        out = Value(self.data ** k, (self,), f"**{k:g}")

        def _backward(out_grad: float) -> None:  # d(a^k)/da = k·a^(k-1)
            self.grad += _power_slope(self.data, k) * out_grad

        out._backward = _backward
        return out

    def __rpow__(self, base: Number) -> Value:  # 2 ** v = e^(v·ln 2)
        b = _as_number(base, "the base of **")
        if b <= 0:
            raise ValueError(f"number ** Value needs a positive base, got {b:g}")
        return (self * math.log(b)).exp()

    def exp(self) -> Value:
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise OverflowError(f"exp({self.data:g}) is too large for a float (e^x overflows "
                                "for x above about 709.78)") from None
        out = Value(e, (self,), "exp")

        def _backward(out_grad: float) -> None:  # d(e^a)/da = e^a
            self.grad += e * out_grad

        out._backward = _backward
        return out

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log needs a positive number, got {self.data:g}: the logarithm of 0 "
                             "is −∞ and a negative number has none. If this is a loss, the "
                             "probability inside log reached 0 (or 1 in log(1 − p)).")
        out = Value(math.log(self.data), (self,), "log")

        def _backward(out_grad: float) -> None:  # d(ln a)/da = 1/a
            self.grad += out_grad / self.data

        out._backward = _backward
        return out

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        out = Value(t, (self,), "tanh")

        def _backward(out_grad: float) -> None:  # d(tanh a)/da = 1 − tanh²(a)
            self.grad += (1.0 - t * t) * out_grad

        out._backward = _backward
        return out

    def sigmoid(self) -> Value:
        z = math.exp(-abs(self.data))  # never overflows (chapter 01's stable sigmoid)
        s = 1.0 / (1.0 + z) if self.data >= 0 else z / (1.0 + z)
        out = Value(s, (self,), "sigmoid")

        def _backward(out_grad: float) -> None:  # dσ(a)/da = σ(a)·(1 − σ(a))
            self.grad += s * (1.0 - s) * out_grad

        out._backward = _backward
        return out

    def relu(self) -> Value:
        out = Value(self.data if self.data > 0 else 0.0, (self,), "relu")

        def _backward(out_grad: float) -> None:  # slope 1 where a > 0, else 0 (also at 0, as PyTorch)
            self.grad += (self.data > 0) * out_grad

        out._backward = _backward
        return out

    # --- built from the operations above, so they need no backward rule of their own -------

    def __neg__(self) -> Value:  # −a = a · (−1)
        return self * -1

    def __truediv__(self, other: Value | Number) -> Value:  # a / b = a · b^(−1)
        other = self._lift(other, "/")
        if other.data == 0:
            raise ZeroDivisionError(f"cannot divide {self.data:g} by a Value that is 0")
        return self * other ** -1

    # a number on the left (1 + v, 2 * v, 1 - v, 1 / v): Python calls these
    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rsub__(self, other: Number) -> Value:
        return self._lift(other, "-") - self

    def __rtruediv__(self, other: Number) -> Value:
        return self._lift(other, "/") / self

    # --- the backward pass -------------------------------------------------------------

    def backward(self) -> None:
        """Fill in ``.grad`` of every Value this one depends on: ∂(self)/∂v.

        Sets ``self.grad = 1`` (∂self/∂self), then runs each node's ``_backward`` from the
        output towards the inputs. Gradients *accumulate*, as in PyTorch: call
        :func:`zero_grad` (or set ``.grad = 0``) before a second backward pass.
        """
        order = topological_order(self)
        self.grad = 1.0
        for node in reversed(order):
            node._backward(node.grad)


def topological_order(root: Any) -> list[Any]:
    """Every Value ``root`` depends on (itself included), each one after all of its inputs.

    An iterative depth-first search with an explicit stack: a node is appended once all its
    inputs have been, so no recursion limit applies however deep the graph is.
    """
    if not hasattr(root, "_prev"):  # any Value-like object will do (the notebook builds its own)
        raise TypeError(f"topological_order needs a Value, got {type(root).__name__}")
    order: list[Any] = []
    visited: set[int] = set()  # ids, so that any object works, hashable or not
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, inputs_done = stack.pop()
        if inputs_done:  # second visit: every input is already in `order`
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))  # come back to it after its inputs
        stack.extend((child, False) for child in reversed(node._prev) if id(child) not in visited)
    return order


def zero_grad(root: Value) -> None:
    """Set ``.grad = 0`` on ``root`` and every Value it depends on."""
    for node in topological_order(root):
        node.grad = 0.0


# --- helpers: error messages a learner understands, and pieces of the rules above -------


def _describe(x: Any) -> str:
    """How to name a wrong input in an error message."""
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        library = "NumPy array" if isinstance(x, np.ndarray) else type(x).__name__
        return f"a {library} of shape {tuple(x.shape)}"
    if isinstance(x, bool):
        return f"the bool {x}"
    return f"a {type(x).__name__} ({x!r})"[:80]


def _as_number(x: Any, what: str, or_value: bool = False) -> float:
    """A plain real number as a float, or a TypeError that says what went wrong."""
    if type(x) in (float, int, np.float64):  # the common cases, checked first because it is fast
        return float(x)
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or isinstance(x, np.ndarray):
        hint = ""
        if hasattr(x, "shape"):
            hint = (" A Value holds one number: loop over the elements, or use torch tensors "
                    "for whole arrays.")
        allowed = "a Value or " if or_value else ""
        raise TypeError(f"{what} must be {allowed}a single real number (int or float), not "
                        f"{_describe(x)}.{hint}")
    return float(x)


def _as_children(children: Any) -> tuple[Value, ...]:
    """The inputs of a new Value as a tuple, or a TypeError that shows the usual slip."""
    if isinstance(children, Value):
        raise TypeError("_children must be a tuple of Values, such as (v,) with a comma: "
                        "(v) without the comma is just v")
    try:
        children = tuple(children)
    except TypeError:
        raise TypeError(f"_children must be a tuple of Values, not {_describe(children)}") from None
    for child in children:
        if not isinstance(child, Value):
            raise TypeError(f"_children must hold Values, but one is {_describe(child)}")
    return children


def _power_slope(a: float, k: float) -> float:
    """k·a^(k−1), the slope of a^k, or a clear error where it is infinite (a = 0, 0 < k < 1)."""
    if a == 0 and k < 1:
        if k == 0:  # a^0 = 1 for every a: a flat line
            return 0.0
        raise ZeroDivisionError(
            f"backward through a ** {k:g} at a = 0: its slope {k:g}·a^({k - 1:g}) is infinite "
            "there, so there is no gradient. A square root (or another power below 1) reached "
            f"exactly 0; keep its input positive, e.g. (a + 1e-12) ** {k:g}.")
    return k * a ** (k - 1)


def _no_backward(out_grad: float) -> None:
    """An input has nothing to pass its gradient on to."""


__all__ = ["Value", "topological_order", "zero_grad"]
