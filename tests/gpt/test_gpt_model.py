"""The GPT model: config checks, shapes, initialisation, the two attention paths, learning."""

from __future__ import annotations

import math

import pytest
import torch

from course_utils.gpt import GPT, MLP, Block, CausalSelfAttention, GPTConfig, causal_mask


def tiny_config(**kw) -> GPTConfig:
    return GPTConfig(**{**dict(vocab_size=17, block_size=16, n_layer=2, n_head=4, n_embd=32), **kw})


def test_config_rejects_embedding_not_divisible_by_heads():
    with pytest.raises(ValueError, match="cannot be split evenly across n_head=3"):
        GPTConfig(n_embd=128, n_head=3)


@pytest.mark.parametrize("field,value,message", [
    ("n_layer", 0, "at least 1"),
    ("vocab_size", 2.5, "whole number"),
    ("dropout", 1.0, r"\[0, 1\)"),
    ("attn_dropout", -0.1, r"attn_dropout must be in \[0, 1\)"),
    ("attn_dropout", "0.1", "attn_dropout must be a number"),
    ("bias", "yes", "True or False"),
])
def test_config_rejects_bad_values(field, value, message):
    with pytest.raises((ValueError, TypeError), match=message):
        GPTConfig(**{field: value})


def test_config_round_trips_through_dict_and_names_unknown_fields():
    cfg = tiny_config()
    assert GPTConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="n_embed"):
        GPTConfig.from_dict({**cfg.to_dict(), "n_embed": 3})


def test_attention_dropout_defaults_to_dropout_and_stays_out_of_old_dicts():
    cfg = tiny_config(dropout=0.2)
    assert cfg.attention_dropout == 0.2 and "attn_dropout" not in cfg.to_dict()
    own = tiny_config(dropout=0.2, attn_dropout=0.0)
    assert own.attention_dropout == 0.0 and own.to_dict()["attn_dropout"] == 0.0
    assert GPTConfig.from_dict(own.to_dict()) == own


@pytest.mark.parametrize("fused", [True, False])
def test_attn_dropout_zero_leaves_attention_deterministic_but_not_the_residual(fused):
    torch.manual_seed(0)
    cfg = tiny_config(dropout=0.5, attn_dropout=0.0, fused_attention=fused)
    block = GPT(cfg).transformer.h[0]
    block.train()
    x = torch.randn(2, 8, cfg.n_embd)
    attn = block.attn
    # inside attention nothing is dropped: with the output dropout off, two calls agree
    attn.resid_dropout.eval()
    assert torch.equal(attn(x), attn(x))
    # the residual branches still drop activations
    attn.resid_dropout.train()
    assert not torch.equal(attn(x), attn(x))
    # while attn_dropout=None drops inside attention too
    both = GPT(tiny_config(dropout=0.5, fused_attention=fused)).transformer.h[0].attn
    both.train()
    both.resid_dropout.eval()
    assert not torch.equal(both(x), both(x))


def test_module_shapes():
    cfg = tiny_config()
    x = torch.randn(3, 10, cfg.n_embd)
    assert CausalSelfAttention(cfg)(x).shape == x.shape
    assert MLP(cfg)(x).shape == x.shape
    assert Block(cfg)(x).shape == x.shape
    assert MLP(cfg).c_fc.out_features == 4 * cfg.n_embd  # the FFN dimension


def test_gpt_logits_and_loss_shapes():
    cfg = tiny_config()
    model = GPT(cfg)
    idx = torch.randint(0, cfg.vocab_size, (3, 10))
    logits, loss = model(idx)
    assert logits.shape == (3, 10, cfg.vocab_size) and loss is None
    logits, loss = model(idx, last_only=True)
    assert logits.shape == (3, 1, cfg.vocab_size)
    logits, loss = model(idx, torch.randint(0, cfg.vocab_size, (3, 10)))
    assert loss.shape == () and logits.shape == (3, 10, cfg.vocab_size)
    # an untrained model guesses uniformly: loss close to ln(vocab_size)
    assert abs(loss.item() - math.log(cfg.vocab_size)) < 0.2


def test_too_long_input_is_a_clear_error():
    model = GPT(tiny_config())
    with pytest.raises(ValueError, match="longer than the block size 16"):
        model(torch.zeros(1, 17, dtype=torch.long))
    with pytest.raises(ValueError, match="integer token ids"):
        model(torch.zeros(1, 4))


@pytest.mark.parametrize("bad", [17, 70, -1])
def test_token_ids_outside_the_vocabulary_are_a_clear_error(bad):
    model = GPT(tiny_config())  # vocab_size=17
    idx = torch.tensor([[1, 2, bad, 3]])
    message = rf"token id {bad} is outside the vocabulary: ids run from 0 to 16 \(vocab_size=17\)"
    with pytest.raises(ValueError, match=message):
        model(idx)
    with pytest.raises(ValueError, match="target " + message):
        model(torch.tensor([[1, 2, 3, 4]]), idx)


def test_weight_tying_and_parameter_counts():
    cfg = tiny_config(bias=True)
    model = GPT(cfg)
    assert model.lm_head.weight is model.transformer.wte.weight
    C, V, T, L = cfg.n_embd, cfg.vocab_size, cfg.block_size, cfg.n_layer
    per_block = (C * 3 * C + 3 * C) + (C * C + C) + (C * 4 * C + 4 * C) + (4 * C * C + C) + 4 * C
    assert model.num_params(include_embeddings=False) == L * per_block + 2 * C
    assert model.num_params() == L * per_block + 2 * C + V * C + T * C


def test_gpt2_initialisation_scales_residual_projections():
    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=50, block_size=16, n_layer=8, n_head=4, n_embd=128)
    model = GPT(cfg)
    proj = model.transformer.h[0].attn.c_proj.weight.std().item()
    fc = model.transformer.h[0].mlp.c_fc.weight.std().item()
    assert abs(fc - 0.02) < 0.002
    assert abs(proj - 0.02 / math.sqrt(2 * cfg.n_layer)) < 0.001
    assert torch.all(model.transformer.h[0].attn.c_attn.bias == 0)


def test_attention_is_causal():
    """Changing a later token must not change earlier outputs."""
    torch.manual_seed(0)
    model = GPT(tiny_config()).eval()
    idx = torch.randint(0, 17, (1, 12))
    changed = idx.clone()
    changed[0, 8] = (changed[0, 8] + 1) % 17
    a, b = model(idx)[0], model(changed)[0]
    assert torch.allclose(a[:, :8], b[:, :8], atol=1e-6)
    assert not torch.allclose(a[:, 8:], b[:, 8:])


def test_fused_and_explicit_attention_agree_on_outputs_and_gradients():
    torch.manual_seed(0)
    fused = GPT(tiny_config(fused_attention=True))
    explicit = GPT(tiny_config(fused_attention=False))
    explicit.load_state_dict(fused.state_dict())
    idx = torch.randint(0, 17, (4, 16))
    logits_f, loss_f = fused(idx, idx.roll(-1, dims=1))
    logits_e, loss_e = explicit(idx, idx.roll(-1, dims=1))
    torch.testing.assert_close(logits_f, logits_e, rtol=1e-5, atol=1e-5)
    loss_f.backward()
    loss_e.backward()
    for (name, p_f), p_e in zip(fused.named_parameters(), explicit.parameters(), strict=True):
        torch.testing.assert_close(p_f.grad, p_e.grad, rtol=1e-4, atol=1e-6, msg=name)


def test_explicit_attention_puts_zero_weight_on_the_future():
    cfg = tiny_config(fused_attention=False)
    attn = CausalSelfAttention(cfg)
    q = k = torch.randn(1, 1, 5, 8)
    v = torch.eye(5).view(1, 1, 5, 5)  # row i of the output = attention weights of query i
    weights = attn.explicit_attention(q, k, v)[0, 0]
    assert torch.all(weights[~causal_mask(5)] == 0)
    torch.testing.assert_close(weights.sum(-1), torch.ones(5))


def test_causal_mask_lets_each_query_see_its_past_and_itself():
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]
    # two keys already cached: the 2 new queries sit at positions 2 and 3
    assert causal_mask(2, past=2).tolist() == [[True, True, True, False], [True, True, True, True]]


@pytest.mark.parametrize("fused", [True, False])
def test_both_attention_paths_agree_with_a_kv_cache(fused):
    torch.manual_seed(0)
    model = GPT(tiny_config(fused_attention=fused)).eval()
    idx = torch.randint(0, 17, (2, 12))
    caches = model.make_caches(2)
    parts = [model(idx[:, :5], caches=caches)[0], model(idx[:, 5:9], caches=caches)[0],
             model(idx[:, 9:], caches=caches)[0]]
    torch.testing.assert_close(torch.cat(parts, 1), model(idx)[0], rtol=1e-5, atol=1e-5)


def test_optimizer_decays_only_matrices():
    model = GPT(tiny_config())
    opt = model.configure_optimizer(0.1, 1e-3, (0.9, 0.95), "cpu")
    decay, no_decay = opt.param_groups
    assert decay["weight_decay"] == 0.1 and no_decay["weight_decay"] == 0.0
    assert all(p.dim() >= 2 for p in decay["params"])
    assert all(p.dim() < 2 for p in no_decay["params"])
    n = sum(p.numel() for g in opt.param_groups for p in g["params"])
    assert n == model.num_params()


def test_tiny_model_overfits_one_batch():
    torch.manual_seed(0)
    model = GPT(tiny_config())
    idx = torch.randint(0, 17, (4, 16))
    x, y = idx[:, :-1], idx[:, 1:]
    opt = model.configure_optimizer(0.0, 3e-3, (0.9, 0.99), "cpu")
    for _ in range(150):
        _, loss = model(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.1, f"loss only fell to {loss.item():.3f}"
