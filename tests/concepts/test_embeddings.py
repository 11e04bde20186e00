"""course_utils.embeddings: one-hot, lookup, bag of words, cosine neighbours and word2vec."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils import embeddings, tokenizers
from course_utils.data import load_text

# --- one-hot, lookup, bag of words --------------------------------------------------------------


def test_lookup_equals_one_hot_times_matrix_equals_nn_embedding():
    E = np.random.default_rng(0).standard_normal((7, 3))
    ids = np.array([[0, 6], [3, 3]])
    assert embeddings.one_hot(ids, 7).shape == (2, 2, 7)
    np.testing.assert_allclose(embeddings.one_hot(ids, 7) @ E, embeddings.lookup(E, ids))
    layer = torch.nn.Embedding.from_pretrained(torch.tensor(E))
    np.testing.assert_allclose(layer(torch.tensor(ids)).numpy(), embeddings.lookup(E, ids))


@pytest.mark.parametrize("ids, error, message", [
    ([0, 7], ValueError, r"the id 7 is outside the vocabulary: ids go from 0 to 6"),
    ([-1], ValueError, r"the id -1 is outside"),
    ([1.0, 2.0], TypeError, r"must be integers, not floats.*astype\(int\)"),
    (["a"], TypeError, r"whole numbers"),
    ([True], TypeError, r"whole numbers"),
])
def test_ids_outside_the_vocabulary_or_not_ids_are_rejected(ids, error, message):
    E = np.zeros((7, 2))
    with pytest.raises(error, match=message):
        embeddings.lookup(E, ids)
    with pytest.raises(error, match=message):
        embeddings.one_hot(ids, 7)


@pytest.mark.parametrize("matrix", [np.zeros((0, 3)), np.zeros(3), np.zeros((2, 0)),
                                    [[1.0, np.nan]], "E"])
def test_lookup_rejects_a_bad_matrix(matrix):
    with pytest.raises((ValueError, TypeError)):
        embeddings.lookup(matrix, [0])


def test_a_vocabulary_size_of_zero_is_rejected():
    with pytest.raises(ValueError, match="vocabulary size must be at least 1"):
        embeddings.one_hot([0], 0)


def test_bag_of_words_forgets_order():
    vocab = ["bites", "dog", "man"]
    a = embeddings.bag_of_words("dog bites man".split(), vocab)
    np.testing.assert_array_equal(a, [1, 1, 1])
    np.testing.assert_array_equal(a, embeddings.bag_of_words("man bites dog".split(), vocab))
    np.testing.assert_array_equal(embeddings.bag_of_words(["dog", "dog", "cat"], vocab), [0, 2, 0])
    with pytest.raises(TypeError, match="lists of words"):
        embeddings.bag_of_words("dog bites man", vocab)
    with pytest.raises(ValueError, match="empty"):
        embeddings.bag_of_words(["dog"], [])


# --- similarity ------------------------------------------------------------------------------------


def test_cosine_similarities_and_nearest_neighbours():
    M = np.array([[1.0, 0.0], [10.0, 1.0], [0.0, 3.0], [-1.0, 0.1], [0.0, 0.0]])
    sims = embeddings.cosine_similarities(M, [2.0, 0.0])
    np.testing.assert_allclose(sims, [1, 10 / np.sqrt(101), 0, -1 / np.sqrt(1.01), 0])
    rows, best = embeddings.nearest_neighbours(M, 0, 2)
    assert rows.tolist() == [1, 2] and best[0] == pytest.approx(10 / np.sqrt(101))
    with pytest.raises(ValueError, match="only 4 other rows"):
        embeddings.nearest_neighbours(M, 0, 5)
    with pytest.raises(ValueError, match="outside"):
        embeddings.nearest_neighbours(M, 5, 1)
    with pytest.raises(ValueError, match="rows of the matrix have 2 numbers"):
        embeddings.cosine_similarities(M, [1.0, 2.0, 3.0])


def test_project_2d_is_pca_with_fixed_signs():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((50, 2)) @ np.array([[3.0, 0.0], [0.0, 0.5]])
    X = np.hstack([X, np.zeros((50, 3))])
    P = embeddings.project_2d(X)
    assert P.shape == (50, 2)
    assert P[:, 0].var() > P[:, 1].var()
    np.testing.assert_allclose(P, embeddings.project_2d(X))
    assert np.abs(P).max() == pytest.approx(np.abs(P).max())
    with pytest.raises(ValueError, match="at least 2 vectors"):
        embeddings.project_2d(np.ones((1, 3)))


def test_random_cosines_shrink_like_one_over_root_d():
    for dim in (4, 100, 1000):
        spread = embeddings.random_cosines(dim, 4000).std()
        assert spread == pytest.approx(1 / np.sqrt(dim), rel=0.1)
    with pytest.raises(ValueError, match="dimension"):
        embeddings.random_cosines(0)


# --- word2vec ------------------------------------------------------------------------------------------


def test_build_vocabulary_keeps_frequent_words_most_frequent_first():
    vocab = embeddings.build_vocabulary("b a b c b a d".split(), min_count=2)
    assert vocab.words == ["b", "a"]
    assert vocab.counts.tolist() == [3, 2]
    assert vocab.ids.tolist() == [0, 1, 0, 0, 1]
    assert vocab.id("a") == 1
    with pytest.raises(KeyError, match="'z' is not in the vocabulary"):
        vocab.id("z")
    with pytest.raises(ValueError, match="no word occurs 9 times"):
        embeddings.build_vocabulary(["a"], min_count=9)
    with pytest.raises(ValueError, match="empty"):
        embeddings.build_vocabulary([])


def test_skipgram_pairs_with_a_fixed_window():
    c, o = embeddings.skipgram_pairs(np.array([0, 1, 2]), window=1)
    assert sorted(zip(c.tolist(), o.tolist(), strict=False)) == [(0, 1), (1, 0), (1, 2), (2, 1)]
    c, o = embeddings.skipgram_pairs(np.array([0, 1, 2, 3]), window=5)
    assert len(c) == 12
    c, o = embeddings.skipgram_pairs(np.arange(100), window=4, rng=np.random.default_rng(0))
    assert 0 < len(c) < 2 * (99 + 98 + 97 + 96)
    assert np.all(np.abs(c - o) <= 4) and np.all(c != o)
    with pytest.raises(ValueError, match="window"):
        embeddings.skipgram_pairs(np.arange(3), window=0)


def torch_loss(W_in, W_out, c, o, neg):
    v, u, n = W_in[c], W_out[o], W_out[neg]
    return -(F.logsigmoid((u * v).sum(1)).sum()
             + F.logsigmoid(-torch.einsum("bkd,bd->bk", n, v)).sum()) / len(c)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sgns_gradients_match_autograd(seed):
    rng = np.random.default_rng(seed)
    W_in, W_out = rng.standard_normal((2, 11, 5)) * 2
    c, o, neg = rng.integers(0, 11, 9), rng.integers(0, 11, 9), rng.integers(0, 11, (9, 4))
    loss, d_in, d_out = embeddings.sgns_loss_and_grads(W_in, W_out, c, o, neg)
    t_in, t_out = (torch.tensor(W, requires_grad=True) for W in (W_in, W_out))
    t = torch_loss(t_in, t_out, c, o, neg)
    t.backward()
    assert loss == pytest.approx(t.item(), rel=1e-12)
    np.testing.assert_allclose(d_in, t_in.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(d_out, t_out.grad.numpy(), atol=1e-12)


def test_sgns_loss_does_not_overflow_for_huge_scores():
    W = np.full((3, 2), 1e3)
    loss, d_in, _ = embeddings.sgns_loss_and_grads(W, -W, [0], [1], [[2]])
    assert np.isfinite(loss) and np.isfinite(d_in).all() and loss > 1e5


def test_sgns_rejects_mismatched_input():
    W = np.zeros((4, 2))
    with pytest.raises(ValueError, match="outside the vocabulary"):
        embeddings.sgns_loss_and_grads(W, W, [4], [0], [[1]])
    with pytest.raises(ValueError, match="same shape"):
        embeddings.sgns_loss_and_grads(W, np.zeros((4, 3)), [0], [0], [[1]])
    with pytest.raises(ValueError, match=r"\(B, K\) negative ids"):
        embeddings.sgns_loss_and_grads(W, W, [0, 1], [0], [[1]])


def test_add_rows_adds_repeated_rows_like_np_add_at():
    rng = np.random.default_rng(0)
    rows, values = rng.integers(0, 6, 40), rng.standard_normal((40, 3))
    a, b = np.zeros((6, 3)), np.zeros((6, 3))
    embeddings.add_rows(a, rows, values)
    np.add.at(b, rows, values)
    np.testing.assert_allclose(a, b)


@pytest.mark.parametrize("kwargs, message", [
    ({"dim": 0}, "dim"), ({"epochs": 0}, "epochs"), ({"lr": 0.0}, "learning rate"),
    ({"negatives": 0}, "negatives"), ({"batch_size": 1.5}, "batch_size")])
def test_train_word2vec_rejects_bad_settings(kwargs, message):
    vocab = embeddings.build_vocabulary("a b a b a b".split(), min_count=1)
    with pytest.raises((ValueError, TypeError), match=message):
        embeddings.train_word2vec(vocab, progress=False, **kwargs)
    with pytest.raises(TypeError, match="Vocabulary"):
        embeddings.train_word2vec(["a", "b"], progress=False)


@pytest.mark.slow
def test_word2vec_on_shakespeare_puts_relatives_together():
    text = load_text(verbose=False)
    words = [w for w in tokenizers.split_words(text.lower()) if w[0].isalpha()]
    vocab = embeddings.build_vocabulary(words, min_count=5)
    model = embeddings.train_word2vec(vocab, dim=32, epochs=2, lr=0.05, batch_size=1024,
                                      progress=False)
    assert model.losses[-1] < model.losses[0] - 1
    assert "son" in [w for w, _ in model.neighbours("father", 10)]
    again = embeddings.train_word2vec(vocab, dim=32, epochs=2, lr=0.05, batch_size=1024,
                                      progress=False)
    np.testing.assert_array_equal(model.W_in, again.W_in)
    with pytest.raises(KeyError, match="not in the vocabulary"):
        model.neighbours("smartphone")
