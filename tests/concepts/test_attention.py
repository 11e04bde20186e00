"""Unit tests of course_utils.attention: values, masks, agreement with torch and the GPT engine,
and the errors a learner gets for bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import attention
from course_utils.gpt import CausalSelfAttention, GPTConfig
from course_utils.gpt import causal_mask as engine_causal_mask


def _qkv(*shape_q, t_k=None, d_v=None, seed=0, dtype=torch.float64):
    gen = torch.Generator().manual_seed(seed)
    *batch, t_q, d = shape_q
    t_k = t_q if t_k is None else t_k
    q = torch.randn(*batch, t_q, d, generator=gen, dtype=dtype)
    k = torch.randn(*batch, t_k, d, generator=gen, dtype=dtype)
    v = torch.randn(*batch, t_k, d if d_v is None else d_v, generator=gen, dtype=dtype)
    return q, k, v


# --- values ------------------------------------------------------------------------------------


def test_weights_by_hand():
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    w = attention.attention_weights(q, k)
    e = np.exp([2 / math.sqrt(2), 0.0])
    np.testing.assert_allclose(w.numpy()[0], e / e.sum(), rtol=1e-6)
    assert w.shape == (1, 2)


def test_scores_with_and_without_the_scale():
    q, k, _ = _qkv(3, 4, t_k=5)
    raw = attention.attention_scores(q, k, scale=False)
    torch.testing.assert_close(raw, q @ k.T)
    torch.testing.assert_close(attention.attention_scores(q, k), raw / 2)  # √4 = 2


def test_rows_sum_to_one_and_output_is_a_mix_of_values():
    q, k, v = _qkv(2, 3, 6, 8, t_k=9, d_v=5)
    w = attention.attention_weights(q, k)
    assert w.shape == (2, 3, 6, 9)
    torch.testing.assert_close(w.sum(-1), torch.ones(2, 3, 6, dtype=torch.float64))
    out = attention.scaled_dot_product_attention(q, k, v)
    assert out.shape == (2, 3, 6, 5)
    torch.testing.assert_close(out, w @ v)


def test_temperature_sharpens_and_flattens():
    q, k, _ = _qkv(1, 4, t_k=6, seed=3)
    base = attention.attention_weights(q, k)
    cold = attention.attention_weights(q, k, temperature=0.1)
    hot = attention.attention_weights(q, k, temperature=100.0)
    assert cold.max() > base.max() > hot.max()
    torch.testing.assert_close(hot, torch.full_like(hot, 1 / 6), atol=0.02, rtol=0)
    assert torch.equal(cold.argmax(-1), base.argmax(-1))  # the order never changes
    twice = attention.attention_weights(2 * q, k, temperature=2.0)
    torch.testing.assert_close(twice, base)


def test_causal_weights_are_zero_on_the_future():
    q, k, _ = _qkv(5, 4)
    w = attention.attention_weights(q, k, causal=True)
    assert torch.all(w.triu(1) == 0)
    assert w[0, 0] == 1.0  # the first position sees only itself
    torch.testing.assert_close(w.sum(-1), torch.ones(5, dtype=torch.float64))


def test_causal_with_cached_keys_sees_the_past():
    q, k, v = _qkv(2, 4, t_k=6)  # two new queries after four cached keys
    w = attention.attention_weights(q, k, causal=True)
    assert torch.all(w[0, 5] == 0) and torch.all(w[0, :5] > 0) and torch.all(w[1] > 0)
    full_q = torch.cat([torch.zeros(4, 4, dtype=torch.float64), q])
    full = attention.scaled_dot_product_attention(full_q, k, v, causal=True)
    torch.testing.assert_close(attention.scaled_dot_product_attention(q, k, v, causal=True),
                               full[4:])


def test_mask_and_causal_combine():
    q, k, _ = _qkv(5, 3)
    window = ~torch.ones(5, 5, dtype=torch.bool).tril(-2)  # no key more than one step back
    w = attention.attention_weights(q, k, causal=True, mask=window)
    allowed = engine_causal_mask(5) & window
    assert torch.all(w[~allowed] == 0) and torch.all(w[allowed] > 0)


def test_a_changed_future_token_cannot_change_the_past_under_the_mask():
    q, k, v = _qkv(6, 4)
    k2, v2 = k.clone(), v.clone()
    k2[-1], v2[-1] = 10.0, -10.0
    a = attention.scaled_dot_product_attention(q, k, v, causal=True)
    b = attention.scaled_dot_product_attention(q, k2, v2, causal=True)
    torch.testing.assert_close(a[:-1], b[:-1])
    assert not torch.allclose(a[-1], b[-1])


@settings(max_examples=25, deadline=None)
@given(st.permutations(list(range(7))))
def test_permutation_equivariance_without_a_mask(order):
    q, k, v = _qkv(7, 4, seed=5)
    order = torch.tensor(order)
    out = attention.scaled_dot_product_attention(q, k, v)
    shuffled = attention.scaled_dot_product_attention(q[order], k[order], v[order])
    torch.testing.assert_close(shuffled, out[order])


def test_causal_mask_is_the_gpt_engines():
    assert attention.causal_mask is engine_causal_mask
    torch.testing.assert_close(attention.causal_mask(3).int(), torch.ones(3, 3).tril().int())


# --- agreement with torch and the GPT engine ----------------------------------------------------


@pytest.mark.parametrize("causal", [False, True])
def test_matches_torch_fused_attention(causal):
    q, k, v = _qkv(2, 4, 10, 16)
    torch.testing.assert_close(attention.scaled_dot_product_attention(q, k, v, causal=causal),
                               F.scaled_dot_product_attention(q, k, v, is_causal=causal))


def test_boolean_mask_matches_torch():
    q, k, v = _qkv(3, 7, 8, t_k=9)
    mask = torch.rand(7, 9, generator=torch.Generator().manual_seed(1)) > 0.4
    mask[:, 0] = True  # every query keeps at least one key
    torch.testing.assert_close(attention.scaled_dot_product_attention(q, k, v, mask=mask),
                               F.scaled_dot_product_attention(q, k, v, attn_mask=mask))


def test_matches_the_gpt_engines_explicit_attention():
    engine = CausalSelfAttention(GPTConfig(vocab_size=10, block_size=12, n_head=2, n_embd=16))
    q, k, v = _qkv(2, 2, 12, 8, dtype=torch.float32)
    torch.testing.assert_close(attention.scaled_dot_product_attention(q, k, v, causal=True),
                               engine.explicit_attention(q, k, v))


def test_float32_stays_float32_and_gradients_flow():
    q, k, v = (t.requires_grad_() for t in _qkv(4, 3, dtype=torch.float32))
    out = attention.scaled_dot_product_attention(q, k, v, causal=True)
    assert out.dtype == torch.float32
    out.sum().backward()
    assert all(t.grad is not None and torch.isfinite(t.grad).all() for t in (q, k, v))


# --- one head -------------------------------------------------------------------------------------


def test_self_attention_head():
    torch.manual_seed(0)
    head = attention.SelfAttentionHead(6, 4)
    x = torch.randn(2, 5, 6)
    out = head(x, causal=True)
    assert out.shape == (2, 5, 4)
    q, k, v = head.query(x), head.key(x), head.value(x)
    torch.testing.assert_close(out, attention.scaled_dot_product_attention(q, k, v, causal=True))
    torch.testing.assert_close(head.weights(x), attention.attention_weights(q, k))
    with pytest.raises(ValueError, match="d_model=6"):
        head(torch.randn(5, 7))
    with pytest.raises(ValueError, match="at least 1"):
        attention.SelfAttentionHead(0, 4)


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize("call, error, message", [
    (lambda: attention.attention_weights(torch.randn(5, 8), torch.randn(5, 6)),
     ValueError, r"same length d.*q has d=8.*k has d=6"),
    (lambda: attention.attention_weights(torch.randn(5, 8), torch.randn(5, 8),
                                         mask=torch.ones(4, 5, dtype=torch.bool)),
     ValueError, r"mask has shape \(4, 5\).*shape \(5, 5\)"),
    (lambda: attention.attention_weights(torch.randn(5, 8), torch.randn(5, 8),
                                         mask=torch.ones(5, 5)),
     TypeError, "True/False"),
    (lambda: attention.attention_weights(torch.randn(5, 8), torch.randn(5, 8), temperature=0),
     ValueError, "temperature must be positive"),
    (lambda: attention.attention_weights(torch.randn(5, 8), torch.randn(5, 8), temperature=-1.0),
     ValueError, "temperature must be positive"),
    (lambda: attention.attention_weights(torch.randn(5, 8), torch.randn(5, 8), temperature="hot"),
     TypeError, "single number"),
    (lambda: attention.attention_weights(np.ones((5, 8)), torch.randn(5, 8)),
     TypeError, "torch tensor"),
    (lambda: attention.attention_weights(torch.randn(8), torch.randn(5, 8)),
     ValueError, r"shape \(\.\.\., T, d\)"),
    (lambda: attention.attention_weights(torch.ones(5, 8, dtype=torch.long), torch.randn(5, 8)),
     TypeError, "floating-point"),
    (lambda: attention.attention_weights(torch.randn(2, 5, 8), torch.randn(3, 5, 8)),
     ValueError, "leading"),
    (lambda: attention.attention_weights(torch.randn(6, 8), torch.randn(5, 8), causal=True),
     ValueError, "at least as many keys as queries"),
    (lambda: attention.attention_weights(torch.randn(5, 8), torch.randn(5, 8), causal=1),
     TypeError, "True or False"),
    (lambda: attention.attention_weights(torch.randn(3, 8), torch.randn(3, 8),
                                         mask=torch.tensor([[True, False, False]] * 2
                                                           + [[False] * 3])),
     ValueError, "forbids every key"),
    (lambda: attention.scaled_dot_product_attention(torch.randn(5, 8), torch.randn(5, 8),
                                                    torch.randn(4, 3)),
     ValueError, "one value per key"),
])
def test_bad_input_is_explained(call, error, message):
    with pytest.raises(error, match=message):
        call()
