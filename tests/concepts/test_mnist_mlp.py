"""Unit tests of course_utils.mnist_mlp: the NumPy digit classifier, its training and scoring."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from course_utils import mnist_mlp, softmax
from course_utils.data import load_mnist


@pytest.fixture(scope="module")
def digits():
    """The offline MNIST sample, flattened: (X_train, y_train, X_test, y_test, raw test images)."""
    data = load_mnist("sample", verbose=False)
    return (mnist_mlp.flatten_images(data.x_train), data.y_train,
            mnist_mlp.flatten_images(data.x_test),
            data.y_test, data.x_test)


@pytest.fixture
def small():
    """A tiny float64 network and batch for exact gradient tests."""
    rng = np.random.default_rng(3)
    params = mnist_mlp.init_params(n_hidden=7, seed=1, dtype=np.float64)
    params["b1"] += rng.normal(0, 0.1, 7)  # non-zero biases, so their gradients are tested too
    params["b2"] += rng.normal(0, 0.1, 10)
    X = rng.random((6, 784))
    y = np.array([0, 3, 9, 3, 5, 1])
    return params, X, y


# --- data and parameters ----------------------------------------------------------------------


def test_flatten_images():
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    images[1, 0, 1] = 255
    X = mnist_mlp.flatten_images(images)
    assert X.shape == (3, 784) and X.dtype == np.float32
    assert X[1, 1] == 1.0 and X.sum() == 1.0  # row by row from the top left


@pytest.mark.parametrize("bad, error, message", [
    ([[0] * 28] * 28, TypeError, "NumPy array"),
    (np.zeros((28, 28), dtype=np.uint8), ValueError, "single 28×28 image"),
    (np.zeros((2, 784), dtype=np.uint8), ValueError, r"\(n, 28, 28\)"),
    (np.zeros((2, 28, 28), dtype=np.float32), TypeError, "uint8"),
])
def test_flatten_images_errors(bad, error, message):
    with pytest.raises(error, match=message):
        mnist_mlp.flatten_images(bad)


def test_init_params_shapes_dtype_and_seed():
    params = mnist_mlp.init_params()
    assert {k: v.shape for k, v in params.items()} == {
        "W1": (784, 128), "b1": (128,), "W2": (128, 10), "b2": (10,)}
    assert all(v.dtype == np.float32 for v in params.values())
    assert mnist_mlp.count_parameters(params) == 101_770
    again = mnist_mlp.init_params()
    assert all(np.array_equal(params[k], again[k]) for k in params)
    other = mnist_mlp.init_params(seed=1)
    assert not np.array_equal(params["W1"], other["W1"])
    assert params["W1"].std() == pytest.approx(np.sqrt(2 / 784), rel=0.02)  # He initialisation
    assert mnist_mlp.init_params(64, dtype=np.float64)["W2"].dtype == np.float64


@pytest.mark.parametrize("kwargs, error, message", [
    ({"n_hidden": 0}, ValueError, "n_hidden must be at least 1"),
    ({"n_hidden": 12.5}, TypeError, "whole number"),
    ({"seed": -1}, ValueError, "seed"),
    ({"dtype": np.int32}, TypeError, "float type"),
    ({"n_out": 1}, ValueError, "n_out"),
])
def test_init_params_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        mnist_mlp.init_params(**kwargs)


def test_copy_params_is_independent():
    params = mnist_mlp.init_params(8)
    copy = mnist_mlp.copy_params(params)
    copy["W1"] += 1
    assert not np.array_equal(copy["W1"], params["W1"])


# --- forward and backward ---------------------------------------------------------------------------


def test_forward_shapes_and_cache(small):
    params, X, _ = small
    logits, (x, z1, h) = mnist_mlp.forward(params, X)
    assert logits.shape == (6, 10) and z1.shape == h.shape == (6, 7)
    np.testing.assert_array_equal(h, np.maximum(z1, 0))
    np.testing.assert_allclose(logits, h @ params["W2"] + params["b2"])


def test_backward_matches_central_differences(small):
    params, X, y = small
    loss, grads = mnist_mlp.backward(params, mnist_mlp.forward(params, X)[1], y)
    logits = mnist_mlp.forward(params, X)[0]
    assert loss == pytest.approx(softmax.cross_entropy(logits, y), rel=1e-14)
    rng = np.random.default_rng(0)
    for name in mnist_mlp.PARAM_NAMES:
        for _ in range(4):
            index = tuple(int(rng.integers(n)) for n in params[name].shape)
            up, down = mnist_mlp.copy_params(params), mnist_mlp.copy_params(params)
            up[name][index] += 1e-6
            down[name][index] -= 1e-6
            numeric = (softmax.cross_entropy(mnist_mlp.forward(up, X)[0], y)
                       - softmax.cross_entropy(mnist_mlp.forward(down, X)[0], y)) / 2e-6
            assert grads[name][index] == pytest.approx(numeric, rel=1e-5, abs=1e-9), (name, index)


def test_numpy_gradients_match_torch_autograd_in_float64(small):
    params, X, y = small
    loss, grads = mnist_mlp.backward(params, mnist_mlp.forward(params, X)[1], y)
    W1, b1, W2, b2 = (torch.tensor(params[k], requires_grad=True) for k in mnist_mlp.PARAM_NAMES)
    logits = torch.relu(torch.from_numpy(X) @ W1 + b1) @ W2 + b2
    torch_loss = torch.nn.functional.cross_entropy(logits, torch.from_numpy(y))
    torch_loss.backward()
    np.testing.assert_allclose(mnist_mlp.forward(params, X)[0], logits.detach().numpy(), rtol=1e-12,
                               atol=1e-13)
    assert loss == pytest.approx(torch_loss.item(), rel=1e-13)
    for name, tensor in zip(mnist_mlp.PARAM_NAMES, (W1, b1, W2, b2), strict=True):
        np.testing.assert_allclose(grads[name], tensor.grad.numpy(), rtol=1e-10, atol=1e-15,
                                   err_msg=name)


def test_float32_in_float32_out(digits):
    X = digits[0][:5]
    params = mnist_mlp.init_params(16)
    logits, _ = mnist_mlp.forward(params, X)
    _, grads = mnist_mlp.backward(params, mnist_mlp.forward(params, X)[1], digits[1][:5])
    assert logits.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


def test_sgd_step_moves_against_the_gradient():
    params = mnist_mlp.init_params(4, dtype=np.float64)
    before = mnist_mlp.copy_params(params)
    grads = {k: np.ones_like(v) for k, v in params.items()}
    mnist_mlp.sgd_step(params, grads, 0.5)
    for k in params:
        np.testing.assert_allclose(params[k], before[k] - 0.5)


@pytest.mark.parametrize("lr", [0, -0.1, float("nan"), "0.1"])
def test_sgd_step_rejects_bad_learning_rates(lr):
    params = mnist_mlp.init_params(4)
    with pytest.raises((TypeError, ValueError), match="learning rate"):
        mnist_mlp.sgd_step(params, {k: np.zeros_like(v) for k, v in params.items()}, lr)


def test_sgd_step_rejects_mismatched_gradients():
    params = mnist_mlp.init_params(4)
    with pytest.raises(ValueError, match=r"grads\['W1'\]"):
        mnist_mlp.sgd_step(params, {"W1": np.zeros(3)}, 0.1)


# --- input checks --------------------------------------------------------------------------------


@pytest.mark.parametrize("mutate, error, message", [
    (lambda p: [1, 2], TypeError, "dict with keys"),
    (lambda p: {k: v for k, v in p.items() if k != "b2"}, KeyError, "no b2"),
    (lambda p: {**p, "W1": p["W1"].tolist()}, TypeError, "float NumPy array"),
    (lambda p: {**p, "W1": p["W1"].astype(np.int64)}, TypeError, "float NumPy array"),
    (lambda p: {**p, "b1": np.zeros(5, np.float32)}, ValueError, "b1 needs 8 entries"),
    (lambda p: {**p, "W2": np.zeros((9, 10), np.float32)}, ValueError, "W2 8 rows"),
    (lambda p: {**p, "b2": np.zeros(3, np.float32)}, ValueError, "b2 needs 10"),
    (lambda p: {**p, "W1": np.zeros(784, np.float32)}, ValueError, "2-D"),
])
def test_bad_parameters_get_clear_errors(mutate, error, message):
    params = mutate(mnist_mlp.init_params(8))
    with pytest.raises(error, match=message):
        mnist_mlp.forward(params, np.zeros((2, 784), np.float32))


@pytest.mark.parametrize("X, error, message", [
    (np.zeros((2, 28, 28), np.float32), ValueError, "flatten_images"),
    (np.zeros((2, 780), np.float32), ValueError, "780 columns but W1 expects 784"),
    (np.zeros(784, np.float32), ValueError, "2-D"),
    (np.zeros((2, 784), np.uint8), TypeError, "divides the 0–255"),
    ([[0.0] * 784], TypeError, "NumPy array"),
])
def test_bad_inputs_get_clear_errors(X, error, message):
    with pytest.raises(error, match=message):
        mnist_mlp.forward(mnist_mlp.init_params(8), X)


@pytest.mark.parametrize("labels, error, message", [
    (np.array([0, 1]), ValueError, "2 labels for 3 examples"),
    (np.array([0, 1, 10]), ValueError, "contain 10"),
    (np.array([0.0, 1.0, 2.0]), TypeError, "whole class numbers"),
    (np.zeros((3, 10), dtype=int), TypeError, "1-D"),
])
def test_bad_labels_get_clear_errors(labels, error, message):
    params = mnist_mlp.init_params(8)
    _, cache = mnist_mlp.forward(params, np.zeros((3, 784), np.float32))
    with pytest.raises(error, match=message):
        mnist_mlp.backward(params, cache, labels)


def test_backward_needs_the_cache():
    params = mnist_mlp.init_params(8)
    logits, _ = mnist_mlp.forward(params, np.zeros((3, 784), np.float32))
    with pytest.raises(TypeError, match="cache that forward returned"):
        mnist_mlp.backward(params, logits, np.array([0, 1, 2]))


# --- training --------------------------------------------------------------------------------------


def test_training_on_a_subset_learns(digits):
    X, y, X_test, y_test, _ = digits
    params = mnist_mlp.init_params(32, seed=0)
    before = mnist_mlp.accuracy(mnist_mlp.predict(params, X_test), y_test)
    history = mnist_mlp.train(params, X[:1000], y[:1000], epochs=5, X_val=X_test, y_val=y_test,
                       progress=False)
    assert before < 0.2  # chance level
    assert history.val_accuracy[-1] > 0.75  # well above chance after 5 short epochs
    assert history.loss[-1] < history.loss[0] < np.log(10)
    assert len(history.loss) == len(history.val_accuracy) == 5


@pytest.mark.slow
def test_default_recipe_reaches_90_percent_on_the_sample_within_60_seconds(digits):
    X, y, X_test, y_test, _ = digits
    params = mnist_mlp.init_params()
    with mnist_mlp.limit_threads(1):
        history = mnist_mlp.train(params, X, y, epochs=15, batch_size=32, lr=0.1, X_val=X_test,
                           y_val=y_test, progress=False)
    assert history.val_accuracy[-1] >= 0.90
    assert history.seconds < 60


def test_training_is_deterministic(digits):
    X, y = digits[0][:500], digits[1][:500]
    first, second = mnist_mlp.init_params(16), mnist_mlp.init_params(16)
    mnist_mlp.train(first, X, y, epochs=2, seed=5, progress=False)
    mnist_mlp.train(second, X, y, epochs=2, seed=5, progress=False)
    assert all(np.array_equal(first[k], second[k]) for k in first)


def test_train_epoch_is_one_epoch_of_train(digits):
    X, y = digits[0][:300], digits[1][:300]
    a, b = mnist_mlp.init_params(16), mnist_mlp.init_params(16)
    loss = mnist_mlp.train_epoch(a, X, y, batch_size=32, lr=0.1, rng=np.random.default_rng(4))
    history = mnist_mlp.train(b, X, y, epochs=1, batch_size=32, lr=0.1, seed=4, progress=False)
    assert loss == history.loss[0]
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert mnist_mlp.train_epoch(mnist_mlp.init_params(16), X, y, rng=4) == pytest.approx(
        mnist_mlp.train_epoch(mnist_mlp.init_params(16), X, y, rng=np.random.default_rng(4)))


@pytest.mark.parametrize("kwargs, error, message", [
    ({"epochs": 0}, ValueError, "epochs"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"batch_size": 2.5}, TypeError, "batch_size"),
    ({"lr": -1.0}, ValueError, "learning rate"),
    ({"X_val": np.zeros((2, 784), np.float32)}, ValueError, "both X_val and y_val"),
])
def test_train_rejects_bad_settings(digits, kwargs, error, message):
    with pytest.raises(error, match=message):
        mnist_mlp.train(mnist_mlp.init_params(4), digits[0][:10], digits[1][:10],
                        progress=False, **kwargs)


def test_train_rejects_mixed_float_types(digits):
    with pytest.raises(TypeError, match="same float type"):
        mnist_mlp.train(mnist_mlp.init_params(4, dtype=np.float64), digits[0][:10], digits[1][:10],
                 progress=False)


def test_limit_threads_restores_the_old_setting():
    before = torch.get_num_threads()
    with mnist_mlp.limit_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="at least 1"):
        mnist_mlp.set_threads(0)


def _blas_threads():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    return max((p["num_threads"] for p in threadpoolctl.threadpool_info()
                if p["user_api"] == "blas"), default=None)


def test_restore_threads_undoes_set_threads():
    before_torch, before_blas = torch.get_num_threads(), _blas_threads()
    old = mnist_mlp.set_threads(1)
    try:
        assert torch.get_num_threads() == 1
        assert old["torch"] == before_torch
        if before_blas is not None:
            assert _blas_threads() == 1
    finally:
        mnist_mlp.restore_threads(old)
    assert torch.get_num_threads() == before_torch
    assert _blas_threads() == before_blas


@pytest.mark.parametrize("bad", [None, 1, {"torch": 1}])
def test_restore_threads_needs_what_set_threads_returned(bad):
    with pytest.raises(TypeError, match="set_threads returned"):
        mnist_mlp.restore_threads(bad)


# --- judging the result -------------------------------------------------------------------------


def test_predict_and_predict_proba(small):
    params, X, _ = small
    probs = mnist_mlp.predict_proba(params, X)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    np.testing.assert_array_equal(mnist_mlp.predict(params, X), probs.argmax(axis=1))


def test_accuracy():
    assert mnist_mlp.accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    with pytest.raises(ValueError, match="argmax"):
        mnist_mlp.accuracy(np.zeros((4, 10)), [1, 2, 3, 4])
    with pytest.raises(ValueError, match="3 predictions but 4 labels"):
        mnist_mlp.accuracy([1, 2, 3], [1, 2, 3, 4])
    with pytest.raises(ValueError, match="no examples"):
        mnist_mlp.accuracy([], [])


def test_confusion_matrix():
    labels = np.array([0, 0, 1, 4, 4, 4, 9])
    predicted = np.array([0, 1, 1, 9, 9, 4, 4])
    matrix = mnist_mlp.confusion_matrix(labels, predicted)
    assert matrix.shape == (10, 10) and matrix.sum() == 7
    assert matrix[4, 9] == 2 and matrix[0, 0] == 1 and matrix[9, 4] == 1
    assert np.trace(matrix) == 3
    with pytest.raises(ValueError, match="1 predictions for 7"):
        mnist_mlp.confusion_matrix(labels, predicted[:1])
