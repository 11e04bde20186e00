"""Training throughput of the course GPT: tokens per second for forward + backward + AdamW step.

Measured at nanoGPT's CPU-laptop size (4 layers, 4 heads, 128 wide, block 64, batch 12) and at
the default preset (the size of the shipped checkpoint). Each measurement is the median of
several runs of a few optimiser steps, after warm-up steps. On a GPU the step runs under bf16
autocast and the model FLOPs utilisation (MFU) is printed against the GPU's bf16 peak.

    python benchmarks/bench_gpt_throughput.py                # both sizes, auto device
    python benchmarks/bench_gpt_throughput.py --threads 1    # one CPU thread
    python benchmarks/bench_gpt_throughput.py --reference path/to/nanoGPT  # side by side

``--reference`` times nanoGPT's own ``model.py`` (from a checkout you provide) at the same sizes
on the same machine, the comparison the course design asks for.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from contextlib import nullcontext
from pathlib import Path

import torch

from course_utils.env import pick_device
from course_utils.gpt import GPT, TrainConfig, get_preset
from course_utils.gpt.flops import mfu, peak_flops

VOCAB = 65  # Tiny Shakespeare's characters


def sizes() -> dict[str, TrainConfig]:
    laptop, default = get_preset("shakespeare-char-laptop"), get_preset("shakespeare-char")

    def describe(c: TrainConfig) -> str:
        return (f"{c.n_layer}L {c.n_head}H {c.n_embd}d, T={c.block_size}, B={c.batch_size}"
                f"{'' if c.bias else ', no bias'}")

    return {f"nanoGPT CPU-laptop ({describe(laptop)})": laptop,
            f"default preset ({describe(default)})": default}


def time_training(model: torch.nn.Module, optimizer: torch.optim.Optimizer, batch: int, block: int,
                  device: str, steps: int, runs: int, warmup: int) -> list[float]:
    """Tokens/s of each run of ``steps`` optimiser steps (after ``warmup`` untimed steps)."""
    x = torch.randint(0, VOCAB, (batch, block), device=device)
    y = torch.randint(0, VOCAB, (batch, block), device=device)
    cuda = device.startswith("cuda")
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if cuda else nullcontext()

    def step() -> None:
        with autocast:
            _, loss = model(x, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    for _ in range(warmup):
        step()
    results = []
    for _ in range(runs):
        if cuda:
            torch.cuda.synchronize()
        start = time.perf_counter()
        for _ in range(steps):
            step()
        if cuda:
            torch.cuda.synchronize()
        results.append(steps * batch * block / (time.perf_counter() - start))
    return results


def load_reference(path: Path):
    spec = importlib.util.spec_from_file_location("nanogpt_model", path / "model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default=None)
    parser.add_argument("--threads", type=int, default=None, help="torch CPU threads")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--steps", type=int, default=10, help="optimiser steps per run")
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--compile", action="store_true")
    parser.add_argument("--reference", type=Path, default=None,
                        help="a nanoGPT checkout whose model.py is timed alongside")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    peak = peak_flops(device)
    name = torch.cuda.get_device_name(device) if device.startswith("cuda") else "CPU"
    print(f"device: {device} ({name}), torch {torch.__version__}, "
          f"{torch.get_num_threads()} CPU threads, median of {args.runs} runs x {args.steps} steps")
    reference = load_reference(args.reference) if args.reference else None
    for label, s in sizes().items():
        torch.manual_seed(0)
        cfg = s.model_config(VOCAB)
        models = {"course_utils.gpt": GPT(cfg)}
        if reference is not None:
            ref_cfg = reference.GPTConfig(vocab_size=VOCAB, block_size=s.block_size,
                                          n_layer=s.n_layer, n_head=s.n_head, n_embd=s.n_embd,
                                          dropout=s.dropout, bias=s.bias)
            models["nanoGPT model.py"] = reference.GPT(ref_cfg)
        for impl, model in models.items():
            model.to(device).train()
            if hasattr(model, "configure_optimizer"):
                opt = model.configure_optimizer(0.1, 1e-3, (0.9, 0.99), device.split(":")[0])
            else:
                opt = model.configure_optimizers(0.1, 1e-3, (0.9, 0.99), device.split(":")[0])
            timed = torch.compile(model) if args.compile else model
            tps = time_training(timed, opt, s.batch_size, s.block_size, device, args.steps,
                                args.runs, args.warmup)
            med = statistics.median(tps)
            course_model = models["course_utils.gpt"]
            line = (f"{label} | {impl}: {med:,.0f} tokens/s "
                    f"(runs {min(tps):,.0f}-{max(tps):,.0f}), "
                    f"{course_model.num_params() / 1e6:.2f}M params")
            utilisation = mfu(course_model.flops_per_token(), med, peak)
            if utilisation is not None:
                line += f", MFU {100 * utilisation:.1f}% of {peak / 1e12:.0f} TFLOP/s bf16"
            elif device.startswith("cuda"):
                line += " (GPU not in the peak table: no MFU)"
            print(line, flush=True)


if __name__ == "__main__":
    sys.exit(main())
