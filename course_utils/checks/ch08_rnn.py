"""Checks for chapter 08's exercises: an RNN forward pass over a sequence, and one LSTM step.

Both compare the learner's NumPy function with :mod:`course_utils.rnn` on small random weights
that are *not* symmetric (so ``W`` and ``W.T`` give different answers) and on a sequence long
enough that forgetting to carry the hidden state from step to step shows. Before the general
"first mismatch" hint, each check recognises the usual slips and names them: only the last state
returned, the states in reverse order, no tanh, a hidden state that is never passed on, a weight
used untransposed; for the LSTM, the gates in the wrong order, a sigmoid where the candidate
needs a tanh, ``o ⊙ c`` instead of ``o ⊙ tanh(c)``, and (h, c) returned the wrong way round.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from .. import rnn as ref
from .core import (
    CheckFailed,
    exercise_check,
    expect_array,
    expect_callable,
    expect_close,
    is_close,
    try_learner,
    value_or_hint,
)

# --- hints shared by both exercises ------------------------------------------------------------


def _value_or_shape_hint(outcome: Any, args: tuple[Any, ...], what: str, layout: str) -> Any:
    """The learner's value, or a hint for the errors these exercises usually raise."""
    error = outcome.error
    if error is not None:
        text = str(error)
        if isinstance(error, ValueError) and ("matmul" in text or "shapes" in text
                                             or "aligned" in text):
            raise CheckFailed(f"{what} raised ValueError: {text}. The weights are stored as "
                              f"(outputs, inputs), so a row vector is multiplied by the "
                              f"transpose: {layout}.")
        if isinstance(error, TypeError) and ("Tensor" in text or "tensor" in text):
            raise CheckFailed(f"{what} raised TypeError: {text}. The inputs are NumPy arrays: "
                              "use NumPy's functions (np.tanh, np.exp), not torch's.")
    return value_or_hint(outcome, args, what=what)


def _low_precision_hint(raw: Any, want: np.ndarray, what: str) -> None:
    """Name a result that is right to float32 precision but was computed in float32."""
    dtype = str(getattr(raw, "dtype", ""))
    if ("float32" in dtype or "float16" in dtype) and is_close(
            expect_array(raw, what), want, rtol=1e-3, atol=1e-4):
        raise CheckFailed(f"{what} is right to about {3 if 'float16' in dtype else 6} digits, "
                          f"but it is {dtype.replace('torch.', '')} while the inputs are "
                          "float64: keep NumPy's float64 (drop the conversion to a lower "
                          "precision).")


# --- exercise 1: the RNN forward pass ----------------------------------------------------------

_T, _D, _H = 6, 3, 4
_P = ref.init_rnn_params(_D, _H, seed=8)
_P["W_hh"] *= 2.5  # a recurrent weight strong enough that the carried state matters
_XS = np.random.default_rng(9).normal(0.0, 1.0, (_T, _D))


def _rnn_variants(xs: np.ndarray, p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """What the usual slips compute, each with the hint that explains it."""
    out: dict[str, np.ndarray] = {}
    h, pre, fresh, wrong_t = np.zeros(_H), [], [], []
    hw = np.zeros(_H)
    for x in xs:
        a = x @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"]
        pre.append(a)
        h = np.tanh(a)
        fresh.append(np.tanh(x @ p["W_xh"].T + p["b_h"]))
        hw = np.tanh(x @ p["W_xh"].T + hw @ p["W_hh"] + p["b_h"])
        wrong_t.append(hw)
    lin, hl = [], np.zeros(_H)
    for x in xs:
        hl = x @ p["W_xh"].T + hl @ p["W_hh"].T + p["b_h"]
        lin.append(hl)
    out["pre"], out["fresh"], out["wrong_t"], out["linear"] = (np.stack(pre), np.stack(fresh),
                                                               np.stack(wrong_t), np.stack(lin))
    carried_a, shown, sig, hs, no_bias, hb = np.zeros(_H), [], [], np.zeros(_H), [], np.zeros(_H)
    for x in xs:
        carried_a = x @ p["W_xh"].T + carried_a @ p["W_hh"].T + p["b_h"]
        shown.append(np.tanh(carried_a))
        hs = 1.0 / (1.0 + np.exp(-(x @ p["W_xh"].T + hs @ p["W_hh"].T + p["b_h"])))
        sig.append(hs)
        hb = np.tanh(x @ p["W_xh"].T + hb @ p["W_hh"].T)
        no_bias.append(hb)
    out["unsquashed_carry"], out["sigmoid"], out["no_bias"] = (np.stack(shown), np.stack(sig),
                                                               np.stack(no_bias))
    return out


_RNN_HINTS = {
    "pre": ("You returned the weighted sums before the activation: apply np.tanh, "
            "h_t = tanh(x_t W_xhᵀ + h_{t-1} W_hhᵀ + b_h)."),
    "linear": ("Your hidden states are never squashed by tanh (and the values you pass on are "
               "not either): apply np.tanh at every step, then carry that h forward."),
    "fresh": ("Every step starts again from zero: the hidden state h_{t-1} must be carried from "
              "one step to the next (assign the new h inside the loop and use it next time)."),
    "unsquashed_carry": ("You store tanh(…) but carry the sum before the tanh to the next step: "
                         "the h that goes into step t+1 must be the squashed "
                         "h_t = np.tanh(…), the same value you keep."),
    "sigmoid": ("Your states are squashed by a sigmoid: the RNN's activation is np.tanh "
                "(states between −1 and 1)."),
    "no_bias": "The bias b_h is missing: add it inside the tanh at every step.",
    "wrong_t": ("W_hh is used without its transpose. With weights stored as (outputs, inputs), "
                "h_{t-1} @ W_hh.T gives the recurrent part (h @ W_hh is a different matrix)."),
}


@exercise_check
def check_rnn_forward(rnn_forward: Any) -> str:
    """Exercise: all hidden states of h_t = tanh(x_t W_xhᵀ + h_{t-1} W_hhᵀ + b_h), h_{-1} = 0."""
    rnn_forward = expect_callable(rnn_forward, "rnn_forward")
    args = (_XS, _P["W_xh"], _P["W_hh"], _P["b_h"])
    got = _value_or_shape_hint(try_learner(rnn_forward, *args, what="rnn_forward"), args,
                               "rnn_forward", "x @ W_xh.T and h @ W_hh.T")
    raw, got = got, expect_array(got, "the result of rnn_forward")
    want = ref.rnn_forward(_XS, _P)
    if got.shape == (_H,) and is_close(got, want[-1]):
        raise CheckFailed(f"You returned only the last hidden state. Return all of them, one row "
                          f"per time step: an array of shape ({_T}, {_H}) (np.stack a list of "
                          "the states).")
    if got.shape != want.shape:
        raise CheckFailed(f"For {_T} inputs of size {_D} and a hidden size of {_H}, rnn_forward "
                          f"should return shape ({_T}, {_H}) (one hidden state per step), but it "
                          f"returned shape {got.shape}.")
    if np.isnan(got).any():
        raise CheckFailed("The result contains nan (not a number).")
    _low_precision_hint(raw, want, "The result of rnn_forward")
    if is_close(got, np.broadcast_to(want[-1], want.shape)):
        raise CheckFailed("Every row is the last state: you appended the same array each time and "
                          "then changed it in place (h[:] = … or h += …). Make a new array at "
                          "every step, h = np.tanh(…), or append h.copy().")
    if is_close(got, want[::-1]):
        raise CheckFailed("Your states are in reverse order: row t should be h_t, the state "
                          "after reading x_0 … x_t (append each new h at the end).")
    for name, wrong in _rnn_variants(_XS, _P).items():
        if is_close(got, wrong):
            raise CheckFailed(_RNN_HINTS[name])
    if is_close(got[1:], want[:-1]):
        raise CheckFailed("Your states are one step late: row 0 must already be h_0 = "
                          "tanh(x_0 W_xhᵀ + b_h), the state after the first input, not the "
                          "starting zeros.")
    expect_close(got[0], want[0], "Row 0 (h_0, the state after the first input)", rtol=1e-8,
                 atol=1e-10, hint="It starts from zeros, so the recurrent part is 0: h_0 = "
                                  "np.tanh(x_0 @ W_xh.T + b_h). Then each step: h = np.tanh(x @ "
                                  "W_xh.T + h @ W_hh.T + b_h).")
    expect_close(got, want, "rnn_forward(xs, W_xh, W_hh, b_h)", rtol=1e-8, atol=1e-10,
                 hint="Each step: h = np.tanh(x @ W_xh.T + h @ W_hh.T + b_h), starting from "
                      "h = np.zeros(hidden), and keep every h.")
    return ("One cell, the same three weights at every step, and a state carried along: that is "
            "the whole recurrent network. Your states equal course_utils.rnn.rnn_forward's.")


# --- exercise 2: one LSTM step -----------------------------------------------------------------

_LD, _LH = 3, 2
_LP = ref.init_lstm_params(_LD, _LH, seed=4)
_LP["b"] = _LP["b"] + np.linspace(-1.0, 1.0, 4 * _LH)  # every gate its own clear value
_rng = np.random.default_rng(5)
_LX, _LHPREV, _LC = _rng.normal(0, 1, _LD), _rng.normal(0, 0.5, _LH), _rng.normal(0, 1.5, _LH)


def _sig(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _lstm_variants() -> dict[str, tuple[np.ndarray, np.ndarray]]:
    a = _LX @ _LP["W_ih"].T + _LHPREV @ _LP["W_hh"].T + _LP["b"]
    i, f, g, o = np.split(a, 4)
    out = {}
    c = _sig(f) * _LC + _sig(i) * np.tanh(g)
    out["o_times_c"] = (_sig(o) * c, c)
    out["squashed_c"] = (_sig(o) * np.tanh(np.tanh(c)), np.tanh(c))
    out["no_output_gate"] = (np.tanh(c), c)
    c2 = _sig(f) * _LC + _sig(i) * _sig(g)
    out["sigmoid_g"] = (_sig(o) * np.tanh(c2), c2)
    named = {"ifog": (i, f, o, g), "fig": (f, i, g, o), "gifo": (g, i, f, o)}
    for order in itertools.permutations("ifgo"):  # the blocks named in every other order
        if order != tuple("ifgo"):
            taken = dict(zip(order, (i, f, g, o), strict=True))
            named.setdefault("".join(order), (taken["i"], taken["f"], taken["g"], taken["o"]))
    for name, (ii, ff, gg, oo) in named.items():
        c3 = _sig(ff) * _LC + _sig(ii) * np.tanh(gg)
        out[name] = (_sig(oo) * np.tanh(c3), c3)
    c4 = _LC + _sig(i) * np.tanh(g)
    out["no_forget"] = (_sig(o) * np.tanh(c4), c4)
    return out


_LSTM_HINTS = {
    "o_times_c": "h must be o ⊙ tanh(c_new), not o ⊙ c_new: squash the cell state before the "
                 "output gate reads it out.",
    "sigmoid_g": "The candidate g is a tanh (new content between −1 and 1), not a sigmoid: "
                 "only i, f and o are sigmoids.",
    "ifog": "The four blocks of the pre-activation are in the order i, f, g, o (torch's order): "
            "you used the third block as the output gate and the fourth as the candidate.",
    "fig": "The first block is the input gate i and the second the forget gate f: you swapped "
           "them.",
    "gifo": "Split the pre-activation into four blocks in the order i, f, g, o.",
    "no_forget": "The old cell state must be multiplied by the forget gate: c_new = f ⊙ c + i ⊙ g.",
    "squashed_c": "c_new is not squashed: c_new = f ⊙ c + i ⊙ g as it is. Only the output reads "
                  "it through a tanh, h_new = o ⊙ tanh(c_new).",
    "no_output_gate": "h_new must pass through the output gate: h_new = o ⊙ tanh(c_new), "
                      "with o = σ(the fourth block).",
}
_WRONG_ORDER = ("The four blocks of the pre-activation are in the order i, f, g, o (torch's "
                "order): a, split in four with np.split(a, 4), gives i, f, g, o in that order, "
                "and yours used them in another order.")


@exercise_check
def check_lstm_step(lstm_step: Any) -> str:
    """Exercise: one LSTM step in torch's layout, returning (h_new, c_new)."""
    lstm_step = expect_callable(lstm_step, "lstm_step")
    args = (_LX, _LHPREV, _LC, _LP["W_ih"], _LP["W_hh"], _LP["b"])
    got = _value_or_shape_hint(try_learner(lstm_step, *args, what="lstm_step"), args,
                               "lstm_step", "x @ W_ih.T and h @ W_hh.T")
    if isinstance(got, np.ndarray) or hasattr(got, "detach"):
        shape = tuple(got.shape)
        raise CheckFailed(f"lstm_step should return two arrays, (h_new, c_new), but it returned "
                          f"one array of shape {shape}: return the two states as a pair, with `return h_new, c_new` (each of shape "
                          f"({_LH},)).")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailed(f"lstm_step should return two arrays, (h_new, c_new), but it returned "
                          f"{'None' if got is None else type(got).__name__}"
                          f"{'' if not isinstance(got, (tuple, list)) else f' of length {len(got)}'}"
                          ": end with `return h_new, c_new`.")
    h = expect_array(got[0], "h_new (the first thing returned)")
    c = expect_array(got[1], "c_new (the second thing returned)")
    want_h, want_c = ref.lstm_step(_LX, _LHPREV, _LC, _LP)
    for value, name in ((h, "h_new"), (c, "c_new")):
        if value.shape == (4 * _LH,):
            raise CheckFailed(f"{name} has shape {value.shape}, four times the hidden size: that "
                              "is the stacked pre-activation a. Split it into the four gates "
                              "with np.split(a, 4) and combine them into c_new and h_new.")
        if value.shape != (_LH,):
            raise CheckFailed(f"{name} should have shape ({_LH},) for a hidden size of {_LH}, but "
                              f"it has shape {value.shape}.")
    _low_precision_hint(got[0], want_h, "h_new")
    _low_precision_hint(got[1], want_c, "c_new")
    if is_close(h, want_c) and is_close(c, want_h):
        raise CheckFailed("You returned (c_new, h_new): return the hidden state first, "
                          "(h_new, c_new), as torch does.")
    for name, (wh, wc) in _lstm_variants().items():
        if is_close(h, wh) and is_close(c, wc):
            raise CheckFailed(_LSTM_HINTS.get(name, _WRONG_ORDER))
    expect_close(c, want_c, "c_new", rtol=1e-8, atol=1e-10,
                 hint="a = x @ W_ih.T + h @ W_hh.T + b; split it into i, f, g, o (np.split(a, "
                      "4)); sigmoid i, f, o, tanh g; then c_new = f * c + i * g.")
    expect_close(h, want_h, "h_new", rtol=1e-8, atol=1e-10, hint="h_new = o * np.tanh(c_new).")
    return ("Forget some of the old cell state, write some new content, read some out: your "
            "step equals course_utils.rnn.lstm_step (and so torch.nn.LSTM's).")


__all__ = ["check_lstm_step", "check_rnn_forward"]
