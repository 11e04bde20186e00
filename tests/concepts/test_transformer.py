"""The transformer block's parts: heads, positions, layer norm, MLP, block, parameter counts.

Each part is checked against torch or the GPT engine with copied weights, and on bad input.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from course_utils import transformer
from course_utils.gpt import GPT, MLP, Block, CausalSelfAttention, GPTConfig


def _randomise(module: nn.Module, seed: int = 0) -> nn.Module:
    """Give every parameter (layer-norm gains and biases included) random values."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    return module


# --- heads ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("B, T, C, n", [(2, 5, 12, 3), (1, 1, 8, 8), (3, 4, 6, 1)])
def test_split_heads_gives_each_head_its_channels(B, T, C, n):
    x = torch.randn(B, T, C)
    heads = transformer.split_heads(x, n)
    hd = C // n
    assert heads.shape == (B, n, T, hd)
    for h in range(n):
        assert torch.equal(heads[:, h], x[..., h * hd:(h + 1) * hd])
    assert torch.equal(transformer.merge_heads(heads), x)


def test_head_dim_and_its_errors():
    assert transformer.head_dim(768, 12) == 64
    with pytest.raises(ValueError, match="cannot be shared evenly by 5 heads"):
        transformer.head_dim(768, 5)
    with pytest.raises(ValueError, match="cannot be shared evenly"):
        transformer.split_heads(torch.randn(1, 2, 10), 3)
    with pytest.raises(ValueError, match="cannot be shared evenly"):
        transformer.MultiHeadAttention(10, 4)
    with pytest.raises(TypeError, match="whole number"):
        transformer.head_dim(768, 2.0)


@pytest.mark.parametrize("bad, error, fragment", [
    ([[1.0]], TypeError, "must be a torch tensor"),
    (torch.ones(2, 3, dtype=torch.long), TypeError, "floating-point"),
    (torch.ones(2, 3), ValueError, r"\(batch, time, channels\)"),
])
def test_split_heads_bad_input(bad, error, fragment):
    with pytest.raises(error, match=fragment):
        transformer.split_heads(bad, 1)


def test_merge_heads_needs_four_axes():
    with pytest.raises(ValueError, match="batch, heads, time, head_dim"):
        transformer.merge_heads(torch.ones(2, 3, 4))


# --- multi-head attention -----------------------------------------------------------------------------


@pytest.mark.parametrize("causal", [False, True])
def test_multi_head_attention_equals_torch(causal):
    torch.manual_seed(0)
    mha = _randomise(nn.MultiheadAttention(32, 4, batch_first=True))
    x = torch.randn(3, 9, 32)
    mask = ~torch.ones(9, 9, dtype=torch.bool).tril() if causal else None
    want = mha(x, x, x, attn_mask=mask, need_weights=False)[0]
    got = transformer.MultiHeadAttention.from_torch(mha, causal=causal)(x)
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("fused", [True, False])
def test_multi_head_attention_equals_the_engine(fused):
    config = GPTConfig(vocab_size=11, block_size=16, n_layer=1, n_head=4, n_embd=32,
                       fused_attention=fused)
    engine = _randomise(CausalSelfAttention(config)).eval()
    x = torch.randn(2, 16, 32)
    mine = transformer.MultiHeadAttention.from_engine(engine)
    torch.testing.assert_close(mine(x), engine(x), rtol=1e-5, atol=1e-5)
    weights = mine.last_weights
    assert weights.shape == (2, 4, 16, 16)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 4, 16))
    assert (weights.triu(1) == 0).all(), "a causal head must not look at the future"


def test_multi_head_attention_bad_input():
    mha = transformer.MultiHeadAttention(16, 4)
    with pytest.raises(ValueError, match="built for d_model=16"):
        mha(torch.randn(1, 3, 12))
    with pytest.raises(ValueError, match="shape"):
        mha(torch.randn(3, 16))
    with pytest.raises(TypeError, match="MultiheadAttention"):
        transformer.MultiHeadAttention.from_torch(nn.Linear(2, 2))
    with pytest.raises(TypeError, match="CausalSelfAttention"):
        transformer.MultiHeadAttention.from_engine(nn.Linear(2, 2))


def test_grouped_query_attention_is_refused_with_a_reason():
    fields = GPTConfig.__dataclass_fields__
    if "n_kv_head" not in fields:
        pytest.skip("this engine has no grouped-query attention")
    config = GPTConfig(vocab_size=5, block_size=8, n_layer=1, n_head=4, n_kv_head=2, n_embd=16)
    with pytest.raises(ValueError, match="grouped-query attention"):
        transformer.MultiHeadAttention.from_engine(CausalSelfAttention(config))


# --- positions -----------------------------------------------------------------------------------------


def test_sinusoidal_table_values():
    table = transformer.sinusoidal_positions(50, 16)
    p = torch.arange(50, dtype=torch.float32)
    torch.testing.assert_close(table[:, 0], torch.sin(p))
    torch.testing.assert_close(table[:, 1], torch.cos(p))
    rate = 10000 ** (-14 / 16)
    torch.testing.assert_close(table[:, 15], torch.cos(p * rate))


def test_sinusoidal_similarity_depends_only_on_distance():
    table = transformer.sinusoidal_positions(64, 32).double()
    dots = table @ table.T
    torch.testing.assert_close(dots[:-7, :-7], dots[7:, 7:], rtol=1e-5, atol=1e-5)


def test_sinusoidal_bad_input():
    with pytest.raises(ValueError, match="even"):
        transformer.sinusoidal_positions(10, 7)
    with pytest.raises(ValueError, match="at least 1"):
        transformer.sinusoidal_positions(0, 8)
    with pytest.raises(ValueError, match="positive"):
        transformer.sinusoidal_positions(4, 8, base=-1.0)


def test_add_positions_and_a_context_longer_than_the_table():
    table = torch.randn(8, 4)
    x = torch.zeros(2, 5, 4)
    torch.testing.assert_close(transformer.add_positions(x, table), table[:5].expand(2, 5, 4))
    with pytest.raises(ValueError, match="context holds 9 tokens, but the position table has "
                                         "only 8 rows"):
        transformer.add_positions(torch.zeros(1, 9, 4), table)
    with pytest.raises(ValueError, match="5 numbers each, but the position table has 4 per row"):
        transformer.add_positions(torch.zeros(1, 3, 5), table)


def test_learned_positions():
    pos = transformer.LearnedPositions(block_size=6, d_model=4)
    assert pos(3).shape == (3, 4)
    assert transformer.count_parameters(pos) == 24
    with pytest.raises(ValueError, match="only 6 learned positions"):
        pos(7)


# --- layer norm, GELU and the MLP -------------------------------------------------------------------------


def test_layer_norm_equals_torch():
    x = torch.randn(2, 5, 16) * 4 + 3
    ln = _randomise(nn.LayerNorm(16))
    torch.testing.assert_close(transformer.layer_norm(x, ln.weight, ln.bias), ln(x),
                               rtol=1e-5, atol=1e-5)
    mine = transformer.LayerNorm(16)
    mine.load_state_dict(ln.state_dict())
    torch.testing.assert_close(mine(x), ln(x), rtol=1e-5, atol=1e-5)
    plain = transformer.layer_norm(x)
    torch.testing.assert_close(plain.mean(-1), torch.zeros(2, 5), rtol=0, atol=1e-5)
    torch.testing.assert_close(plain.var(-1, unbiased=False), torch.ones(2, 5), rtol=1e-3, atol=1e-3)


def test_layer_norm_of_a_constant_vector_is_finite():
    assert torch.isfinite(transformer.layer_norm(torch.full((1, 8), 3.0))).all()


def test_layer_norm_bad_input():
    with pytest.raises(ValueError, match="one number per channel"):
        transformer.layer_norm(torch.randn(2, 8), torch.ones(7))
    with pytest.raises(ValueError, match="positive"):
        transformer.layer_norm(torch.randn(2, 8), eps=0)


def test_gelu_equals_torch():
    z = torch.linspace(-6, 6, 101)
    torch.testing.assert_close(transformer.gelu(z), F.gelu(z))
    with pytest.raises(TypeError, match="floating-point"):
        transformer.gelu([1.0])
    with pytest.raises(TypeError, match="floating-point numbers, not torch.int64"):
        transformer.gelu(torch.arange(3))


def test_feed_forward_is_4x_wide_and_equals_the_engine():
    config = GPTConfig(vocab_size=5, block_size=4, n_layer=1, n_head=2, n_embd=24)
    engine = _randomise(MLP(config))
    mine = transformer.FeedForward(24)
    assert mine.ffn_dim == 96
    mine.fc.load_state_dict(engine.c_fc.state_dict())
    mine.proj.load_state_dict(engine.c_proj.state_dict())
    x = torch.randn(3, 4, 24)
    torch.testing.assert_close(mine(x), engine(x))


# --- the block ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False])
def test_block_equals_the_engines_block(bias):
    config = GPTConfig(vocab_size=5, block_size=12, n_layer=1, n_head=3, n_embd=24, bias=bias)
    engine = _randomise(Block(config), seed=3).eval()
    mine = transformer.Block.from_engine(engine)
    x = torch.randn(2, 12, 24)
    torch.testing.assert_close(mine(x), engine(x), rtol=1e-5, atol=1e-5)
    assert transformer.count_parameters(mine) == transformer.count_parameters(engine)


def test_post_norm_and_no_residual_follow_their_formulas():
    torch.manual_seed(0)
    x = torch.randn(1, 5, 16)
    post = transformer.Block(16, 2, norm="post")
    h = post.ln_1(x + post.attn(x))
    torch.testing.assert_close(post(x), post.ln_2(h + post.mlp(h)))
    bare = transformer.Block(16, 2, residual=False)
    h = bare.attn(bare.ln_1(x))
    torch.testing.assert_close(bare(x), bare.mlp(bare.ln_2(h)))


def test_block_bad_input():
    with pytest.raises(ValueError, match="'pre' or 'post'"):
        transformer.Block(16, 2, norm="middle")
    with pytest.raises(ValueError, match="built for d_model=16"):
        transformer.Block(16, 2)(torch.randn(1, 3, 8))
    with pytest.raises(TypeError, match="Block"):
        transformer.Block.from_engine(nn.Linear(2, 2))


# --- parameter counts ------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [
    dict(n_layer=4, n_head=4, n_embd=192, block_size=512, vocab_size=65),
    dict(n_layer=2, n_head=2, n_embd=32, block_size=32, vocab_size=50, bias=False),
    dict(n_layer=1, n_head=1, n_embd=8, block_size=3, vocab_size=7),
])
def test_parameter_count_equals_the_engines_count(shape):
    counts = transformer.parameter_count(**shape)
    model = GPT(GPTConfig(**shape))
    assert counts["total"] == model.num_params()
    assert counts["total"] - counts["token embedding"] - counts["position embedding"] == \
        model.num_params(include_embeddings=False)
    if not shape.get("bias", True):
        assert counts["MLP"] == 2 * counts["attention"]  # 8·d² against 4·d²


def test_gpt2_small_has_its_published_size():
    counts = transformer.parameter_count(**transformer.GPT2_SMALL)
    assert counts["total"] == 124_439_808
    with torch.device("meta"):  # the shapes without the memory
        model = GPT(GPTConfig(**transformer.GPT2_SMALL))
    assert model.num_params() == counts["total"]
    published = {"small": 124e6, "medium": 355e6, "large": 774e6, "xl": 1558e6}
    for name, shape in transformer.GPT2_FAMILY.items():
        total = transformer.parameter_count(**shape)["total"]
        assert math.isclose(total, published[name], rel_tol=0.01), name


def test_heads_do_not_change_the_parameter_count():
    totals = {transformer.parameter_count(12, 768, n, 1024, 50257)["total"] for n in (1, 4, 12, 48)}
    assert len(totals) == 1


def test_parameter_count_bad_input():
    with pytest.raises(ValueError, match="cannot be shared evenly"):
        transformer.parameter_count(2, 100, 3, 10, 10)
    with pytest.raises(ValueError, match="at least 1"):
        transformer.parameter_count(0, 64, 4, 10, 10)
    with pytest.raises(TypeError, match="torch module"):
        transformer.count_parameters("model")


# --- attention distance ----------------------------------------------------------------------------------


def test_attention_distance():
    eye = torch.eye(5)[None]  # every query looks at itself
    previous = torch.eye(5).roll(-1, dims=1).tril()[None]  # every query but the first looks one back
    previous[0, 0, 0] = 1.0
    distances = transformer.attention_distance(torch.cat([eye, previous])[None])
    torch.testing.assert_close(distances, torch.tensor([0.0, 0.8]))
    with pytest.raises(ValueError, match="square"):
        transformer.attention_distance(torch.ones(1, 2, 3, 4))
    with pytest.raises(ValueError, match=r"\(n_head, queries, keys\)"):
        transformer.attention_distance(torch.ones(3, 3))
