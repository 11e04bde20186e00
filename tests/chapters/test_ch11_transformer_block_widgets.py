"""Chapter 11's demos, pictures and widgets: the numbers behind them, the drawings, the controls."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from widget_helpers import picture_changes, same_picture_after_a_detour, shown

from course_utils import gpt, transformer
from course_utils.widgets import ch11_transformer_block as ch11


@pytest.fixture(scope="module")
def tiny():
    """A small random GPT and its character tokenizer."""
    torch.manual_seed(0)
    tokenizer = gpt.CharTokenizer.from_text("abcdefgh ,.\n")
    config = gpt.GPTConfig(vocab_size=tokenizer.vocab_size, block_size=24, n_layer=2, n_head=2,
                           n_embd=16)
    return gpt.GPT(config).eval(), tokenizer


@pytest.fixture(scope="module")
def shipped():
    try:
        return gpt.load_pretrained()
    except gpt.CheckpointError as err:
        pytest.skip(f"no shipped checkpoint: {err}")


# --- heads --------------------------------------------------------------------------------------------


def test_head_weights_are_causal_distributions(tiny):
    model, tokenizer = tiny
    ids = torch.tensor(tokenizer.encode("abc def, gh."))
    for layer in range(2):
        w = ch11.head_weights(model, ids, layer)
        assert w.shape == (2, 12, 12)
        torch.testing.assert_close(w.sum(-1), torch.ones(2, 12))
        assert (w.triu(1) == 0).all()


def test_head_weights_match_the_engines_attention_output(tiny):
    """The weights drawn are the ones the engine's block uses: mixing its values gives its output."""
    model, tokenizer = tiny
    ids = torch.tensor(tokenizer.encode("abcabc"))
    block = model.transformer.h[0]
    with torch.no_grad():
        x = block.ln_1(model.transformer.wte(ids[None]) + model.transformer.wpe(torch.arange(6)))
        q, k, v = block.attn.c_attn(x).split(16, dim=2)
        v = transformer.split_heads(v, 2)
        w = ch11.head_weights(model, ids, 0)
        want = block.attn(x)
        got = block.attn.c_proj(transformer.merge_heads(w[None] @ v))
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_head_weights_bad_input(tiny):
    model, tokenizer = tiny
    ids = torch.tensor(tokenizer.encode("abc"))
    with pytest.raises(ValueError, match="layers 0 … 1"):
        ch11.head_weights(model, ids, 2)
    with pytest.raises(ValueError, match="block size"):
        ch11.head_weights(model, torch.zeros(25, dtype=torch.long), 0)
    with pytest.raises(TypeError, match="GPT model"):
        ch11.head_weights("model", ids, 0)


def test_head_pattern_widget_redraws_for_each_control(tiny):
    model, tokenizer = tiny
    box = ch11.head_pattern_widget(model, tokenizer, ["abc def", "hgf, edc."])
    layer, line = box.children[0], box.children[1]
    assert shown(box.children[-1])
    assert picture_changes(box, layer, 1)
    assert picture_changes(box, line, "hgf, edc.")
    assert same_picture_after_a_detour(box, layer, 0)
    with pytest.raises(ValueError, match="non-empty lines"):
        ch11.head_pattern_widget(model, tokenizer, [])


# --- positions --------------------------------------------------------------------------------------------


def test_position_similarity_and_drawing():
    table = transformer.sinusoidal_positions(20, 8)
    sim = ch11.position_similarity(table)
    assert sim.shape == (20, 20)
    np.testing.assert_allclose(np.diag(sim), 1.0)
    fig = ch11.draw_position_tables({"sinusoidal": table, "random": torch.randn(20, 8)})
    assert isinstance(fig, Figure) and len(fig.axes) == 5  # 2 × 2 pictures and a colour bar
    with pytest.raises(TypeError, match="2-D tensor"):
        ch11.position_similarity(torch.ones(3))


# --- gradients through depth ----------------------------------------------------------------------------


def test_a_residual_keeps_the_gradient_that_a_plain_stack_loses():
    plain = ch11.gradient_through_stack(12, "mlp", residual=False)
    skip = ch11.gradient_through_stack(12, "mlp", residual=True)
    assert list(plain["layer"]) == list(range(1, 13))
    assert plain["gradient"][0] / plain["gradient"][-1] < 1e-6  # vanished
    assert skip["gradient"][0] / skip["gradient"][-1] > 0.5  # kept


def test_gradient_through_blocks_pre_and_post_norm():
    pre = ch11.gradient_through_stack(6, "block", norm="pre")
    post = ch11.gradient_through_stack(6, "block", norm="post")
    bare = ch11.gradient_through_stack(6, "block", residual=False)
    for g in (pre, post, bare):
        assert g["gradient"].shape == (6,) and np.isfinite(g["gradient"]).all()
    assert pre["gradient"][0] > bare["gradient"][0]
    fig = ch11.draw_gradient_curves({"pre": pre, "post": post}, "title")
    assert isinstance(fig, Figure)


def test_gradient_through_stack_bad_input():
    with pytest.raises(ValueError, match="'mlp' or 'block'"):
        ch11.gradient_through_stack(3, "conv")
    with pytest.raises(ValueError, match="at least 1"):
        ch11.gradient_through_stack(0)


# --- facts ------------------------------------------------------------------------------------------------


def test_a_wider_mlp_stores_more_facts():
    runs = ch11.fact_recall_by_width([2, 32], n_facts=128, d_model=16, n_values=16, steps=150)
    assert runs["parameters"].tolist() == [2 * 16 * 2 + 2 + 16, 2 * 16 * 32 + 32 + 16]
    assert runs["recalled"][1] > runs["recalled"][0]
    assert runs["recalled"][1] > 0.9 * 128  # 1,072 parameters hold 128 facts


def test_fact_store_is_deterministic_and_checks_its_input():
    a = ch11.train_fact_store(64, 8, d_model=8, n_values=8, steps=20)
    assert a == ch11.train_fact_store(64, 8, d_model=8, n_values=8, steps=20)
    assert 0 <= a["share"] <= 1 and a["recalled"] == round(a["share"] * 64)
    with pytest.raises(ValueError, match="at least 1"):
        ch11.train_fact_store(0, 8)
    with pytest.raises(ValueError, match="positive"):
        ch11.train_fact_store(8, 8, lr=0.0)
    with pytest.raises(ValueError, match="at least one width"):
        ch11.fact_recall_by_width([], 8)


# --- knockouts ------------------------------------------------------------------------------------------


def test_evaluation_windows():
    ids = torch.arange(100)
    x, y = ch11.evaluation_windows(ids, 4, 10)
    assert x.shape == y.shape == (4, 10)
    assert torch.equal(y, x + 1)
    with pytest.raises(ValueError, match="too few"):
        ch11.evaluation_windows(torch.arange(5), 2, 10)


def test_knockout_losses_on_a_small_model(tiny):
    model, _ = tiny
    x, y = ch11.evaluation_windows(torch.randint(0, model.config.vocab_size, (200,)), 3, 16)
    with torch.no_grad():
        before = float(model(x, y)[1])
    losses = ch11.knockout_losses(model, x, y)
    assert set(losses) == {"nothing", "attention 0", "MLP 0", "attention 1", "MLP 1",
                           "every attention", "every MLP"}
    assert losses["nothing"] == pytest.approx(before)
    with torch.no_grad():
        after = float(model(x, y)[1])
    assert after == pytest.approx(before), "the hooks must be removed afterwards"


def test_switching_off_the_shipped_gpts_mlps_costs_loss(shipped):
    """Whatever the checkpoint's shape: every knockout costs loss, and all MLPs cost a lot."""
    from course_utils import load_text

    text = load_text(verbose=False)
    ids = torch.tensor(shipped.tokenizer.encode(text[-20000:]))
    x, y = ch11.evaluation_windows(ids, 4, min(128, shipped.config.block_size))
    losses = ch11.knockout_losses(shipped.model, x, y)
    assert losses["nothing"] < 2.5
    for name, loss in losses.items():
        if name != "nothing":
            assert loss > losses["nothing"], name
    assert losses["every MLP"] > losses["nothing"] + 1.0


# --- parameters --------------------------------------------------------------------------------------------


def test_parameter_breakdown_shares():
    b = ch11.parameter_breakdown(12, 768, 12, 1024, 50257)
    assert b["total"] == 124_439_808 and b["head_dim"] == 64
    assert sum(b["shares"].values()) == pytest.approx(1.0)
    assert b["shares"]["MLP"] == pytest.approx(2 * b["shares"]["attention"], rel=0.01)


def test_parameter_widget_redraws_for_each_control():
    box = ch11.parameter_widget()
    controls = [c for row in box.children[:-1] for c in row.children]
    assert [c.description for c in controls] == ["layers", "width (n_embd)", "heads",
                                                 "block size", "vocabulary"]
    layers, width, heads, block, vocabulary = controls
    assert picture_changes(box, layers, 12)
    assert picture_changes(box, width, 768)
    assert picture_changes(box, heads, 12)
    assert picture_changes(box, block, 1024)
    assert picture_changes(box, vocabulary, 50257)
    assert same_picture_after_a_detour(box, heads, 8)


def test_a_width_the_heads_cannot_share_draws_the_reason_below_the_counts():
    fig = ch11.draw_parameter_breakdown(4, 192, 25, 128)
    assert "1,816,896 parameters" in fig.axes[0].get_title()  # the counts need no heads
    assert "cannot be shared evenly by 25 heads" in fig.axes[1].get_title()


def test_every_control_redraws_even_when_the_heads_do_not_divide_the_width():
    """The browser test moves one control after another: 256 wide with 6 heads is not a model,
    and the block size must still change the picture."""
    box = ch11.parameter_widget()
    layers, width, heads, block, vocabulary = [c for row in box.children[:-1] for c in row.children]
    width.value, heads.value = 256, 6
    assert picture_changes(box, block, 256)
    assert picture_changes(box, vocabulary, 50257)


def test_parameter_widget_bad_start():
    with pytest.raises(ValueError, match="width must be one of"):
        ch11.parameter_widget(n_embd=100)
