"""The multilayer perceptron (chapter 04): layers of neurons, written as matrix products.

Conventions used here: a *batch* of examples is a matrix ``X`` of shape
``(n, inputs)``, one example per row. Layer ``l`` has a weight matrix ``W_l`` of shape
``(inputs, outputs)`` and a bias vector ``b_l`` of shape ``(outputs,)``, and computes
``X @ W_l + b_l``: one weighted sum per output neuron, for every example at once.

* :func:`mlp_forward` — the forward pass through any number of layers, with an activation
  between them; wrong shapes get an error that names the layer;
* :func:`count_parameters` / :func:`parameter_table` — how many numbers a network learns;
* :func:`collapse_linear` — the single layer that a stack of layers *without* activations is;
* :func:`init_mlp` and :func:`train_mlp` — random starting weights and a small full-batch
  gradient-descent trainer for 2-D yes/no problems (chapters 05 and 06 explain training);
* :func:`combine_half_planes`, :func:`hidden_plane`, :func:`fit_relu_units` — what the
  chapter's two widgets show;
* :func:`sawtooth_network`, :func:`count_linear_pieces` — what depth buys;
* :func:`gradient_through_depth` — how the backward signal grows or shrinks layer by layer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .activations import relu, relu_derivative, sigmoid, sigmoid_derivative, tanh, tanh_derivative
from .validate import check_number


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


def _numbers(value: Any, name: str, what: str) -> np.ndarray:
    """A float array of real numbers, or an error naming ``what``."""
    if value is None or isinstance(value, (str, bytes, dict, set)):
        raise TypeError(f"{name}: {what} must be numbers (a NumPy array), not "
                        f"{type(value).__name__}")
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    try:
        raw = np.asarray(value)
        if raw.dtype.kind == "c":
            raise TypeError(f"{name}: {what} must be real numbers, not complex")
        if raw.dtype.kind not in "fiub":
            raise ValueError
        return raw.astype(float)
    except ValueError:
        raise TypeError(f"{name}: {what} must be numbers (a NumPy array), not "
                        f"{type(value).__name__}") from None


def _whole(value: Any, name: str, what: str, minimum: int) -> int:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: {what} must be a whole number, not {type(value).__name__} "
                        f"{value!r}")
    if value < minimum:
        raise ValueError(f"{name}: {what} must be at least {minimum}, got {value}")
    return int(value)


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
        W = _numbers(W, name, f"W{i} (the weights of layer {i})")
        b = _numbers(b, name, f"b{i} (the biases of layer {i})")
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
    X = _numbers(X, name, "X (the inputs)")
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
    return [_whole(size, name, f"every layer size (got {list(layer_sizes)})", 1)
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
    seed = _whole(seed, "init_mlp", "seed", 0)
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        std = math.sqrt(2.0 / n_in) if act == "relu" else math.sqrt(2.0 / (n_in + n_out))
        weights.append(rng.normal(0.0, std, (n_in, n_out)))
        biases.append(np.zeros(n_out))
    return weights, biases


# --- a small trainer ----------------------------------------------------------------------


def _labels(X: Any, y: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    X = _numbers(X, name, "X (the points)")
    y = _numbers(y, name, "y (the labels)")
    if X.ndim != 2:
        raise ValueError(f"{name}: X must have shape (points, features), got {X.shape}")
    if y.ndim != 1 or y.shape[0] != X.shape[0]:
        raise ValueError(f"{name}: y must hold one label per row of X: X has shape {X.shape}, "
                         f"y has shape {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise ValueError(f"{name}: y must hold the labels 0 and 1 only")
    if not np.isfinite(X).all():
        raise ValueError(f"{name}: X contains nan or inf")
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
    steps = _whole(steps, name, "steps", 0)
    lr = check_number(lr, name, "the learning rate lr")
    momentum = check_number(momentum, name, "momentum")
    if lr <= 0:
        raise ValueError(f"{name}: the learning rate lr must be positive, got {lr}")
    if not 0 <= momentum < 1:
        raise ValueError(f"{name}: momentum must be in [0, 1), got {momentum}")
    hidden = [_whole(h, name, f"every width in hidden_sizes (got {list(hidden_sizes)})", 1)
              for h in hidden_sizes]
    seed = _whole(seed, name, "seed", 0)
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


# --- widget 1: combining half-planes ------------------------------------------------------


def line_in_square(w: Any, b: float, extent: float = 2.5) -> np.ndarray | None:
    """End points (2, 2) of the line ``w · x + b = 0`` inside the square [−extent, extent]².

    That line is the edge of a neuron with weights ``w`` (two numbers) and bias ``b``. Returns
    None when the line misses the square, or when ``w`` is zero (then there is no line).
    """
    w = _numbers(w, "line_in_square", "w").reshape(-1)
    if w.shape != (2,):
        raise ValueError(f"line_in_square: w must hold two weights (x1, x2), got {w.size}")
    b = check_number(b, "line_in_square", "b")
    extent = check_number(extent, "line_in_square", "extent")
    if extent <= 0:
        raise ValueError(f"line_in_square: extent must be positive, got {extent}")
    return _line_in_box(w, b, extent)


def _line_in_box(w: np.ndarray, b: float, extent: float) -> np.ndarray | None:
    length = float(np.hypot(*w))
    if length < 1e-12:
        return None
    foot = -b * w / length**2  # the point of the line closest to the origin
    direction = np.array([-w[1], w[0]]) / length
    lo, hi = -np.inf, np.inf
    for axis in range(2):
        if abs(direction[axis]) < 1e-12:
            if abs(foot[axis]) > extent:
                return None
            continue
        t1 = (-extent - foot[axis]) / direction[axis]
        t2 = (extent - foot[axis]) / direction[axis]
        lo, hi = max(lo, min(t1, t2)), min(hi, max(t1, t2))
    if hi <= lo:
        return None
    return np.array([foot + lo * direction, foot + hi * direction])


def combine_half_planes(W1: Any, b1: Any, w2: Any, b2: float, points: Any = None,
                        extent: float = 2.5, resolution: int = 121,
                        activation: Any = "sigmoid",
                        output_activation: Any = "sigmoid") -> dict[str, Any]:
    """What a 2-input network with one hidden layer computes, over a square of the plane.

    ``W1`` (2, k) and ``b1`` (k,) are the k hidden neurons: neuron j is on where
    ``W1[:, j] · x + b1[j] > 0``, a half-plane whose edge is a line. ``w2`` (k,) and ``b2``
    weigh them into one output neuron. Returns a dict with ``axis`` (the grid's coordinates),
    ``hidden`` (k, r, r) and ``output`` (r, r) over the grid (row i is the i-th x2 value),
    ``lines`` (each hidden neuron's edge as two end points, or None when it misses the square)
    and, when ``points`` (n, 2) are given, ``point_output`` (n,) and ``point_hidden`` (n, k):
    where the hidden layer moves each point.
    """
    name = "combine_half_planes"
    W1 = _numbers(W1, name, "W1")
    if W1.ndim != 2 or W1.shape[0] != 2:
        raise ValueError(f"{name}: W1 must have shape (2, hidden neurons): two inputs (x1, x2), "
                         f"one column per hidden neuron; got shape {W1.shape}")
    k = W1.shape[1]
    b1 = _numbers(b1, name, "b1").reshape(-1)
    w2 = _numbers(w2, name, "w2").reshape(-1)
    if b1.shape != (k,) or w2.shape != (k,):
        raise ValueError(f"{name}: with {k} hidden neurons b1 and w2 need {k} numbers each, "
                         f"got {b1.size} and {w2.size}")
    b2 = check_number(b2, name, "b2")
    extent = check_number(extent, name, "extent")
    if extent <= 0:
        raise ValueError(f"{name}: extent must be positive, got {extent}")
    resolution = _whole(resolution, name, "resolution", 2)
    weights, biases = [W1, w2[:, None]], [b1, np.array([b2])]
    axis = np.linspace(-extent, extent, resolution)
    g1, g2 = np.meshgrid(axis, axis)
    grid = np.column_stack([g1.ravel(), g2.ravel()])
    out, _, hs = mlp_forward(grid, weights, biases, activation, output_activation,
                             return_layers=True)
    result: dict[str, Any] = {
        "axis": axis,
        "hidden": hs[1].T.reshape(k, resolution, resolution),
        "output": out[:, 0].reshape(resolution, resolution),
        "lines": [_line_in_box(W1[:, j], float(b1[j]), extent) for j in range(k)],
    }
    if points is not None:
        pts = _numbers(points, name, "points")
        if pts.ndim != 2 or pts.shape[1] != 2:
            raise ValueError(f"{name}: points must have shape (n, 2), got {pts.shape}")
        point_out, _, point_hs = mlp_forward(pts, weights, biases, activation,
                                             output_activation, return_layers=True)
        result["point_output"] = point_out[:, 0]
        result["point_hidden"] = point_hs[1]
    return result


def hidden_plane(w2: Any, b2: float, low: float = -0.1, high: float = 1.1, resolution: int = 61,
                 output_activation: Any = "sigmoid") -> dict[str, Any]:
    """The output neuron of a 2-hidden-neuron network, seen in the plane of (h1, h2).

    The output computes ``output_activation(w2[0]·h1 + w2[1]·h2 + b2)``: a single neuron whose
    inputs are the hidden neurons' outputs, so its edge ``w2 · h + b2 = 0`` is a straight line in
    that plane. Returns ``axis`` (the grid over [low, high]), ``output`` (r, r), row i being the
    i-th h2 value, and ``line`` (the edge's two end points inside the square, or None).
    """
    name = "hidden_plane"
    w2 = _numbers(w2, name, "w2").reshape(-1)
    if w2.shape != (2,):
        raise ValueError(f"{name}: w2 must hold two weights, one per hidden neuron, got {w2.size}")
    b2 = check_number(b2, name, "b2")
    low, high = check_number(low, name, "low"), check_number(high, name, "high")
    if high <= low:
        raise ValueError(f"{name}: high must be larger than low, got low={low}, high={high}")
    resolution = _whole(resolution, name, "resolution", 2)
    out_fn = _activation(output_activation, name, "output_activation")
    axis = np.linspace(low, high, resolution)
    g1, g2 = np.meshgrid(axis, axis)
    output = np.asarray(out_fn(w2[0] * g1 + w2[1] * g2 + b2), dtype=float)
    centre, half = (low + high) / 2, (high - low) / 2
    line = _line_in_box(w2, b2 + centre * float(w2.sum()), half)  # the square moved to the origin
    return {"axis": axis, "output": output, "line": None if line is None else line + centre}


def half_plane_weights(angle: float, bias: float, sharpness: float = 4.0) -> tuple[np.ndarray, float]:
    """A hidden neuron's weights from the direction its half-plane faces.

    ``angle`` (degrees) is the direction of the weight vector, the side the neuron switches on;
    the weights are ``sharpness · (cos, sin)`` and the bias ``sharpness · bias``, so the edge
    ``w · x + b = 0`` lies at distance ``bias`` from the origin, on the far side of the arrow
    for a positive bias.
    """
    angle = check_number(angle, "half_plane_weights", "angle")
    bias = check_number(bias, "half_plane_weights", "bias")
    sharpness = check_number(sharpness, "half_plane_weights", "sharpness")
    radians = math.radians(angle)
    return sharpness * np.array([math.cos(radians), math.sin(radians)]), sharpness * bias


# --- widget 2: universal approximation ----------------------------------------------------

DOMAIN = (-3.0, 3.0)
TARGETS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "wave": lambda x: np.sin(2.0 * x),
    "bump": lambda x: np.exp(-2.0 * x**2),
    "step": lambda x: (x > 0.3).astype(float),
    "zigzag": lambda x: np.abs(np.sin(1.5 * x)) + 0.2 * x,
}
PLACEMENTS = ("even", "random")


def relu_units(n_units: int, placement: str = "even", seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Hidden weights ``w`` and biases ``b`` of ``n_units`` ReLU units on a 1-D input.

    Unit i computes ``relu(w[i] · x + b[i])``: zero on one side of its *kink* ``−b[i] / w[i]``,
    a ramp on the other. ``"even"``: kinks evenly spaced across :data:`DOMAIN`, starting at
    its left end, every ramp rising to the right. ``"random"``: kinks anywhere in the domain
    and ramps facing either way, drawn with ``seed``; asking for one more unit keeps the
    units drawn before and adds one.
    """
    n_units = _whole(n_units, "relu_units", "n_units", 1)
    if placement not in PLACEMENTS:
        raise ValueError(f"relu_units: placement must be one of {', '.join(PLACEMENTS)}, "
                         f"got {placement!r}")
    lo, hi = DOMAIN
    if placement == "even":
        kinks = np.linspace(lo, hi, n_units + 1)[:-1]
        w = np.ones(n_units)
    else:
        seed = _whole(seed, "relu_units", "seed", 0)
        # two streams, so that n + 1 units are the n units of before plus one new one
        kinks = np.random.default_rng(seed).uniform(lo, hi, n_units)
        w = np.random.default_rng(seed + 1).choice([-1.0, 1.0], n_units)
    return w, -w * kinks


def fit_relu_units(n_units: int, target: str = "wave", placement: str = "even", seed: int = 0,
                   n_points: int = 401) -> dict[str, Any]:
    """Fit ``target`` with one hidden layer of ``n_units`` ReLU units (what widget 2 shows).

    The hidden units come from :func:`relu_units`; only the output layer (a weight per unit
    and a bias) is fitted, by least squares, which for fixed hidden units gives the best
    possible output layer. Returns ``x``, ``y`` (the target), ``fit``, ``units`` (each unit's
    weighted contribution, (n_units, n_points)), ``kinks``, the network's ``weights`` and
    ``biases`` (usable with :func:`mlp_forward`), ``rms`` and ``max_error``.
    """
    if target not in TARGETS:
        raise ValueError(f"fit_relu_units: unknown target {target!r}; choose one of "
                         f"{', '.join(TARGETS)}")
    n_points = _whole(n_points, "fit_relu_units", "n_points", 2)
    w, b = relu_units(n_units, placement, seed)
    x = np.linspace(*DOMAIN, n_points)
    y = TARGETS[target](x)
    features = np.asarray(relu(np.outer(x, w) + b))
    design = np.column_stack([features, np.ones_like(x)])
    coef = np.linalg.lstsq(design, y, rcond=None)[0]
    v, c = coef[:-1], float(coef[-1])
    fit = design @ coef
    error = fit - y
    return {
        "x": x, "y": y, "fit": fit, "units": (features * v).T, "kinks": -b / w,
        "weights": [w[None, :], v[:, None]], "biases": [b, np.array([c])],
        "rms": float(np.sqrt(np.mean(error**2))), "max_error": float(np.max(np.abs(error))),
        "n_units": int(n_units), "target": target, "placement": placement,
    }


def relu_fit_errors(target: str = "wave", placement: str = "even", max_units: int = 40,
                    seed: int = 0) -> dict[str, np.ndarray]:
    """The RMS and largest error of :func:`fit_relu_units` for 1, 2, …, ``max_units`` units."""
    max_units = _whole(max_units, "relu_fit_errors", "max_units", 1)
    fits = [fit_relu_units(n, target, placement, seed) for n in range(1, max_units + 1)]
    return {"n_units": np.arange(1, max_units + 1),
            "rms": np.array([f["rms"] for f in fits]),
            "max_error": np.array([f["max_error"] for f in fits])}


# --- depth -------------------------------------------------------------------------------


def sawtooth_network(depth: int) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A ReLU network on inputs in [0, 1] with ``depth`` hidden layers of 2 units each.

    Every hidden layer folds [0, 1] onto itself with the tent ``2·relu(t) − 4·relu(t − ½)``
    (up from 0 to 1 and back down), so ``depth`` folds give ``2**depth`` straight pieces from
    only ``2 · depth`` hidden units. Use with ``mlp_forward(x, *sawtooth_network(d), "relu")``.
    """
    depth = _whole(depth, "sawtooth_network", "depth", 1)
    split = np.array([0.0, -0.5])
    fold = np.array([[2.0], [-4.0]])  # the tent: 2·relu(t) − 4·relu(t − ½)
    weights = [np.array([[1.0, 1.0]])] + [fold @ np.array([[1.0, 1.0]])] * (depth - 1) + [fold]
    biases = [split] * depth + [np.zeros(1)]
    return [W.copy() for W in weights], [b.copy() for b in biases]


def count_linear_pieces(x: Any, y: Any, tol: float = 1e-6) -> int:
    """How many straight pieces the curve ``y(x)`` has: 1 + the number of slope changes.

    ``x`` must be increasing; a kink that falls between two grid points shows as a short
    extra piece, so use a grid that contains the kinks (e.g. 2**k + 1 points on [0, 1]).
    """
    x = _numbers(x, "count_linear_pieces", "x").reshape(-1)
    y = _numbers(y, "count_linear_pieces", "y").reshape(-1)
    if x.shape != y.shape or x.size < 2:
        raise ValueError("count_linear_pieces: x and y need the same length, at least 2")
    if not np.all(np.diff(x) > 0):
        raise ValueError("count_linear_pieces: x must be strictly increasing")
    slopes = np.diff(y) / np.diff(x)
    return 1 + int(np.sum(np.abs(np.diff(slopes)) > tol * max(1.0, np.abs(slopes).max())))


def gradient_through_depth(activation: str = "sigmoid", depth: int = 20, width: int = 64,
                           n: int = 256, seed: int = 0) -> dict[str, np.ndarray]:
    """How big the learning signal is at each layer of a deep, freshly initialised network.

    A batch of ``n`` random inputs goes forward through ``depth`` layers of ``width`` units
    (weights from :func:`init_mlp`); a random signal of size 1 is sent back from the top, and
    at each layer it is multiplied by the transposed weights and by the activation's slope,
    as backprop does (chapter 06). Returns ``layer`` (1 = nearest the input), ``signal`` (the
    size of the backward signal arriving at that layer, relative to the top) and ``slope``
    (the mean activation slope in that layer).
    """
    name = "gradient_through_depth"
    act = _activation_name(activation, name)
    depth = _whole(depth, name, "depth", 1)
    width = _whole(width, name, "width", 1)
    n = _whole(n, name, "n", 1)
    weights, biases = init_mlp([width] * (depth + 1), act, seed)
    rng = np.random.default_rng(seed + 1)
    X = rng.normal(0.0, 1.0, (n, width))
    _, zs, _ = mlp_forward(X, weights, biases, act, act, return_layers=True)
    df = ACTIVATIONS[act][1]
    delta = rng.normal(0.0, 1.0, (n, width))
    top = float(np.linalg.norm(delta))
    signal, slope = np.empty(depth), np.empty(depth)
    for layer in range(depth - 1, -1, -1):
        slopes = df(zs[layer])
        delta = delta * slopes  # through the activation of this layer
        signal[layer] = np.linalg.norm(delta) / top
        slope[layer] = float(np.mean(slopes))
        delta = delta @ weights[layer].T  # through its weights, to the layer below
    return {"layer": np.arange(1, depth + 1), "signal": signal, "slope": slope}


__all__ = [
    "ACTIVATIONS",
    "DOMAIN",
    "PLACEMENTS",
    "TARGETS",
    "TrainedMLP",
    "collapse_linear",
    "combine_half_planes",
    "count_linear_pieces",
    "count_parameters",
    "describe_parameters",
    "fit_relu_units",
    "gradient_through_depth",
    "half_plane_weights",
    "hidden_plane",
    "init_mlp",
    "line_in_square",
    "mlp_forward",
    "parameter_table",
    "relu_fit_errors",
    "relu_units",
    "sawtooth_network",
    "train_mlp",
]
