"""A small GPT, trained and sampled: the engine behind chapter 12.

    from course_utils.gpt import GPT, GPTConfig, load_pretrained, generate

    ckpt = load_pretrained()  # the shipped Tiny Shakespeare character model
    print(generate(ckpt.model, ckpt.tokenizer, "ROMEO:", 200, temperature=0.8, seed=0))

Modules, smallest idea first: :mod:`.config` (the shape of a model and of a training run),
:mod:`.tokenizer` (characters ↔ ids), :mod:`.model` (attention, MLP, block, GPT),
:mod:`.data` (batches), :mod:`.train` (the loop), :mod:`.distributed` (``torchrun``),
:mod:`.flops` (GPU utilisation), :mod:`.sample` (decoding with a KV cache),
:mod:`.checkpoint` (save/load), :mod:`.presets`, :mod:`.cli` (``python -m course_utils.gpt``).
"""

from .checkpoint import (
    Checkpoint,
    CheckpointError,
    load_checkpoint,
    load_pretrained,
    pretrained_path,
    save_checkpoint,
)
from .config import GPTConfig, TrainConfig
from .data import TextData
from .model import GPT, MLP, Block, CausalSelfAttention, KVCache, causal_mask, kv_cache_bytes
from .presets import PRESETS, get_preset
from .sample import generate, generate_ids, next_token_probs, stream
from .tokenizer import CharTokenizer, UnknownCharacterError
from .train import History, TrainResult, live_loss_plot, lr_at, split_loss, train, window_at

__all__ = [
    "GPT",
    "MLP",
    "PRESETS",
    "Block",
    "CausalSelfAttention",
    "CharTokenizer",
    "Checkpoint",
    "CheckpointError",
    "GPTConfig",
    "History",
    "KVCache",
    "TextData",
    "TrainConfig",
    "TrainResult",
    "UnknownCharacterError",
    "causal_mask",
    "generate",
    "generate_ids",
    "get_preset",
    "kv_cache_bytes",
    "load_checkpoint",
    "live_loss_plot",
    "load_pretrained",
    "lr_at",
    "next_token_probs",
    "pretrained_path",
    "save_checkpoint",
    "split_loss",
    "stream",
    "train",
    "window_at",
]
