"""Each chapter-13 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from check_helpers import assert_hint, assert_pass, each_check, usual_wrong_answers

from course_utils.checks.ch13_beyond import check_online_softmax, check_top_k_routing

ALL_CHECKS = [check_top_k_routing, check_online_softmax]


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "softmax", [1, 2, 3], np.zeros(3)]),
    *each_check([check_online_softmax], "returns-None", lambda *args: None, "None", "return"),
    *each_check([check_online_softmax], "returns-text", lambda *args: "0.5", "should be numbers"),
    *each_check([check_top_k_routing], "returns-None", lambda *args: None, "two things"),
    *each_check([check_top_k_routing], "returns-one-thing", lambda logits, k: logits, "two things"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: top-k routing ------------------------------------------------------------------


def routing(logits, k):
    top, experts = torch.topk(logits, k, dim=-1)
    return torch.softmax(top, dim=-1), experts


def routing_with_numpy(logits, k):
    z = logits.numpy()
    experts = np.argsort(-z, axis=1, kind="stable")[:, :k]
    top = np.take_along_axis(z, experts, axis=1)
    w = np.exp(top - top.max(axis=1, keepdims=True))
    return w / w.sum(axis=1, keepdims=True), experts


@pytest.mark.parametrize("answer", [routing, routing_with_numpy])
def test_right_routing_passes(answer, capsys):
    assert_pass(check_top_k_routing, answer, capsys, "k best experts")


@pytest.mark.parametrize("answer, fragment", [
    (lambda logits, k: (torch.softmax(logits, -1).gather(1, torch.topk(logits, k).indices),
                        torch.topk(logits, k).indices), "softmax over all experts"),
    (lambda logits, k: (routing(logits, k)[0].flip(1), routing(logits, k)[1].flip(1)),
     "another order"),
    (lambda logits, k: (routing(logits, k)[0], torch.topk(-logits, k).indices), "torch.topk"),
    (lambda logits, k: (routing(logits, k)[0][:, :1], routing(logits, k)[1][:, :1]), "shape"),
    (lambda logits, k: (torch.topk(logits, k).values, torch.topk(logits, k).indices),
     "softmax of that token's k chosen logits"),
    (lambda logits, k: (routing(logits, k)[1], routing(logits, k)[0]), "in that order"),
])
def test_typical_routing_mistakes_get_their_hint(answer, fragment, capsys):
    assert_hint(check_top_k_routing, answer, capsys, fragment)


# --- exercise 2: the online softmax -------------------------------------------------------------


def online(scores, values, block_size):
    m, s, acc = -math.inf, 0.0, np.zeros(values.shape[1])
    for start in range(0, len(scores), block_size):
        x, v = scores[start:start + block_size], values[start:start + block_size]
        m_new = max(m, x.max())
        scale = math.exp(m - m_new)
        p = np.exp(x - m_new)
        s, acc, m = s * scale + p.sum(), acc * scale + p @ v, m_new
    return acc / s


def no_rescale(scores, values, block_size):
    m, s, acc = -math.inf, 0.0, np.zeros(values.shape[1])
    for start in range(0, len(scores), block_size):
        x, v = scores[start:start + block_size], values[start:start + block_size]
        m = max(m, x.max())
        p = np.exp(x - m)
        s, acc = s + p.sum(), acc + p @ v
    return acc / s


def no_max(scores, values, block_size):
    s, acc = 0.0, np.zeros(values.shape[1])
    for start in range(0, len(scores), block_size):
        p = np.exp(scores[start:start + block_size])
        s, acc = s + p.sum(), acc + p @ values[start:start + block_size]
    return acc / s


def full_blocks_only(scores, values, block_size):
    n = len(scores) // block_size * block_size
    return online(scores[:n], values[:n], block_size)


def rescale_sum_only(scores, values, block_size):
    m, s, acc = -math.inf, 0.0, np.zeros(values.shape[1])
    for start in range(0, len(scores), block_size):
        x, v = scores[start:start + block_size], values[start:start + block_size]
        m_new = max(m, x.max())
        p = np.exp(x - m_new)
        s, acc, m = s * math.exp(m - m_new) + p.sum(), acc + p @ v, m_new
    return acc / s


def max_started_at_zero(scores, values, block_size):
    m, s, acc = 0.0, 0.0, np.zeros(values.shape[1])
    for start in range(0, len(scores), block_size):
        x, v = scores[start:start + block_size], values[start:start + block_size]
        m_new = max(m, x.max())
        scale = math.exp(m - m_new)
        p = np.exp(x - m_new)
        s, acc, m = s * scale + p.sum(), acc * scale + p @ v, m_new
    return acc / s


def block_max_not_running(scores, values, block_size):
    m, s, acc = -math.inf, 0.0, np.zeros(values.shape[1])
    for start in range(0, len(scores), block_size):
        x, v = scores[start:start + block_size], values[start:start + block_size]
        m_new = x.max()
        scale = math.exp(m - m_new)
        p = np.exp(x - m_new)
        s, acc, m = s * scale + p.sum(), acc * scale + p @ v, m_new
    return acc / s


def test_right_online_softmax_passes(capsys):
    assert_pass(check_online_softmax, online, capsys, "FlashAttention")


@pytest.mark.parametrize("answer, fragment", [
    (no_rescale, "neither the running sum nor the running output"),
    (rescale_sum_only, "the running sum but not the running output"),
    (max_started_at_zero, "not at 0"),
    (block_max_not_running, "RUNNING maximum"),
    (no_max, "overflow"),
    (full_blocks_only, "every block"),
    (lambda scores, values, b: np.exp(scores) / np.exp(scores).sum() @ values, "floating-point"),
    (lambda scores, values, b: np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum(),
     "attention weights"),
    (lambda scores, values, b: values.mean(axis=0)[:1], "shape"),
    (lambda scores, values, b: online(scores, values, b) * np.nan, "nan"),
])
def test_typical_online_softmax_mistakes_get_their_hint(answer, fragment, capsys):
    assert_hint(check_online_softmax, answer, capsys, fragment)
