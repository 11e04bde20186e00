"""Recurrent networks: the recurrence, backprop through time, the LSTM cell and a character model.

A recurrent network reads a sequence one step at a time and carries a *hidden state* from each
step to the next, using the same weights at every step::

    h_t = tanh(W_xh x_t + W_hh h_{t-1} + b)

Everything here stores its weights the way ``torch.nn.RNN`` and ``torch.nn.LSTM`` do (a weight
matrix is (outputs, inputs), the LSTM's four gates are stacked in the order input, forget,
cell, output), so weights copy between the from-scratch versions and torch unchanged:

* the NumPy recurrence: :func:`init_rnn_params`, :func:`rnn_step`, :func:`rnn_forward`, and the
  same in torch with autograd, :func:`rnn_forward_torch`;
* backprop through time by hand: :func:`hidden_state_grads`;
* the LSTM cell: :func:`init_lstm_params`, :func:`lstm_step`, :func:`lstm_forward`;
* copying weights out of torch: :func:`rnn_params_from_torch`, :func:`lstm_params_from_torch`;
* a character-level language model (:class:`CharRNN`), its data (:func:`split_text`,
  :func:`get_batch`), its loss (:func:`evaluate_loss`), its training (:func:`train_steps`,
  :func:`train_char_model`, and :func:`char_rnn_val_loss` for a later chapter's loss table) and
  sampling (:func:`sample_text`), beside the bigram baseline it must beat
  (:func:`bigram_log_probs`, :func:`bigram_loss`);
* the memory task (recall a symbol seen k steps earlier): :func:`memory_task_batch`,
  :class:`MemoryNet`, :func:`train_memory_task`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from .gpt.model import check_token_ids
from .gpt.tokenizer import CharTokenizer
from .validate import as_float_array, check_number, check_positive, check_whole

# --- activations and their derivatives (written in terms of the output h = f(a)) ---------------

ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": np.tanh,
    "relu": lambda a: np.maximum(a, 0.0),
    "linear": lambda a: a,
}
_SLOPES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": lambda h: 1.0 - h * h,
    "relu": lambda h: (h > 0).astype(h.dtype),
    "linear": np.ones_like,
}


def _activation(name: Any, where: str) -> str:
    if name not in ACTIVATIONS:
        raise ValueError(f"{where}: activation must be one of {sorted(ACTIVATIONS)}, got {name!r}")
    return str(name)


# --- the plain RNN in NumPy --------------------------------------------------------------------


def init_rnn_params(input_size: int, hidden_size: int, seed: int = 0,
                    scale: float | None = None) -> dict[str, np.ndarray]:
    """Random weights for a one-layer RNN, in torch's layout.

    ``W_xh`` is (hidden, input), ``W_hh`` (hidden, hidden), ``b_h`` (hidden,). Entries are
    drawn uniformly from ±1/√hidden, as ``torch.nn.RNN`` does; ``scale`` instead draws
    ``W_hh`` from a normal distribution with standard deviation ``scale/√hidden``, which makes
    its spectral radius (the stretch per step over many steps) close to ``scale``.
    """
    d = check_whole(input_size, "init_rnn_params", "input_size", 1)
    n = check_whole(hidden_size, "init_rnn_params",
                    "hidden_size (the number of numbers in the hidden state)", 1)
    rng = np.random.default_rng(check_whole(seed, "init_rnn_params", "seed", 0))
    bound = 1.0 / np.sqrt(n)
    params = {"W_xh": rng.uniform(-bound, bound, (n, d)),
              "W_hh": rng.uniform(-bound, bound, (n, n)),
              "b_h": rng.uniform(-bound, bound, n)}
    if scale is not None:
        scale = check_number(scale, "init_rnn_params", "scale")
        params["W_hh"] = rng.normal(0.0, scale / np.sqrt(n), (n, n))
    return params


def _rnn_shapes(params: Any, where: str) -> tuple[dict[str, np.ndarray], int, int]:
    """The three RNN weights as float arrays, with their sizes checked against each other."""
    if not isinstance(params, dict) or not {"W_xh", "W_hh", "b_h"} <= set(params):
        raise TypeError(f"{where}: params must be a dict with 'W_xh', 'W_hh' and 'b_h' "
                        "(see init_rnn_params)")
    p = {k: as_float_array(params[k], where, f"params[{k!r}]") for k in ("W_xh", "W_hh", "b_h")}
    if p["W_xh"].ndim != 2 or p["W_xh"].shape[0] == 0:
        raise ValueError(f"{where}: W_xh must be a (hidden, input) matrix with hidden ≥ 1, got "
                         f"shape {p['W_xh'].shape}")
    n, d = p["W_xh"].shape
    if p["W_hh"].shape != (n, n) or p["b_h"].shape != (n,):
        raise ValueError(f"{where}: with W_xh of shape {(n, d)} (hidden size {n}), W_hh must be "
                         f"{(n, n)} and b_h {(n,)}; got {p['W_hh'].shape} and {p['b_h'].shape}")
    return p, n, d


def _check_last(array: np.ndarray, size: int, where: str, what: str, meaning: str) -> None:
    if array.ndim == 0 or array.shape[-1] != size:
        raise ValueError(f"{where}: {what} must end in {size} numbers ({meaning}), but it has "
                         f"shape {array.shape}")


def rnn_step(x: Any, h: Any, params: dict[str, np.ndarray], activation: str = "tanh") -> np.ndarray:
    """One step of the recurrence: ``f(x W_xhᵀ + h W_hhᵀ + b_h)``.

    ``x`` is one input (input,) or a batch (batch, input); ``h`` the previous hidden state of
    the same leading shape with ``hidden`` numbers at the end.
    """
    p, n, d = _rnn_shapes(params, "rnn_step")
    act = _activation(activation, "rnn_step")
    x = as_float_array(x, "rnn_step", "the input x")
    h = as_float_array(h, "rnn_step", "the hidden state h")
    _check_last(x, d, "rnn_step", "the input x", "W_xh has that many columns")
    _check_last(h, n, "rnn_step", "the hidden state h", "the hidden size")
    return ACTIVATIONS[act](x @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"])


def rnn_forward(xs: Any, params: dict[str, np.ndarray], h0: Any = None,
                activation: str = "tanh") -> np.ndarray:
    """Run the recurrence over a sequence; return every hidden state.

    ``xs`` is (time, input) or (time, batch, input); the result is (time, hidden) or
    (time, batch, hidden): row t is h_t, the state after reading x_0 … x_t. ``h0`` (zeros by
    default) is the state before the first input.
    """
    p, n, d = _rnn_shapes(params, "rnn_forward")
    act = _activation(activation, "rnn_forward")
    xs = as_float_array(xs, "rnn_forward", "the inputs xs")
    if xs.ndim not in (2, 3) or xs.shape[0] == 0:
        raise ValueError(f"rnn_forward: xs must be (time, input) or (time, batch, input) with at "
                         f"least one time step, got shape {xs.shape}")
    _check_last(xs, d, "rnn_forward", "the inputs xs", "W_xh has that many columns")
    h = np.zeros((*xs.shape[1:-1], n)) if h0 is None else as_float_array(h0, "rnn_forward", "h0")
    if h.shape != (*xs.shape[1:-1], n):
        raise ValueError(f"rnn_forward: h0 must have shape {(*xs.shape[1:-1], n)}, got {h.shape}")
    states = []
    for x in xs:  # one step at a time, the same weights every step
        h = ACTIVATIONS[act](x @ p["W_xh"].T + h @ p["W_hh"].T + p["b_h"])
        states.append(h)
    return np.stack(states)


def rnn_forward_torch(xs: torch.Tensor, params: dict[str, torch.Tensor],
                      h0: torch.Tensor | None = None) -> torch.Tensor:
    """The tanh recurrence in torch (so autograd can differentiate it): every hidden state.

    Same shapes and weights as :func:`rnn_forward`, as tensors.
    """
    if not isinstance(xs, torch.Tensor) or xs.ndim not in (2, 3) or len(xs) == 0:
        raise ValueError("rnn_forward_torch: xs must be a tensor of shape (time, input) or "
                         f"(time, batch, input), got {getattr(xs, 'shape', type(xs).__name__)}")
    n, d = params["W_xh"].shape
    if xs.shape[-1] != d:
        raise ValueError(f"rnn_forward_torch: xs must end in {d} numbers, got shape "
                         f"{tuple(xs.shape)}")
    h = xs.new_zeros((*xs.shape[1:-1], n)) if h0 is None else h0
    states = []
    for x in xs:
        h = torch.tanh(x @ params["W_xh"].T + h @ params["W_hh"].T + params["b_h"])
        states.append(h)
    return torch.stack(states)


def rnn_params_from_torch(module: nn.RNN) -> dict[str, np.ndarray]:
    """The weights of a one-layer ``nn.RNN`` as the float64 dict :func:`rnn_forward` takes.

    torch keeps two biases (``bias_ih`` and ``bias_hh``); they are always added together,
    so here they are one ``b_h``.
    """
    if not isinstance(module, nn.RNN) or module.num_layers != 1 or module.bidirectional:
        raise TypeError("rnn_params_from_torch needs a one-layer, one-direction torch.nn.RNN")
    get = lambda name: getattr(module, name).detach().double().cpu().numpy()  # noqa: E731
    bias = get("bias_ih_l0") + get("bias_hh_l0") if module.bias else np.zeros(module.hidden_size)
    return {"W_xh": get("weight_ih_l0"), "W_hh": get("weight_hh_l0"), "b_h": bias}


# --- backprop through time ----------------------------------------------------------------------


def hidden_state_grads(hs: Any, params: dict[str, np.ndarray], grad_last: Any,
                       activation: str = "tanh") -> np.ndarray:
    """Backprop through time by hand: ∂loss/∂h_t for every step, for a loss of the last state.

    ``hs`` are the hidden states from :func:`rnn_forward` for one sequence, (time, hidden);
    ``grad_last`` is ∂loss/∂h_T, (hidden,). Going backwards, each step multiplies by the
    slope of the activation and by ``W_hh``ᵀ::

        ∂loss/∂h_{t-1} = W_hhᵀ (f'(a_t) ⊙ ∂loss/∂h_t)

    Returns an array of the shape of ``hs``: row t is ∂loss/∂h_t.
    """
    p, n, _ = _rnn_shapes(params, "hidden_state_grads")
    act = _activation(activation, "hidden_state_grads")
    hs = as_float_array(hs, "hidden_state_grads", "the hidden states hs")
    if hs.ndim != 2 or hs.shape[1] != n or len(hs) == 0:
        raise ValueError(f"hidden_state_grads: hs must be (time, {n}) for one sequence, got "
                         f"shape {hs.shape}")
    g = as_float_array(grad_last, "hidden_state_grads", "grad_last")
    if g.shape != (n,):
        raise ValueError(f"hidden_state_grads: grad_last must have shape {(n,)}, got {g.shape}")
    grads = np.zeros_like(hs)
    grads[-1] = g
    for t in range(len(hs) - 1, 0, -1):
        grads[t - 1] = (grads[t] * _SLOPES[act](hs[t])) @ p["W_hh"]
    return grads


# --- the LSTM cell -------------------------------------------------------------------------------


def init_lstm_params(input_size: int, hidden_size: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Random LSTM weights in torch's layout: the four gates stacked as rows (i, f, g, o).

    ``W_ih`` is (4·hidden, input), ``W_hh`` (4·hidden, hidden), ``b`` (4·hidden,), uniform in
    ±1/√hidden like ``torch.nn.LSTM``.
    """
    d = check_whole(input_size, "init_lstm_params", "input_size", 1)
    n = check_whole(hidden_size, "init_lstm_params",
                    "hidden_size (the number of numbers in the hidden state)", 1)
    rng = np.random.default_rng(check_whole(seed, "init_lstm_params", "seed", 0))
    bound = 1.0 / np.sqrt(n)
    return {"W_ih": rng.uniform(-bound, bound, (4 * n, d)),
            "W_hh": rng.uniform(-bound, bound, (4 * n, n)),
            "b": rng.uniform(-bound, bound, 4 * n)}


def _lstm_shapes(params: Any, where: str) -> tuple[dict[str, np.ndarray], int, int]:
    if not isinstance(params, dict) or not {"W_ih", "W_hh", "b"} <= set(params):
        raise TypeError(f"{where}: params must be a dict with 'W_ih', 'W_hh' and 'b' "
                        "(see init_lstm_params)")
    p = {k: as_float_array(params[k], where, f"params[{k!r}]") for k in ("W_ih", "W_hh", "b")}
    if p["W_ih"].ndim != 2 or p["W_ih"].shape[0] == 0 or p["W_ih"].shape[0] % 4:
        raise ValueError(f"{where}: W_ih must be (4·hidden, input) with hidden ≥ 1, got shape "
                         f"{p['W_ih'].shape}")
    four_n, d = p["W_ih"].shape
    n = four_n // 4
    if p["W_hh"].shape != (four_n, n) or p["b"].shape != (four_n,):
        raise ValueError(f"{where}: with hidden size {n}, W_hh must be {(four_n, n)} and b "
                         f"{(four_n,)}; got {p['W_hh'].shape} and {p['b'].shape}")
    return p, n, d


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * a))  # = 1/(1+e^-a), without overflow for large |a|


def lstm_gates(x: Any, h: Any, params: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """The four gates of one LSTM step: input ``i``, forget ``f``, candidate ``g``, output ``o``.

    ``i``, ``f`` and ``o`` are sigmoids (between 0 and 1: how much to let through); ``g`` is a
    tanh (the new content that ``i`` lets in).
    """
    p, n, d = _lstm_shapes(params, "lstm_gates")
    x = as_float_array(x, "lstm_gates", "the input x")
    h = as_float_array(h, "lstm_gates", "the hidden state h")
    _check_last(x, d, "lstm_gates", "the input x", "W_ih has that many columns")
    _check_last(h, n, "lstm_gates", "the hidden state h", "the hidden size")
    a = x @ p["W_ih"].T + h @ p["W_hh"].T + p["b"]
    i, f, g, o = np.split(a, 4, axis=-1)
    return {"i": _sigmoid(i), "f": _sigmoid(f), "g": np.tanh(g), "o": _sigmoid(o)}


def lstm_step(x: Any, h: Any, c: Any, params: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step: ``c' = f ⊙ c + i ⊙ g`` (forget some, write some), ``h' = o ⊙ tanh(c')``."""
    gates = lstm_gates(x, h, params)
    c = as_float_array(c, "lstm_step", "the cell state c")
    if c.shape != gates["f"].shape:
        raise ValueError(f"lstm_step: the cell state c must have the shape of h, "
                         f"{gates['f'].shape}, got {c.shape}")
    c_new = gates["f"] * c + gates["i"] * gates["g"]
    return gates["o"] * np.tanh(c_new), c_new


def lstm_forward(xs: Any, params: dict[str, np.ndarray], h0: Any = None,
                 c0: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Run the LSTM over ``xs`` (time, input) or (time, batch, input); return all h and all c."""
    _, n, _ = _lstm_shapes(params, "lstm_forward")
    xs = as_float_array(xs, "lstm_forward", "the inputs xs")
    if xs.ndim not in (2, 3) or xs.shape[0] == 0:
        raise ValueError(f"lstm_forward: xs must be (time, input) or (time, batch, input) with "
                         f"at least one time step, got shape {xs.shape}")
    shape = (*xs.shape[1:-1], n)
    h = np.zeros(shape) if h0 is None else as_float_array(h0, "lstm_forward", "h0")
    c = np.zeros(shape) if c0 is None else as_float_array(c0, "lstm_forward", "c0")
    hs, cs = [], []
    for x in xs:
        h, c = lstm_step(x, h, c, params)
        hs.append(h)
        cs.append(c)
    return np.stack(hs), np.stack(cs)


def lstm_params_from_torch(module: nn.LSTM) -> dict[str, np.ndarray]:
    """The weights of a one-layer ``nn.LSTM`` as the float64 dict :func:`lstm_step` takes."""
    if not isinstance(module, nn.LSTM) or module.num_layers != 1 or module.bidirectional \
            or module.proj_size:
        raise TypeError("lstm_params_from_torch needs a one-layer, one-direction torch.nn.LSTM")
    get = lambda name: getattr(module, name).detach().double().cpu().numpy()  # noqa: E731
    bias = get("bias_ih_l0") + get("bias_hh_l0") if module.bias else np.zeros(4 * module.hidden_size)
    return {"W_ih": get("weight_ih_l0"), "W_hh": get("weight_hh_l0"), "b": bias}


# --- a character-level language model ------------------------------------------------------------


@dataclass
class TextSplit:
    """A text as token ids: the first 90 % to train on, the last 10 % to validate on."""

    tokenizer: CharTokenizer
    train: torch.Tensor
    val: torch.Tensor

    @property
    def vocab_size(self) -> int:
        return self.tokenizer.vocab_size


def split_text(text: str, val_fraction: float = 0.1) -> TextSplit:
    """Encode ``text`` character by character and split it by position (as chapter 12 does).

    The vocabulary is the text's distinct characters, sorted. The validation part is the end
    of the text, so it measures text the model never saw rather than shuffled neighbours.
    """
    if not isinstance(text, str):
        raise TypeError(f"split_text needs a string of text, got {type(text).__name__}")
    if not text:
        raise ValueError("split_text: the text is empty; there is nothing to learn from")
    fraction = check_number(val_fraction, "split_text", "val_fraction")
    if not 0 < fraction < 1:
        raise ValueError(f"split_text: val_fraction must be between 0 and 1, got {fraction}")
    n_train = int(len(text) * (1 - fraction))
    if n_train < 2 or len(text) - n_train < 2:
        raise ValueError(f"split_text: a text of {len(text)} characters is too short to split "
                         "into a training and a validation part of at least 2 characters each")
    tokenizer = CharTokenizer.from_text(text)
    ids = torch.tensor(tokenizer.encode(text), dtype=torch.long)
    return TextSplit(tokenizer, ids[:n_train], ids[n_train:])


def _check_ids(ids: Any, where: str, vocab_size: int | None = None) -> torch.Tensor:
    if not isinstance(ids, torch.Tensor) or ids.dtype != torch.long:
        raise TypeError(f"{where}: token ids must be a torch tensor of integers (dtype long), "
                        f"got {getattr(ids, 'dtype', type(ids).__name__)}")
    if vocab_size is not None:
        check_token_ids(ids, vocab_size)
    return ids


def bigram_log_probs(train_ids: torch.Tensor, vocab_size: int, smoothing: float = 1.0) -> torch.Tensor:
    """The bigram baseline: log P(next | current) from counts of adjacent pairs, (vocab, vocab).

    ``smoothing`` is added to every count, so a pair never seen in training does not get
    probability 0 (and an infinite loss) on new text.
    """
    v = check_whole(vocab_size, "bigram_log_probs", "vocab_size", 1)
    ids = _check_ids(train_ids, "bigram_log_probs", v)
    if ids.ndim != 1 or len(ids) < 2:
        raise ValueError("bigram_log_probs: train_ids must be one sequence of at least 2 ids")
    counts = torch.zeros(v, v, dtype=torch.float64)
    counts.index_put_((ids[:-1], ids[1:]), torch.ones(len(ids) - 1, dtype=torch.float64),
                      accumulate=True)
    counts += check_positive(smoothing, "bigram_log_probs", "smoothing")
    return (counts / counts.sum(dim=1, keepdim=True)).log()


def bigram_loss(log_probs: torch.Tensor, ids: torch.Tensor) -> float:
    """Mean −log P(next | current) of the bigram table over every adjacent pair of ``ids``."""
    if not isinstance(log_probs, torch.Tensor) or log_probs.ndim != 2 \
            or log_probs.shape[0] != log_probs.shape[1]:
        raise TypeError("bigram_loss: log_probs must be the (vocab, vocab) table from "
                        "bigram_log_probs")
    ids = _check_ids(ids, "bigram_loss", log_probs.shape[0])
    if ids.ndim != 1 or len(ids) < 2:
        raise ValueError("bigram_loss: ids must be one sequence of at least 2 ids")
    return float(-log_probs[ids[:-1], ids[1:]].mean())


class CharRNN(nn.Module):
    """Next-character model: one-hot characters → a recurrent layer → scores for the next one.

    ``kind`` is ``"rnn"`` (the tanh recurrence of :func:`rnn_step`) or ``"lstm"``. The input
    is one-hot, so the recurrent layer's ``weight_ih`` has one column per character.
    """

    def __init__(self, vocab_size: int, hidden_size: int = 128, kind: str = "rnn") -> None:
        super().__init__()
        self.vocab_size = check_whole(vocab_size, "CharRNN", "vocab_size", 1)
        hidden = check_whole(hidden_size, "CharRNN",
                             "hidden_size (the number of numbers in the hidden state)", 1)
        if kind not in ("rnn", "lstm"):
            raise ValueError(f"CharRNN: kind must be 'rnn' or 'lstm', got {kind!r}")
        self.kind = kind
        layer = nn.RNN if kind == "rnn" else nn.LSTM
        self.rnn = layer(self.vocab_size, hidden, batch_first=True)
        self.head = nn.Linear(hidden, self.vocab_size)

    def forward(self, ids: torch.Tensor, state: Any = None) -> tuple[torch.Tensor, Any]:
        """``ids`` (batch, time) → logits (batch, time, vocab) and the final state."""
        ids = _check_ids(ids, "CharRNN", self.vocab_size)
        if ids.ndim != 2 or ids.shape[1] == 0:
            raise ValueError(f"CharRNN expects ids of shape (batch, time) with time ≥ 1, got "
                             f"{tuple(ids.shape)}")
        out, state = self.rnn(F.one_hot(ids, self.vocab_size).float(), state)
        return self.head(out), state


def get_batch(ids: torch.Tensor, batch_size: int, seq_len: int,
              generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``batch_size`` random windows of ``seq_len`` ids, and the same windows shifted by one."""
    ids = _check_ids(ids, "get_batch")
    b = check_whole(batch_size, "get_batch", "batch_size", 1)
    t = check_whole(seq_len, "get_batch", "seq_len", 1)
    if ids.ndim != 1 or len(ids) <= t:
        raise ValueError(f"get_batch: need one sequence longer than seq_len={t}, got "
                         f"{len(ids) if ids.ndim == 1 else tuple(ids.shape)} ids")
    starts = torch.randint(len(ids) - t, (b,), generator=generator)
    windows = ids.unfold(0, t + 1, 1)[starts]
    return windows[:, :-1], windows[:, 1:]


@torch.no_grad()
def evaluate_loss(model: CharRNN, ids: torch.Tensor, seq_len: int = 64,
                  max_windows: int | None = None) -> float:
    """Mean next-character cross-entropy over ``ids``, cut into windows of ``seq_len``.

    Each window starts from a zero state, as in training. ``max_windows`` evaluates only the
    first that many windows (faster, a little noisier).
    """
    ids = _check_ids(ids, "evaluate_loss", model.vocab_size)
    t = check_whole(seq_len, "evaluate_loss", "seq_len", 1)
    n = (len(ids) - 1) // t
    if ids.ndim != 1 or n < 1:
        raise ValueError(f"evaluate_loss: need one sequence of more than seq_len={t} ids")
    if max_windows is not None:
        n = min(n, check_whole(max_windows, "evaluate_loss", "max_windows", 1))
    x = ids[:n * t].reshape(n, t)
    y = ids[1:n * t + 1].reshape(n, t)
    was_training = model.training
    model.eval()
    logits, _ = model(x)
    model.train(was_training)
    return float(F.cross_entropy(logits.reshape(-1, model.vocab_size), y.reshape(-1)))


@dataclass
class CharModelResult:
    """What :func:`train_char_model` returns: the model, its loss per step, its validation loss."""

    model: CharRNN
    tokenizer: CharTokenizer
    losses: list[float] = field(default_factory=list)
    val_loss: float = float("nan")


def train_steps(model: CharRNN, train_ids: torch.Tensor, steps: int, batch_size: int = 32,
                seq_len: int = 64, lr: float = 5e-3, seed: int = 0,
                progress: bool = False) -> list[float]:
    """Train ``model`` for ``steps`` Adam steps on random windows; return each step's loss.

    Gradients are clipped to norm 1 before each step (an RNN's gradient can explode, see the
    chapter). The windows come from a generator seeded with ``seed``, so a run repeats exactly.
    """
    steps = check_whole(steps, "train_steps", "steps", 1)
    lr = check_positive(lr, "train_steps", "the learning rate lr")
    generator = torch.Generator().manual_seed(check_whole(seed, "train_steps", "seed", 0))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    loop: Any = range(steps)
    if progress:
        from tqdm.auto import tqdm

        loop = tqdm(loop, desc=f"char-{model.kind}", unit="step")
    for _ in loop:
        x, y = get_batch(train_ids, batch_size, seq_len, generator)
        logits, _ = model(x)
        loss = F.cross_entropy(logits.reshape(-1, model.vocab_size), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        losses.append(loss.item())
    return losses


def train_char_model(text: str, kind: str = "rnn", hidden_size: int = 128, steps: int = 600,
                     batch_size: int = 32, seq_len: int = 64, lr: float = 5e-3, seed: int = 0,
                     progress: bool = False, val_windows: int | None = None) -> CharModelResult:
    """Chapter 08's character model, trained from scratch on ``text``: the reference run.

    Seeds torch with ``seed`` before building the model, trains with :func:`train_steps` and
    measures the validation loss on the last 10 % of the text (:func:`evaluate_loss`).
    """
    data = split_text(text)
    torch.manual_seed(check_whole(seed, "train_char_model", "seed", 0))
    model = CharRNN(data.vocab_size, hidden_size, kind)
    losses = train_steps(model, data.train, steps, batch_size, seq_len, lr, seed, progress)
    val = evaluate_loss(model, data.val, seq_len, val_windows)
    return CharModelResult(model, data.tokenizer, losses, val)


def char_rnn_val_loss(text: str, **settings: Any) -> float:
    """The validation loss of chapter 08's character RNN trained on ``text`` (for loss tables).

    ``settings`` go to :func:`train_char_model` (``kind``, ``hidden_size``, ``steps`` …).
    """
    return train_char_model(text, **settings).val_loss


@torch.no_grad()
def sample_text(model: CharRNN, tokenizer: CharTokenizer, prompt: str, n_chars: int = 200,
                temperature: float = 1.0, seed: int = 0) -> str:
    """Continue ``prompt`` by ``n_chars`` characters, each drawn from the model's distribution.

    The prompt is read once; after that the model reads one character at a time and carries
    its hidden state forward, as a recurrent network does.
    """
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("sample_text needs a prompt of at least one character, e.g. '\\n'")
    n = check_whole(n_chars, "sample_text", "n_chars", 0)
    temperature = check_positive(temperature, "sample_text", "temperature")
    generator = torch.Generator().manual_seed(check_whole(seed, "sample_text", "seed", 0))
    ids = torch.tensor([tokenizer.encode(prompt)], dtype=torch.long)
    was_training = model.training
    model.eval()
    logits, state = model(ids)
    out = []
    for _ in range(n):
        probs = F.softmax(logits[0, -1] / temperature, dim=-1)
        nxt = torch.multinomial(probs, 1, generator=generator)
        out.append(int(nxt))
        logits, state = model(nxt.view(1, 1), state)
    model.train(was_training)
    return prompt + tokenizer.decode(out)


# --- the memory task: recall a symbol seen k steps earlier ---------------------------------------

N_SYMBOLS = 4  # the symbols to remember: ids 0-3
N_NOISE = 4    # filler symbols in between: ids 4-7
RECALL = N_SYMBOLS + N_NOISE  # the "now say it" marker: id 8
MEMORY_VOCAB = RECALL + 1


def memory_task_batch(k: int, batch_size: int,
                      generator: torch.Generator | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences of ``k + 1`` ids: a symbol to remember, ``k − 1`` fillers, then the recall marker.

    Returns ``x`` (batch, k + 1) and the answers ``y`` (batch,): the first symbol of each
    sequence, seen ``k`` steps before the marker. Guessing scores 1/4.
    """
    k = check_whole(k, "memory_task_batch", "the distance k", 1)
    b = check_whole(batch_size, "memory_task_batch", "batch_size", 1)
    y = torch.randint(N_SYMBOLS, (b,), generator=generator)
    filler = torch.randint(N_SYMBOLS, RECALL, (b, k - 1), generator=generator)
    x = torch.cat([y[:, None], filler, torch.full((b, 1), RECALL)], dim=1)
    return x, y


class MemoryNet(nn.Module):
    """A one-layer RNN or LSTM that reads one-hot ids and answers at the last step.

    ``forget_bias`` is added to the LSTM's forget-gate bias at the start: with a bias of 3 the
    forget gate starts at σ(3) ≈ 0.95, so the cell keeps what it holds unless it learns not to.
    """

    def __init__(self, kind: str = "rnn", hidden_size: int = 32, forget_bias: float = 3.0) -> None:
        super().__init__()
        if kind not in ("rnn", "lstm"):
            raise ValueError(f"MemoryNet: kind must be 'rnn' or 'lstm', got {kind!r}")
        n = check_whole(hidden_size, "MemoryNet", "hidden_size", 1)
        self.kind = kind
        self.rnn = (nn.RNN if kind == "rnn" else nn.LSTM)(MEMORY_VOCAB, n, batch_first=True)
        if kind == "lstm":
            with torch.no_grad():
                self.rnn.bias_hh_l0[n:2 * n] += check_number(forget_bias, "MemoryNet",
                                                             "forget_bias")
        self.head = nn.Linear(n, N_SYMBOLS)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` (batch, time) ids → scores for the four symbols (batch, 4), read at the end."""
        x = _check_ids(x, "MemoryNet", MEMORY_VOCAB)
        out, _ = self.rnn(F.one_hot(x, MEMORY_VOCAB).float())
        return self.head(out[:, -1])


def train_memory_task(kind: str, k: int, steps: int = 500, hidden_size: int = 32,
                      batch_size: int = 64, lr: float = 0.01, seed: int = 0,
                      n_test: int = 1000) -> float:
    """Train a :class:`MemoryNet` on the memory task at distance ``k``; return its test accuracy.

    Every model gets the same budget: ``steps`` Adam steps on fresh batches, gradients clipped
    to norm 1. The accuracy is measured on ``n_test`` new sequences.
    """
    steps = check_whole(steps, "train_memory_task", "steps", 1)
    seed = check_whole(seed, "train_memory_task", "seed", 0)
    torch.manual_seed(seed)
    net = MemoryNet(kind, hidden_size)
    optimizer = torch.optim.Adam(net.parameters(), lr=check_positive(lr, "train_memory_task", "lr"))
    generator = torch.Generator().manual_seed(seed + 1)
    for _ in range(steps):
        x, y = memory_task_batch(k, batch_size, generator)
        loss = F.cross_entropy(net(x), y)
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        optimizer.step()
    x, y = memory_task_batch(k, n_test, torch.Generator().manual_seed(10_000 + seed))
    with torch.no_grad():
        return float((net(x).argmax(dim=1) == y).float().mean())
