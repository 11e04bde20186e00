"""The course map: every chapter, what it builds, what it assumes, how long it takes.

One table used by the welcome notebook, the README and the tests, so they cannot disagree.
``learner_minutes`` is the time a learner should plan for. How long each notebook takes to
execute is measured, not written here: ``make execute`` records it in
``benchmarks/notebook_times.json`` and :func:`chapter_table` puts it in the README.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Chapter:
    number: int
    slug: str
    title: str
    builds: str
    prerequisites: tuple[int, ...]
    learner_minutes: int

    @property
    def notebook(self) -> str:
        return f"{self.number:02d}_{self.slug}.ipynb"


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(0, "welcome", "Welcome", "a working setup; numpy & torch tensors", (), 45),
    Chapter(1, "sigmoid", "The sigmoid", "a numerically stable sigmoid", (0,), 60),
    Chapter(2, "vectors_matrices", "Vectors & matrices", "matmul with shape checks; cosine similarity", (0,), 75),
    Chapter(3, "one_neuron", "One neuron", "logistic regression and its log-likelihood", (1, 2), 75),
    Chapter(4, "mlp", "The multilayer perceptron", "an MLP forward pass; XOR solved", (3,), 75),
    Chapter(5, "gradient_descent", "Gradient descent", "SGD, momentum, RMSProp and Adam", (4,), 90),
    Chapter(6, "backprop", "Backprop", "a scalar autograd engine", (5,), 120),
    Chapter(7, "mnist", "MNIST", "a digit classifier in numpy and in torch", (6,), 90),
    Chapter(8, "rnn", "Recurrent networks", "a character-level RNN", (7,), 90),
    Chapter(9, "tokens_embeddings", "Tokens & embeddings", "BPE and word2vec", (7,), 90),
    Chapter(10, "attention", "Attention", "scaled dot-product self-attention", (9,), 90),
    Chapter(11, "transformer_block", "The transformer block", "multi-head attention, layer norm, MLP", (10,), 90),
    Chapter(12, "gpt", "A small GPT", "train and sample a character GPT; a KV cache", (11,), 120),
    Chapter(13, "beyond", "Beyond", "mixture of experts, grouped-query attention, RLHF", (12,), 75),
)


def chapter(number: int) -> Chapter:
    """The chapter with this number (0–13)."""
    for ch in CHAPTERS:
        if ch.number == number:
            return ch
    raise KeyError(f"there is no chapter {number!r}; chapters run from 0 to {CHAPTERS[-1].number}")


def all_prerequisites(number: int) -> list[int]:
    """Every chapter that ``number`` builds on, directly or through another, in order."""
    seen: set[int] = set()
    todo = list(chapter(number).prerequisites)
    while todo:
        n = todo.pop()
        if n not in seen:
            seen.add(n)
            todo.extend(chapter(n).prerequisites)
    return sorted(seen)


def layout_chapters(chapters: tuple[Chapter, ...] = CHAPTERS) -> dict[int, tuple[float, float]]:
    """Where to draw each chapter in a picture of the dependency graph: ``{number: (x, y)}``.

    ``x`` is the chapter's depth: the length of the longest chain of prerequisites leading to
    it, so every arrow points to the right. Chapters of equal depth share a column, ordered by
    the average height of their prerequisites (so chains stay in lanes) and spaced one unit
    apart around the middle; a chapter alone in its column sits at that average height.
    """
    numbers = [ch.number for ch in chapters]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"chapter numbers must be unique, got {numbers}")
    known = set(numbers)
    for ch in chapters:
        for p in ch.prerequisites:
            if p not in known:
                raise ValueError(f"chapter {ch.number} assumes chapter {p}, which is not in the map")
            if p >= ch.number:
                raise ValueError(f"chapter {ch.number} assumes chapter {p}; a chapter may only "
                                 "assume earlier chapters")
    ordered = sorted(chapters, key=lambda ch: ch.number)
    depth: dict[int, int] = {}
    for ch in ordered:  # prerequisites come first, so their depth is already known
        depth[ch.number] = 1 + max((depth[p] for p in ch.prerequisites), default=-1)
    positions: dict[int, tuple[float, float]] = {}
    for column in range(max(depth.values(), default=-1) + 1):
        members = [ch for ch in ordered if depth[ch.number] == column]

        def height(ch: Chapter) -> float:
            ys = [positions[p][1] for p in ch.prerequisites]
            return sum(ys) / len(ys) if ys else 0.0

        if len(members) == 1:
            positions[members[0].number] = (float(column), height(members[0]))
            continue
        members.sort(key=lambda ch: (-height(ch), ch.number))
        top = (len(members) - 1) / 2
        for row, ch in enumerate(members):
            positions[ch.number] = (float(column), top - row)
    return positions


TIMES_FILE = Path(__file__).resolve().parents[1] / "benchmarks" / "notebook_times.json"


def measured_run_times(path: Path = TIMES_FILE) -> dict[str, float]:
    """Seconds each notebook took to execute, as recorded by ``make execute``."""
    return json.loads(path.read_text()) if path.is_file() else {}


def chapter_table(times: dict[str, float] | None = None) -> str:
    """The README's chapter table (markdown): number, title, what you build, times."""
    times = measured_run_times() if times is None else times
    rows = ["| # | chapter | what you build | assumes | learner time | run time (2-core CPU) |",
            "|---|---|---|---|---|---|"]
    for ch in CHAPTERS:
        seconds = times.get(ch.notebook)
        run = "coming soon" if seconds is None else f"{max(1, round(seconds))} s"
        title = ch.title if seconds is None else f"[{ch.title}](notebooks/{ch.notebook})"
        needs = ", ".join(f"{n:02d}" for n in ch.prerequisites) or "—"
        rows.append(f"| {ch.number:02d} | {title} | {ch.builds} | {needs} | "
                    f"{ch.learner_minutes} min | {run} |")
    return "\n".join(rows)


if __name__ == "__main__":
    print(chapter_table())
