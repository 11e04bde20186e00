"""The training loop: the same code behind ``python -m course_utils.gpt train`` and notebooks.

One iteration: take a random batch of text windows, predict every next character, measure the
cross-entropy, backpropagate, clip the gradient, let AdamW step. Around it: a learning-rate
schedule (linear warm-up, then cosine decay), periodic validation, a progress bar with loss and
tokens/s, checkpoints to resume from, bf16 autocast on CUDA, optional ``torch.compile``, and
data-parallel training over several processes when started by ``torchrun``.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import torch

from .checkpoint import (
    CheckpointError,
    config_differences,
    load_weights,
    read_checkpoint,
    save_checkpoint,
)
from .config import GPTConfig, TrainConfig
from .data import TextData
from .distributed import DistInfo, any_rank, cleanup_distributed, setup_distributed
from .flops import mfu, peak_flops
from .model import GPT
from .tokenizer import CharTokenizer


@dataclass
class History:
    """Losses recorded during training (plain lists, so it saves as JSON)."""

    iters: list[int] = field(default_factory=list)  # every logged step
    train_loss: list[float] = field(default_factory=list)  # its mini-batch loss
    lr: list[float] = field(default_factory=list)
    tokens_per_sec: list[float] = field(default_factory=list)
    eval_iters: list[int] = field(default_factory=list)  # every evaluation
    eval_train_loss: list[float] = field(default_factory=list)  # averaged over eval_iters batches
    val_loss: list[float] = field(default_factory=list)
    elapsed_sec: list[float] = field(default_factory=list)  # training time at each evaluation

    @property
    def best_val_loss(self) -> float:
        return min(self.val_loss) if self.val_loss else float("inf")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        return cls(**{k: list(v) for k, v in d.items() if k in cls.__dataclass_fields__})

    def plot(self, ax: Any = None) -> Any:
        """Training loss per step and validation loss per evaluation, on one axis."""
        import matplotlib.pyplot as plt

        ax = ax if ax is not None else plt.subplots(figsize=(7, 4))[1]
        ax.plot(self.iters, self.train_loss, alpha=0.4, label="train (batch)")
        ax.plot(self.eval_iters, self.eval_train_loss, "o-", label="train (eval)")
        ax.plot(self.eval_iters, self.val_loss, "o-", label="validation")
        ax.set(xlabel="iteration", ylabel="cross-entropy loss (nats)")
        ax.legend()
        return ax


@dataclass
class TrainResult:
    """What :func:`train` returns: the trained model, its tokenizer and the loss history."""

    model: GPT
    tokenizer: CharTokenizer
    history: History
    config: TrainConfig
    iter_num: int


def lr_at(it: int, cfg: TrainConfig) -> float:
    """Learning rate at iteration ``it``: linear warm-up, cosine decay to ``min_lr``, then flat."""
    if it < cfg.warmup_iters:
        return cfg.learning_rate * (it + 1) / (cfg.warmup_iters + 1)
    if it >= cfg.decay_iters:
        return cfg.min_lr
    progress = (it - cfg.warmup_iters) / max(1, cfg.decay_iters - cfg.warmup_iters)
    return cfg.min_lr + 0.5 * (1 + math.cos(math.pi * progress)) * (cfg.learning_rate - cfg.min_lr)


def window_at(it: int, cfg: TrainConfig) -> tuple[int, int]:
    """``(window length, sequences per micro-batch)`` at iteration ``it``.

    Whole blocks of ``batch_size`` sequences, except during the sequence-length warm-up: for the
    first ``seq_len_warmup_iters`` iterations the windows grow linearly from ``seq_len_start``
    tokens to the block, and the batch holds proportionally more of them, so a step sees about
    the same number of tokens. Short windows put every target near the start of its window,
    where attention has few positions to choose from, and so teach the model to use its recent
    context quickly; with long windows from the start a model can sit on the plateau of a
    bigram model (loss ~2.45 on Tiny Shakespeare) for many hundreds of steps.
    """
    block = cfg.model.block_size
    if it >= cfg.seq_len_warmup_iters:
        return block, cfg.batch_size
    start = min(cfg.seq_len_start, block)
    length = start + (block - start) * it // cfg.seq_len_warmup_iters
    return length, max(1, cfg.batch_size * block // length)


@torch.no_grad()
def estimate_loss(model: torch.nn.Module, data: TextData, cfg: TrainConfig, device: str,
                  autocast: Any, generator: torch.Generator) -> dict[str, float]:
    """Mean loss over ``eval_iters`` random batches of each split (dropout off)."""
    was_training = model.training
    model.eval()
    out = {}
    for split in ("train", "val"):
        losses = torch.zeros(cfg.eval_iters)
        for k in range(cfg.eval_iters):
            x, y = data.get_batch(split, cfg.batch_size, cfg.model.block_size, generator, device)
            with autocast:
                losses[k] = model(x, y)[1].item()
        out[split] = losses.mean().item()
    model.train(was_training)
    return out


@torch.no_grad()
def split_loss(model: GPT, data: TextData, split: str = "val", batch_size: int = 32,
               device: str | torch.device = "cpu") -> float:
    """Mean loss over a whole split, cut into consecutive non-overlapping blocks.

    Slower than :func:`estimate_loss` but with no sampling noise: the number to quote.
    """
    ids = data.val if split == "val" else data.train
    T = model.config.block_size
    n = (len(ids) - 1) // T
    x = ids[: n * T].view(n, T)
    y = ids[1 : n * T + 1].view(n, T)
    was_training = model.training
    model.eval()
    total = 0.0
    for i in range(0, n, batch_size):
        _, loss = model(x[i:i + batch_size].to(device), y[i:i + batch_size].to(device))
        total += loss.item() * x[i:i + batch_size].numel()
    model.train(was_training)
    return total / (n * T)


def load_training_text(cfg: TrainConfig) -> tuple[str, str]:
    """The text to train on and a line saying where it came from."""
    if cfg.text_file:
        path = Path(cfg.text_file)
        if not path.is_file():
            raise FileNotFoundError(f"text_file {cfg.text_file!r} does not exist")
        return path.read_text(encoding="utf-8"), f"file {path.name}"
    from course_utils.data import load_text

    text = load_text(cfg.dataset)
    source = getattr(text, "source", cfg.dataset)
    if getattr(text, "is_fallback", False):
        source = f"FALLBACK corpus ({source}) because {cfg.dataset} is unavailable"
    return str(text), str(source)


def _autocast_for(cfg: TrainConfig, device_type: str) -> Any:
    dtype = cfg.dtype
    if dtype == "auto":
        dtype = "bfloat16" if device_type == "cuda" and torch.cuda.is_bf16_supported() else "float32"
    if dtype == "float32":
        return nullcontext()
    return torch.autocast(device_type=device_type, dtype=getattr(torch, dtype))


def train(cfg: TrainConfig | None = None, *, text: str | None = None, model: GPT | None = None,
          tokenizer: CharTokenizer | None = None, progress: bool = True,
          on_eval: Callable[[History], None] | None = None) -> TrainResult:
    """Train a GPT as ``cfg`` says and return the model, tokenizer and :class:`History`.

    From a notebook: ``result = train(TrainConfig(max_iters=500), text=my_text)`` then
    ``result.history.plot()``. ``model`` trains a model you built (its config must be
    ``cfg.model`` with the tokenizer's ``vocab_size``); ``on_eval(history)`` is called after
    every evaluation (e.g. to redraw a plot). Under ``torchrun`` each process trains on its own
    batches and gradients are averaged. ``result.config`` is ``cfg`` with the real vocab size.
    """
    cfg = cfg if cfg is not None else TrainConfig()
    if not isinstance(cfg, TrainConfig):
        raise TypeError(f"train needs a TrainConfig, got {type(cfg).__name__}")
    if cfg.num_threads is not None:
        torch.set_num_threads(cfg.num_threads)
    dist = setup_distributed(cfg.device)
    try:
        return _train(cfg, dist, text, model, tokenizer, progress, on_eval)
    finally:
        cleanup_distributed(dist)


def _train(cfg: TrainConfig, dist: DistInfo, text: str | None, model: GPT | None,
           tokenizer: CharTokenizer | None, progress: bool,
           on_eval: Callable[[History], None] | None) -> TrainResult:
    from tqdm.auto import tqdm

    device, device_type, master = dist.device, torch.device(dist.device).type, dist.is_master
    say = print if master else (lambda *a, **k: None)
    source = "text given by the caller"
    if text is None:
        text, source = load_training_text(cfg)
    ckpt_path = Path(cfg.out_dir) / "ckpt.pt"
    resume = read_checkpoint(ckpt_path) if cfg.resume and ckpt_path.is_file() else None
    if cfg.resume and resume is None:
        say(f"no checkpoint at {ckpt_path} to resume from: starting from scratch")
    if resume is not None:
        tokenizer = CharTokenizer.from_dict(resume["tokenizer"])
    data = TextData(text, tokenizer, cfg.val_fraction)
    data.check_block_size(cfg.model.block_size)
    tokenizer = data.tokenizer
    cfg = replace(cfg, model=cfg.model_config(tokenizer.vocab_size))  # the data sets the vocabulary
    model_config = cfg.model

    torch.manual_seed(cfg.seed + dist.rank)
    if model is None:
        model = GPT(model_config)
    elif model.config != model_config:
        raise ValueError(f"the model given has config {model.config} but the training config "
                         f"asks for {model_config}")
    history, iter_num = History(), 0
    optimizer = model.configure_optimizer(cfg.weight_decay, cfg.learning_rate,
                                          (cfg.beta1, cfg.beta2), device_type)
    batch_gen = torch.Generator().manual_seed(cfg.seed + 1000 * dist.rank)
    eval_gen = torch.Generator().manual_seed(cfg.seed + 1)
    if resume is not None:
        try:
            saved = GPTConfig.from_dict(resume["model_config"])
        except (TypeError, ValueError) as err:
            raise CheckpointError(f"{ckpt_path} holds an invalid configuration: {err}") from None
        differs = config_differences(model_config, saved)
        if differs:
            raise CheckpointError(f"cannot resume from {ckpt_path}: it was trained with a "
                                  f"different model (this run vs the checkpoint: "
                                  f"{', '.join(differs)}); change those settings back or "
                                  f"choose another out_dir")
        load_weights(model, resume["model"], source=str(ckpt_path))
        iter_num = int(resume["iter_num"]) + 1
        history = History.from_dict(resume.get("history") or {})
        extra = resume.get("extra") or {}
        if "batch_rng" in extra and dist.world_size == 1:
            batch_gen.set_state(extra["batch_rng"])
            eval_gen.set_state(extra["eval_rng"])
    model.to(device)
    if resume is not None and resume.get("optimizer"):
        optimizer.load_state_dict(resume["optimizer"])  # after .to(device): state follows params
        say(f"resuming from {ckpt_path} at iteration {iter_num}")

    raw_model = model
    if cfg.compile:
        model = torch.compile(model)
    if dist.world_size > 1:
        from torch.nn.parallel import DistributedDataParallel as DDP

        model = DDP(model, device_ids=[dist.local_rank] if device_type == "cuda" else None)
    autocast = _autocast_for(cfg, device_type)
    tokens_per_iter = cfg.batch_size * cfg.model.block_size * cfg.grad_accum_steps * dist.world_size
    flops_per_token = raw_model.flops_per_token()
    peak = peak_flops(device)
    peak = peak * dist.world_size if peak else None
    say(f"training on {source} | {len(data.train):,} train / {len(data.val):,} val tokens | "
        f"vocab {tokenizer.vocab_size} | {raw_model.num_params() / 1e6:.2f}M parameters | "
        f"device {device} x{dist.world_size} | {tokens_per_iter:,} tokens/iteration")

    def evaluate_and_save(it: int, elapsed: float) -> None:
        losses = estimate_loss(raw_model, data, cfg, device, autocast, eval_gen)
        history.eval_iters.append(it)
        history.eval_train_loss.append(losses["train"])
        history.val_loss.append(losses["val"])
        history.elapsed_sec.append(elapsed)
        tqdm.write(f"iter {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}")
        if cfg.save_checkpoint:
            save_checkpoint(ckpt_path, raw_model, tokenizer, iter_num=it,
                            train_config=cfg.to_dict(), history=history.to_dict(),
                            meta={"data_sha256": data.sha256, "data_source": source,
                                  "train_seconds": elapsed, "val_loss": losses["val"],
                                  "train_loss": losses["train"]},
                            optimizer=optimizer,
                            extra={"batch_rng": batch_gen.get_state(),
                                   "eval_rng": eval_gen.get_state()})
            (Path(cfg.out_dir) / "history.json").write_text(json.dumps(history.to_dict()))
        if on_eval is not None:
            on_eval(history)

    model.train()
    elapsed = history.elapsed_sec[-1] if history.elapsed_sec else 0.0
    bar = tqdm(range(iter_num, cfg.max_iters), initial=iter_num, total=cfg.max_iters,
               disable=not (progress and master), dynamic_ncols=True, mininterval=1.0)
    for it in bar:
        t0 = time.perf_counter()
        lr = lr_at(it, cfg)
        for group in optimizer.param_groups:
            group["lr"] = lr
        length, sequences = window_at(it, cfg)
        step_tokens = length * sequences * cfg.grad_accum_steps * dist.world_size
        for micro in range(cfg.grad_accum_steps):
            x, y = data.get_batch("train", sequences, length, batch_gen, device)
            if dist.world_size > 1:  # average gradients across processes on the last micro-step
                model.require_backward_grad_sync = micro == cfg.grad_accum_steps - 1
            with autocast:
                _, loss = model(x, y)
            (loss / cfg.grad_accum_steps).backward()
        if cfg.grad_clip > 0:
            torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.grad_clip)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        loss_value = loss.item()  # also waits for the GPU, so the timing below is honest
        dt = time.perf_counter() - t0
        elapsed += dt
        # decided together: a process that stopped alone would leave the others waiting forever
        # at the next gradient all-reduce, so every process learns if any loss went bad
        if any_rank(not math.isfinite(loss_value), dist):
            raise FloatingPointError(
                f"the loss stopped being a finite number (nan or inf) at iteration {it}"
                + (f" in at least one of the {dist.world_size} processes" if dist.world_size > 1
                   else f" (it was {loss_value})")
                + f"; try a smaller learning_rate (it was {lr:.3g})"
                + (" or turn gradient clipping on (grad_clip=1.0)" if cfg.grad_clip == 0 else ""))
        if master:
            history.iters.append(it)
            history.train_loss.append(loss_value)
            history.lr.append(lr)
            history.tokens_per_sec.append(step_tokens / dt)
            postfix = {"loss": f"{loss_value:.3f}", "tok/s": f"{step_tokens / dt:,.0f}",
                       "lr": f"{lr:.1e}"}
            utilisation = mfu(flops_per_token, step_tokens / dt, peak)
            if utilisation is not None:
                postfix["mfu"] = f"{100 * utilisation:.0f}%"
            bar.set_postfix(postfix, refresh=False)
            if (it + 1) % cfg.eval_interval == 0 or it == cfg.max_iters - 1:
                evaluate_and_save(it, elapsed)
    bar.close()
    return TrainResult(raw_model, tokenizer, history, cfg, max(iter_num, cfg.max_iters))


def live_loss_plot(figsize: tuple[float, float] = (7, 4)) -> Callable[[History], None]:
    """A callback for ``train(..., on_eval=live_loss_plot())`` that redraws the loss curves.

    The figure is updated in place under the cell (the progress bar stays), so a notebook shows
    the curves growing while the model trains.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    handle = None

    def redraw(history: History) -> None:
        nonlocal handle
        fig, ax = plt.subplots(figsize=figsize)
        history.plot(ax)
        if handle is None:
            handle = display(fig, display_id=True)
        else:
            handle.update(fig)
        plt.close(fig)

    return redraw
