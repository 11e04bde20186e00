"""Chapter 09's demos, pictures and widgets: the numbers behind them, the drawings, the controls
and a redraw for every control."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest
from matplotlib.figure import Figure
from widget_helpers import picture_changes, same_picture_after_a_detour

from course_utils import embeddings, tokenizers
from course_utils.data import load_text
from course_utils.timing import Timing
from course_utils.widgets import ch09_tokens_embeddings as ch09

TEXT = ("First Citizen:\nBefore we proceed any further, hear me speak.\nAll:\nSpeak, speak.\n"
        "First Citizen:\nYou are all resolved rather to die than to famish? naïve café 👋\n") * 30



@pytest.fixture(scope="module")
def model():
    """Small word vectors trained on a repetitive text: enough for the widget's controls."""
    words = [w for w in tokenizers.split_words(TEXT.lower()) if w[0].isalpha()]
    vocab = embeddings.build_vocabulary(words, min_count=1)
    return embeddings.train_word2vec(vocab, dim=8, epochs=2, batch_size=64, progress=False)


# --- the production library ----------------------------------------------------------------------


def test_library_bpe_learns_the_same_tokens_as_the_course():
    # real text: on a text made of one repeated paragraph many pairs tie, and the two break
    # ties differently
    text = load_text(verbose=False)[:100_000]
    library = ch09.train_library_bpe(text, vocab_size=400)
    course = tokenizers.train_bpe(text, vocab_size=400)
    assert library.get_vocab_size() == 400
    assert ch09.library_vocabulary(library) == set(course.vocab)
    ids = library.encode(text).ids
    assert len(ids) == course.history[-1]
    assert library.decode(ids) == text
    small = ch09.train_library_bpe(TEXT, vocab_size=300)
    assert small.decode(small.encode(TEXT).ids) == TEXT


def test_library_bpe_rejects_bad_input():
    with pytest.raises(ValueError, match="empty"):
        ch09.train_library_bpe("")
    with pytest.raises(ValueError, match="vocab_size"):
        ch09.train_library_bpe("abc", vocab_size=10)


def test_interleaved_timings_take_turns():
    calls = []
    timings = ch09.interleaved_timings({"a": lambda: calls.append("a"),
                                        "b": lambda: calls.append("b")}, repeat=3)
    assert calls == ["a", "b"] * 4  # one warm-up round, then three timed rounds
    assert all(isinstance(t, Timing) and len(t.runs) == 3 for t in timings.values())
    with pytest.raises(TypeError, match="dict of name"):
        ch09.interleaved_timings({"a": 1})
    with pytest.raises(ValueError, match="repeat"):
        ch09.interleaved_timings({"a": print}, repeat=0)


# --- words ------------------------------------------------------------------------------------------


def test_noun_like_words_follow_articles_most_of_the_time():
    words = ("the king said my lord and the king and my lord said the cat said yes yes yes "
             "yes yes yes yes").split()
    assert ch09.noun_like_words(words, k=3) == ["king", "lord", "cat"]
    with pytest.raises(TypeError, match="non-empty list"):
        ch09.noun_like_words("the king")
    with pytest.raises(ValueError, match="k"):
        ch09.noun_like_words(words, k=0)


# --- pictures ---------------------------------------------------------------------------------------


def test_draw_compression():
    fig = ch09.draw_compression([100, 80, 70], 100, library_tokens={2: 70, 1: 80})
    assert isinstance(fig, Figure)
    course, library = fig.axes[0].lines
    np.testing.assert_allclose(course.get_ydata(), [1.0, 1.25, 100 / 70])
    np.testing.assert_allclose(library.get_xdata(), [1, 2])
    np.testing.assert_allclose(library.get_ydata(), [1.25, 100 / 70])


def test_neighbour_view(model):
    neighbours, coords = ch09.neighbour_view(model, "speak", k=4)
    assert len(neighbours) == 4 and coords.shape == (5, 2)
    assert "speak" not in [w for w, _ in neighbours]
    sims = [s for _, s in neighbours]
    assert sims == sorted(sims, reverse=True)
    with pytest.raises(KeyError, match="not in the vocabulary"):
        ch09.neighbour_view(model, "smartphone")


def test_draw_neighbours_and_projection(model):
    fig = ch09.draw_neighbours(model, "speak", k=3)
    assert len(fig.axes[0].patches) == 3
    fig = ch09.draw_projection(model, ["speak", "citizen", "first"])
    assert [t.get_text() for t in fig.axes[0].texts] == ["speak", "citizen", "first"]


def test_perpendicular_view_narrows_with_the_dimension():
    low, high = ch09.perpendicular_view(4), ch09.perpendicular_view(400)
    assert high["std"] < low["std"]
    assert high["within_0.1"] > 0.9 > low["within_0.1"]
    assert high["predicted_std"] == pytest.approx(0.05)
    with pytest.raises(ValueError, match="dimension"):
        ch09.perpendicular_view(0)


# --- the widgets --------------------------------------------------------------------------------------


def test_neighbours_widget_controls_redraw(model):
    box = ch09.neighbours_widget(model, ["speak", "citizen", "first"])
    word, k = box.children[0], box.children[1]
    assert isinstance(word, widgets.Dropdown) and isinstance(k, widgets.IntSlider)
    assert picture_changes(box, word, "citizen")
    assert picture_changes(box, k, 5)
    assert same_picture_after_a_detour(box, k, 3)


def test_neighbours_widget_rejects_words_without_vectors(model):
    with pytest.raises(KeyError, match="smartphone"):
        ch09.neighbours_widget(model, ["speak", "smartphone"])


def test_perpendicular_widget_redraws():
    box = ch09.perpendicular_widget()
    [slider] = [c for c in box.children if isinstance(c, widgets.IntSlider)]
    assert picture_changes(box, slider, 512)
    assert same_picture_after_a_detour(box, slider, 2)


def test_neighbours_sit_on_the_map_of_all_words(model):
    neighbours, coords = ch09.neighbour_view(model, "speak", k=3)
    rows = [model.index[w] for w in ["speak"] + [w for w, _ in neighbours]]
    np.testing.assert_allclose(coords, embeddings.project_2d(model.W_in)[rows])


def test_neighbours_widget_first_word(model):
    box = ch09.neighbours_widget(model, ["speak", "citizen"], first="citizen")
    assert box.children[0].value == "citizen"
    with pytest.raises(ValueError, match="not in the menu"):
        ch09.neighbours_widget(model, ["speak"], first="citizen")
