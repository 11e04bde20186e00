"""Checks for chapter 05's exercises: one gradient-descent step, and one Adam update.

The Adam check runs ``torch.optim.Adam`` on the same parameters and the same gradients, step
after step, and compares. When the learner's numbers differ it tries the usual slips (no bias
correction, a step counter off by one, ε inside the square root, the wrong sign, the state
returned in the wrong order) and names the one that reproduces their numbers.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import optim as ref
from .core import (
    CheckFailed,
    call_learner,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    first_mismatch,
    is_close,
    try_learner,
    value_or_hint,
)

#: Both exercises are exact formulas, so an answer must agree to rounding error.
CLOSE = {"rtol": 1e-9, "atol": 1e-12}


# --- exercise 1: one gradient-descent step ---------------------------------------------------


def _gd_cases() -> list[tuple[Any, Any, float]]:
    rng = np.random.default_rng(5)
    return [
        (np.array([1.0, -2.0, 0.5]), np.array([0.5, 1.0, -3.0]), 0.1),
        (rng.normal(size=(3, 2)), rng.normal(size=(3, 2)), 0.05),  # a weight matrix
        (2.0, 4.0, 0.25),  # a single parameter
        (rng.normal(size=6), 10 * rng.normal(size=6), 0.003),
    ]


@exercise_check
def check_gd_step(gd_step: Any) -> str:
    """Exercise: ``gd_step(params, grad, lr)`` returns ``params − lr · grad``."""
    gd_step = expect_callable(gd_step, "gd_step")
    for params, grad, lr in _gd_cases():
        given = np.array(params, dtype=float)
        arg = given if given.ndim else float(given)
        args = (arg, np.array(grad, dtype=float) if np.ndim(grad) else grad, lr)
        outcome = try_learner(gd_step, *args, what="gd_step")  # keeps the copies it was given
        result = value_or_hint(outcome, args, what="gd_step")
        got = expect_array(result, "gd_step(params, grad, lr)")
        want = np.asarray(params, dtype=float) - lr * np.asarray(grad, dtype=float)
        if want.ndim == 0 and got.shape == (1,):
            got = got.reshape(())  # one parameter given as a number, returned in an array: fine
        if got.shape != want.shape:
            raise CheckFailed(f"gd_step should return one new value per parameter: params has "
                              f"shape {want.shape} but your result has shape {got.shape}.")
        if given.ndim and not np.array_equal(outcome.inputs[0], given):
            raise CheckFailed("gd_step changed the params array it was given (an in-place update "
                              "such as params -= ...). Return a new array instead, e.g. "
                              "new = params - ..., so the caller still has the old values.")
        g, p = np.asarray(grad, dtype=float), np.asarray(params, dtype=float)
        if is_close(got, want, **CLOSE):
            continue
        if is_close(got, p + lr * g, **CLOSE):
            raise CheckFailed("Your step goes uphill: the gradient points in the direction in "
                              "which the loss grows fastest, so subtract lr · grad instead of "
                              "adding it.")
        if is_close(got, p - g, **CLOSE):
            raise CheckFailed("The learning rate is missing: the step is lr times the gradient, "
                              "not the whole gradient.")
        if is_close(got, -lr * g, **CLOSE) or is_close(got, lr * g, **CLOSE):
            raise CheckFailed("You returned the step itself. Return the new parameters: the old "
                              "ones minus lr · grad.")
        if is_close(got, p, **CLOSE):
            raise CheckFailed("Your function returned the parameters unchanged.")
        where = first_mismatch(got, want, **CLOSE, digits=10)
        raise CheckFailed(f"gd_step(params, grad, lr={lr:g}) {where}. The new parameters are "
                          "params − lr · grad, entry by entry.")
    return ("One step downhill: params − lr · grad. Every optimiser in this chapter is this line "
            "with a cleverer step in place of lr · grad.")


# --- exercise 2: one Adam update -------------------------------------------------------------

#: Hyperparameter sets the Adam check uses: PyTorch's defaults, then unusual ones (so constants
#: typed into the function instead of its arguments are caught).
ADAM_SETTINGS: tuple[dict[str, float], ...] = (
    {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    {"lr": 0.05, "beta1": 0.8, "beta2": 0.99, "eps": 1e-6},
)
ADAM_STEPS = 6


def _adam_problem() -> tuple[np.ndarray, list[np.ndarray]]:
    """Starting parameters and a gradient per step, on very different scales.

    One gradient entry is tiny (1e-7), so where ε goes matters; the signs change now and then,
    so the averages m and v really are averages.
    """
    rng = np.random.default_rng(2024)
    params = rng.normal(size=5)
    scales = np.array([1.0, 30.0, 1e-7, 0.01, 3.0])
    grads = [scales * rng.normal(size=5) + scales * 0.5 for _ in range(ADAM_STEPS)]
    return params, grads


def _torch_adam(params: np.ndarray, grads: list[np.ndarray], lr: float, beta1: float,
                beta2: float, eps: float) -> list[np.ndarray]:
    """The parameters after each step of torch.optim.Adam fed exactly these gradients."""
    import torch

    p = torch.nn.Parameter(torch.tensor(params, dtype=torch.float64))
    opt = torch.optim.Adam([p], lr=lr, betas=(beta1, beta2), eps=eps)
    out = []
    for g in grads:
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        out.append(p.detach().numpy().copy())
    return out


def _variant(p: np.ndarray, g: np.ndarray, m: np.ndarray, v: np.ndarray, t: int, lr: float,
             beta1: float, beta2: float, eps: float, kind: str) -> np.ndarray:
    """The new parameters as a common slip computes them (for the hints)."""
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    with np.errstate(all="ignore"):
        if kind == "no bias correction":
            return p - lr * m / (np.sqrt(v) + eps)
        if kind == "t + 1":
            return p - lr * (m / (1 - beta1 ** (t + 1))) / (np.sqrt(v / (1 - beta2 ** (t + 1))) + eps)
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        if kind == "eps inside":
            return p - lr * m_hat / np.sqrt(v_hat + eps)
        if kind == "plus":
            return p + lr * m_hat / (np.sqrt(v_hat) + eps)
        if kind == "only m corrected":
            return p - lr * m_hat / (np.sqrt(v) + eps)
        if kind == "only v corrected":
            return p - lr * m / (np.sqrt(v_hat) + eps)
    raise ValueError(kind)


_SLIPS = {
    "no bias correction": (
        "The bias correction is missing. m and v start at 0, so for the first steps they are "
        "too small; divide them by (1 − beta1**t) and (1 − beta2**t) before the update, but "
        "return the uncorrected m and v."),
    "t + 1": (
        "Your bias correction uses the step number plus one. t already counts from 1 (the "
        "first update is t = 1), so use 1 − beta1**t and 1 − beta2**t exactly as given."),
    "eps inside": (
        "ε is inside the square root. Add it after: √v̂ + eps (this is where torch.optim.Adam "
        "puts it; it matters when v̂ is tiny)."),
    "plus": "Your step goes uphill: subtract lr · m̂ / (√v̂ + eps) from the parameters.",
    "only m corrected": "You corrected m but not v: divide v by (1 − beta2**t) as well.",
    "only v corrected": "You corrected v but not m: divide m by (1 − beta1**t) as well.",
}


def _unpack(result: Any, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if result is None:
        raise CheckFailed("adam_step returned None. Did you forget to `return params, m, v`?")
    if not isinstance(result, (tuple, list)) or len(result) != 3:
        raise CheckFailed(f"adam_step should return three things, (params, m, v), but at step "
                          f"t = {t} it returned {describe(result)}. End with "
                          "`return params, m, v`.")
    return tuple(expect_array(x, f"the {name} adam_step returned")  # type: ignore[return-value]
                 for x, name in zip(result, ("params", "m", "v"), strict=True))


@exercise_check
def check_adam_step(adam_step: Any) -> str:
    """Exercise: one Adam update, compared with ``torch.optim.Adam`` over several steps."""
    adam_step = expect_callable(adam_step, "adam_step")
    params0, grads = _adam_problem()
    for setting in ADAM_SETTINGS:
        lr, beta1, beta2, eps = (setting[k] for k in ("lr", "beta1", "beta2", "eps"))
        shown = f"lr={lr:g}, beta1={beta1:g}, beta2={beta2:g}, eps={eps:g}"
        expected = _torch_adam(params0, grads, lr, beta1, beta2, eps)
        p, m, v = params0.copy(), np.zeros_like(params0), np.zeros_like(params0)
        for t, (g, want) in enumerate(zip(grads, expected, strict=True), start=1):
            result = call_learner(adam_step, p, g, m, v, t, lr, beta1, beta2, eps,
                                  what="adam_step")
            new_p, new_m, new_v = _unpack(result, t)
            ref_p, ref_m, ref_v = (np.asarray(x) for x in
                                   ref.adam_step(p, g, m, v, t, lr, beta1, beta2, eps))
            for got, name in ((new_p, "params"), (new_m, "m"), (new_v, "v")):
                if got.shape != p.shape:
                    raise CheckFailed(f"The {name} adam_step returned has shape {got.shape}, but "
                                      f"the parameters have shape {p.shape}: one entry each.")
            try:
                _diagnose(new_p, new_m, new_v, want, ref_m, ref_v, p, g, m, v, t, setting, shown)
            except CheckFailed as failed:
                if setting is ADAM_SETTINGS[0]:
                    raise
                raise CheckFailed(f"{failed} Your function passed with PyTorch's default settings "
                                  "but not with these: does it use its arguments lr, beta1, beta2 "
                                  "and eps, rather than fixed numbers?") from None
            p, m, v = new_p, new_m, new_v
    return (f"Your adam_step matches torch.optim.Adam to 1e-9 over {ADAM_STEPS} steps, with "
            "PyTorch's default settings and with unusual ones, on gradients whose sizes differ "
            "by a factor of a hundred million. Each parameter gets a step of about lr, whatever "
            "the size of its gradient.")


def _diagnose(new_p: np.ndarray, new_m: np.ndarray, new_v: np.ndarray, want: np.ndarray,
              ref_m: np.ndarray, ref_v: np.ndarray, p: np.ndarray, g: np.ndarray,
              m: np.ndarray, v: np.ndarray, t: int, setting: dict[str, float], shown: str) -> None:
    where = f"At step t = {t} (with {shown})"
    if not np.all(np.isfinite(new_p)):
        if t == 1:
            raise CheckFailed(f"{where} your parameters contain inf or nan. At t = 1 a bias "
                              "correction of 1 − beta**(t − 1) = 1 − beta**0 = 0 divides by zero: "
                              "is your step counter starting at 0? t counts from 1, so use "
                              "1 − beta1**t and 1 − beta2**t as given.")
        raise CheckFailed(f"{where} your parameters contain inf or nan. Check for a division by "
                          "something that can be 0, and that v uses grad**2 (never negative).")
    if not is_close(new_m, ref_m, **CLOSE):
        if is_close(new_m, ref_m / (1 - setting["beta1"] ** t), **CLOSE):
            raise CheckFailed(f"{where} the m you returned equals the bias-corrected "
                              "m / (1 − beta1**t) (at t = 1 that is the gradient itself). Return "
                              "the plain running average m ← beta1 · m + (1 − beta1) · grad; use "
                              "the corrected m̂ only inside the update.")
        if is_close(new_m, ref_v, **CLOSE):
            raise CheckFailed(f"{where} the m you returned looks like v. Return (params, m, v) "
                              "in that order.")
        raise CheckFailed(f"{where} m {first_mismatch(new_m, ref_m, **CLOSE, digits=10)}. "
                          "m ← beta1 · m + (1 − beta1) · grad.")
    if not is_close(new_v, ref_v, **CLOSE):
        if is_close(new_v, ref_v / (1 - setting["beta2"] ** t), **CLOSE):
            raise CheckFailed(f"{where} the v you returned equals the bias-corrected "
                              "v / (1 − beta2**t) (at t = 1 that is the squared gradient). Return "
                              "the plain running average v ← beta2 · v + (1 − beta2) · grad**2; "
                              "use the corrected v̂ only inside the update.")
        beta2 = setting["beta2"]
        if is_close(new_v, beta2 * v + (1 - beta2) * g, **CLOSE):
            raise CheckFailed(f"{where} v averages the gradient itself. It should average the "
                              "squared gradient: v ← beta2 · v + (1 − beta2) · grad**2.")
        raise CheckFailed(f"{where} v {first_mismatch(new_v, ref_v, **CLOSE, digits=10)}. "
                          "v ← beta2 · v + (1 − beta2) · grad**2.")
    if is_close(new_p, want, **CLOSE):
        return
    args = (p, g, m, v, t, setting["lr"], setting["beta1"], setting["beta2"], setting["eps"])
    for kind, hint in _SLIPS.items():
        if is_close(new_p, _variant(*args, kind), **CLOSE):
            raise CheckFailed(f"{where}: {hint}")
    if is_close(new_p, p, **CLOSE):
        raise CheckFailed(f"{where} your parameters did not change. Return the updated params.")
    wrong = first_mismatch(new_p, want, **CLOSE, digits=10)
    raise CheckFailed(f"{where} params {wrong} (torch.optim.Adam's value). "
                      "Update with params − lr · m̂ / (√v̂ + eps), where m̂ = m / (1 − beta1**t) "
                      "and v̂ = v / (1 − beta2**t).")


__all__ = ["ADAM_SETTINGS", "check_adam_step", "check_gd_step"]
