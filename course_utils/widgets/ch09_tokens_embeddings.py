"""Chapter 09's demos, pictures and widgets: tokenizers side by side, the production BPE
library, interleaved timings, noun-like words, word neighbours and random directions.

The Hugging Face ``tokenizers`` package is used only here (and in the benchmark), never in
the concept module :mod:`course_utils.tokenizers`, so the course's BPE stands on its own.
"""

from __future__ import annotations

import functools
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import embeddings
from ..timing import Timing
from ..tokenizers import check_text
from ..validate import check_whole
from .core import FigureBox, dropdown, figure_widget, int_slider

ARTICLES = ("the", "a", "an", "my", "thy", "his", "her", "your", "our", "their")


# --- the production tokenizer library -------------------------------------------------------------


def train_library_bpe(text: str, vocab_size: int = 512) -> Any:
    """A Hugging Face ``tokenizers`` byte-level BPE trained on ``text``: the same 256 byte tokens
    to start from, the same GPT-2 chunking rule, ``vocab_size - 256`` merges."""
    check_text(text, "train_library_bpe")
    check_whole(vocab_size, "train_library_bpe", "vocab_size", minimum=256)
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers

    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, show_progress=False, special_tokens=[],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator([text], trainer=trainer)
    return tok


def _byte_alphabet() -> dict[str, int]:
    """The printable character the byte-level library uses for each byte (GPT-2's table)."""
    printable = [*range(33, 127), *range(161, 173), *range(174, 256)]
    chars, extra = {}, 0
    for b in range(256):
        if b in printable:
            chars[chr(b)] = b
        else:
            chars[chr(256 + extra)] = b
            extra += 1
    return chars


def library_vocabulary(tok: Any) -> set[bytes]:
    """The library tokenizer's vocabulary as byte strings, comparable with ``BPETokenizer.vocab``."""
    table = _byte_alphabet()
    return {bytes(table[c] for c in token) for token in tok.get_vocab()}


def interleaved_timings(fns: dict[str, Callable[[], Any]], repeat: int = 3) -> dict[str, Timing]:
    """Time each function ``repeat`` times, taking turns (A B A B …) after one untimed warm-up
    round, so every one sees the same machine load; the medians are fair to compare."""
    repeat = check_whole(repeat, "interleaved_timings", "repeat", minimum=1)
    if not fns or not all(callable(f) for f in fns.values()):
        raise TypeError("interleaved_timings needs a dict of name -> function to call")
    for fn in fns.values():
        fn()
    runs: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            runs[name].append(time.perf_counter() - start)
    return {name: Timing(r) for name, r in runs.items()}


# --- words ----------------------------------------------------------------------------------------


def noun_like_words(words: Sequence[str], k: int = 5) -> list[str]:
    """The ``k`` most frequent words that follow an article or a possessive ("the", "my",
    "thy", …) at least half of the times they occur: a rule that picks nouns without a
    dictionary (lord, father, son …)."""
    if isinstance(words, str) or not len(words):
        raise TypeError("noun_like_words needs a non-empty list of lower-case words")
    k = check_whole(k, "noun_like_words", "k", minimum=1)
    total = Counter(words)
    after = Counter(b for a, b in zip(words, words[1:], strict=False) if a in ARTICLES)
    ranked = sorted(total, key=lambda w: (-total[w], w))
    return [w for w in ranked if after[w] * 2 >= total[w]][:k]


# --- pictures ---------------------------------------------------------------------------------------


def draw_compression(history: Sequence[int], n_bytes: int,
                     library_tokens: Mapping[int, int] | None = None) -> Figure:
    """Bytes per token of the training text after each merge; ``library_tokens`` maps a number
    of merges to the library's token count for the same text, drawn as points."""
    history = np.asarray(history, dtype=float)
    fig, ax = plt.subplots(figsize=(6.4, 3.0))
    ax.plot(np.arange(len(history)), n_bytes / history, label="course BPE (from scratch)")
    if library_tokens:
        merges = sorted(library_tokens)
        ax.plot(merges, [n_bytes / library_tokens[m] for m in merges], "o", color="C3",
                markersize=8, fillstyle="none", label="Hugging Face tokenizers")
    ax.set(xlabel="number of merges (vocabulary = 256 + merges)", ylabel="bytes per token",
           title="Compression of Tiny Shakespeare as the vocabulary grows")
    ax.legend(loc="lower right")
    return fig


def neighbour_view(model: embeddings.Word2Vec, word: str, k: int = 8
                   ) -> tuple[list[tuple[str, float]], np.ndarray]:
    """The ``k`` nearest neighbours of ``word``, and where it and they lie on the 2-D map of
    the whole vocabulary (its two main directions)."""
    neighbours = model.neighbours(word, k)
    rows = [model.index[w] for w in [word] + [w for w, _ in neighbours]]
    return neighbours, _vocabulary_map(model)[rows]


def _vocabulary_map(model: embeddings.Word2Vec) -> np.ndarray:
    """Every word vector projected onto the two main directions of all of them (kept per model)."""
    cached = getattr(model, "_map_2d", None)
    if cached is None or cached.shape[0] != model.W_in.shape[0]:
        cached = embeddings.project_2d(model.W_in)
        model._map_2d = cached
    return cached


def draw_neighbours(model: embeddings.Word2Vec, word: str, k: int = 8) -> Figure:
    """Bars of the neighbours' cosine similarities, and the group projected to 2-D."""
    neighbours, coords = neighbour_view(model, word, k)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.6, 3.2))
    names = [w for w, _ in neighbours][::-1]
    left.barh(names, [s for _, s in neighbours][::-1], color="C0")
    left.set(xlim=(0, 1), xlabel="cosine similarity", title=f"Nearest to {word!r}")
    right.scatter(coords[1:, 0], coords[1:, 1], color="C0")
    right.scatter(coords[:1, 0], coords[:1, 1], color="C3", s=60)
    for (x, y), name in zip(coords, [word] + [w for w, _ in neighbours], strict=True):
        right.annotate(name, (x, y), fontsize=8, xytext=(3, 3), textcoords="offset points")
    right.set(xticks=[], yticks=[], title="Where they lie on the 2-D map of all words")
    fig.tight_layout()
    return fig


def neighbours_widget(model: embeddings.Word2Vec, words: Sequence[str],
                      first: str | None = None) -> FigureBox:
    """Pick a word (from ``words``; ``first`` shown first) and a number of neighbours; see
    them and where they lie on the map of all words."""
    words = list(words)
    for w in words:
        model.vector(w)  # fail here, with a clear message, for a word without a vector
    if first is not None and first not in words:
        raise ValueError(f"neighbours_widget: the first word {first!r} is not in the menu")
    draw = functools.partial(draw_neighbours, model)
    return figure_widget(draw, {"word": dropdown("word", words, first),
                                "k": int_slider("neighbours", 8, 3, 15)})


def draw_projection(model: embeddings.Word2Vec, words: Sequence[str]) -> Figure:
    """Chosen words' vectors projected onto their two main directions, labelled."""
    coords = embeddings.project_2d(np.stack([model.vector(w) for w in words]))
    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    ax.scatter(coords[:, 0], coords[:, 1], s=14, color="C0")
    for (x, y), name in zip(coords, words, strict=True):
        ax.annotate(name, (x, y), fontsize=8, xytext=(3, 2), textcoords="offset points")
    ax.set(xticks=[], yticks=[], title="Word vectors projected to 2-D (PCA)")
    return fig


def perpendicular_view(dim: int, pairs: int = 2000) -> dict[str, float | np.ndarray]:
    """Cosines of random vector pairs in ``dim`` dimensions and their summary numbers."""
    cosines = embeddings.random_cosines(dim, pairs)
    return {"cosines": cosines, "std": float(cosines.std()),
            "within_0.1": float(np.mean(np.abs(cosines) < 0.1)),
            "predicted_std": 1 / np.sqrt(dim)}


def draw_perpendicular(dim: int = 64) -> Figure:
    """The histogram of cosines between random vectors in ``dim`` dimensions."""
    view = perpendicular_view(dim)
    fig, ax = plt.subplots(figsize=(6.4, 2.8))
    ax.hist(view["cosines"], bins=np.linspace(-1, 1, 81), color="C0")
    ax.axvspan(-0.1, 0.1, color="C2", alpha=0.15)
    angle = np.degrees(np.arccos(view["cosines"])).mean()
    ax.set(xlim=(-1, 1), xlabel="cosine similarity of two random vectors", ylabel="pairs",
           title=f"{dim} dimensions: {view['within_0.1']:.0%} of pairs within ±0.1 "
                 f"(mean angle {angle:.0f}°)")
    return fig


def perpendicular_widget() -> FigureBox:
    """A slider for the dimension above the histogram of random cosines."""
    return figure_widget(draw_perpendicular, {"dim": int_slider("dimensions", 64, 2, 1024)})


__all__ = [
    "ARTICLES",
    "draw_compression",
    "draw_neighbours",
    "draw_perpendicular",
    "draw_projection",
    "interleaved_timings",
    "library_vocabulary",
    "neighbour_view",
    "neighbours_widget",
    "noun_like_words",
    "perpendicular_view",
    "perpendicular_widget",
    "train_library_bpe",
]
