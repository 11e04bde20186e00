"""One neuron: the perceptron and logistic regression (chapter 03 builds these).

A neuron takes inputs ``x`` (one number per feature), multiplies each by its weight, adds a
bias and squashes the result with an activation::

    z = w · x + b          (the weighted sum plus the bias: a score)
    a = activation(z)      (a step for the perceptron, the sigmoid for logistic regression)

The functions here work on one point ``x`` of shape ``(d,)`` or on many points at once, ``X``
of shape ``(n, d)`` with one row per point. Labels ``y`` are 0 or 1; probabilities ``p`` are
the neuron's P(y = 1 | x).

* forward passes: :func:`weighted_sum`, :func:`step`, :func:`neuron_forward`,
  :func:`predict_proba`, :func:`perceptron_predict`;
* the perceptron rule: :func:`perceptron_fit`;
* how well a neuron explains labels: :func:`label_probabilities`, :func:`likelihood` (a product,
  which underflows), :func:`log_likelihood` (a sum, which does not), :func:`nll` (the mean
  negative log-likelihood, also called binary cross-entropy) and :func:`nll_from_scores` (the
  same computed from scores ``z``, stable for any score);
* fitting: :func:`nll_gradient` and :func:`fit_logistic` (plain gradient descent);
* geometry: :func:`decision_line`, the line ``a·x + b·y = c`` where the neuron says 50/50.

Every public function checks its inputs and says in words what is wrong.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .activations import sigmoid
from .validate import as_float_array, check_number, check_positive, check_whole

ACTIVATIONS = ("sigmoid", "step", "tanh", "relu", "identity")
LOG_CLAMP = -100.0  # like PyTorch's binary_cross_entropy: a log never counts below -100


# --- input checks --------------------------------------------------------------------------


def _points(X: Any, name: str, argument: str = "X") -> tuple[np.ndarray, bool]:
    """Points as an (n, d) array, and whether a single point of shape (d,) was given."""
    array = as_float_array(X, name, argument, finite=True)
    if array.ndim == 1:
        if array.size == 0:
            raise ValueError(f"{name}: {argument} is empty; give at least one point")
        return array[None, :], True
    if array.ndim != 2:
        raise ValueError(f"{name}: {argument} must be one point of shape (d,) or a table of "
                         f"points of shape (n, d), one row per point; got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"{name}: {argument} has shape {array.shape}; it needs at least one "
                         "point and one feature")
    return array, False


def _weights(w: Any, d: int | None, name: str) -> np.ndarray:
    """Weights as a (d,) array; d is the number of features the points have."""
    array = as_float_array(w, name, "w", finite=True)
    if array.ndim == 2 and 1 in array.shape:
        raise ValueError(f"{name}: w must be a flat array of shape (d,), one weight per feature; "
                         f"got shape {array.shape}. Use w.ravel() (or np.array([w1, w2])).")
    if array.ndim != 1:
        raise ValueError(f"{name}: w must be a flat array of shape (d,), one weight per feature; "
                         f"got shape {array.shape}")
    if d is not None and array.size != d:
        raise ValueError(f"{name}: the points have {d} feature{'s' * (d != 1)} (columns) but w has "
                         f"{array.size} weight{'s' * (array.size != 1)}. A neuron needs exactly "
                         "one weight per input feature.")
    return array


def _bias(b: Any, name: str) -> float:
    """The bias as a float: a number, or an array or tensor holding exactly one number."""
    if hasattr(b, "detach"):
        b = b.detach().cpu().numpy()
    if isinstance(b, np.ndarray) and b.size == 1:
        b = b.item()
    if isinstance(b, np.ndarray):
        raise TypeError(f"{name}: the bias b must be a single number, not an array of shape "
                        f"{b.shape}. A neuron has one bias, however many inputs it has.")
    return check_number(b, name, "the bias b")


def _labels(y: Any, name: str, n: int | None = None) -> np.ndarray:
    array = as_float_array(y, name, "y")
    if array.ndim == 0:
        array = array[None]
    if array.ndim != 1:
        raise ValueError(f"{name}: labels y must be a flat array of shape (n,), one 0 or 1 per "
                         f"point; got shape {array.shape}")
    bad = ~np.isin(array, (0.0, 1.0))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name}: labels y must be 0 or 1 (class 0 or class 1); got "
                         f"{float(array[i])!r} at index {i}")
    if n is not None and array.size != n:
        raise ValueError(f"{name}: y needs one label per point: there are {n} points but "
                         f"{array.size} labels")
    return array


def _probabilities(p: Any, name: str, n: int) -> np.ndarray:
    array = as_float_array(p, name, "p")
    if array.ndim == 0:
        array = array[None]
    if array.ndim != 1:
        raise ValueError(f"{name}: p must be a flat array of shape (n,), one probability per "
                         f"point; got shape {array.shape}")
    if array.size != n:
        raise ValueError(f"{name}: y and p must have one entry per point, but y has {n} and p "
                         f"has {array.size}")
    bad = ~((array >= 0) & (array <= 1))  # also catches nan
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"{name}: p holds probabilities, which lie between 0 and 1; got "
                         f"{float(array[i])!r} at index {i}. If these are scores z = w·x + b, squash "
                         "them with sigmoid first, or use nll_from_scores(y, z).")
    return array


def _training_inputs(X: Any, y: Any, lr: Any, count: Any, w0: Any, b0: Any, name: str,
                     what: str) -> tuple[np.ndarray, np.ndarray, float, int, np.ndarray, float]:
    """The checked inputs of a training loop: points, labels, lr, a number of passes, w and b."""
    points, _ = _points(X, name)
    labels = _labels(y, name, len(points))
    lr = check_positive(lr, name, "the learning rate lr")
    count = check_whole(count, name, what, minimum=0)
    d = points.shape[1]
    w = np.zeros(d) if w0 is None else _weights(w0, d, name).copy()
    return points, labels, lr, count, w, _bias(b0, name)


def _restore(values: np.ndarray, single: bool) -> Any:
    return float(values[0]) if single else values


# --- the forward pass -----------------------------------------------------------------------


def weighted_sum(X: Any, w: Any, b: Any) -> Any:
    """The score ``z = w · x + b``: a float for one point ``x`` (d,), an (n,) array for ``X`` (n, d)."""
    points, single = _points(X, "weighted_sum")
    w = _weights(w, points.shape[1], "weighted_sum")
    return _restore(points @ w + _bias(b, "weighted_sum"), single)


def step(z: Any) -> Any:
    """The perceptron's activation: 1 where ``z > 0``, 0 elsewhere (``z = 0`` gives 0)."""
    array = as_float_array(z, "step", "z")
    values = (array > 0).astype(np.float64)
    return float(values) if values.ndim == 0 else values


def _activate(z: np.ndarray, activation: str) -> np.ndarray:
    if activation == "sigmoid":
        return np.asarray(sigmoid(z), dtype=np.float64)
    if activation == "step":
        return (z > 0).astype(np.float64)
    if activation == "tanh":
        return np.tanh(z)
    if activation == "relu":
        return np.maximum(z, 0.0)
    return z


def neuron_forward(x: Any, w: Any, b: Any, activation: str = "sigmoid") -> Any:
    """One neuron's output ``activation(w · x + b)`` for one point or a table of points.

    ``activation`` is one of ``"sigmoid"`` (logistic regression), ``"step"`` (the perceptron),
    ``"tanh"``, ``"relu"`` or ``"identity"`` (no squashing: the score itself).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"neuron_forward: unknown activation {activation!r}; choose one of "
                         f"{', '.join(ACTIVATIONS)}")
    points, single = _points(x, "neuron_forward", "x")
    w = _weights(w, points.shape[1], "neuron_forward")
    z = points @ w + _bias(b, "neuron_forward")
    return _restore(_activate(z, activation), single)


def predict_proba(X: Any, w: Any, b: Any) -> Any:
    """Logistic regression: P(y = 1 | x) = σ(w · x + b) for each point, stable for any score.

    ``X`` is one point (d,) (gives a float) or n points (n, d) (gives an (n,) array).
    """
    points, single = _points(X, "predict_proba")
    w = _weights(w, points.shape[1], "predict_proba")
    z = points @ w + _bias(b, "predict_proba")
    return _restore(np.asarray(sigmoid(z), dtype=np.float64), single)


def perceptron_predict(X: Any, w: Any, b: Any) -> Any:
    """The perceptron's answer, 0 or 1, for each point: step(w · x + b)."""
    points, single = _points(X, "perceptron_predict")
    w = _weights(w, points.shape[1], "perceptron_predict")
    z = points @ w + _bias(b, "perceptron_predict")
    return _restore((z > 0).astype(np.float64), single)


# --- the perceptron rule --------------------------------------------------------------------


@dataclass
class PerceptronFit:
    """What :func:`perceptron_fit` learned: the weights, the bias, and the mistakes per epoch.

    ``history`` holds ``(w, b)`` after each epoch; ``converged`` is True once an epoch went by
    without a single mistake (the rule then never changes anything again).
    """

    w: np.ndarray
    b: float
    mistakes: list[int] = field(default_factory=list)
    history: list[tuple[np.ndarray, float]] = field(default_factory=list)

    @property
    def converged(self) -> bool:
        return bool(self.mistakes) and self.mistakes[-1] == 0


def perceptron_fit(X: Any, y: Any, lr: float = 1.0, epochs: int = 20, w0: Any = None,
                   b0: float = 0.0, train_bias: bool = True) -> PerceptronFit:
    """Rosenblatt's perceptron rule: visit the points in order, fix each mistake.

    For a point the perceptron gets wrong, ``w ← w + lr · (y − ŷ) · x`` and
    ``b ← b + lr · (y − ŷ)``: a missed 1 pulls the line towards including it, a false 1 pushes
    it away. Correct points change nothing. Training stops after ``epochs`` passes, or earlier
    after a pass with no mistakes. ``train_bias=False`` keeps ``b`` at ``b0`` (a line forced
    through a fixed threshold), to show what the bias is for.
    """
    points, labels, lr, epochs, w, b = _training_inputs(X, y, lr, epochs, w0, b0,
                                                        "perceptron_fit", "epochs")
    result = PerceptronFit(w.copy(), b)
    for _ in range(epochs):
        mistakes = 0
        for xi, yi in zip(points, labels, strict=True):
            guess = 1.0 if xi @ w + b > 0 else 0.0
            if guess != yi:
                w = w + lr * (yi - guess) * xi
                if train_bias:
                    b = b + lr * (yi - guess)
                mistakes += 1
        result.mistakes.append(mistakes)
        result.history.append((w.copy(), b))
        if mistakes == 0:
            break
    result.w, result.b = w, b
    return result


# --- likelihood -----------------------------------------------------------------------------


def _label_probabilities(y: Any, p: Any, name: str) -> np.ndarray:
    labels = _labels(y, name)
    probs = _probabilities(p, name, labels.size)
    return np.where(labels == 1, probs, 1.0 - probs)


def label_probabilities(y: Any, p: Any) -> np.ndarray:
    """The probability the neuron gave to each point's *actual* label: p if y = 1, 1 − p if y = 0."""
    return _label_probabilities(y, p, "label_probabilities")


def likelihood(y: Any, p: Any) -> float:
    """The likelihood: the product of :func:`label_probabilities`, computed as a plain product.

    It is the probability the neuron gives to seeing exactly these labels (points treated as
    independent). Being a product of many numbers below 1, it *underflows*: beyond a few
    thousand points it is 0.0 in float64, whatever the neuron. Use :func:`log_likelihood`.
    """
    # One multiplication after another, as written on paper (np.prod multiplies in a different
    # order, which changes where exactly the product underflows).
    return float(math.prod(_label_probabilities(y, p, "likelihood").tolist()))


def log_likelihood(y: Any, p: Any) -> float:
    """The log-likelihood ``Σ ln q_i``: the log of :func:`likelihood`, computed as a sum of logs.

    A sum of logs does not underflow. It is ``-inf`` only if some point's label got probability
    exactly 0 (the neuron was certain and wrong).
    """
    q = _label_probabilities(y, p, "log_likelihood")
    with np.errstate(divide="ignore"):
        return float(np.sum(np.log(q)))


def nll(y: Any, p: Any, reduction: str = "mean") -> float:
    """Negative log-likelihood, also called **binary cross-entropy** (BCE).

    ``−mean(y · ln p + (1 − y) · ln(1 − p))`` (``reduction="mean"``, the default, as PyTorch
    does) or the sum over the points (``reduction="sum"``, which is ``−log_likelihood``).
    It is computed as ``−ln q`` with ``q`` = p or 1 − p picked by the label, so a term
    ``0 · ln 0`` never turns into nan, and like PyTorch each log is clamped at −100: a point that
    got probability exactly 0 costs 100, not infinity. Same value as
    ``torch.nn.functional.binary_cross_entropy(p, y)`` (note that torch takes ``p`` first).
    """
    if reduction not in ("mean", "sum"):
        raise ValueError(f"nll: reduction must be 'mean' or 'sum', got {reduction!r}")
    q = _label_probabilities(y, p, "nll")
    with np.errstate(divide="ignore"):
        costs = -np.maximum(np.log(q), LOG_CLAMP)
    return float(costs.mean() if reduction == "mean" else costs.sum())


def nll_from_scores(y: Any, z: Any, reduction: str = "mean") -> float:
    """The same loss as :func:`nll` but from the scores ``z`` (before the sigmoid), never rounding.

    Uses ``−ln σ(z) = ln(1 + e^−z)`` and ``−ln(1 − σ(z)) = ln(1 + e^z)``, so each term is
    ``ln(1 + e^z) − y · z``, computed with ``np.logaddexp`` (no overflow, no log of 0, no clamp).
    This is ``torch.nn.functional.binary_cross_entropy_with_logits(z, y)``.
    """
    if reduction not in ("mean", "sum"):
        raise ValueError(f"nll_from_scores: reduction must be 'mean' or 'sum', got {reduction!r}")
    labels = _labels(y, "nll_from_scores")
    scores = as_float_array(z, "nll_from_scores", "z", finite=True)
    if scores.ndim == 0:
        scores = scores[None]
    if scores.shape != labels.shape:
        raise ValueError(f"nll_from_scores: y and z must have one entry per point, but y has "
                         f"shape {labels.shape} and z has shape {scores.shape}")
    costs = np.logaddexp(0.0, scores) - labels * scores
    return float(costs.mean() if reduction == "mean" else costs.sum())


# --- fitting ----------------------------------------------------------------------------------


def nll_gradient(X: Any, y: Any, w: Any, b: Any) -> tuple[np.ndarray, float]:
    """Slopes of the mean NLL with respect to ``w`` and ``b``: ``(Xᵀ(p − y) / n, mean(p − y))``.

    Each point pushes each weight by (its error p − y) × (its input): chapters 05 and 06 derive it.
    """
    points, _ = _points(X, "nll_gradient")
    labels = _labels(y, "nll_gradient", len(points))
    w = _weights(w, points.shape[1], "nll_gradient")
    error = np.asarray(sigmoid(points @ w + _bias(b, "nll_gradient"))) - labels
    return points.T @ error / len(labels), float(error.mean())


@dataclass
class LogisticFit:
    """What :func:`fit_logistic` found: weights, bias, and the mean NLL before each step."""

    w: np.ndarray
    b: float
    losses: np.ndarray


def fit_logistic(X: Any, y: Any, lr: float = 1.0, steps: int = 1000, w0: Any = None,
                 b0: float = 0.0) -> LogisticFit:
    """Fit a sigmoid neuron by gradient descent on the mean NLL.

    Starting from ``w0`` (zeros by default) and ``b0``, take ``steps`` steps of
    ``w ← w − lr · ∂NLL/∂w`` and ``b ← b − lr · ∂NLL/∂b``. ``losses`` has ``steps + 1`` entries:
    the mean NLL before each step and after the last. (On data that one line separates
    perfectly the weights keep growing, because a steeper sigmoid always lowers the loss.)
    """
    points, labels, lr, steps, w, b = _training_inputs(X, y, lr, steps, w0, b0,
                                                       "fit_logistic", "steps")
    losses = []
    for _ in range(steps):
        losses.append(nll_from_scores(labels, points @ w + b))
        dw, db = nll_gradient(points, labels, w, b)
        w, b = w - lr * dw, b - lr * db
    losses.append(nll_from_scores(labels, points @ w + b))
    return LogisticFit(w, float(b), np.array(losses))


# --- the decision boundary --------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionLine:
    """The line ``a·x + b·y = c`` where a two-input neuron's score is 0 (σ = ½).

    ``coefficients`` are ``(a, b) = (w1, w2)`` (here b is a coefficient, not the bias),
    ``constant`` is ``c = −bias``. ``x`` and ``y`` are the line's two end points inside the box
    it was asked for (empty arrays when the line misses the box).
    """

    coefficients: tuple[float, float]
    constant: float
    x: np.ndarray
    y: np.ndarray

    @property
    def equation(self) -> str:
        (a, b), c = self.coefficients, self.constant
        text = f"{a:.2f}·x {'-' if b < 0 else '+'} {abs(b):.2f}·y = {c:.2f}"
        return text.replace("-", "−")  # a true minus sign, as in the notebooks' prose

    @property
    def visible(self) -> bool:
        return self.x.size == 2


def _box(limits: Any, name: str, what: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in limits)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: {what} must be a pair of numbers (low, high), got "
                        f"{limits!r}") from None
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise ValueError(f"{name}: {what} must be (low, high) with low < high, got {limits!r}")
    return lo, hi


def decision_line(w: Any, b: Any, xlim: Any = (-4.0, 4.0),
                  ylim: Any = (-4.0, 4.0)) -> DecisionLine | None:
    """Where the neuron with weights ``w = (w1, w2)`` and bias ``b`` says exactly 50/50.

    ``w1·x + w2·y + b = 0`` is the line ``a·x + b·y = c`` with ``a = w1``, ``b = w2`` and
    ``c = −bias``. Returns its end points clipped to the box ``xlim × ylim``, or ``None`` when
    both weights are 0: the score is then the bias everywhere and there is no line.
    """
    w = _weights(w, 2, "decision_line")
    bias = _bias(b, "decision_line")
    lo = np.array([_box(xlim, "decision_line", "xlim")[0], _box(ylim, "decision_line", "ylim")[0]])
    hi = np.array([_box(xlim, "decision_line", "xlim")[1], _box(ylim, "decision_line", "ylim")[1]])
    norm2 = float(w @ w)
    if norm2 == 0.0:
        return None
    c = 0.0 - bias  # not -bias, which prints as -0.00 for a bias of 0
    start = c * w / norm2                        # the point of the line nearest the origin
    direction = np.array([-w[1], w[0]]) / math.sqrt(norm2)  # along the line (w is across it)
    t_lo, t_hi = -math.inf, math.inf
    for k in range(2):
        if direction[k] == 0.0:
            if not lo[k] <= start[k] <= hi[k]:
                t_lo, t_hi = 1.0, 0.0  # parallel to this side of the box and outside it
        else:
            t1, t2 = sorted(((lo[k] - start[k]) / direction[k], (hi[k] - start[k]) / direction[k]))
            t_lo, t_hi = max(t_lo, t1), min(t_hi, t2)
    coefficients = (float(w[0]), float(w[1]))
    if t_lo >= t_hi:
        return DecisionLine(coefficients, c, np.empty(0), np.empty(0))
    ends = start[None, :] + np.array([t_lo, t_hi])[:, None] * direction[None, :]
    return DecisionLine(coefficients, c, ends[:, 0], ends[:, 1])


__all__ = [
    "ACTIVATIONS",
    "DecisionLine",
    "LogisticFit",
    "PerceptronFit",
    "decision_line",
    "fit_logistic",
    "label_probabilities",
    "likelihood",
    "log_likelihood",
    "neuron_forward",
    "nll",
    "nll_from_scores",
    "nll_gradient",
    "perceptron_fit",
    "perceptron_predict",
    "predict_proba",
    "step",
    "weighted_sum",
]
