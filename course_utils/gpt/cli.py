"""The command line: ``python -m course_utils.gpt {train,sample,export,presets} ...``.

Training settings come from a preset and are overridden one by one, e.g.::

    python -m course_utils.gpt train --preset shakespeare-char --max_iters 500 --device cpu
    python -m course_utils.gpt train --preset tiny --block-size 64 --n_layer 3
    torchrun --nproc_per_node=2 -m course_utils.gpt train --preset tiny
    python -m course_utils.gpt sample --checkpoint out/tiny/ckpt.pt --prompt "ROMEO:"
"""

from __future__ import annotations

import argparse
import difflib
import sys
import time
import types
import typing
from dataclasses import fields
from typing import Any

from .config import MODEL_SETTINGS, GPTConfig, TrainConfig
from .presets import DEFAULT_PRESET, PRESETS, describe, get_preset


class UsageError(ValueError):
    """A mistake on the command line; printed as one line, without a traceback."""


def _convert(name: str, raw: str, hint: Any) -> Any:
    """Turn the string ``raw`` into the type of setting ``name`` (``int | None`` etc.)."""
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if raw.lower() == "none" and type(None) in options:
        return None
    kind = next(t for t in options if t is not type(None))
    if kind is bool:
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off"):
            return False
        raise UsageError(f"--{name} must be true or false, got {raw!r}")
    try:
        return kind(raw)
    except ValueError:
        raise UsageError(f"--{name} must be a {kind.__name__}, got {raw!r}") from None


def setting_types() -> dict[str, Any]:
    """Every setting the command line accepts and its type: the run's and the model's fields."""
    run_hints = typing.get_type_hints(TrainConfig)
    model_hints = typing.get_type_hints(GPTConfig)
    hints = {name: model_hints[name] for name in MODEL_SETTINGS}
    hints.update({f.name: run_hints[f.name] for f in fields(TrainConfig) if f.name != "model"})
    return hints


def parse_overrides(args: list[str]) -> dict[str, Any]:
    """``['--max_iters', '100', '--block-size', '64']`` → ``{'max_iters': 100, 'block_size': 64}``.

    Model fields (``--n_layer``, ``--block-size`` ...) are flat like the others;
    :meth:`TrainConfig.with_settings` puts them into the model's config.
    """
    hints = setting_types()
    known = list(hints)
    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            raise UsageError(f"expected a setting like --max_iters 100, got {arg!r}")
        name, _, value = arg[2:].partition("=")
        name = name.replace("-", "_")
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3)
            raise UsageError(f"unknown setting --{name}"
                             + (f"; did you mean {', '.join('--' + c for c in close)}?" if close
                                else f"; settings are {', '.join(known)}"))
        if not value:
            nxt = args[i + 1] if i + 1 < len(args) else None
            if hints[name] is bool and (nxt is None or nxt.startswith("--")):
                value = "true"  # a bare flag such as --compile
            elif nxt is None:
                raise UsageError(f"--{name} needs a value")
            else:
                value, i = nxt, i + 1
        out[name] = _convert(name, value, hints[name])
        i += 1
    return out


def cmd_train(ns: argparse.Namespace, rest: list[str]) -> int:
    from .train import train

    cfg = get_preset(ns.preset, **parse_overrides(rest))
    start = time.time()
    result = train(cfg, progress=not ns.no_progress)
    if result.history.val_loss:
        print(f"done in {time.time() - start:.0f} s: final train loss "
              f"{result.history.eval_train_loss[-1]:.4f}, val loss {result.history.val_loss[-1]:.4f}"
              + (f"; checkpoint {cfg.out_dir}/ckpt.pt" if cfg.save_checkpoint else ""))
    return 0


def cmd_sample(ns: argparse.Namespace) -> int:
    from .checkpoint import load_checkpoint, load_pretrained
    from .sample import stream

    ckpt = load_checkpoint(ns.checkpoint, device=ns.device) if ns.checkpoint else \
        load_pretrained(device=ns.device)
    for piece in stream(ckpt.model, ckpt.tokenizer, ns.prompt.replace("\\n", "\n"),
                        max_new_tokens=ns.max_new_tokens, temperature=ns.temperature,
                        top_k=ns.top_k, top_p=ns.top_p, seed=ns.seed, greedy=ns.greedy):
        sys.stdout.write(piece)
        sys.stdout.flush()
    sys.stdout.write("\n")
    return 0


def cmd_export(ns: argparse.Namespace) -> int:
    from .checkpoint import load_checkpoint, save_checkpoint

    ckpt = load_checkpoint(ns.source)
    path = save_checkpoint(ns.dest, ckpt.model, ckpt.tokenizer, iter_num=ckpt.iter_num,
                           train_config=ckpt.train_config, history=ckpt.history,
                           meta={**ckpt.meta, "exported_dtype": ns.dtype}, dtype=ns.dtype)
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB, weights in {ns.dtype}, "
          f"no optimiser state)")
    return 0


def cmd_presets() -> int:
    for name, cfg in PRESETS.items():
        mark = " (default)" if name == DEFAULT_PRESET else ""
        print(f"{name}{mark}: {describe(cfg)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m course_utils.gpt",
                                     description="Train and sample the course's small GPT.")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser(
        "train", help="train a GPT; any setting can follow as --name value",
        epilog="Any TrainConfig or GPTConfig field overrides the preset, e.g. --max_iters 500 "
               "--n_layer 6 --block-size 64 --device cpu --num_threads 1 --resume --compile. "
               "`presets` lists the presets.")
    p.add_argument("--preset", default=DEFAULT_PRESET, choices=list(PRESETS))
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p = sub.add_parser("sample", help="generate text from a checkpoint")
    p.add_argument("--checkpoint", default=None, help="a ckpt.pt (default: the shipped model)")
    p.add_argument("--prompt", default="\n", help=r"text to continue (\n is a new line)")
    p.add_argument("--max_new_tokens", type=int, default=500)
    p.add_argument("--temperature", type=float, default=0.8)
    p.add_argument("--top_k", type=int, default=None)
    p.add_argument("--top_p", type=float, default=None)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--greedy", action="store_true", help="always pick the likeliest character")
    p.add_argument("--device", default="cpu")
    p = sub.add_parser("export", help="copy a checkpoint's weights (no optimiser) into a small file")
    p.add_argument("source")
    p.add_argument("dest")
    p.add_argument("--dtype", default="bfloat16", choices=["float32", "bfloat16", "float16"])
    sub.add_parser("presets", help="list the presets")
    return parser


def main(argv: list[str] | None = None) -> int:
    from .checkpoint import CheckpointError
    from .tokenizer import UnknownCharacterError

    parser = build_parser()
    ns, rest = parser.parse_known_args(argv)
    try:
        if ns.command != "train" and rest:
            raise UsageError(f"unrecognised arguments: {' '.join(rest)}")
        if ns.command == "train":
            return cmd_train(ns, rest)
        if ns.command == "sample":
            return cmd_sample(ns)
        if ns.command == "export":
            return cmd_export(ns)
        return cmd_presets()
    except (UsageError, CheckpointError, UnknownCharacterError, FileNotFoundError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except ValueError as err:  # invalid settings (e.g. n_embd not divisible by n_head)
        print(f"error: {err}", file=sys.stderr)
        return 2
