"""Backprop tools (chapter 06): gradient checks, an MLP made of Values, the layer backward.

Built on the scalar engine of :mod:`course_utils.autograd`, the way micrograd's ``nn.py`` sits
on its ``engine.py``:

* :func:`numeric_gradient` and :func:`grad_check` — compare any gradient with central
  differences. Keep using them: they are how you test a backward pass you wrote yourself.
* :func:`engine_gradients` and :func:`torch_gradients` — run one Python function with the
  course's :class:`~course_utils.autograd.Value` or with float64 torch tensors and return the
  output and the gradients, so the two engines can be compared number by number;
  :func:`random_expression` — a random formula built from every operation the engine knows,
  for testing engines against each other.
* :class:`Neuron`, :class:`Layer`, :class:`MLP` — a small network whose every weight is a Value,
  and :func:`mean_bce` to score its predictions on a whole data set without building a graph.
* :func:`linear_forward`, :func:`linear_backward`, :func:`weight_gradient_terms` — the same
  layer for a whole batch at once with matrices: ``dW = xᵀ δ``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .autograd import Value
from .validate import as_float_array, check_positive, check_whole

ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear")


# --- gradient checking ---------------------------------------------------------------------


def numeric_gradient(f: Callable[[np.ndarray], Any], x: Any, h: float = 1e-5) -> np.ndarray:
    """∂f/∂x by central differences, one coordinate at a time.

    ``f`` takes an array shaped like ``x`` and returns one number. For each entry ``x[i]`` the
    slope is ``(f(x + h·eᵢ) − f(x − h·eᵢ)) / 2h``, where ``eᵢ`` is 1 at ``i`` and 0 elsewhere.
    Costs two calls of ``f`` per entry, so use it to *check* gradients, not to train.
    """
    if not callable(f):
        raise TypeError(f"numeric_gradient needs a function f, got {type(f).__name__}")
    h = check_positive(h, "numeric_gradient", "the step h")
    x = as_float_array(x, "numeric_gradient", "x")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += h
        down[i] -= h
        f_up, f_down = f(up), f(down)
        if np.ndim(f_up) != 0 or np.ndim(f_down) != 0:
            raise ValueError("numeric_gradient needs f to return a single number, got an array "
                             f"of shape {np.shape(f_up)}")
        grad[i] = (float(f_up) - float(f_down)) / (2 * h)
    return grad


@dataclass
class GradCheck:
    """The verdict of :func:`grad_check`. Truthy when the gradients agree."""

    passed: bool
    analytic: np.ndarray
    numeric: np.ndarray
    worst_index: tuple[int, ...]
    max_abs_error: float
    rtol: float = 1e-5
    atol: float = 1e-8

    def __bool__(self) -> bool:
        return self.passed

    def __str__(self) -> str:
        if self.passed:  # what is left is round-off, whose last digits vary from CPU to CPU
            return (f"gradient check passed: all {self.analytic.size} entries agree with central "
                    f"differences (to rtol={self.rtol:g}, atol={self.atol:g})")
        i = self.worst_index
        return (f"gradient check FAILED at index {i}: analytic {self.analytic[i]:.6g}, numeric "
                f"{self.numeric[i]:.6g} (largest difference {self.max_abs_error:.1e})")


def grad_check(f: Callable[[np.ndarray], Any], grad_f: Callable[[np.ndarray], Any], x: Any,
               h: float = 1e-5, rtol: float = 1e-5, atol: float = 1e-8) -> GradCheck:
    """Does ``grad_f(x)`` agree with the central-difference gradient of ``f`` at ``x``?

    Passes when ``|analytic − numeric| ≤ atol + rtol · |numeric|`` for every entry (the test
    of ``np.allclose``): relative for large slopes, absolute near zero, where the numeric
    estimate is only good to about ``1e-10``. Returns a :class:`GradCheck` that is truthy on
    success and prints the worst entry.
    """
    if not callable(grad_f):
        raise TypeError(f"grad_check needs grad_f, a function returning the gradient, "
                        f"got {type(grad_f).__name__}")
    x = as_float_array(x, "grad_check", "x")
    rtol = check_positive(rtol, "grad_check", "rtol")
    atol = check_positive(atol, "grad_check", "atol")
    analytic = as_float_array(grad_f(x.copy()), "grad_check", "grad_f(x)")
    if analytic.shape != x.shape:
        raise ValueError(f"grad_f(x) must have the shape of x, {x.shape}, but has shape "
                         f"{analytic.shape}: one slope per entry of x")
    numeric = numeric_gradient(f, x, h)
    gap = np.abs(analytic - numeric)
    bad = gap > atol + rtol * np.abs(numeric)
    worst = np.unravel_index(int(np.argmax(gap - rtol * np.abs(numeric))), x.shape) if x.size else ()
    return GradCheck(passed=not bool(bad.any()), analytic=analytic, numeric=numeric,
                     worst_index=tuple(int(i) for i in worst),
                     max_abs_error=float(gap.max()) if gap.size else 0.0, rtol=rtol, atol=atol)


# --- one function, two engines -----------------------------------------------------------


def engine_gradients(f: Callable[..., Any], *xs: float) -> tuple[float, list[float]]:
    """Run ``f`` on Values made from ``xs``; return ``f``'s value and ``[∂f/∂x for x in xs]``."""
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(xs)]
    out = f(*inputs)
    if not isinstance(out, Value):
        raise TypeError(f"f must return a Value (one number), got {type(out).__name__}")
    out.backward()
    return out.data, [v.grad for v in inputs]


def torch_gradients(f: Callable[..., Any], *xs: float) -> tuple[float, list[float]]:
    """The same as :func:`engine_gradients`, computed by ``torch.autograd`` in float64."""
    import torch

    inputs = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in xs]
    out = f(*inputs)
    if not isinstance(out, torch.Tensor) or out.numel() != 1:
        raise TypeError("f must return a single-number torch tensor when given torch tensors")
    out.backward()
    return float(out.detach()), [0.0 if t.grad is None else float(t.grad) for t in inputs]


# Each entry turns one or two earlier results into a new one. Every operation of the engine
# appears, with Python numbers on both sides, and inputs kept where each is defined
# (log and ** of something positive, division by something non-zero, exp of something small).
EXPRESSION_STEPS: dict[str, Callable[[Any, Any], Any]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / (b * b + 1),
    "neg": lambda a, b: -a,
    "number left": lambda a, b: 2 * a - 1 + 3 / (b * b + 2),
    "number right": lambda a, b: a * 0.5 + 1,
    "pow": lambda a, b: (a * a + 1) ** 1.5,
    "square": lambda a, b: a ** 2,
    "exp": lambda a, b: a.tanh().exp(),
    "log": lambda a, b: (a * a + 0.5).log(),
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: a.sigmoid(),
    "relu": lambda a, b: a.relu(),
}
STEP_NAMES = tuple(EXPRESSION_STEPS)


def random_expression(seed: int, n_inputs: int = 3, n_steps: int = 12) -> Callable[..., Any]:
    """A random formula of ``n_inputs`` variables, the same for every run with this seed.

    Each of the ``n_steps`` steps applies a random operation (see ``STEP_NAMES``) to one or two
    earlier results, picked at random, so results are often reused. The output adds the last
    three results. The returned function works with Values (either engine) and torch tensors.
    """
    seed = check_whole(seed, "random_expression", "seed")
    n_inputs = check_whole(n_inputs, "random_expression", "n_inputs", minimum=1)
    n_steps = check_whole(n_steps, "random_expression", "n_steps", minimum=1)
    rng = np.random.default_rng(seed)
    program = []
    for step in range(n_steps):
        available = n_inputs + step
        program.append((STEP_NAMES[rng.integers(len(STEP_NAMES))],
                        int(rng.integers(available)), int(rng.integers(available))))

    def expression(*xs: Any) -> Any:
        if len(xs) != n_inputs:
            raise TypeError(f"this expression takes {n_inputs} inputs, got {len(xs)}")
        results = list(xs)
        for name, i, j in program:
            results.append(EXPRESSION_STEPS[name](results[i], results[j]))
        last = results[-3:]
        return sum(last[1:], last[0])

    expression.program = program  # type: ignore[attr-defined]
    return expression


# --- a network made of Values ------------------------------------------------------------


def _activate(z: Value, activation: str) -> Value:
    if activation == "linear":
        return z
    return getattr(z, activation)()


def _check_activation(activation: Any) -> str:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    return activation


class Neuron:
    """``activation(w · x + b)`` with one Value per weight and one for the bias."""

    def __init__(self, n_inputs: int, activation: str = "tanh",
                 rng: np.random.Generator | None = None) -> None:
        n_inputs = check_whole(n_inputs, "Neuron", "n_inputs", minimum=1)
        self.activation = _check_activation(activation)
        rng = np.random.default_rng(0) if rng is None else rng
        bound = 1 / math.sqrt(n_inputs)  # keeps w · x of order 1 whatever the fan-in
        self.w = [Value(float(w), label="w") for w in rng.uniform(-bound, bound, n_inputs)]
        self.b = Value(0.0, label="b")

    def __call__(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"this neuron takes {len(self.w)} inputs, got {len(x)}")
        z = self.b
        for wi, xi in zip(self.w, x, strict=True):
            z = z + wi * xi
        return _activate(z, self.activation)

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"Neuron({len(self.w)} inputs, {self.activation})"


class Layer:
    """``n_outputs`` neurons that all read the same inputs."""

    def __init__(self, n_inputs: int, n_outputs: int, activation: str = "tanh",
                 rng: np.random.Generator | None = None) -> None:
        n_outputs = check_whole(n_outputs, "Layer", "n_outputs", minimum=1)
        rng = np.random.default_rng(0) if rng is None else rng
        self.neurons = [Neuron(n_inputs, activation, rng) for _ in range(n_outputs)]

    def __call__(self, x: Sequence[Value | float]) -> list[Value]:
        return [neuron(x) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        first = self.neurons[0]
        return f"Layer({len(first.w)} → {len(self.neurons)}, {first.activation})"


class MLP:
    """Layers of Value neurons: ``MLP(2, [8, 8, 1])`` maps 2 inputs to 1 output.

    Hidden layers use ``activation``; the last layer is linear, so the output is a score
    (a logit) that a loss can turn into a probability. Weights are drawn from ``seed``.
    """

    def __init__(self, n_inputs: int, sizes: Sequence[int], activation: str = "tanh",
                 seed: int = 0) -> None:
        if isinstance(sizes, (int, np.integer)) or not isinstance(sizes, Sequence) or not sizes:
            raise ValueError(f"sizes must be a list of layer widths such as [8, 8, 1], got {sizes!r}")
        _check_activation(activation)
        rng = np.random.default_rng(seed)
        widths = [check_whole(n_inputs, "MLP", "n_inputs", minimum=1)]
        widths += [check_whole(s, "MLP", "a layer width", minimum=1) for s in sizes]
        self.layers = [Layer(widths[i], widths[i + 1],
                             activation if i < len(sizes) - 1 else "linear", rng)
                       for i in range(len(sizes))]

    def __call__(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out: Sequence[Value | float] = x
        for layer in self.layers:
            out = layer(out)
        return out[0] if len(out) == 1 else list(out)

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def predict(self, X: Any) -> np.ndarray:
        """The output score for every row of ``X`` (n, n_inputs), with NumPy: fast, no graph."""
        a = as_float_array(X, "MLP.predict", "X")
        n_in = len(self.layers[0].neurons[0].w)
        if a.ndim != 2 or a.shape[1] != n_in:
            raise ValueError(f"X must have shape (n, {n_in}), got {a.shape}")
        for layer in self.layers:
            W = np.array([[w.data for w in n.w] for n in layer.neurons])  # (n_out, n_in)
            b = np.array([n.b.data for n in layer.neurons])
            a = _numpy_activation(a @ W.T + b, layer.neurons[0].activation)
        return a[:, 0] if a.shape[1] == 1 else a

    def __repr__(self) -> str:
        return "MLP(" + ", ".join(repr(layer) for layer in self.layers) + \
            f"; {len(self.parameters())} parameters)"


def mean_bce(scores: Any, labels: Any) -> float:
    """Mean binary cross-entropy of scores (logits) against 0/1 labels, computed with NumPy.

    For a score s and label y the loss is −ln σ(s) if y = 1 and −ln(1 − σ(s)) if y = 0, which
    equals ln(1 + e^s) − y·s; ``np.logaddexp(0, s)`` computes ln(1 + e^s) without overflow.
    """
    s = as_float_array(scores, "mean_bce", "scores")
    y = as_float_array(labels, "mean_bce", "labels")
    if s.shape != y.shape:
        raise ValueError(f"scores and labels need the same shape, got {s.shape} and {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError("labels must be 0 or 1")
    return float(np.mean(np.logaddexp(0.0, s) - y * s))


def _numpy_activation(z: np.ndarray, activation: str) -> np.ndarray:
    if activation == "tanh":
        return np.tanh(z)
    if activation == "relu":
        return np.maximum(z, 0.0)
    if activation == "sigmoid":
        return 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z) without overflow
    return z


# --- the whole batch at once: the vectorised layer ------------------------------------------


def _matrix(a: Any, function: str, name: str) -> np.ndarray:
    array = as_float_array(a, function, name)
    if array.ndim != 2:
        raise ValueError(f"{function}: {name} must be a matrix (2-D array), got shape "
                         f"{array.shape}")
    return array


def linear_forward(x: Any, W: Any, b: Any) -> np.ndarray:
    """``z = x @ W + b`` for a batch: ``x`` (batch, n_in), ``W`` (n_in, n_out), ``b`` (n_out,)."""
    x, W = _matrix(x, "linear_forward", "x"), _matrix(W, "linear_forward", "W")
    b = as_float_array(b, "linear_forward", "b")
    if x.shape[1] != W.shape[0]:
        raise ValueError(f"cannot multiply x ({x.shape[0]}×{x.shape[1]}) by W "
                         f"({W.shape[0]}×{W.shape[1]}): x has {x.shape[1]} columns (inputs) but "
                         f"W has {W.shape[0]} rows")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b must have one entry per output, shape ({W.shape[1]},), got {b.shape}")
    return x @ W + b


def linear_backward(x: Any, W: Any, delta: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a linear layer ``z = x @ W + b`` given ``delta = ∂C/∂z`` (batch, n_out).

    Returns ``(dx, dW, db)``: ``dx = delta @ Wᵀ`` (passed on to the layer below),
    ``dW = xᵀ @ delta`` (summed over the batch) and ``db = delta`` summed over the batch.
    """
    x, W = _matrix(x, "linear_backward", "x"), _matrix(W, "linear_backward", "W")
    delta = _matrix(delta, "linear_backward", "delta")
    if x.shape[1] != W.shape[0]:
        raise ValueError(f"x has {x.shape[1]} columns but W has {W.shape[0]} rows: x @ W is "
                         "not defined")
    if delta.shape != (x.shape[0], W.shape[1]):
        raise ValueError(f"delta must have the shape of z = x @ W, ({x.shape[0]}, {W.shape[1]}): "
                         f"one error per example and output, got {delta.shape}")
    return delta @ W.T, x.T @ delta, delta.sum(axis=0)


def weight_gradient_terms(x: Any, delta: Any) -> np.ndarray:
    """Each example's share of ``dW``: ``terms[k, i, j] = x[k, i] · delta[k, j]``.

    Summing over the examples gives ``dW = xᵀ @ delta``. Entry ``[i, j]`` is large when input
    ``i`` is active *and* output ``j`` has a large error in the same examples.
    """
    x = _matrix(x, "weight_gradient_terms", "x")
    delta = _matrix(delta, "weight_gradient_terms", "delta")
    if x.shape[0] != delta.shape[0]:
        raise ValueError(f"x and delta need one row per example: x has {x.shape[0]} rows, "
                         f"delta has {delta.shape[0]}")
    return x[:, :, None] * delta[:, None, :]


__all__ = [
    "ACTIVATIONS",
    "MLP",
    "EXPRESSION_STEPS",
    "STEP_NAMES",
    "GradCheck",
    "Layer",
    "Neuron",
    "engine_gradients",
    "grad_check",
    "linear_backward",
    "linear_forward",
    "mean_bce",
    "numeric_gradient",
    "random_expression",
    "torch_gradients",
    "weight_gradient_terms",
]
