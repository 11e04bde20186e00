"""Chapter 12's demos, pictures and widgets: training with samples, repetition, decoding.

The model, its training loop and its samplers live in :mod:`course_utils.gpt`; this module holds
what only the chapter's notebook uses:

* :func:`training_monitor`, a callback for :func:`course_utils.gpt.train` that redraws the loss
  curves and prints a sample of the model as it learns;
* :func:`distinct_ngrams`, the share of a text's n-grams that are different from each other
  (1 for text that never repeats itself, near 0 for text stuck in a loop);
* :func:`next_char_view`, :func:`draw_next_char` and :func:`decoding_widget`: the next-character
  distribution after a prompt, before and after temperature, top-k and top-p, and a sample drawn
  with those settings.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from .. import gpt
from ..validate import check_whole
from .core import FigureBox, figure_widget, float_slider, int_slider


def _check_gpt(model: Any, name: str) -> gpt.GPT:
    if not isinstance(model, gpt.GPT):
        raise TypeError(f"{name} needs a course_utils.gpt GPT model (e.g. load_pretrained().model), "
                        f"not {type(model).__name__}")
    return model


# --- samples while training -----------------------------------------------------------------------


def training_monitor(model: gpt.GPT, tokenizer: gpt.CharTokenizer, prompt: str = "\n",
                     n_chars: int = 120, seed: int = 0,
                     live_plot: bool = True) -> Callable[[gpt.History], None]:
    """A callback for ``gpt.train(..., model=model, on_eval=...)``: loss curves and a sample.

    After every evaluation it redraws the loss curves (``live_plot``) and prints ``n_chars``
    characters the model writes after ``prompt`` (same seed each time, so only the model changes).
    """
    model = _check_gpt(model, "training_monitor")
    n_chars = check_whole(n_chars, "training_monitor", "n_chars", 1)
    redraw = gpt.live_loss_plot() if live_plot else None

    def on_eval(history: gpt.History) -> None:
        if redraw is not None:
            redraw(history)
        text = gpt.generate(model, tokenizer, prompt, n_chars, seed=seed)
        print(f"--- sample after iteration {history.eval_iters[-1] + 1} "
              f"(val loss {history.val_loss[-1]:.3f}) ---\n{text}")

    return on_eval


# --- repetition -----------------------------------------------------------------------------------


def distinct_ngrams(text: str, n: int = 8) -> float:
    """The share of the text's n-character windows that differ from each other:
    ``len(set(windows)) / len(windows)``.

    Ordinary prose scores close to 1 for n = 8 (eight-character stretches rarely repeat), a text
    that loops scores low: a loop of period p has only p different windows however long it runs.
    """
    if not isinstance(text, str):
        raise TypeError(f"distinct_ngrams needs a string, got {type(text).__name__}")
    n = check_whole(n, "distinct_ngrams", "n", 1)
    if len(text) < n:
        raise ValueError(f"distinct_ngrams: the text has {len(text)} characters, fewer than n={n}")
    windows = [text[i:i + n] for i in range(len(text) - n + 1)]
    return len(set(windows)) / len(windows)


# --- the decoding widget --------------------------------------------------------------------------


@torch.no_grad()
def next_char_view(model: gpt.GPT, tokenizer: gpt.CharTokenizer, prompt: str,
                   temperature: float = 1.0, top_k: int | None = None,
                   top_p: float | None = None, seed: int = 0, n_chars: int = 120) -> dict[str, Any]:
    """What the decoding widget shows, as numbers.

    Returns ``chars`` (the vocabulary), ``model_probs`` (the model's own next-character
    probabilities after ``prompt``), ``probs`` (after temperature, top-k and top-p, what a
    sampler draws from), ``kept`` (how many characters keep a chance) and ``sample`` (``n_chars``
    characters drawn with these settings and ``seed``). ``top_k=0`` or ``None`` and
    ``top_p=1`` or ``None`` switch those filters off.
    """
    model = _check_gpt(model, "next_char_view")
    top_k = None if top_k in (None, 0) else top_k
    top_p = None if top_p is None or top_p >= 1 else top_p
    gpt.sample.check_sampling_args(model.config.vocab_size, n_chars, temperature, top_k, top_p)
    ids = torch.tensor([tokenizer.encode(prompt)[-model.config.block_size:]], dtype=torch.long)
    if ids.numel() == 0:
        raise ValueError("next_char_view: the prompt is empty")
    was_training = model.training
    model.eval()
    logits, _ = model(ids, last_only=True)
    model.train(was_training)
    logits = logits[:, -1, :]
    model_probs = torch.softmax(logits.float(), dim=-1)[0]
    probs = gpt.next_token_probs(logits, temperature, top_k, top_p)[0]
    sample = gpt.generate(model, tokenizer, prompt, n_chars, temperature=temperature,
                          top_k=top_k, top_p=top_p, seed=seed)
    return {"chars": [tokenizer.decode([i]) for i in range(tokenizer.vocab_size)],
            "model_probs": model_probs.numpy(), "probs": probs.numpy(),
            "kept": int((probs > 0).sum()), "sample": sample}


def _show(char: str) -> str:
    return {"\n": "\\n", " ": "␣"}.get(char, char)


def draw_next_char(view: dict[str, Any], prompt: str, n_bars: int = 20) -> Figure:
    """Bars of the ``n_bars`` likeliest next characters (model vs sampler) above the sample."""
    order = np.argsort(-view["model_probs"], kind="stable")[:n_bars]
    fig, (ax, text_ax) = plt.subplots(2, 1, figsize=(8, 5), height_ratios=(1.6, 1))
    x = np.arange(len(order))
    ax.bar(x - 0.2, view["model_probs"][order], width=0.4, label="model (temperature 1)",
           color="0.7")
    ax.bar(x + 0.2, view["probs"][order], width=0.4, label="what the sampler draws from")
    ax.set_xticks(x, [_show(view["chars"][i]) for i in order])
    ax.set(ylabel="probability", ylim=(0, 1),
           title=f"next character after …{prompt[-30:]!r}: {view['kept']} of "
                 f"{len(view['chars'])} characters keep a chance")
    ax.legend(loc="upper right")
    text_ax.axis("off")
    lines = (prompt[-60:] + "│" + view["sample"]).split("\n")
    text_ax.text(0, 1, "\n".join(line[:95] for line in lines[-12:]), va="top", ha="left",
                 family="monospace", fontsize=8.5, transform=text_ax.transAxes)
    text_ax.set_title("a sample with these settings (│ marks where the model takes over)",
                      fontsize=9, loc="left")
    fig.tight_layout()
    return fig


def decoding_widget(model: gpt.GPT, tokenizer: gpt.CharTokenizer, prompt: str,
                    n_chars: int = 150) -> FigureBox:
    """Sliders for temperature, top-k (0 = off), top-p (1 = off) and the seed of the sample."""
    model = _check_gpt(model, "decoding_widget")
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("decoding_widget needs a non-empty prompt")

    def draw(temperature: float, top_k: int, top_p: float, seed: int) -> Figure:
        view = next_char_view(model, tokenizer, prompt, temperature, top_k, top_p, seed, n_chars)
        return draw_next_char(view, prompt)

    controls = {"temperature": float_slider("temperature", 1.0, 0.1, 2.0, 0.05),
                "top_k": int_slider("top-k (0 = off)", 0, 0, model.config.vocab_size),
                "top_p": float_slider("top-p (1 = off)", 1.0, 0.05, 1.0, 0.05),
                "seed": int_slider("seed", 0, 0, 9)}
    return figure_widget(draw, controls)
