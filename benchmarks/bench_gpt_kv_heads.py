"""Key/value heads: decode speed and KV-cache memory for MHA, GQA and MQA at the same width.

Three models with the same layers, width and query heads, differing only in ``n_kv_head``:
multi-head (one key/value head per query head), grouped-query and multi-query (one key/value
head for all). Each generates ``--new-tokens`` tokens greedily with the KV cache for a batch of
``--batch`` prompts; the runs are interleaved (A B C A B C ...) so all three see the same
machine load, and the script prints the median tokens/s of each, the KV-cache memory (the
allocated cache tensors, checked against :func:`course_utils.gpt.kv_cache_bytes`) and the
parameter count. The weights are random: speed and memory do not depend on their values.

    python benchmarks/bench_gpt_kv_heads.py
    python benchmarks/bench_gpt_kv_heads.py --n-head 8 --kv-heads 8,2,1 --batch 16 --runs 7
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from course_utils.env import pick_device
from course_utils.gpt import GPT, GPTConfig, generate_ids, kv_cache_bytes


def label(n_head: int, n_kv_head: int) -> str:
    kind = "MHA" if n_kv_head == n_head else "MQA" if n_kv_head == 1 else "GQA"
    return f"{kind} ({n_kv_head} KV head{'s' if n_kv_head > 1 else ''})"


def timed_decode(model: GPT, prompt: torch.Tensor, n: int) -> float:
    """Seconds to generate ``n`` new tokens for every prompt in the batch, with the KV cache."""
    start = time.perf_counter()
    for _ in generate_ids(model, prompt, n, greedy=True, use_cache=True):
        pass
    if prompt.is_cuda:
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-layer", type=int, default=4)
    parser.add_argument("--n-embd", type=int, default=256)
    parser.add_argument("--n-head", type=int, default=8)
    parser.add_argument("--kv-heads", default="8,2,1", help="comma-separated n_kv_head values")
    parser.add_argument("--block", type=int, default=512)
    parser.add_argument("--prompt-len", type=int, default=16)
    parser.add_argument("--new-tokens", type=int, default=256)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--device", default=None)
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16"])
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    if args.prompt_len + args.new_tokens > args.block:
        parser.error("--prompt-len + --new-tokens must fit in --block (past the block the cache "
                     "is rebuilt every step and the comparison measures that instead)")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = pick_device(args.device)
    dtype = getattr(torch, args.dtype)
    kv_heads = [int(h) for h in args.kv_heads.split(",")]

    models = {}
    for kv in kv_heads:
        cfg = GPTConfig(vocab_size=65, block_size=args.block, n_layer=args.n_layer,
                        n_head=args.n_head, n_kv_head=kv, n_embd=args.n_embd)
        torch.manual_seed(0)
        models[kv] = GPT(cfg).to(device=device, dtype=dtype).eval()
    prompt = torch.randint(0, 65, (args.batch, args.prompt_len),
                           generator=torch.Generator().manual_seed(0)).to(device)
    head_dim = args.n_embd // args.n_head
    print(f"device {device}, {torch.get_num_threads()} threads, {args.dtype} | "
          f"{args.n_layer} layers, {args.n_embd} wide, {args.n_head} query heads of {head_dim} | "
          f"batch {args.batch}, prompt {args.prompt_len}, {args.new_tokens} new tokens, "
          f"greedy with the KV cache | median of {args.runs} interleaved runs")

    for model in models.values():
        timed_decode(model, prompt, 8)  # warm-up
    times: dict[int, list[float]] = {kv: [] for kv in kv_heads}
    for _ in range(args.runs):
        for kv, model in models.items():  # A B C A B C ...: the same load for every model
            times[kv].append(timed_decode(model, prompt, args.new_tokens))

    context = args.prompt_len + args.new_tokens
    base = statistics.median(times[kv_heads[0]])
    print(f"\n| attention | parameters | KV cache, whole block ({args.block}) | "
          f"KV cache at {context} tokens | decode tokens/s | vs {label(args.n_head, kv_heads[0])} |")
    print("|---|---|---|---|---|---|")
    for kv, model in models.items():
        allocated = sum(c.nbytes for c in model.make_caches(args.batch))
        predicted = kv_cache_bytes(model.config, batch=args.batch, dtype=dtype)
        if allocated != predicted:
            raise SystemExit(f"kv_cache_bytes says {predicted} bytes, the caches hold {allocated}")
        used = kv_cache_bytes(model.config, context=context, batch=args.batch, dtype=dtype)
        median = statistics.median(times[kv])
        speed = args.batch * args.new_tokens / median
        print(f"| {label(args.n_head, kv)} | {model.num_params():,} | {allocated / 2**20:.2f} MiB | "
              f"{used / 2**20:.2f} MiB | {speed:,.0f} | {base / median:.2f}x |")


if __name__ == "__main__":
    main()
