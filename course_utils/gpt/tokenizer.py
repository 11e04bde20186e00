"""The character tokenizer: every distinct character of the training text is one token.

Tiny Shakespeare has 65 distinct characters, so the model's vocabulary is 65 and a token id is
just a character's place in the sorted list. Simple and lossless; chapter 9 compares it with
word and BPE tokenizers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any


class UnknownCharacterError(ValueError):
    """Raised when text contains characters the tokenizer never saw in its training text."""


class CharTokenizer:
    """Maps characters to token ids and back.

    >>> tok = CharTokenizer.from_text("hello")
    >>> tok.encode("hell")
    [1, 0, 2, 2]
    >>> tok.decode([3, 0])
    'oe'
    """

    def __init__(self, chars: Iterable[str]) -> None:
        chars = list(chars)
        if not chars:
            raise ValueError("a tokenizer needs at least one character in its vocabulary")
        for c in chars:
            if not isinstance(c, str) or len(c) != 1:
                raise ValueError(f"vocabulary entries must be single characters, got {c!r}")
        if len(set(chars)) != len(chars):
            raise ValueError("vocabulary has repeated characters")
        self.chars: list[str] = chars
        self.stoi: dict[str, int] = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> CharTokenizer:
        """The vocabulary of ``text``: its distinct characters in sorted order."""
        if not isinstance(text, str):
            raise TypeError(f"from_text needs a string, got {type(text).__name__}")
        if not text:
            raise ValueError("cannot build a vocabulary from empty text")
        return cls(sorted(set(text)))

    @property
    def vocab_size(self) -> int:
        return len(self.chars)

    def __len__(self) -> int:
        return len(self.chars)

    def unknown_characters(self, text: str) -> list[str]:
        """The distinct characters of ``text`` that are not in the vocabulary."""
        return sorted(set(text) - self.stoi.keys())

    def encode(self, text: str) -> list[int]:
        """Text → token ids; an unknown character is an error that names it."""
        if not isinstance(text, str):
            raise TypeError(f"encode needs a string, got {type(text).__name__}")
        try:
            return [self.stoi[c] for c in text]
        except KeyError:
            unknown = self.unknown_characters(text)
            shown = ", ".join(repr(c) for c in unknown[:10]) + (" ..." if len(unknown) > 10 else "")
            raise UnknownCharacterError(
                f"{len(unknown)} character(s) are not in the vocabulary: {shown}. This model "
                f"only knows the {self.vocab_size} characters of its training text: "
                f"{''.join(self.chars)!r}"
            ) from None

    def decode(self, ids: Sequence[int] | Any) -> str:
        """Token ids (a list or a 1-D tensor) → text."""
        if hasattr(ids, "tolist"):
            ids = ids.tolist()
        n = self.vocab_size
        try:
            return "".join(self.chars[i] if 0 <= i < n else self._bad(i) for i in ids)
        except TypeError:
            raise TypeError(f"decode needs a list of token ids (whole numbers), got {ids!r}") from None

    def _bad(self, i: int) -> str:
        raise ValueError(f"token id {i} is outside the vocabulary (ids run from 0 to "
                         f"{self.vocab_size - 1})")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": "char", "chars": "".join(self.chars)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CharTokenizer:
        if not isinstance(d, dict) or d.get("kind") != "char" or not isinstance(d.get("chars"), str):
            raise ValueError(f"not a saved character tokenizer: {d!r:.80}")
        return cls(list(d["chars"]))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CharTokenizer) and self.chars == other.chars

    def __repr__(self) -> str:
        return f"CharTokenizer(vocab_size={self.vocab_size})"
