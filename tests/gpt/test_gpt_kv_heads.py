"""Key/value heads: multi-head (MHA), grouped-query (GQA) and multi-query (MQA) attention.

``n_kv_head`` left at ``None`` (or set to ``n_head``) must be the multi-head model of before,
weight for weight and output for output; fewer key/value heads must equal attention in which
every key/value head is copied to its group of query heads, give the same tokens with and
without the KV cache, and shrink that cache by ``n_kv_head / n_head``.
"""

from __future__ import annotations

import math
import textwrap

import pytest
import torch
import torch.nn.functional as F

from course_utils.gpt import (
    GPT,
    CausalSelfAttention,
    CharTokenizer,
    GPTConfig,
    KVCache,
    TrainConfig,
    generate_ids,
    get_preset,
    kv_cache_bytes,
    load_checkpoint,
    load_pretrained,
    pretrained_path,
    save_checkpoint,
    train,
)
from course_utils.gpt.checkpoint import CheckpointError, config_differences, read_checkpoint
from course_utils.gpt.cli import main, parse_overrides

TEXT = textwrap.dedent("""\
    First Citizen:
    Before we proceed any further, hear me speak.

    All:
    Speak, speak.

    First Citizen:
    You are all resolved rather to die than to famish?

    """) * 30


def config(**kw) -> GPTConfig:
    return GPTConfig(**{**dict(vocab_size=17, block_size=16, n_layer=2, n_head=4, n_embd=32), **kw})


def seeded_model(seed: int = 0, **kw) -> GPT:
    torch.manual_seed(seed)
    return GPT(config(**kw)).eval()


def mha_reference(attn: CausalSelfAttention, x: torch.Tensor) -> torch.Tensor:
    """Multi-head attention as the engine computed it before key/value heads existed."""
    B, T, C = x.shape
    q, k, v = attn.c_attn(x).split(C, dim=2)
    q, k, v = (t.view(B, T, attn.n_head, C // attn.n_head).transpose(1, 2) for t in (q, k, v))
    y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    return attn.c_proj(y.transpose(1, 2).contiguous().view(B, T, C))


def grouped_reference(attn: CausalSelfAttention, x: torch.Tensor, n_head: int,
                      n_kv_head: int) -> torch.Tensor:
    """Grouped-query attention from scratch: copy each K/V head to its group, plain attention."""
    B, T, C = x.shape
    hd = C // n_head
    qkv = x @ attn.c_attn.weight.T + attn.c_attn.bias
    q, k, v = qkv[..., :C], qkv[..., C:C + n_kv_head * hd], qkv[..., C + n_kv_head * hd:]
    q = q.reshape(B, T, n_head, hd).permute(0, 2, 1, 3)
    k, v = (t.reshape(B, T, n_kv_head, hd).permute(0, 2, 1, 3) for t in (k, v))
    group = n_head // n_kv_head
    # query head h reads key/value head h // group: expand a new axis, then fold it into heads
    k, v = (t[:, :, None].expand(B, n_kv_head, group, T, hd).reshape(B, n_head, T, hd)
            for t in (k, v))
    scores = q @ k.transpose(-1, -2) / math.sqrt(hd)
    future = torch.ones(T, T, dtype=torch.bool).triu(1)
    weights = scores.masked_fill(future, float("-inf")).softmax(-1)
    y = (weights @ v).permute(0, 2, 1, 3).reshape(B, T, C)
    return y @ attn.c_proj.weight.T + attn.c_proj.bias


# --- multi-head attention is unchanged -------------------------------------------------------

def test_default_config_is_multi_head_and_keeps_the_old_weights():
    cfg = config()
    assert cfg.n_kv_head is None and cfg.kv_heads == cfg.n_head
    C, L = cfg.n_embd, cfg.n_layer
    state = GPT(cfg).state_dict()
    explicit = GPT(config(n_kv_head=4)).state_dict()
    assert {k: v.shape for k, v in state.items()} == {k: v.shape for k, v in explicit.items()}
    for i in range(L):  # the multi-head layout: one (3C, C) matrix for queries, keys, values
        assert state[f"transformer.h.{i}.attn.c_attn.weight"].shape == (3 * C, C)
        assert state[f"transformer.h.{i}.attn.c_attn.bias"].shape == (3 * C,)


@pytest.mark.parametrize("fused", [True, False])
def test_multi_head_outputs_are_exactly_those_of_before(fused):
    torch.manual_seed(0)
    x = torch.randn(3, 11, 32)
    for kv in (None, 4):
        attn = CausalSelfAttention(config(n_kv_head=kv, fused_attention=fused))
        torch.manual_seed(1)
        for p in attn.parameters():
            torch.nn.init.normal_(p, std=0.3)
        with torch.no_grad():
            got, want = attn(x), mha_reference(attn, x)
        if fused:  # the same kernel on the same tensors: bit for bit
            assert torch.equal(got, want)
        else:
            torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-6)


def test_n_kv_head_equal_to_n_head_is_the_same_model_as_none():
    a, b = seeded_model(n_kv_head=None), seeded_model(n_kv_head=4)
    b.load_state_dict(a.state_dict())
    idx = torch.randint(0, 17, (2, 16))
    assert torch.equal(a(idx, idx)[1], b(idx, idx)[1])
    assert torch.equal(a(idx)[0], b(idx)[0])


@pytest.mark.skipif(not pretrained_path().is_file(), reason="the shipped checkpoint is absent")
def test_the_shipped_checkpoint_loads_as_multi_head_attention():
    ckpt = load_pretrained()
    assert ckpt.config.kv_heads == ckpt.config.n_head
    saved = read_checkpoint(pretrained_path())["model_config"]
    assert saved.get("n_kv_head") in (None, ckpt.config.n_head)
    C = ckpt.config.n_embd
    assert ckpt.model.transformer.h[0].attn.c_attn.weight.shape == (3 * C, C)


# --- grouped-query and multi-query attention --------------------------------------------------

@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("n_kv_head", [4, 2, 1])
def test_attention_equals_a_from_scratch_grouped_reference(fused, n_kv_head):
    torch.manual_seed(0)
    attn = CausalSelfAttention(config(n_kv_head=n_kv_head, fused_attention=fused)).eval()
    for p in attn.parameters():
        torch.nn.init.normal_(p, std=0.3)  # large enough that a wrong grouping shows
    x = torch.randn(2, 13, 32)
    with torch.no_grad():
        torch.testing.assert_close(attn(x), grouped_reference(attn, x, 4, n_kv_head),
                                   rtol=1e-5, atol=1e-5)


def test_a_wrong_grouping_would_be_caught():
    """The reference tells groupings apart: heads paired as h % n_kv_head give other outputs."""
    torch.manual_seed(0)
    attn = CausalSelfAttention(config(n_kv_head=2)).eval()
    for p in attn.parameters():
        torch.nn.init.normal_(p, std=0.3)
    x = torch.randn(1, 9, 32)
    with torch.no_grad():
        q, k, v = attn.c_attn(x).split([32, 16, 16], dim=2)
        q = q.view(1, 9, 4, 8).transpose(1, 2)
        k, v = (t.view(1, 9, 2, 8).transpose(1, 2).repeat(1, 2, 1, 1) for t in (k, v))  # tiled
        tiled = attn.c_proj(F.scaled_dot_product_attention(q, k, v, is_causal=True)
                            .transpose(1, 2).reshape(1, 9, 32))
        assert not torch.allclose(attn(x), tiled, atol=1e-3)


def test_fused_and_explicit_gqa_agree_on_gradients():
    torch.manual_seed(0)
    fused = GPT(config(n_kv_head=2, fused_attention=True))
    explicit = GPT(config(n_kv_head=2, fused_attention=False))
    explicit.load_state_dict(fused.state_dict())
    idx = torch.randint(0, 17, (4, 16))
    loss_f, loss_e = fused(idx, idx.roll(-1, 1))[1], explicit(idx, idx.roll(-1, 1))[1]
    torch.testing.assert_close(loss_f, loss_e)
    loss_f.backward()
    loss_e.backward()
    for (name, p_f), p_e in zip(fused.named_parameters(), explicit.parameters(), strict=True):
        torch.testing.assert_close(p_f.grad, p_e.grad, rtol=1e-4, atol=1e-6, msg=name)


@pytest.mark.parametrize("fused", [True, False])
@pytest.mark.parametrize("n_kv_head", [2, 1])
def test_kv_cache_gives_the_same_logits_as_a_full_forward(fused, n_kv_head):
    model = seeded_model(n_kv_head=n_kv_head, fused_attention=fused)
    idx = torch.randint(0, 17, (2, 16))
    caches = model.make_caches(2)
    parts = [model(idx[:, :6], caches=caches)[0], model(idx[:, 6:9], caches=caches)[0]]
    parts += [model(idx[:, i:i + 1], caches=caches)[0] for i in range(9, 16)]
    torch.testing.assert_close(torch.cat(parts, 1), model(idx)[0], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("n_kv_head", [2, 1])
def test_identical_tokens_with_and_without_the_cache_even_past_the_block(n_kv_head):
    model = seeded_model(n_kv_head=n_kv_head)  # block of 16: 40 new tokens slide past it
    idx = torch.randint(0, 17, (2, 3))
    greedy = [torch.cat(list(generate_ids(model, idx, 40, greedy=True, use_cache=c)), 1)
              for c in (True, False)]
    assert torch.equal(*greedy)
    sampled = [torch.cat(list(generate_ids(model, idx, 40, seed=3, top_k=5, use_cache=c)), 1)
               for c in (True, False)]
    assert torch.equal(*sampled)


# --- memory -----------------------------------------------------------------------------------

def test_cache_stores_only_the_key_value_heads():
    sizes = {}
    for kv in (4, 2, 1):
        caches = seeded_model(n_kv_head=kv).make_caches(3)
        assert len(caches) == 2 and all(c.k.shape == (3, kv, 16, 8) == c.v.shape for c in caches)
        sizes[kv] = sum(c.nbytes for c in caches)
        assert sizes[kv] == sum(c.k.nbytes + c.v.nbytes for c in caches) \
            == kv_cache_bytes(config(n_kv_head=kv), batch=3)
    assert sizes[2] * 2 == sizes[4] and sizes[1] * 4 == sizes[4]  # n_kv_head / n_head of MHA's


@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16, torch.float16])
def test_kv_cache_bytes_matches_the_allocated_tensors(dtype):
    model = seeded_model(n_kv_head=2).to(dtype)
    caches = model.make_caches(2)
    assert caches[0].k.dtype == dtype
    total = sum(c.k.nbytes + c.v.nbytes for c in caches)
    assert kv_cache_bytes(model.config, batch=2, dtype=dtype) == total
    assert kv_cache_bytes(model.config, batch=2, dtype=str(dtype).removeprefix("torch.")) == total
    # 2 (K and V) x layers x batch x kv heads x context x head size x bytes per number
    per = torch.tensor([], dtype=dtype).element_size()
    assert kv_cache_bytes(model.config, context=1000, batch=5, dtype=dtype) == \
        2 * 2 * 5 * 2 * 1000 * 8 * per


# --- parameters and training -----------------------------------------------------------------

@pytest.mark.parametrize("n_kv_head", [4, 2, 1])
def test_parameter_count_formula(n_kv_head):
    cfg = config(n_kv_head=n_kv_head, bias=True)
    C, V, T, L, kv_width = cfg.n_embd, cfg.vocab_size, cfg.block_size, cfg.n_layer, \
        n_kv_head * cfg.head_dim
    qkv = C * (C + 2 * kv_width) + (C + 2 * kv_width)  # queries C wide, keys and values kv_width
    per_block = qkv + (C * C + C) + (C * 4 * C + 4 * C) + (4 * C * C + C) + 4 * C
    model = GPT(cfg)
    assert model.num_params(include_embeddings=False) == L * per_block + 2 * C
    assert model.num_params() == L * per_block + 2 * C + V * C + T * C
    assert model.transformer.h[0].attn.c_attn.weight.shape == (C + 2 * kv_width, C)


def test_a_tiny_grouped_query_model_learns(tmp_path):
    cfg = get_preset("tiny", n_head=4, n_kv_head=1, max_iters=40, eval_interval=20, eval_iters=5,
                     out_dir=str(tmp_path / "run"), device="cpu", save_checkpoint=True)
    result = train(cfg, text=TEXT, progress=False)
    assert result.model.config.n_kv_head == 1
    losses = result.history.eval_train_loss  # evaluated at iterations 19 and 39
    guessing = math.log(result.model.config.vocab_size)  # the loss of a uniform guess
    assert losses[-1] < losses[0] < guessing, f"losses {losses}, uniform guess {guessing:.3f}"
    assert losses[-1] < guessing - 0.8
    ckpt = load_checkpoint(tmp_path / "run" / "ckpt.pt")  # and it saves and loads as MQA
    assert ckpt.config.n_kv_head == 1
    C, hd = ckpt.config.n_embd, ckpt.config.head_dim
    assert ckpt.model.transformer.h[0].attn.c_attn.weight.shape == (C + 2 * hd, C)


# --- configs, checkpoints, the command line ---------------------------------------------------

def test_configs_without_the_field_still_load_and_multi_head_dicts_are_unchanged():
    old = {k: v for k, v in config().to_dict().items()}
    assert "n_kv_head" not in old  # the dict of a multi-head model is what it was
    assert GPTConfig.from_dict(old) == config()
    assert GPTConfig.from_dict(config(n_kv_head=2).to_dict()) == config(n_kv_head=2)
    run = TrainConfig(model=config(n_kv_head=1))
    assert TrainConfig.from_dict(run.to_dict()) == run
    assert "n_kv_head" not in TrainConfig().to_dict()["model"]


def test_checkpoint_round_trip_and_mismatch(tmp_path):
    tok = CharTokenizer.from_text("abcdefghijklmnopq")
    model = seeded_model(n_kv_head=2)
    path = save_checkpoint(tmp_path / "gqa.pt", model, tok)
    loaded = load_checkpoint(path)
    idx = torch.randint(0, 17, (1, 10))
    assert torch.equal(loaded.model(idx)[0], model(idx)[0])
    mha = save_checkpoint(tmp_path / "mha.pt", seeded_model(), tok)
    assert "n_kv_head" not in read_checkpoint(mha)["model_config"]
    assert config_differences(config(), config(n_kv_head=4)) == []
    assert config_differences(config(), config(n_kv_head=2)) == ["n_kv_head: 4 vs 2"]
    with pytest.raises(CheckpointError, match="n_kv_head: 4 vs 2"):
        load_checkpoint(path, expected_config=config())


def test_command_line_accepts_n_kv_head(tmp_path, capsys):
    assert parse_overrides(["--n_kv_head", "2"]) == {"n_kv_head": 2}
    assert parse_overrides(["--n-kv-head=none"]) == {"n_kv_head": None}
    assert get_preset("tiny", n_kv_head=2).model.n_kv_head == 2
    out = tmp_path / "cli"
    assert main(["train", "--preset", "tiny", "--n_head", "4", "--n_kv_head", "2", "--max_iters", "2",
                 "--eval_interval", "2", "--eval_iters", "1", "--block-size", "16",
                 "--out_dir", str(out), "--device", "cpu", "--no-progress",
                 "--text_file", str(_text_file(tmp_path))]) == 0
    assert load_checkpoint(out / "ckpt.pt").config.n_kv_head == 2
    capsys.readouterr()
    assert main(["train", "--preset", "tiny", "--n_head", "4", "--n_kv_head", "3"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "not divisible by n_kv_head=3" in err
    assert len(err.splitlines()) == 1


def _text_file(folder) -> str:
    path = folder / "text.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


# --- bad input --------------------------------------------------------------------------------

@pytest.mark.parametrize("n_kv_head,error,message", [
    (3, ValueError, r"n_head=4 is not divisible by n_kv_head=3.*Choose n_kv_head in \[1, 2, 4\]"),
    (0, ValueError, r"must be between 1 \(multi-query attention\) and n_head=4"),
    (8, ValueError, r"n_kv_head=8 must be between 1"),
    (2.0, TypeError, "whole number or None"),
    (True, TypeError, "whole number or None"),
])
def test_bad_n_kv_head_is_a_readable_error(n_kv_head, error, message):
    with pytest.raises(error, match=message):
        config(n_kv_head=n_kv_head)


def test_a_full_kv_cache_is_a_readable_error():
    model = seeded_model(n_kv_head=2)
    caches = model.make_caches(1)
    model(torch.zeros(1, 16, dtype=torch.long), caches=caches)
    with pytest.raises(ValueError, match="the KV cache is full: it already holds 16 tokens"):
        model(torch.zeros(1, 1, dtype=torch.long), caches=caches)
    cache = KVCache(1, 2, 4, 8, "cpu", torch.float32)
    cache.append(torch.zeros(1, 2, 3, 8), torch.zeros(1, 2, 3, 8))
    with pytest.raises(ValueError, match="KV cache is full: it has room for 4 positions, holds 3 "
                                         "and cannot take 2 more"):
        cache.append(torch.zeros(1, 2, 2, 8), torch.zeros(1, 2, 2, 8))
    with pytest.raises(ValueError, match="do not fit this cache"):
        cache.append(torch.zeros(1, 4, 1, 8), torch.zeros(1, 4, 1, 8))  # 4 heads, cache has 2
    with pytest.raises(ValueError, match="max_len must be a whole number of at least 1"):
        KVCache(1, 2, 0, 8, "cpu", torch.float32)


@pytest.mark.parametrize("kwargs,error,message", [
    (dict(context=0), ValueError, "context length context must be at least 1"),
    (dict(batch=1.5), TypeError, "batch size batch must be a whole number"),
    (dict(dtype="float33"), ValueError, "unknown dtype 'float33'"),
    (dict(dtype=4), TypeError, "dtype must be a torch.dtype"),
])
def test_kv_cache_bytes_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        kv_cache_bytes(config(), **kwargs)
    with pytest.raises(TypeError, match="config must be a GPTConfig"):
        kv_cache_bytes({"n_layer": 2})
