"""Each chapter-11 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from check_helpers import assert_hint, assert_pass, each_check, usual_wrong_answers

from course_utils import transformer
from course_utils.checks.ch11_transformer_block import (
    check_layer_norm,
    check_merge_heads,
    check_split_heads,
)

ALL_CHECKS = [check_split_heads, check_merge_heads, check_layer_norm]


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "split_heads", [1, 2, 3], np.zeros(3)]),
    *each_check(ALL_CHECKS, "returns-None", lambda *args: None, "None", "return"),
    *each_check(ALL_CHECKS, "returns-text", lambda *args: "heads", "should be numbers"),
    *each_check(ALL_CHECKS, "wrong-shape", lambda x, *rest: x[..., :1], "shape"),
    *each_check([check_split_heads, check_layer_norm], "too-few-arguments", lambda x: x,
                "TypeError"),
    *each_check([check_merge_heads], "identity", lambda h: h, "shape"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: split heads ----------------------------------------------------------------------


def split_by_reshape(x, n):
    B, T, C = x.shape
    return x.reshape(B, T, n, C // n).permute(0, 2, 1, 3)


@pytest.mark.parametrize("right", [transformer.split_heads, split_by_reshape,
                                   lambda x, n: split_by_reshape(x, n).numpy()])
def test_split_heads_right_answers_pass(right, capsys):
    assert_pass(check_split_heads, right, capsys, "batch dimension")


@pytest.mark.parametrize("wrong, fragments", [
    (lambda x, n: x.view(x.shape[0], n, x.shape[1], x.shape[2] // n),
     ("mixes positions into the heads", ".transpose(1, 2)")),
    (lambda x, n: x.view(x.shape[0], x.shape[1], n, x.shape[2] // n),
     ("The heads must come before the time axis",)),
    (lambda x, n: x.view(x.shape[0], x.shape[1], x.shape[2] // n, n).permute(0, 3, 1, 2),
     ("Head h should hold channels",)),
    (lambda x, n: x[:, None], ("should return shape",)),
])
def test_split_heads_wrong_answers_get_their_hint(wrong, fragments, capsys):
    assert_hint(check_split_heads, wrong, capsys, *fragments)


# --- exercise 2: merge heads ----------------------------------------------------------------------


@pytest.mark.parametrize("right", [
    transformer.merge_heads,
    lambda h: h.transpose(1, 2).contiguous().view(h.shape[0], h.shape[2], -1),
    lambda h: h.permute(0, 2, 1, 3).flatten(2),
])
def test_merge_heads_right_answers_pass(right, capsys):
    assert_pass(check_merge_heads, right, capsys, "gives x back")


@pytest.mark.parametrize("wrong, fragments", [
    (lambda h: h.transpose(1, 2).view(h.shape[0], h.shape[2], -1),
     ("RuntimeError", "use .reshape")),
    (lambda h: h.reshape(h.shape[0], h.shape[2], -1), ("wrong numbers in each place",)),
    (lambda h: h.transpose(1, 2), ("still separate",)),
    (lambda h: h.transpose(1, 2).reshape(h.shape[0], h.shape[2], -1) + 1, ("undo split_heads",)),
])
def test_merge_heads_wrong_answers_get_their_hint(wrong, fragments, capsys):
    assert_hint(check_merge_heads, wrong, capsys, *fragments)


# --- exercise 3: layer norm -----------------------------------------------------------------------


def mean(x):
    return x.mean(dim=-1, keepdim=True)


def by_hand(x, w, b, eps=1e-5):
    centred = x - mean(x)
    return centred / torch.sqrt((centred ** 2).mean(dim=-1, keepdim=True) + eps) * w + b


@pytest.mark.parametrize("right", [
    transformer.layer_norm, by_hand,
    lambda x, w, b, eps=1e-5: F.layer_norm(x, (x.shape[-1],), w, b, eps),
    lambda x, w, b, eps=1e-5: by_hand(x, w, b, eps).numpy(),
])
def test_layer_norm_right_answers_pass(right, capsys):
    assert_pass(check_layer_norm, right, capsys, "nn.LayerNorm")


def std(x, **kw):
    return x.std(dim=-1, keepdim=True, **kw)


@pytest.mark.parametrize("wrong, fragments", [
    (lambda x, w, b, eps=1e-5: (x - mean(x)) / torch.sqrt(x.var(-1, keepdim=True) + eps) * w + b,
     ("unbiased variance", "unbiased=False")),
    (lambda x, w, b, eps=1e-5: (x - mean(x)) / (std(x, unbiased=False) + eps) * w + b,
     ("outside the square root",)),
    (lambda x, w, b, eps=1e-5: (x - mean(x)) / std(x, unbiased=False) * w + b, ("left out eps",)),
    (lambda x, w, b, eps=1e-5: (x - mean(x)) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps),
     ("forgot the learned gain and shift",)),
    (lambda x, w, b, eps=1e-5: (x - x.mean(0, keepdim=True))
     / torch.sqrt(x.var(0, keepdim=True, unbiased=False) + eps) * w + b, ("first axis",)),
    (lambda x, w, b, eps=1e-5: (x - x.mean()) / torch.sqrt(x.var(unbiased=False) + eps) * w + b,
     ("whole tensor",)),
    (lambda x, w, b, eps=1e-5: x.mean(-1), ("keepdim=True",)),
    (lambda x, w, b, eps=1e-5: (x - x.mean(-1)[..., None]) / torch.sqrt(
        x.var(-1, unbiased=False) + eps) * w + b, ("RuntimeError", "keepdim=True")),
    (lambda x, w, b, eps=1e-5: (x - x.mean(-2, keepdim=True))
     / torch.sqrt(x.var(-2, keepdim=True, unbiased=False) + eps) * w + b,
     ("across the positions", "dim=-1")),
    (lambda x, w, b, eps=1e-5: x / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps) * w + b,
     ("subtract each vector's mean",)),
    (lambda x, w, b, eps=1e-5: (x - mean(x)) / (x.var(-1, keepdim=True, unbiased=False) + eps) * w + b,
     ("square root",)),
    (lambda x, w, b, eps=1e-5: (x - mean(x)) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps) * w,
     ("forgot to add bias",)),
    (lambda x, w, b, eps=1e-5: (x - mean(x)) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps) + b,
     ("forgot to multiply by weight",)),
    (lambda x, w, b, eps=1e-5: ((x - mean(x)) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False) + eps)
                                + b) * w, ("scale first, then shift",)),
    (lambda x, w, b, eps=1e-5: (x - mean(x)) / torch.sqrt(x.var(-1, keepdim=True, unbiased=False)) * 0,
     ("index",)),
])
def test_layer_norm_wrong_answers_get_their_hint(wrong, fragments, capsys):
    assert_hint(check_layer_norm, wrong, capsys, *fragments)


def test_a_constant_vector_without_eps_is_named(capsys):
    """nan from 0/0 on an all-equal vector: the hint says what eps is for."""
    def no_eps_safe_on_small(x, w, b, eps=1e-5):
        var = x.var(-1, keepdim=True, unbiased=False)
        return (x - mean(x)) / torch.sqrt(torch.where(var > 1e-9, var + eps, var)) * w + b

    assert_hint(check_layer_norm, no_eps_safe_on_small, capsys, "nan or inf", "eps")


def test_the_check_does_not_let_the_learner_change_its_inputs(capsys):
    def in_place(x, w, b, eps=1e-5):
        x -= mean(x)
        return x / torch.sqrt((x ** 2).mean(-1, keepdim=True) + eps) * w + b

    assert_pass(check_layer_norm, in_place, capsys)
    assert_pass(check_layer_norm, transformer.layer_norm, capsys)
