"""Checks for chapter 13's exercises: a mixture-of-experts router's top-k choice, and the online
(streaming) softmax behind FlashAttention.

Both compare the learner's function with the course's reference on several inputs
(:func:`course_utils.moe.top_k_routing`,
:func:`course_utils.widgets.ch13_beyond.online_softmax_attention`) and diagnose the usual
mistakes: a softmax over all experts instead of the chosen ``k``, the experts in the wrong
order, a running sum or output that is not rescaled when the maximum grows, a maximum
started at 0 instead of −∞, scores of 1000 that
overflow without the maximum subtracted, and a last block shorter than the others.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from .. import moe
from ..widgets.ch13_beyond import online_softmax_attention
from .core import (
    CheckFailed,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    float_advice,
    is_close,
    show_array,
    try_learner,
)

# --- exercise 1: top-k routing ------------------------------------------------------------------

_ROUTER_CASES = [
    (torch.tensor([[2.0, 0.5, 1.0, -1.0], [0.0, 3.0, -2.0, 2.5], [1.0, 1.5, 4.0, 0.0]]), 2),
    (torch.tensor([[0.3, -0.2, 0.9], [-1.0, -3.0, -0.5]]), 1),
    (torch.randn(6, 8, generator=torch.Generator().manual_seed(13)), 3),
]


def _as_pair(value: Any, what: str) -> tuple[Any, Any]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise CheckFailed(f"{what} should return two things, `weights, experts`, but it returned "
                          f"{describe(value)}.")
    return value[0], value[1]


@exercise_check
def check_top_k_routing(fn: Callable[..., Any]) -> str:
    """``fn(logits, k)`` must return ``(weights, experts)`` like :func:`course_utils.moe.top_k_routing`."""
    expect_callable(fn, "top_k_routing")
    for logits, k in _ROUTER_CASES:
        shown = f"logits of shape {tuple(logits.shape)} (rows {show_array(logits[0])}, …) and k={k}"
        called = try_learner(fn, logits, k, what="top_k_routing")
        if called.error is not None:
            raise CheckFailed(f"top_k_routing raised {type(called.error).__name__}: "
                              f"{called.error} (for {shown}).")
        weights, experts = _as_pair(called.value, "top_k_routing")
        want_w, want_e = moe.top_k_routing(logits, k)
        experts = expect_array(experts, "the experts it returned")
        weights = expect_array(weights, "the weights it returned")
        if experts.shape != tuple(want_e.shape) or weights.shape != tuple(want_w.shape):
            raise CheckFailed(f"For {shown} both results should have shape {tuple(want_e.shape)} "
                              f"(one row per token, one column per chosen expert), but the "
                              f"weights have shape {weights.shape} and the experts "
                              f"{experts.shape}. torch.topk(logits, k, dim=-1) picks k per row.")
        if not np.array_equal(experts, np.round(experts)):
            raise CheckFailed(f"For {shown} the experts should be whole numbers (indices of "
                              f"experts), but the second thing returned holds {show_array(experts[0])}"
                              f". Return `weights, experts` in that order.")
        if not np.array_equal(experts, want_e.numpy()):
            same_sets = all(set(a) == set(b) for a, b in zip(experts.tolist(), want_e.tolist(),
                                                              strict=True))
            extra = (" They are the right experts in another order: list the best first "
                     "(torch.topk does)." if same_sets else
                     " Pick the k largest logits of each row: torch.topk(logits, k, dim=-1).")
            raise CheckFailed(f"For {shown} the experts of the first token should be "
                              f"{want_e[0].tolist()}, got {experts[0].tolist()}.{extra}")
        if not is_close(weights, want_w.numpy(), rtol=1e-5, atol=1e-6):
            full = F.softmax(logits, dim=-1).gather(1, want_e).numpy()
            if is_close(weights, full, rtol=1e-5, atol=1e-6) and k < logits.size(1):
                raise CheckFailed(f"For {shown} your weights are the softmax over all experts, "
                                  f"so a row sums to {weights[0].sum():.3f}, not 1. Take the "
                                  f"softmax of the k chosen logits only.")
            raise CheckFailed(f"For {shown} the weights of the first token should be "
                              f"{show_array(want_w[0])}, got {show_array(weights[0])}: the "
                              f"softmax of that token's k chosen logits.")
    return "Your router picks each token's k best experts and mixes them with weights that sum to 1."


# --- exercise 2: the online softmax -------------------------------------------------------------

ADVICE = {
    "overflow": ("exp overflowed: exp of anything above about 710 is beyond any float. "
                 "Subtract the running maximum before taking exp, and when a block "
                 "raises the maximum, rescale what you have summed so far by exp(m_old − m_new)."),
    "invalid": ("A 0/0 or ∞ − ∞ appeared. On the first block the old maximum is −∞: "
                "exp(m_old − m_new) should then be exp(−∞) = 0 (math.exp(-math.inf) is 0.0), "
                "and nothing else should subtract two infinities."),
    "other": "Check the update of the running maximum, sum and output.",
}
ADVICE["divide_by_zero"] = ADVICE["invalid"]


def _online_cases() -> list[tuple[np.ndarray, np.ndarray, int, str]]:
    rng = np.random.default_rng(13)
    rising = np.linspace(-3, 6, 10)  # each block raises the maximum: catches a missing rescale
    return [
        (rng.normal(size=8), rng.normal(size=(8, 3)), 4, "8 scores in 2 blocks of 4"),
        (rising, rng.normal(size=(10, 2)), 3, "10 rising scores in blocks of 3 (the last holds 1)"),
        (np.array([1000.0, 999.0, -1000.0, 998.5, 1001.0]), rng.normal(size=(5, 2)), 2,
         "scores of ±1000 in blocks of 2"),
        (rng.normal(size=7) * 4, rng.normal(size=(7, 4)), 1, "7 scores one at a time"),
        (rng.normal(size=6), rng.normal(size=(6, 2)), 6, "6 scores in one block"),
        # all far below 0: a maximum started at 0 instead of −∞ makes every exp underflow
        (np.array([-1000.0, -1001.0, -999.5, -1002.0]), rng.normal(size=(4, 2)), 2,
         "scores near −1000 in blocks of 2"),
        # a later block far below the first: the maximum must be a running one
        (np.array([800.0, 799.0, -800.0, -801.0]), rng.normal(size=(4, 2)), 2,
         "scores of 800 then −800 in blocks of 2"),
    ]


@exercise_check
def check_online_softmax(fn: Callable[..., Any]) -> str:
    """``fn(scores, values, block_size)`` must equal ``softmax(scores) @ values`` for every case."""
    expect_callable(fn, "online_softmax")
    for scores, values, block, label in _online_cases():
        want = online_softmax_attention(scores, values, block)
        called = try_learner(fn, scores, values, block, what="online_softmax", float_alarms=True)
        if called.error is not None:
            err = called.error
            if isinstance(err, (FloatingPointError, OverflowError)):
                raise CheckFailed(f"online_softmax hit a floating-point problem ({err}) for "
                                  f"{label}. {float_advice(err, ADVICE)}"
                                  f"{_case_advice(scores, block)}")
            raise CheckFailed(f"online_softmax raised {type(err).__name__}: {err} (for {label}, "
                              f"scores {show_array(scores)}).")
        got = expect_array(called.value, "the result of online_softmax")
        if got.shape == scores.shape and got.shape != want.shape:
            raise CheckFailed(f"For {label} the result has one number per score, shape "
                              f"{got.shape}: those look like the attention weights. Return "
                              f"their weighted sum of the values, acc / s, shape {want.shape}.")
        if got.shape != want.shape:
            raise CheckFailed(f"For {label} the result should be one weighted sum of the values, "
                              f"shape {want.shape} (values are {values.shape}), but it has shape "
                              f"{got.shape}.")
        if np.isnan(got).any():
            raise CheckFailed(f"For {label} the result contains nan. {ADVICE['invalid']}"
                              f"{_case_advice(scores, block)}")
        if not is_close(got, want, rtol=1e-6, atol=1e-9):
            hint = ("Divide the running output by the running sum only at the end, and make "
                    "sure every block (the last, shorter one too) is read.")
            for rescale_sum, rescale_out, what in ((False, False, "neither the running sum "
                                                    "nor the running output"),
                                                   (True, False, "the running sum but not the "
                                                    "running output"),
                                                   (False, True, "the running output but not "
                                                    "the running sum")):
                if is_close(got, _rescaled(scores, values, block, rescale_sum, rescale_out),
                            rtol=1e-6, atol=1e-9):
                    hint = (f"Your result is what rescaling {what} gives. When a block raises the "
                            "maximum, multiply the running sum AND the running output by "
                            "exp(m_old − m_new) before adding the new block.")
                    break
            raise CheckFailed(f"For {label} (scores {show_array(scores)}) the result should be "
                              f"{show_array(want)}, got {show_array(got)}. {hint}")
    return ("Block by block, with only a running maximum, sum and output, you get exactly "
            "softmax(scores) @ values: the trick that lets FlashAttention skip the T×T matrix.")


def _case_advice(scores: np.ndarray, block: int) -> str:
    """What the two cases built to catch a badly kept maximum say when they fail."""
    if scores.max() < -100:
        return (" Start the running maximum at −∞ (math.inf with a minus), not at 0: with scores "
                "near −1000, exp(score − 0) underflows to 0 and the sum stays 0.")
    if scores[:block].max() > 100 > scores[block:].max():
        return (" Keep the RUNNING maximum, m_new = max(m, max(x)): if m_new is the block's own "
                "maximum it can drop (800 → −800 here), and exp(m_old − m_new) = exp(1600) "
                "overflows.")
    return ""


def _rescaled(scores: np.ndarray, values: np.ndarray, block: int, rescale_sum: bool,
              rescale_out: bool) -> np.ndarray:
    """The usual mistakes: the running sum and/or output not rescaled when the maximum grows."""
    m, s, acc = -np.inf, 0.0, np.zeros(values.shape[1])
    with np.errstate(all="ignore"):
        for start in range(0, len(scores), block):
            x, v = scores[start:start + block], values[start:start + block]
            m_new = max(m, float(x.max()))
            scale = np.exp(m - m_new)
            p = np.exp(x - m_new)
            s = (s * scale if rescale_sum else s) + p.sum()
            acc = (acc * scale if rescale_out else acc) + p @ v
            m = m_new
        return acc / s
