"""Fetch a registered file: search the read-only copies and the cache, otherwise download.

Every file is checked against its registered size and sha256 before use. A download is
streamed into a temporary file beside the target, hashed on the way, and renamed into place
only when it is complete and correct, so an interrupted download never leaves half a file in
the cache. A corrupt or truncated cached file is detected and replaced.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from tqdm.auto import tqdm

from .paths import data_dir, display_path, search_dirs
from .registry import DatasetSpec, get_spec

OFFLINE_ENV = "COURSE_OFFLINE"
_CHUNK = 1 << 16


class DataUnavailableError(RuntimeError):
    """A data file is neither on disk nor downloadable; the message says what to do."""


def sha256_of(path: Path) -> str:
    """The hex sha256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _problem_with(path: Path, spec: DatasetSpec) -> str | None:
    """Why ``path`` is not a good copy of ``spec`` (None when it is good)."""
    size = path.stat().st_size
    if size != spec.size:
        return f"it has {size:,} bytes instead of {spec.size:,} (truncated or wrong file)"
    if sha256_of(path) != spec.sha256:
        return "its sha256 checksum does not match (corrupt or a different file)"
    return None


def offline() -> bool:
    """True when ``COURSE_OFFLINE`` is set to something other than 0/empty."""
    return os.environ.get(OFFLINE_ENV, "").strip().lower() not in ("", "0", "false", "no")


def download_file(
    urls: Sequence[str],
    dest: Path,
    *,
    sha256: str | None = None,
    size: int | None = None,
    retries: int = 3,
    timeout: float = 15.0,
    backoff: float = 1.0,
    progress: bool = True,
) -> Path:
    """Download the first URL that works into ``dest``, atomically and verified.

    Each URL is tried up to ``retries`` times (waiting ``backoff``, then twice that, ...).
    Raises :class:`DataUnavailableError` listing every failure when nothing worked.
    """
    if isinstance(urls, str):
        urls = [urls]
    if not urls:
        raise ValueError("download_file needs at least one URL")
    if retries < 1:
        raise ValueError(f"retries must be at least 1, got {retries}")
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    failures: list[str] = []
    for url in urls:
        for attempt in range(1, retries + 1):
            try:
                _download_once(url, dest, sha256=sha256, size=size, timeout=timeout,
                               progress=progress)
                return dest
            except (urllib.error.URLError, OSError, ValueError) as exc:
                reason = getattr(exc, "reason", None) or exc
                failures.append(f"{url} (try {attempt}): {reason}")
                if attempt < retries:
                    time.sleep(backoff * 2 ** (attempt - 1))
    raise DataUnavailableError(
        "could not download " + dest.name + ":\n  " + "\n  ".join(failures)
    )


def _download_once(url: str, dest: Path, *, sha256: str | None, size: int | None,
                   timeout: float, progress: bool) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "sigmoid-to-gpt-course"})
    fd, tmp_name = tempfile.mkstemp(prefix=dest.name + ".", suffix=".part", dir=dest.parent)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        received = 0
        with os.fdopen(fd, "wb") as out, urllib.request.urlopen(request, timeout=timeout) as resp:
            total = size or int(resp.headers.get("Content-Length") or 0) or None
            with tqdm(total=total, unit="B", unit_scale=True, desc=dest.name,
                      disable=not progress, leave=False) as bar:
                for block in iter(lambda: resp.read(_CHUNK), b""):
                    out.write(block)
                    digest.update(block)
                    received += len(block)
                    bar.update(len(block))
        if size is not None and received != size:
            raise ValueError(f"received {received:,} bytes, expected {size:,} (cut short)")
        if sha256 is not None and digest.hexdigest() != sha256:
            raise ValueError("checksum mismatch: the downloaded file is not the expected one")
        os.replace(tmp, dest)  # atomic: the cache never holds half a file
    finally:
        if tmp.exists():
            tmp.unlink()


def fetch(name: str | DatasetSpec, *, download: bool = True, verbose: bool = True,
          retries: int = 3, timeout: float = 15.0) -> Path:
    """Return the path of a verified copy of a registered data file.

    Looks in ``COURSE_DATA_PATH`` directories, then the cache; downloads into the cache when
    no good copy exists (unless ``download=False`` or ``COURSE_OFFLINE`` is set). A bad copy
    in the cache is deleted and replaced; a bad read-only copy is skipped with a warning.
    """
    spec = name if isinstance(name, DatasetSpec) else get_spec(name)
    cache_dir = data_dir()
    for folder in search_dirs():
        candidate = folder / spec.relpath
        if not candidate.is_file():
            continue
        problem = _problem_with(candidate, spec)
        if problem is None:
            return candidate
        if folder == cache_dir:
            if verbose:
                print(f"Cached {display_path(candidate)} is unusable: {problem}. Replacing it.")
            candidate.unlink()
        elif verbose:
            print(f"Skipping {display_path(candidate)}: {problem}.")
    target = cache_dir / spec.relpath
    help_text = (
        f"To fix this, either connect to the internet and run again, or download\n"
        f"  {spec.urls[0]}\n"
        f"by hand and save it as {display_path(target)}, or set COURSE_DATA_PATH to a folder\n"
        f"that holds {spec.relpath}."
    )
    if not download or offline():
        why = "downloads are switched off" if not download else "COURSE_OFFLINE is set"
        raise DataUnavailableError(f"{spec.title} is not on disk and {why}.\n{help_text}")
    if verbose:
        print(f"Downloading {spec.title} ({spec.size:,} bytes) into {display_path(target)} ...")
    try:
        download_file(spec.urls, target, sha256=spec.sha256, size=spec.size,
                      retries=retries, timeout=timeout, progress=verbose)
    except DataUnavailableError as exc:
        raise DataUnavailableError(f"{exc}\n{help_text}") from None
    return target
