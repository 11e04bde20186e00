"""Unit tests of course_utils.torch_mlp: the same digit classifier in PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from course_utils import mnist_mlp, torch_mlp
from course_utils.data import load_mnist


@pytest.fixture(scope="module")
def digits():
    data = load_mnist("sample", verbose=False)
    return (mnist_mlp.flatten_images(data.x_train), data.y_train,
            mnist_mlp.flatten_images(data.x_test),
            data.y_test)


def test_model_shapes_and_parameter_count():
    model = torch_mlp.TorchMLP()
    assert model(torch.zeros(5, 784)).shape == (5, 10)
    assert sum(p.numel() for p in model.parameters()) == 101_770
    assert torch_mlp.TorchMLP(784, 64)(torch.zeros(1, 784)).shape == (1, 10)


@pytest.mark.parametrize("n_hidden", [0, -3, 2.5, True])
def test_model_rejects_bad_sizes(n_hidden):
    with pytest.raises(ValueError, match="n_hidden"):
        torch_mlp.TorchMLP(784, n_hidden)


def test_model_rejects_unflattened_images():
    with pytest.raises(ValueError, match=r"\(n, 784\)"):
        torch_mlp.TorchMLP()(torch.zeros(2, 28, 28))


def test_numpy_and_torch_forward_agree_on_the_same_weights():
    params = mnist_mlp.init_params(32, seed=3, dtype=np.float64)
    params["b1"] += 0.05
    X = np.random.default_rng(0).random((8, 784))
    model = torch_mlp.from_numpy_params(params)
    assert model.hidden.weight.dtype == torch.float64
    with torch.no_grad():
        logits = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(logits, mnist_mlp.forward(params, X)[0], rtol=1e-12, atol=1e-13)
    back = torch_mlp.to_numpy_params(model)
    assert all(np.array_equal(back[k], params[k]) for k in params)


def test_numpy_gradients_match_torch_autograd_in_float64():
    params = mnist_mlp.init_params(16, seed=2, dtype=np.float64)
    rng = np.random.default_rng(1)
    params["b1"] += rng.normal(0, 0.1, 16)
    X, y = rng.random((12, 784)), rng.integers(0, 10, 12)
    loss, grads = mnist_mlp.backward(params, mnist_mlp.forward(params, X)[1], y)
    torch_loss, torch_grads = torch_mlp.torch_gradients(params, X, y)
    assert loss == pytest.approx(torch_loss, rel=1e-13)
    for name in mnist_mlp.PARAM_NAMES:
        assert torch_grads[name].shape == params[name].shape
        np.testing.assert_allclose(grads[name], torch_grads[name], rtol=1e-10, atol=1e-15,
                                   err_msg=name)


def test_make_loader_batches_and_is_seeded(digits):
    X, y = digits[0][:100], digits[1][:100]
    loader = torch_mlp.make_loader(X, y, batch_size=32, seed=1)
    assert isinstance(loader, DataLoader) and loader.num_workers == 0
    batches = list(loader)
    assert [len(b[1]) for b in batches] == [32, 32, 32, 4]
    assert batches[0][0].dtype == torch.float32 and batches[0][1].dtype == torch.int64
    again = [b[1] for b in torch_mlp.make_loader(X, y, batch_size=32, seed=1)]
    assert all(torch.equal(a, b[1]) for a, b in zip(again, batches, strict=True))
    ordered = next(iter(torch_mlp.make_loader(X, y, batch_size=100, shuffle=False)))[1]
    assert torch.equal(ordered, torch.from_numpy(y))


@pytest.mark.parametrize("X, y, error, message", [
    (None, np.array([0]), TypeError, "make_loader: the inputs X must be numbers"),
    ([["0.5"] * 784], np.array([0]), TypeError, "make_loader: the inputs X must be numbers"),
    (np.zeros((1, 784), np.float32), [0], TypeError, "NumPy array or a torch tensor"),
    (np.zeros((2, 28, 28), np.float32), np.array([0, 1]), ValueError, "2-D"),
    (np.zeros((2, 784), np.uint8), np.array([0, 1]), TypeError, "divides the 0–255"),
    (np.zeros((2, 784), np.float32), np.array([0.0, 1.0]), TypeError, "whole class numbers"),
    (np.zeros((2, 784), np.float32), np.array([0, 1, 2]), ValueError, "2 examples but 3 labels"),
])
def test_make_loader_rejects_bad_data(X, y, error, message):
    with pytest.raises(error, match=message):
        torch_mlp.make_loader(X, y)


def test_inputs_may_be_lists_or_another_float_type(digits):
    X, y = digits[0][:20], digits[1][:20]
    loader = torch_mlp.make_loader(X.tolist(), y, batch_size=20, shuffle=False)
    assert next(iter(loader))[0].dtype == torch.float64  # a list becomes float64
    model = torch_mlp.TorchMLP(784, 8)  # float32 weights: the inputs are converted to them
    want = torch_mlp.predict_proba(model, X)
    np.testing.assert_allclose(torch_mlp.predict_proba(model, X.astype(np.float64)), want)
    np.testing.assert_allclose(torch_mlp.predict_proba(model, X.tolist()), want)
    assert torch_mlp.evaluate(model, X.astype(np.float64), y) == torch_mlp.evaluate(model, X, y)
    with pytest.raises(TypeError, match="predict_proba needs a torch nn.Module"):
        torch_mlp.predict_proba(mnist_mlp.init_params(), X)


def test_make_loader_rejects_bad_batch_size(digits):
    with pytest.raises(ValueError, match="batch_size"):
        torch_mlp.make_loader(digits[0][:10], digits[1][:10], batch_size=0)


def test_train_epoch_lowers_the_loss(digits):
    X, y = digits[0][:500], digits[1][:500]
    torch.manual_seed(0)
    model = torch_mlp.TorchMLP(784, 32)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    loader = torch_mlp.make_loader(X, y, 32)
    losses = [torch_mlp.train_epoch(model, loader, optimizer) for _ in range(3)]
    assert losses[2] < losses[0] < np.log(10) + 0.2


def test_train_epoch_rejects_wrong_arguments(digits):
    model = torch_mlp.TorchMLP()
    loader = torch_mlp.make_loader(digits[0][:10], digits[1][:10])
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="nn.Module"):
        torch_mlp.train_epoch(mnist_mlp.init_params(), loader, optimizer)
    with pytest.raises(TypeError, match="DataLoader"):
        torch_mlp.train_epoch(model, digits[0][:10], optimizer)
    with pytest.raises(TypeError, match="optimizer"):
        torch_mlp.train_epoch(model, loader, 0.1)


def test_training_learns_and_is_deterministic(digits):
    X, y, X_test, y_test = digits
    runs = [torch_mlp.train_torch_mlp(X[:1000], y[:1000], n_hidden=32, epochs=4, X_val=X_test,
                               y_val=y_test, progress=False) for _ in range(2)]
    (model, history), (model2, history2) = runs
    assert history.val_accuracy[-1] > 0.75
    assert history.loss == history2.loss and history.val_accuracy == history2.val_accuracy
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), model2.parameters(),
                                                 strict=True))
    assert torch_mlp.evaluate(model, X_test, y_test) == history.val_accuracy[-1]
    probs = torch_mlp.predict_proba(model, X_test[:5])
    assert probs.shape == (5, 10)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-6)


def test_training_does_not_disturb_torchs_random_state(digits):
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    torch_mlp.train_torch_mlp(digits[0][:64], digits[1][:64], n_hidden=8, epochs=1, progress=False)
    # the DataLoader has its own generator and the weights are drawn in a forked RNG
    assert torch.equal(torch.rand(3), expected)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "epochs"),
    ({"lr": 0}, "learning rate"),
    ({"X_val": np.zeros((2, 784), np.float32)}, "both X_val and y_val"),
])
def test_train_torch_mlp_rejects_bad_settings(digits, kwargs, message):
    with pytest.raises(ValueError, match=message):
        torch_mlp.train_torch_mlp(digits[0][:10], digits[1][:10], progress=False, **kwargs)


def test_to_numpy_params_needs_the_right_layers():
    with pytest.raises(TypeError, match="hidden and output"):
        torch_mlp.to_numpy_params(torch.nn.Linear(784, 10))
    with pytest.raises(TypeError, match="dict with keys"):
        torch_mlp.from_numpy_params(torch_mlp.TorchMLP())
