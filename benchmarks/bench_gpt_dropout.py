"""What dropout costs a training step: inside attention, outside it, nowhere; side by side.

Three copies of the default preset's model (block 512, batch 8) differ only in dropout:
0.1 everywhere (``attn_dropout=None``), 0.1 on the embeddings and residual branches but none
on the attention weights (``attn_dropout=0``, the shipped checkpoint's setting), and none at
all. Each round times ``--steps`` optimiser steps of each, in turn (A B C A B C ...), and the
medians over ``--runs`` rounds are compared. On a CPU, dropout inside attention keeps
:func:`torch.nn.functional.scaled_dot_product_attention` off its fused kernel.

    python benchmarks/bench_gpt_dropout.py --threads 2
    python benchmarks/bench_gpt_dropout.py --threads 2 --n-layer 4
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from course_utils.env import pick_device
from course_utils.gpt import GPT, get_preset

SETTINGS = {
    "dropout 0.1 everywhere": dict(dropout=0.1, attn_dropout=None),
    "dropout 0.1, none in attention": dict(dropout=0.1, attn_dropout=0.0),
    "no dropout": dict(dropout=0.0, attn_dropout=None),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--steps", type=int, default=3, help="optimiser steps per timing")
    parser.add_argument("--n-layer", type=int, default=None, help="default: the preset's")
    parser.add_argument("--device", default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    preset = get_preset("shakespeare-char")
    B, T = preset.batch_size, preset.model.block_size
    models, optimizers = {}, {}
    for name, setting in SETTINGS.items():
        extra = {"n_layer": args.n_layer} if args.n_layer else {}
        config = get_preset("shakespeare-char", **setting, **extra).model_config(vocab_size=65)
        torch.manual_seed(0)
        models[name] = GPT(config).to(device).train()
        optimizers[name] = models[name].configure_optimizer(0.1, 1e-4, (0.9, 0.99), device)
    gen = torch.Generator().manual_seed(0)
    x = torch.randint(0, 65, (B, T), generator=gen).to(device)
    y = torch.randint(0, 65, (B, T), generator=gen).to(device)

    def steps(name: str, n: int) -> float:
        model, opt = models[name], optimizers[name]
        start = time.perf_counter()
        for _ in range(n):
            _, loss = model(x, y)
            loss.backward()
            opt.step()
            opt.zero_grad(set_to_none=True)
        if device == "cuda":
            torch.cuda.synchronize()
        return time.perf_counter() - start

    c = next(iter(models.values())).config
    print(f"device {device}, {torch.get_num_threads()} threads | model {c.n_layer}L {c.n_embd}d, "
          f"block {T}, batch {B} | {args.steps} steps per timing, median of {args.runs}")
    for name in models:  # warm-up
        steps(name, 1)
    times: dict[str, list[float]] = {name: [] for name in models}
    for _ in range(args.runs):
        for name in models:
            times[name].append(steps(name, args.steps) / args.steps)
    base = statistics.median(times["dropout 0.1 everywhere"])
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:32s} {med * 1000:7.0f} ms/step  {B * T / med:8,.0f} tokens/s  "
              f"{base / med:4.2f}x the speed of dropout everywhere")


if __name__ == "__main__":
    main()
