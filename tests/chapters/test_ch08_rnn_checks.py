"""Each chapter-08 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from check_helpers import (
    assert_hint,
    assert_pass,
    each_check,
    usual_wrong_answers,
)

from course_utils import rnn
from course_utils.checks.ch08_rnn import check_lstm_step, check_rnn_forward

ALL_CHECKS = [check_rnn_forward, check_lstm_step]


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "rnn", [1, 2, 3], np.zeros(3)]),
    *each_check(ALL_CHECKS, "returns-None", lambda *args: None, "None", "return"),
    *each_check([check_rnn_forward], "returns-text", lambda *args: "0.5", "should be numbers"),
    *each_check([check_rnn_forward], "wrong-shape", lambda xs, *rest: xs, "should return shape"),
    *each_check([check_rnn_forward], "nan", lambda xs, wx, wh, b: np.full((len(xs), len(b)),
                                                                          np.nan), "nan"),
    *each_check([check_lstm_step], "one-array", lambda x, h, c, *w: h, "two arrays"),
    *each_check([check_lstm_step], "wrong-shape", lambda x, h, c, *w: (x, c), "shape"),
    *each_check([check_lstm_step], "text", lambda x, h, c, *w: ("h", "c"), "should be numbers"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: the RNN forward pass -----------------------------------------------------------


def loop(xs, W_xh, W_hh, b_h, act=np.tanh, carry=True, transpose=True, keep="all", bias=True):
    h, states = np.zeros(len(b_h)), []
    for x in xs:
        pre = x @ W_xh.T + (h @ (W_hh.T if transpose else W_hh) if carry else 0) + (
            b_h if bias else 0)
        new = act(pre)
        if keep == "alias":  # one array, overwritten in place and appended every step
            h[:] = new
            states.append(h)
            continue
        states.append(pre if keep == "pre" else new)
        h = pre if carry == "pre" else new
    return np.stack(states)


def with_torch(xs, W_xh, W_hh, b_h):
    module = torch.nn.RNN(W_xh.shape[1], len(b_h)).double()
    with torch.no_grad():
        module.weight_ih_l0.copy_(torch.from_numpy(W_xh))
        module.weight_hh_l0.copy_(torch.from_numpy(W_hh))
        module.bias_ih_l0.copy_(torch.from_numpy(b_h))
        module.bias_hh_l0.zero_()
    return module(torch.from_numpy(xs))[0]  # a tensor with grad: the check must accept it


@pytest.mark.parametrize("right", [
    loop, with_torch,
    lambda xs, a, b, c: rnn.rnn_forward(xs, {"W_xh": a, "W_hh": b, "b_h": c}),
    lambda xs, a, b, c: [list(h) for h in loop(xs, a, b, c)],  # a list of lists is fine too
])
def test_rnn_forward_right_answers_pass(right, capsys):
    assert_pass(check_rnn_forward, right, capsys, "same three weights")


@pytest.mark.parametrize("wrong, fragments", [
    (lambda *a: loop(*a)[-1], ("only the last hidden state",)),
    (lambda *a: loop(*a)[::-1], ("reverse order",)),
    (lambda *a: loop(*a, keep="pre"), ("before the activation",)),
    (lambda *a: loop(*a, act=lambda z: z), ("never squashed",)),
    (lambda *a: loop(*a, carry=False), ("starts again from zero",)),
    (lambda *a: loop(*a, transpose=False), ("without its transpose",)),
    (lambda *a: np.vstack([np.zeros(len(a[3])), loop(*a)[:-1]]), ("one step late",)),
    (lambda *a: loop(*a, act=np.sin), ("Row 0", "np.tanh")),
    (lambda *a: loop(*a) + 1e-3, ("at index",)),
    (lambda *a: np.vstack([loop(*a)[:1], loop(*a)[1:] + 1e-3]), ("at index", "h = np.tanh")),
    (lambda *a: loop(*a, act=sig), ("sigmoid",)),
    (lambda *a: loop(*a, bias=False), ("bias b_h is missing",)),
    (lambda *a: loop(*a, carry="pre"), ("carry the sum before the tanh",)),
    (lambda *a: loop(*a, keep="alias"), ("changed it in place", "h.copy()")),
    (lambda *a: loop(*a).astype(np.float32), ("float32", "float64")),
    (lambda *a: torch.from_numpy(loop(*a)).float(), ("float32",)),
    (lambda xs, W_xh, W_hh, b_h: xs @ W_xh, ("ValueError", "x @ W_xh.T")),
    (lambda xs, W_xh, W_hh, b_h: torch.tanh(xs), ("TypeError", "np.tanh")),
])
def test_rnn_forward_typical_mistakes_get_their_own_hint(wrong, fragments, capsys):
    assert_hint(check_rnn_forward, wrong, capsys, *fragments)


def test_rnn_forward_check_hands_the_learner_copies(capsys):
    def spoils(xs, W_xh, W_hh, b_h):
        out = loop(xs, W_xh, W_hh, b_h)
        W_hh *= 0  # changes its own copy only
        return out

    assert_pass(check_rnn_forward, spoils, capsys)
    assert_pass(check_rnn_forward, loop, capsys)


# --- exercise 2: one LSTM step ---------------------------------------------------------------------


def sig(z):
    return 1 / (1 + np.exp(-z))


def step(x, h, c, W_ih, W_hh, b, order="ifgo", g_act=np.tanh, squash=True, forget=True,
         swap=False, squash_c=False, gate_out=True):
    a = x @ W_ih.T + h @ W_hh.T + b
    blocks = dict(zip(order, np.split(a, 4), strict=True))
    i, f, g, o = sig(blocks["i"]), sig(blocks["f"]), g_act(blocks["g"]), sig(blocks["o"])
    c_new = (f * c if forget else c) + i * g
    c_new = np.tanh(c_new) if squash_c else c_new
    h_new = (o if gate_out else 1.0) * (np.tanh(c_new) if squash else c_new)
    return (c_new, h_new) if swap else (h_new, c_new)


def torch_step(x, h, c, W_ih, W_hh, b):
    cell = torch.nn.LSTMCell(len(x), len(h)).double()
    with torch.no_grad():
        cell.weight_ih.copy_(torch.from_numpy(W_ih))
        cell.weight_hh.copy_(torch.from_numpy(W_hh))
        cell.bias_ih.copy_(torch.from_numpy(b))
        cell.bias_hh.zero_()
    h_new, c_new = cell(torch.from_numpy(x)[None], (torch.from_numpy(h)[None],
                                                     torch.from_numpy(c)[None]))
    return h_new[0], c_new[0]


@pytest.mark.parametrize("right", [
    step, torch_step,
    lambda x, h, c, a, b, d: rnn.lstm_step(x, h, c, {"W_ih": a, "W_hh": b, "b": d}),
    lambda *args: list(step(*args)),
])
def test_lstm_step_right_answers_pass(right, capsys):
    assert_pass(check_lstm_step, right, capsys, "torch.nn.LSTM")


@pytest.mark.parametrize("wrong, fragments", [
    (lambda *a: step(*a, swap=True), ("(c_new, h_new)",)),
    (lambda *a: step(*a, squash=False), ("o ⊙ tanh(c_new)",)),
    (lambda *a: step(*a, g_act=sig), ("candidate g is a tanh",)),
    (lambda *a: step(*a, order="ifog"), ("order i, f, g, o",)),
    (lambda *a: step(*a, order="figo"), ("swapped",)),
    (lambda *a: step(*a, forget=False), ("forget gate",)),
    (lambda *a: tuple(v + 1e-3 for v in step(*a)), ("c_new at index",)),
    (lambda *a: (step(*a)[0] + 1e-3, step(*a)[1]), ("h_new at index",)),
    (lambda *a: (*step(*a), None), ("two arrays", "length 3")),
    (lambda *a: np.concatenate(step(*a)), ("two arrays", "return h_new, c_new")),
    (lambda *a: step(*a, order="oifg"), ("order i, f, g, o",)),
    (lambda *a: step(*a, order="gofi"), ("order i, f, g, o",)),
    (lambda *a: step(*a, squash_c=True), ("c_new is not squashed",)),
    (lambda *a: step(*a, gate_out=False), ("output gate",)),
    (lambda *a: tuple(v.astype(np.float32) for v in step(*a)), ("float32",)),
    (lambda x, h, c, W_ih, W_hh, b: (x @ W_ih.T + h @ W_hh.T + b, c), ("np.split(a, 4)",)),
    (lambda x, h, c, W_ih, W_hh, b: (W_ih @ h, c), ("ValueError", "x @ W_ih.T")),
    (lambda x, h, c, W_ih, W_hh, b: (torch.sigmoid(x), c), ("TypeError", "NumPy")),
])
def test_lstm_step_typical_mistakes_get_their_own_hint(wrong, fragments, capsys):
    assert_hint(check_lstm_step, wrong, capsys, *fragments)
