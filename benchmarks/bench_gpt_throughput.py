"""Training throughput of the course GPT: tokens per second for forward + backward + AdamW step.

Measured at nanoGPT's CPU-laptop size (4 layers, 4 heads, 128 wide, block 64, batch 12) and at
the default preset (the size of the shipped checkpoint). Each measurement is the median of
several timed runs of a few optimiser steps, after warm-up steps. On a GPU the step runs under
bf16 autocast and the model FLOPs utilisation (MFU) is printed against the GPU's bf16 peak.

    python benchmarks/bench_gpt_throughput.py                # both sizes, auto device
    python benchmarks/bench_gpt_throughput.py --threads 1    # one CPU thread
    python benchmarks/bench_gpt_throughput.py --reference path/to/nanoGPT  # side by side

``--reference`` times nanoGPT's own ``model.py`` (from a checkout you provide) at the same sizes
on the same machine, the comparison the course design asks for. The two are interleaved, one
timed run of each in turn (A B A B ...), so both see the same machine state (a warm CPU, the
same background load); timing one after the other favours whichever runs second.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path
from types import ModuleType

import torch

from course_utils.env import pick_device
from course_utils.gpt import GPT, TrainConfig, get_preset
from course_utils.gpt.flops import mfu, peak_flops

VOCAB = 65  # Tiny Shakespeare's characters
COURSE, REFERENCE = "course_utils.gpt", "nanoGPT model.py"


def sizes() -> dict[str, tuple[str, TrainConfig]]:
    """The two sizes timed: short name -> (label, preset)."""
    laptop, default = get_preset("shakespeare-char-laptop"), get_preset("shakespeare-char")

    def describe(c: TrainConfig) -> str:
        m = c.model
        return (f"{m.n_layer}L {m.n_head}H {m.n_embd}d, T={m.block_size}, B={c.batch_size}"
                f"{'' if m.bias else ', no bias'}")

    return {"laptop": (f"nanoGPT CPU-laptop ({describe(laptop)})", laptop),
            "default": (f"default preset ({describe(default)})", default)}


def training_step(model: torch.nn.Module, optimizer: torch.optim.Optimizer, x: torch.Tensor,
                  y: torch.Tensor) -> Callable[[], None]:
    """One optimiser step on the fixed batch ``x, y`` (bf16 autocast on CUDA)."""
    cuda = x.is_cuda
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if cuda else nullcontext()

    def step() -> None:
        with autocast:
            _, loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    return step


def timed_run(step: Callable[[], None], steps: int, tokens_per_step: int, cuda: bool) -> float:
    """Tokens/s over ``steps`` calls of ``step``."""
    if cuda:
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if cuda:
        torch.cuda.synchronize()
    return steps * tokens_per_step / (time.perf_counter() - start)


def load_reference(path: Path) -> ModuleType:
    """nanoGPT's ``model.py`` from the checkout at ``path``, imported as a module."""
    spec = importlib.util.spec_from_file_location("nanogpt_model", path / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build_models(s: TrainConfig, reference: ModuleType | None) -> dict[str, torch.nn.Module]:
    """The course model and, with ``reference``, nanoGPT's, with the same architecture."""
    torch.manual_seed(0)
    config = s.model_config(VOCAB)
    if reference is not None:  # nanoGPT has one dropout rate, inside attention too: so do we here
        config = replace(config, attn_dropout=None)
    models: dict[str, torch.nn.Module] = {COURSE: GPT(config)}
    if reference is not None:
        m = s.model
        ref_cfg = reference.GPTConfig(vocab_size=VOCAB, block_size=m.block_size,
                                      n_layer=m.n_layer, n_head=m.n_head, n_embd=m.n_embd,
                                      dropout=m.dropout, bias=m.bias)
        models[REFERENCE] = reference.GPT(ref_cfg)
    return models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each model")
    parser.add_argument("--steps", type=int, default=10, help="optimiser steps per run")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--only", choices=list(sizes()), default=None, help="time one size only")
    parser.add_argument("--reference", type=Path, default=None,
                        help="a nanoGPT checkout whose model.py is timed alongside, interleaved")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    cuda = device.startswith("cuda")
    peak = peak_flops(device)
    name = torch.cuda.get_device_name(device) if cuda else "CPU"
    print(f"device: {device} ({name}), torch {torch.__version__}, "
          f"{torch.get_num_threads()} CPU threads, median of {args.runs} runs x {args.steps} steps"
          + (", the two models interleaved run by run" if args.reference else ""))
    reference = load_reference(args.reference) if args.reference else None
    for short, (label, s) in sizes().items():
        if args.only and short != args.only:
            continue
        models = build_models(s, reference)
        course_model = models[COURSE]
        x = torch.randint(0, VOCAB, (s.batch_size, s.model.block_size), device=device)
        y = torch.randint(0, VOCAB, (s.batch_size, s.model.block_size), device=device)
        steps = {}
        for impl, model in models.items():
            model.to(device).train()
            configure = getattr(model, "configure_optimizer", None) or model.configure_optimizers
            opt = configure(0.1, 1e-3, (0.9, 0.99), device.split(":")[0])
            steps[impl] = training_step(torch.compile(model) if args.compile else model, opt, x, y)
            for _ in range(args.warmup):
                steps[impl]()
        tps: dict[str, list[float]] = {impl: [] for impl in models}
        for _ in range(args.runs):
            for impl, step in steps.items():  # A B A B ...: both share the machine's state
                tps[impl].append(timed_run(step, args.steps, x.numel(), cuda))
        medians = {impl: statistics.median(v) for impl, v in tps.items()}
        for impl, v in tps.items():
            line = (f"{label} | {impl}: median {medians[impl]:,.0f} tokens/s "
                    f"(runs {min(v):,.0f}-{max(v):,.0f}), "
                    f"{course_model.num_params() / 1e6:.2f}M params")
            utilisation = mfu(course_model.flops_per_token(), medians[impl], peak)
            if utilisation is not None:
                line += f", MFU {100 * utilisation:.1f}% of {peak / 1e12:.0f} TFLOP/s bf16"
            elif cuda:
                line += " (GPU not in the peak table: no MFU)"
            print(line, flush=True)
        if REFERENCE in medians:
            print(f"{label} | ratio course / nanoGPT (medians): "
                  f"{medians[COURSE] / medians[REFERENCE]:.3f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
