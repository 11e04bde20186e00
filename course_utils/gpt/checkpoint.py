"""Saving and loading a trained GPT together with everything needed to use it again.

A checkpoint is one ``.pt`` file holding plain data only (tensors, numbers, strings, lists,
dicts): the model's :class:`GPTConfig`, its weights, the tokenizer's characters, and for
resuming a run the optimiser state, the iteration and the loss history. Because it holds no
pickled Python objects it is loaded with ``torch.load(..., weights_only=True)``, which cannot
run code hidden in a file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .config import GPTConfig
from .model import GPT
from .tokenizer import CharTokenizer

FORMAT = "course_utils.gpt/1"
_DTYPES = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}


class CheckpointError(RuntimeError):
    """A checkpoint file is missing, unreadable, or does not fit the model it is loaded into."""


@dataclass
class Checkpoint:
    """What :func:`load_checkpoint` returns: a ready model plus the run's records."""

    model: GPT
    tokenizer: CharTokenizer
    config: GPTConfig
    iter_num: int = 0
    train_config: dict[str, Any] = field(default_factory=dict)
    history: dict[str, Any] = field(default_factory=dict)
    meta: dict[str, Any] = field(default_factory=dict)
    optimizer_state: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def save_checkpoint(path: str | os.PathLike, model: GPT, tokenizer: CharTokenizer, *,
                    iter_num: int = 0, train_config: dict[str, Any] | None = None,
                    history: dict[str, Any] | None = None, meta: dict[str, Any] | None = None,
                    optimizer: torch.optim.Optimizer | None = None,
                    extra: dict[str, Any] | None = None, dtype: str = "float32") -> Path:
    """Write a checkpoint atomically (to a temporary file, then renamed over ``path``).

    ``dtype="bfloat16"`` or ``"float16"`` halves the file; weights are turned back into
    float32 when loaded. A half-written file never replaces a good one.
    """
    if dtype not in _DTYPES:
        raise ValueError(f"dtype must be one of {sorted(_DTYPES)}, got {dtype!r}")
    model = getattr(model, "_orig_mod", model)  # unwrap torch.compile
    model = getattr(model, "module", model)  # unwrap DistributedDataParallel
    if not isinstance(model, GPT):
        raise TypeError(f"save_checkpoint saves a GPT, got {type(model).__name__}")
    state = {k: v.detach().to("cpu", _DTYPES[dtype]) if v.is_floating_point() else v.cpu()
             for k, v in model.state_dict().items()}
    payload = {
        "format": FORMAT,
        "model_config": model.config.to_dict(),
        "model": state,
        "tokenizer": tokenizer.to_dict(),
        "iter_num": int(iter_num),
        "train_config": dict(train_config or {}),
        "history": dict(history or {}),
        "meta": dict(meta or {}),
        "optimizer": optimizer.state_dict() if optimizer is not None else None,
        "extra": dict(extra or {}),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(payload, tmp)
    os.replace(tmp, path)
    return path


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """Read a checkpoint file's raw contents safely (``weights_only=True``) and check its form."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"no checkpoint file at {path}")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any failure to unpickle means the same to a learner
        first_line = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise CheckpointError(
            f"{path} is not a readable checkpoint (the file may be corrupt, truncated, or not a "
            f"checkpoint written by save_checkpoint): {first_line}"
        ) from None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CheckpointError(f"{path} is a torch file but not a GPT checkpoint of format "
                              f"{FORMAT!r}")
    missing = [k for k in ("model_config", "model", "tokenizer") if k not in payload]
    if missing:
        raise CheckpointError(f"{path} is incomplete: it lacks {missing}")
    return payload


def config_differences(a: GPTConfig, b: GPTConfig) -> list[str]:
    """Fields that change the weights' shapes and differ: ``['n_embd: 128 vs 192', ...]``.

    The one rule for whether a checkpoint fits a model (loading with ``expected_config``, and
    resuming a run): an empty list means the weights fit. ``dropout``, ``attn_dropout`` and
    ``fused_attention`` do not touch the weights, so they may differ.
    """
    shape_fields = ("vocab_size", "block_size", "n_layer", "n_head", "n_embd", "bias")
    diff = [f"{name}: {getattr(a, name)} vs {getattr(b, name)}"
            for name in shape_fields if getattr(a, name) != getattr(b, name)]
    if a.kv_heads != b.kv_heads:  # n_kv_head=None and n_kv_head=n_head are the same model
        diff.append(f"n_kv_head: {a.kv_heads} vs {b.kv_heads}")
    return diff


def load_weights(model: GPT, state: dict[str, torch.Tensor], source: str = "checkpoint") -> None:
    """Copy ``state`` into ``model``, explaining any mismatch in words."""
    own = model.state_dict()
    missing = sorted(set(own) - set(state))
    unexpected = sorted(set(state) - set(own))
    wrong = [f"{k}: checkpoint {tuple(state[k].shape)} vs model {tuple(own[k].shape)}"
             for k in own if k in state and state[k].shape != own[k].shape]
    if missing or unexpected or wrong:
        lines = ([f"missing weights: {missing[:5]}"] if missing else []) + \
                ([f"unexpected weights: {unexpected[:5]}"] if unexpected else []) + \
                ([f"shape mismatches: {wrong[:5]}"] if wrong else [])
        raise CheckpointError(f"the {source} does not fit this model: " + "; ".join(lines))
    with torch.no_grad():
        for k, v in own.items():
            v.copy_(state[k].to(v.dtype))


def load_checkpoint(path: str | os.PathLike, device: str | torch.device = "cpu",
                    expected_config: GPTConfig | None = None, **config_overrides: Any) -> Checkpoint:
    """Load a checkpoint into a fresh :class:`GPT` on ``device`` (in eval mode).

    ``expected_config`` raises :class:`CheckpointError` naming every differing field when the
    file was trained with another architecture. ``config_overrides`` change fields that do not
    touch the weights, e.g. ``fused_attention=False`` or ``dropout=0.0``.
    """
    payload = read_checkpoint(path)
    try:
        config = GPTConfig.from_dict({**payload["model_config"], **config_overrides})
        tokenizer = CharTokenizer.from_dict(payload["tokenizer"])
    except (TypeError, ValueError) as err:
        raise CheckpointError(f"{path} holds an invalid configuration: {err}") from None
    if expected_config is not None:
        diff = config_differences(expected_config, config)
        if diff:
            raise CheckpointError(f"{path} was saved for a different model (expected vs "
                                  f"checkpoint): {', '.join(diff)}")
    if tokenizer.vocab_size != config.vocab_size:
        raise CheckpointError(f"{path} is inconsistent: tokenizer has {tokenizer.vocab_size} "
                              f"characters, model expects vocab_size={config.vocab_size}")
    model = GPT(config)
    load_weights(model, payload["model"], source=str(path))
    model.to(device).eval()
    return Checkpoint(model=model, tokenizer=tokenizer, config=config,
                      iter_num=int(payload.get("iter_num", 0)),
                      train_config=payload.get("train_config") or {},
                      history=payload.get("history") or {}, meta=payload.get("meta") or {},
                      optimizer_state=payload.get("optimizer"), extra=payload.get("extra") or {})


PRETRAINED_NAME = "shakespeare_char.pt"


def pretrained_path() -> Path:
    """Where the shipped Tiny Shakespeare character model is.

    ``data/checkpoints/`` of the course checkout first; then ``checkpoints/`` inside this
    package, where an installed wheel carries it (``pip install`` outside a checkout, as on
    Colab); then ``checkpoints/`` inside every data folder the course searches
    (``COURSE_DATA_PATH``, then the data cache). Returns the checkout's path when no copy exists.
    """
    shipped = Path(__file__).resolve().parents[2] / "data" / "checkpoints" / PRETRAINED_NAME
    if shipped.is_file():
        return shipped
    packaged = Path(__file__).resolve().parent / "checkpoints" / PRETRAINED_NAME
    if packaged.is_file():
        return packaged
    from course_utils.data import search_dirs

    for folder in search_dirs():
        candidate = Path(folder) / "checkpoints" / PRETRAINED_NAME
        if candidate.is_file():
            return candidate
    return shipped


def load_pretrained(device: str | torch.device = "cpu") -> Checkpoint:
    """The pre-trained Tiny Shakespeare character GPT that ships with the course."""
    path = pretrained_path()
    if not path.is_file():
        raise CheckpointError(
            f"the pre-trained checkpoint is missing ({PRETRAINED_NAME} should be in "
            f"data/checkpoints/ of the course, inside the installed package, or in "
            f"checkpoints/ of a data folder); reinstall the course, or "
            f"train one with `python -m course_utils.gpt train --preset shakespeare-char`"
        )
    return load_checkpoint(path, device=device)
