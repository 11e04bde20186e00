"""KV-cache speed-up: 500 new tokens with and without the cache, side by side in one run.

Greedy decoding, so both must produce the same tokens (checked). The model has the default
preset's width and depth and a block large enough to hold the prompt and all 500 new tokens:
within the block the cache turns every step into a one-token forward pass. (Past the block
the window slides, every position changes and the cache must be rebuilt each step, so the
speed-up fades: use ``--block`` to see that.) ``--checkpoint`` times a trained model instead.

    python benchmarks/bench_gpt_kv_cache.py
    python benchmarks/bench_gpt_kv_cache.py --checkpoint data/checkpoints/shakespeare_char.pt
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from course_utils.env import pick_device
from course_utils.gpt import GPT, generate_ids, get_preset, load_checkpoint


def timed_generation(model: GPT, idx: torch.Tensor, n: int, use_cache: bool,
                     runs: int) -> tuple[float, torch.Tensor]:
    times, out = [], None
    for _ in range(runs):
        start = time.perf_counter()
        out = torch.cat(list(generate_ids(model, idx, n, greedy=True, use_cache=use_cache)), 1)
        if idx.is_cuda:
            torch.cuda.synchronize()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--new-tokens", type=int, default=500)
    parser.add_argument("--block", type=int, default=512)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--device", default=None)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--checkpoint", default=None)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    if args.checkpoint:
        model = load_checkpoint(args.checkpoint, device=device).model
    else:
        preset = get_preset("shakespeare-char", block_size=args.block)
        torch.manual_seed(0)
        model = GPT(preset.model_config(vocab_size=65)).to(device).eval()
    c = model.config
    idx = torch.zeros(1, 1, dtype=torch.long, device=device)  # a one-token prompt
    print(f"device {device}, {torch.get_num_threads()} threads | model {c.n_layer}L {c.n_embd}d, "
          f"block {c.block_size} | {args.new_tokens} new tokens, greedy, median of {args.runs}")
    timed_generation(model, idx, 20, True, 1)  # warm-up
    with_cache, a = timed_generation(model, idx, args.new_tokens, True, args.runs)
    without, b = timed_generation(model, idx, args.new_tokens, False, args.runs)
    same = torch.equal(a, b)
    print(f"with KV cache:    {with_cache:.3f} s ({args.new_tokens / with_cache:,.0f} tokens/s)")
    print(f"without KV cache: {without:.3f} s ({args.new_tokens / without:,.0f} tokens/s)")
    print(f"speed-up: {without / with_cache:.1f}x | identical tokens: {same}")
    if not same:
        raise SystemExit("the cached and uncached generations differ")


if __name__ == "__main__":
    main()
