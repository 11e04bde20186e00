"""Model FLOPs utilisation (MFU): how much of the GPU's arithmetic peak training really uses."""

from __future__ import annotations

import torch

# Dense bf16 tensor-core peaks (no sparsity), FLOP/s, from the vendors' data sheets.
BF16_PEAK_FLOPS: dict[str, float] = {
    "H200": 989e12,
    "H100 SXM": 989e12,
    "H100 NVL": 835e12,
    "H100 PCIe": 756e12,
    "H100": 989e12,  # SXM is the common cloud part
    "GH200": 989e12,
    "B200": 2250e12,
    "A100": 312e12,
    "A10G": 70e12,  # 70 TFLOP/s dense, as AWS quotes it
    "A10": 125e12,
    "L40S": 362e12,
    "L4": 121e12,
    "RTX 4090": 165e12,
    "RTX 3090": 71e12,
    "V100": 125e12,  # no bf16: fp16 tensor-core peak
    "T4": 65e12,  # no bf16: fp16 tensor-core peak
}


def peak_flops(device: str | torch.device = "cuda") -> float | None:
    """The bf16 peak of the named CUDA device, or ``None`` when it is not in the table."""
    if torch.device(device).type != "cuda" or not torch.cuda.is_available():
        return None
    name = torch.cuda.get_device_name(device)
    for key in sorted(BF16_PEAK_FLOPS, key=len, reverse=True):  # most specific name first
        if key.lower() in name.lower():
            return BF16_PEAK_FLOPS[key]
    return None


def mfu(flops_per_token: float, tokens_per_sec: float, peak: float | None) -> float | None:
    """Achieved FLOP/s as a fraction of ``peak`` (``None`` when the peak is unknown)."""
    return None if not peak else flops_per_token * tokens_per_sec / peak
