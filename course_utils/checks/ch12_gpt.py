"""Checks for chapter 12's exercises: the greedy generation loop and top-k filtering.

Each check calls the learner's function through :mod:`.core` (copies of the inputs, a stub
becomes "not written yet", an exception becomes a hint), compares it with the GPT engine
(:mod:`course_utils.gpt`), and recognises the usual mistakes by computing them: returning only
the new tokens, not cropping to the block size, reading the first position instead of the last,
sampling where the likeliest token was asked for; returning logits or a sample instead of
probabilities, not renormalising, keeping k − 1 or k + 1 tokens, filtering the wrong axis.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .. import gpt
from .core import (
    CheckFailed,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
    is_close,
    try_learner,
)


def _call(fn: Any, what: str, *args: Any) -> Any:
    """The learner's ``fn(*args)``, or a hint that names the exception."""
    called = try_learner(fn, *args, what=what)
    if called.error is not None:
        error = called.error
        shown = ", ".join("a GPT model" if isinstance(a, torch.nn.Module) else describe(a)
                          for a in args)
        text = str(error).splitlines()[0][:300] if str(error) else ""
        hint = f"{what} raised {type(error).__name__}: {text} (called with {shown})."
        if isinstance(error, (TypeError, AttributeError)) and "tuple" in text:
            hint += (" Calling the model returns a pair (logits, loss): write "
                     "`logits, _ = model(x)` and index the logits.")
        if "same number of dimensions" in text:
            hint += (" argmax(dim=-1) drops the last dimension: keep the next token as shape "
                     "(1, 1) with argmax(dim=-1, keepdim=True), so torch.cat(..., dim=1) can "
                     "append it to idx.")
        if "block size" in text:
            hint += (" The model only knows block_size positions: feed it the last block_size "
                     "tokens, idx[:, -model.config.block_size:], not the whole text.")
        raise CheckFailed(hint)
    return called.value


# --- exercise 1: the generation loop ---------------------------------------------------------------


def _tiny_model() -> gpt.GPT:
    """A small random GPT whose greedy choices change from step to step (large weights)."""
    torch.manual_seed(12)
    model = gpt.GPT(gpt.GPTConfig(vocab_size=13, block_size=8, n_layer=1, n_head=2, n_embd=16))
    g = torch.Generator().manual_seed(12)
    with torch.no_grad():
        for p in model.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.6)
    return model.eval()


@torch.no_grad()
def _greedy(model: gpt.GPT, idx: torch.Tensor, n: int, position: int = -1) -> torch.Tensor:
    """Greedy decoding that reads the logits at ``position`` (−1 right, 0 the usual slip)."""
    for _ in range(n):
        logits, _ = model(idx[:, -model.config.block_size:])
        idx = torch.cat([idx, logits[:, position, :].argmax(-1, keepdim=True)], dim=1)
    return idx


def _as_ids(value: Any, what: str) -> np.ndarray:
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], torch.Tensor):
        raise CheckFailed(f"{what} is a list of tensors: put the tokens into one tensor with "
                          "torch.cat([idx, next_id], dim=1) at every step and return it.")
    return expect_array(value, what)


@exercise_check
def check_generate_greedy(generate_greedy: Any) -> str:
    """Exercise: ``generate_greedy(model, idx, max_new_tokens)`` → idx with the new tokens."""
    generate_greedy = expect_callable(generate_greedy, "generate_greedy")
    model = _tiny_model()
    block = model.config.block_size
    for prompt, n in (([3, 1, 4], 4), ([2, 7, 1, 8, 2], 12)):
        idx = torch.tensor([prompt])
        call = f"generate_greedy(model, idx, {n}) with idx = tensor([{prompt}]) and block_size {block}"
        got = _as_ids(_call(generate_greedy, "generate_greedy", model, idx, n), f"the result of {call}")
        want = _greedy(model, idx, n).numpy()
        if got.shape == (1, n) or got.shape == (n,):
            raise CheckFailed(f"{call} returned only the {n} new tokens (shape {got.shape}). "
                              f"Return the whole sequence, the prompt followed by the new tokens: "
                              f"shape {want.shape}.")
        if got.ndim == 3:
            raise CheckFailed(f"{call} returned shape {got.shape}, which looks like logits. Pick "
                              "one token from the last position's logits at each step (argmax), "
                              "append it to idx, and return idx.")
        if got.shape != want.shape:
            raise CheckFailed(f"{call} should return shape {want.shape} (1, len(prompt) + "
                              f"max_new_tokens), but it returned shape {got.shape}.")
        if not np.array_equal(got[0, :len(prompt)], prompt):
            raise CheckFailed(f"{call} changed the prompt: the result should start with "
                              f"{prompt} and continue with the new tokens.")
        again = _as_ids(_call(generate_greedy, "generate_greedy", model, idx, n), "the result")
        if not np.array_equal(got, again):
            raise CheckFailed(f"{call} gave different tokens on a second call: it is sampling. "
                              "Greedy decoding takes the likeliest token every time, "
                              "logits.argmax(dim=-1), and is the same on every run.")
        if np.array_equal(got, _greedy(model, idx, n, position=0).numpy()) \
                and not np.array_equal(got, want):
            raise CheckFailed(f"{call} read the logits of the first position. The prediction "
                              "for the next token is at the last position: logits[:, -1, :].")
        if not np.array_equal(got, want):
            diff = int(np.argmax(got[0] != want[0]))
            raise CheckFailed(f"{call} gives token {int(got[0, diff])} at position {diff}, but the "
                              f"likeliest token there is {int(want[0, diff])}. At each step: crop "
                              "to the last block_size tokens, run the model, take "
                              "logits[:, -1, :].argmax(dim=-1, keepdim=True), append it.")
    engine = torch.cat([idx, *gpt.generate_ids(model, idx, n, greedy=True)], dim=1)
    if not np.array_equal(want, engine.numpy()):  # the check's own reference vs the engine's
        raise CheckFailed("the reference and the engine disagree: please report this.")
    return ("Greedy generation is a loop: crop to the block, run the model, take the last "
            "position's likeliest token, append, repeat; the same tokens as the engine's "
            "generate_ids(..., greedy=True), also past the block size.")


# --- exercise 2: top-k filtering ------------------------------------------------------------------


def _logits() -> list[tuple[torch.Tensor, int]]:
    g = torch.Generator().manual_seed(7)
    x = torch.randn(3, 10, generator=g) * 2
    return [(x, 2), (x, 1), (torch.randn(2, 6, generator=g) * 3, 6), (x[:, :5], 2)]


def _kept_softmax(logits: torch.Tensor, keep: torch.Tensor) -> np.ndarray:
    out = torch.softmax(logits.double().masked_fill(~keep, float("-inf")), dim=-1)
    return out.numpy()


def _keep_top(logits: torch.Tensor, k: int, dim: int = -1) -> torch.Tensor:
    """A boolean mask of the k largest entries along ``dim``."""
    k = max(1, min(k, logits.size(dim)))
    kth = torch.topk(logits, k, dim=dim).values.select(dim, k - 1).unsqueeze(dim)
    return logits >= kth


@exercise_check
def check_top_k_probs(top_k_probs: Any) -> str:
    """Exercise: ``top_k_probs(logits, k)`` → probabilities with all but the k likeliest at 0."""
    top_k_probs = expect_callable(top_k_probs, "top_k_probs")
    for logits, k in _logits():
        B, V = logits.shape
        call = f"top_k_probs(logits, {k}) with logits of shape {(B, V)}"
        got = _call(top_k_probs, "top_k_probs", logits, k)
        if isinstance(got, tuple) and len(got) == 2:
            raise CheckFailed(f"{call} returned a pair (maybe torch.topk's values and indices). "
                              f"Return one tensor of shape {(B, V)}: a probability for every "
                              "token, 0 for those outside the top k.")
        got = expect_array(got, f"the result of {call}")
        want = _kept_softmax(logits, _keep_top(logits, k))
        if got.shape in ((B, 1), (B,)) and V > 1:
            raise CheckFailed(f"{call} returned shape {got.shape}: one token per row, a sample "
                              f"or an argmax. The exercise asks for the probabilities the "
                              f"sampler would draw from, shape {(B, V)}.")
        if got.shape == (B, k) and k < V:
            raise CheckFailed(f"{call} returned shape {got.shape}: only the k kept values. Put "
                              f"them back in their places among all {V} tokens (the others 0), "
                              f"shape {(B, V)}: e.g. logits.masked_fill(logits < kth, "
                              "float('-inf')) before the softmax.")
        if got.shape != want.shape:
            raise CheckFailed(f"{call} should return shape {want.shape}, but it returned shape "
                              f"{got.shape}.")
        if np.isnan(got).any():
            raise CheckFailed(f"{call} contains nan. A row whose every logit is −∞ has no "
                              "softmax: keep the k largest logits of each row, mask only the "
                              "others, and take the softmax along the row (dim=-1), the same "
                              "dimension as torch.topk.")
        if np.isinf(got).any() or (got < 0).any():
            raise CheckFailed(f"{call} contains negative or infinite numbers: those are logits. "
                              "Apply torch.softmax(..., dim=-1) after masking, so the result is "
                              "probabilities.")
        kept = (got > 0).sum(axis=1)
        if is_close(got, _kept_softmax(logits.T, _keep_top(logits.T, k)).T) and k < min(B, V):
            raise CheckFailed(f"{call} filtered each column (dim 0, across the batch) instead of "
                              "each row. Each row is one sequence's next-token logits: use "
                              "dim=-1 in torch.topk and in the softmax.")
        if (np.abs(got.sum(axis=1) - 1) > 1e-5).any():
            if is_close(got * (got > 0), torch.softmax(logits.double(), -1).numpy() * (got > 0)):
                raise CheckFailed(f"{call}: each row sums to {_show(got.sum(axis=1))}, not 1. "
                                  "Zeroing the other tokens after the softmax leaves the kept "
                                  "ones too small: renormalise (divide by the row sum), or mask "
                                  "the logits with −∞ before the softmax.")
            raise CheckFailed(f"{call}: each row should sum to 1 (probabilities), but the sums "
                              f"are {_show(got.sum(axis=1))}.")
        if (kept == k - 1).all() and k > 1:
            raise CheckFailed(f"{call} keeps {k - 1} tokens per row, one too few. Keep every "
                              "logit >= the k-th largest (torch.topk(logits, k).values[:, [-1]]); "
                              "'>' drops the k-th itself.")
        if (kept == k + 1).all():
            raise CheckFailed(f"{call} keeps {k + 1} tokens per row, one too many: the k-th "
                              "largest value is torch.topk(logits, k).values[:, [-1]] (index "
                              "k − 1, counting from 0).")
        if (kept != k).any():
            raise CheckFailed(f"{call} keeps {_show(kept)} tokens in the rows, but should keep "
                              f"exactly {k} in each. Each row needs its own threshold: "
                              "torch.topk(logits, k, dim=-1).values[:, [-1]] has shape (B, 1), "
                              "one k-th largest value per row, compared along dim=-1.")
        expect_close(got, want, call, rtol=1e-4, atol=1e-6,
                     hint="Keep the k largest logits of each row, set the others to −∞, softmax.")
    reference = gpt.next_token_probs(_logits()[0][0], top_k=3).double().numpy()
    if not is_close(_kept_softmax(_logits()[0][0], _keep_top(_logits()[0][0], 3)), reference,
                    rtol=1e-5, atol=1e-7):
        raise CheckFailed("the check disagrees with the engine's next_token_probs: please report.")
    return ("Top-k keeps the k likeliest tokens of each row and shares all the probability among "
            "them, as the engine's next_token_probs(logits, top_k=k) does.")


def _show(values: np.ndarray) -> str:
    """Numbers for a hint: ``[0.81, 1, 0.93]``."""
    return "[" + ", ".join(f"{v:.3g}" for v in np.asarray(values, dtype=float)) + "]"
