"""Softmax and cross-entropy, computed so that no logit is too large (chapter 07 builds these).

A classifier ends with one score per class, the *logits*. :func:`softmax` turns a row of logits
into probabilities (positive, summing to 1); :func:`cross_entropy` scores those probabilities
against the true labels; :func:`cross_entropy_grad` is its gradient with respect to the logits,
the signal that backprop sends into the network.

The textbook softmax ``e**z / sum(e**z)`` overflows once a logit passes about 709.78 (float64)
or 88.72 (float32). Softmax does not change when the same number is subtracted from every entry
of a row, so the stable version subtracts the row's largest logit first: the biggest power is
then ``e**0 = 1`` and nothing can overflow. :func:`naive_softmax` keeps the textbook formula to
show what goes wrong without that step. The log of a probability is computed directly
(:func:`log_softmax`) rather than as ``log(softmax(z))``, which is ``log(0) = −inf`` whenever a
probability rounds to 0.

Every function takes a NumPy array (or a list) of logits; integers become float64, ``float32``
stays ``float32``. Softmax works along ``axis`` (the last one by default), so a 2-D array holds
one example per row.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .validate import as_float_array


def _as_logits(logits: Any, name: str, axis: int | None = -1) -> np.ndarray:
    """``logits`` as a float array with something to normalise along ``axis``, or a clear error.

    A float NumPy array is used as it is (so ``float32`` stays ``float32``); anything else goes
    through :func:`~course_utils.validate.as_float_array` and becomes ``float64``.
    """
    if isinstance(logits, np.ndarray) and logits.dtype.kind == "f":
        array = logits
    else:
        array = as_float_array(logits, name, "the array of logits", allow_bool=False)
    if array.ndim == 0:
        raise ValueError(f"{name} needs at least two logits to compare, got the single number "
                         f"{float(array)!r}; pass a 1-D array (one example) or a 2-D array "
                         "(one example per row)")
    if axis is not None:
        if not -array.ndim <= axis < array.ndim:
            raise ValueError(f"{name}: axis {axis} does not exist for an array of shape "
                             f"{array.shape}; use axis=-1 (the last axis)")
        if array.shape[axis] == 0:
            raise ValueError(f"{name}: there are no logits along axis {axis} "
                             f"(shape {array.shape})")
    if np.isnan(array).any():
        raise ValueError(f"{name}: the logits contain nan (not a number). Something upstream "
                         "went wrong, e.g. a weight that became inf during training.")
    if np.isposinf(array).any():
        raise ValueError(f"{name}: a logit is +inf, so its probability is undefined (inf/inf). "
                         "Something upstream overflowed; check the layer before the softmax.")
    if axis is not None and np.isneginf(array).all(axis=axis).any():
        raise ValueError(f"{name}: every logit in a row is −inf, so no class has any "
                         "probability and the row cannot be normalised")
    return array


def naive_softmax(logits: Any, axis: int = -1) -> np.ndarray:
    """The textbook formula ``e**z / sum(e**z)`` exactly as written (for demonstrations).

    Correct for small logits, but ``e**z`` overflows to ``inf`` once a logit passes 709.78
    (float64) or 88.72 (float32), and then ``inf / inf`` gives ``nan``. Use :func:`softmax`.
    """
    z = _as_logits(logits, "naive_softmax", axis)
    e = np.exp(z)
    return e / e.sum(axis=axis, keepdims=True)


def softmax(logits: Any, axis: int = -1) -> np.ndarray:
    """Probabilities from logits: ``e**z / sum(e**z)`` along ``axis``, without overflow.

    Subtracting each row's largest logit first changes nothing mathematically (the factor
    ``e**-max`` cancels between top and bottom) but makes every power ``e**(z - max) <= 1``,
    and the sum at least 1. ``-inf`` logits get probability exactly 0 (the way masks work).
    """
    z = _as_logits(logits, "softmax", axis)
    shifted = z - z.max(axis=axis, keepdims=True)
    with np.errstate(under="ignore"):  # e**-1000 rounding to 0 is the right answer
        e = np.exp(shifted)
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(logits: Any, axis: int = -1) -> np.ndarray:
    """``log(softmax(z))`` computed directly: ``z − max − log(sum(e**(z − max)))``.

    Never ``log(0)``: a class whose probability is too small for a float (``e**-1000``) still
    gets its exact log-probability, ``-1000``, instead of ``-inf``.
    """
    z = _as_logits(logits, "log_softmax", axis)
    shifted = z - z.max(axis=axis, keepdims=True)
    with np.errstate(under="ignore"):
        total = np.exp(shifted).sum(axis=axis, keepdims=True)
    return shifted - np.log(total)


def _as_labels(labels: Any, n_rows: int | None, n_classes: int, name: str) -> np.ndarray:
    """Labels as a 1-D int64 array of class indices matching the logits, or a clear error."""
    if labels is None or isinstance(labels, (str, bytes, dict, set)):
        raise TypeError(f"{name} needs labels as an array of class numbers such as [7, 2, 1], "
                        f"not {type(labels).__name__}")
    if hasattr(labels, "detach"):
        labels = labels.detach().cpu().numpy()
    array = np.asarray(labels)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim == 2 and array.shape[1] == n_classes and n_rows in (None, array.shape[0]):
        raise ValueError(f"{name}: the labels have shape {array.shape}, like one-hot rows. Pass "
                         "the class numbers instead: labels.argmax(axis=1)")
    if array.ndim != 1:
        raise ValueError(f"{name}: labels should be a 1-D array with one class number per row "
                         f"of logits, but they have shape {array.shape}")
    if array.dtype.kind == "b" or array.dtype.kind not in "iuf":
        raise TypeError(f"{name}: labels must be whole class numbers such as 0, 1, …, "
                        f"{n_classes - 1}, not {array.dtype}")
    if array.dtype.kind == "f":
        if not np.all(np.isfinite(array)) or not np.all(array == np.round(array)):
            raise TypeError(f"{name}: labels must be whole class numbers (0, 1, …, "
                            f"{n_classes - 1}), not fractions; got {array[:5]}")
    array = array.astype(np.int64)
    if n_rows is not None and len(array) != n_rows:
        raise ValueError(f"{name}: there are {len(array)} labels but {n_rows} rows of logits; "
                         "each row (example) needs exactly one label")
    bad = (array < 0) | (array >= n_classes)
    if bad.any():
        raise ValueError(f"{name}: label {int(array[bad][0])} is not a class: with {n_classes} "
                         f"logits per row the classes are 0 to {n_classes - 1}")
    return array


def _as_batch(logits: Any, labels: Any, name: str) -> tuple[np.ndarray, np.ndarray]:
    z = _as_logits(logits, name, axis=None)
    if z.ndim != 2:
        raise ValueError(f"{name} needs 2-D logits, one row per example, but they have shape "
                         f"{z.shape}. For a single example use logits[None, :] and labels=[y].")
    if z.shape[0] == 0:
        raise ValueError(f"{name}: there are no examples (logits of shape {z.shape})")
    z = _as_logits(z, name, axis=1)
    return z, _as_labels(labels, z.shape[0], z.shape[1], name)


def one_hot(labels: Any, n_classes: int = 10) -> np.ndarray:
    """``(n, n_classes)`` float array with a single 1 per row, at the label's column."""
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 1:
        raise ValueError(f"one_hot: n_classes must be a positive whole number, got {n_classes!r}")
    y = _as_labels(labels, None, int(n_classes), "one_hot")
    out = np.zeros((len(y), int(n_classes)))
    out[np.arange(len(y)), y] = 1.0
    return out


def cross_entropy(logits: Any, labels: Any) -> float:
    """Mean over the rows of ``−log softmax(z)[label]``: the loss of a classifier.

    ``logits``: shape ``(n, k)``, one row of k scores per example. ``labels``: n class numbers
    (0 … k−1). A perfect, sure model scores 0; guessing uniformly scores ``ln k``. Computed from
    :func:`log_softmax`, so a confident mistake costs its true (large, finite) price.
    """
    z, y = _as_batch(logits, labels, "cross_entropy")
    logp = log_softmax(z, axis=1)
    return float(-logp[np.arange(len(y)), y].mean())


def cross_entropy_grad(logits: Any, labels: Any) -> np.ndarray:
    """Gradient of :func:`cross_entropy` with respect to the logits: ``(softmax(z) − Y) / n``.

    ``Y`` is the one-hot form of the labels. Each row pushes the true class's logit up by
    ``1 − p`` and every other logit down by its probability, divided by n because the loss is
    a mean.
    """
    z, y = _as_batch(logits, labels, "cross_entropy_grad")
    grad = softmax(z, axis=1)
    grad[np.arange(len(y)), y] -= 1.0
    return grad / len(y)


__all__ = [
    "cross_entropy",
    "cross_entropy_grad",
    "log_softmax",
    "naive_softmax",
    "one_hot",
    "softmax",
]
