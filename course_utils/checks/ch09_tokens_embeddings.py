"""Checks for chapter 09's exercises: one BPE merge, and nearest neighbours by cosine.

Exercise 1: ``bpe_merge(ids, new_id)`` returns ``(pair, merged)``: the most frequent pair of
neighbouring ids (ties: the pair seen first) and the ids with every occurrence of that pair,
read left to right, replaced by ``new_id``. The test cases catch a pair counted across
overlaps (``7 7 7``), a merge that drops the last id, a tie broken the other way, and a
function that changes the list it was given, and a merge done on the ids written as text
(``"1 2"`` is also found inside ``"11 2"`` and ``"1 22"``).

Exercise 2: ``nearest(vectors, index, k)`` returns the row indices of the ``k`` rows most
similar to row ``index`` by cosine similarity, most similar first, leaving out ``index``
itself. The test vectors have very different lengths, so ranking by the plain dot product
(forgetting to divide by the lengths) gives a different answer, which the hint names; so do the
hints for the least similar rows (an ascending sort), for indices counted after deleting row
``index`` (shifted by one), and for similarities returned instead of indices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import embeddings as ref_embeddings
from .. import tokenizers as ref_tokenizers
from .core import CheckFailed, describe, exercise_check, expect_callable, try_learner, value_or_hint

# --- exercise 1: one BPE merge -------------------------------------------------------------------

_MERGE_CASES: list[tuple[list[int], int]] = [
    ([104, 101, 108, 108, 111, 32, 104, 101, 108, 112], 256),   # "hello help": (104, 101) twice
    ([1, 2, 3, 1, 2, 3, 1, 2], 9),                               # (1, 2) three times, ends on it
    ([5, 6, 7, 7, 7, 7, 5, 6], 300),                             # (7, 7) counted 3 times, merged twice
    ([4, 4, 4, 3, 5, 3, 5], 50),                                 # (4, 4) counted twice, (3, 5) twice: tie
    ([2, 3], 4),                                                 # a single pair
    ([1, 2, 11, 2, 5, 1, 2, 7, 1, 22, 1, 2], 99),                # as text, "1 2" is in "11 2"
]


def _reference_merge(ids: list[int], new_id: int) -> tuple[tuple[int, int], list[int]]:
    counts = ref_tokenizers.count_pairs(ids)
    pair = max(counts, key=counts.get)  # the first of the most frequent, in the order seen
    return pair, ref_tokenizers.merge_pair(ids, pair, new_id)


def _as_pair(value: Any) -> tuple[int, int] | None:
    try:
        a, b = value
        return (int(a), int(b)) if int(a) == a and int(b) == b else None
    except (TypeError, ValueError):
        return None


@exercise_check
def check_bpe_merge(bpe_merge: Any) -> str:
    """Exercise: count neighbouring pairs, merge the most frequent one everywhere."""
    bpe_merge = expect_callable(bpe_merge, "bpe_merge")
    for ids, new_id in _MERGE_CASES:
        want_pair, want_ids = _reference_merge(ids, new_id)
        outcome = try_learner(bpe_merge, list(ids), new_id, what="bpe_merge")
        result = value_or_hint(outcome, (ids, new_id), what="bpe_merge")
        if outcome.inputs and outcome.inputs[0] != ids:
            raise CheckFailed(f"bpe_merge changed the list it was given ({ids} became "
                              f"{outcome.inputs[0]}). Build a new list for the merged ids.")
        if result is None:
            raise CheckFailed("bpe_merge returned None. Did you forget to `return pair, merged`?")
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise CheckFailed(f"bpe_merge should return two things, (pair, merged), but it "
                              f"returned {describe(result)}.")
        pair, merged = _as_pair(result[0]), result[1]
        counts = ref_tokenizers.count_pairs(ids)
        if pair is None:
            raise CheckFailed(f"The first thing bpe_merge returns should be the pair, two ids "
                              f"like (104, 101), but it is {describe(result[0])}.")
        if pair != want_pair:
            if counts.get(pair, 0) == counts[want_pair]:
                raise CheckFailed(f"For ids {ids}, {pair} and {want_pair} are equally frequent "
                                  f"({counts[want_pair]} times). Take the one that appears first "
                                  f"in the list: {want_pair} (max(counts, key=counts.get) does).")
            raise CheckFailed(f"For ids {ids} the most frequent pair is {want_pair} "
                              f"({counts[want_pair]} times), but you picked {pair} "
                              f"({counts.get(pair, 0)} times). Count every neighbouring pair: "
                              f"pairwise(ids), the same as zip(ids, ids[1:]).")
        if hasattr(merged, "tolist"):
            merged = merged.tolist()
        if not isinstance(merged, list):
            raise CheckFailed(f"The second thing bpe_merge returns should be the merged list of "
                              f"ids, but it is {describe(merged)}.")
        if merged != want_ids:
            raise CheckFailed(_merge_hint(ids, new_id, want_pair, merged, want_ids))
    return ("you counted the pairs and merged the most frequent one, overlaps and ties included. "
            "train_bpe repeats this step 256 times (it breaks ties by the smaller pair instead, "
            "the rule of the library it is compared with).")


def _merge_hint(ids: list[int], new_id: int, pair: tuple[int, int], got: list[Any],
                want: list[int]) -> str:
    start = f"Merging {pair} into {new_id} in {ids} should give {want}, but you returned {got}."
    if len(got) == len(want) - 1 and got == want[:-1]:
        return f"{start} The last id is missing: after the loop, keep an id that was not merged."
    if pair[0] == pair[1] and len(got) != len(want):
        return (f"{start} Occurrences must not overlap: once two ids are merged, move on by 2, "
                f"so 7 7 7 becomes [{new_id}, 7].")
    if len(got) < len(want):
        return (f"{start} That replaces more than the pair: compare ids as numbers, two at a "
                f"time (as text, '1 2' is also found inside '11 2'). Walk through the list: "
                f"where ids[i], ids[i + 1] is the pair, append new_id and skip 2; otherwise "
                f"append ids[i] and move 1.")
    return (f"{start} Walk through the list: where ids[i], ids[i + 1] is the pair, append new_id "
            f"and skip 2; otherwise append ids[i] and move 1.")


# --- exercise 2: nearest neighbours by cosine ------------------------------------------------------


def _neighbour_vectors() -> np.ndarray:
    rng = np.random.default_rng(9)
    vectors = rng.standard_normal((12, 5))
    vectors *= np.linspace(0.2, 6.0, 12)[:, None]  # very different lengths: dot ≠ cosine
    return vectors


_NEIGHBOUR_CASES = [(0, 3), (4, 5), (11, 1), (7, 11)]


@exercise_check
def check_nearest(nearest: Any) -> str:
    """Exercise: the k rows most similar by cosine to row ``index``, itself left out."""
    nearest = expect_callable(nearest, "nearest")
    vectors = _neighbour_vectors()
    for index, k in _NEIGHBOUR_CASES:
        want, sims = ref_embeddings.nearest_neighbours(vectors, index, k)
        want = [int(i) for i in want]
        got = value_or_hint(try_learner(nearest, vectors, index, k, what="nearest"),
                            (vectors, index, k), what="nearest")
        if got is None:
            raise CheckFailed("nearest returned None. Did you forget to `return` the indices?")
        if hasattr(got, "detach"):
            got = got.detach().cpu().numpy()
        try:
            got_list = [int(i) for i in np.asarray(got).ravel()]
            if not np.array_equal(np.asarray(got).ravel(), got_list):
                raise ValueError
        except (TypeError, ValueError):
            raise CheckFailed(_not_indices_hint(got)) from None
        shown = f"(vectors of shape {vectors.shape}, index={index}, k={k})"
        if len(got_list) != k:
            if len(got_list) == k + 1 and index in got_list:
                raise CheckFailed(f"nearest returned {k + 1} indices including {index} itself "
                                  f"{shown}. A vector is always most similar to itself: leave it "
                                  f"out.")
            raise CheckFailed(f"nearest should return k = {k} indices {shown}, but returned "
                              f"{len(got_list)}.")
        if index in got_list:
            raise CheckFailed(f"Your answer {got_list} includes the row {index} itself {shown}; "
                              f"leave it out (its similarity is always 1).")
        if got_list != want and got_list == want[::-1]:
            raise CheckFailed(f"You returned the right rows in the wrong order ({got_list}) "
                              f"{shown}: the most similar comes first (sort by -similarity).")
        dots = vectors @ vectors[index]
        dots[index] = -np.inf
        if got_list == list(np.argsort(-dots, kind="stable")[:k]) and got_list != want:
            raise CheckFailed(f"You ranked by the dot product {shown}: long vectors win whatever "
                              f"their direction. Divide by both lengths to get the cosine: "
                              f"v·w / (|v| |w|).")
        if got_list == want:
            continue
        cosines = ref_embeddings.cosine_similarities(vectors, vectors[index])
        cosines[index] = np.inf
        if got_list == [int(i) for i in np.argsort(cosines, kind="stable")[:k]]:
            raise CheckFailed(f"You returned the {k} LEAST similar rows {got_list} {shown}. "
                              f"np.argsort sorts from the smallest up: sort by -similarities "
                              f"to put the largest first.")
        distances = np.linalg.norm(vectors - vectors[index], axis=1)
        distances[index] = np.inf
        if got_list == [int(i) for i in np.argsort(distances, kind="stable")[:k]]:
            raise CheckFailed(f"You ranked by the distance |v − w| {shown}: it depends on the "
                              f"lengths too. Rank by the cosine v·w / (|v| |w|), which compares "
                              f"directions only.")
        if got_list == [i - (i > index) for i in want]:
            raise CheckFailed(f"Your indices {got_list} are off by one after row {index} "
                              f"{shown}: they count the rows after deleting row {index}, but "
                              f"the answer must use the rows' numbers in vectors ({want}). "
                              f"Set the similarity of row {index} to -np.inf instead of "
                              f"deleting it.")
        raise CheckFailed(f"For index={index}, k={k} the nearest rows are {want} "
                          f"(cosines {np.round(sims, 3).tolist()}), but you returned "
                          f"{got_list}.")
    return ("cosine similarity ignores length and compares directions: the same ranking as "
            "embeddings.nearest_neighbours.")


def _not_indices_hint(got: Any) -> str:
    hint = f"nearest should return row indices (whole numbers), but it returned {describe(got)}."
    try:
        values = np.asarray(got, dtype=float).ravel()
    except (TypeError, ValueError):
        return hint
    if values.size and np.all(np.abs(values) <= 1) and not np.all(values == np.round(values)):
        hint += (" They look like cosine similarities: return the positions of the largest "
                 "ones, e.g. np.argsort(-similarities)[:k], not the similarities themselves.")
    return hint


__all__ = ["check_bpe_merge", "check_nearest"]
