"""Text corpora for the language chapters (tokens, RNNs, attention, the GPT)."""

from __future__ import annotations

from .download import DataUnavailableError, fetch
from .paths import display_path
from .registry import get_spec


class TextCorpus(str):
    """A corpus: an ordinary ``str`` that also remembers where it came from.

    ``name`` is the data set asked for, ``source`` says where the text was read from, and
    ``is_fallback`` is True when the offline stand-in corpus is in use.
    """

    name: str
    source: str
    is_fallback: bool

    def __new__(cls, text: str, *, name: str, source: str, is_fallback: bool) -> TextCorpus:
        obj = super().__new__(cls, text)
        obj.name, obj.source, obj.is_fallback = name, source, is_fallback
        return obj


def fallback_text() -> str:
    """The offline stand-in corpus: Python's own help topics (~465 KB of English prose).

    Every Python installation carries it (``pydoc_data``), so it is there with no network.
    """
    from pydoc_data.topics import topics

    return "\n\n".join(topics[key] for key in sorted(topics))


def load_text(name: str = "tinyshakespeare", *, fallback: bool = True, download: bool = True,
              verbose: bool = True) -> TextCorpus:
    """Load a registered text corpus, verified against its checksum.

    When the file cannot be found or downloaded and ``fallback`` is True, the Python help
    topics are returned instead, and a message says so plainly (the course still runs; the
    text is just less Shakespearean). With ``fallback=False`` the error is raised.
    """
    spec = get_spec(name)
    try:
        path = fetch(spec, download=download, verbose=verbose)
    except DataUnavailableError as exc:
        if not fallback:
            raise
        text = fallback_text()
        if verbose:
            print(f"{spec.title} is not available here:\n{exc}\n")
            print(f"FALLBACK IN USE: the Python help topics ({len(text):,} characters) "
                  f"stand in for {spec.title}. Results will differ from the course's printouts.")
        return TextCorpus(text, name=spec.name, source="pydoc_data help topics (fallback)",
                          is_fallback=True)
    text = path.read_text(encoding="utf-8")
    if verbose:
        print(f"Loaded {spec.title}: {len(text):,} characters from {display_path(path)}")
    return TextCorpus(text, name=spec.name, source=display_path(path), is_fallback=False)
