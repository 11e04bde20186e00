"""Chapter 10's demos, pictures and widgets: where attention came from, why √d, what it costs,
and attention that learns where to look.

Attention itself (scores, weights, masks, one head) lives in :mod:`course_utils.attention`.
This module holds what only the chapter's notebook uses:

* :func:`rnn_sensitivity`: how little an RNN encoder's final state remembers of early tokens
  (the bottleneck attention removed);
* :func:`temperature_probabilities` and :func:`temperature_widget`: softmax with a temperature;
* :func:`score_spread`: the size of q·k as d grows, and what it does to the softmax;
* :func:`gpt_attention` and :func:`attention_heatmap_widget`: the heads of the course's trained
  GPT on a line of Shakespeare;
* :func:`score_matrix_cost` and :func:`loglog_slope`: time and memory of the score matrix;
* the key-lookup task (:func:`make_lookup_batch`, :class:`KeyLookupModel`,
  :func:`train_key_lookup`) and the next-character demo of why a language model needs a causal
  mask (:func:`train_next_char`);
* ``draw_*`` functions, each returning a matplotlib ``Figure``.
"""

from __future__ import annotations

import functools
import math
import time
from collections.abc import Sequence
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import torch
from matplotlib.figure import Figure
from torch import nn
from tqdm.auto import tqdm

from .. import attention
from ..gpt import GPT, CharTokenizer
from ..validate import as_float_array, check_positive, check_whole
from .core import FigureBox, dropdown, figure_widget, float_slider

# --- 1 · where attention came from ----------------------------------------------------------


def rnn_sensitivity(n_steps: int = 40, d: int = 16, hidden: int = 32,
                    seed: int = 0) -> dict[str, np.ndarray]:
    """How far an RNN encoder's states move when the token at position t is replaced.

    A tanh RNN (``torch.nn.RNN``, its default random initialisation) reads ``n_steps`` random
    token vectors. For every position t the token there is swapped for another random vector,
    and two distances are measured: how much the **final** state h_T moves (all a classic
    seq2seq decoder gets) and how much the state **at t** moves (what attention, reading every
    state, can see). Returns ``{"final": (n_steps,), "own": (n_steps,)}``.
    """
    n_steps = check_whole(n_steps, "rnn_sensitivity", "n_steps", 2)
    gen = torch.Generator().manual_seed(check_whole(seed, "rnn_sensitivity", "seed", 0))
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        rnn = nn.RNN(d, hidden, batch_first=True)
    tokens = torch.randn(1, n_steps, d, generator=gen)
    swaps = torch.randn(n_steps, d, generator=gen)
    with torch.no_grad():
        states, _ = rnn(tokens)
        final, own = np.zeros(n_steps), np.zeros(n_steps)
        for t in range(n_steps):
            changed = tokens.clone()
            changed[0, t] = swaps[t]
            new_states, _ = rnn(changed)
            final[t] = (new_states[0, -1] - states[0, -1]).norm().item()
            own[t] = (new_states[0, t] - states[0, t]).norm().item()
    return {"final": final, "own": own}


def draw_rnn_sensitivity(result: dict[str, np.ndarray]) -> Figure:
    """The two distances of :func:`rnn_sensitivity` against the position of the changed token."""
    n = len(result["final"])
    fig, ax = plt.subplots(figsize=(7.2, 3.0))
    ax.semilogy(range(1, n + 1), result["own"], "o-", ms=3, color="C2",
                label="state at that position (what attention can read)")
    ax.semilogy(range(1, n + 1), result["final"], "o-", ms=3, color="C3",
                label="final state (the one fixed-size summary)")
    ax.set(xlabel="position of the changed word", ylabel="how far the state moves",
           title="Change one word of a 40-word input: who notices?")
    ax.legend(loc="lower right", fontsize=9)
    fig.tight_layout()
    return fig


# --- 2 · heat maps of small matrices ----------------------------------------------------------


def draw_matrix(matrix: Any, rows: Sequence[str], cols: Sequence[str], title: str = "",
                fmt: str = ".2f", cmap: str = "Blues", size: float = 0.5) -> Figure:
    """A matrix as a heat map with every entry written in its cell (−inf shows as −∞)."""
    values = np.asarray(matrix.detach() if hasattr(matrix, "detach") else matrix, dtype=float)
    if values.ndim != 2 or values.shape != (len(rows), len(cols)):
        raise ValueError(f"draw_matrix: a matrix of shape {values.shape} needs {values.shape[0]} "
                         f"row labels and {values.shape[-1]} column labels, got {len(rows)} "
                         f"and {len(cols)}")
    finite = np.where(np.isfinite(values), values, np.nan)
    fig, ax = plt.subplots(figsize=(1.6 + size * len(cols), 1.0 + size * len(rows)))
    ax.imshow(finite, cmap=cmap)
    low, high = np.nanmin(finite), np.nanmax(finite)
    for i in range(values.shape[0]):
        for j in range(values.shape[1]):
            v = values[i, j]
            text = "−∞" if v == -math.inf else format(v, fmt)
            dark = np.isfinite(v) and high > low and (v - low) / (high - low) > 0.6
            ax.text(j, i, text, ha="center", va="center", fontsize=7,
                    color="white" if dark else "black")
    ax.set_xticks(range(len(cols)), cols, rotation=60, fontsize=8)
    ax.set_yticks(range(len(rows)), rows, fontsize=8)
    ax.grid(False)
    ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


# --- 3 · softmax with a temperature -----------------------------------------------------------

LOGIT_SETS: dict[str, list[float]] = {
    "scores 3, 2, 1, 0.5, 0": [3.0, 2.0, 1.0, 0.5, 0.0],
    "two close leaders": [2.0, 1.8, 0.0, -0.5, -1.0],
    "one clear winner": [5.0, 1.0, 0.5, 0.0, -1.0],
}


def temperature_probabilities(logits: Any, temperature: float) -> np.ndarray:
    """``softmax(logits / temperature)``: below 1 sharpens, above 1 flattens the distribution."""
    z = as_float_array(logits, "temperature_probabilities", "the logits", finite=True)
    if z.ndim != 1 or z.size < 2:
        raise ValueError(f"temperature_probabilities needs a 1-D list of at least two logits, "
                         f"got shape {z.shape}")
    t = check_positive(temperature, "temperature_probabilities", "the temperature")
    scaled = z / t
    e = np.exp(scaled - scaled.max())
    return e / e.sum()


def entropy_bits(p: Any) -> float:
    """The entropy of a distribution in bits: 0 for a sure thing, log2(n) for a uniform one."""
    p = as_float_array(p, "entropy_bits", "the probabilities")
    nz = p[p > 0]
    return float(-(nz * np.log2(nz)).sum())


def draw_temperature(logits_name: str, temperature: float) -> Figure:
    """Bars of the logits (left) and of ``softmax(logits / temperature)`` (right)."""
    if logits_name not in LOGIT_SETS:
        raise ValueError(f"unknown set of logits {logits_name!r}; choose one of {list(LOGIT_SETS)}")
    z = np.array(LOGIT_SETS[logits_name])
    p = temperature_probabilities(z, temperature)
    fig, (left, right) = plt.subplots(1, 2, figsize=(8.0, 2.8))
    names = [f"key {i}" for i in range(len(z))]
    left.bar(names, z, color="C0")
    left.set(title="scores (logits)", ylim=(min(0, z.min()) - 0.5, z.max() + 0.5))
    right.bar(names, p, color="C1")
    for i, pi in enumerate(p):
        right.text(i, pi + 0.02, f"{pi:.2f}", ha="center", fontsize=8)
    right.set(ylim=(0, 1.1), title=f"softmax(scores / {temperature:g}):  "
                                   f"entropy {entropy_bits(p):.2f} of {np.log2(len(z)):.2f} bits")
    right.title.set_fontsize(10)
    fig.tight_layout()
    return fig


def temperature_widget() -> FigureBox:
    """A menu of score sets and a temperature slider above the scores and their softmax."""
    controls = {
        "logits_name": dropdown("scores", list(LOGIT_SETS)),
        "temperature": float_slider("temperature", 1.0, 0.1, 5.0, 0.1),
    }
    return figure_widget(draw_temperature, controls)


# --- 4 · why divide by √d -----------------------------------------------------------------------


def softmax_gradient_size(p: torch.Tensor) -> torch.Tensor:
    """Frobenius norm of the softmax's Jacobian ``diag(p) − p pᵀ`` for each row of ``p``.

    It measures how strongly the weights react to a nudge of the scores; it goes to 0 as the
    softmax saturates (one weight near 1, the rest near 0).
    """
    s2 = (p ** 2).sum(-1)
    return (s2 - 2 * (p ** 3).sum(-1) + s2 ** 2).clamp_min(0).sqrt()


def score_spread(dims: Sequence[int] = (4, 16, 64, 256, 1024), n_keys: int = 16,
                 n_queries: int = 400, seed: int = 0) -> dict[str, np.ndarray]:
    """What happens to attention scores as the vector length d grows, measured.

    Queries and keys have independent standard-normal entries (what a layer norm roughly
    delivers). For each d: the standard deviation of the raw scores q·k and of the scaled
    ones q·k/√d, the mean largest softmax weight among ``n_keys`` keys, and the mean size of
    the softmax's gradient (:func:`softmax_gradient_size`), without and with the scale.
    """
    gen = torch.Generator().manual_seed(check_whole(seed, "score_spread", "seed", 0))
    out: dict[str, list[float]] = {k: [] for k in ("std_raw", "std_scaled", "max_raw",
                                                   "max_scaled", "grad_raw", "grad_scaled")}
    for d in dims:
        d = check_whole(d, "score_spread", "each d", 1)
        q = torch.randn(n_queries, 1, d, generator=gen)
        k = torch.randn(n_queries, n_keys, d, generator=gen)
        raw = (q @ k.transpose(-2, -1)).squeeze(1)  # (n_queries, n_keys)
        for name, scores in (("raw", raw), ("scaled", raw / math.sqrt(d))):
            p = torch.softmax(scores, dim=-1)
            out[f"std_{name}"].append(scores.std().item())
            out[f"max_{name}"].append(p.max(-1).values.mean().item())
            out[f"grad_{name}"].append(softmax_gradient_size(p).mean().item())
    result = {k: np.array(v) for k, v in out.items()}
    result["dims"] = np.array(list(dims))
    return result


def draw_score_spread(result: dict[str, np.ndarray]) -> Figure:
    """Three panels: the spread of the scores, the largest weight, the gradient size, vs d."""
    d = result["dims"]
    fig, axes = plt.subplots(1, 3, figsize=(10.5, 3.0))
    axes[0].loglog(d, result["std_raw"], "o-", color="C3", label="q·k")
    axes[0].loglog(d, result["std_scaled"], "o-", color="C2", label="q·k / √d")
    axes[0].loglog(d, np.sqrt(d), ":", color="0.4", label="√d")
    axes[0].set(title="spread (std) of the scores", xlabel="d")
    axes[1].semilogx(d, result["max_raw"], "o-", color="C3", label="without the scale")
    axes[1].semilogx(d, result["max_scaled"], "o-", color="C2", label="with the scale")
    axes[1].set(title="largest of 16 weights", xlabel="d", ylim=(0, 1.05))
    axes[2].semilogx(d, result["grad_raw"], "o-", color="C3", label="without the scale")
    axes[2].semilogx(d, result["grad_scaled"], "o-", color="C2", label="with the scale")
    axes[2].set(title="size of the softmax's gradient", xlabel="d", ylim=(0, None))
    for ax in axes:
        ax.legend(fontsize=8)
        ax.title.set_fontsize(10)
    fig.tight_layout()
    return fig


# --- 5 · the trained GPT's heads on a line of Shakespeare --------------------------------------

SENTENCES: tuple[str, ...] = (
    "Well, sir, what answer made the belly?",
    "We cannot, sir, we are undone already.",
    "It was an answer: how apply you this?",
    "Before we proceed any further, hear me speak.",
)


def gpt_attention(model: GPT, tokenizer: CharTokenizer, text: str, layer: int, head: int,
                  temperature: float = 1.0, causal: bool = True) -> np.ndarray:
    """The attention weights ``(T, T)`` of one head of a trained :class:`~course_utils.gpt.GPT`.

    The text runs through the blocks below ``layer``; that block's layer norm and query/key
    projection give the head's queries and keys, and :func:`course_utils.attention.attention_weights`
    turns them into weights, with the chosen ``temperature`` and with or without the causal
    mask the model was trained with.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"gpt_attention needs a course GPT model, got {type(model).__name__}")
    c = model.config
    layer = check_whole(layer, "gpt_attention", "layer", 0)
    head = check_whole(head, "gpt_attention", "head", 0)
    if layer >= c.n_layer or head >= c.n_head:
        raise ValueError(f"gpt_attention: the model has layers 0–{c.n_layer - 1} and heads "
                         f"0–{c.n_head - 1}; got layer {layer}, head {head}")
    if not isinstance(text, str) or not 1 <= len(text) <= c.block_size:
        raise ValueError(f"gpt_attention needs a text of 1 to {c.block_size} characters")
    ids = torch.tensor([tokenizer.encode(text)])
    with torch.no_grad():
        x = model.transformer.wte(ids) + model.transformer.wpe(torch.arange(ids.shape[1]))
        for block in model.transformer.h[:layer]:
            x = block(x)
        block = model.transformer.h[layer]
        hd, n_kv = c.n_embd // c.n_head, c.n_kv_head or c.n_head
        q, k, _ = block.attn.c_attn(block.ln_1(x)).split([c.n_embd, n_kv * hd, n_kv * hd], dim=2)
        kv_head = head // (c.n_head // n_kv)  # grouped-query attention shares key heads
        q, k = q[0, :, head * hd:(head + 1) * hd], k[0, :, kv_head * hd:(kv_head + 1) * hd]
        w = attention.attention_weights(q, k, causal=causal, temperature=temperature)
    return w.numpy()


def head_summary(model: GPT, tokenizer: CharTokenizer, text: str) -> dict[str, Any]:
    """Two numbers for every head of every layer, each ``(n_layer, n_head)``, over ``text``.

    ``"previous"``: the mean weight a character puts on the character just before it;
    ``"largest"``: the mean of each character's largest weight (1 = always one sharp choice).
    ``"uniform"`` gives both numbers for a head that spreads its weight evenly over the past.
    """
    if not isinstance(model, GPT):
        raise TypeError(f"head_summary needs a course GPT model, got {type(model).__name__}")
    c = model.config
    previous, largest = np.zeros((c.n_layer, c.n_head)), np.zeros((c.n_layer, c.n_head))
    for layer in range(c.n_layer):
        for head in range(c.n_head):
            w = gpt_attention(model, tokenizer, text, layer, head)
            previous[layer, head] = np.diagonal(w, -1).mean() if len(text) > 1 else 0.0
            largest[layer, head] = w.max(-1).mean()
    even = np.tril(np.ones((len(text), len(text)))) / np.arange(1, len(text) + 1)[:, None]
    uniform = {"previous": float(np.diagonal(even, -1).mean()) if len(text) > 1 else 0.0,
               "largest": float(even.max(-1).mean())}
    return {"previous": previous, "largest": largest, "uniform": uniform}


def _char_label(ch: str) -> str:
    return {" ": "␣", "\n": "⏎"}.get(ch, ch)


def draw_gpt_attention(model: GPT, tokenizer: CharTokenizer, text: str, layer_head: str,
                       temperature: float = 1.0, causal: bool = True) -> Figure:
    """Heat map of one head's weights: row = the character that reads, column = read from."""
    layer, head = (int(part.split()[-1]) for part in layer_head.split(","))
    w = gpt_attention(model, tokenizer, text, layer, head, temperature, causal)
    labels = [_char_label(ch) for ch in text]
    fig, ax = plt.subplots(figsize=(6.4, 6.0))
    ax.imshow(w, cmap="magma", vmin=0, vmax=1)
    ax.set_xticks(range(len(text)), labels, fontsize=7)
    ax.set_yticks(range(len(text)), labels, fontsize=7)
    ax.set_xlabel("key: the character read from")
    ax.set_ylabel("query: the character reading")
    ax.grid(False)
    mask = "causal mask" if causal else "NO mask: it sees the future"
    ax.set_title(f"{layer_head}, temperature {temperature:g}, {mask}", fontsize=10)
    fig.tight_layout()
    return fig


def attention_heatmap_widget(model: GPT, tokenizer: CharTokenizer,
                             sentences: Sequence[str] = SENTENCES) -> FigureBox:
    """Menus for the sentence and the head, a temperature slider and a mask switch, above the
    heat map of that head's attention weights in the trained GPT."""
    if not isinstance(model, GPT):
        raise TypeError(f"attention_heatmap_widget needs a course GPT, got {type(model).__name__}")
    heads = [f"layer {layer}, head {head}" for layer in range(model.config.n_layer)
             for head in range(model.config.n_head)]
    sentences = list(sentences)
    if not sentences:
        raise ValueError("attention_heatmap_widget needs at least one sentence")
    # open on the head that reads the previous character most: a pattern easy to recognise
    previous = head_summary(model, tokenizer, sentences[0])["previous"]
    draw = functools.partial(draw_gpt_attention, model, tokenizer)
    controls = {
        "text": dropdown("sentence", sentences),
        "layer_head": dropdown("head", heads, heads[int(np.argmax(previous))]),
        "temperature": float_slider("temperature", 1.0, 0.2, 4.0, 0.1),
        "causal": widgets.Checkbox(value=True, description="causal mask"),
    }
    return figure_widget(draw, controls, columns=2)


# --- 6 · cost of the score matrix ---------------------------------------------------------------


def score_matrix_cost(lengths: Sequence[int] = (256, 512, 1024, 2048, 4096), d: int = 64,
                      repeat: int = 3, seed: int = 0) -> dict[str, np.ndarray]:
    """Processor time and memory of ``softmax(q kᵀ / √d)`` for each context length.

    The time is the **processor time** this program spends (``time.process_time``), the
    fastest of ``repeat`` runs. Wall-clock time would also count the moments the operating
    system lets other programs run instead, and on a busy computer a long computation is
    interrupted more often than a short one, which bends the curve. Processor time adds up
    every thread's time, so the notebook runs this with one torch thread. Memory is that of the
    (T, T) float32 score matrix, ``4·T²`` bytes: what attention must hold for one head of one
    layer at once when written out like this.
    """
    gen = torch.Generator().manual_seed(seed)
    seconds, nbytes = [], []
    for T in lengths:
        T = check_whole(T, "score_matrix_cost", "each context length", 1)
        q = torch.randn(T, d, generator=gen)
        k = torch.randn(T, d, generator=gen)
        with torch.no_grad():
            attention.attention_weights(q, k)  # warm-up
            runs = []
            for _ in range(check_whole(repeat, "score_matrix_cost", "repeat", 1)):
                start = time.process_time()
                attention.attention_weights(q, k)
                runs.append(time.process_time() - start)
            seconds.append(min(runs))
            weights = attention.attention_weights(q, k)
        nbytes.append(weights.element_size() * weights.nelement())
    return {"lengths": np.array(lengths), "seconds": np.array(seconds),
            "bytes": np.array(nbytes, dtype=float)}


def loglog_slope(x: Any, y: Any) -> float:
    """The slope of the straight line through ``(log x, log y)``: ``y ∝ x**slope``."""
    x = as_float_array(x, "loglog_slope", "x", finite=True)
    y = as_float_array(y, "loglog_slope", "y", finite=True)
    if x.shape != y.shape or x.ndim != 1 or len(x) < 2 or (x <= 0).any() or (y <= 0).any():
        raise ValueError("loglog_slope needs two equally long lists of at least two positive numbers")
    return float(np.polyfit(np.log(x), np.log(y), 1)[0])


def draw_cost(result: dict[str, np.ndarray]) -> Figure:
    """Time and memory of the score matrix against the context length, on log-log axes."""
    T = result["lengths"]
    fig, (left, right) = plt.subplots(1, 2, figsize=(9.0, 3.2))
    for ax, key, unit, scale in ((left, "seconds", "milliseconds", 1e3),
                                 (right, "bytes", "MB", 1e-6)):
        slope = loglog_slope(T, result[key])
        ax.loglog(T, result[key] * scale, "o-", label=f"measured: slope {slope:.2f}")
        mid = len(T) // 2
        ref = result[key][mid] * scale * (T / T[mid]) ** 2
        ax.loglog(T, ref, ":", color="0.4", label="∝ T² (slope 2)")
        ax.set(xlabel="context length T", ylabel=unit)
        ax.minorticks_off()
        ax.set_xticks(T, [str(t) for t in T])
        ax.legend(fontsize=8)
    left.set_title("time of softmax(q kᵀ/√d)", fontsize=10)
    right.set_title("memory of the T × T scores", fontsize=10)
    fig.tight_layout()
    return fig


# --- 7 · a tiny model that learns where to look: key lookup -------------------------------------

LOOKUP_KEYS = "abcdefghijklmnop"  # 16 possible keys
LOOKUP_VALUES = "0123456789"  # 10 possible values


def make_lookup_batch(batch: int, n_pairs: int = 8, generator: torch.Generator | None = None
                      ) -> dict[str, torch.Tensor]:
    """Random key-lookup puzzles: ``n_pairs`` (key, value) pairs and a query key among them.

    E.g. pairs ``c7 a3 f1 b9`` and query ``f``: the answer is ``1``. Keys in one puzzle are all
    different; ``where`` is the index of the pair whose key matches the query.
    """
    batch = check_whole(batch, "make_lookup_batch", "batch", 1)
    n_pairs = check_whole(n_pairs, "make_lookup_batch", "n_pairs", 2)
    if n_pairs > len(LOOKUP_KEYS):
        raise ValueError(f"make_lookup_batch: at most {len(LOOKUP_KEYS)} pairs (one per key)")
    keys = torch.rand(batch, len(LOOKUP_KEYS), generator=generator).argsort(-1)[:, :n_pairs]
    values = torch.randint(len(LOOKUP_VALUES), (batch, n_pairs), generator=generator)
    where = torch.randint(n_pairs, (batch,), generator=generator)
    rows = torch.arange(batch)
    return {"keys": keys, "values": values, "query": keys[rows, where],
            "answer": values[rows, where], "where": where}


def describe_lookup(puzzle: dict[str, torch.Tensor], i: int = 0) -> str:
    """One puzzle as text: ``'c7 a3 f1 b9 ? f -> 1'``."""
    pairs = " ".join(LOOKUP_KEYS[k] + LOOKUP_VALUES[v]
                     for k, v in zip(puzzle["keys"][i].tolist(), puzzle["values"][i].tolist(),
                                     strict=True))
    return f"{pairs}   ? {LOOKUP_KEYS[puzzle['query'][i]]}  ->  {LOOKUP_VALUES[puzzle['answer'][i]]}"


class KeyLookupModel(nn.Module):
    """One attention step from the query to the pairs, then a linear read-out of the value.

    Each pair is one vector, the embedding of its key plus that of its value. The query key's
    embedding makes the query; the pairs make the keys and values; the attention output (a mix
    of the pairs' values) goes through a linear layer to ten logits, one per possible value.
    """

    def __init__(self, d: int = 32) -> None:
        super().__init__()
        self.key_embedding = nn.Embedding(len(LOOKUP_KEYS), d)
        self.value_embedding = nn.Embedding(len(LOOKUP_VALUES), d)
        self.to_query = nn.Linear(d, d, bias=False)
        self.to_key = nn.Linear(d, d, bias=False)
        self.to_value = nn.Linear(d, d, bias=False)
        self.readout = nn.Linear(d, len(LOOKUP_VALUES))

    def forward(self, keys: torch.Tensor, values: torch.Tensor,
                query: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return ``(logits (B, 10), weights (B, n_pairs))``."""
        pairs = self.key_embedding(keys) + self.value_embedding(values)  # (B, P, d)
        q = self.to_query(self.key_embedding(query))[:, None, :]  # (B, 1, d)
        weights = attention.attention_weights(q, self.to_key(pairs))  # (B, 1, P)
        mixed = weights @ self.to_value(pairs)  # (B, 1, d)
        return self.readout(mixed[:, 0]), weights[:, 0]


def train_key_lookup(steps: int = 400, batch: int = 128, n_pairs: int = 8, d: int = 32,
                     lr: float = 3e-3, seed: int = 0,
                     progress: bool = True) -> tuple[KeyLookupModel, dict[str, list[float]]]:
    """Train a :class:`KeyLookupModel` with Adam on fresh random puzzles every step.

    Returns the model and its history: the loss, the accuracy and the mean attention weight on
    the matching pair, for every step's batch.
    """
    steps = check_whole(steps, "train_key_lookup", "steps", 1)
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = KeyLookupModel(d)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"loss": [], "accuracy": [], "weight_on_match": []}
    for _ in tqdm(range(steps), desc="key lookup", disable=not progress):
        p = make_lookup_batch(batch, n_pairs, gen)
        logits, weights = model(p["keys"], p["values"], p["query"])
        loss = nn.functional.cross_entropy(logits, p["answer"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        history["loss"].append(loss.item())
        history["accuracy"].append((logits.argmax(-1) == p["answer"]).float().mean().item())
        history["weight_on_match"].append(weights[torch.arange(batch), p["where"]].mean().item())
    return model, history


def evaluate_key_lookup(model: KeyLookupModel, n: int = 2000, n_pairs: int = 8,
                        seed: int = 1) -> dict[str, float]:
    """Accuracy on ``n`` new puzzles, the mean weight on the matching pair, and how often the
    largest weight falls on it."""
    p = make_lookup_batch(n, n_pairs, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        logits, weights = model(p["keys"], p["values"], p["query"])
    rows = torch.arange(n)
    return {"accuracy": (logits.argmax(-1) == p["answer"]).float().mean().item(),
            "weight_on_match": weights[rows, p["where"]].mean().item(),
            "looks_at_match": (weights.argmax(-1) == p["where"]).float().mean().item()}


def draw_lookup_attention(model: KeyLookupModel, n_examples: int = 8, n_pairs: int = 8,
                          seed: int = 2, title: str = "") -> Figure:
    """Heat map of the query's weights over the pairs for a few new puzzles; the matching
    pair is outlined, and the model's answer is written on the right."""
    p = make_lookup_batch(n_examples, n_pairs, torch.Generator().manual_seed(seed))
    with torch.no_grad():
        logits, weights = model(p["keys"], p["values"], p["query"])
    fig, ax = plt.subplots(figsize=(6.8, 0.45 * n_examples + 1.2))
    ax.imshow(weights.numpy(), cmap="Blues", vmin=0, vmax=1)
    for i in range(n_examples):
        for j in range(n_pairs):
            pair = LOOKUP_KEYS[p["keys"][i, j]] + LOOKUP_VALUES[p["values"][i, j]]
            ax.text(j, i, pair, ha="center", va="center", fontsize=8,
                    color="white" if weights[i, j] > 0.6 else "black")
        ax.add_patch(plt.Rectangle((p["where"][i] - 0.5, i - 0.5), 1, 1, fill=False,
                                   edgecolor="C3", linewidth=2))
    ax.set_yticks(range(n_examples),
                  [f"? {LOOKUP_KEYS[p['query'][i]]} → {LOOKUP_VALUES[logits[i].argmax()]}"
                   for i in range(n_examples)], fontsize=8)
    ax.set_xticks(range(n_pairs), [f"pair {j}" for j in range(n_pairs)], fontsize=8)
    ax.grid(False)
    ax.set_title(title or "where the query looks (red box: the pair with its key)", fontsize=10)
    fig.tight_layout()
    return fig


# --- 8 · why a language model needs the causal mask ----------------------------------------------


class TinyCharAttention(nn.Module):
    """Characters → embedding + position embedding → one attention head → next-character logits."""

    def __init__(self, vocab_size: int, block_size: int, d: int = 32) -> None:
        super().__init__()
        self.token = nn.Embedding(vocab_size, d)
        self.position = nn.Embedding(block_size, d)
        self.head = attention.SelfAttentionHead(d, d)
        self.readout = nn.Linear(2 * d, vocab_size)

    def forward(self, ids: torch.Tensor, causal: bool) -> torch.Tensor:
        x = self.token(ids) + self.position(torch.arange(ids.shape[-1]))
        return self.readout(torch.cat([x, self.head(x, causal=causal)], dim=-1))


def train_next_char(text: str, causal: bool, steps: int = 300, block: int = 32, batch: int = 32,
                    d: int = 32, lr: float = 1e-2, seed: int = 0) -> dict[str, float]:
    """Train a :class:`TinyCharAttention` to predict every next character, with or without the
    causal mask, and measure it on held-out text (the last 10 % of ``text``).

    Returns the held-out loss over all positions (what training minimises) and at the **last**
    position only, where the next character is not in the input: the only position that
    matters when the model writes new text.
    """
    if not isinstance(text, str) or len(text) < 20 * block:
        raise ValueError("train_next_char needs a text of at least a few thousand characters")
    steps = check_whole(steps, "train_next_char", "steps", 1)
    tok = CharTokenizer.from_text(text)
    data = torch.tensor(tok.encode(text))
    split = int(0.9 * len(data))
    gen = torch.Generator().manual_seed(seed)
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        model = TinyCharAttention(tok.vocab_size, block, d)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)

    def sample(lo: int, hi: int, n: int) -> tuple[torch.Tensor, torch.Tensor]:
        starts = torch.randint(lo, hi - block - 1, (n,), generator=gen)
        x = torch.stack([data[s:s + block] for s in starts.tolist()])
        y = torch.stack([data[s + 1:s + block + 1] for s in starts.tolist()])
        return x, y

    for _ in range(steps):
        x, y = sample(0, split, batch)
        loss = nn.functional.cross_entropy(model(x, causal).flatten(0, 1), y.flatten())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    x, y = sample(split, len(data), 512)
    with torch.no_grad():
        logits = model(x, causal)
    f = nn.functional.cross_entropy
    return {"all_positions": f(logits.flatten(0, 1), y.flatten()).item(),
            "last_position": f(logits[:, -1], y[:, -1]).item(),
            "uniform_guess": math.log(tok.vocab_size)}


__all__ = [
    "LOGIT_SETS",
    "LOOKUP_KEYS",
    "LOOKUP_VALUES",
    "SENTENCES",
    "KeyLookupModel",
    "TinyCharAttention",
    "attention_heatmap_widget",
    "describe_lookup",
    "draw_cost",
    "draw_gpt_attention",
    "draw_lookup_attention",
    "draw_matrix",
    "draw_rnn_sensitivity",
    "draw_score_spread",
    "draw_temperature",
    "entropy_bits",
    "evaluate_key_lookup",
    "gpt_attention",
    "loglog_slope",
    "make_lookup_batch",
    "rnn_sensitivity",
    "score_matrix_cost",
    "score_spread",
    "softmax_gradient_size",
    "temperature_probabilities",
    "temperature_widget",
    "train_key_lookup",
    "train_next_char",
]
