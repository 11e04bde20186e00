"""Chapter 07's digit classifier: time per epoch, NumPy from scratch vs PyTorch, side by side.

Same architecture (784 → 128 ReLU → 10, float32), same batch size, learning rate and data (the
MNIST sample's 4,000 training digits unless the full set is present), in one process. The
epochs are interleaved (numpy, torch, numpy, torch, ...) so that both see the same machine
load, and the median of the repeats is reported with the ratio numpy / torch. Two torch
loops are timed: the usual one with a ``DataLoader`` (what chapter 07 teaches) and one that
slices pre-shuffled tensors, which shows how much of torch's time is the data loader.
``--train`` also trains both for 15 epochs and prints their held-out accuracies.

    python benchmarks/bench_mnist_numpy_vs_torch.py
    python benchmarks/bench_mnist_numpy_vs_torch.py --threads 2 --repeats 9 --train
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F

from course_utils import mnist_mlp, torch_mlp
from course_utils.data import load_mnist
from course_utils.timing import format_seconds


def sliced_epoch(model: torch.nn.Module, X: torch.Tensor, y: torch.Tensor,
                 optimizer: torch.optim.Optimizer, batch_size: int,
                 generator: torch.Generator) -> None:
    """An epoch without a DataLoader: shuffle once, then slice batches out of the tensors."""
    order = torch.randperm(len(X), generator=generator)
    for start in range(0, len(X), batch_size):
        batch = order[start:start + batch_size]
        loss = F.cross_entropy(model(X[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1,
                        help="CPU threads for NumPy's BLAS and torch (default 1, as chapter 07)")
    parser.add_argument("--repeats", type=int, default=7, help="timed epochs per variant")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--source", default="auto", choices=("auto", "sample", "full"))
    parser.add_argument("--train", action="store_true",
                        help="also train both for 15 epochs and report held-out accuracy")
    args = parser.parse_args()

    mnist_mlp.set_threads(args.threads)
    data = load_mnist(args.source)
    X, y = mnist_mlp.flatten_images(data.x_train), data.y_train
    X_test, y_test = mnist_mlp.flatten_images(data.x_test), data.y_test
    print(f"784-{args.hidden}-10 ReLU, float32, batch {args.batch_size}, lr {args.lr}, "
          f"{len(X):,} digits per epoch, {args.threads} thread(s), torch {torch.__version__}, "
          f"numpy {np.__version__}")

    params = mnist_mlp.init_params(args.hidden)
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    model = torch_mlp.TorchMLP(n_hidden=args.hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr)
    loader = torch_mlp.make_loader(X, y, args.batch_size, seed=0)
    model2 = torch_mlp.TorchMLP(n_hidden=args.hidden)
    optimizer2 = torch.optim.SGD(model2.parameters(), lr=args.lr)
    Xt, yt, generator = torch.from_numpy(X), torch.from_numpy(y), torch.Generator().manual_seed(0)

    variants = {
        "numpy (from scratch)": lambda: mnist_mlp.train_epoch(params, X, y, args.batch_size,
                                                              args.lr, rng),
        "torch (DataLoader)": lambda: torch_mlp.train_epoch(model, loader, optimizer),
        "torch (sliced tensors)": lambda: sliced_epoch(model2, Xt, yt, optimizer2,
                                                       args.batch_size, generator),
    }
    for fn in variants.values():  # warm-up: first calls allocate and load kernels
        fn()
    runs: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(args.repeats):
        for name, fn in variants.items():
            runs[name].append(timed(fn))
    medians = {name: statistics.median(times) for name, times in runs.items()}

    print(f"\ntime per epoch, median of {args.repeats} (interleaved):")
    for name, median in medians.items():
        spread = f"{format_seconds(min(runs[name]))} – {format_seconds(max(runs[name]))}"
        print(f"  {name:24s} {format_seconds(median):>9s}   (range {spread})")
    numpy_time = medians["numpy (from scratch)"]
    for name in ("torch (DataLoader)", "torch (sliced tensors)"):
        print(f"numpy / {name}: {numpy_time / medians[name]:.2f}×")
    verdict = "within" if numpy_time <= 2 * medians["torch (DataLoader)"] else "NOT within"
    print(f"goal (numpy within 2× of torch per epoch): {verdict}")

    if args.train:
        params = mnist_mlp.init_params(args.hidden)
        history = mnist_mlp.train(params, X, y, epochs=15, batch_size=args.batch_size,
                                  lr=args.lr, X_val=X_test, y_val=y_test, progress=False)
        _, torch_history = torch_mlp.train_torch_mlp(X, y, n_hidden=args.hidden, epochs=15,
                                                     batch_size=args.batch_size, lr=args.lr,
                                                     X_val=X_test, y_val=y_test, progress=False)
        print(f"\n15 epochs: numpy {history.val_accuracy[-1]:.1%} held-out in "
              f"{format_seconds(history.seconds)}; torch {torch_history.val_accuracy[-1]:.1%} "
              f"in {format_seconds(torch_history.seconds)}")


if __name__ == "__main__":
    main()
