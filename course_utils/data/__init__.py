"""Data: where files live, how they are downloaded and verified, and the loaders chapters use.

* :mod:`.paths` — the cache directory and the read-only directories searched first;
* :mod:`.registry` — every data set the course knows (source URLs, size, sha256);
* :mod:`.download` — fetch a registered file: verified, atomic, retried, with a progress bar;
* :mod:`.text` — :func:`load_text` (Tiny Shakespeare, with an offline fallback corpus);
* :mod:`.mnist` — :func:`load_mnist` (a shipped real sample by default, the full set opt-in);
* :mod:`.toy` — small seeded 2-D data sets (blobs, XOR, circles, moons) for chapters 03–06.
"""

from .download import DataUnavailableError, download_file, fetch, sha256_of
from .mnist import MnistData, load_mnist
from .paths import CACHE_ENV, SEARCH_ENV, data_dir, display_path, search_dirs
from .registry import DATASETS, DatasetSpec, get_spec
from .text import TextCorpus, load_text
from .toy import TOY_DATASETS, ToyData, load_toy, make_blobs, make_circles, make_moons, make_xor

__all__ = [
    "CACHE_ENV",
    "DATASETS",
    "DataUnavailableError",
    "DatasetSpec",
    "MnistData",
    "SEARCH_ENV",
    "TOY_DATASETS",
    "TextCorpus",
    "ToyData",
    "data_dir",
    "display_path",
    "download_file",
    "fetch",
    "get_spec",
    "load_mnist",
    "load_text",
    "load_toy",
    "make_blobs",
    "make_circles",
    "make_moons",
    "make_xor",
    "search_dirs",
    "sha256_of",
]
