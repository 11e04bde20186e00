"""A digit classifier from scratch in NumPy (chapter 07 builds it): 784 pixels → 128 ReLU → 10.

The network is a dict of four arrays, the same names the notebook uses::

    W1 (784, h)   b1 (h,)     hidden layer:  h = relu(X @ W1 + b1)
    W2 (h, 10)    b2 (10,)    output layer:  logits = h @ W2 + b2

:func:`forward` and :func:`backward` are the two passes (backward is chapter 06's vectorised
layer rule ``dW = xᵀ·δ``, started from the softmax-cross-entropy gradient ``(p − Y) / n``);
:func:`train` runs mini-batch SGD with a progress bar; :func:`predict`, :func:`accuracy` and
:func:`confusion_matrix` judge the result. :mod:`course_utils.torch_mlp` is the same model in
PyTorch.

Everything stays in the dtype of the parameters and inputs: float32 for training (fast), float64
when comparing gradients with torch. Public functions check their inputs with
:func:`check_params`, :func:`check_inputs` and :func:`check_labels`; the training loop checks
once and then calls the unchecked ``_forward`` / ``_backward`` for speed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeAlias

import numpy as np

from .softmax import softmax
from .validate import check_positive, check_whole

Params: TypeAlias = dict[str, np.ndarray]

IMAGE_SIDE = 28
N_PIXELS = IMAGE_SIDE * IMAGE_SIDE
N_CLASSES = 10
PARAM_NAMES = ("W1", "b1", "W2", "b2")


# --- threads ------------------------------------------------------------------------------


def _blas_threads(n: int | None) -> int | None:
    """Set NumPy's BLAS thread count (when threadpoolctl is available); return the old one."""
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:  # then NumPy keeps its own setting
        return None
    old = max((p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"),
              default=None)
    if n is not None:
        threadpool_limits(limits=n, user_api="blas")
    return old


def set_threads(n: int) -> dict[str, int | None]:
    """Let NumPy's matrix products and torch use ``n`` CPU threads; returns the old settings.

    This network's matrices are small (a batch of 32 times 784×128): split over several cores,
    each product spends more time waiting for the other threads than computing, and on a busy
    machine a waiting thread can stall for milliseconds. One thread is as fast and far steadier.
    Pass the returned dict to :func:`restore_threads` to undo the change.
    """
    import torch

    n = check_whole(n, "set_threads", "n", 1)
    old = {"torch": torch.get_num_threads(), "numpy": _blas_threads(n)}
    torch.set_num_threads(n)
    return old


def restore_threads(old: dict[str, int | None]) -> None:
    """Undo :func:`set_threads`: give NumPy and torch back the threads they had before.

    ``old`` is the dict that :func:`set_threads` returned.
    """
    import torch

    if not isinstance(old, dict) or "torch" not in old or "numpy" not in old:
        raise TypeError("restore_threads needs the dict that set_threads returned, e.g. "
                        "old = set_threads(1); ...; restore_threads(old)")
    torch.set_num_threads(check_whole(old["torch"], "restore_threads", "old['torch']", 1))
    if old["numpy"] is not None:
        _blas_threads(check_whole(old["numpy"], "restore_threads", "old['numpy']", 1))


@contextmanager
def limit_threads(n: int = 1) -> Iterator[None]:
    """``with limit_threads(1): ...`` runs the block on ``n`` threads, then restores the old ones."""
    old = set_threads(n)
    try:
        yield
    finally:
        restore_threads(old)


# --- input checks ---------------------------------------------------------------------------


def check_params(params: Any, name: str) -> Params:
    """``params`` if it is the network's dict of four float arrays whose shapes fit together;
    otherwise an error that names the function ``name`` and says which array is wrong."""
    if not isinstance(params, dict):
        raise TypeError(f"{name} needs the network's parameters as a dict with keys "
                        f"{', '.join(PARAM_NAMES)} (see init_params), not {type(params).__name__}")
    missing = [k for k in PARAM_NAMES if k not in params]
    if missing:
        raise KeyError(f"{name}: the parameters have no {', '.join(missing)}; expected the keys "
                       f"{', '.join(PARAM_NAMES)} (see init_params)")
    for key in PARAM_NAMES:
        if not isinstance(params[key], np.ndarray) or params[key].dtype.kind != "f":
            raise TypeError(f"{name}: params[{key!r}] must be a float NumPy array, not "
                            f"{type(params[key]).__name__}")
    W1, b1, W2, b2 = (params[k] for k in PARAM_NAMES)
    if W1.ndim != 2 or W2.ndim != 2 or b1.ndim != 1 or b2.ndim != 1:
        raise ValueError(f"{name}: W1 and W2 must be 2-D and b1 and b2 1-D; got shapes "
                         f"{W1.shape}, {b1.shape}, {W2.shape}, {b2.shape}")
    hidden = W1.shape[1]
    if b1.shape[0] != hidden or W2.shape[0] != hidden:
        raise ValueError(f"{name}: W1 {W1.shape} has {hidden} hidden units, so b1 needs {hidden} "
                         f"entries and W2 {hidden} rows; got b1 {b1.shape} and W2 {W2.shape}")
    if b2.shape[0] != W2.shape[1]:
        raise ValueError(f"{name}: W2 {W2.shape} has {W2.shape[1]} outputs, so b2 needs "
                         f"{W2.shape[1]} entries; got {b2.shape}")
    return params


def check_inputs(X: Any, params: Params, name: str) -> np.ndarray:
    """``X`` if it is a 2-D float NumPy array with one column per input of ``W1`` (its float
    type is kept); otherwise an error that names ``name`` and says how to fix it."""
    if not isinstance(X, np.ndarray):
        raise TypeError(f"{name} needs the inputs X as a NumPy array, not {type(X).__name__}")
    n_in = params["W1"].shape[0]
    if X.ndim == 3 and X.shape[1] * X.shape[2] == n_in:
        raise ValueError(f"{name}: X has shape {X.shape}, a stack of images. The network reads "
                         f"each image as one row of {n_in} numbers: use flatten_images(X)")
    if X.ndim != 2:
        raise ValueError(f"{name}: X must be 2-D, one row per example, but it has shape {X.shape}")
    if X.shape[1] != n_in:
        raise ValueError(f"{name}: X has {X.shape[1]} columns but W1 expects {n_in} inputs: "
                         f"cannot multiply a {X.shape[0]}×{X.shape[1]} matrix by a "
                         f"{n_in}×{params['W1'].shape[1]} matrix")
    if X.dtype.kind != "f":
        raise TypeError(f"{name}: X holds {X.dtype} values; use floats in [0, 1] "
                        "(flatten_images divides the 0–255 pixel values by 255)")
    return X


def check_labels(labels: Any, n: int | None, name: str, what: str = "labels") -> np.ndarray:
    """``labels`` as a 1-D int64 array of digits 0–9 (``n`` of them unless ``n`` is None), or an
    error that names ``name`` and the argument ``what``."""
    if not isinstance(labels, np.ndarray):
        labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise TypeError(f"{name}: {what} must be a 1-D array of whole class numbers 0–9, got "
                        f"{labels.dtype} of shape {labels.shape}")
    if n is not None and len(labels) != n:
        raise ValueError(f"{name}: there are {len(labels)} {what} for {n} examples; "
                         "they must match one to one")
    if len(labels) and (labels.min() < 0 or labels.max() >= N_CLASSES):
        bad = labels[(labels < 0) | (labels >= N_CLASSES)][0]
        raise ValueError(f"{name}: {what} contain {int(bad)}, which is not a digit (0–9)")
    return labels.astype(np.int64, copy=False)


# --- data ---------------------------------------------------------------------------------


def flatten_images(images: Any) -> np.ndarray:
    """``(n, 28, 28)`` uint8 pixels (0–255) → ``(n, 784)`` float32 values in [0, 1].

    Each image becomes one row, read line by line from the top left. Dividing by 255 keeps the
    inputs small, so the first layer's weighted sums start at a sensible size.
    """
    if not isinstance(images, np.ndarray):
        raise TypeError(f"flatten_images needs a NumPy array of images, not {type(images).__name__}")
    if images.ndim == 2 and images.shape == (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError("flatten_images got a single 28×28 image; pass a stack of shape "
                         "(n, 28, 28), e.g. image[None]")
    if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise ValueError(f"flatten_images needs images of shape (n, 28, 28), got {images.shape}")
    if images.dtype != np.uint8:
        raise TypeError(f"flatten_images expects the raw uint8 pixels (0–255) that load_mnist "
                        f"gives, got {images.dtype}")
    return images.reshape(len(images), N_PIXELS).astype(np.float32) / np.float32(255)


# --- the network --------------------------------------------------------------------------


def init_params(n_hidden: int = 128, seed: int = 0, n_in: int = N_PIXELS,
                n_out: int = N_CLASSES, dtype: Any = np.float32) -> Params:
    """Random starting weights, zero biases.

    ``W1`` is drawn with standard deviation ``sqrt(2 / n_in)`` (He initialisation, made for
    ReLU: it keeps the hidden sums at the size of the inputs) and ``W2`` with ``sqrt(1 / n_hidden)``,
    so the first logits are small and the untrained network guesses close to uniformly.
    """
    n_hidden = check_whole(n_hidden, "init_params", "n_hidden", 1)
    n_in = check_whole(n_in, "init_params", "n_in", 1)
    n_out = check_whole(n_out, "init_params", "n_out", 2)
    seed = check_whole(seed, "init_params", "seed", 0)
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"init_params: dtype must be a float type such as np.float32, got {dtype}")
    rng = np.random.default_rng(seed)
    return {
        "W1": (rng.standard_normal((n_in, n_hidden)) * math.sqrt(2 / n_in)).astype(dtype),
        "b1": np.zeros(n_hidden, dtype=dtype),
        "W2": (rng.standard_normal((n_hidden, n_out)) * math.sqrt(1 / n_hidden)).astype(dtype),
        "b2": np.zeros(n_out, dtype=dtype),
    }


def copy_params(params: Params) -> Params:
    """An independent copy (training changes the arrays in place)."""
    check_params(params, "copy_params")
    return {k: params[k].copy() for k in PARAM_NAMES}


def count_parameters(params: Params) -> int:
    """How many numbers training adjusts: 784·128 + 128 + 128·10 + 10 = 101,770 by default."""
    check_params(params, "count_parameters")
    return int(sum(params[k].size for k in PARAM_NAMES))


def _forward(params: Params, X: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    z1 = X @ params["W1"] + params["b1"]
    h = np.maximum(z1, 0)
    logits = h @ params["W2"] + params["b2"]
    return logits, (X, z1, h)


def forward(params: Params, X: Any) -> tuple[np.ndarray, tuple[np.ndarray, ...]]:
    """Logits for a batch ``X`` of shape ``(n, 784)``, and the cache that :func:`backward` needs.

    The cache is ``(X, z1, h)``: the inputs, the hidden layer's weighted sums and its ReLU
    activations.
    """
    params = check_params(params, "forward")
    return _forward(params, check_inputs(X, params, "forward"))


def _loss_and_dlogits(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy and its gradient ``(p − Y) / n``, sharing one stable softmax."""
    n = len(labels)
    rows = np.arange(n)
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = float(np.mean(np.log(total[:, 0]) - shifted[rows, labels]))
    dlogits = e / total
    dlogits[rows, labels] -= 1
    dlogits /= n
    return loss, dlogits


def _backward(params: Params, cache: tuple[np.ndarray, ...],
              labels: np.ndarray) -> tuple[float, Params]:
    X, z1, h = cache
    loss, dlogits = _loss_and_dlogits(h @ params["W2"] + params["b2"], labels)
    dW2 = h.T @ dlogits
    db2 = dlogits.sum(axis=0)
    dh = dlogits @ params["W2"].T
    dz1 = dh * (z1 > 0)  # ReLU passes the gradient only where it was active
    dW1 = X.T @ dz1
    db1 = dz1.sum(axis=0)
    return loss, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


def backward(params: Params, cache: tuple[np.ndarray, ...], labels: Any) -> tuple[float, Params]:
    """The mean cross-entropy of the batch and its gradient for every parameter.

    ``cache`` comes from :func:`forward` on the same ``params``. Each layer applies the rule
    from chapter 06: ``dW = inputsᵀ · δ``, ``db = δ`` summed over the batch, and
    ``δ_below = δ · Wᵀ``, times the ReLU's slope (1 where it was active, else 0).
    """
    params = check_params(params, "backward")
    if not isinstance(cache, tuple) or len(cache) != 3:
        raise TypeError("backward needs the cache that forward returned: "
                        "logits, cache = forward(params, X)")
    X = check_inputs(cache[0], params, "backward")
    labels = check_labels(labels, len(X), "backward")
    return _backward(params, cache, labels)


def sgd_step(params: Params, grads: Params, lr: float) -> None:
    """One step downhill, in place: ``p ← p − lr · grad`` for every parameter."""
    check_params(params, "sgd_step")
    lr = check_positive(lr, "sgd_step", "the learning rate lr")
    for key in PARAM_NAMES:
        if key not in grads or np.shape(grads[key]) != params[key].shape:
            raise ValueError(f"sgd_step: grads[{key!r}] must have the shape of params[{key!r}], "
                             f"{params[key].shape}")
        params[key] -= lr * grads[key]


# --- training -------------------------------------------------------------------------------


@dataclass
class History:
    """What :func:`train` measured: mean training loss and held-out accuracy after each epoch."""

    loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    seconds: float = 0.0  # wall-clock training time (varies from run to run)


def _train_epoch(params: Params, X: np.ndarray, y: np.ndarray, batch_size: int, lr: float,
                 rng: np.random.Generator) -> float:
    order = rng.permutation(len(X))  # a fresh shuffle every epoch
    losses = []
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        _, cache = _forward(params, X[batch])
        loss, grads = _backward(params, cache, y[batch])
        for key in PARAM_NAMES:
            params[key] -= lr * grads[key]
        losses.append(loss)
    return float(np.mean(losses))


def _check_training(params: Any, X: Any, y: Any, batch_size: Any, lr: Any,
                    name: str) -> tuple[Params, np.ndarray, np.ndarray, int, float]:
    params = check_params(params, name)
    X = check_inputs(X, params, name)
    y = check_labels(y, len(X), name)
    if len(X) == 0:
        raise ValueError(f"{name}: there are no training examples")
    batch_size = check_whole(batch_size, name, "batch_size", 1)
    lr = check_positive(lr, name, "the learning rate lr")
    if X.dtype != params["W1"].dtype:
        raise TypeError(f"{name}: X is {X.dtype} but the weights are {params['W1'].dtype}; use "
                        "the same float type for both (float32 trains fastest)")
    return params, X, y, batch_size, lr


def train_epoch(params: Params, X: Any, y: Any, batch_size: int = 32, lr: float = 0.1,
                rng: np.random.Generator | int = 0) -> float:
    """One pass over the data in shuffled mini-batches, updating ``params`` in place.

    Returns the mean loss of the batches. ``rng`` (a generator or a seed) decides the shuffle.
    """
    params, X, y, batch_size, lr = _check_training(params, X, y, batch_size, lr, "train_epoch")
    if not isinstance(rng, np.random.Generator):
        rng = np.random.default_rng(check_whole(rng, "train_epoch", "rng (a seed)", 0))
    return _train_epoch(params, X, y, batch_size, lr, rng)


def train(params: Params, X: Any, y: Any, *, epochs: int = 15, batch_size: int = 32,
          lr: float = 0.1, seed: int = 0, X_val: Any = None, y_val: Any = None,
          progress: bool = True) -> History:
    """Mini-batch SGD: shuffle, cut into batches, step against each batch's mean gradient.

    Updates ``params`` in place and returns a :class:`History`. With ``X_val`` and ``y_val``
    (held-out digits) it also records the accuracy on them after every epoch. ``progress``
    shows a tqdm progress bar with the latest loss.
    """
    params, X, y, batch_size, lr = _check_training(params, X, y, batch_size, lr, "train")
    epochs = check_whole(epochs, "train", "epochs", 1)
    seed = check_whole(seed, "train", "seed", 0)
    if (X_val is None) != (y_val is None):
        raise ValueError("train: give both X_val and y_val (held-out digits), or neither")
    if X_val is not None:
        X_val = check_inputs(X_val, params, "train")
        y_val = check_labels(y_val, len(X_val), "train", "y_val")
    from tqdm.auto import tqdm

    rng = np.random.default_rng(seed)
    history = History()
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc="numpy MLP", unit="epoch", disable=not progress)
    for _ in bar:
        history.loss.append(_train_epoch(params, X, y, batch_size, lr, rng))
        shown = {"loss": f"{history.loss[-1]:.3f}"}
        if X_val is not None:
            history.val_accuracy.append(accuracy(predict(params, X_val), y_val))
            shown["held-out"] = f"{history.val_accuracy[-1]:.1%}"
        bar.set_postfix(shown)
    history.seconds = time.perf_counter() - start
    return history


# --- using and judging the trained network -----------------------------------------------


def predict_proba(params: Params, X: Any) -> np.ndarray:
    """``(n, 10)`` probabilities: the softmax of the logits, one row per example."""
    logits, _ = forward(params, X)
    return softmax(logits, axis=1)


def predict(params: Params, X: Any) -> np.ndarray:
    """The most probable digit for each row of ``X``."""
    logits, _ = forward(params, X)
    return logits.argmax(axis=1)


def accuracy(predicted: Any, labels: Any) -> float:
    """The fraction of predictions equal to the labels (0.0 to 1.0)."""
    predicted = np.asarray(predicted)
    labels = np.asarray(labels)
    if predicted.ndim != 1 or labels.ndim != 1:
        raise ValueError(f"accuracy compares two 1-D arrays of digits; got shapes "
                         f"{predicted.shape} and {labels.shape}. (Probabilities? Use "
                         "probs.argmax(axis=1) first.)")
    if predicted.shape != labels.shape:
        raise ValueError(f"accuracy: {len(predicted)} predictions but {len(labels)} labels")
    if len(labels) == 0:
        raise ValueError("accuracy of no examples is undefined")
    return float(np.mean(predicted == labels))


def confusion_matrix(labels: Any, predicted: Any, n_classes: int = N_CLASSES) -> np.ndarray:
    """``(10, 10)`` counts: row = true digit, column = predicted digit. The diagonal is right."""
    labels = check_labels(labels, None, "confusion_matrix")
    predicted = check_labels(predicted, len(labels), "confusion_matrix", "predictions")
    n_classes = check_whole(n_classes, "confusion_matrix", "n_classes", 1)
    matrix = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predicted), 1)
    return matrix


__all__ = [
    "History",
    "N_CLASSES",
    "N_PIXELS",
    "PARAM_NAMES",
    "Params",
    "accuracy",
    "backward",
    "check_inputs",
    "check_labels",
    "check_params",
    "confusion_matrix",
    "copy_params",
    "count_parameters",
    "flatten_images",
    "forward",
    "init_params",
    "limit_threads",
    "predict",
    "predict_proba",
    "restore_threads",
    "set_threads",
    "sgd_step",
    "train",
    "train_epoch",
]
