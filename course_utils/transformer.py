"""The transformer block, built from its parts: heads, positions, layer norm, the MLP, the block.

Chapter 11 builds each part from scratch and checks it against torch and the GPT engine
(:mod:`course_utils.gpt`):

* :func:`split_heads` / :func:`merge_heads` turn a model vector of ``d_model`` numbers into
  ``n_head`` smaller vectors of ``head_dim = d_model // n_head`` numbers and back, so the heads
  become one more batch dimension and attention runs on all of them at once;
* :class:`MultiHeadAttention` is attention (:mod:`course_utils.attention`) run on every head,
  equal to :class:`torch.nn.MultiheadAttention` and the engine's ``CausalSelfAttention`` with
  copied weights;
* :func:`sinusoidal_positions` and :class:`LearnedPositions` are the two classic ways to tell a
  token where it stands; :func:`add_positions` adds a table to token vectors;
* :func:`layer_norm` / :class:`LayerNorm`, :class:`FeedForward` (linear → GELU → linear, 4×
  wider in the middle) and :class:`Block` (pre-norm or post-norm, with or without the residual
  connections), equal to the engine's ``Block`` with copied weights;
* :func:`parameter_count` breaks a GPT's parameters down into embeddings, attention, MLP and
  layer norms, for any shape (:data:`GPT2_SMALL` is GPT-2 small's published one).

Shapes follow the engine: ``(batch, time, channels)`` for token vectors, ``(batch, heads, time,
head_dim)`` inside attention.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import attention
from .validate import check_positive, check_whole

# GPT-2 small as published (Radford et al., 2019): 12 layers, 12 heads, 768 wide, 1,024 positions,
# a vocabulary of 50,257 byte-level BPE tokens; linear layers and layer norms have biases.
GPT2_SMALL: dict[str, int] = {"n_layer": 12, "n_head": 12, "n_embd": 768, "block_size": 1024,
                              "vocab_size": 50257}

# The rest of the GPT-2 family: the heads grow with the width so that each head keeps 64 numbers.
GPT2_FAMILY: dict[str, dict[str, int]] = {
    "small": GPT2_SMALL,
    "medium": {**GPT2_SMALL, "n_layer": 24, "n_head": 16, "n_embd": 1024},
    "large": {**GPT2_SMALL, "n_layer": 36, "n_head": 20, "n_embd": 1280},
    "xl": {**GPT2_SMALL, "n_layer": 48, "n_head": 25, "n_embd": 1600},
}


# --- checking arguments ---------------------------------------------------------------------


def head_dim(d_model: int, n_head: int, name: str = "head_dim") -> int:
    """The numbers each head works with, ``d_model // n_head``; an error when it is not whole.

    >>> head_dim(768, 12)
    64
    """
    d_model = check_whole(d_model, name, "the model dimension d_model", 1)
    n_head = check_whole(n_head, name, "the number of heads n_head", 1)
    if d_model % n_head:
        good = [h for h in range(1, d_model + 1) if d_model % h == 0]
        near = sorted(good, key=lambda h: (abs(h - n_head), h))[:3]
        raise ValueError(
            f"{name}: the model dimension {d_model} cannot be shared evenly by {n_head} heads "
            f"({d_model} / {n_head} = {d_model / n_head:.2f}); every head needs a whole number of "
            f"dimensions. Use a number of heads that divides {d_model}, such as "
            f"{', '.join(map(str, sorted(near)))}, or make d_model a multiple of {n_head}.")
    return d_model // n_head


def _tensor(x: Any, name: str, what: str, ndim: tuple[int, ...],
            shapes: str | None = None) -> torch.Tensor:
    """``x`` as a floating-point tensor with one of the allowed numbers of dimensions.

    ``shapes`` names the allowed shapes in the error message (default: token vectors or heads).
    """
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: {what} must be a torch tensor, not {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"{name}: {what} must hold floating-point numbers, not {x.dtype} "
                        "(token ids go through an embedding first)")
    if x.dim() not in ndim:
        shapes = shapes or " or ".join({2: "(time, channels)", 3: "(batch, time, channels)",
                                        4: "(batch, heads, time, head_dim)"}[n] for n in ndim)
        raise ValueError(f"{name}: {what} must have shape {shapes}, but it has shape "
                         f"{tuple(x.shape)}")
    return x


def _width(x: torch.Tensor, d_model: int, name: str) -> None:
    if x.size(-1) != d_model:
        raise ValueError(f"{name}: the input vectors have {x.size(-1)} numbers each, but this "
                         f"layer was built for d_model={d_model} (shape {tuple(x.shape)})")


# --- heads as a batch dimension ---------------------------------------------------------------


def split_heads(x: torch.Tensor, n_head: int) -> torch.Tensor:
    """(batch, time, d_model) → (batch, n_head, time, head_dim): each head gets its own slice.

    Head h gets channels ``h·head_dim … (h+1)·head_dim − 1`` of every position. The heads move in
    front of the time axis, so a matrix product over the last two axes treats each head of each
    sequence as one more member of the batch: no loop over heads.
    """
    x = _tensor(x, "split_heads", "x", (3,))
    B, T, C = x.shape
    hd = head_dim(C, n_head, "split_heads")
    return x.view(B, T, n_head, hd).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(batch, n_head, time, head_dim) → (batch, time, n_head·head_dim): the heads side by side.

    The inverse of :func:`split_heads`: ``merge_heads(split_heads(x, n)) == x``.
    """
    x = _tensor(x, "merge_heads", "x", (4,))
    B, nh, T, hd = x.shape
    return x.transpose(1, 2).reshape(B, T, nh * hd)


# --- multi-head attention ---------------------------------------------------------------------


class MultiHeadAttention(nn.Module):
    """Self-attention with ``n_head`` heads, each working in ``d_model // n_head`` dimensions.

    One linear layer makes the queries, keys and values of all heads (``qkv``, laid out like
    torch's ``in_proj_weight`` and the engine's ``c_attn``), :func:`split_heads` gives every head
    its slice, :func:`course_utils.attention.attention_weights` scores and normalises on every
    head at once, :func:`merge_heads` puts the heads' outputs side by side, and ``proj`` mixes
    them. ``causal=True`` lets each position see only itself and the past (as in a GPT).
    """

    def __init__(self, d_model: int, n_head: int, *, causal: bool = True, bias: bool = True) -> None:
        super().__init__()
        self.head_dim = head_dim(d_model, n_head, "MultiHeadAttention")
        self.d_model, self.n_head, self.causal = d_model, n_head, bool(causal)
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=bias)
        self.proj = nn.Linear(d_model, d_model, bias=bias)
        self.last_weights: torch.Tensor | None = None  # (B, n_head, T, T) after each forward

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """(batch, time, d_model) in, same shape out; keeps the attention weights in ``last_weights``."""
        x = _tensor(x, "MultiHeadAttention", "x", (3,))
        _width(x, self.d_model, "MultiHeadAttention")
        q, k, v = self.qkv(x).split(self.d_model, dim=-1)
        q, k, v = (split_heads(t, self.n_head) for t in (q, k, v))  # (B, nh, T, hd) each
        weights = attention.attention_weights(q, k, causal=self.causal)  # (B, nh, T, T)
        self.last_weights = weights.detach()
        return self.proj(merge_heads(weights @ v))

    @classmethod
    def from_torch(cls, mha: nn.MultiheadAttention, *, causal: bool = False) -> MultiHeadAttention:
        """A copy of a ``torch.nn.MultiheadAttention`` (self-attention, same size for q, k, v)."""
        if not isinstance(mha, nn.MultiheadAttention):
            raise TypeError(f"from_torch copies a torch.nn.MultiheadAttention, not {type(mha).__name__}")
        if mha.in_proj_weight is None:
            raise ValueError("from_torch needs queries, keys and values of the same size "
                             "(kdim = vdim = embed_dim)")
        mine = cls(mha.embed_dim, mha.num_heads, causal=causal, bias=mha.in_proj_bias is not None)
        with torch.no_grad():
            mine.qkv.weight.copy_(mha.in_proj_weight)
            mine.proj.weight.copy_(mha.out_proj.weight)
            if mha.in_proj_bias is not None:
                mine.qkv.bias.copy_(mha.in_proj_bias)
                mine.proj.bias.copy_(mha.out_proj.bias)
        return mine.to(mha.in_proj_weight.device)

    @classmethod
    def from_engine(cls, attn: nn.Module) -> MultiHeadAttention:
        """A copy of the GPT engine's ``CausalSelfAttention`` (causal, same weights)."""
        if not hasattr(attn, "c_attn") or not hasattr(attn, "n_head"):
            raise TypeError("from_engine copies course_utils.gpt's CausalSelfAttention, not "
                            f"{type(attn).__name__}")
        if getattr(attn, "n_kv_head", attn.n_head) != attn.n_head:
            raise ValueError(f"from_engine: this attention shares {attn.n_kv_head} key/value heads "
                             f"among {attn.n_head} query heads (grouped-query attention, chapter "
                             "13); MultiHeadAttention gives every query head its own keys and values")
        mine = cls(attn.n_embd, attn.n_head, causal=True, bias=attn.c_attn.bias is not None)
        mine.qkv.load_state_dict(attn.c_attn.state_dict())
        mine.proj.load_state_dict(attn.c_proj.state_dict())
        return mine.to(attn.c_attn.weight.device)


# --- positions --------------------------------------------------------------------------------


def sinusoidal_positions(n_positions: int, d_model: int, base: float = 10000.0) -> torch.Tensor:
    """The fixed position table of "Attention Is All You Need": (n_positions, d_model).

    Column pair (2i, 2i + 1) holds sin and cos of ``position / base**(2i / d_model)``: the first
    pair turns fast (once every 2π positions), the last ones very slowly, like the hands of a
    clock. Nothing is learned, and any position can be computed, however far.
    """
    name = "sinusoidal_positions"
    n_positions = check_whole(n_positions, name, "the number of positions n_positions", 1)
    d_model = check_whole(d_model, name, "the model dimension d_model", 2)
    if d_model % 2:
        raise ValueError(f"{name}: d_model must be even (one sin and one cos per frequency), "
                         f"got {d_model}")
    base = check_positive(base, name, "the base")
    position = torch.arange(n_positions, dtype=torch.float64)[:, None]
    rate = base ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)  # (d_model/2,)
    table = torch.empty(n_positions, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(position * rate)
    table[:, 1::2] = torch.cos(position * rate)
    return table.float()


def add_positions(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """Token vectors ``x`` (…, time, d_model) plus the first ``time`` rows of a position table.

    An error (not a silent wrap-around or an index error) when the context is longer than the
    table: a model with a learned table has never seen a position beyond it.
    """
    x = _tensor(x, "add_positions", "the token vectors x", (2, 3))
    table = _tensor(table, "add_positions", "the position table", (2,))
    T, n = x.size(-2), table.size(0)
    if T > n:
        raise ValueError(f"add_positions: the context holds {T} tokens, but the position table "
                         f"has only {n} rows (positions 0 … {n - 1}). Crop the input to its last "
                         f"{n} tokens, or build a longer table.")
    if x.size(-1) != table.size(1):
        raise ValueError(f"add_positions: the token vectors have {x.size(-1)} numbers each, but "
                         f"the position table has {table.size(1)} per row; both must be d_model "
                         "wide to be added.")
    return x + table[:T]


class LearnedPositions(nn.Module):
    """A learned position table: one trainable vector per position, ``block_size`` of them.

    The GPT engine's ``wpe``. Calling it with a context length gives the first rows; asking for
    more positions than it has is a clear error.
    """

    def __init__(self, block_size: int, d_model: int) -> None:
        super().__init__()
        self.block_size = check_whole(block_size, "LearnedPositions", "block_size", 1)
        self.table = nn.Embedding(block_size, check_whole(d_model, "LearnedPositions", "d_model", 1))
        nn.init.normal_(self.table.weight, std=0.02)

    def forward(self, T: int) -> torch.Tensor:
        """The vectors of positions 0 … T − 1, shape (T, d_model)."""
        T = check_whole(T, "LearnedPositions", "the context length T", 1)
        if T > self.block_size:
            raise ValueError(f"LearnedPositions: the context holds {T} tokens, but the table has "
                             f"only {self.block_size} learned positions (block_size). Crop the "
                             f"input to its last {self.block_size} tokens.")
        return self.table.weight[:T]


# --- layer norm -------------------------------------------------------------------------------


def layer_norm(x: torch.Tensor, weight: torch.Tensor | None = None,
               bias: torch.Tensor | None = None, eps: float = 1e-5) -> torch.Tensor:
    """Normalise each vector (the last axis) to mean 0 and variance 1, then scale and shift.

    ``(x − mean) / sqrt(var + eps) · weight + bias``, with the *biased* variance (divide by the
    number of channels, as :class:`torch.nn.LayerNorm` does). Each token is normalised on its
    own: nothing is shared across the batch or the positions.
    """
    x = _tensor(x, "layer_norm", "x", (2, 3, 4))
    eps = check_positive(eps, "layer_norm", "eps")
    for value, what in ((weight, "weight"), (bias, "bias")):
        if value is not None and tuple(value.shape) != (x.size(-1),):
            raise ValueError(f"layer_norm: {what} must hold one number per channel, shape "
                             f"({x.size(-1)},), but it has shape {tuple(value.shape)}")
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)
    y = (x - mean) / torch.sqrt(var + eps)
    if weight is not None:
        y = y * weight
    if bias is not None:
        y = y + bias
    return y


class LayerNorm(nn.Module):
    """:func:`layer_norm` with a learned gain (``weight``, starts at 1) and shift (``bias``, 0)."""

    def __init__(self, d_model: int, eps: float = 1e-5, bias: bool = True) -> None:
        super().__init__()
        d_model = check_whole(d_model, "LayerNorm", "d_model", 1)
        self.eps = check_positive(eps, "LayerNorm", "eps")
        self.weight = nn.Parameter(torch.ones(d_model))
        self.bias = nn.Parameter(torch.zeros(d_model)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return layer_norm(x, self.weight, self.bias, self.eps)


# --- the MLP ----------------------------------------------------------------------------------


class FeedForward(nn.Module):
    """The block's MLP: linear to ``expansion · d_model`` (the FFN dimension), GELU, linear back.

    It works on each position alone: the same weights for every token, no mixing across time.
    """

    def __init__(self, d_model: int, expansion: int = 4, bias: bool = True) -> None:
        super().__init__()
        d_model = check_whole(d_model, "FeedForward", "d_model", 1)
        self.ffn_dim = d_model * check_whole(expansion, "FeedForward", "expansion", 1)
        self.fc = nn.Linear(d_model, self.ffn_dim, bias=bias)
        self.proj = nn.Linear(self.ffn_dim, d_model, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(F.gelu(self.fc(x)))


# --- the block --------------------------------------------------------------------------------


class Block(nn.Module):
    """One transformer block: attention (tokens talk), then the MLP (each token thinks alone).

    ``norm="pre"`` (GPT-2 and the engine): ``x + attn(ln_1(x))``, then ``x + mlp(ln_2(x))``; the
    residual stream itself is never normalised. ``norm="post"`` (the original 2017 transformer):
    ``ln_1(x + attn(x))``, then ``ln_2(x + mlp(x))``. ``residual=False`` drops the ``x +``, to
    see what the skip connections are for.
    """

    def __init__(self, d_model: int, n_head: int, *, norm: str = "pre", residual: bool = True,
                 causal: bool = True, bias: bool = True) -> None:
        super().__init__()
        if norm not in ("pre", "post"):
            raise ValueError(f"Block: norm must be 'pre' or 'post', got {norm!r}")
        self.norm, self.residual = norm, bool(residual)
        self.ln_1 = LayerNorm(d_model, bias=bias)
        self.attn = MultiHeadAttention(d_model, n_head, causal=causal, bias=bias)
        self.ln_2 = LayerNorm(d_model, bias=bias)
        self.mlp = FeedForward(d_model, bias=bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = _tensor(x, "Block", "x", (3,))
        _width(x, self.attn.d_model, "Block")
        keep = 1.0 if self.residual else 0.0  # 0 turns x + f(x) into f(x)
        if self.norm == "pre":
            x = keep * x + self.attn(self.ln_1(x))
            return keep * x + self.mlp(self.ln_2(x))
        x = self.ln_1(keep * x + self.attn(x))
        return self.ln_2(keep * x + self.mlp(x))

    @classmethod
    def from_engine(cls, block: nn.Module) -> Block:
        """A copy of the GPT engine's ``Block`` (pre-norm, causal) with the same weights."""
        if not all(hasattr(block, n) for n in ("ln_1", "attn", "ln_2", "mlp")):
            raise TypeError(f"from_engine copies course_utils.gpt's Block, not {type(block).__name__}")
        attn = MultiHeadAttention.from_engine(block.attn)
        mine = cls(attn.d_model, attn.n_head, bias=block.ln_1.bias is not None)
        mine.attn = attn
        mine.ln_1.load_state_dict(block.ln_1.state_dict())
        mine.ln_2.load_state_dict(block.ln_2.state_dict())
        mine.mlp.fc.load_state_dict(block.mlp.c_fc.state_dict())
        mine.mlp.proj.load_state_dict(block.mlp.c_proj.state_dict())
        return mine.to(block.ln_1.weight.device)


# --- counting parameters ----------------------------------------------------------------------


def parameter_count(n_layer: int, n_embd: int, n_head: int, block_size: int, vocab_size: int,
                    *, bias: bool = True, tied: bool = True) -> dict[str, int]:
    """How many parameters a GPT of this shape has, part by part, and the total.

    Keys: ``token embedding`` (vocab_size × n_embd, shared with the unembedding when ``tied``),
    ``position embedding`` (block_size × n_embd), ``attention`` (per block: the q/k/v matrix
    n_embd × 3·n_embd and the output projection n_embd × n_embd, plus biases), ``MLP`` (per
    block: n_embd × 4·n_embd and back, plus biases), ``layer norms`` (two per block and a final
    one, each a gain and a shift), ``unembedding`` (0 when tied) and ``total``. ``n_head`` does
    not change any count: the heads share the model dimension, they do not add to it.
    """
    name = "parameter_count"
    n_layer = check_whole(n_layer, name, "n_layer", 1)
    n_embd = check_whole(n_embd, name, "n_embd", 1)
    head_dim(n_embd, n_head, name)
    block_size = check_whole(block_size, name, "block_size", 1)
    vocab_size = check_whole(vocab_size, name, "vocab_size", 1)
    b = 1 if bias else 0
    C = n_embd
    counts = {
        "token embedding": vocab_size * C,
        "position embedding": block_size * C,
        "attention": n_layer * (C * 3 * C + b * 3 * C + C * C + b * C),
        "MLP": n_layer * (C * 4 * C + b * 4 * C + 4 * C * C + b * C),
        "layer norms": (2 * n_layer + 1) * (1 + b) * C,
        "unembedding": 0 if tied else vocab_size * C,
    }
    counts["total"] = sum(counts.values())
    return counts


def count_parameters(module: nn.Module) -> int:
    """The number of numbers a module learns (a tied matrix counted once)."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"count_parameters needs a torch module, not {type(module).__name__}")
    return sum(p.numel() for p in module.parameters())


def attention_distance(weights: torch.Tensor) -> torch.Tensor:
    """How far back each head looks on average: Σ_j w[i, j]·(i − j), averaged over queries i.

    ``weights`` (…, n_head, T, T) from :attr:`MultiHeadAttention.last_weights`; returns one number
    per head (averaged over any leading batch axes).
    """
    w = _tensor(weights, "attention_distance", "weights", (3, 4),
                shapes="(n_head, queries, keys) or (batch, n_head, queries, keys)")
    T = w.size(-1)
    if w.size(-2) != T:
        raise ValueError(f"attention_distance: weights must be square in the last two axes "
                         f"(queries × keys), got shape {tuple(w.shape)}")
    i = torch.arange(T, dtype=w.dtype)
    gap = (i[:, None] - i[None, :]).clamp(min=0)
    per_query = (w * gap).sum(-1)  # (…, n_head, T)
    return per_query.mean(-1).reshape(-1, w.size(-3)).mean(0)


def gelu(x: torch.Tensor) -> torch.Tensor:
    """GELU, x·Φ(x) (Φ the standard normal CDF): a smooth ReLU that lets a little through below 0."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"gelu: x must be a floating-point torch tensor, not {type(x).__name__}")
    if not x.is_floating_point():
        raise TypeError(f"gelu: x must hold floating-point numbers, not {x.dtype} "
                        "(convert with x.float())")
    return 0.5 * x * (1.0 + torch.erf(x / math.sqrt(2.0)))
