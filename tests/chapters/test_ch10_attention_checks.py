"""Chapter 10's check: a hint (never a traceback) for every way an attention answer can be wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from check_helpers import (
    assert_hint,
    assert_pass,
    assert_starts_with_a_capital,
    usual_wrong_answers,
)

from course_utils import attention
from course_utils.checks.ch10_attention import check_scaled_dot_product_attention as check

# --- right answers -------------------------------------------------------------------------------


def with_tril(q, k, v, causal=False):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        T = scores.shape[-1]
        scores = scores.masked_fill(torch.ones(T, T).tril() == 0, float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def with_torch(q, k, v, causal=False):
    return F.scaled_dot_product_attention(q, k, v, is_causal=causal)


def in_numpy(q, k, v, causal=False):
    """Right numbers, wrong library: a NumPy array back gets a hint (autograd cannot train it)."""
    q, k, v = q.numpy(), k.numpy(), v.numpy()
    s = q @ np.swapaxes(k, -1, -2) / np.sqrt(q.shape[-1])
    if causal:
        s = np.where(np.tril(np.ones(s.shape[-2:])) == 1, s, -np.inf)
    e = np.exp(s - s.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True) @ v


def float_mask(q, k, v, causal=False):
    """Wrong: masked_fill with a 0/1 float mask instead of a boolean one."""
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        T = scores.shape[-1]
        scores = scores.masked_fill(torch.ones(T, T).triu(1), float("-inf"))
    return torch.softmax(scores, dim=-1) @ v


def with_large_negative(q, k, v, causal=False):
    scores = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if causal:
        T = scores.shape[-1]
        scores = scores + torch.triu(torch.full((T, T), -1e9), diagonal=1).to(scores.dtype)
    return torch.softmax(scores, dim=-1) @ v


@pytest.mark.parametrize("right", [
    with_tril, with_torch, with_large_negative,
    lambda q, k, v, causal=False: attention.scaled_dot_product_attention(q, k, v, causal=causal)])
def test_right_answers_pass(right, capsys):
    assert_pass(check, right, capsys, "causal mask")


# --- the usual wrong answers ---------------------------------------------------------------------


@pytest.mark.parametrize("c, answer, fragments", [
    *usual_wrong_answers([check], [0.5, "attention", [1, 2, 3], np.zeros(3)]),
])
def test_usual_wrong_answers(c, answer, fragments, capsys):
    assert_hint(c, answer, capsys, *fragments)


# --- this exercise's own mistakes ------------------------------------------------------------------


def _variant(scale=None, dim=-1, mask="tril", before=True, mix=True, fill=float("-inf")):
    """A learner's attention with one thing changed (``scale`` gets q, k and v)."""
    def fn(q, k, v, causal=False):
        d = q.shape[-1]
        scores = q @ k.transpose(-2, -1) / (math.sqrt(d) if scale is None else scale(q, k, v))
        T = scores.shape[-1]
        keep = {"tril": torch.ones(T, T).tril(), "triu": torch.ones(T, T).triu(),
                "strict": torch.ones(T, T).tril(-1)}.get(mask)
        if causal and keep is not None and before:
            scores = scores.masked_fill(keep == 0, fill)
        weights = torch.softmax(scores, dim=dim) if dim is not None else F.softmax(scores)
        if causal and keep is not None and not before:
            weights = weights * keep
        return weights @ v if mix else weights
    return fn


@pytest.mark.parametrize("answer, fragments", [
    (_variant(scale=lambda q, k, v: 1.0), ["√d", "math.sqrt(d)"]),
    (_variant(scale=lambda q, k, v: q.shape[-1]), ["not by d"]),
    (_variant(scale=lambda q, k, v: 1 / math.sqrt(q.shape[-1])), ["multiplied"]),
    (_variant(scale=lambda q, k, v: math.sqrt(v.shape[-1])), ["q.shape[-1]", "value"]),
    (_variant(scale=lambda q, k, v: math.sqrt(k.shape[-2])), ["q.shape[-1]", "number of keys"]),
    (_variant(dim=-2), ["add up to 1", "dim=-1"]),
    (_variant(dim=None), ["batch dimension", "dim=-1"]),
    (_variant(fill=0.0), ["-inf", "not 0"]),
    (_variant(mix=False), ["weights @ v", "shape"]),
    (_variant(mask=None), ["causal=True", "-inf"]),
    (_variant(mask="triu"), ["wrong triangle"]),
    (_variant(before=False), ["*before* the softmax"]),
    (_variant(mask="strict"), ["nan", "at least key i"]),
    (lambda q, k, v, causal=False: torch.softmax(q @ k.T / math.sqrt(q.shape[-1]), -1) @ v,
     ["RuntimeError", "transpose(-2, -1)"]),
    (lambda q, k, v, causal=False: torch.softmax(q @ k.t() / math.sqrt(q.shape[-1]), -1) @ v,
     ["RuntimeError", "transpose(-2, -1)"]),
    (float_mask, ["masked_fill", "True/False"]),
    (in_numpy, ["NumPy array", "not a torch tensor"]),
    (lambda q, k, v, causal=False: with_tril(q, k, v, causal).numpy(), ["NumPy array"]),
    (lambda q, k, v, causal=False: with_tril(q, k, v, causal).tolist(), ["a list", "torch tensor"]),
    (lambda q, k, v, causal=False: with_tril(q.float(), k.float(), v.float(), causal),
     ["float32", "float64"]),
    (lambda q, k, v: with_tril(q, k, v), ["four arguments"]),
    (lambda q, k, v, causal=False: with_tril(q, k, v, causal)[..., :1], ["should have shape"]),
    (lambda q, k, v, causal=False: with_tril(q, k, v, causal) * 1.01, ["should be"]),
    (lambda q, k, v, causal=False: attention.scaled_dot_product_attention(q, k, v, causal=True),
     ["no mask at all"]),
    (lambda q, k, v, causal=False: None, ["None", "return"]),
    (lambda q, k, v, causal=False: "out", ["should be numbers"]),
])
def test_typical_mistakes_get_a_named_hint(answer, fragments, capsys):
    hint = assert_hint(check, answer, capsys, *fragments)
    assert_starts_with_a_capital(hint)


def test_the_learners_inputs_are_copies(capsys):
    seen = []

    def changes_its_input(q, k, v, causal=False):
        seen.append(q)
        out = with_tril(q, k, v, causal)
        q.zero_()
        return out

    assert_pass(check, changes_its_input, capsys)
    assert len(seen) == 4
