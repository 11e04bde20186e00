"""The chapter-07 digit classifier again, written the PyTorch way.

Same architecture as :mod:`course_utils.mnist_mlp` (784 → 128 ReLU → 10), but torch does the
bookkeeping: ``nn.Linear`` holds the weights, autograd computes the backward pass, a
``DataLoader`` shuffles and batches, and ``torch.optim.SGD`` takes the steps.

Note that ``nn.Linear`` stores its weight as ``(out, in)``, the transpose of the NumPy version's
``W1 (in, out)``: :func:`from_numpy_params` and :func:`to_numpy_params` convert between the two,
so both versions can be run on exactly the same weights.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from .mnist_mlp import N_CLASSES, N_PIXELS, PARAM_NAMES, History, Params, check_params
from .validate import as_float_array, check_number


class TorchMLP(nn.Module):
    """784 inputs → ``n_hidden`` ReLU units → 10 logits."""

    def __init__(self, n_in: int = N_PIXELS, n_hidden: int = 128, n_out: int = N_CLASSES):
        super().__init__()
        for name, value in (("n_in", n_in), ("n_hidden", n_hidden), ("n_out", n_out)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"TorchMLP: {name} must be a positive whole number, got {value!r}")
        self.hidden = nn.Linear(n_in, n_hidden)
        self.output = nn.Linear(n_hidden, n_out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.ndim != 2 or x.shape[1] != self.hidden.in_features:
            raise ValueError(f"TorchMLP expects a batch of shape (n, {self.hidden.in_features}), "
                             f"got {tuple(x.shape)}; flatten 28×28 images into rows first")
        return self.output(torch.relu(self.hidden(x)))


def _as_inputs(X: Any, name: str) -> torch.Tensor:
    """The inputs ``X`` as a float tensor. A tensor or NumPy array keeps its float type (float32
    stays float32, without a copy); anything else goes through
    :func:`~course_utils.validate.as_float_array`."""
    if not isinstance(X, (torch.Tensor, np.ndarray)):
        X = as_float_array(X, name, "the inputs X", allow_bool=False)
    if isinstance(X, np.ndarray):
        X = torch.from_numpy(np.ascontiguousarray(X))
    if not X.is_floating_point():
        raise TypeError(f"{name}: X holds {X.dtype} values; use floats in [0, 1] "
                        "(flatten_images divides the 0–255 pixel values by 255)")
    return X


def _as_labels(y: Any, name: str) -> torch.Tensor:
    """The labels ``y`` as a tensor of class numbers (a tensor as it is, or from a NumPy array)."""
    if isinstance(y, torch.Tensor):
        return y
    if not isinstance(y, np.ndarray):
        raise TypeError(f"{name}: the labels y must be a NumPy array or a torch tensor of class "
                        f"numbers, not {type(y).__name__}")
    return torch.from_numpy(np.ascontiguousarray(y))


def _as_xy(X: Any, y: Any, name: str) -> tuple[torch.Tensor, torch.Tensor]:
    X, y = _as_inputs(X, name), _as_labels(y, name)
    if X.ndim != 2:
        raise ValueError(f"{name}: X must be 2-D, one flattened image per row; got shape "
                         f"{tuple(X.shape)}")
    if y.ndim != 1 or y.dtype not in (torch.int64, torch.int32, torch.uint8, torch.int16):
        raise TypeError(f"{name}: y must be a 1-D array of whole class numbers, got {y.dtype} "
                        f"of shape {tuple(y.shape)}")
    if len(X) != len(y):
        raise ValueError(f"{name}: {len(X)} examples but {len(y)} labels")
    return X, y.long()


def make_loader(X: Any, y: Any, batch_size: int = 32, shuffle: bool = True,
                seed: int = 0) -> DataLoader:
    """A ``DataLoader`` over ``(X, y)`` in batches, reshuffled every epoch from ``seed``.

    ``num_workers=0`` keeps everything in this process, which is fastest for data that is
    already in memory, and makes the shuffle order depend on ``seed`` alone.
    """
    X, y = _as_xy(X, y, "make_loader")
    if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"make_loader: batch_size must be a positive whole number, got {batch_size!r}")
    generator = torch.Generator().manual_seed(int(seed))
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, shuffle=shuffle,
                      generator=generator, num_workers=0)


def train_epoch(model: nn.Module, loader: DataLoader, optimizer: torch.optim.Optimizer) -> float:
    """One pass over ``loader``: forward, loss, backward, step for each batch. Mean loss."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"train_epoch needs a torch nn.Module, not {type(model).__name__}")
    if not isinstance(loader, DataLoader):
        raise TypeError(f"train_epoch needs a DataLoader, not {type(loader).__name__}")
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"train_epoch needs a torch optimizer, not {type(optimizer).__name__}")
    model.train()
    total, count = 0.0, 0
    for xb, yb in loader:
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        count += len(yb)
    return total / count


def _dtype(model: Any, name: str) -> torch.dtype:
    """The float type of ``model``'s weights; inputs are converted to it before the forward pass."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"{name} needs a torch nn.Module such as TorchMLP, not "
                        f"{type(model).__name__}")
    return next(model.parameters()).dtype


@torch.no_grad()
def predict_proba(model: nn.Module, X: Any) -> np.ndarray:
    """``(n, 10)`` probabilities as a NumPy array."""
    X = _as_inputs(X, "predict_proba").to(_dtype(model, "predict_proba"))
    model.eval()
    return torch.softmax(model(X), dim=1).numpy()


@torch.no_grad()
def evaluate(model: nn.Module, X: Any, y: Any) -> float:
    """Accuracy of ``model`` on ``(X, y)``: the fraction of rows whose largest logit is the label."""
    X, y = _as_xy(X, y, "evaluate")
    X = X.to(_dtype(model, "evaluate"))
    model.eval()
    return float((model(X).argmax(dim=1) == y).float().mean())


def train_torch_mlp(X: Any, y: Any, *, n_hidden: int = 128, epochs: int = 15,
                    batch_size: int = 32, lr: float = 0.1, seed: int = 0, X_val: Any = None,
                    y_val: Any = None, progress: bool = True) -> tuple[TorchMLP, History]:
    """Build a :class:`TorchMLP` (weights seeded by ``seed``) and train it with plain SGD.

    The same recipe as :func:`course_utils.mnist_mlp.train`: shuffled mini-batches, mean
    cross-entropy, ``lr`` fixed. Returns the model and a :class:`~course_utils.mnist_mlp.History`.
    """
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise ValueError(f"train_torch_mlp: epochs must be a positive whole number, got {epochs!r}")
    if check_number(lr, "train_torch_mlp", "the learning rate lr") <= 0:
        raise ValueError(f"train_torch_mlp: the learning rate lr must be a positive number, got {lr!r}")
    loader = make_loader(X, y, batch_size, shuffle=True, seed=seed)
    if (X_val is None) != (y_val is None):
        raise ValueError("train_torch_mlp: give both X_val and y_val (held-out digits), or neither")
    from tqdm.auto import tqdm

    with torch.random.fork_rng(devices=[]):  # seed the weights without disturbing torch's RNG
        torch.manual_seed(seed)
        model = TorchMLP(loader.dataset.tensors[0].shape[1], n_hidden)
    model = model.to(loader.dataset.tensors[0].dtype)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    history = History()
    start = time.perf_counter()
    bar = tqdm(range(epochs), desc="torch MLP", unit="epoch", disable=not progress)
    for _ in bar:
        history.loss.append(train_epoch(model, loader, optimizer))
        shown = {"loss": f"{history.loss[-1]:.3f}"}
        if X_val is not None:
            history.val_accuracy.append(evaluate(model, X_val, y_val))
            shown["held-out"] = f"{history.val_accuracy[-1]:.1%}"
        bar.set_postfix(shown)
    history.seconds = time.perf_counter() - start
    return model, history


def from_numpy_params(params: Params) -> TorchMLP:
    """A :class:`TorchMLP` holding exactly the NumPy network's weights (and dtype)."""
    params = check_params(params, "from_numpy_params")
    n_in, n_hidden = params["W1"].shape
    model = TorchMLP(n_in, n_hidden, params["W2"].shape[1])
    model = model.to(torch.from_numpy(params["W1"]).dtype)
    with torch.no_grad():
        model.hidden.weight.copy_(torch.from_numpy(params["W1"].T.copy()))
        model.hidden.bias.copy_(torch.from_numpy(params["b1"]))
        model.output.weight.copy_(torch.from_numpy(params["W2"].T.copy()))
        model.output.bias.copy_(torch.from_numpy(params["b2"]))
    return model


def to_numpy_params(model: nn.Module) -> Params:
    """The NumPy network's dict (``W1`` is ``hidden.weight`` transposed, and so on).

    ``model`` is a :class:`TorchMLP`, or any module with the same two ``nn.Linear`` layers
    named ``hidden`` and ``output``.
    """
    layers = [getattr(model, name, None) for name in ("hidden", "output")]
    if not isinstance(model, nn.Module) or not all(isinstance(x, nn.Linear) for x in layers):
        raise TypeError(f"to_numpy_params needs a TorchMLP (two nn.Linear layers named hidden "
                        f"and output), not {type(model).__name__}")
    tensors = (model.hidden.weight.T, model.hidden.bias, model.output.weight.T, model.output.bias)
    return {k: t.detach().cpu().numpy().copy() for k, t in zip(PARAM_NAMES, tensors, strict=True)}


def torch_gradients(params: Params, X: Any, y: Any) -> tuple[float, Params]:
    """Loss and gradients by torch autograd, named and shaped like the NumPy ``backward``'s."""
    model = from_numpy_params(params)
    X, y = _as_xy(X, y, "torch_gradients")
    loss = F.cross_entropy(model(X), y)
    loss.backward()
    grads = (model.hidden.weight.grad.T, model.hidden.bias.grad, model.output.weight.grad.T,
             model.output.bias.grad)
    return loss.item(), {k: g.numpy().copy() for k, g in zip(PARAM_NAMES, grads, strict=True)}


__all__ = [
    "TorchMLP",
    "evaluate",
    "from_numpy_params",
    "make_loader",
    "predict_proba",
    "to_numpy_params",
    "torch_gradients",
    "train_epoch",
    "train_torch_mlp",
]
