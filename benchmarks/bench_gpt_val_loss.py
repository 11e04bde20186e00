"""Validation loss after 2,000 iterations at nanoGPT's CPU-laptop configuration.

nanoGPT's README reports a validation loss of 1.88 for this run (4 layers, 4 heads, 128 wide,
block 64, batch 12, 2,000 iterations, no dropout). This script trains the same configuration
with the course engine on Tiny Shakespeare (set ``COURSE_DATA_PATH`` to a folder holding
``tinyshakespeare/input.txt`` to avoid the download) and prints the final losses.

    python benchmarks/bench_gpt_val_loss.py --threads 1
"""

from __future__ import annotations

import argparse
import time

import torch

from course_utils.gpt import get_preset, train


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--eval_iters", type=int, default=200,
                        help="batches per split for the final estimate (more = less noise)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    args = parser.parse_args()
    cfg = get_preset("shakespeare-char-laptop", device=args.device, save_checkpoint=False,
                     num_threads=args.threads, eval_iters=args.eval_iters, eval_interval=2000)
    start = time.perf_counter()
    result = train(cfg, progress=not args.no_progress)
    seconds = time.perf_counter() - start
    h = result.history
    print(f"nanoGPT CPU-laptop configuration, {cfg.max_iters} iterations, "
          f"{torch.get_num_threads()} threads, {seconds:.0f} s: "
          f"train loss {h.eval_train_loss[-1]:.4f}, val loss {h.val_loss[-1]:.4f} "
          f"(nanoGPT reports 1.88)")


if __name__ == "__main__":
    main()
