"""Named training set-ups: ``python -m course_utils.gpt train --preset NAME``.

Each preset is a :class:`TrainConfig`: the model's shape (a :class:`GPTConfig`; the vocabulary
comes from the data) and the run's settings.
"""

from __future__ import annotations

from typing import Any

from .config import GPTConfig, TrainConfig

PRESETS: dict[str, TrainConfig] = {
    # The shipped checkpoint: a character model of Tiny Shakespeare trained on a 2-core CPU.
    # A block of 512 characters lets a 500-character continuation stay inside one block, so
    # the KV cache is never rebuilt; 8 sequences x 512 = the same 4,096 tokens per step as
    # 32 x 128. Whole 512-character windows from the first step left the loss on the bigram
    # plateau (~2.45) past step 700; windows that grow from 64 characters over the first 500
    # steps leave it by step ~500. Dropout 0.1 because ~16 passes over 1M characters overfit
    # without it (a block-128 run with no dropout reached train 1.10 / validation 1.55), but
    # not inside attention: there it keeps PyTorch off its fused CPU kernel and halves the
    # speed. The time saved pays for 6 layers instead of 4 (a 4-layer run with dropout
    # everywhere reached validation 1.505 in 5,500 steps, 91 minutes).
    "shakespeare-char": TrainConfig(
        model=GPTConfig(n_layer=6, n_head=4, n_embd=192, block_size=512, dropout=0.1,
                        attn_dropout=0.0),
        batch_size=8, max_iters=5000, learning_rate=2e-3, min_lr=2e-4,
        warmup_iters=200,
        seq_len_warmup_iters=500, seq_len_start=64,
        weight_decay=0.1, beta2=0.99, eval_interval=500, eval_iters=40,
        out_dir="out/shakespeare-char",
    ),
    # nanoGPT's "laptop CPU" run (4 layers, 128 wide, 64 characters of context): minutes.
    "shakespeare-char-laptop": TrainConfig(
        model=GPTConfig(n_layer=4, n_head=4, n_embd=128, block_size=64, dropout=0.0, bias=False),
        batch_size=12, max_iters=2000, lr_decay_iters=2000, learning_rate=1e-3, min_lr=1e-4,
        warmup_iters=100, beta2=0.99, eval_interval=250, eval_iters=20,
        out_dir="out/shakespeare-char-laptop",
    ),
    # nanoGPT's GPU run (6 layers, 384 wide, 256 characters of context): ~10.7M parameters.
    "shakespeare-char-gpu": TrainConfig(
        model=GPTConfig(n_layer=6, n_head=6, n_embd=384, block_size=256, dropout=0.2, bias=False),
        batch_size=64, max_iters=5000, learning_rate=1e-3, min_lr=1e-4, warmup_iters=100,
        beta2=0.99, eval_interval=250, eval_iters=200, compile=True,
        out_dir="out/shakespeare-char-gpu",
    ),
    # A toy run that finishes in seconds: for tests and for checking that everything works.
    "tiny": TrainConfig(
        model=GPTConfig(n_layer=2, n_head=2, n_embd=32, block_size=32),
        batch_size=8, max_iters=50, learning_rate=3e-3, min_lr=3e-4, warmup_iters=5,
        eval_interval=25, eval_iters=5, out_dir="out/tiny",
    ),
}

DEFAULT_PRESET = "shakespeare-char"


def get_preset(name: str, **settings: Any) -> TrainConfig:
    """The :class:`TrainConfig` of preset ``name`` with ``settings`` changed.

    Model fields are given flat, like the others: ``get_preset("tiny", n_layer=3, max_iters=9)``.
    """
    if name not in PRESETS:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return PRESETS[name].with_settings(**settings)


def describe(cfg: TrainConfig) -> str:
    """One line: the model's shape, then the run settings that differ from the defaults."""
    default = TrainConfig()
    model = [f"{k}={v}" for k, v in cfg.model.to_dict().items()
             if k not in ("vocab_size", "fused_attention")]
    run = [f"{k}={v}" for k, v in cfg.to_dict().items()
           if k != "model" and v != getattr(default, k)]
    return ", ".join(model + run)
