"""Chapter 12's demos, pictures and widgets: the numbers behind them, the drawings, the controls."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure
from widget_helpers import picture_changes, same_picture_after_a_detour, shown

from course_utils import gpt
from course_utils.widgets import ch12_gpt


@pytest.fixture(scope="module")
def tiny():
    """A small random GPT and its character tokenizer."""
    torch.manual_seed(0)
    tokenizer = gpt.CharTokenizer.from_text("abcdefgh ,.\n")
    config = gpt.GPTConfig(vocab_size=tokenizer.vocab_size, block_size=16, n_layer=1, n_head=2,
                           n_embd=16)
    return gpt.GPT(config).eval(), tokenizer


# --- repetition -----------------------------------------------------------------------------------


def test_distinct_ngrams_counts_different_windows():
    assert ch12_gpt.distinct_ngrams("abcdef", 2) == 1.0
    assert ch12_gpt.distinct_ngrams("abababab", 2) == pytest.approx(2 / 7)
    loop = "the cat " * 50
    assert ch12_gpt.distinct_ngrams(loop, 8) == pytest.approx(8 / (len(loop) - 7))


@pytest.mark.parametrize("text, n, error", [(["a"], 2, TypeError), ("abc", 4, ValueError),
                                           ("abc", 0, ValueError), ("abc", 1.5, (TypeError, ValueError))])
def test_distinct_ngrams_rejects_bad_input(text, n, error):
    with pytest.raises(error):
        ch12_gpt.distinct_ngrams(text, n)


# --- the decoding view ----------------------------------------------------------------------------


def test_next_char_view_matches_the_engine(tiny):
    model, tokenizer = tiny
    view = ch12_gpt.next_char_view(model, tokenizer, "abc d", temperature=0.7, top_k=4, seed=1,
                                   n_chars=20)
    logits = model(torch.tensor([tokenizer.encode("abc d")]), last_only=True)[0][:, -1, :]
    want = gpt.next_token_probs(logits.detach(), 0.7, 4)[0].numpy()
    np.testing.assert_allclose(view["probs"], want, rtol=1e-6)
    np.testing.assert_allclose(view["model_probs"].sum(), 1.0, rtol=1e-6)
    assert view["kept"] == 4 and len(view["chars"]) == tokenizer.vocab_size
    assert view["sample"] == gpt.generate(model, tokenizer, "abc d", 20, temperature=0.7,
                                          top_k=4, seed=1)


def test_next_char_view_switches_filters_off_at_0_and_1(tiny):
    model, tokenizer = tiny
    plain = ch12_gpt.next_char_view(model, tokenizer, "ab", top_k=0, top_p=1.0, n_chars=5)
    np.testing.assert_allclose(plain["probs"], plain["model_probs"], rtol=1e-6)
    assert plain["kept"] == tokenizer.vocab_size
    nucleus = ch12_gpt.next_char_view(model, tokenizer, "ab", top_p=0.3, n_chars=5)
    assert 1 <= nucleus["kept"] < tokenizer.vocab_size


def test_next_char_view_crops_a_long_prompt(tiny):
    model, tokenizer = tiny
    view = ch12_gpt.next_char_view(model, tokenizer, "abcdefgh " * 5, n_chars=3)
    assert len(view["sample"]) == 3


@pytest.mark.parametrize("settings, error", [({"temperature": 0}, ValueError),
                                             ({"top_k": 99}, ValueError),
                                             ({"top_p": -0.5}, ValueError)])
def test_next_char_view_rejects_bad_settings(tiny, settings, error):
    model, tokenizer = tiny
    with pytest.raises(error):
        ch12_gpt.next_char_view(model, tokenizer, "ab", **settings)


def test_views_need_a_gpt(tiny):
    _, tokenizer = tiny
    with pytest.raises(TypeError, match="GPT model"):
        ch12_gpt.next_char_view(torch.nn.Linear(2, 2), tokenizer, "ab")
    with pytest.raises(TypeError, match="GPT model"):
        ch12_gpt.training_monitor("model", tokenizer)


def test_draw_next_char_returns_a_figure(tiny):
    model, tokenizer = tiny
    view = ch12_gpt.next_char_view(model, tokenizer, "ab\nc", n_chars=30)
    fig = ch12_gpt.draw_next_char(view, "ab\nc")
    assert isinstance(fig, Figure)
    assert len(fig.axes[0].patches) == 2 * min(20, tokenizer.vocab_size)


# --- the training monitor -------------------------------------------------------------------------


def test_training_monitor_prints_a_sample_after_each_evaluation(tiny, capsys):
    model, tokenizer = tiny
    monitor = ch12_gpt.training_monitor(model, tokenizer, "ab", n_chars=12, live_plot=False)
    history = gpt.History(eval_iters=[99], val_loss=[2.5], eval_train_loss=[2.4])
    monitor(history)
    printed = capsys.readouterr().out
    assert "after iteration 100 (val loss 2.500)" in printed
    assert gpt.generate(model, tokenizer, "ab", 12, seed=0) in printed


def test_training_monitor_with_a_real_training_run(capsys):
    text = "to be or not to be, that is the question.\n" * 40
    cfg = gpt.TrainConfig(max_iters=4, eval_interval=2, eval_iters=1, batch_size=4,
                          save_checkpoint=False, device="cpu", warmup_iters=1).with_settings(
        n_layer=1, n_head=2, n_embd=16, block_size=16)
    data = gpt.TextData(text)
    model = gpt.GPT(cfg.model_config(data.tokenizer.vocab_size))
    monitor = ch12_gpt.training_monitor(model, data.tokenizer, "to", n_chars=10, live_plot=False)
    gpt.train(cfg, text=text, model=model, tokenizer=data.tokenizer, on_eval=monitor,
              progress=False)
    printed = capsys.readouterr().out
    assert printed.count("--- sample after iteration") == 2


# --- the widget -----------------------------------------------------------------------------------


def test_decoding_widget_redraws_for_every_control(tiny):
    model, tokenizer = tiny
    box = ch12_gpt.decoding_widget(model, tokenizer, "abc", n_chars=20)
    temperature, top_k, top_p, seed = box.children[:4]
    assert shown(box.children[-1])
    assert picture_changes(box, seed, 4)
    assert same_picture_after_a_detour(box, seed, 7)
    assert picture_changes(box, temperature, 1.8)
    assert picture_changes(box, top_k, 3)
    assert picture_changes(box, top_p, 0.3)


def test_decoding_widget_needs_a_prompt(tiny):
    model, tokenizer = tiny
    with pytest.raises(ValueError, match="prompt"):
        ch12_gpt.decoding_widget(model, tokenizer, "")
