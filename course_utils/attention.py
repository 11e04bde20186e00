"""Scaled dot-product attention, written out in torch (chapter 10 builds it; 11 and 12 reuse it).

Attention is a soft lookup. Every position asks a *query*; every position offers a *key* (what
it can be found by) and a *value* (what it hands over). A query is scored against all keys with
a dot product, the scores are divided by ``sqrt(d)`` (``d`` is the length of a query) and turned
into weights by a softmax, and the weights mix the values::

    weights = softmax(q @ k.T / sqrt(d))      # (T_q, T_k), each row sums to 1
    output  = weights @ v                     # (T_q, d_v)

Shapes follow torch: ``q`` is ``(..., T_q, d)``, ``k`` is ``(..., T_k, d)``, ``v`` is
``(..., T_k, d_v)``; the leading ``...`` (batch, heads) must broadcast. A *mask* is a tensor of
True/False values that broadcasts to ``(..., T_q, T_k)``: ``True`` where a query may look at a
key (the convention of :func:`course_utils.gpt.causal_mask` and of the boolean ``attn_mask`` of
``torch.nn.functional.scaled_dot_product_attention``). A forbidden score becomes ``-inf`` before
the softmax, so ``exp(-inf) = 0`` gives it exactly zero weight.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from .gpt.model import causal_mask
from .validate import check_positive, check_whole

__all__ = [
    "SelfAttentionHead",
    "attention_scores",
    "attention_weights",
    "causal_mask",
    "scaled_dot_product_attention",
]


def _check_tensor(x: Any, name: str, what: str) -> torch.Tensor:
    """``x`` as a floating-point tensor with at least 2 dimensions (positions, features)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name}: {what} must be a torch tensor of shape (..., T, d), not "
                        f"{type(x).__name__}"[:200])
    if not (x.is_floating_point()):
        raise TypeError(f"{name}: {what} must hold floating-point numbers (e.g. torch.float32), "
                        f"got {x.dtype}; try .float()")
    if x.dim() < 2:
        raise ValueError(f"{name}: {what} must have shape (..., T, d): one row of length d per "
                         f"position; got shape {tuple(x.shape)}. A single vector of length d "
                         "is x[None, :] (shape (1, d)).")
    return x


def _check_qk(q: Any, k: Any, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    q = _check_tensor(q, name, "the queries q")
    k = _check_tensor(k, name, "the keys k")
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"{name}: queries and keys must have the same length d to be "
                         f"dot-multiplied, but q has d={q.shape[-1]} (shape {tuple(q.shape)}) "
                         f"and k has d={k.shape[-1]} (shape {tuple(k.shape)})")
    try:
        torch.broadcast_shapes(q.shape[:-2], k.shape[:-2])
    except RuntimeError:
        raise ValueError(f"{name}: the leading (batch/head) dimensions of q {tuple(q.shape[:-2])} "
                         f"and k {tuple(k.shape[:-2])} do not match") from None
    if q.dtype != k.dtype:
        raise TypeError(f"{name}: q is {q.dtype} but k is {k.dtype}; convert both to the same "
                        "dtype, e.g. .float()")
    return q, k


def _check_mask(mask: Any, scores_shape: torch.Size, name: str) -> torch.Tensor:
    """``mask`` as a boolean tensor that broadcasts to ``scores_shape``, or a clear error."""
    if not isinstance(mask, torch.Tensor):
        raise TypeError(f"{name}: mask must be a torch tensor of True/False values, not "
                        f"{type(mask).__name__}"[:200])
    if mask.dtype != torch.bool:
        raise TypeError(f"{name}: mask must hold True/False values (True where a query may look "
                        f"at a key), got {mask.dtype}; build it with a comparison or .bool()")
    T_q, T_k = scores_shape[-2], scores_shape[-1]
    try:
        ok = torch.broadcast_shapes(mask.shape, scores_shape) == scores_shape
    except RuntimeError:
        ok = False
    if not ok:
        raise ValueError(f"{name}: the mask has shape {tuple(mask.shape)} but the scores have "
                         f"shape {tuple(scores_shape)}: the mask needs one entry per (query, key) "
                         f"pair, shape ({T_q}, {T_k}) (or one that broadcasts to the scores)")
    return mask


def attention_scores(q: torch.Tensor, k: torch.Tensor, *, scale: bool = True) -> torch.Tensor:
    """Raw relevance of every key to every query: ``q @ k^T``, divided by ``sqrt(d)`` if ``scale``.

    Shape ``(..., T_q, T_k)``: row ``i`` holds query ``i``'s score against each key. These are the
    logits of the attention softmax (before any mask).
    """
    q, k = _check_qk(q, k, "attention_scores")
    scores = q @ k.transpose(-2, -1)
    return scores / math.sqrt(q.shape[-1]) if scale else scores


def attention_weights(q: torch.Tensor, k: torch.Tensor, *, causal: bool = False,
                      mask: torch.Tensor | None = None, temperature: float = 1.0) -> torch.Tensor:
    """``softmax(q k^T / (sqrt(d) * temperature))`` along the keys; shape ``(..., T_q, T_k)``.

    ``mask`` (True/False, broadcasting to ``(..., T_q, T_k)``) and ``causal`` turn forbidden
    scores into ``-inf`` before the softmax, so those keys get weight exactly 0. ``causal=True``
    lets query ``i`` see keys ``0 .. i`` when ``T_q == T_k``; with fewer queries than keys the
    queries are the *last* ``T_q`` positions (as when earlier keys are cached), so query ``i`` sees
    keys up to ``T_k - T_q + i``. A ``temperature`` above 1 flattens the weights, below 1
    sharpens them. Each row sums to 1; a query allowed no key at all is an error.
    """
    name = "attention_weights"
    q, k = _check_qk(q, k, name)
    temperature = check_positive(temperature, name, "the temperature")
    if not isinstance(causal, bool):
        raise TypeError(f"{name}: causal must be True or False, not {causal!r}"[:200])
    scores = q @ k.transpose(-2, -1) / (math.sqrt(q.shape[-1]) * temperature)
    allowed = None
    if mask is not None:
        allowed = _check_mask(mask, scores.shape, name).to(scores.device)
    if causal:
        T_q, T_k = scores.shape[-2], scores.shape[-1]
        if T_q > T_k:
            raise ValueError(f"{name}: causal=True needs at least as many keys as queries, got "
                             f"{T_q} queries and {T_k} keys")
        future = causal_mask(T_q, past=T_k - T_q, device=scores.device)
        allowed = future if allowed is None else allowed & future
    if allowed is not None:
        if scores.numel() and not allowed.expand(scores.shape).any(dim=-1).all():
            raise ValueError(f"{name}: the mask forbids every key for some query, so its "
                             "softmax would be 0/0 (nan); each query must be allowed at least "
                             "one key (with causal=True, at least itself)")
        scores = scores.masked_fill(~allowed, float("-inf"))
    return torch.softmax(scores, dim=-1)


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, *,
                                 causal: bool = False,
                                 mask: torch.Tensor | None = None) -> torch.Tensor:
    """Attention output ``attention_weights(q, k, causal=, mask=) @ v``: shape ``(..., T_q, d_v)``.

    Each output row is a weighted average of the value rows, with the weights saying how well
    that query matches each key. Equal to ``torch.nn.functional.scaled_dot_product_attention``
    for the same inputs (its boolean ``attn_mask`` means the same as ``mask`` here).
    """
    name = "scaled_dot_product_attention"
    q, k = _check_qk(q, k, name)
    v = _check_tensor(v, name, "the values v")
    if v.shape[-2] != k.shape[-2]:
        raise ValueError(f"{name}: there must be one value per key, but k has {k.shape[-2]} "
                         f"positions (shape {tuple(k.shape)}) and v has {v.shape[-2]} "
                         f"(shape {tuple(v.shape)})")
    weights = attention_weights(q, k, causal=causal, mask=mask)
    return weights @ v.to(weights.dtype)


class SelfAttentionHead(nn.Module):
    """One head of self-attention: learned projections to queries, keys and values, then attention.

    Every position's vector ``x[t]`` (length ``d_model``) is projected three ways,
    ``q = x W_q``, ``k = x W_k``, ``v = x W_v`` (each of length ``head_size``), and the output
    at each position is :func:`scaled_dot_product_attention` of those. ``causal=True`` lets each
    position see only itself and the positions before it, as a language model must.
    """

    def __init__(self, d_model: int, head_size: int) -> None:
        super().__init__()
        d_model = check_whole(d_model, "SelfAttentionHead", "the model dimension d_model", 1)
        head_size = check_whole(head_size, "SelfAttentionHead", "the head size head_size", 1)
        self.query = nn.Linear(d_model, head_size, bias=False)
        self.key = nn.Linear(d_model, head_size, bias=False)
        self.value = nn.Linear(d_model, head_size, bias=False)

    def _qkv(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x = _check_tensor(x, "SelfAttentionHead", "the input x")
        d_model = self.query.in_features
        if x.shape[-1] != d_model:
            raise ValueError(f"SelfAttentionHead: each position's vector must have length "
                             f"d_model={d_model}, but x has shape {tuple(x.shape)}")
        return self.query(x), self.key(x), self.value(x)

    def weights(self, x: torch.Tensor, causal: bool = False) -> torch.Tensor:
        """The attention weights ``(..., T, T)``: row ``i`` says how much position ``i`` reads
        from each position."""
        q, k, _ = self._qkv(x)
        return attention_weights(q, k, causal=causal)

    def forward(self, x: torch.Tensor, causal: bool = False) -> torch.Tensor:
        """``x`` of shape ``(..., T, d_model)`` to outputs of shape ``(..., T, head_size)``."""
        q, k, v = self._qkv(x)
        return scaled_dot_product_attention(q, k, v, causal=causal)
