"""Chapter 11's demos, pictures and widgets: heads, positions, depth, facts, parameter counts.

The parts of the block live in :mod:`course_utils.transformer`; this module holds what only the
chapter's notebook uses:

* :func:`head_weights` (every head's attention weights in one layer of a trained GPT) and
  :func:`head_pattern_widget`, which shows them side by side for a chosen layer and line;
* :func:`draw_position_tables`, the sinusoidal and a learned position table with the
  similarity of every pair of positions;
* :func:`gradient_through_stack`, how big the gradient is at each layer of a deep stack, with and
  without residual connections, pre-norm or post-norm;
* :func:`train_fact_store` and :func:`fact_recall_by_width`, a lone MLP that memorises random
  key → value facts, and how many it holds as it gets wider;
* :func:`knockout_losses`, a trained GPT's loss with one layer's attention or MLP switched off;
* :func:`parameter_breakdown`, :func:`draw_parameter_breakdown` and :func:`parameter_widget`,
  where a GPT's parameters sit, for any number of layers, width, heads and block size.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import torch
import torch.nn.functional as F
from matplotlib.figure import Figure

from .. import transformer
from ..validate import check_positive, check_whole
from .core import FigureBox, dropdown, figure_widget, int_slider

# --- several heads, side by side ----------------------------------------------------------------


def _check_gpt(model: Any, name: str) -> Any:
    if not (hasattr(model, "transformer") and hasattr(model, "config")):
        raise TypeError(f"{name} needs a course_utils.gpt GPT model (e.g. load_pretrained().model), "
                        f"not {type(model).__name__}")
    return model


def _check_ids(ids: Any, model: Any, name: str) -> torch.Tensor:
    if not isinstance(ids, torch.Tensor) or ids.dtype != torch.long or ids.dim() != 1:
        raise TypeError(f"{name}: ids must be a 1-D tensor of token ids (torch.long)")
    if not 1 <= len(ids) <= model.config.block_size:
        raise ValueError(f"{name}: the text must hold 1 to {model.config.block_size} tokens "
                         f"(the model's block size), got {len(ids)}")
    return ids


@torch.no_grad()
def head_weights(model: Any, ids: torch.Tensor, layer: int) -> torch.Tensor:
    """The attention weights of every head in block ``layer`` for one text: (n_head, T, T).

    Runs the model's embeddings and blocks below ``layer``, then the chapter's
    :class:`~course_utils.transformer.MultiHeadAttention` with the block's own weights.
    """
    name = "head_weights"
    model = _check_gpt(model, name)
    ids = _check_ids(ids, model, name)
    layer = check_whole(layer, name, "layer", 0)
    if layer >= model.config.n_layer:
        raise ValueError(f"{name}: the model has layers 0 … {model.config.n_layer - 1}, not {layer}")
    t = model.transformer
    x = t.wte(ids[None]) + t.wpe(torch.arange(len(ids)))
    for block in t.h[:layer]:
        x = block(x)
    block = t.h[layer]
    mha = transformer.MultiHeadAttention.from_engine(block.attn)
    mha(block.ln_1(x))
    return mha.last_weights[0]


def draw_head_patterns(weights: torch.Tensor, labels: Sequence[str], title: str = "") -> Figure:
    """One heat map per head (rows: queries, columns: keys), side by side."""
    w = weights.detach().cpu().numpy()
    n_head, T = w.shape[0], w.shape[-1]
    fig, axes = plt.subplots(1, n_head, figsize=(2.6 * n_head, 2.9), squeeze=False,
                             layout="constrained")
    distance = transformer.attention_distance(weights[None])
    shown = [c if c not in " \n" else {" ": "␣", "\n": "⏎"}[c] for c in labels]
    for h, ax in enumerate(axes[0]):
        ax.imshow(w[h], cmap="Blues", vmin=0, vmax=1)
        ax.set_title(f"head {h}: looks back {distance[h]:.1f}", fontsize=9)
        step = max(1, T // 12)
        ax.set_xticks(range(0, T, step), shown[::step], fontsize=7)
        ax.set_yticks(range(0, T, step), shown[::step], fontsize=7)
    axes[0][0].set_ylabel("query (this character …)")
    axes[0][0].set_xlabel("key (… looks at this one)")
    if title:
        fig.suptitle(title, fontsize=10)
    return fig


def head_pattern_widget(model: Any, tokenizer: Any, lines: Sequence[str]) -> FigureBox:
    """Pick a layer and a line of text; see what each head of that layer attends to."""
    model = _check_gpt(model, "head_pattern_widget")
    if not lines or not all(isinstance(s, str) and s for s in lines):
        raise ValueError("head_pattern_widget needs a list of non-empty lines of text")

    def draw(layer: int, line: str) -> Figure:
        ids = torch.tensor(tokenizer.encode(line), dtype=torch.long)
        return draw_head_patterns(head_weights(model, ids, layer), list(line),
                                  title=f"block {layer}: each head's attention weights")

    controls = {"layer": int_slider("block", 0, 0, model.config.n_layer - 1),
                "line": dropdown("text", list(lines))}
    return figure_widget(draw, controls)


# --- positions ----------------------------------------------------------------------------------


def position_similarity(table: torch.Tensor) -> np.ndarray:
    """Cosine similarity of every pair of rows of a position table: (n_positions, n_positions)."""
    if not isinstance(table, torch.Tensor) or table.dim() != 2:
        raise TypeError("position_similarity needs a 2-D tensor (positions × d_model)")
    unit = F.normalize(table.detach().double(), dim=1)
    return (unit @ unit.T).numpy()


def draw_position_tables(tables: Mapping[str, torch.Tensor]) -> Figure:
    """Each table (positions × channels) above the similarity of its positions to each other."""
    fig, axes = plt.subplots(2, len(tables), figsize=(4.2 * len(tables), 6.4), squeeze=False,
                             layout="constrained")
    for col, (name, table) in enumerate(tables.items()):
        t = table.detach().cpu().numpy()
        limit = float(np.abs(t).max())
        top, bottom = axes[0][col], axes[1][col]
        top.imshow(t, aspect="auto", cmap="RdBu_r", vmin=-limit, vmax=limit, interpolation="nearest")
        top.set(title=name, xlabel="channel", ylabel="position")
        image = bottom.imshow(position_similarity(table), cmap="RdBu_r", vmin=-1, vmax=1)
        bottom.set(title="cosine similarity of positions", xlabel="position", ylabel="position")
    fig.colorbar(image, ax=axes[1].tolist(), shrink=0.8)
    return fig


# --- gradients through depth ----------------------------------------------------------------------


def gradient_through_stack(depth: int = 24, layer: str = "mlp", residual: bool = True,
                           norm: str = "pre", d_model: int = 32, seed: int = 0) -> dict[str, np.ndarray]:
    """The size of the gradient at the input of each layer of a freshly built deep stack.

    ``layer="mlp"``: a stack of the block's MLPs (:class:`~course_utils.transformer.FeedForward`,
    no layer norm), each ``x → mlp(x)`` or, with ``residual``, ``x → x + mlp(x)``.
    ``layer="block"``: a stack of whole :class:`~course_utils.transformer.Block` s (``norm``
    "pre" or "post"). The loss is the output projected on a fixed random direction, so the
    gradient at the top is about the same for every stack. Returns ``layer`` (1 = next to the
    input) and ``gradient`` (the norm of ∂loss/∂input of that layer).
    """
    name = "gradient_through_stack"
    depth = check_whole(depth, name, "depth", 1)
    d_model = check_whole(d_model, name, "d_model", 4)
    if layer not in ("mlp", "block"):
        raise ValueError(f"{name}: layer must be 'mlp' or 'block', got {layer!r}")
    generator = torch.Generator().manual_seed(check_whole(seed, name, "seed", 0))
    torch.manual_seed(seed)
    if layer == "mlp":
        layers = [transformer.FeedForward(d_model) for _ in range(depth)]
    else:
        layers = [transformer.Block(d_model, 4, norm=norm, residual=residual) for _ in range(depth)]
    x = torch.randn(8, 16, d_model, generator=generator, requires_grad=True)
    direction = torch.randn(8, 16, d_model, generator=generator)
    inputs, h = [], x
    for f in layers:
        h.retain_grad()
        inputs.append(h)
        h = h + f(h) if (layer == "mlp" and residual) else f(h)
    (h * direction).sum().backward()
    return {"layer": np.arange(1, depth + 1),
            "gradient": np.array([float(t.grad.norm()) for t in inputs])}


def draw_gradient_curves(curves: Mapping[str, Mapping[str, np.ndarray]], title: str) -> Figure:
    """Gradient size per layer, one line per stack (log scale)."""
    fig, ax = plt.subplots(figsize=(6.4, 3.2))
    for label, curve in curves.items():
        ax.semilogy(curve["layer"], curve["gradient"], ".-", label=label)
    ax.set(xlabel="layer (1 = next to the input)", ylabel="gradient size at its input",
           title=title)
    ax.legend(loc="best", fontsize=8)
    return fig


# --- facts in an MLP ------------------------------------------------------------------------------


def train_fact_store(n_facts: int, width: int, *, d_model: int = 32, n_values: int = 64,
                     steps: int = 400, lr: float = 0.03, seed: int = 0) -> dict[str, float]:
    """Train one MLP (linear → GELU → linear) to store ``n_facts`` random key → value facts.

    Each fact is a random key vector (a "subject" in the residual stream) and one of
    ``n_values`` answers. The MLP writes a vector; a fixed, random unembedding reads it out as
    scores for the answers, as a transformer's last layer would. Only the MLP learns. Returns the
    number of facts recalled (the top-scoring answer is right), their share, the MLP's number of
    parameters and the final loss.
    """
    name = "train_fact_store"
    n_facts = check_whole(n_facts, name, "n_facts", 1)
    width = check_whole(width, name, "width", 1)
    d_model = check_whole(d_model, name, "d_model", 1)
    n_values = check_whole(n_values, name, "n_values", 2)
    steps = check_whole(steps, name, "steps", 1)
    lr = check_positive(lr, name, "lr")
    g = torch.Generator().manual_seed(check_whole(seed, name, "seed", 0))
    keys = F.normalize(torch.randn(n_facts, d_model, generator=g), dim=-1) * d_model ** 0.5
    unembedding = F.normalize(torch.randn(n_values, d_model, generator=g), dim=-1) * d_model ** 0.5
    answers = torch.randint(n_values, (n_facts,), generator=g)
    torch.manual_seed(seed)
    fc, proj = torch.nn.Linear(d_model, width), torch.nn.Linear(width, d_model)
    params = [*fc.parameters(), *proj.parameters()]
    optimizer = torch.optim.Adam(params, lr=lr)
    for _ in range(steps):
        logits = proj(F.gelu(fc(keys))) @ unembedding.T
        loss = F.cross_entropy(logits, answers)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        logits = proj(F.gelu(fc(keys))) @ unembedding.T
        recalled = int((logits.argmax(-1) == answers).sum())
        loss = float(F.cross_entropy(logits, answers))
    return {"recalled": recalled, "share": recalled / n_facts,
            "parameters": sum(p.numel() for p in params), "loss": loss}


def fact_recall_by_width(widths: Sequence[int], n_facts: int, **settings: Any) -> dict[str, np.ndarray]:
    """:func:`train_fact_store` for each width: arrays ``width``, ``parameters``, ``recalled``."""
    if not widths:
        raise ValueError("fact_recall_by_width needs at least one width")
    runs = [train_fact_store(n_facts, w, **settings) for w in widths]
    return {"width": np.array(list(widths)),
            "parameters": np.array([r["parameters"] for r in runs]),
            "recalled": np.array([r["recalled"] for r in runs])}


# --- knocking parts out of a trained GPT ------------------------------------------------------------


def evaluation_windows(ids: torch.Tensor, n_windows: int, length: int) -> tuple[torch.Tensor, torch.Tensor]:
    """``n_windows`` evenly spaced windows of ``length`` tokens and their next-token targets."""
    name = "evaluation_windows"
    n_windows = check_whole(n_windows, name, "n_windows", 1)
    length = check_whole(length, name, "length", 1)
    if not isinstance(ids, torch.Tensor) or ids.dim() != 1:
        raise TypeError(f"{name}: ids must be a 1-D tensor of token ids")
    if len(ids) < length + 2:
        raise ValueError(f"{name}: the text has {len(ids)} tokens, too few for windows of {length}")
    starts = torch.linspace(0, len(ids) - length - 2, n_windows).long()
    x = torch.stack([ids[s:s + length] for s in starts])
    y = torch.stack([ids[s + 1:s + length + 1] for s in starts])
    return x, y


@torch.no_grad()
def knockout_losses(model: Any, x: torch.Tensor, y: torch.Tensor) -> dict[str, float]:
    """The model's loss on ``(x, y)`` as it is, and with parts switched off (output set to 0).

    Keys: ``"nothing"``, ``"attention L"`` and ``"MLP L"`` for each block L, ``"every attention"``
    and ``"every MLP"``. Switching a part off leaves its block's residual connection, so the
    tokens still flow through; only what that part adds is missing.
    """
    model = _check_gpt(model, "knockout_losses")
    blocks = model.transformer.h
    was_training = model.training
    model.eval()

    def loss_without(parts: list[torch.nn.Module]) -> float:
        hooks = [p.register_forward_hook(lambda mod, inp, out: torch.zeros_like(out)) for p in parts]
        try:
            return float(model(x, y)[1])
        finally:
            for hook in hooks:
                hook.remove()

    losses = {"nothing": loss_without([])}
    for i, block in enumerate(blocks):
        losses[f"attention {i}"] = loss_without([block.attn])
        losses[f"MLP {i}"] = loss_without([block.mlp])
    losses["every attention"] = loss_without([b.attn for b in blocks])
    losses["every MLP"] = loss_without([b.mlp for b in blocks])
    model.train(was_training)
    return losses


# --- where the parameters are -------------------------------------------------------------------

PART_COLORS = {"token embedding": "C0", "position embedding": "C9", "attention": "C1",
               "MLP": "C2", "layer norms": "C7"}


def parameter_breakdown(n_layer: int, n_embd: int, n_head: int, block_size: int,
                        vocab_size: int = 65) -> dict[str, Any]:
    """:func:`~course_utils.transformer.parameter_count` plus each part's share and the head size."""
    counts = transformer.parameter_count(n_layer, n_embd, n_head, block_size, vocab_size)
    total = counts["total"]
    parts = {k: v for k, v in counts.items() if k in PART_COLORS}
    return {"counts": parts, "total": total, "shares": {k: v / total for k, v in parts.items()},
            "head_dim": transformer.head_dim(n_embd, n_head)}


def draw_parameter_breakdown(n_layer: int, n_embd: int, n_head: int, block_size: int,
                             vocab_size: int = 65) -> Figure:
    """One stacked bar of where the parameters are, and the model dimension cut into heads.

    The counts do not depend on the heads, so a width the heads cannot share evenly still gets
    its bar; the strip of heads below says why that shape cannot be built.
    """
    try:
        split = transformer.head_dim(n_embd, n_head, "the model")
    except ValueError as err:
        split, problem = None, str(err).removeprefix("the model: ")
    b = parameter_breakdown(n_layer, n_embd, n_head if split else 1, block_size, vocab_size)
    fig, (bar, heads) = plt.subplots(2, 1, figsize=(7.2, 3.4), height_ratios=[3, 1],
                                     layout="constrained")
    left = 0.0
    for part, share in b["shares"].items():
        bar.barh(0, share, left=left, color=PART_COLORS[part],
                 label=f"{part}: {b['counts'][part]:,} ({share:.0%})")
        left += share
    bar.set(xlim=(0, 1), yticks=[], xlabel="share of all parameters",
            title=f"{b['total']:,} parameters  ({n_layer} layers, width {n_embd}, "
                  f"{n_head} heads, block {block_size}, vocabulary {vocab_size:,})")
    bar.title.set_fontsize(9)
    bar.legend(loc="upper center", bbox_to_anchor=(0.5, -0.45), ncol=2, fontsize=8, frameon=False)
    heads.set(xlim=(0, n_embd), yticks=[])
    if split is None:
        heads.set_title("\n".join(_wrap(problem, 100)), color="C3", fontsize=8)
        return fig
    for h in range(n_head):
        heads.barh(0, split, left=h * split, color=f"C{h % 10}", edgecolor="white")
    heads.set_title(f"model dimension {n_embd} = {n_head} heads × {split} (head dimension): "
                    "the heads share the width", fontsize=9)
    return fig


WIDTHS = [64, 128, 192, 256, 384, 512, 768, 1024, 1600]
HEADS = [1, 2, 3, 4, 6, 8, 12, 16, 25]
VOCABULARIES = {"65 characters (the course GPT)": 65, "50,257 tokens (GPT-2)": 50257}


def _wrap(text: str, width: int) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


def parameter_widget(n_layer: int = 4, n_embd: int = 192, n_head: int = 4,
                     block_size: int = 512) -> FigureBox:
    """Layers, width, heads, block size and vocabulary → where a GPT's parameters are.

    Starts at the given shape (the course GPT's by default); the width and heads menus offer
    the GPT-2 family's values, so GPT-2 small (12 layers, 768, 12 heads, 1024) can be set.
    """
    start = {"width": n_embd, "heads": n_head, "block": block_size}
    menus = {"width": WIDTHS, "heads": HEADS, "block": [64, 128, 256, 512, 1024, 2048]}
    for what, value in start.items():
        if value not in menus[what]:
            raise ValueError(f"parameter_widget: {what} must be one of {menus[what]}, got {value!r}")
    controls = {"n_layer": int_slider("layers", check_whole(n_layer, "parameter_widget",
                                                            "n_layer", 1), 1, 48),
                "n_embd": dropdown("width (n_embd)", WIDTHS, n_embd),
                "n_head": dropdown("heads", HEADS, n_head),
                "block_size": dropdown("block size", menus["block"], block_size),
                "vocab_size": dropdown("vocabulary", VOCABULARIES)}
    return figure_widget(draw_parameter_breakdown, controls, columns=2)


__all__ = [
    "HEADS",
    "VOCABULARIES",
    "PART_COLORS",
    "WIDTHS",
    "draw_gradient_curves",
    "draw_head_patterns",
    "draw_parameter_breakdown",
    "draw_position_tables",
    "evaluation_windows",
    "fact_recall_by_width",
    "gradient_through_stack",
    "head_pattern_widget",
    "head_weights",
    "knockout_losses",
    "parameter_breakdown",
    "parameter_widget",
    "position_similarity",
    "train_fact_store",
]
