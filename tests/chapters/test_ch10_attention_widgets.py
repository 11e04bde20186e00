"""Chapter 10's demos, pictures and widgets: the numbers behind them, the drawings, the controls
and a redraw for every control."""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from widget_helpers import picture_changes, same_picture_after_a_detour, shown

from course_utils import attention, gpt
from course_utils.data import load_text
from course_utils.widgets import ch10_attention

pytestmark = pytest.mark.usefixtures("one_torch_thread")



@pytest.fixture(scope="module")
def trained_gpt():
    checkpoint = gpt.load_pretrained()
    return checkpoint.model.eval(), checkpoint.tokenizer


# --- 1 · the RNN bottleneck ----------------------------------------------------------------------


def test_rnn_final_state_forgets_early_words():
    result = ch10_attention.rnn_sensitivity(n_steps=30)
    assert result["final"].shape == result["own"].shape == (30,)
    assert result["final"][0] < 1e-3 * result["final"][-1]  # the first word has faded
    assert result["own"].min() > 0.1  # the state at each word always notices it
    assert result["final"][-1] == pytest.approx(result["own"][-1])  # the last state is the final one
    np.testing.assert_array_equal(result["final"], ch10_attention.rnn_sensitivity(30)["final"])
    assert isinstance(ch10_attention.draw_rnn_sensitivity(result), Figure)


# --- temperature ---------------------------------------------------------------------------------


def test_temperature_probabilities():
    z = [3.0, 2.0, 1.0]
    p1 = ch10_attention.temperature_probabilities(z, 1.0)
    e = np.exp(z)
    np.testing.assert_allclose(p1, e / e.sum())
    cold = ch10_attention.temperature_probabilities(z, 0.05)
    hot = ch10_attention.temperature_probabilities(z, 100.0)
    assert cold[0] > 0.999 and np.allclose(hot, 1 / 3, atol=0.01)
    assert ch10_attention.entropy_bits([0.25] * 4) == pytest.approx(2.0)
    assert ch10_attention.entropy_bits([1.0, 0.0]) == 0.0
    with pytest.raises(ValueError, match="temperature must be positive"):
        ch10_attention.temperature_probabilities(z, 0.0)
    with pytest.raises(ValueError, match="at least two logits"):
        ch10_attention.temperature_probabilities([1.0], 1.0)


def test_temperature_widget_redraws_for_every_control():
    box = ch10_attention.temperature_widget()
    menu, slider = box.children[:2]
    assert picture_changes(box, slider, 0.3)
    assert picture_changes(box, menu, "one clear winner")
    assert same_picture_after_a_detour(box, slider, 4.0)
    assert shown(box.children[-1])
    with pytest.raises(ValueError, match="unknown set of logits"):
        ch10_attention.draw_temperature("nope", 1.0)


# --- √d -------------------------------------------------------------------------------------------


def test_score_spread_grows_like_root_d_and_the_scale_fixes_it():
    r = ch10_attention.score_spread(dims=(4, 64, 1024), n_queries=300)
    np.testing.assert_allclose(r["std_raw"], np.sqrt([4, 64, 1024]), rtol=0.1)
    np.testing.assert_allclose(r["std_scaled"], 1.0, rtol=0.1)
    assert r["max_raw"][-1] > 0.9 > r["max_scaled"].max()  # saturated without the scale
    assert r["grad_raw"][-1] < 0.25 * r["grad_scaled"][-1]
    assert isinstance(ch10_attention.draw_score_spread(r), Figure)


def test_softmax_gradient_size_matches_the_jacobian():
    p = torch.softmax(torch.tensor([1.0, 0.2, -0.5, 2.0]), 0)
    jac = torch.autograd.functional.jacobian(lambda z: torch.softmax(z, 0), torch.log(p))
    assert ch10_attention.softmax_gradient_size(p).item() == pytest.approx(jac.norm().item(), rel=1e-5)
    assert ch10_attention.softmax_gradient_size(torch.tensor([1.0, 0.0])).item() == 0.0


# --- heat maps ------------------------------------------------------------------------------------


def test_draw_matrix_shows_minus_infinity_and_checks_labels():
    m = torch.tensor([[0.5, -math.inf], [0.1, 0.2]])
    fig = ch10_attention.draw_matrix(m, ["a", "b"], ["a", "b"])
    assert "−∞" in [t.get_text() for t in fig.axes[0].texts]
    with pytest.raises(ValueError, match="row labels"):
        ch10_attention.draw_matrix(m, ["a"], ["a", "b"])


def test_gpt_attention_is_causal_and_matches_the_engine(trained_gpt):
    model, tokenizer = trained_gpt
    text = ch10_attention.SENTENCES[0]
    w = ch10_attention.gpt_attention(model, tokenizer, text, layer=1, head=2)
    assert w.shape == (len(text), len(text))
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-5)
    assert np.all(np.triu(w, 1) == 0)
    open_w = ch10_attention.gpt_attention(model, tokenizer, text, 1, 2, causal=False)
    assert np.triu(open_w, 1).sum() > 0
    cold = ch10_attention.gpt_attention(model, tokenizer, text, 1, 2, temperature=0.2)
    assert cold.max(-1).mean() > w.max(-1).mean()
    # the same weights as the engine's own explicit attention, recorded inside the model
    c = model.config
    ids = torch.tensor([tokenizer.encode(text)])
    with torch.no_grad():
        x = model.transformer.wte(ids) + model.transformer.wpe(torch.arange(len(text)))
        x = model.transformer.h[0](x)
        block = model.transformer.h[1]
        q, k, _ = block.attn.c_attn(block.ln_1(x)).split(c.n_embd, dim=2)
        hd = c.n_embd // c.n_head
        q = q.view(1, -1, c.n_head, hd).transpose(1, 2)
        k = k.view(1, -1, c.n_head, hd).transpose(1, 2)
        scores = (q @ k.transpose(-2, -1) / math.sqrt(hd)).masked_fill(
            ~gpt.causal_mask(len(text)), float("-inf"))
    np.testing.assert_allclose(w, torch.softmax(scores, -1)[0, 2].numpy(), rtol=1e-4, atol=1e-6)


def test_gpt_attention_errors(trained_gpt):
    model, tokenizer = trained_gpt
    with pytest.raises(ValueError, match="layers 0–"):
        ch10_attention.gpt_attention(model, tokenizer, "abc", layer=99, head=0)
    with pytest.raises(ValueError, match="characters"):
        ch10_attention.gpt_attention(model, tokenizer, "", layer=0, head=0)
    with pytest.raises(TypeError, match="course GPT"):
        ch10_attention.gpt_attention(object(), tokenizer, "abc", 0, 0)


def test_head_summary_shapes_and_the_uniform_reference(trained_gpt):
    model, tokenizer = trained_gpt
    c = model.config
    summary = ch10_attention.head_summary(model, tokenizer, "To be, or not to be")
    assert summary["previous"].shape == summary["largest"].shape == (c.n_layer, c.n_head)
    assert ((summary["largest"] > 0) & (summary["largest"] <= 1)).all()
    assert (summary["previous"] <= summary["largest"] + 1e-6).all()
    # an even spread over i+1 characters puts 1/(i+1) on each: the mean of 1/(i+1) for i ≥ 1
    n = len("To be, or not to be")
    assert summary["uniform"]["previous"] == pytest.approx(np.mean(1 / np.arange(2, n + 1)))
    assert summary["uniform"]["largest"] == pytest.approx(np.mean(1 / np.arange(1, n + 1)))
    with pytest.raises(TypeError, match="course GPT"):
        ch10_attention.head_summary(object(), tokenizer, "abc")


def test_the_sentences_are_real_lines_of_shakespeare():
    text = load_text(verbose=False)
    if text.is_fallback:
        pytest.skip("Tiny Shakespeare is not available here")
    for sentence in ch10_attention.SENTENCES:
        assert sentence in text


def test_heatmap_widget_redraws_for_every_control(trained_gpt):
    model, tokenizer = trained_gpt
    box = ch10_attention.attention_heatmap_widget(model, tokenizer)
    rows = [child for child in box.children[:-1]]
    controls = [c for row in rows for c in (row.children if isinstance(row, widgets.HBox) else [row])]
    sentence, head, temperature, mask = controls
    previous = ch10_attention.head_summary(model, tokenizer, sentence.value)["previous"]
    layer, h = np.unravel_index(np.argmax(previous), previous.shape)
    assert head.value == f"layer {layer}, head {h}"  # opens on the strongest previous-character head
    assert isinstance(mask, widgets.Checkbox) and mask.value is True
    assert picture_changes(box, mask, False)
    assert picture_changes(box, temperature, 0.5)
    assert picture_changes(box, head, head.options[-1])
    assert picture_changes(box, sentence, sentence.options[1])
    assert same_picture_after_a_detour(box, temperature, 3.0)


# --- cost -------------------------------------------------------------------------------------------


def test_score_matrix_cost_and_slope():
    cost = ch10_attention.score_matrix_cost(lengths=(64, 128, 256), d=16, repeat=2)
    np.testing.assert_array_equal(cost["bytes"], 4 * np.array([64, 128, 256]) ** 2)
    assert np.all(cost["seconds"] >= 0)
    assert ch10_attention.loglog_slope(cost["lengths"], cost["bytes"]) == pytest.approx(2.0)
    assert ch10_attention.loglog_slope([1, 10, 100], [3, 30, 300]) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="positive"):
        ch10_attention.loglog_slope([1, 2], [0, 1])
    cost["seconds"] = np.array([1e-4, 4e-4, 1.6e-3])  # drawing needs positive times
    assert isinstance(ch10_attention.draw_cost(cost), Figure)


# --- key lookup ---------------------------------------------------------------------------------------


def test_lookup_puzzles_are_well_formed():
    p = ch10_attention.make_lookup_batch(50, n_pairs=6, generator=torch.Generator().manual_seed(0))
    rows = torch.arange(50)
    assert p["keys"].shape == p["values"].shape == (50, 6)
    assert all(len(set(row)) == 6 for row in p["keys"].tolist())  # keys differ within a puzzle
    assert torch.equal(p["keys"][rows, p["where"]], p["query"])
    assert torch.equal(p["values"][rows, p["where"]], p["answer"])
    text = ch10_attention.describe_lookup(p, 0)
    assert text.count(" ") >= 6 and "->" in text
    with pytest.raises(ValueError, match="at most 16 pairs"):
        ch10_attention.make_lookup_batch(2, n_pairs=17)


def test_key_lookup_learns_where_to_look():
    model, history = ch10_attention.train_key_lookup(steps=150, progress=False)
    assert history["accuracy"][0] < 0.3 and history["weight_on_match"][0] < 0.3
    result = ch10_attention.evaluate_key_lookup(model, n=500)
    assert result["accuracy"] > 0.95
    assert result["weight_on_match"] > 0.8 and result["looks_at_match"] > 0.95
    again, _ = ch10_attention.train_key_lookup(steps=150, progress=False)
    assert ch10_attention.evaluate_key_lookup(again, n=500) == result  # seeded: repeatable
    assert isinstance(ch10_attention.draw_lookup_attention(model), Figure)


def test_the_unmasked_model_cheats():
    text = load_text(verbose=False)
    masked = ch10_attention.train_next_char(text, causal=True, steps=150)
    unmasked = ch10_attention.train_next_char(text, causal=False, steps=150)
    assert unmasked["all_positions"] < 0.5 * masked["all_positions"]  # it reads the answer
    assert unmasked["last_position"] > masked["last_position"]  # and cannot predict
    assert masked["all_positions"] < masked["uniform_guess"]
    with pytest.raises(ValueError, match="few thousand characters"):
        ch10_attention.train_next_char("too short", causal=True)


def test_tiny_char_attention_uses_the_course_head():
    model = ch10_attention.TinyCharAttention(vocab_size=5, block_size=8, d=4)
    assert isinstance(model.head, attention.SelfAttentionHead)
    assert model(torch.zeros(2, 8, dtype=torch.long), causal=True).shape == (2, 8, 5)
