"""Chapter 13's demos, pictures and widget: the numbers behind them, the drawings, the controls
and a redraw for every control."""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from widget_helpers import picture_changes, same_picture_after_a_detour, shown

from course_utils.gpt import GPT, GPTConfig, kv_cache_bytes
from course_utils.widgets import ch13_beyond

# --- the KV-cache calculator ---------------------------------------------------------------------


def test_published_shapes_give_the_known_cache_sizes():
    # Llama 2 7B: 2 × 32 layers × 32 heads × 128 × 2 bytes = 0.5 MiB per token, 2 GiB at 4096
    table = ch13_beyond.kv_cache_table(ch13_beyond.PUBLISHED_SHAPES["Llama 2 7B (MHA)"], 4096)
    assert list(table.values()) == [2.0, 2.0, 2.0 / 32]
    # Llama 2 70B: 8 key/value heads for 64 query heads: 1/8 of what MHA would need
    table = ch13_beyond.kv_cache_table(
        ch13_beyond.PUBLISHED_SHAPES["Llama 2 70B (GQA, 8 KV heads)"], 4096)
    released, mha, mqa = table.values()
    assert released == pytest.approx(1.25) and mha == pytest.approx(8 * released)
    assert mqa == pytest.approx(released / 8)


def test_the_table_scales_with_context_batch_and_number_size():
    shape = ch13_beyond.PUBLISHED_SHAPES["Mistral 7B (GQA, 8 KV heads)"]
    one = ch13_beyond.kv_cache_table(shape, 1024, 1, "bfloat16")
    more = ch13_beyond.kv_cache_table(shape, 2048, 3, "float32")
    for a, b in zip(one.values(), more.values(), strict=True):
        assert b == pytest.approx(a * 2 * 3 * 2)


def test_the_table_uses_the_engines_formula():
    shape = ch13_beyond.ModelShape(layers=2, heads=4, kv_heads=2, head_dim=8, context=16)
    cfg = GPTConfig(vocab_size=5, block_size=16, n_layer=2, n_head=4, n_kv_head=2, n_embd=32)
    released = next(iter(ch13_beyond.kv_cache_table(shape, 16, dtype="float32").values()))
    assert released * ch13_beyond.GIB == kv_cache_bytes(cfg)
    assert released * ch13_beyond.GIB == sum(c.nbytes for c in GPT(cfg).make_caches())


@pytest.mark.parametrize("args, message", [(("bfloat16", 0), "at least 1"),
                                           (("float8", 16), "dtype must be one of")])
def test_the_table_explains_bad_input(args, message):
    dtype, context = args
    with pytest.raises(ValueError, match=message):
        ch13_beyond.kv_cache_table(ch13_beyond.PUBLISHED_SHAPES["Llama 2 7B (MHA)"], context,
                                   dtype=dtype)
    with pytest.raises(ValueError, match="unknown model"):
        ch13_beyond.draw_kv_calculator("GPT-5")


def _controls(box):
    found = {}
    for child in box.children[:-1]:
        for control in getattr(child, "children", [child]):
            found[control.description] = control
    return found


def test_calculator_widget_has_its_controls_and_a_picture():
    box = ch13_beyond.kv_calculator_widget()
    controls = _controls(box)
    assert set(controls) == {"model", "context (K)", "batch", "numbers"}
    assert isinstance(box.children[-1], widgets.Output)
    assert shown(box.children[-1])
    plt.close("all")


@pytest.mark.parametrize("name, value, back", [("model", "Falcon 7B (MQA, 1 KV head)", None),
                                               ("context (K)", 32, 1), ("batch", 8, 2),
                                               ("numbers", "float32", "int8")])
def test_every_control_changes_the_picture(name, value, back):
    box = ch13_beyond.kv_calculator_widget()
    control = _controls(box)[name]
    assert picture_changes(box, control, value), f"moving {name!r} did not change the picture"
    assert same_picture_after_a_detour(box, control, back if back is not None
                                       else "Llama 2 7B (MHA)")
    plt.close("all")


# --- decoding with MHA / GQA / MQA -------------------------------------------------------------


def test_decode_benchmark_measures_memory_exactly_and_speed():
    result = ch13_beyond.decode_benchmark([4, 2, 1], n_head=4, n_embd=16, n_layer=1, block=32,
                                          batch=2, new_tokens=4, repeat=1)
    assert result[4]["cache_mib"] == 2 * result[2]["cache_mib"] == 4 * result[1]["cache_mib"]
    assert result[4]["params"] > result[2]["params"] > result[1]["params"]
    assert all(row["tokens_per_s"] > 0 for row in result.values())


# --- context length ----------------------------------------------------------------------------


def test_sliding_window_mask():
    mask = ch13_beyond.sliding_window_mask(5, 2)
    assert mask.tolist()[3] == [False, False, True, True, False]
    assert ch13_beyond.sliding_window_mask(6, 6).sum() == 21  # a window as long as the text: causal
    with pytest.raises(ValueError, match="at least 1"):
        ch13_beyond.sliding_window_mask(4, 0)


def test_attention_memory_full_grows_quadratically_streaming_linearly():
    small, big = ch13_beyond.attention_memory(1024), ch13_beyond.attention_memory(4096)
    assert big["full"] == 16 * small["full"]
    assert big["streaming"] < 4 * small["streaming"]
    assert small["full"] == 32 * 1024 * 1024 * 2


@pytest.mark.parametrize("n, d, block", [(1, 1, 1), (10, 3, 3), (37, 5, 64), (64, 2, 8)])
def test_online_softmax_equals_the_full_softmax(n, d, block):
    rng = np.random.default_rng(n)
    scores, values = rng.normal(size=n) * 10, rng.normal(size=(n, d))
    want = torch.softmax(torch.from_numpy(scores), 0) @ torch.from_numpy(values)
    got = ch13_beyond.online_softmax_attention(scores, values, block)
    np.testing.assert_allclose(got, want.numpy(), rtol=1e-12, atol=1e-14)


def test_online_softmax_survives_huge_scores_and_checks_shapes():
    got = ch13_beyond.online_softmax_attention([1000.0, 1000.0, -1000.0], np.eye(3), 1)
    np.testing.assert_allclose(got, [0.5, 0.5, 0.0])
    with pytest.raises(ValueError, match="same n"):
        ch13_beyond.online_softmax_attention([1.0, 2.0], np.eye(3), 1)


# --- pictures ----------------------------------------------------------------------------------


def test_every_picture_is_a_figure():
    figures = [
        ch13_beyond.draw_masks(8, 3),
        ch13_beyond.draw_expert_load({"a": np.full((2, 4), 0.25), "b": np.eye(2, 4)}),
        ch13_beyond.draw_curves({"x": {"reward": [1, 2], "kl": [0, 1]}}, ["reward", "kl"]),
        ch13_beyond.draw_char_rewards(np.arange(20.0), [chr(65 + i) for i in range(20)], top=3),
        ch13_beyond.draw_kv_calculator("Llama 2 7B (MHA)", 4, 1, "bfloat16"),
    ]
    assert all(isinstance(f, Figure) for f in figures)
    plt.close("all")


def test_pictures_explain_bad_input():
    with pytest.raises(ValueError, match="at least one"):
        ch13_beyond.draw_expert_load({})
    with pytest.raises(ValueError, match="3 weights for 2 characters"):
        ch13_beyond.draw_char_rewards([1.0, 2.0, 3.0], ["a", "b"])
