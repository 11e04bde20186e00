"""The shape of a GPT, in one dataclass that checks itself.

A :class:`GPTConfig` says everything needed to build the network (and nothing about how to
train it): how many tokens the vocabulary has, how far back the model can look (the block
size), and how wide and deep it is. Mistakes such as an embedding size that the heads cannot
share evenly are caught here, with a sentence that says how to fix them, instead of as a shape
error deep inside ``forward``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class GPTConfig:
    """Hyper-parameters that fix a GPT's architecture (and so the shapes of its weights).

    Args:
        vocab_size: number of distinct tokens (65 characters for Tiny Shakespeare).
        block_size: the longest context the model sees at once (also the number of learned
            position embeddings).
        n_layer: number of transformer blocks stacked on top of each other.
        n_head: attention heads per block; each head works in ``n_embd // n_head`` dimensions.
        n_embd: the model dimension: the width of every token vector in the residual stream.
        dropout: probability of zeroing an activation during training (0 turns it off).
        bias: whether linear layers and layer norms have a bias term.
        fused_attention: ``True`` uses :func:`torch.nn.functional.scaled_dot_product_attention`
            (fast); ``False`` spells attention out (scores, −∞ mask, softmax, weighted values)
            so it can be read and compared. Both compute the same function; this flag does not
            change the weights, so a checkpoint loads into either.
    """

    vocab_size: int = 65
    block_size: int = 256
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    dropout: float = 0.0
    bias: bool = True
    fused_attention: bool = True

    def __post_init__(self) -> None:
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise TypeError(f"GPTConfig.{name} must be a whole number, got {value!r}")
            if value < 1:
                raise ValueError(f"GPTConfig.{name} must be at least 1, got {value}")
        if self.n_embd % self.n_head != 0:
            divisors = [h for h in range(1, self.n_embd + 1) if self.n_embd % h == 0]
            nearby = [h for h in divisors if h <= 2 * self.n_head][-3:]
            raise ValueError(
                f"n_embd={self.n_embd} cannot be split evenly across n_head={self.n_head} heads "
                f"({self.n_embd} / {self.n_head} = {self.n_embd / self.n_head:.2f}); each head "
                f"needs a whole number of dimensions. Try n_head in {nearby} or change n_embd "
                f"to a multiple of {self.n_head} such as {self.n_head * max(1, round(self.n_embd / self.n_head))}."
            )
        if isinstance(self.dropout, bool) or not isinstance(self.dropout, (int, float)):
            raise TypeError(f"GPTConfig.dropout must be a number in [0, 1), got {self.dropout!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"GPTConfig.dropout must be in [0, 1), got {self.dropout}")
        for name in ("bias", "fused_attention"):
            if not isinstance(getattr(self, name), bool):
                raise TypeError(f"GPTConfig.{name} must be True or False, got {getattr(self, name)!r}")

    @property
    def head_dim(self) -> int:
        """Dimensions per attention head (the model dimension shared among the heads)."""
        return self.n_embd // self.n_head

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> GPTConfig:
        """Build a config from a saved dict; unknown keys are an error that names them."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"unknown GPTConfig fields {unknown}; known fields are {sorted(known)}")
        return cls(**values)
