"""The data sets the course knows: where each comes from, how big it is, and its checksum."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetSpec:
    """One downloadable file.

    ``relpath`` is where the file lives inside a data directory, ``urls`` are tried in order,
    and ``sha256`` / ``size`` tell a good copy from a corrupt or truncated one.
    """

    name: str
    title: str
    relpath: str
    urls: tuple[str, ...]
    sha256: str
    size: int
    licence: str


DATASETS: dict[str, DatasetSpec] = {
    "tinyshakespeare": DatasetSpec(
        name="tinyshakespeare",
        title="Tiny Shakespeare",
        relpath="tinyshakespeare/input.txt",
        urls=(
            "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
        ),
        sha256="86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
        size=1_115_394,
        licence="public domain (works of Shakespeare)",
    ),
}


def get_spec(name: str) -> DatasetSpec:
    """Look a data set up by name, with a helpful error for a typo."""
    if not isinstance(name, str):
        raise TypeError(f"data set name must be a string, not {type(name).__name__}")
    key = name.strip().lower().replace("-", "").replace("_", "").replace(" ", "")
    for spec in DATASETS.values():
        if spec.name == key:
            return spec
    known = ", ".join(sorted(DATASETS))
    raise KeyError(f"unknown data set {name!r}; the course knows: {known}")
