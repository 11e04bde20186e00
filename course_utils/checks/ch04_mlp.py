"""Checks for chapter 04's exercises: a two-layer forward pass and counting parameters.

The forward-pass check runs the learner's function on small batches whose matrices are not
square (so a transposed matrix cannot slip through), with three different activations (so a
hard-coded ReLU cannot either), and with two batch sizes (so nothing may assume one). When the
answer is wrong it tries the usual slips (a forgotten bias, an activation on the output, none at
all) and names the one that explains the numbers.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from ..activations import relu, sigmoid
from ..mlp import count_parameters, mlp_forward
from .core import (
    CheckFailed,
    call_learner,
    describe,
    exercise_check,
    expect_array,
    expect_callable,
    first_mismatch,
    is_close,
)

# --- exercise 1: a two-layer forward pass -------------------------------------------------

_ORIENTATION = (" X holds one example per row, shape (examples, inputs), and W1 has shape "
                "(inputs, hidden), so the hidden sums are X @ W1 (not W1 @ X); W2 has shape "
                "(hidden, outputs).")
_BRACKETS = (" Check the brackets: @ binds tighter than +, so X @ W1 + b1 @ W2 means "
             "X @ W1 + (b1 @ W2).")


def _problem(seed: int, n: int) -> tuple[np.ndarray, ...]:
    """A batch X (n, 3) and a 3-4-2 network whose hidden sums are partly negative."""
    rng = np.random.default_rng(seed)
    X = rng.normal(0.0, 1.0, (n, 3))
    W1 = rng.normal(0.0, 1.0, (3, 4))
    b1 = rng.normal(0.0, 1.0, 4)
    W2 = rng.normal(0.0, 1.0, (4, 2))
    b2 = rng.normal(0.0, 1.0, 2)
    return X, W1, b1, W2, b2


class function:  # noqa: N801 - so that a hint names it: "the function activations.relu"
    """An activation that shows its name in hints instead of a memory address."""

    def __init__(self, name: str, fn: Callable[[Any], Any]) -> None:
        self.name, self.fn, self.__name__ = name, fn, name

    def __call__(self, z: Any) -> Any:
        return self.fn(z)

    def __repr__(self) -> str:
        return self.name


def _leaky(z: np.ndarray) -> np.ndarray:
    return np.where(z > 0, z, 0.1 * z)


_ACTIVATIONS: list[tuple[str, Callable[[Any], Any]]] = [
    (name, function(name, fn)) for name, fn in
    (("activations.relu", relu), ("np.tanh", np.tanh), ("a leaky ReLU", _leaky),
     ("activations.sigmoid", sigmoid))]


def _slips(X: np.ndarray, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: np.ndarray,
           f: Callable[[Any], Any]) -> list[tuple[np.ndarray, str]]:
    """Answers that the usual mistakes produce, each with the hint that fixes it."""
    z1 = X @ W1 + b1
    out = np.asarray(f(z1)) @ W2 + b2
    return [
        (z1 @ W2 + b2, "Your output is what the network gives with no activation at all: apply "
                       "`activation` to the hidden layer's sums before multiplying by W2."),
        (np.asarray(f(out)), "You applied the activation to the output layer too. Only the hidden "
                             "layer gets it; the last layer returns its raw sums H @ W2 + b2."),
        (np.asarray(f(X @ W1)) @ W2 + b2, "The bias b1 is missing: the hidden layer's sums are "
                                          "X @ W1 + b1, and the activation comes after the bias."),
        (np.asarray(f(z1)) @ W2, "The bias b2 is missing: the output layer adds its own bias, H @ W2 + b2."),
        (np.asarray(f(X @ W1)) @ W2, "Both biases are missing: each layer computes its weighted "
                                     "sums and then adds its bias, X @ W1 + b1 and H @ W2 + b2."),
        ((np.asarray(f(X @ W1)) + b1) @ W2 + b2, "The bias b1 must go inside the activation: "
                                                 "activation(X @ W1 + b1), not "
                                                 "activation(X @ W1) + b1."),
        (np.asarray(f(z1 @ W2 + b2)), "Apply the activation to the hidden layer (between the "
                                      "two layers), not after the last one."),
    ]


def _shape_advice(message: str) -> str:
    if "broadcast" in message:
        return _BRACKETS + _ORIENTATION
    if any(word in message for word in ("matmul", "shapes", "not aligned", "dimension")):
        return _ORIENTATION
    return ""


def _forward_values(fn: Callable[..., Any], args: tuple[np.ndarray, ...],
                    f: Callable[[Any], Any], name: str) -> np.ndarray:
    """The learner's output for these arguments (called on copies: it may modify them)."""
    try:
        result = call_learner(fn, *args, f, what="`forward`")
    except CheckFailed as exc:
        raise CheckFailed(f"{exc}{_shape_advice(str(exc))}") from None
    X, _, _, W2, _ = args
    want = (X.shape[0], W2.shape[1])
    got = expect_array(result, f"The output of `forward` (with activation={name})")
    if got.shape == want:
        return got
    if got.shape == want[::-1]:
        raise CheckFailed(f"Your output has shape {got.shape}, the transpose of the expected "
                          f"{want}: keep one row per example (X @ W1, not W1.T @ X.T).")
    if got.shape == (X.shape[0], args[1].shape[1]):
        raise CheckFailed(f"Your output has shape {got.shape}: that is the hidden layer (4 "
                          f"neurons). Send it through the second layer too, to get {want}.")
    raise CheckFailed(f"Your output should have shape {want} (one row per example, one column "
                      f"per output neuron), but it has shape {got.shape}.")


@exercise_check
def check_mlp_forward(forward: Any) -> str:
    """Exercise: ``forward(X, W1, b1, W2, b2, activation)`` for a batch ``X``."""
    forward = expect_callable(forward, "`forward`")
    for seed, n in ((0, 5), (1, 7), (2, 1)):
        args = _problem(seed, n)
        for name, f in _ACTIVATIONS:
            got = _forward_values(forward, args, f, name)
            want = mlp_forward(args[0], list(args[1::2]), list(args[2::2]), f)
            if np.isnan(got).any():
                raise CheckFailed(f"Your output contains nan (with activation={name}).")
            if is_close(got, want, rtol=1e-6, atol=1e-9):
                continue
            for wrong, hint in _slips(*args, f):
                if is_close(got, wrong, rtol=1e-6, atol=1e-9):
                    raise CheckFailed(f"{hint} (Found with activation={name}.)")
            for other_name, other in _ACTIVATIONS:
                alt = mlp_forward(args[0], list(args[1::2]), list(args[2::2]), other)
                if other is not f and is_close(got, alt, rtol=1e-6, atol=1e-9):
                    raise CheckFailed(f"Called with activation={name}, your function gives what "
                                      f"{other_name} would give. Use the `activation` argument "
                                      "(call activation(...)) instead of a fixed function.")
            raise CheckFailed(f"With activation={name} and a batch of {n} example(s), the output "
                              f"{first_mismatch(got, want, rtol=1e-6, atol=1e-9)}. The recipe: "
                              "H = activation(X @ W1 + b1), then return H @ W2 + b2.")
    return ("A batch of examples goes through the network in two matrix products: "
            "H = activation(X @ W1 + b1), then H @ W2 + b2. The same code works for 1 example "
            "or 10,000, with any activation.")


# --- exercise 2: counting parameters ------------------------------------------------------

#: Architectures the check tries (in this order); the last is the digit network of section 12.
PARAM_CASES: tuple[tuple[int, ...], ...] = (
    (2, 1), (2, 4, 1), (3, 5, 2), (10, 10), (4, 8, 8, 8, 3), (1, 2, 2, 2, 2, 1), (784, 16, 16, 10))


def _param_slips(sizes: tuple[int, ...]) -> list[tuple[int, str]]:
    pairs = list(zip(sizes[:-1], sizes[1:], strict=True))
    weights = sum(a * b for a, b in pairs)
    biases = sum(b for _, b in pairs)
    return [
        (weights, "You counted the weights but forgot the biases: every neuron after the input "
                  "layer has one bias too, so each layer adds `outputs` more numbers."),
        (biases, "You counted only the biases. Each layer also has inputs × outputs weights."),
        (weights + biases + sizes[0], "You gave the input layer biases too. The inputs are data "
                                      "(pixels, coordinates), not neurons: only layers that "
                                      "compute something have a bias."),
        (sum(a * b + a for a, b in pairs), "One bias per *output* neuron, not per input: a layer "
                                           "from a inputs to b neurons has a·b weights and b biases."),
        (sum(sizes), "That is the number of neurons (including the inputs), not of parameters: "
                     "count the connections (weights) between layers, plus the biases."),
        (int(np.prod(sizes)), "Multiplying all the sizes counts paths through the network, not "
                              "parameters. Each layer has in × out weights plus out biases; add "
                              "the layers up."),
        (2 * weights, "You counted one bias per weight. A neuron has one bias, however many "
                      "weights it has."),
    ]


def _as_count(value: Any, sizes: tuple[int, ...]) -> int:
    if value is None:
        raise CheckFailed(f"`param_count({list(sizes)})` returned None. Did you forget to `return` "
                          "the total?")
    if isinstance(value, (list, tuple, np.ndarray)) and np.ndim(value) > 0:
        raise CheckFailed(f"`param_count({list(sizes)})` returned {describe(value)}. Return one "
                          "number, the total over all layers (sum the per-layer counts).")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise CheckFailed(f"`param_count({list(sizes)})` should return a whole number, but it "
                          f"returned {describe(value)}.")
    if float(value) != int(float(value)):
        raise CheckFailed(f"`param_count({list(sizes)})` returned {value}, which is not a whole "
                          "number: parameters are counted, so no division is needed.")
    return int(float(value))


@exercise_check
def check_param_count(param_count: Any) -> str:
    """Exercise: ``param_count(layer_sizes)``, weights plus biases of a fully connected network."""
    param_count = expect_callable(param_count, "`param_count`")
    got = []
    for k, sizes in enumerate(PARAM_CASES):
        given = list(sizes) if k % 2 == 0 else tuple(sizes)  # lists and tuples both work
        got.append(_as_count(call_learner(param_count, given, what="`param_count`"), sizes))
    want = [count_parameters(sizes) for sizes in PARAM_CASES]
    if got == want:
        return ("Every layer adds inputs × outputs weights and one bias per output. The digit "
                "network 784-16-16-10 has 12,544 + 256 + 160 weights and 16 + 16 + 10 biases: "
                "13,002 numbers to learn.")
    first = next(k for k in range(len(want)) if got[k] != want[k])
    sizes = PARAM_CASES[first]
    shown = f"`param_count({list(sizes)})` gave {got[first]:,} but should give {want[first]:,}."
    # a slip explains the answer only if it gives the learner's numbers for every network
    slips = [_param_slips(s) for s in PARAM_CASES]
    for i, (_, hint) in enumerate(slips[0]):
        if all(slips[k][i][0] == got[k] for k in range(len(PARAM_CASES))):
            raise CheckFailed(f"{shown} {hint}")
    raise CheckFailed(f"{shown} Go layer by layer: from a layer of a neurons to one of b, there "
                      "are a × b weights and b biases. Add them up for every pair of "
                      "neighbouring sizes.")


__all__ = ["PARAM_CASES", "check_mlp_forward", "check_param_count"]
