"""Sampling: determinism, the KV cache, decoding rules, and clear errors for bad input."""

from __future__ import annotations

import pytest
import torch

from course_utils.gpt import (
    GPT,
    CharTokenizer,
    GPTConfig,
    UnknownCharacterError,
    generate,
    generate_ids,
    next_token_probs,
    stream,
)

TEXT = "to be or not to be, that is the question\n"


@pytest.fixture(scope="module")
def lm():
    torch.manual_seed(0)
    tok = CharTokenizer.from_text(TEXT)
    model = GPT(GPTConfig(vocab_size=tok.vocab_size, block_size=24, n_layer=2, n_head=2,
                          n_embd=32)).eval()
    return model, tok


def test_tokenizer_round_trip_and_unknown_characters():
    tok = CharTokenizer.from_text(TEXT)
    assert tok.decode(tok.encode("to be")) == "to be"
    assert tok.vocab_size == len(set(TEXT))
    with pytest.raises(UnknownCharacterError, match="'Z'"):
        tok.encode("Zebra")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tok.decode([tok.vocab_size])


def test_seeded_sampling_is_deterministic(lm):
    model, tok = lm
    a = generate(model, tok, "to be", 40, temperature=1.0, seed=123)
    b = generate(model, tok, "to be", 40, temperature=1.0, seed=123)
    c = generate(model, tok, "to be", 40, temperature=1.0, seed=124)
    assert a == b and len(a) == 40
    assert a != c


@pytest.mark.parametrize("prompt_len,new", [(3, 15), (5, 60)])  # within and beyond block_size
def test_kv_cache_gives_the_same_tokens_as_recomputing(lm, prompt_len, new):
    model, tok = lm
    idx = torch.tensor([tok.encode(TEXT[:prompt_len])] * 2)
    with_cache = torch.cat(list(generate_ids(model, idx, new, greedy=True, use_cache=True)), 1)
    without = torch.cat(list(generate_ids(model, idx, new, greedy=True, use_cache=False)), 1)
    assert torch.equal(with_cache, without)
    sampled = [torch.cat(list(generate_ids(model, idx, new, seed=7, top_k=5, use_cache=c)), 1)
               for c in (True, False)]
    assert torch.equal(*sampled)


def test_kv_cache_logits_match_a_full_forward(lm):
    model, _ = lm
    idx = torch.randint(0, model.config.vocab_size, (2, 20))
    full = model(idx)[0]
    caches = model.make_caches(2)
    parts = [model(idx[:, :7], caches=caches)[0]]
    parts += [model(idx[:, i:i + 1], caches=caches)[0] for i in range(7, 20)]
    torch.testing.assert_close(torch.cat(parts, 1), full, rtol=1e-5, atol=1e-5)


def test_greedy_is_top_k_one_and_ignores_the_seed(lm):
    model, tok = lm
    greedy = generate(model, tok, "to", 30, greedy=True)
    assert generate(model, tok, "to", 30, top_k=1, seed=5) == greedy
    assert generate(model, tok, "to", 30, greedy=True, seed=99) == greedy


def test_stream_yields_the_same_text_piece_by_piece(lm):
    model, tok = lm
    pieces = list(stream(model, tok, "to be", 25, seed=3))
    assert len(pieces) == 25 and all(len(p) == 1 for p in pieces)
    seen = []
    text = generate(model, tok, "to be", 25, seed=3, on_text=seen.append)
    assert "".join(pieces) == text == "".join(seen)


def test_top_k_and_top_p_keep_the_right_tokens():
    logits = torch.log(torch.tensor([[0.5, 0.3, 0.15, 0.05]]))
    probs = next_token_probs(logits, top_k=2)
    torch.testing.assert_close(probs, torch.tensor([[0.625, 0.375, 0.0, 0.0]]))
    probs = next_token_probs(logits, top_p=0.8)  # 0.5 + 0.3 reaches 0.8
    torch.testing.assert_close(probs, torch.tensor([[0.625, 0.375, 0.0, 0.0]]))
    probs = next_token_probs(logits, top_p=0.1)  # the top token always survives
    torch.testing.assert_close(probs, torch.tensor([[1.0, 0.0, 0.0, 0.0]]))
    hot = next_token_probs(logits, temperature=100.0)
    assert hot.max() - hot.min() < 0.02  # high temperature flattens towards uniform


@pytest.mark.parametrize("bad", [70, -1])
def test_generation_from_ids_outside_the_vocabulary_is_a_clear_error(lm, bad):
    model, _ = lm
    V = model.config.vocab_size
    idx = torch.tensor([[0, bad]])
    message = rf"token id {bad} is outside the vocabulary: ids run from 0 to {V - 1} \(vocab_size={V}\)"
    for use_cache in (True, False):
        with pytest.raises(ValueError, match=message):
            next(generate_ids(model, idx, 5, use_cache=use_cache))


@pytest.mark.parametrize("kwargs,message", [
    (dict(prompt="Zounds!"), "not in the vocabulary"),
    (dict(prompt=""), "prompt is empty"),
    (dict(temperature=0.0), "temperature must be a number above 0"),
    (dict(temperature=-1.0), "temperature must be a number above 0"),
    (dict(top_k=1000), "larger than the vocabulary"),
    (dict(top_k=0), "top_k must be"),
    (dict(top_p=1.5), "top_p must be"),
    (dict(max_new_tokens=-1), "max_new_tokens"),
])
def test_bad_sampling_input_is_a_clear_error(lm, kwargs, message):
    model, tok = lm
    args = {"prompt": "to be", "max_new_tokens": 5, **kwargs}
    with pytest.raises(ValueError, match=message):
        generate(model, tok, **args)
