"""The multilayer perceptron (chapter 04): layers of neurons, written as matrix products.

Conventions used here: a *batch* of examples is a matrix ``X`` of shape
``(n, inputs)``, one example per row. Layer ``l`` has a weight matrix ``W_l`` of shape
``(inputs, outputs)`` and a bias vector ``b_l`` of shape ``(outputs,)``, and computes
``X @ W_l + b_l``: one weighted sum per output neuron, for every example at once. Column j
of ``W_l`` holds neuron j's weights; ``torch.nn.Linear`` stores the transpose (one row per
neuron) and computes ``X @ W.T``, the same numbers.

* :func:`mlp_forward` — the forward pass through any number of layers, with an activation
  between them; wrong shapes get an error that names the layer;
* :func:`count_parameters` / :func:`parameter_table` — how many numbers a network learns;
* :func:`collapse_linear` — the single layer that a stack of layers *without* activations is;
* :func:`init_mlp` and :func:`train_mlp` — random starting weights and a small full-batch
  gradient-descent trainer for 2-D yes/no problems (chapters 05 and 06 explain training).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .activations import relu, relu_derivative, sigmoid, sigmoid_derivative, tanh, tanh_derivative
from .validate import as_float_array, check_number, check_whole


def _identity(x: Any) -> np.ndarray:
    return np.asarray(x, dtype=float)


def _identity_derivative(x: Any) -> np.ndarray:
    return np.ones_like(np.asarray(x, dtype=float))


# name -> (function, its derivative)
ACTIVATIONS: dict[str, tuple[Callable[[Any], Any], Callable[[Any], Any]]] = {
    "identity": (_identity, _identity_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "relu": (relu, relu_derivative),
}


# --- input checks -----------------------------------------------------------------------


def _activation(activation: Any, name: str, what: str = "activation") -> Callable[[Any], Any]:
    """An activation given by name (``"relu"``) or as a function, or a clear error."""
    if isinstance(activation, str):
        key = activation.strip().lower()
        if key not in ACTIVATIONS:
            raise ValueError(f"{name}: unknown {what} {activation!r}; choose one of "
                             f"{', '.join(ACTIVATIONS)} (or pass a function)")
        return ACTIVATIONS[key][0]
    if activation is None:
        return ACTIVATIONS["identity"][0]
    if not callable(activation):
        raise TypeError(f"{name}: {what} must be a name such as 'relu' or a function, "
                        f"not {type(activation).__name__}")
    return activation


def _activation_name(activation: Any, name: str) -> str:
    """Only named activations have a known derivative (the trainer and the depth demo need it)."""
    if not isinstance(activation, str) or activation.strip().lower() not in ACTIVATIONS:
        raise ValueError(f"{name}: activation must be one of {', '.join(ACTIVATIONS)}, "
                         f"got {activation!r}")
    return activation.strip().lower()


def _layers(weights: Any, biases: Any, name: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Weight matrices and bias vectors that fit together, or an error naming the layer."""
    for value, what in ((weights, "weights"), (biases, "biases")):
        if isinstance(value, np.ndarray) or not isinstance(value, (list, tuple)):
            raise TypeError(f"{name}: {what} must be a list with one entry per layer "
                            f"([W1, W2, ...] and [b1, b2, ...]), not {type(value).__name__}")
    if len(weights) == 0:
        raise ValueError(f"{name}: a network needs at least one layer; weights is empty")
    if len(weights) != len(biases):
        raise ValueError(f"{name}: {len(weights)} weight matrices but {len(biases)} bias vectors; "
                         "every layer needs both a W and a b")
    Ws, bs = [], []
    for i, (W, b) in enumerate(zip(weights, biases, strict=True), start=1):
        W = as_float_array(W, name, f"W{i} (the weights of layer {i})")
        b = as_float_array(b, name, f"b{i} (the biases of layer {i})")
        if W.ndim != 2:
            raise ValueError(f"{name}: W{i} must be a matrix of shape (inputs, outputs), but it "
                             f"has shape {W.shape}")
        if b.ndim != 1:
            raise ValueError(f"{name}: b{i} must be a vector with one number per output neuron, "
                             f"shape ({W.shape[1]},), but it has shape {b.shape}")
        if b.shape[0] != W.shape[1]:
            raise ValueError(f"{name}: layer {i} has {W.shape[1]} output neurons (W{i} has shape "
                             f"{W.shape}) but b{i} holds {b.shape[0]} numbers; a bias needs one "
                             "number per output neuron")
        if Ws and Ws[-1].shape[1] != W.shape[0]:
            raise ValueError(f"{name}: layer {i - 1} has {Ws[-1].shape[1]} output neurons "
                             f"(W{i - 1} has shape {Ws[-1].shape}) but W{i} has shape {W.shape}: "
                             f"W{i} needs one row per output of layer {i - 1}, so "
                             f"{Ws[-1].shape[1]} rows, not {W.shape[0]}")
        Ws.append(W)
        bs.append(b)
    return Ws, bs


def _batch(X: Any, first: np.ndarray, name: str) -> tuple[np.ndarray, bool]:
    """``X`` as an (n, inputs) matrix that fits W1, and whether it was a single example."""
    X = as_float_array(X, name, "X (the inputs)")
    single = X.ndim == 1
    if single:
        X = X[None, :]
    if X.ndim != 2:
        raise ValueError(f"{name}: X must be a batch of shape (examples, inputs), one example "
                         f"per row, but it has shape {X.shape}")
    if X.shape[1] != first.shape[0]:
        raise ValueError(f"{name}: layer 1 cannot multiply X of shape {X.shape} by W1 of shape "
                         f"{first.shape}: each example has {X.shape[1]} inputs (columns of X) "
                         f"but W1 has {first.shape[0]} rows. W1 needs one row per input.")
    return X, single


# --- the forward pass ---------------------------------------------------------------------


def mlp_forward(X: Any, weights: Sequence[Any], biases: Sequence[Any],
                activation: Any = "relu", output_activation: Any = "identity",
                return_layers: bool = False) -> Any:
    """Run a batch through a multilayer perceptron, one matrix product per layer.

    ``X`` has shape ``(n, inputs)`` (a single example of shape ``(inputs,)`` also works and
    gives a 1-D result). ``weights = [W1, W2, ...]`` with ``W_l`` of shape ``(inputs, outputs)``
    and ``biases = [b1, b2, ...]`` with ``b_l`` of shape ``(outputs,)``. Every layer computes
    ``Z = H @ W + b``; hidden layers then apply ``activation`` and the last layer
    ``output_activation`` (default: none, the raw scores). Activations are names
    (``"relu"``, ``"tanh"``, ``"sigmoid"``, ``"identity"``) or functions.

    With ``return_layers=True`` it returns ``(output, zs, hs)``: the pre-activations ``Z`` and
    activations ``H`` of every layer (``hs[0]`` is ``X``).
    """
    name = "mlp_forward"
    Ws, bs = _layers(weights, biases, name)
    hidden_fn = _activation(activation, name)
    out_fn = _activation(output_activation, name, "output_activation")
    H, single = _batch(X, Ws[0], name)
    zs, hs = [], [H]
    for i, (W, b) in enumerate(zip(Ws, bs, strict=True), start=1):
        Z = H @ W + b
        H = np.asarray((out_fn if i == len(Ws) else hidden_fn)(Z), dtype=float)
        if H.shape != Z.shape:
            raise ValueError(f"{name}: the activation of layer {i} changed the shape from "
                             f"{Z.shape} to {H.shape}; it must work element by element")
        zs.append(Z)
        hs.append(H)
    out = H[0] if single else H
    return (out, zs, hs) if return_layers else out


# --- counting parameters ------------------------------------------------------------------


def _layer_sizes(layer_sizes: Any, name: str) -> list[int]:
    if isinstance(layer_sizes, np.ndarray) and layer_sizes.ndim == 1:
        layer_sizes = layer_sizes.tolist()
    if isinstance(layer_sizes, (str, bytes)) or not isinstance(layer_sizes, Sequence):
        raise TypeError(f"{name}: layer_sizes must be a list of whole numbers such as "
                        f"[784, 16, 16, 10], not {type(layer_sizes).__name__}")
    if len(layer_sizes) < 2:
        raise ValueError(f"{name}: layer_sizes needs at least two numbers (inputs and outputs), "
                         f"got {list(layer_sizes)}")
    return [check_whole(size, name, f"every layer size (got {list(layer_sizes)})", 1)
            for size in layer_sizes]


def parameter_table(layer_sizes: Sequence[int]) -> list[dict[str, int]]:
    """One row per layer: ``inputs``, ``outputs``, ``weights`` (in × out), ``biases`` (out),
    ``total``. ``layer_sizes`` lists the widths from the input to the output, e.g.
    ``[784, 16, 16, 10]``."""
    sizes = _layer_sizes(layer_sizes, "parameter_table")
    return [{"layer": i, "inputs": n_in, "outputs": n_out, "weights": n_in * n_out,
             "biases": n_out, "total": n_in * n_out + n_out}
            for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1)]


def count_parameters(layer_sizes: Sequence[int]) -> int:
    """How many numbers a fully connected network learns: for each layer ``in × out`` weights
    plus ``out`` biases. ``count_parameters([784, 16, 16, 10])`` is 13,002."""
    sizes = _layer_sizes(layer_sizes, "count_parameters")
    return sum(n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))


def describe_parameters(layer_sizes: Sequence[int]) -> str:
    """A small printable table of :func:`parameter_table`, with the total."""
    rows = parameter_table(layer_sizes)
    lines = [f"{'layer':>5}  {'shape of W':>12}  {'weights':>9}  {'biases':>6}  {'total':>9}"]
    for r in rows:
        shape = f"{r['inputs']} × {r['outputs']}"
        lines.append(f"{r['layer']:>5}  {shape:>12}  {r['weights']:>9,}  {r['biases']:>6,}  "
                     f"{r['total']:>9,}")
    lines.append(f"{'all':>5}  {'':>12}  {sum(r['weights'] for r in rows):>9,}  "
                 f"{sum(r['biases'] for r in rows):>6,}  {sum(r['total'] for r in rows):>9,}")
    return "\n".join(lines)


# --- linear layers collapse ---------------------------------------------------------------


def collapse_linear(weights: Sequence[Any], biases: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """The one layer ``(W, b)`` that equals a stack of layers with no activation between them.

    ``(X @ W1 + b1) @ W2 + b2 = X @ (W1 @ W2) + (b1 @ W2 + b2)``, and so on for more layers:
    without activations, depth adds nothing a single layer could not do.
    """
    Ws, bs = _layers(weights, biases, "collapse_linear")
    W, b = Ws[0], bs[0]
    for W_next, b_next in zip(Ws[1:], bs[1:], strict=True):
        W, b = W @ W_next, b @ W_next + b_next
    return W, b


# --- random weights -----------------------------------------------------------------------


def init_mlp(layer_sizes: Sequence[int], activation: str = "relu",
             seed: int = 0) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Random starting weights for a network with these layer widths, and zero biases.

    The spread of each W depends on the activation, so that signals keep roughly their size
    from layer to layer: ``std = sqrt(2 / inputs)`` for ReLU (He), ``sqrt(2 / (inputs +
    outputs))`` otherwise (Glorot). ``seed`` makes the draw repeatable.
    """
    sizes = _layer_sizes(layer_sizes, "init_mlp")
    act = _activation_name(activation, "init_mlp")
    seed = check_whole(seed, "init_mlp", "seed", 0)
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        std = math.sqrt(2.0 / n_in) if act == "relu" else math.sqrt(2.0 / (n_in + n_out))
        weights.append(rng.normal(0.0, std, (n_in, n_out)))
        biases.append(np.zeros(n_out))
    return weights, biases


# --- a small trainer ----------------------------------------------------------------------


def _labels(X: Any, y: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    X = as_float_array(X, name, "X (the points)", finite=True)
    y = as_float_array(y, name, "y (the labels)")
    if X.ndim != 2:
        raise ValueError(f"{name}: X must have shape (points, features), got {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"{name}: y must hold one label per row of X: X has shape {X.shape}, "
                         f"y has shape {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"{name}: y must hold the labels 0 and 1 only")
    return X, y


def _log_loss(scores: np.ndarray, y: np.ndarray) -> float:
    """Mean binary cross-entropy of raw scores, computed without overflow."""
    return float(np.mean(np.logaddexp(0.0, scores) - y * scores))


@dataclass
class TrainedMLP:
    """A network trained by :func:`train_mlp`: its weights and how the loss went down."""

    weights: list[np.ndarray]
    biases: list[np.ndarray]
    activation: str
    losses: np.ndarray = field(repr=False)

    @property
    def layer_sizes(self) -> list[int]:
        return [self.weights[0].shape[0]] + [W.shape[1] for W in self.weights]

    def scores(self, X: Any) -> np.ndarray:
        """The raw output score of every row of X (before the output sigmoid)."""
        return mlp_forward(X, self.weights, self.biases, self.activation)[..., 0]

    def predict_proba(self, X: Any) -> np.ndarray:
        """The probability of class 1 for every row of X."""
        return np.asarray(sigmoid(self.scores(X)))

    def predict(self, X: Any) -> np.ndarray:
        """Class 1 where the probability is at least 1/2, else class 0."""
        return (self.predict_proba(X) >= 0.5).astype(np.int64)

    def accuracy(self, X: Any, y: Any) -> float:
        """The fraction of rows of X whose predicted class equals y."""
        X, y = _labels(X, y, "accuracy")
        return float(np.mean(self.predict(X) == y))

    def __repr__(self) -> str:
        sizes = "-".join(str(s) for s in self.layer_sizes)
        return (f"TrainedMLP({sizes}, {self.activation}, {len(self.losses) - 1} steps, "
                f"loss {self.losses[0]:.3f} → {self.losses[-1]:.3f})")


def train_mlp(X: Any, y: Any, hidden_sizes: Sequence[int] = (8,), activation: str = "tanh",
              steps: int = 1000, lr: float = 0.5, momentum: float = 0.9,
              seed: int = 0) -> TrainedMLP:
    """Fit a yes/no classifier to 2-D points by full-batch gradient descent with momentum.

    The network has the hidden layers ``hidden_sizes`` (``()`` for none: a single neuron,
    i.e. logistic regression), the given hidden ``activation`` and one sigmoid output; it
    minimises the mean log loss (binary cross-entropy). Same arguments, same result: the only
    randomness is the starting weights, drawn with ``seed``. Chapters 05 and 06 explain each
    step; here it is a tool. ``losses[k]`` is the loss before step ``k`` (and after the last).
    """
    name = "train_mlp"
    X, y = _labels(X, y, name)
    if isinstance(hidden_sizes, (int, np.integer)):
        hidden_sizes = (hidden_sizes,)
    if isinstance(hidden_sizes, np.ndarray) and hidden_sizes.ndim == 1:
        hidden_sizes = hidden_sizes.tolist()
    if isinstance(hidden_sizes, (str, bytes)) or not isinstance(hidden_sizes, Sequence):
        raise TypeError(f"{name}: hidden_sizes must be a list of layer widths such as [8] "
                        f"(or [] for none), not {type(hidden_sizes).__name__}")
    act = _activation_name(activation, name)
    steps = check_whole(steps, name, "steps", 0)
    lr = check_number(lr, name, "the learning rate lr")
    momentum = check_number(momentum, name, "momentum")
    if lr <= 0:
        raise ValueError(f"{name}: the learning rate lr must be positive, got {lr}")
    if not 0 <= momentum < 1:
        raise ValueError(f"{name}: momentum must be in [0, 1), got {momentum}")
    hidden = [check_whole(h, name, f"every width in hidden_sizes (got {list(hidden_sizes)})", 1)
              for h in hidden_sizes]
    seed = check_whole(seed, name, "seed", 0)
    weights, biases = init_mlp([X.shape[1], *hidden, 1], act, seed)
    f, df = ACTIVATIONS[act]
    velocity = [np.zeros_like(p) for p in (*weights, *biases)]
    n, losses = len(y), []
    for _ in range(steps + 1):
        out, zs, hs = mlp_forward(X, weights, biases, act, return_layers=True)
        losses.append(_log_loss(out[:, 0], y))
        if len(losses) > steps:
            break
        delta = (sigmoid(out) - y[:, None]) / n  # d loss / d output score
        grads_w, grads_b = [], []
        for layer in range(len(weights) - 1, -1, -1):
            grads_w.append(hs[layer].T @ delta)
            grads_b.append(delta.sum(axis=0))
            if layer:
                delta = (delta @ weights[layer].T) * df(zs[layer - 1])
        grads = [*grads_w[::-1], *grads_b[::-1]]
        params = [*weights, *biases]
        for p, v, g in zip(params, velocity, grads, strict=True):
            v *= momentum
            v -= lr * g
            p += v
    return TrainedMLP(weights, biases, act, np.array(losses))


__all__ = [
    "ACTIVATIONS",
    "TrainedMLP",
    "collapse_linear",
    "count_parameters",
    "describe_parameters",
    "init_mlp",
    "mlp_forward",
    "parameter_table",
    "train_mlp",
]
