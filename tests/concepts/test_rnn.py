"""Unit tests of course_utils.rnn: the recurrence, BPTT, the LSTM cell against torch, the
character model, the bigram baseline, the memory task, and the errors a learner sees."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import rnn

TEXT = "to be, or not to be, that is the question: whether 'tis nobler in the mind\n" * 8


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def small():
    """A float64 one-layer nn.RNN and nn.LSTM with 3 inputs and 4 hidden units, and inputs."""
    torch.manual_seed(0)
    xs = torch.randn(7, 2, 3, dtype=torch.float64)
    return nn.RNN(3, 4).double(), nn.LSTM(3, 4).double(), xs


# --- the plain RNN ------------------------------------------------------------------------------


def test_rnn_forward_equals_torch_rnn_with_copied_weights(small):
    torch_rnn, _, xs = small
    params = rnn.rnn_params_from_torch(torch_rnn)
    want, h_last = torch_rnn(xs)
    got = rnn.rnn_forward(xs.numpy(), params)
    np.testing.assert_allclose(got, want.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(got[-1], h_last[0].detach().numpy(), rtol=1e-12)


def test_rnn_forward_torch_and_numpy_agree_and_unbatched_works(small):
    torch_rnn, _, xs = small
    params = rnn.rnn_params_from_torch(torch_rnn)
    tensors = {k: torch.from_numpy(v) for k, v in params.items()}
    one = xs[:, 0]
    np.testing.assert_allclose(rnn.rnn_forward_torch(one, tensors).numpy(),
                               rnn.rnn_forward(one.numpy(), params), rtol=1e-12)
    np.testing.assert_allclose(rnn.rnn_forward(one.numpy(), params),
                               torch_rnn(one)[0].detach().numpy(), rtol=1e-12, atol=1e-14)


def test_rnn_step_is_one_step_of_forward():
    params = rnn.init_rnn_params(3, 5, seed=2)
    xs = np.random.default_rng(0).normal(size=(4, 3))
    states = rnn.rnn_forward(xs, params)
    np.testing.assert_allclose(rnn.rnn_step(xs[2], states[1], params), states[2], rtol=1e-15)
    h0 = np.full(5, 0.3)
    np.testing.assert_allclose(rnn.rnn_forward(xs, params, h0=h0)[0],
                               rnn.rnn_step(xs[0], h0, params), rtol=1e-15)


def test_the_same_weights_at_every_step_mean_order_matters():
    params = rnn.init_rnn_params(3, 5, seed=1)
    xs = np.eye(3)
    assert not np.allclose(rnn.rnn_forward(xs, params)[-1], rnn.rnn_forward(xs[::-1], params)[-1])


def test_init_scale_sets_the_spectral_radius_roughly():
    w = rnn.init_rnn_params(4, 200, seed=0, scale=1.5)["W_hh"]
    assert 1.3 < np.abs(np.linalg.eigvals(w)).max() < 1.7


# --- backprop through time -----------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "relu", "linear"])
def test_hidden_state_grads_equal_autograd(activation):
    params = rnn.init_rnn_params(3, 6, seed=3, scale=1.2)
    xs = np.random.default_rng(4).normal(size=(9, 3))
    states = rnn.rnn_forward(xs, params, activation=activation)
    w = np.random.default_rng(5).normal(size=6)
    got = rnn.hidden_state_grads(states, params, w, activation)
    act = {"tanh": torch.tanh, "relu": torch.relu, "linear": lambda a: a}[activation]
    p = {k: torch.from_numpy(v) for k, v in params.items()}
    h, kept = torch.zeros(6, dtype=torch.float64, requires_grad=True), []
    for x in torch.from_numpy(xs):
        h = act(x @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"])
        h.retain_grad()
        kept.append(h)
    (torch.from_numpy(w) * kept[-1]).sum().backward()
    np.testing.assert_allclose(got, torch.stack([k.grad for k in kept]).numpy(), rtol=1e-10,
                               atol=1e-14)


# --- the LSTM ---------------------------------------------------------------------------------------


def test_lstm_forward_equals_torch_lstm_with_copied_weights(small):
    _, torch_lstm, xs = small
    params = rnn.lstm_params_from_torch(torch_lstm)
    out, (h_n, c_n) = torch_lstm(xs)
    hs, cs = rnn.lstm_forward(xs.numpy(), params)
    np.testing.assert_allclose(hs, out.detach().numpy(), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cs[-1], c_n[0].detach().numpy(), rtol=1e-12, atol=1e-14)


def test_lstm_gates_are_in_range_and_make_the_step():
    params = rnn.init_lstm_params(3, 4, seed=0)
    x, h, c = np.ones(3), np.zeros(4), np.full(4, 0.5)
    gates = rnn.lstm_gates(x, h, params)
    for name in "ifo":
        assert np.all((gates[name] > 0) & (gates[name] < 1))
    assert np.all(np.abs(gates["g"]) < 1)
    h_new, c_new = rnn.lstm_step(x, h, c, params)
    np.testing.assert_allclose(c_new, gates["f"] * c + gates["i"] * gates["g"], rtol=1e-15)
    np.testing.assert_allclose(h_new, gates["o"] * np.tanh(c_new), rtol=1e-15)


def test_lstm_sigmoid_does_not_overflow(strict_floats):
    params = rnn.init_lstm_params(2, 3, seed=0)
    params["b"] = params["b"] + 1000.0
    h, c = rnn.lstm_step(np.ones(2), np.zeros(3), np.zeros(3), params)
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(c))


# --- the character model ------------------------------------------------------------------------


def test_split_text_keeps_the_end_for_validation():
    data = rnn.split_text(TEXT)
    assert data.vocab_size == len(set(TEXT))
    assert len(data.train) + len(data.val) == len(TEXT)
    assert data.tokenizer.decode(data.val) == TEXT[len(data.train):]


def test_bigram_is_a_proper_distribution_and_its_loss_is_exact():
    data = rnn.split_text(TEXT)
    logp = rnn.bigram_log_probs(data.train, data.vocab_size)
    np.testing.assert_allclose(logp.exp().sum(dim=1).numpy(), 1.0, rtol=1e-12)
    ids = data.val
    want = -np.mean([logp[a, b].item() for a, b in zip(ids[:-1].tolist(), ids[1:].tolist(),
                                                        strict=True)])
    assert math.isclose(rnn.bigram_loss(logp, ids), want, rel_tol=1e-12)
    assert rnn.bigram_loss(logp, ids) < math.log(data.vocab_size)


def test_char_model_learns_and_beats_the_bigram_on_repetitive_text():
    result = rnn.train_char_model(TEXT, hidden_size=32, steps=60, batch_size=16, seq_len=32,
                                  lr=2e-2)
    data = rnn.split_text(TEXT)
    bigram = rnn.bigram_loss(rnn.bigram_log_probs(data.train, data.vocab_size), data.val)
    assert result.losses[-1] < result.losses[0] - 1.0
    assert result.val_loss < bigram
    assert math.isclose(result.val_loss, rnn.evaluate_loss(result.model, data.val, 32),
                        rel_tol=1e-6)


def test_training_is_reproducible_and_the_shortcut_returns_the_loss():
    settings = dict(hidden_size=8, steps=5, batch_size=4, seq_len=8, kind="lstm")
    a = rnn.train_char_model(TEXT, **settings)
    assert rnn.char_rnn_val_loss(TEXT, **settings) == a.val_loss
    assert a.model.kind == "lstm" and len(a.losses) == 5


def test_sample_text_starts_with_the_prompt_and_only_uses_the_vocabulary():
    data = rnn.split_text(TEXT)
    torch.manual_seed(0)
    model = rnn.CharRNN(data.vocab_size, 8)
    out = rnn.sample_text(model, data.tokenizer, "to be", 40, seed=1)
    assert out.startswith("to be") and len(out) == 45 and set(out) <= set(TEXT)
    assert out == rnn.sample_text(model, data.tokenizer, "to be", 40, seed=1)


def test_get_batch_targets_are_inputs_shifted_by_one():
    ids = torch.arange(100)
    x, y = rnn.get_batch(ids, 5, 10, torch.Generator().manual_seed(0))
    assert x.shape == y.shape == (5, 10)
    assert torch.equal(x[:, 1:], y[:, :-1]) and torch.equal(y - x, torch.ones_like(x))


# --- the memory task ------------------------------------------------------------------------------


def test_memory_task_batch_layout():
    x, y = rnn.memory_task_batch(6, 50, torch.Generator().manual_seed(0))
    assert x.shape == (50, 7) and y.shape == (50,)
    assert torch.equal(x[:, 0], y) and torch.all(x[:, -1] == rnn.RECALL)
    fillers = x[:, 1:-1]
    assert torch.all((fillers >= rnn.N_SYMBOLS) & (fillers < rnn.RECALL))


def test_memory_task_short_gap_is_learned():
    assert rnn.train_memory_task("lstm", 2, steps=60, batch_size=32) > 0.95
    assert rnn.train_memory_task("rnn", 2, steps=60, batch_size=32) > 0.95


# --- bad input: errors a learner can act on ------------------------------------------------------


@pytest.mark.parametrize("call, error, message", [
    (lambda: rnn.init_rnn_params(3, 0), ValueError, "hidden_size"),
    (lambda: rnn.init_lstm_params(3, 0), ValueError, "hidden_size"),
    (lambda: rnn.CharRNN(10, 0), ValueError, "hidden_size"),
    (lambda: rnn.MemoryNet("rnn", 0), ValueError, "hidden_size"),
    (lambda: rnn.init_rnn_params(3, 2.5), TypeError, "whole number"),
    (lambda: rnn.rnn_forward(np.ones((4, 5)), rnn.init_rnn_params(3, 2)), ValueError,
     "must end in 3 numbers"),
    (lambda: rnn.rnn_forward(np.ones(3), rnn.init_rnn_params(3, 2)), ValueError,
     "(time, input)"),
    (lambda: rnn.rnn_forward(np.ones((0, 3)), rnn.init_rnn_params(3, 2)), ValueError,
     "at least one time step"),
    (lambda: rnn.rnn_forward(np.ones((4, 3)), rnn.init_rnn_params(3, 2), h0=np.zeros(3)),
     ValueError, "h0 must have shape (2,)"),
    (lambda: rnn.rnn_step(np.ones(3), np.zeros(5), rnn.init_rnn_params(3, 2)), ValueError,
     "hidden size"),
    (lambda: rnn.rnn_forward("hello", rnn.init_rnn_params(3, 2)), TypeError, "must be numbers"),
    (lambda: rnn.rnn_forward(np.ones((4, 3)), {"W": 1}), TypeError, "'W_xh'"),
    (lambda: rnn.rnn_forward(np.ones((4, 3)), rnn.init_rnn_params(3, 2), activation="sigmoid"),
     ValueError, "activation must be one of"),
    (lambda: rnn.lstm_step(np.ones(3), np.zeros(2), np.zeros(3), rnn.init_lstm_params(3, 2)),
     ValueError, "cell state c"),
    (lambda: rnn.lstm_forward(np.ones((2, 4)), rnn.init_lstm_params(3, 2)), ValueError,
     "must end in 3 numbers"),
    (lambda: rnn.split_text(""), ValueError, "empty"),
    (lambda: rnn.split_text(42), TypeError, "string"),
    (lambda: rnn.split_text("abc"), ValueError, "too short"),
    (lambda: rnn.CharRNN(10)(torch.tensor([[1, 2, 10]])), ValueError,
     "outside the vocabulary"),
    (lambda: rnn.CharRNN(10)(torch.tensor([[1, -1]])), ValueError, "outside the vocabulary"),
    (lambda: rnn.CharRNN(10)(torch.tensor([1, 2])), ValueError, "(batch, time)"),
    (lambda: rnn.CharRNN(10)(torch.tensor([[0.5, 1.0]])), TypeError, "integers"),
    (lambda: rnn.CharRNN(10, kind="gru"), ValueError, "'rnn' or 'lstm'"),
    (lambda: rnn.bigram_log_probs(torch.tensor([0, 1, 7]), 5), ValueError,
     "outside the vocabulary"),
    (lambda: rnn.bigram_loss(torch.zeros(3, 3), torch.tensor([0, 3])), ValueError,
     "outside the vocabulary"),
    (lambda: rnn.get_batch(torch.arange(5), 2, 10), ValueError, "longer than seq_len"),
    (lambda: rnn.sample_text(rnn.CharRNN(3), rnn.split_text(TEXT).tokenizer, "", 5), ValueError,
     "prompt"),
    (lambda: rnn.memory_task_batch(0, 4), ValueError, "at least 1"),
    (lambda: rnn.rnn_params_from_torch(nn.RNN(3, 4, num_layers=2)), TypeError, "one-layer"),
])
def test_bad_input_gets_a_clear_error(call, error, message):
    with pytest.raises(error, match=None) as info:
        call()
    assert message in str(info.value), str(info.value)


def test_sample_text_with_an_unknown_character_names_it():
    data = rnn.split_text(TEXT)
    with pytest.raises(ValueError, match="not in the vocabulary"):
        rnn.sample_text(rnn.CharRNN(data.vocab_size, 4), data.tokenizer, "ROMEO", 5)
