"""Chapter 13's demos, pictures and widget: KV-cache sizes of real models, sliding windows,
the online softmax, the MoE and RLHF pictures.

The ideas themselves live in concept modules (:mod:`course_utils.moe`,
:mod:`course_utils.alignment`, the GPT engine's ``n_kv_head`` and
:func:`~course_utils.gpt.kv_cache_bytes`). This module holds what only chapter 13 uses:

* :data:`PUBLISHED_SHAPES` and :func:`kv_cache_table`, the numbers behind the KV-cache
  calculator (:func:`kv_calculator_widget`);
* :func:`sliding_window_mask` and :func:`attention_memory`, the context-length section's numbers;
* :func:`online_softmax_attention`, the reference for the online-softmax exercise;
* :func:`decode_benchmark`, MHA / GQA / MQA decoding measured at a small size;
* the ``draw_*`` functions, each returning a matplotlib ``Figure``.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure

from ..gpt import GPT, GPTConfig, generate_ids, kv_cache_bytes
from ..validate import as_float_array, check_whole
from .core import FigureBox, dropdown, figure_widget, int_slider

GIB = 2**30


# --- key/value heads: published model shapes and the KV-cache calculator -------------------


@dataclass(frozen=True)
class ModelShape:
    """What sets a model's KV-cache size: layers, query heads, key/value heads, head size."""

    layers: int
    heads: int
    kv_heads: int
    head_dim: int
    context: int  # the context length the model was released with

    def config(self, kv_heads: int | None = None) -> GPTConfig:
        """A :class:`GPTConfig` of this shape (only its attention shape matters for the cache)."""
        kv = self.kv_heads if kv_heads is None else kv_heads
        return GPTConfig(vocab_size=1, block_size=self.context, n_layer=self.layers,
                         n_head=self.heads, n_kv_head=kv, n_embd=self.heads * self.head_dim)


# Shapes from the models' papers and released configuration files.
PUBLISHED_SHAPES: dict[str, ModelShape] = {
    "GPT-3 175B (MHA)": ModelShape(96, 96, 96, 128, 2048),
    "Llama 2 7B (MHA)": ModelShape(32, 32, 32, 128, 4096),
    "Llama 2 70B (GQA, 8 KV heads)": ModelShape(80, 64, 8, 128, 4096),
    "Mistral 7B (GQA, 8 KV heads)": ModelShape(32, 32, 8, 128, 8192),
    "Llama 3 8B (GQA, 8 KV heads)": ModelShape(32, 32, 8, 128, 8192),
    "Falcon 7B (MQA, 1 KV head)": ModelShape(32, 71, 1, 64, 2048),
}
DTYPE_BYTES = {"float32": 4, "bfloat16": 2, "int8": 1}


def kv_cache_table(shape: ModelShape, context: int, batch: int = 1,
                   dtype: str = "bfloat16") -> dict[str, float]:
    """KV-cache gibibytes of ``shape`` at ``context`` tokens: as published, as MHA, as MQA.

    Computed with the GPT engine's :func:`~course_utils.gpt.kv_cache_bytes`
    (``2 × layers × batch × kv_heads × context × head_dim × bytes``).
    """
    if not isinstance(shape, ModelShape):
        raise TypeError(f"shape must be a ModelShape, got {type(shape).__name__}")
    if dtype not in DTYPE_BYTES:
        raise ValueError(f"dtype must be one of {sorted(DTYPE_BYTES)}, got {dtype!r}")
    context = check_whole(context, "kv_cache_table", "the context length", minimum=1)
    batch = check_whole(batch, "kv_cache_table", "the batch size", minimum=1)
    torch_dtype = {"float32": "float32", "bfloat16": "bfloat16", "int8": "int8"}[dtype]
    released = f"{shape.kv_heads} KV head{'s' if shape.kv_heads > 1 else ''}"
    rows = {f"as released ({released})": shape.kv_heads,
            f"if MHA ({shape.heads} KV heads)": shape.heads, "if MQA (1 KV head)": 1}
    return {name: kv_cache_bytes(shape.config(kv), context, batch, torch_dtype) / GIB
            for name, kv in rows.items()}


def draw_kv_calculator(model: str, context_k: int = 4, batch: int = 1,
                       dtype: str = "bfloat16") -> Figure:
    """Bars: the KV cache of a published model at ``context_k`` thousand tokens, three ways."""
    if model not in PUBLISHED_SHAPES:
        raise ValueError(f"unknown model {model!r}; choose one of {list(PUBLISHED_SHAPES)}")
    shape = PUBLISHED_SHAPES[model]
    table = kv_cache_table(shape, context_k * 1024, batch, dtype)
    fig, ax = plt.subplots(figsize=(7.5, 2.8))
    bars = ax.barh(list(table)[::-1], list(table.values())[::-1], color=["C2", "C1", "C0"])
    for bar, gib in zip(bars, list(table.values())[::-1], strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f" {gib:,.2f} GiB",
                va="center")
    ax.set_xlabel("KV-cache memory (GiB)")
    ax.set_xlim(0, max(table.values()) * 1.35)
    ax.set_title(f"{model}: {shape.layers} layers, {shape.heads} query heads of "
                 f"{shape.head_dim}, {context_k}K tokens × batch {batch}, {dtype}", fontsize=9)
    fig.tight_layout()
    return fig


def kv_calculator_widget() -> FigureBox:
    """Pick a published model, a context length, a batch size and a number type."""
    return figure_widget(draw_kv_calculator, {
        "model": dropdown("model", list(PUBLISHED_SHAPES), "Llama 2 70B (GQA, 8 KV heads)"),
        "context_k": int_slider("context (K)", 4, 1, 128),
        "batch": int_slider("batch", 1, 1, 64),
        "dtype": dropdown("numbers", list(DTYPE_BYTES), "bfloat16"),
    })


def decode_benchmark(kv_heads: Sequence[int], n_head: int = 8, n_embd: int = 128,
                     n_layer: int = 2, block: int = 256, batch: int = 8, new_tokens: int = 96,
                     repeat: int = 3) -> dict[int, dict[str, float]]:
    """Decode with the KV cache for each ``n_kv_head``: median tokens/s, cache MiB, parameters.

    Random weights (speed and memory do not depend on them); the models are timed in turn,
    A B C A B C …, so all see the same machine load.
    """
    models = {}
    for kv in kv_heads:
        torch.manual_seed(0)
        cfg = GPTConfig(vocab_size=65, block_size=block, n_layer=n_layer, n_head=n_head,
                        n_kv_head=kv, n_embd=n_embd)
        models[kv] = GPT(cfg).eval()
    prompt = torch.randint(0, 65, (batch, 8), generator=torch.Generator().manual_seed(0))
    runs: dict[int, list[float]] = {kv: [] for kv in kv_heads}
    for _ in range(repeat):
        for kv, model in models.items():
            start = time.perf_counter()
            for _ in generate_ids(model, prompt, new_tokens, greedy=True):
                pass
            runs[kv].append(time.perf_counter() - start)
    return {kv: {"tokens_per_s": batch * new_tokens / float(np.median(runs[kv])),
                 "cache_mib": kv_cache_bytes(models[kv].config, batch=batch) / 2**20,
                 "params": models[kv].num_params()} for kv in kv_heads}


# --- context length: sliding windows and the online softmax ---------------------------------


def sliding_window_mask(T: int, window: int) -> np.ndarray:
    """(T, T) booleans: query i may see key j when ``i - window < j <= i`` (itself included)."""
    T = check_whole(T, "sliding_window_mask", "the length T", minimum=1)
    window = check_whole(window, "sliding_window_mask", "the window", minimum=1)
    i, j = np.arange(T)[:, None], np.arange(T)[None, :]
    return (j <= i) & (j > i - window)


def draw_masks(T: int = 16, window: int = 4) -> Figure:
    """The causal mask and a sliding-window mask side by side, with the scores each computes."""
    full = sliding_window_mask(T, T)
    slide = sliding_window_mask(T, window)
    fig, axes = plt.subplots(1, 2, figsize=(7, 3.4))
    for ax, mask, title in ((axes[0], full, "causal"), (axes[1], slide, f"sliding window {window}")):
        ax.imshow(mask, cmap="Blues", vmin=0, vmax=1.3)
        ax.set_title(f"{title}: {int(mask.sum())} scores", fontsize=10)
        ax.set_xlabel("key position")
        ax.set_ylabel("query position")
    fig.tight_layout()
    return fig


def attention_memory(T: int, n_head: int = 32, head_dim: int = 128, block: int = 128,
                     bytes_per_number: int = 2) -> dict[str, float]:
    """Bytes of one layer's attention scratch memory at ``T`` tokens (batch 1).

    ``full``: the (heads, T, T) score matrix a plain implementation writes out;
    ``streaming``: what FlashAttention keeps instead per head, a block of scores and the running
    max, sum and output for every query (the output itself is needed either way).
    """
    T = check_whole(T, "attention_memory", "the length T", minimum=1)
    full = n_head * T * T * bytes_per_number
    streaming = n_head * (block * block + T * (2 + head_dim)) * bytes_per_number
    return {"full": float(full), "streaming": float(streaming)}


def online_softmax_attention(scores: Any, values: Any, block_size: int) -> np.ndarray:
    """``softmax(scores) @ values`` for one query, reading the keys ``block_size`` at a time.

    Keeps only a running maximum ``m``, a running sum ``s`` of ``exp(score − m)`` and a running
    weighted sum ``acc`` of values; when a block raises the maximum, the old ``s`` and ``acc``
    are rescaled by ``exp(m_old − m_new)``. The full row of weights is never stored.
    """
    scores = as_float_array(scores, "online_softmax_attention", "scores")
    values = as_float_array(values, "online_softmax_attention", "values")
    block_size = check_whole(block_size, "online_softmax_attention", "block_size", minimum=1)
    if scores.ndim != 1 or values.ndim != 2 or len(scores) != len(values) or not len(scores):
        raise ValueError(f"scores must be (n,) and values (n, d) with the same n >= 1, got "
                         f"{scores.shape} and {values.shape}")
    m, s, acc = -math.inf, 0.0, np.zeros(values.shape[1])
    for start in range(0, len(scores), block_size):
        x, v = scores[start:start + block_size], values[start:start + block_size]
        m_new = max(m, float(x.max()))
        scale = math.exp(m - m_new)  # 0 on the first block (m = -inf)
        p = np.exp(x - m_new)
        s = s * scale + p.sum()
        acc = acc * scale + p @ v
        m = m_new
    return acc / s


# --- pictures for MoE and RLHF -----------------------------------------------------------------


def draw_expert_load(loads: dict[str, Any]) -> Figure:
    """One panel per run: the share of tokens each expert received, per layer."""
    if not loads:
        raise ValueError("draw_expert_load needs at least one run's loads")
    fig, axes = plt.subplots(1, len(loads), figsize=(4 * len(loads), 3), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, (title, load) in zip(axes, loads.items(), strict=True):
        load = np.asarray(load, dtype=float)
        layers, n = load.shape
        width = 0.8 / layers
        for layer in range(layers):
            ax.bar(np.arange(n) + layer * width, load[layer], width, label=f"layer {layer}")
        ax.axhline(1 / n, color="k", ls="--", lw=1, label="even share")
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("expert")
        ax.set_xticks(np.arange(n) + width * (layers - 1) / 2, [str(i) for i in range(n)])
    axes[0].set_ylabel("share of routing slots")
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def draw_curves(runs: dict[str, dict[str, Sequence[float]]], keys: Sequence[str]) -> Figure:
    """One panel per key (e.g. ``"reward"``, ``"kl"``), one line per run, against the step."""
    fig, axes = plt.subplots(1, len(keys), figsize=(4.5 * len(keys), 3))
    axes = np.atleast_1d(axes)
    for ax, key in zip(axes, keys, strict=True):
        for name, history in runs.items():
            ax.plot(history[key], label=name)
        ax.set_xlabel("step")
        ax.set_title(key, fontsize=10)
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


def draw_char_rewards(weights: Any, chars: Sequence[str], top: int = 8) -> Figure:
    """The reward model's score per character: the ``top`` highest and lowest."""
    weights = as_float_array(weights, "draw_char_rewards", "weights").ravel()
    if len(weights) != len(chars):
        raise ValueError(f"{len(weights)} weights for {len(chars)} characters")
    order = np.argsort(weights)
    pick = np.concatenate([order[:top], order[-top:]])
    fig, ax = plt.subplots(figsize=(7, 2.8))
    ax.bar(range(len(pick)), weights[pick], color=["C3"] * top + ["C2"] * top)
    ax.set_xticks(range(len(pick)), [repr(chars[i])[1:-1] for i in pick])
    ax.axhline(0, color="k", lw=0.8)
    ax.set_ylabel("learned score")
    ax.set_title("Reward model: the characters it likes least and most", fontsize=10)
    fig.tight_layout()
    return fig
