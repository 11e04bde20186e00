"""Unit tests of course_utils.torch_mlp: the same digit classifier in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from course_utils import mnist_mlp as mm
from course_utils import torch_mlp as tm
from course_utils.data import load_mnist


@pytest.fixture(scope="module")
def digits():
    data = load_mnist("sample", verbose=False)
    return (mm.flatten_images(data.x_train), data.y_train, mm.flatten_images(data.x_test),
            data.y_test)


def test_model_shapes_and_parameter_count():
    model = tm.TorchMLP()
    assert model(torch.zeros(5, 784)).shape == (5, 10)
    assert sum(p.numel() for p in model.parameters()) == 101_770
    assert tm.TorchMLP(784, 64)(torch.zeros(1, 784)).shape == (1, 10)


@pytest.mark.parametrize("n_hidden", [0, -3, 2.5, True])
def test_model_rejects_bad_sizes(n_hidden):
    with pytest.raises(ValueError, match="n_hidden"):
        tm.TorchMLP(784, n_hidden)


def test_model_rejects_unflattened_images():
    with pytest.raises(ValueError, match=r"\(n, 784\)"):
        tm.TorchMLP()(torch.zeros(2, 28, 28))


def test_numpy_and_torch_forward_agree_on_the_same_weights():
    params = mm.init_params(32, seed=3, dtype=np.float64)
    params["b1"] += 0.05
    X = np.random.default_rng(0).random((8, 784))
    model = tm.from_numpy_params(params)
    assert model.hidden.weight.dtype == torch.float64
    with torch.no_grad():
        logits = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(logits, mm.forward(params, X)[0], rtol=1e-12, atol=1e-13)
    back = tm.to_numpy_params(model)
    assert all(np.array_equal(back[k], params[k]) for k in params)


def test_numpy_gradients_match_torch_autograd_in_float64():
    params = mm.init_params(16, seed=2, dtype=np.float64)
    rng = np.random.default_rng(1)
    params["b1"] += rng.normal(0, 0.1, 16)
    X, y = rng.random((12, 784)), rng.integers(0, 10, 12)
    loss, grads = mm.backward(params, mm.forward(params, X)[1], y)
    torch_loss, torch_grads = tm.torch_gradients(params, X, y)
    assert loss == pytest.approx(torch_loss, rel=1e-13)
    for name in mm.PARAM_NAMES:
        assert torch_grads[name].shape == params[name].shape
        np.testing.assert_allclose(grads[name], torch_grads[name], rtol=1e-10, atol=1e-15,
                                   err_msg=name)


def test_make_loader_batches_and_is_seeded(digits):
    X, y = digits[0][:100], digits[1][:100]
    loader = tm.make_loader(X, y, batch_size=32, seed=1)
    assert isinstance(loader, DataLoader) and loader.num_workers == 0
    batches = list(loader)
    assert [len(b[1]) for b in batches] == [32, 32, 32, 4]
    assert batches[0][0].dtype == torch.float32 and batches[0][1].dtype == torch.int64
    again = [b[1] for b in tm.make_loader(X, y, batch_size=32, seed=1)]
    assert all(torch.equal(a, b[1]) for a, b in zip(again, batches, strict=True))
    ordered = next(iter(tm.make_loader(X, y, batch_size=100, shuffle=False)))[1]
    assert torch.equal(ordered, torch.from_numpy(y))


@pytest.mark.parametrize("X, y, error, message", [
    ([[0.0] * 784], np.array([0]), TypeError, "NumPy array or a torch tensor"),
    (np.zeros((2, 28, 28), np.float32), np.array([0, 1]), ValueError, "2-D"),
    (np.zeros((2, 784), np.uint8), np.array([0, 1]), TypeError, "floats"),
    (np.zeros((2, 784), np.float32), np.array([0.0, 1.0]), TypeError, "whole class numbers"),
    (np.zeros((2, 784), np.float32), np.array([0, 1, 2]), ValueError, "2 examples but 3 labels"),
])
def test_make_loader_rejects_bad_data(X, y, error, message):
    with pytest.raises(error, match=message):
        tm.make_loader(X, y)


def test_make_loader_rejects_bad_batch_size(digits):
    with pytest.raises(ValueError, match="batch_size"):
        tm.make_loader(digits[0][:10], digits[1][:10], batch_size=0)


def test_train_epoch_lowers_the_loss(digits):
    X, y = digits[0][:500], digits[1][:500]
    torch.manual_seed(0)
    model = tm.TorchMLP(784, 32)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = tm.make_loader(X, y, 32)
    losses = [tm.train_epoch(model, loader, optimizer) for _ in range(3)]
    assert losses[2] < losses[0] < np.log(10) + 0.2


def test_train_epoch_rejects_wrong_arguments(digits):
    model = tm.TorchMLP()
    loader = tm.make_loader(digits[0][:10], digits[1][:10])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="nn.Module"):
        tm.train_epoch(mm.init_params(), loader, optimizer)
    with pytest.raises(TypeError, match="DataLoader"):
        tm.train_epoch(model, digits[0][:10], optimizer)
    with pytest.raises(TypeError, match="optimizer"):
        tm.train_epoch(model, loader, 0.1)


def test_training_learns_and_is_deterministic(digits):
    X, y, X_test, y_test = digits
    runs = [tm.train_torch_mlp(X[:1000], y[:1000], n_hidden=32, epochs=4, X_val=X_test,
                               y_val=y_test, progress=False) for _ in range(2)]
    (model, history), (model2, history2) = runs
    assert history.val_accuracy[-1] > 0.75
    assert history.loss == history2.loss and history.val_accuracy == history2.val_accuracy
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), model2.parameters(),
                                                 strict=True))
    assert tm.evaluate(model, X_test, y_test) == history.val_accuracy[-1]
    probs = tm.predict_proba(model, X_test[:5])
    assert probs.shape == (5, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)


def test_training_does_not_disturb_torchs_random_state(digits):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    tm.train_torch_mlp(digits[0][:64], digits[1][:64], n_hidden=8, epochs=1, progress=False)
    # the DataLoader has its own generator and the weights are drawn in a forked RNG
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "epochs"),
    ({"lr": 0}, "learning rate"),
    ({"X_val": np.zeros((2, 784), np.float32)}, "both X_val and y_val"),
])
def test_train_torch_mlp_rejects_bad_settings(digits, kwargs, message):
    with pytest.raises(ValueError, match=message):
        tm.train_torch_mlp(digits[0][:10], digits[1][:10], progress=False, **kwargs)


def test_to_numpy_params_needs_the_right_layers():
    with pytest.raises(TypeError, match="hidden and output"):
        tm.to_numpy_params(torch.nn.Linear(784, 10))
    with pytest.raises(TypeError, match="dict with keys"):
        tm.from_numpy_params(tm.TorchMLP())
