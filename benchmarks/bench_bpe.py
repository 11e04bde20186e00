"""Chapter 09's byte-level BPE trainer against Hugging Face ``tokenizers``, side by side.

Both learn ``vocab_size - 256`` merges on the same text (Tiny Shakespeare unless the offline
fallback corpus is in use) from the same 256 byte tokens with the same GPT-2 chunking rule.
The runs are interleaved (course, library, course, library, ...) after one untimed warm-up
round, so both see the same machine load, and the medians are compared. The script also
reports the compression of each (bytes per token on the training text) and how many tokens
the two vocabularies share.

    python benchmarks/bench_bpe.py
    python benchmarks/bench_bpe.py --repeats 9 --vocab-size 1024
"""

from __future__ import annotations

import argparse

from course_utils import tokenizers
from course_utils.data import load_text
from course_utils.timing import format_seconds
from course_utils.widgets.ch09_tokens_embeddings import (
    interleaved_timings,
    library_vocabulary,
    train_library_bpe,
)

GOAL = 10.0  # the course's trainer should take at most 10 times the library's time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5, help="timed runs of each trainer")
    parser.add_argument("--vocab-size", type=int, default=512)
    args = parser.parse_args()

    text = load_text()
    n_bytes = len(text.encode("utf-8"))
    timings = interleaved_timings({
        "course": lambda: tokenizers.train_bpe(text, args.vocab_size),
        "library": lambda: train_library_bpe(text, args.vocab_size)}, repeat=args.repeats)
    course = tokenizers.train_bpe(text, args.vocab_size)
    library = train_library_bpe(text, args.vocab_size)
    library_tokens = len(library.encode(text).ids)
    course_tokens = len(course.encode(text))
    shared = len(set(course.vocab) & library_vocabulary(library))

    print(f"text: {n_bytes:,} bytes; vocabulary {args.vocab_size}; {args.repeats} interleaved runs each")
    for name, timing in timings.items():
        runs = ", ".join(format_seconds(r) for r in timing.runs)
        print(f"  {name:8} median {timing}  (runs: {runs})")
    ratio = timings["course"].median / timings["library"].median
    verdict = "within" if ratio <= GOAL else "OUTSIDE"
    print(f"course / library time: {ratio:.2f}x ({verdict} the {GOAL:.0f}x goal)")
    print(f"bytes per token: course {n_bytes / course_tokens:.3f}, library {n_bytes / library_tokens:.3f}"
          f" ({course_tokens:,} and {library_tokens:,} tokens)")
    print(f"tokens in both vocabularies: {shared} of {args.vocab_size}")


if __name__ == "__main__":
    main()
