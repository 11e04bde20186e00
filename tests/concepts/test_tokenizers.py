"""course_utils.tokenizers: character, word and byte-level BPE tokenizers, and their bad input."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils import tokenizers
from course_utils.data import load_text

SAMPLE = ("First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n"
          "First Citizen:\nYou are all resolved rather to die than to famish?\n") * 20


@pytest.fixture(scope="module")
def shakespeare() -> str:
    return load_text(verbose=False)


@pytest.fixture(scope="module")
def small_bpe() -> tokenizers.BPETokenizer:
    return tokenizers.train_bpe(SAMPLE, vocab_size=300)


def plain_bpe(text: str, n_merges: int) -> tuple[list[tuple[int, int]], int]:
    """BPE by its definition: recount every pair each merge (ties: the smaller pair)."""
    pieces = [list(c.encode("utf-8")) for c in tokenizers.chunks(text)]
    merges = []
    for new_id in range(256, 256 + n_merges):
        counts: Counter = Counter()
        for piece in pieces:
            counts.update(tokenizers.count_pairs(piece))
        if not counts:
            break
        pair = min(counts, key=lambda p: (-counts[p], p))
        pieces = [tokenizers.merge_pair(p, pair, new_id) for p in pieces]
        merges.append(pair)
    return merges, sum(len(p) for p in pieces)


# --- the merge step ---------------------------------------------------------------------------------


def test_count_pairs_counts_overlapping_neighbours():
    assert tokenizers.count_pairs([7, 7, 7, 1]) == Counter({(7, 7): 2, (7, 1): 1})
    assert tokenizers.count_pairs([5]) == Counter()


@pytest.mark.parametrize("ids, pair, want", [
    ([1, 2, 3, 1, 2], (1, 2), [9, 3, 9]),
    ([7, 7, 7], (7, 7), [9, 7]),
    ([7, 7, 7, 7], (7, 7), [9, 9]),
    ([1, 2], (2, 1), [1, 2]),
    ([], (1, 2), []),
])
def test_merge_pair(ids, pair, want):
    assert tokenizers.merge_pair(ids, pair, 9) == want


def test_chunks_give_the_text_back_exactly():
    text = "Hello,  world!\n\tIt's 2024 — naïve café_x __init__ 👋🏽\n\n"
    assert "".join(tokenizers.chunks(text)) == text
    assert tokenizers.chunks("the king's men") == ["the", " king", "'s", " men"]


@given(st.text(min_size=1))
@settings(max_examples=200, deadline=None)
def test_chunks_lose_nothing(text):
    assert "".join(tokenizers.chunks(text)) == text


# --- training -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("n_merges", [1, 10, 44])
def test_train_bpe_learns_the_merges_of_the_plain_definition(n_merges):
    merges, n_tokens = plain_bpe(SAMPLE, n_merges)
    bpe = tokenizers.train_bpe(SAMPLE, vocab_size=256 + n_merges)
    assert bpe.merges == merges
    assert bpe.history[-1] == n_tokens


def test_history_counts_the_tokens_after_each_merge(small_bpe):
    assert small_bpe.history[0] == len(SAMPLE.encode("utf-8"))
    assert len(small_bpe.history) == len(small_bpe.merges) + 1
    assert all(a > b for a, b in zip(small_bpe.history, small_bpe.history[1:], strict=False))
    assert len(small_bpe.encode(SAMPLE)) == small_bpe.history[-1]


def test_training_stops_when_nothing_is_left_to_merge():
    bpe = tokenizers.train_bpe("abab", vocab_size=400)
    assert bpe.merges == [(97, 98), (256, 256)]
    assert bpe.encode("abab") == [257]


def test_shakespeare_512_tokens_compress_about_twofold(shakespeare):
    bpe = tokenizers.train_bpe(shakespeare, vocab_size=512)
    assert bpe.vocab_size == 512
    ratio = len(shakespeare.encode()) / bpe.history[-1]
    assert 1.8 < ratio < 2.2
    assert bpe.token_text(256 + bpe.merges.index((32, 116))) == " t"  # ' t' is learned first
    assert bpe.merges[0] == (32, 116)
    ids = bpe.encode(shakespeare)
    assert len(ids) == bpe.history[-1]
    assert bpe.decode(ids) == shakespeare


# --- encode / decode ----------------------------------------------------------------------------------


@given(st.text(min_size=1))
@settings(max_examples=200, deadline=None)
def test_any_unicode_round_trips(text):
    bpe = _module_bpe()
    ids = bpe.encode(text)
    assert all(0 <= i < bpe.vocab_size for i in ids)
    assert bpe.decode(ids) == text


_CACHE: dict[str, tokenizers.BPETokenizer] = {}


def _module_bpe() -> tokenizers.BPETokenizer:
    if "bpe" not in _CACHE:
        _CACHE["bpe"] = tokenizers.train_bpe(SAMPLE + "naïve café 東京 👋🏽", vocab_size=320)
    return _CACHE["bpe"]


def test_merged_tokens_make_text_shorter(small_bpe):
    text = "Before we proceed any further"
    assert len(small_bpe.encode(text)) < len(text.encode())
    assert "".join(small_bpe.tokens(text)) == text


def test_decoding_broken_utf8_says_why(small_bpe):
    ids = small_bpe.encode("café")
    with pytest.raises(ValueError, match="not valid UTF-8.*errors='replace'"):
        small_bpe.decode(ids[:-1])
    assert small_bpe.decode(ids[:-1], errors="replace") == "caf\ufffd"
    assert small_bpe.decode_bytes(ids[:-1]) == "café".encode()[:-1]
    with pytest.raises(ValueError, match="'strict' or 'replace'"):
        small_bpe.decode(ids, errors="ignore")


@pytest.mark.parametrize("bad, error, message", [
    ([300], ValueError, r"the id 300 at position 0 is outside the vocabulary: ids go from 0 to 299"),
    ([1, -1], ValueError, r"the id -1 at position 1 is outside"),
    ([1.0], TypeError, r"whole numbers.*1.0"),
    ([True], TypeError, r"whole numbers"),
    ("abc", TypeError, r"sequence of token ids"),
    (None, TypeError, r"sequence of token ids"),
])
def test_decode_rejects_bad_ids(small_bpe, bad, error, message):
    with pytest.raises(error, match=message):
        small_bpe.decode(bad)


def test_decode_accepts_numpy_ids(small_bpe):
    ids = small_bpe.encode("speak")
    assert small_bpe.decode(np.array(ids)) == "speak"
    assert small_bpe.decode([np.int64(i) for i in ids]) == "speak"


@pytest.mark.parametrize("call", [
    lambda: tokenizers.train_bpe("", 300),
    lambda: tokenizers.CharTokenizer(""),
    lambda: tokenizers.WordTokenizer(""),
    lambda: tokenizers.split_words(""),
    lambda: tokenizers.chunks(""),
])
def test_empty_text_is_rejected(call):
    with pytest.raises(ValueError, match="the text is empty"):
        call()


def test_encode_rejects_empty_and_non_text(small_bpe):
    with pytest.raises(ValueError, match="the text is empty"):
        small_bpe.encode("")
    with pytest.raises(TypeError, match="not bytes; decode it first"):
        small_bpe.encode(b"abc")
    with pytest.raises(TypeError, match="must be a str, not int"):
        small_bpe.encode(5)


@pytest.mark.parametrize("size, error", [(100, ValueError), (300.0, TypeError), (True, TypeError)])
def test_train_bpe_rejects_a_bad_vocabulary_size(size, error):
    with pytest.raises(error, match="vocab_size"):
        tokenizers.train_bpe("abc", size)


def test_a_merge_must_refer_to_known_ids():
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tokenizers.BPETokenizer(merges=[(1, 400)])


# --- character and word tokenizers ------------------------------------------------------------


def test_char_tokenizer_round_trip_and_unknown_character():
    tok = tokenizers.CharTokenizer("hello world")
    assert tok.vocab_size == 8
    assert tok.decode(tok.encode("low")) == "low"
    with pytest.raises(ValueError, match="'z' never appeared in the training text"):
        tok.encode("dozy")
    with pytest.raises(ValueError, match="outside the vocabulary"):
        tok.decode([8])


def test_word_tokenizer_maps_unseen_words_to_unk():
    tok = tokenizers.WordTokenizer("the king is come. the king is dead!")
    assert tok.words[0] == tokenizers.UNKNOWN
    ids = tok.encode("the queen is come.")
    assert ids[1] == 0 and all(i > 0 for i in ids[:1] + ids[2:])
    assert tok.decode(ids) == "the <unk> is come ."
    assert tokenizers.WordTokenizer("a a b", min_count=2).words == ["<unk>", "a"]
    assert tokenizers.WordTokenizer("The the", lower=True).vocab_size == 2
    with pytest.raises(ValueError, match="min_count"):
        tokenizers.WordTokenizer("a", min_count=0)


def test_split_words_keeps_apostrophes_and_punctuation():
    assert tokenizers.split_words("We know't, we know't.") == ["We", "know't", ",", "we", "know't", "."]


def test_tokens_per_character():
    assert tokenizers.tokens_per_character(5, "abcdefghij") == 0.5
    assert tokenizers.tokens_per_character([1, 2], "abcd") == 0.5
