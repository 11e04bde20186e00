"""Checks for chapter 11's exercises: splitting and merging attention heads, and layer norm.

The learner's functions work on torch tensors. Each check calls them through :mod:`.core`
(copies of the inputs, a stub becomes "not written yet", an exception becomes a hint), compares
with :mod:`course_utils.transformer`, and recognises the usual mistakes by computing them:
reshaping straight into heads without moving the time axis, ``view`` on a transposed tensor,
normalising over the wrong axis, the unbiased variance, ``eps`` left out or added outside the
square root, the mean not subtracted, the square root forgotten, the gain and shift forgotten
or swapped, ``keepdim`` left out.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .. import transformer as ref
from .core import (
    CheckFailed,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
    is_close,
    try_learner,
)


def _result(fn: Callable[..., Any], what: str, *args: Any) -> np.ndarray:
    """The learner's ``fn(*args)`` as a float array, or a hint that names what went wrong."""
    called = try_learner(fn, *args, what=what)
    shown = ", ".join(describe(a) for a in args)
    if called.error is not None:
        error = called.error
        text = f"{what} raised {type(error).__name__}: {str(error).splitlines()[0][:200]} " \
               f"(called with {shown})."
        if "view" in str(error) and ("stride" in str(error) or "contiguous" in str(error)):
            text += (" After a transpose the numbers are no longer stored in order, so .view "
                     "cannot regroup them: use .reshape(...) (or .contiguous().view(...)).")
        elif what == "layer_norm" and "must match the size" in str(error):
            text += (" A mean or variance taken without keepdim=True loses its last axis and no "
                     "longer lines up with the vectors of x: use keepdim=True.")
        raise CheckFailed(text)
    return expect_array(called.value, f"the result of {what}")


def _example(shape: tuple[int, ...], seed: int) -> torch.Tensor:
    """A float32 tensor whose entries are all different, so a wrong arrangement shows."""
    g = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=g)


# --- exercise 1: splitting heads ------------------------------------------------------------------

_SPLIT_CASES = ((2, 5, 12, 3), (1, 4, 8, 2), (3, 2, 6, 6), (2, 3, 4, 1))  # (B, T, C, n_head)


@exercise_check
def check_split_heads(split_heads: Any) -> str:
    """Exercise: (B, T, C) → (B, n_head, T, C // n_head), head h holding channels h·hd … ."""
    split_heads = expect_callable(split_heads, "split_heads")
    for i, (B, T, C, nh) in enumerate(_SPLIT_CASES):
        x = _example((B, T, C), i)
        hd = C // nh
        got = _result(split_heads, "split_heads", x, nh)
        want = ref.split_heads(x, nh).numpy()
        call = f"split_heads(x, {nh}) with x of shape {(B, T, C)}"
        if got.shape == (B, T, nh, hd) and got.shape != want.shape:
            raise CheckFailed(f"{call} returned shape {got.shape}: batch, time, heads, head_dim. "
                              "The heads must come before the time axis, so that attention's "
                              "matrix products over (time, head_dim) see one head at a time: "
                              "swap axes 1 and 2 with .transpose(1, 2).")
        if got.shape != want.shape:
            raise CheckFailed(f"{call} should return shape {want.shape} = (batch, n_head, time, "
                              f"C // n_head), but it returned shape {got.shape}.")
        if is_close(got, x.reshape(B, nh, T, hd).numpy()) and not is_close(got, want):
            raise CheckFailed(f"{call} has the right shape but mixes positions into the heads: "
                              "reshaping (B, T, C) straight to (B, n_head, T, head_dim) fills "
                              "head 0 with the first positions' numbers. Cut the channels first, "
                              ".view(B, T, n_head, head_dim), then move the heads in front of "
                              "time with .transpose(1, 2).")
        expect_close(got, want, f"{call}", rtol=0, atol=0,
                     hint=f"Head h should hold channels h·{hd} … (h+1)·{hd} − 1 of every position: "
                          "out[b, h, t] = x[b, t, h*head_dim:(h+1)*head_dim].")
    return ("Each head gets its own slice of the channels and becomes one more batch "
            "dimension: (B, T, C) → view (B, T, n_head, head_dim) → transpose → "
            "(B, n_head, T, head_dim).")


# --- exercise 2: merging heads ---------------------------------------------------------------------


@exercise_check
def check_merge_heads(merge_heads: Any) -> str:
    """Exercise: (B, n_head, T, hd) → (B, T, n_head·hd), the inverse of split_heads."""
    merge_heads = expect_callable(merge_heads, "merge_heads")
    for i, (B, T, C, nh) in enumerate(_SPLIT_CASES):
        x = _example((B, T, C), 10 + i)
        # stored head by head, as `weights @ v` hands it over (so .view after .transpose fails)
        heads = ref.split_heads(x, nh).contiguous()
        got = _result(merge_heads, "merge_heads", heads)
        want = x.numpy()
        call = f"merge_heads(h) with h of shape {tuple(heads.shape)}"
        if got.shape == (B, T, nh, C // nh) and got.shape != want.shape:
            raise CheckFailed(f"{call} returned shape {got.shape}: the heads are behind the time "
                              "axis again, but still separate. Put them side by side: "
                              f".reshape(B, T, {C}).")
        if got.shape != want.shape:
            raise CheckFailed(f"{call} should return shape {want.shape} = (batch, time, "
                              f"n_head·head_dim), but it returned shape {got.shape}.")
        if is_close(got, heads.reshape(B, T, C).numpy()) and not is_close(got, want) \
                and not is_close(heads.reshape(B, T, C).numpy(), want):
            raise CheckFailed(f"{call} has the right shape but the wrong numbers in each place: "
                              "reshaping (B, n_head, T, head_dim) straight to (B, T, C) puts the "
                              "positions of head 0 side by side. Move the time axis back in front "
                              "of the heads first, .transpose(1, 2), then .reshape(B, T, C).")
        expect_close(got, want, f"{call} (h = split_heads(x, {nh}))", rtol=0, atol=0,
                     hint="merge_heads must undo split_heads exactly: merge_heads(split_heads(x, "
                          "n)) should give x back.")
    return ("merge_heads(split_heads(x, n)) gives x back for every shape tried: transpose the "
            "heads behind time, then reshape (not view: the transposed numbers are no longer "
            "stored in order).")


# --- exercise 3: layer norm -----------------------------------------------------------------------

_EPS = 1e-5


def _layer_norm_inputs() -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor, str]]:
    g = torch.Generator().manual_seed(11)
    x = torch.randn(2, 3, 8, generator=g) * torch.tensor([[[0.5]], [[4.0]]]) + 3.0
    w = torch.randn(8, generator=g)
    b = torch.randn(8, generator=g)
    tiny = 0.002 * torch.randn(1, 2, 8, generator=g) + 1.0  # variance far below 1: where eps matters
    flat = torch.full((1, 2, 8), 2.5)  # variance exactly 0
    return [(x, w, b, "random vectors of different sizes"),
            (tiny, w, b, "vectors whose numbers hardly differ (variance about 4e-6)"),
            (flat, w, b, "vectors whose 8 numbers are all equal (variance 0)")]


def _norm(x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, *, dims: Any = -1,
          unbiased: bool = False, eps: float = _EPS, outside: bool = False,
          affine: str = "both", center: bool = True, root: bool = True) -> np.ndarray:
    """Layer norm with one of the usual mistakes made on purpose.

    ``affine``: "both" (right), "none", "weight" (no bias), "bias" (no weight) or "swapped"
    ((y + bias) · weight). ``center=False`` skips subtracting the mean; ``root=False`` divides
    by the variance instead of its square root.
    """
    x = x.double()
    w, b = w.double(), b.double()
    mean = x.mean(dim=dims, keepdim=True)
    var = x.var(dim=dims, keepdim=True, unbiased=unbiased)
    spread = (torch.sqrt(var) + eps if outside else torch.sqrt(var + eps)) if root else var + eps
    y = ((x - mean) if center else x) / spread
    y = {"both": lambda: y * w + b, "none": lambda: y, "weight": lambda: y * w,
         "bias": lambda: y + b, "swapped": lambda: (y + b) * w}[affine]()
    return y.numpy()


@exercise_check
def check_layer_norm(layer_norm: Any) -> str:
    """Exercise: (x − mean) / sqrt(var + eps) · weight + bias over the last axis."""
    layer_norm = expect_callable(layer_norm, "layer_norm")
    for x, w, b, about in _layer_norm_inputs():
        got = _result(layer_norm, "layer_norm", x, w, b)
        want = ref.layer_norm(x.double(), w.double(), b.double(), eps=_EPS).numpy()
        call = f"layer_norm(x, weight, bias) for {about}, x of shape {tuple(x.shape)}"
        if got.shape != want.shape:
            raise CheckFailed(f"{call} should return the shape of x, {want.shape}, but it returned "
                              f"{got.shape}. Keep the mean and variance as columns with "
                              "keepdim=True so they line up with their vector.")
        if not np.isfinite(got).all() and np.isfinite(want).all():
            raise CheckFailed(f"{call} gives nan or inf. A vector whose numbers are all equal has "
                              "variance 0, and dividing by sqrt(0) fails: that is what eps is for, "
                              "sqrt(var + eps).")
        if is_close(got, want, rtol=1e-4, atol=1e-4):
            continue
        mistakes = [
            (dict(dims=0), "You normalised over the first axis (the batch). Layer norm "
             "normalises each vector on its own, over its channels: the last axis, dim=-1."),
            (dict(dims=1), "You normalised over axis 1, across the positions (tokens). Layer "
             "norm normalises each vector on its own, over its channels: the last axis, dim=-1."),
            (dict(dims=(0, 1, 2)), "You normalised with the mean and variance of the whole "
             "tensor. Layer norm gives each vector its own: mean(dim=-1, keepdim=True)."),
            (dict(center=False), "You divided by the spread but did not subtract each vector's "
             "mean first: (x − mean) / sqrt(var + eps)."),
            (dict(root=False), "You divided by the variance itself. Divide by its square root "
             "(the standard deviation): sqrt(var + eps)."),
            (dict(unbiased=True), "You used the unbiased variance (dividing by n − 1), which is "
             "torch's default for .var(). Layer norm divides by n, the number of channels: "
             ".var(dim=-1, unbiased=False), or ((x − mean)**2).mean(dim=-1, keepdim=True)."),
            (dict(outside=True), "You added eps outside the square root, sqrt(var) + eps. "
             "nn.LayerNorm adds it inside: sqrt(var + eps). It matters when the variance is small."),
            (dict(eps=0.0), "You left out eps: use sqrt(var + eps) with the eps you were given."),
            (dict(affine="none"), "You normalised correctly but forgot the learned gain and "
             "shift: multiply by weight and add bias at the end."),
            (dict(affine="weight"), "You multiplied by weight but forgot to add bias at the end."),
            (dict(affine="bias"), "You added bias but forgot to multiply by weight first."),
            (dict(affine="swapped"), "You added bias before multiplying by weight. The order is "
             "normalised · weight + bias: scale first, then shift."),
        ]
        for kind, hint in mistakes:
            with np.errstate(all="ignore"):
                wrong = _norm(x, w, b, **kind)
            if is_close(got, wrong, rtol=1e-3, atol=1e-3):  # float32 answers, far-apart mistakes
                raise CheckFailed(f"{call}: {hint}")
        expect_close(got, want, call, rtol=1e-4, atol=1e-4,
                     hint="Subtract each vector's mean, divide by sqrt(its variance + eps), then "
                          "multiply by weight and add bias.")
    return ("Each vector now has mean 0 and variance 1 before the gain and shift, with eps "
            "inside the square root, exactly as torch.nn.LayerNorm computes it.")
