"""Checks for chapter 10's exercise: scaled dot-product attention with an optional causal mask.

The check calls the learner's ``scaled_dot_product_attention(q, k, v, causal)`` on float64
torch tensors and compares the result with :func:`course_utils.attention.scaled_dot_product_attention`.
The test inputs are chosen so that the usual mistakes give different numbers and can be named:
a forgotten ``/ √d`` (or a division by d), a softmax over the wrong dimension, returning the
weights instead of mixing the values, ignoring ``causal``, masking the wrong triangle, and
zeroing weights after the softmax instead of putting −∞ before it, a mask of 0 instead of −∞,
the square root of the wrong length, and a softmax over a batch dimension (``F.softmax``
without ``dim``). Queries and keys of different lengths (4 queries, 6 keys and values of length
5 in the first test) catch a transposed product and tell d, d_v and T apart. The answer must be
a torch tensor of the inputs' dtype (float64): a NumPy array, a list or a float32 result each
get their own hint.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from .. import attention as ref
from .core import (
    CheckFailed,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    expect_not_none,
    first_mismatch,
    is_close,
    try_learner,
)


def _inputs(seed: int, batch: tuple[int, ...], t_q: int, t_k: int, d: int,
            d_v: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    shape = (*batch, t_q, d)
    q = 2 * torch.randn(shape, generator=gen, dtype=torch.float64)
    k = 2 * torch.randn((*batch, t_k, d), generator=gen, dtype=torch.float64)
    v = torch.randn((*batch, t_k, d_v), generator=gen, dtype=torch.float64)
    return q, k, v


def _wrong_versions(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                    causal: bool) -> dict[str, torch.Tensor]:
    """What the usual mistakes compute for these inputs, each with its hint."""
    d = q.shape[-1]
    scores = q @ k.transpose(-2, -1)
    T_q, T_k = scores.shape[-2], scores.shape[-1]
    allowed = ref.causal_mask(T_q, past=T_k - T_q) if causal else torch.ones(T_q, T_k, dtype=torch.bool)

    def soft(s: torch.Tensor, dim: int = -1, mask: torch.Tensor | None = allowed) -> torch.Tensor:
        if mask is not None:
            s = s.masked_fill(~mask, float("-inf"))
        return torch.softmax(s, dim=dim)

    hints = {
        "Divide the scores by √d (the square root of the length of a query), so that their "
        "spread does not grow with d: q @ k.transpose(-2, -1) / math.sqrt(d).": soft(scores) @ v,
        "Divide by √d, not by d: the spread of q·k grows like √d, so √d is what brings it back "
        "to about 1.": soft(scores / d) @ v,
        "Divide the scores by √d; you multiplied by it, which makes the softmax even more "
        "extreme.": soft(scores * math.sqrt(d)) @ v,
        "d is the length of a query (and of a key), q.shape[-1]: the number of terms in each "
        "dot product. You took the square root of the length of a value, v.shape[-1].":
            soft(scores / math.sqrt(v.shape[-1])) @ v,
        "d is the length of a query (and of a key), q.shape[-1]: the number of terms in each "
        "dot product, not the number of keys.": soft(scores / math.sqrt(T_k)) @ v,
        "Each query's weights (one row of the weight matrix) must add up to 1: take the softmax "
        "over the keys, the last dimension (dim=-1), not over the queries.":
            soft(scores / math.sqrt(d), dim=-2) @ v,
        "You returned the attention weights; the output mixes the values with them: "
        "weights @ v.": soft(scores / math.sqrt(d)),
    }
    for dim in range(scores.dim() - 2):  # a batch or head dimension, e.g. F.softmax(s) without dim
        hints[f"Your softmax ran over dimension {dim}, a batch dimension (F.softmax without dim= "
              "picks one for you). Always name it: torch.softmax(scores, dim=-1), the keys."] = (
            soft(scores / math.sqrt(d), dim=dim) @ v)
    if causal:
        hints["With causal=True, query i must not see the keys after it: before the softmax, "
              "set the scores above the diagonal to -inf (your output is the unmasked one)."] = (
            soft(scores / math.sqrt(d), mask=None) @ v)
        hints["Put −∞ on the scores of the future keys *before* the softmax. Zeroing weights "
              "after it leaves each row summing to less than 1."] = (
            soft(scores / math.sqrt(d), mask=None) * allowed) @ v
        hints["The future scores must become -inf (float('-inf')), not 0: e^0 = 1, so a score of "
              "0 still gets weight, and the future still leaks in."] = soft(
            (scores / math.sqrt(d)).masked_fill(~allowed, 0.0), mask=None) @ v
        hints["You masked the wrong triangle: query i may see keys 0 … i (the past and itself), "
              "so the scores *above* the diagonal get −∞: torch.ones(T, T).tril() marks "
              "what is allowed."] = soft(scores / math.sqrt(d), mask=~allowed | torch.eye(
                  T_q, T_k, dtype=torch.bool)) @ v
    else:
        hints["causal=False means no mask at all: every query sees every key."] = (
            soft(scores / math.sqrt(d), mask=ref.causal_mask(T_q, past=T_k - T_q)) @ v
            if T_k >= T_q else soft(scores / math.sqrt(d)) @ v)
    return hints


def _attention_result(fn: Callable[..., Any], q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                      causal: bool, case: str) -> torch.Tensor:
    """The learner's output for one case as a float64 tensor, or a hint."""
    called = try_learner(fn, q, k, v, causal, what="scaled_dot_product_attention")
    shapes = f"q {tuple(q.shape)}, k {tuple(k.shape)}, v {tuple(v.shape)}, causal={causal}"
    if called.error is not None:
        exc = called.error
        hint = f"Your scaled_dot_product_attention raised {type(exc).__name__}: {exc} ({case}: {shapes})."
        if isinstance(exc, TypeError) and "positional argument" in str(exc):
            hint += " It must accept four arguments: q, k, v and causal (default False)."
        elif isinstance(exc, RuntimeError) and "masked_fill" in str(exc):
            hint += (" masked_fill needs a True/False mask: compare to get one, e.g. "
                     "torch.ones(T, T).tril() == 0 is True exactly on the future.")
        elif isinstance(exc, RuntimeError) and any(
                word in str(exc) for word in ("mat1", "size", "t()", "dimensions")):
            hint += (" The scores are q @ k.transpose(-2, -1): each query (a row of q) is "
                     "dotted with each key (a row of k), and transpose(-2, -1) swaps only the "
                     "last two dimensions, so batch dimensions stay in front (k.T and k.t() "
                     "do not).")
        raise CheckFailed(hint)
    want = ref.scaled_dot_product_attention(q, k, v, causal=causal)
    what = f"The result of your scaled_dot_product_attention ({case})"
    result = expect_not_none(called.value, what)
    if not isinstance(result, torch.Tensor):
        expect_array(result, what)  # says so if it is not numbers at all
        raise CheckFailed(f"{what} is {describe(result)}, not a torch tensor. Stay in torch: "
                          "q @ k.transpose(-2, -1), torch.softmax and @ on tensors give a "
                          "tensor, and a tensor is what autograd can train (chapter 11).")
    if result.dtype != q.dtype and torch.is_floating_point(result):
        raise CheckFailed(f"{what} is a {str(result.dtype).replace('torch.', '')} tensor, but "
                          f"the inputs are {str(q.dtype).replace('torch.', '')}: somewhere it "
                          "was converted (.float() or a dtype= argument?) and lost precision. "
                          "Keep the inputs' dtype.")
    got = expect_array(result, what)
    if got.shape != tuple(want.shape):
        if got.shape == tuple(want.shape[:-1]) + (k.shape[-2],):
            raise CheckFailed(f"For {shapes} the result has shape {got.shape}, the shape of the "
                              "attention weights (one per query and key). The output mixes the "
                              f"values with them, weights @ v, of shape {tuple(want.shape)}.")
        raise CheckFailed(f"For {shapes} the output should have shape {tuple(want.shape)} (one "
                          f"row per query, as long as a value), but it has shape {got.shape}.")
    if torch.isnan(torch.as_tensor(got)).any():
        raise CheckFailed(f"The output contains nan ({case}: {shapes}). A row whose scores are "
                          "all −∞ has no softmax (0/0): query i must always see at least key i "
                          "itself, so mask only the keys *after* it (above the diagonal).")
    return torch.as_tensor(got, dtype=torch.float64)


@exercise_check
def check_scaled_dot_product_attention(scaled_dot_product_attention: Any) -> str:
    """Exercise: ``softmax(q kᵀ / √d) v`` for tensors ``(..., T, d)``, with a causal mask on request."""
    fn = expect_callable(scaled_dot_product_attention, "scaled_dot_product_attention")
    cases = [
        ("No mask, 4 queries and 6 keys", (), 4, 6, 3, 5, False, 0),
        ("No mask, a batch of 2 × 3 heads", (2, 3), 5, 5, 8, 4, False, 1),
        ("Causal, 5 positions", (), 5, 5, 4, 3, True, 2),
        ("Causal, a batch of 2 sequences of 6", (2,), 6, 6, 16, 2, True, 3),
    ]
    for case, batch, t_q, t_k, d, d_v, causal, seed in cases:
        q, k, v = _inputs(seed, batch, t_q, t_k, d, d_v)
        got = _attention_result(fn, q, k, v, causal, case)
        want = ref.scaled_dot_product_attention(q, k, v, causal=causal)
        if is_close(got, want, rtol=1e-6, atol=1e-9):
            continue
        for hint, wrong in _wrong_versions(q, k, v, causal).items():
            if wrong.shape == want.shape and is_close(got, wrong, rtol=1e-6, atol=1e-9):
                raise CheckFailed(f"{case}: {hint}")
        raise CheckFailed(f"{case}: the output {first_mismatch(got, want, 1e-6, 1e-9)}. The "
                          "recipe: scores = q @ k.transpose(-2, -1) / math.sqrt(d); with causal, "
                          "scores above the diagonal become -inf; weights = softmax over the "
                          "last dimension; output = weights @ v.")
    return ("Your attention matches the course's for batches, for more keys than queries and "
            "with the causal mask: scores, −∞ on the future, softmax along the keys, values mixed.")


__all__ = ["check_scaled_dot_product_attention"]
