"""The course map: every chapter, what it builds, what it assumes, where its code lives.

One table used by the welcome notebook, the README, CONTRIBUTING.md and the tests, so they
cannot disagree. ``learner_minutes`` is the time a learner should plan for. How long each
notebook takes to execute is measured, not written here: ``make execute`` records it in
``benchmarks/notebook_times.json`` and writes it into the notebook's title cell, and
:func:`chapter_table` puts it in the README.

``modules`` answers "where does chapter 06 live?" in one line: every ``course_utils`` module
the chapter's notebook imports, relative to the package. Concept modules (``autograd``) hold
what chapters build and reuse; chapter modules (``checks.ch06_backprop``,
``widgets.ch06_backprop``) hold what that one notebook alone uses. A test keeps the list true.
"""

from __future__ import annotations

import json
from collections.abc import Callable
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
    modules: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The chapter's file stem, ``06_backprop``; its chapter modules are ``ch06_backprop``."""
        return f"{self.number:02d}_{self.slug}"

    @property
    def notebook(self) -> str:
        return f"{self.name}.ipynb"

    @property
    def module_stem(self) -> str:
        """The name of this chapter's modules in ``checks/`` and ``widgets/``: ``ch06_backprop``."""
        return f"ch{self.name}"

    @property
    def concept_modules(self) -> tuple[str, ...]:
        """The modules this chapter uses that are not its own chapter modules."""
        return tuple(m for m in self.modules if m.split(".")[-1] != self.module_stem)


CHAPTERS: tuple[Chapter, ...] = (
    Chapter(0, "welcome", "Welcome", "a working setup; numpy & torch tensors", (), 45,
            ("course_map", "tensors", "widgets", "checks.ch00_welcome", "widgets.ch00_welcome")),
    Chapter(1, "sigmoid", "The sigmoid", "a numerically stable sigmoid", (0,), 60,
            ("activations", "compare", "checks.ch01_sigmoid", "widgets.ch01_sigmoid")),
    Chapter(2, "vectors_matrices", "Vectors & matrices", "matmul with shape checks; cosine similarity", (0,), 75,
            ("linalg", "timing", "checks.ch02_vectors_matrices", "widgets.ch02_vectors_matrices")),
    Chapter(3, "one_neuron", "One neuron", "logistic regression and its log-likelihood", (1, 2), 75,
            ("activations", "neuron", "data", "plotting", "compare", "checks.ch03_one_neuron",
             "widgets.ch03_one_neuron")),
    Chapter(4, "mlp", "The multilayer perceptron", "an MLP forward pass; XOR solved", (3,), 75,
            ("activations", "mlp", "data", "compare", "checks.ch04_mlp", "widgets.ch04_mlp")),
    Chapter(5, "gradient_descent", "Gradient descent", "SGD, momentum, RMSProp and Adam", (4,), 90,
            ("activations", "landscapes", "optim", "compare", "timing",
             "checks.ch05_gradient_descent", "widgets.ch05_gradient_descent")),
    Chapter(6, "backprop", "Backprop", "a scalar autograd engine", (5,), 120,
            ("autograd", "backprop", "data", "checks.ch06_backprop", "widgets.ch06_backprop")),
    Chapter(7, "mnist", "MNIST", "a digit classifier in numpy and in torch", (6,), 90,
            ("softmax", "mnist_mlp", "torch_mlp", "timing", "checks.ch07_mnist",
             "widgets.ch07_mnist")),
    Chapter(8, "rnn", "Recurrent networks", "a character-level RNN", (7,), 90,
            ("rnn", "compare", "timing", "checks.ch08_rnn", "widgets.ch08_rnn")),
    Chapter(9, "tokens_embeddings", "Tokens & embeddings", "BPE and word2vec", (7,), 90,
            ("tokenizers", "embeddings", "compare", "timing", "checks.ch09_tokens_embeddings",
             "widgets.ch09_tokens_embeddings")),
    Chapter(10, "attention", "Attention", "scaled dot-product self-attention", (9,), 90,
            ("attention", "compare", "gpt", "checks.ch10_attention", "widgets.ch10_attention")),
    Chapter(11, "transformer_block", "The transformer block", "multi-head attention, layer norm, MLP", (10,), 90,
            ("attention", "transformer", "gpt", "compare", "checks.ch11_transformer_block",
             "widgets.ch11_transformer_block")),
    Chapter(12, "gpt", "A small GPT", "train and sample a character GPT; a KV cache", (11,), 120,
            ("attention", "transformer", "gpt", "rnn", "compare", "timing", "checks.ch12_gpt",
             "widgets.ch12_gpt")),
    Chapter(13, "beyond", "Beyond", "mixture of experts, grouped-query attention, RLHF", (12,), 75,
            ("moe", "alignment", "gpt", "data", "checks.ch13_beyond", "widgets.ch13_beyond")),
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


def format_run_time(seconds: float) -> str:
    """A measured run time as the README and the title cells show it: ``12 s``, ``2 min 5 s``."""
    whole = max(1, round(seconds))
    return f"{whole} s" if whole < 120 else f"{whole // 60} min {whole % 60} s"


RUN_TIME_PREFIX = "**Run time:**"


def run_time_line(seconds: float) -> str:
    """The title cell's run-time line, written by ``make execute`` from the measured time."""
    return f"{RUN_TIME_PREFIX} {format_run_time(seconds)} on a 2-core laptop CPU (measured)."


def _notebook_link(ch: Chapter) -> str:
    return f"notebooks/{ch.notebook}"


def chapter_table(times: dict[str, float] | None = None,
                  link: Callable[[Chapter], str | None] = _notebook_link) -> str:
    """The README's chapter table (markdown): number, title, what you build, times.

    A chapter with a measured run time links its title to ``link(chapter)`` (the notebook in
    the README; its page on the website, see :mod:`course_utils.site`) unless that is None.
    """
    times = measured_run_times() if times is None else times
    rows = ["| # | chapter | what you build | assumes | learner time | run time (2-core CPU) |",
            "|---|---|---|---|---|---|"]
    for ch in CHAPTERS:
        seconds = times.get(ch.notebook)
        run = "coming soon" if seconds is None else format_run_time(seconds)
        target = None if seconds is None else link(ch)
        title = ch.title if target is None else f"[{ch.title}]({target})"
        needs = ", ".join(f"{n:02d}" for n in ch.prerequisites) or "—"
        rows.append(f"| {ch.number:02d} | {title} | {ch.builds} | {needs} | "
                    f"{ch.learner_minutes} min | {run} |")
    return "\n".join(rows)


def module_table() -> str:
    """CONTRIBUTING.md's table of where each written chapter's code lives (markdown)."""
    rows = ["| # | notebook | concept modules it uses | its checks | its widgets and demos |",
            "|---|---|---|---|---|"]
    for ch in CHAPTERS:
        if not ch.modules:
            continue
        own = {folder: f"`{folder}/{ch.module_stem}.py`" if f"{folder}.{ch.module_stem}"
               in ch.modules else "—" for folder in ("checks", "widgets")}
        concepts = ", ".join(f"`{m}`" for m in ch.concept_modules) or "—"
        rows.append(f"| {ch.number:02d} | `{ch.notebook}` | {concepts} | {own['checks']} | "
                    f"{own['widgets']} |")
    return "\n".join(rows)


def refresh_generated_tables(root: Path = TIMES_FILE.parents[1]) -> None:
    """Rewrite the generated tables in README.md (chapters) and CONTRIBUTING.md (modules)."""
    for name, marker, table in (("README.md", "chapter-table", chapter_table()),
                                ("CONTRIBUTING.md", "module-table", module_table())):
        path = root / name
        text = path.read_text()
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        if start not in text or end not in text:
            raise ValueError(f"{name} has no {start} … {end} markers")
        path.write_text(text[:text.index(start) + len(start)] + "\n" + table + "\n"
                        + text[text.index(end):])


if __name__ == "__main__":
    refresh_generated_tables()
    print(chapter_table())
