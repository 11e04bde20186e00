"""Each chapter-12 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from check_helpers import assert_hint, assert_pass, each_check, usual_wrong_answers

from course_utils import gpt
from course_utils.checks.ch12_gpt import check_generate_greedy, check_top_k_probs

ALL_CHECKS = [check_generate_greedy, check_top_k_probs]


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "generate", [1, 2, 3], np.zeros(3)]),
    *each_check(ALL_CHECKS, "returns-None", lambda *args: None, "None", "return"),
    *each_check(ALL_CHECKS, "returns-text", lambda *args: "text", "should be numbers"),
    *each_check(ALL_CHECKS, "too-few-arguments", lambda x: x, "TypeError"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: the generation loop ---------------------------------------------------------------


def greedy(model, idx, n, position=-1, crop=True, sample=False):
    with torch.no_grad():
        for _ in range(n):
            context = idx[:, -model.config.block_size:] if crop else idx
            logits = model(context)[0][:, position, :]
            if sample:
                next_id = torch.multinomial(torch.softmax(logits, -1), 1)
            else:
                next_id = logits.argmax(-1, keepdim=True)
            idx = torch.cat([idx, next_id], dim=1)
    return idx


def engine_greedy(model, idx, n):
    return torch.cat([idx, *gpt.generate_ids(model, idx, n, greedy=True)], dim=1)


@pytest.mark.parametrize("right", [greedy, engine_greedy,
                                   lambda m, i, n: greedy(m, i, n).numpy(),
                                   lambda m, i, n: greedy(m, i, n).tolist()])
def test_generate_greedy_right_answers_pass(right, capsys):
    assert_pass(check_generate_greedy, right, capsys, "generate_ids")


@pytest.mark.parametrize("wrong, fragments", [
    (lambda m, i, n: greedy(m, i, n, crop=False), ("block size", "idx[:, -model.config.block_size:]")),
    (lambda m, i, n: greedy(m, i, n, sample=True), ("it is sampling", "argmax")),
    (lambda m, i, n: greedy(m, i, n, position=0), ("first position", "logits[:, -1, :]")),
    (lambda m, i, n: greedy(m, i, n)[:, i.size(1):], ("only the", "prompt followed by")),
    (lambda m, i, n: greedy(m, i, n)[0, i.size(1):], ("only the",)),
    (lambda m, i, n: m(i)[0], ("looks like logits",)),
    (lambda m, i, n: greedy(m, i, n - 1), ("should return shape",)),
    (lambda m, i, n: torch.cat([i.flip(1), greedy(m, i, n)[:, i.size(1):]], 1), ("changed the prompt",)),
    (lambda m, i, n: torch.cat([i, torch.zeros(1, n, dtype=torch.long)], dim=1),
     ("the likeliest token there",)),
    (lambda m, i, n: [i] + [i[:, :1]] * n, ("list of tensors", "torch.cat")),
    (lambda m, i, n: torch.cat([i, m(i)[:, -1, :].argmax(-1, keepdim=True)], 1), ("logits, _ = model(x)",)),
    (lambda m, i, n: torch.cat([i, m(i)[0][:, -1, :].argmax(-1)], 1), ("keepdim=True",)),
])
def test_generate_greedy_wrong_answers_get_their_hint(wrong, fragments, capsys):
    assert_hint(check_generate_greedy, wrong, capsys, *fragments)


# --- exercise 2: top-k filtering ------------------------------------------------------------------


def top_k(logits, k, dim=-1):
    kth = torch.topk(logits, k, dim=dim).values.select(dim, k - 1).unsqueeze(dim)
    return torch.softmax(logits.masked_fill(logits < kth, float("-inf")), dim=dim)


def top_k_numpy(logits, k):
    x = logits.numpy()
    kth = np.sort(x, axis=-1)[:, -k][:, None]
    e = np.where(x >= kth, np.exp(x - x.max(axis=-1, keepdims=True)), 0.0)
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("right", [top_k, top_k_numpy,
                                   lambda logits, k: gpt.next_token_probs(logits, top_k=k)])
def test_top_k_right_answers_pass(right, capsys):
    assert_pass(check_top_k_probs, right, capsys, "next_token_probs")


def not_renormalised(logits, k):
    kth = torch.topk(logits, k, dim=-1).values[:, [-1]]
    return torch.softmax(logits, -1) * (logits >= kth)


def keeps(logits, k, how_many):
    how_many = max(1, min(how_many, logits.size(-1)))
    return top_k(logits, how_many)


@pytest.mark.parametrize("wrong, fragments", [
    (not_renormalised, ("renormalise",)),
    (lambda x, k: keeps(x, k, k - 1) if k > 1 else keeps(x, k, 2), ("one too few",)),
    (lambda x, k: keeps(x, k, k + 1) if k < x.size(-1) else keeps(x, k, k - 1), ("one too many",)),
    (lambda x, k: top_k(x, min(k, x.size(0)), dim=0), ("dim 0",)),
    (lambda x, k: torch.softmax(x, -1).masked_fill(x < torch.topk(x, k).values[:, [-1]], 0)
     * 0 + torch.log_softmax(x, -1), ("logits",)),
    (lambda x, k: x.masked_fill(x < torch.topk(x, k).values[:, [-1]], float("-inf")), ("logits",)),
    (lambda x, k: torch.multinomial(top_k(x, k), 1), ("sample or an argmax",)),
    (lambda x, k: top_k(x, k).argmax(-1), ("sample or an argmax",)),
    (lambda x, k: torch.topk(x, k), ("a pair",)),
    (lambda x, k: torch.topk(x, k).values.softmax(-1), ("only the k kept values",)),
    (lambda x, k: top_k(x, k)[:1], ("should return shape",)),
    (lambda x, k: top_k(x, k) * float("nan"), ("nan",)),
    (lambda x, k: keeps(x, k, 4), ("tokens in the rows",)),
    (lambda x, k: torch.softmax(x.masked_fill(x < torch.topk(x, min(k, x.size(0)), dim=0).values[[-1]],
                                              float("-inf")), -1), ("tokens in the rows", "dim=-1")),
    (lambda x, k: torch.softmax(x.masked_fill(x < torch.topk(x, k).values[:, [-1]], float("-inf")), 0),
     ("nan", "dim=-1")),
    (lambda x, k: top_k(x.flip(-1), k), ("should be", "softmax")),
])
def test_top_k_wrong_answers_get_their_hint(wrong, fragments, capsys):
    assert_hint(check_top_k_probs, wrong, capsys, *fragments)
