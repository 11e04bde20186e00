"""Data-parallel training: several processes, one model copy each, gradients averaged.

``torchrun --nproc_per_node=2 -m course_utils.gpt train ...`` starts two processes and sets
``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE`` for each. Every process draws its own batches;
:class:`~torch.nn.parallel.DistributedDataParallel` averages the gradients during ``backward``
so all copies take the same step. GPUs talk through NCCL, CPUs through gloo.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as torch_dist


@dataclass
class DistInfo:
    """Which process this is, out of how many, and the device it trains on."""

    rank: int = 0
    local_rank: int = 0
    world_size: int = 1
    device: str = "cpu"
    started_group: bool = False  # did we start the process group (and so must end it)?

    @property
    def is_master(self) -> bool:
        """Only the first process prints, evaluates and writes checkpoints."""
        return self.rank == 0


def setup_distributed(device: str | None = None) -> DistInfo:
    """Join the process group when launched by ``torchrun``; otherwise a single process."""
    from course_utils.env import pick_device

    device = pick_device(device)
    if int(os.environ.get("RANK", -1)) == -1:
        return DistInfo(device=device)
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", 0))
    world_size = int(os.environ["WORLD_SIZE"])
    if device.startswith("cuda"):
        device = f"cuda:{local_rank}"
        torch.cuda.set_device(device)
    started = False
    if not torch_dist.is_initialized():
        torch_dist.init_process_group(backend="nccl" if device.startswith("cuda") else "gloo")
        started = True
    return DistInfo(rank, local_rank, world_size, device, started)


def any_rank(flag: bool, info: DistInfo) -> bool:
    """``True`` on every process when ``flag`` is ``True`` on at least one of them.

    Every process must call it at the same point (it is an all-reduce): it turns a decision one
    process made alone, such as "my loss is nan, stop", into one they all make together.
    """
    if info.world_size == 1:
        return flag
    count = torch.tensor([1.0 if flag else 0.0], device=info.device)
    torch_dist.all_reduce(count)  # the sum over processes: how many raised the flag
    return count.item() > 0


def cleanup_distributed(info: DistInfo) -> None:
    """Leave the process group, if this process started it."""
    if info.started_group and torch_dist.is_initialized():
        torch_dist.destroy_process_group()
