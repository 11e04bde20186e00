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
    return out


_RNN_HINTS = {
    "pre": ("You returned the weighted sums before the activation: apply np.tanh, "
            "h_t = tanh(x_t W_xhᵀ + h_{t-1} W_hhᵀ + b_h)."),
    "linear": ("Your hidden states are never squashed by tanh (and the values you pass on are "
               "not either): apply np.tanh at every step, then carry that h forward."),
    "fresh": ("Every step starts again from zero: the hidden state h_{t-1} must be carried from "
              "one step to the next (assign the new h inside the loop and use it next time)."),
    "wrong_t": ("W_hh is used without its transpose. With weights stored as (outputs, inputs), "
                "h_{t-1} @ W_hh.T gives the recurrent part (h @ W_hh is a different matrix)."),
}


@exercise_check
def check_rnn_forward(rnn_forward: Any) -> str:
    """Exercise: all hidden states of h_t = tanh(x_t W_xhᵀ + h_{t-1} W_hhᵀ + b_h), h_{-1} = 0."""
    rnn_forward = expect_callable(rnn_forward, "rnn_forward")
    args = (_XS, _P["W_xh"], _P["W_hh"], _P["b_h"])
    got = value_or_hint(try_learner(rnn_forward, *args, what="rnn_forward"), args,
                        what="rnn_forward")
    got = expect_array(got, "the result of rnn_forward")
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
    c2 = _sig(f) * _LC + _sig(i) * _sig(g)
    out["sigmoid_g"] = (_sig(o) * np.tanh(c2), c2)
    for name, (ii, ff, gg, oo) in {"ifog": (i, f, o, g), "fig": (f, i, g, o),
                                   "gifo": (g, i, f, o)}.items():
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
}


@exercise_check
def check_lstm_step(lstm_step: Any) -> str:
    """Exercise: one LSTM step in torch's layout, returning (h_new, c_new)."""
    lstm_step = expect_callable(lstm_step, "lstm_step")
    args = (_LX, _LHPREV, _LC, _LP["W_ih"], _LP["W_hh"], _LP["b"])
    got = value_or_hint(try_learner(lstm_step, *args, what="lstm_step"), args, what="lstm_step")
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        raise CheckFailed(f"lstm_step should return two arrays, (h_new, c_new), but it returned "
                          f"{'None' if got is None else type(got).__name__}"
                          f"{'' if not isinstance(got, (tuple, list)) else f' of length {len(got)}'}.")
    h = expect_array(got[0], "h_new (the first thing returned)")
    c = expect_array(got[1], "c_new (the second thing returned)")
    want_h, want_c = ref.lstm_step(_LX, _LHPREV, _LC, _LP)
    for value, name in ((h, "h_new"), (c, "c_new")):
        if value.shape != (_LH,):
            raise CheckFailed(f"{name} should have shape ({_LH},) for a hidden size of {_LH}, but "
                              f"it has shape {value.shape}.")
    if is_close(h, want_c) and is_close(c, want_h):
        raise CheckFailed("You returned (c_new, h_new): return the hidden state first, "
                          "(h_new, c_new), as torch does.")
    for name, (wh, wc) in _lstm_variants().items():
        if is_close(h, wh) and is_close(c, wc):
            raise CheckFailed(_LSTM_HINTS[name])
    expect_close(c, want_c, "c_new", rtol=1e-8, atol=1e-10,
                 hint="a = x @ W_ih.T + h @ W_hh.T + b; split it into i, f, g, o (np.split(a, "
                      "4)); sigmoid i, f, o, tanh g; then c_new = f * c + i * g.")
    expect_close(h, want_h, "h_new", rtol=1e-8, atol=1e-10, hint="h_new = o * np.tanh(c_new).")
    return ("Forget some of the old cell state, write some new content, read some out: your "
            "step equals course_utils.rnn.lstm_step (and so torch.nn.LSTM's).")


__all__ = ["check_lstm_step", "check_rnn_forward"]
