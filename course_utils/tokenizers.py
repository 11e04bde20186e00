"""Tokenizers: turning text into a list of integer ids and back (chapter 09).

Three ways to cut text into tokens, from the simplest to the one language models use:

* :class:`CharTokenizer` — one token per character. Tiny vocabulary, long sequences, and a
  character it never saw cannot be written at all.
* :class:`WordTokenizer` — one token per word (or punctuation mark). Short sequences, a huge
  vocabulary, and every word it never saw becomes the same ``<unk>`` token.
* :class:`BPETokenizer` — byte-level **byte-pair encoding**. It starts from the 256 possible
  bytes, so *any* text (any language, any emoji) can be written, and learns merges of
  frequent neighbours (``t`` + ``h`` → ``th``, then ``th`` + ``e`` → ``the``) until the
  vocabulary has the size asked for. :func:`train_bpe` learns the merges.

The merge step itself is two small functions, :func:`count_pairs` and :func:`merge_pair`.
:func:`train_bpe` does the same thing as calling them in a loop, but fast: it counts each
distinct chunk of text once (weighted by how often it occurs) and, after each merge, updates
only the pair counts of the chunks that contained the merged pair, instead of counting the
whole text again.

Decoding: a token is a sequence of *bytes*, and not every byte sequence is valid UTF-8 (a
multi-byte character cut in half is not). :meth:`BPETokenizer.decode` raises a ``ValueError``
that says so; pass ``errors="replace"`` to get the replacement character ``�`` instead, as
most libraries do.
"""

from __future__ import annotations

import heapq
import numbers
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from tqdm.auto import tqdm

from .validate import check_whole

# GPT-2's rule for cutting text into chunks before BPE, written with Python's ``re``: an
# English contraction, a run of letters, of digits, or of other symbols (each with the space
# in front of it), or whitespace. Merges never cross a chunk's edge, so " the" can become one
# token but "e t" cannot. Every character of the text lands in exactly one chunk.
CHUNK_PATTERN = re.compile(
    r"'(?:[sdmt]|ll|ve|re)| ?[^\W\d_]+| ?\d+| ?(?:[^\s\w]|_)+|\s+(?!\S)|\s+")
WORD_PATTERN = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*|\d+|[^\w\s]|_")
UNKNOWN = "<unk>"


# --- input checks -----------------------------------------------------------------------------


def check_text(text: Any, name: str) -> str:
    """``text`` as a non-empty ``str``, or an error a learner can act on."""
    if isinstance(text, bytes):
        raise TypeError(f"{name}: the text must be a str, not bytes; decode it first, "
                        f"e.g. data.decode('utf-8')")
    if not isinstance(text, str):
        raise TypeError(f"{name}: the text must be a str, not {type(text).__name__}")
    if not text:
        raise ValueError(f"{name}: the text is empty; there is nothing to tokenize")
    return text


def check_ids(ids: Any, vocab_size: int, name: str) -> list[int]:
    """``ids`` as a list of ints, each in ``range(vocab_size)``, or an error naming the bad one."""
    if isinstance(ids, (str, bytes)):
        raise TypeError(f"{name}: expected a sequence of token ids (ints), not {type(ids).__name__}")
    if hasattr(ids, "tolist"):  # a NumPy array or a torch tensor
        ids = ids.tolist()
    if isinstance(ids, int):
        ids = [ids]
    try:
        ids = list(ids)
    except TypeError:
        raise TypeError(f"{name}: expected a sequence of token ids (ints), "
                        f"not {type(ids).__name__}") from None
    for position, i in enumerate(ids):
        if isinstance(i, bool) or not isinstance(i, numbers.Integral):
            raise TypeError(f"{name}: token ids must be whole numbers; the id at position "
                            f"{position} is {i!r} ({type(i).__name__})")
        if not 0 <= i < vocab_size:
            raise ValueError(f"{name}: the id {i} at position {position} is outside the "
                             f"vocabulary: ids go from 0 to {vocab_size - 1} "
                             f"({vocab_size} tokens)")
    return [int(i) for i in ids]


# --- character and word tokenizers --------------------------------------------------------------


class CharTokenizer:
    """One token per character, with the vocabulary of the characters in a training text."""

    def __init__(self, text: str) -> None:
        check_text(text, "CharTokenizer")
        self.chars: list[str] = sorted(set(text))
        self.index: dict[str, int] = {c: i for i, c in enumerate(self.chars)}

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> list[int]:
        """The id of each character; a character not in the vocabulary is an error."""
        check_text(text, "CharTokenizer.encode")
        try:
            return [self.index[c] for c in text]
        except KeyError as exc:
            raise ValueError(f"CharTokenizer.encode: the character {exc.args[0]!r} never "
                             f"appeared in the training text, so it has no id") from None

    def decode(self, ids: Sequence[int]) -> str:
        """The characters of the ids, joined."""
        return "".join(self.chars[i] for i in check_ids(ids, self.vocab_size, "CharTokenizer.decode"))


def split_words(text: str) -> list[str]:
    """Words (with their apostrophes), numbers and single punctuation marks; spaces dropped."""
    return WORD_PATTERN.findall(check_text(text, "split_words"))


class WordTokenizer:
    """One token per word or punctuation mark; id 0 is ``<unk>``, for every unseen word.

    ``min_count`` leaves out words seen fewer times than that (they become ``<unk>`` too);
    ``lower`` folds case so that "The" and "the" share a token.
    """

    def __init__(self, text: str, min_count: int = 1, lower: bool = False) -> None:
        check_text(text, "WordTokenizer")
        check_whole(min_count, "WordTokenizer", "min_count", minimum=1)
        self.lower = bool(lower)
        counts = Counter(self._words(text))
        kept = sorted(w for w, c in counts.items() if c >= min_count)
        self.words: list[str] = [UNKNOWN, *kept]
        self.index: dict[str, int] = {w: i for i, w in enumerate(self.words)}

    def _words(self, text: str) -> list[str]:
        return split_words(text.lower() if self.lower else text)

    @property
    def vocab_size(self) -> int:
        return len(self.words)

    def encode(self, text: str) -> list[int]:
        """The id of each word; an unseen word gets id 0, ``<unk>``."""
        return [self.index.get(w, 0) for w in self._words(check_text(text, "WordTokenizer.encode"))]

    def decode(self, ids: Sequence[int]) -> str:
        """The words of the ids, joined by spaces (the original spacing is lost)."""
        return " ".join(self.words[i] for i in check_ids(ids, self.vocab_size, "WordTokenizer.decode"))


# --- the BPE step ---------------------------------------------------------------------------------


def count_pairs(ids: Sequence[int]) -> Counter[tuple[int, int]]:
    """How often each pair of neighbours occurs in ``ids`` (in the order first seen)."""
    return Counter(zip(ids, ids[1:], strict=False))


def merge_pair(ids: Sequence[int], pair: tuple[int, int], new_id: int) -> list[int]:
    """``ids`` with every occurrence of ``pair``, read left to right, replaced by ``new_id``.

    Occurrences do not overlap: merging (7, 7) in ``[7, 7, 7]`` gives ``[new_id, 7]``.
    """
    a, b = pair
    out: list[int] = []
    i, n = 0, len(ids)
    while i < n:
        if i < n - 1 and ids[i] == a and ids[i + 1] == b:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def chunks(text: str) -> list[str]:
    """The text cut into the chunks BPE works inside (see ``CHUNK_PATTERN``); joined, they give
    the text back exactly."""
    return CHUNK_PATTERN.findall(check_text(text, "chunks"))


# --- the byte-level BPE tokenizer ----------------------------------------------------------------


@dataclass
class BPETokenizer:
    """A byte-level BPE tokenizer: 256 byte tokens, then one token per learned merge.

    ``merges[k]`` is the pair of ids that token ``256 + k`` stands for. ``history`` (filled by
    :func:`train_bpe`) holds the number of tokens in the training text after each merge, with
    ``history[0]`` the number of bytes.
    """

    merges: list[tuple[int, int]] = field(default_factory=list)
    history: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.vocab: list[bytes] = [bytes([b]) for b in range(256)]
        self.ranks: dict[tuple[int, int], int] = {}
        for k, (a, b) in enumerate(self.merges):
            check_ids([a, b], len(self.vocab), f"BPETokenizer (merge {k})")
            self.ranks[(a, b)] = 256 + k
            self.vocab.append(self.vocab[a] + self.vocab[b])
        self._cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def _encode_chunk(self, chunk: str) -> list[int]:
        ids = list(chunk.encode("utf-8"))
        while len(ids) > 1:
            # the pair that was learned first is merged first, as in training
            pair = min(zip(ids, ids[1:], strict=False), key=lambda p: self.ranks.get(p, 1 << 30))
            if pair not in self.ranks:
                break
            ids = merge_pair(ids, pair, self.ranks[pair])
        return ids

    def encode(self, text: str) -> list[int]:
        """The token ids of ``text`` (any Unicode); ``decode`` gives the text back exactly."""
        out: list[int] = []
        for chunk in chunks(check_text(text, "BPETokenizer.encode")):
            ids = self._cache.get(chunk)
            if ids is None:
                ids = self._cache[chunk] = self._encode_chunk(chunk)
            out.extend(ids)
        return out

    def decode_bytes(self, ids: Sequence[int]) -> bytes:
        """The raw bytes the ids stand for."""
        return b"".join(self.vocab[i] for i in check_ids(ids, self.vocab_size, "BPETokenizer.decode"))

    def decode(self, ids: Sequence[int], errors: str = "strict") -> str:
        """The text of the ids. Bytes that are not valid UTF-8 raise a ``ValueError`` saying
        where; ``errors="replace"`` shows them as ``�`` instead."""
        if errors not in ("strict", "replace"):
            raise ValueError(f"BPETokenizer.decode: errors must be 'strict' or 'replace', "
                             f"not {errors!r}")
        data = self.decode_bytes(ids)
        try:
            return data.decode("utf-8", errors=errors)
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"BPETokenizer.decode: these ids stand for bytes that are not valid UTF-8 "
                f"(byte {exc.start}, {data[exc.start:exc.start + 1]!r}, {exc.reason}). This "
                f"happens when a character made of several bytes is cut, e.g. by decoding "
                f"only some of a text's tokens. Decode all of them, or pass errors='replace' "
                f"to show the broken bytes as '\ufffd'.") from None

    def token_text(self, i: int) -> str:
        """What token ``i`` looks like as text (bytes that are not whole characters as ``�``)."""
        [i] = check_ids([i], self.vocab_size, "BPETokenizer.token_text")
        return self.vocab[i].decode("utf-8", errors="replace")

    def tokens(self, text: str) -> list[str]:
        """``text`` cut into its tokens, each shown as text."""
        return [self.token_text(i) for i in self.encode(text)]


def train_bpe(text: str, vocab_size: int = 512, progress: bool = False) -> BPETokenizer:
    """Learn ``vocab_size - 256`` merges on ``text`` and return the tokenizer.

    Each step merges the most frequent pair of neighbouring tokens (ties: the smaller pair of
    ids). Only pairs inside a chunk count. The result is the same as recounting every pair with
    :func:`count_pairs` and merging with :func:`merge_pair` each step, only much faster.
    """
    check_text(text, "train_bpe")
    check_whole(vocab_size, "train_bpe", "vocab_size", minimum=256)
    frequency = Counter(chunks(text))
    words = [list(chunk.encode("utf-8")) for chunk in frequency]
    freqs = list(frequency.values())
    counts: dict[tuple[int, int], int] = {}
    where: dict[tuple[int, int], set[int]] = {}
    for w, (ids, f) in enumerate(zip(words, freqs, strict=True)):
        for pair in zip(ids, ids[1:], strict=False):
            counts[pair] = counts.get(pair, 0) + f
            where.setdefault(pair, set()).add(w)
    heap = [(-c, pair) for pair, c in counts.items()]
    heapq.heapify(heap)
    total = sum(len(ids) * f for ids, f in zip(words, freqs, strict=True))
    merges: list[tuple[int, int]] = []
    history = [total]
    steps = range(256, vocab_size)
    for new_id in tqdm(steps, desc="BPE merges", disable=not progress):
        pair = _pop_best(heap, counts)
        if pair is None:  # every chunk is a single token already: nothing left to merge
            break
        merges.append(pair)
        for w in where.pop(pair, ()):
            ids = words[w]
            new = merge_pair(ids, pair, new_id)
            if len(new) == len(ids):
                continue
            f = freqs[w]
            # only the pairs around each merge change: add the new ones, take away the old ones
            delta = Counter(zip(new, new[1:], strict=False))
            delta.subtract(zip(ids, ids[1:], strict=False))
            for changed, n in delta.items():
                if n > 0:
                    counts[changed] = counts.get(changed, 0) + n * f
                    heapq.heappush(heap, (-counts[changed], changed))
                    where.setdefault(changed, set()).add(w)
                elif n < 0 and changed in counts:  # (the merged pair is gone already)
                    counts[changed] += n * f  # its heap entry is now too high: see _pop_best
            total -= (len(ids) - len(new)) * f
            words[w] = new
        history.append(total)
    return BPETokenizer(merges=merges, history=history)


def _pop_best(heap: list[tuple[int, tuple[int, int]]],
              counts: dict[tuple[int, int], int]) -> tuple[int, int] | None:
    """The most frequent pair (ties: the smaller pair), taken out of ``counts``.

    A count only goes down without a new heap entry, so an entry may be too high: then it is
    put back with the pair's true count, and the search goes on.
    """
    while heap:
        negative, pair = heapq.heappop(heap)
        count = counts.get(pair, 0)
        if count == -negative and count > 0:
            del counts[pair]
            return pair
        if 0 < count < -negative:
            heapq.heappush(heap, (-count, pair))
    return None


def tokens_per_character(token_counts: Iterable[int] | int, text: str) -> float:
    """Tokens per character of ``text``: 1.0 for a character tokenizer, lower is shorter."""
    n = token_counts if isinstance(token_counts, int) else sum(1 for _ in token_counts)
    return n / len(check_text(text, "tokens_per_character"))


__all__ = [
    "BPETokenizer",
    "CHUNK_PATTERN",
    "CharTokenizer",
    "UNKNOWN",
    "WordTokenizer",
    "check_ids",
    "check_text",
    "chunks",
    "count_pairs",
    "merge_pair",
    "split_words",
    "tokens_per_character",
    "train_bpe",
]
