"""Embeddings: tokens as vectors (chapter 09).

* :func:`one_hot` and :func:`lookup` — a token id as a one-hot vector, and the row of an
  embedding matrix it picks out (the same thing: ``one_hot(i) @ E == E[i]``).
* :func:`bag_of_words` — a whole text as one vector of word counts (order is lost).
* word2vec **skip-gram with negative sampling**: :func:`skipgram_pairs` makes (centre word,
  context word) pairs, :func:`sgns_loss_and_grads` is its loss and the gradients derived by
  hand, :func:`train_word2vec` trains the vectors with SGD.
* :func:`cosine_similarities`, :func:`nearest_neighbours` and :func:`project_2d` — how to look
  at what was learned.

The skip-gram loss of one pair (centre vector v, context vector u, K negative vectors n_k)::

    loss = -log σ(u·v) - Σ_k log σ(-n_k·v)

and its gradients, with s = σ(u·v) and s_k = σ(n_k·v)::

    ∂loss/∂v = (s - 1) u + Σ_k s_k n_k      ∂loss/∂u = (s - 1) v      ∂loss/∂n_k = s_k v
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from .validate import as_float_array, check_positive, check_whole

# --- checks -------------------------------------------------------------------------------------


def as_ids(ids: Any, vocab_size: int, name: str, what: str = "the token ids") -> np.ndarray:
    """``ids`` as an int64 array with every entry in ``range(vocab_size)``, or a clear error."""
    check_whole(vocab_size, name, "the vocabulary size", minimum=1)
    if hasattr(ids, "detach"):
        ids = ids.detach().cpu().numpy()
    array = np.asarray(ids)
    if array.dtype.kind not in "iu" or array.dtype == bool:
        if array.dtype.kind == "f" and array.size and np.all(array == np.round(array)):
            raise TypeError(f"{name}: {what} must be integers, not floats like {array.flat[0]!r}; "
                            f"use .astype(int)")
        raise TypeError(f"{name}: {what} must be whole numbers (token ids), "
                        f"not {array.dtype} values")
    if array.size:
        low, high = int(array.min()), int(array.max())
        if low < 0 or high >= vocab_size:
            bad = low if low < 0 else high
            raise ValueError(f"{name}: the id {bad} is outside the vocabulary: ids go from 0 to "
                             f"{vocab_size - 1} ({vocab_size} tokens)")
    return array.astype(np.int64)


def as_matrix(matrix: Any, name: str, what: str = "the embedding matrix") -> np.ndarray:
    """A 2-D float array with at least one row and one column (no nan or inf)."""
    array = as_float_array(matrix, name, what, finite=True)
    if array.ndim != 2 or 0 in array.shape:
        raise ValueError(f"{name}: {what} must be a 2-D matrix with one row per token, "
                         f"got shape {array.shape}")
    return array


# --- one-hot, lookup, bag of words --------------------------------------------------------------


def one_hot(ids: Any, vocab_size: int) -> np.ndarray:
    """One row per id: all zeros except a 1 in the id's column. Shape ``(*ids.shape, vocab_size)``."""
    ids = as_ids(ids, vocab_size, "one_hot")
    return np.eye(vocab_size)[ids]


def lookup(matrix: Any, ids: Any) -> np.ndarray:
    """The rows of the embedding ``matrix`` (vocab_size × dim) for the ids: ``matrix[ids]``."""
    matrix = as_matrix(matrix, "lookup")
    return matrix[as_ids(ids, matrix.shape[0], "lookup")]


def bag_of_words(words: Sequence[str], vocabulary: Sequence[str]) -> np.ndarray:
    """How often each word of ``vocabulary`` occurs in ``words``: one count per vocabulary word.

    Words not in the vocabulary are not counted. The order of ``words`` does not matter, which
    is exactly what a bag of words forgets.
    """
    if isinstance(words, str) or isinstance(vocabulary, str):
        raise TypeError("bag_of_words: pass lists of words (e.g. text.split()), not one string")
    vocabulary = list(vocabulary)
    if not vocabulary:
        raise ValueError("bag_of_words: the vocabulary is empty")
    index = {w: i for i, w in enumerate(vocabulary)}
    counts = np.zeros(len(vocabulary))
    for w in words:
        if w in index:
            counts[index[w]] += 1
    return counts


# --- similarity ------------------------------------------------------------------------------------


def cosine_similarities(matrix: Any, vector: Any) -> np.ndarray:
    """The cosine of the angle between each row of ``matrix`` and ``vector`` (0 for a zero row)."""
    matrix = as_matrix(matrix, "cosine_similarities")
    vector = as_float_array(vector, "cosine_similarities", "the vector", finite=True)
    if vector.shape != (matrix.shape[1],):
        raise ValueError(f"cosine_similarities: the vector has shape {vector.shape} but the rows "
                         f"of the matrix have {matrix.shape[1]} numbers")
    norms = np.linalg.norm(matrix, axis=1) * np.linalg.norm(vector)
    dots = matrix @ vector
    return np.divide(dots, norms, out=np.zeros_like(dots), where=norms > 0)


def nearest_neighbours(matrix: Any, index: int, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows most similar (by cosine) to row ``index``, itself left out, most similar
    first: their indices and their cosine similarities."""
    matrix = as_matrix(matrix, "nearest_neighbours")
    [index] = as_ids([index], matrix.shape[0], "nearest_neighbours", "the row index")
    k = check_whole(k, "nearest_neighbours", "k", minimum=1)
    if k > matrix.shape[0] - 1:
        raise ValueError(f"nearest_neighbours: k = {k}, but there are only "
                         f"{matrix.shape[0] - 1} other rows")
    sims = cosine_similarities(matrix, matrix[index])
    sims[index] = -np.inf
    order = np.argsort(-sims, kind="stable")[:k]
    return order, sims[order]


def project_2d(vectors: Any) -> np.ndarray:
    """The vectors projected onto their two main directions (PCA): shape (n, 2).

    The signs are fixed (each axis points towards its largest coordinate), so the picture is
    the same on every run.
    """
    X = as_matrix(vectors, "project_2d", "the vectors")
    if X.shape[0] < 2 or X.shape[1] < 2:
        raise ValueError(f"project_2d needs at least 2 vectors of at least 2 numbers, got {X.shape}")
    X = X - X.mean(axis=0)
    _, _, vt = np.linalg.svd(X, full_matrices=False)
    axes = vt[:2]
    axes *= np.sign(axes[np.arange(2), np.abs(axes).argmax(axis=1)])[:, None]
    return X @ axes.T


def random_cosines(dim: int, pairs: int = 2000, seed: int = 0) -> np.ndarray:
    """Cosine similarities of ``pairs`` pairs of random Gaussian vectors in ``dim`` dimensions."""
    dim = check_whole(dim, "random_cosines", "the dimension dim", minimum=1)
    pairs = check_whole(pairs, "random_cosines", "the number of pairs", minimum=1)
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((2, pairs, dim))
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


# --- word2vec: skip-gram with negative sampling -------------------------------------------------


@dataclass
class Vocabulary:
    """The words kept for training, most frequent first, their counts and the corpus as ids."""

    words: list[str]
    counts: np.ndarray
    ids: np.ndarray
    index: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def id(self, word: str) -> int:
        """The id of ``word``, or an error that says it is not in the vocabulary."""
        if word not in self.index:
            raise KeyError(f"{word!r} is not in the vocabulary ({len(self.words)} words seen "
                           f"often enough to keep)")
        return self.index[word]


def build_vocabulary(words: Sequence[str], min_count: int = 5) -> Vocabulary:
    """Keep the words seen at least ``min_count`` times (most frequent first; ties
    alphabetical) and write the corpus as their ids, dropping the rarer words."""
    if isinstance(words, str):
        raise TypeError("build_vocabulary: pass a list of words (e.g. text.split()), not one string")
    min_count = check_whole(min_count, "build_vocabulary", "min_count", minimum=1)
    counts = Counter(words)
    if not counts:
        raise ValueError("build_vocabulary: the list of words is empty")
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    if not kept:
        raise ValueError(f"build_vocabulary: no word occurs {min_count} times; lower min_count")
    index = {w: i for i, w in enumerate(kept)}
    ids = np.array([index[w] for w in words if w in index], dtype=np.int64)
    return Vocabulary(kept, np.array([counts[w] for w in kept], dtype=np.int64), ids)


def skipgram_pairs(ids: Any, window: int, rng: np.random.Generator | None = None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """(centre, context) id pairs: every word with each word up to ``window`` places away.

    With ``rng``, each centre word uses a random window from 1 to ``window`` (as word2vec does),
    so close neighbours count more than distant ones.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.dtype.kind not in "iu":
        raise TypeError("skipgram_pairs: ids must be a 1-D array of token ids")
    window = check_whole(window, "skipgram_pairs", "the window", minimum=1)
    reach = (rng.integers(1, window + 1, size=len(ids)) if rng is not None
             else np.full(len(ids), window))
    centres, contexts = [], []
    for offset in range(1, min(window, len(ids) - 1) + 1):
        left, right = ids[:-offset], ids[offset:]
        forward = reach[:-offset] >= offset   # centre on the left, context to its right
        backward = reach[offset:] >= offset   # centre on the right, context to its left
        centres += [left[forward], right[backward]]
        contexts += [right[forward], left[backward]]
    if not centres:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(centres), np.concatenate(contexts)


def log_sigmoid(x: np.ndarray) -> np.ndarray:
    """log σ(x) without overflow: −log(1 + e^(−x))."""
    return -np.logaddexp(0.0, -x)


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + e^(−x)) without overflow."""
    return np.exp(log_sigmoid(x))


def sgns_row_gradients(v: np.ndarray, u: np.ndarray, n: np.ndarray
                       ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Mean skip-gram loss of a batch and its gradients with respect to each vector.

    ``v``: centre vectors (B, d); ``u``: context vectors (B, d); ``n``: negative vectors
    (B, K, d). Returns ``(loss, dv, du, dn)`` with the shapes of ``v``, ``u`` and ``n``.
    """
    batch = v.shape[0]
    pos = np.einsum("bd,bd->b", u, v)
    neg = np.einsum("bkd,bd->bk", n, v)
    loss = -(log_sigmoid(pos).sum() + log_sigmoid(-neg).sum()) / batch
    g_pos = (sigmoid(pos) - 1.0) / batch          # ∂loss/∂(u·v)
    g_neg = sigmoid(neg) / batch                   # ∂loss/∂(n_k·v)
    dv = g_pos[:, None] * u + np.einsum("bk,bkd->bd", g_neg, n)
    du = g_pos[:, None] * v
    dn = g_neg[:, :, None] * v[:, None, :]
    return float(loss), dv, du, dn


def sgns_loss_and_grads(W_in: Any, W_out: Any, centres: Any, contexts: Any, negatives: Any
                        ) -> tuple[float, np.ndarray, np.ndarray]:
    """The mean skip-gram loss and its gradients with respect to both whole matrices.

    ``W_in`` (V × d) holds the centre-word vectors (the embedding), ``W_out`` (V × d) the
    context-word vectors; ``centres`` and ``contexts`` are (B,) ids, ``negatives`` (B, K) ids.
    """
    W_in = as_matrix(W_in, "sgns_loss_and_grads", "W_in")
    W_out = as_matrix(W_out, "sgns_loss_and_grads", "W_out")
    if W_in.shape != W_out.shape:
        raise ValueError(f"sgns_loss_and_grads: W_in {W_in.shape} and W_out {W_out.shape} "
                         f"must have the same shape")
    V = W_in.shape[0]
    c = as_ids(centres, V, "sgns_loss_and_grads", "the centre ids")
    o = as_ids(contexts, V, "sgns_loss_and_grads", "the context ids")
    neg = as_ids(negatives, V, "sgns_loss_and_grads", "the negative ids")
    if c.ndim != 1 or c.shape != o.shape or neg.ndim != 2 or neg.shape[0] != c.shape[0] or not len(c):
        raise ValueError(f"sgns_loss_and_grads: expected B centre ids, B context ids and (B, K) "
                         f"negative ids with B ≥ 1; got shapes {c.shape}, {o.shape}, {neg.shape}")
    loss, dv, du, dn = sgns_row_gradients(W_in[c], W_out[o], W_out[neg])
    d_in, d_out = np.zeros_like(W_in), np.zeros_like(W_out)
    add_rows(d_in, c, dv)
    add_rows(d_out, np.concatenate([o, neg.ravel()]),
             np.concatenate([du, dn.reshape(-1, W_in.shape[1])]))
    return loss, d_in, d_out


def add_rows(matrix: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """``matrix[rows[i]] += values[i]`` for every i, in place, adding up repeated rows.

    The same as ``np.add.at(matrix, rows, values)``, several times faster: sort the rows, add
    up each run of equal rows with ``np.add.reduceat``, then add each sum once.
    """
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    matrix[sorted_rows[starts]] += np.add.reduceat(values[order], starts, axis=0)


@dataclass
class Word2Vec:
    """Trained word vectors: ``W_in`` (the embeddings), ``W_out``, the words, the loss curve."""

    words: list[str]
    W_in: np.ndarray
    W_out: np.ndarray
    losses: list[float]

    def __post_init__(self) -> None:
        self.index = {w: i for i, w in enumerate(self.words)}

    def vector(self, word: str) -> np.ndarray:
        if word not in self.index:
            raise KeyError(f"{word!r} is not in the vocabulary of these vectors "
                           f"({len(self.words)} words)")
        return self.W_in[self.index[word]]

    def neighbours(self, word: str, k: int = 5) -> list[tuple[str, float]]:
        """The ``k`` words whose vectors are closest to ``word``'s by cosine similarity."""
        self.vector(word)
        rows, sims = nearest_neighbours(self.W_in, self.index[word], k)
        return [(self.words[i], float(s)) for i, s in zip(rows, sims, strict=True)]


def train_word2vec(vocab: Vocabulary, dim: int = 64, window: int = 4, negatives: int = 5,
                   epochs: int = 3, lr: float = 0.5, batch_size: int = 256,
                   subsample: float = 1e-3, seed: int = 0, progress: bool = True) -> Word2Vec:
    """Train skip-gram with negative sampling on ``vocab.ids`` with mini-batch SGD.

    Each epoch drops very frequent words at random (``subsample``: a word making up a share f
    of the corpus is kept with probability √(subsample/f), at most 1), makes the pairs with
    :func:`skipgram_pairs`, shuffles them, and for each batch draws ``negatives`` random words
    per pair from the unigram distribution raised to the power 0.75. The learning rate falls
    linearly to almost 0. Returns the vectors and the mean loss of every 50 batches.
    """
    if not isinstance(vocab, Vocabulary):
        raise TypeError("train_word2vec needs a Vocabulary from build_vocabulary(words)")
    dim = check_whole(dim, "train_word2vec", "the vector size dim", minimum=1)
    negatives = check_whole(negatives, "train_word2vec", "the number of negatives", minimum=1)
    epochs = check_whole(epochs, "train_word2vec", "epochs", minimum=1)
    batch_size = check_whole(batch_size, "train_word2vec", "batch_size", minimum=1)
    lr = check_positive(lr, "train_word2vec", "the learning rate lr")
    subsample = check_positive(subsample, "train_word2vec", "subsample")
    if len(vocab.ids) < 2:
        raise ValueError("train_word2vec: the corpus needs at least 2 words")
    rng = np.random.default_rng(seed)
    V = len(vocab)
    W_in = ((rng.random((V, dim)) - 0.5) / dim).astype(np.float32)  # float32: half the memory traffic
    W_out = np.zeros((V, dim), dtype=np.float32)
    share = vocab.counts / vocab.counts.sum()
    keep = np.minimum(1.0, np.sqrt(subsample / share))
    noise = np.cumsum(vocab.counts ** 0.75)
    noise /= noise[-1]
    epoch_pairs = [None] * epochs
    losses: list[float] = []
    running: list[float] = []
    step, total = 0, None
    bar = tqdm(total=epochs, desc="word2vec", unit="epoch", disable=not progress)
    for epoch in range(epochs):
        kept = vocab.ids[rng.random(len(vocab.ids)) < keep[vocab.ids]]
        centres, contexts = skipgram_pairs(kept, window, rng)
        order = rng.permutation(len(centres))
        epoch_pairs[epoch] = len(order)
        if total is None:  # the number of steps, estimated from the first epoch
            total = epochs * -(-len(order) // batch_size)
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            c, o = centres[batch], contexts[batch]
            neg = np.searchsorted(noise, rng.random((len(batch), negatives)))
            neg = np.minimum(neg, V - 1)
            loss, dv, du, dn = sgns_row_gradients(W_in[c], W_out[o], W_out[neg])
            rate = np.float32(lr * max(1e-4, 1 - step / total) * len(batch))  # per-pair step size lr
            add_rows(W_in, c, -rate * dv)
            add_rows(W_out, np.concatenate([o, neg.ravel()]),
                     -rate * np.concatenate([du, dn.reshape(-1, dim)]))
            running.append(loss)
            if len(running) == 50:
                losses.append(float(np.mean(running)))
                running = []
            step += 1
        bar.update(1)
    bar.close()
    return Word2Vec(list(vocab.words), W_in, W_out, losses)


__all__ = [
    "Vocabulary",
    "Word2Vec",
    "add_rows",
    "as_ids",
    "bag_of_words",
    "build_vocabulary",
    "cosine_similarities",
    "log_sigmoid",
    "lookup",
    "nearest_neighbours",
    "one_hot",
    "project_2d",
    "random_cosines",
    "sgns_loss_and_grads",
    "sgns_row_gradients",
    "sigmoid",
    "skipgram_pairs",
    "train_word2vec",
]
