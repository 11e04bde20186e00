"""Each chapter-09 check: a hint (never a traceback) for every way an answer can be wrong."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from check_helpers import assert_hint, assert_pass, each_check, usual_wrong_answers

from course_utils import embeddings, tokenizers
from course_utils.checks.ch09_tokens_embeddings import check_bpe_merge, check_nearest

ALL_CHECKS = [check_bpe_merge, check_nearest]


@pytest.mark.parametrize("check, answer, fragments", [
    *usual_wrong_answers(ALL_CHECKS, [0.5, "merge", [1, 2, 3], np.zeros(3)]),
    *each_check(ALL_CHECKS, "returns-None", lambda *args: None, "None", "return"),
    *each_check(ALL_CHECKS, "returns-text", lambda *args: "abc"),
])
def test_every_check_gives_a_hint_for_a_wrong_answer(check, answer, fragments, capsys):
    assert_hint(check, answer, capsys, *fragments)


# --- exercise 1: one BPE merge -------------------------------------------------------------------


def merge_with_reference(ids, new_id):
    pair = tokenizers.count_pairs(ids).most_common(1)[0][0]
    return pair, tokenizers.merge_pair(ids, pair, new_id)


def merge_by_hand(ids, new_id):
    counts = {}
    for a, b in zip(ids, ids[1:], strict=False):
        counts[(a, b)] = counts.get((a, b), 0) + 1
    pair = max(counts, key=counts.get)
    out, i = [], 0
    while i < len(ids):
        if ids[i:i + 2] == list(pair):
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return list(pair), np.array(out)  # a list for the pair and an array are fine


@pytest.mark.parametrize("right", [merge_with_reference, merge_by_hand])
def test_bpe_merge_right_answers_pass(right, capsys):
    assert_pass(check_bpe_merge, right, capsys, "256 times")


def overlapping(ids, new_id):
    pair = Counter(zip(ids, ids[1:], strict=False)).most_common(1)[0][0]
    out = []
    for i, x in enumerate(ids):
        if i + 1 < len(ids) and (x, ids[i + 1]) == pair:
            out.append(new_id)  # forgets to skip the second id of the pair
        elif not (i > 0 and (ids[i - 1], x) == pair):
            out.append(x)
    return pair, out


def drops_last(ids, new_id):
    pair = Counter(zip(ids, ids[1:], strict=False)).most_common(1)[0][0]
    out, i = [], 0
    while i < len(ids) - 1:
        if (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return pair, out


def last_of_ties(ids, new_id):
    counts = Counter(zip(ids, ids[1:], strict=False))
    best = max(counts.values())
    pair = [p for p in counts if counts[p] == best][-1]
    return pair, tokenizers.merge_pair(ids, pair, new_id)


def least_frequent(ids, new_id):
    pair = Counter(zip(ids, ids[1:], strict=False)).most_common()[-1][0]
    return pair, tokenizers.merge_pair(ids, pair, new_id)


def in_place(ids, new_id):
    pair, merged = merge_with_reference(ids, new_id)
    ids[:] = merged
    return pair, merged


def merged_as_text(ids, new_id):
    pair = Counter(zip(ids, ids[1:], strict=False)).most_common(1)[0][0]
    text = " ".join(map(str, ids)).replace(f"{pair[0]} {pair[1]}", str(new_id))
    return pair, [int(x) for x in text.split()]


@pytest.mark.parametrize("wrong, fragments", [
    (overlapping, ["must not overlap"]),
    (merged_as_text, ["compare ids as numbers"]),
    (drops_last, ["last id is missing"]),
    (last_of_ties, ["equally frequent", "first"]),
    (least_frequent, ["most frequent pair is", "zip(ids, ids[1:])"]),
    (in_place, ["changed the list it was given"]),
    (lambda ids, new_id: merge_with_reference(ids, new_id)[1], ["two things"]),
    (lambda ids, new_id: (1, ids), ["should be the pair"]),
    (lambda ids, new_id: (merge_with_reference(ids, new_id)[0], "ids"), ["merged list of ids"]),
    (lambda ids, new_id: (merge_with_reference(ids, new_id)[0], ids), ["should give"]),
])
def test_bpe_merge_typical_mistakes_get_a_hint(wrong, fragments, capsys):
    hint = assert_hint(check_bpe_merge, wrong, capsys, *fragments)
    assert "Traceback" not in hint


# --- exercise 2: nearest neighbours ----------------------------------------------------------------


def nearest_reference(vectors, index, k):
    return embeddings.nearest_neighbours(vectors, index, k)[0]


def nearest_by_hand(vectors, index, k):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ unit[index]
    order = [i for i in np.argsort(-sims) if i != index]
    return order[:k]  # a list is fine


@pytest.mark.parametrize("right", [nearest_reference, nearest_by_hand])
def test_nearest_right_answers_pass(right, capsys):
    assert_pass(check_nearest, right, capsys, "cosine")


def by_dot_product(vectors, index, k):
    dots = vectors @ vectors[index]
    dots[index] = -np.inf
    return np.argsort(-dots)[:k]


def with_itself(vectors, index, k):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.argsort(-(unit @ unit[index]))[:k + 1]


def itself_first(vectors, index, k):
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.argsort(-(unit @ unit[index]))[:k]


def ascending(vectors, index, k):
    return nearest_reference(vectors, index, k)[::-1]


def similarities_not_indices(vectors, index, k):
    return embeddings.nearest_neighbours(vectors, index, k)[1]


def least_similar(vectors, index, k):
    sims = embeddings.cosine_similarities(vectors, vectors[index])
    sims[index] = np.inf
    return np.argsort(sims)[:k]


def by_distance(vectors, index, k):
    distances = np.linalg.norm(vectors - vectors[index], axis=1)
    distances[index] = np.inf
    return np.argsort(distances)[:k]


def after_deleting_the_row(vectors, index, k):
    others = np.delete(vectors, index, axis=0)
    sims = embeddings.cosine_similarities(others, vectors[index])
    return np.argsort(-sims)[:k]


@pytest.mark.parametrize("wrong, fragments", [
    (by_dot_product, ["dot product", "Divide by both lengths"]),
    (least_similar, ["LEAST similar", "-similarities"]),
    (by_distance, ["distance", "cosine"]),
    (after_deleting_the_row, ["off by one", "-np.inf"]),
    (with_itself, ["itself"]),
    (itself_first, ["itself"]),
    (ascending, ["wrong order"]),
    (similarities_not_indices, ["row indices", "look like cosine similarities"]),
    (lambda v, i, k: nearest_reference(v, i, k)[:1], ["should return k"]),
    (lambda v, i, k: nearest_reference(v, i, k + 1)[1:], ["the nearest rows are"]),
])
def test_nearest_typical_mistakes_get_a_hint(wrong, fragments, capsys):
    assert_hint(check_nearest, wrong, capsys, *fragments)
