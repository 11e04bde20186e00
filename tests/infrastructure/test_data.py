"""The data layer: lookup order, verification, atomic download, fallbacks, MNIST loaders."""

from __future__ import annotations

import gzip
import hashlib
import http.server
import socket
import struct
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from course_utils import data as cd
from course_utils.data import download as dl
from course_utils.data.registry import DatasetSpec

PAYLOAD = b"To be, or not to be, that is the question.\n" * 200


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty cache and no read-only copies."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cd.CACHE_ENV, str(folder))
    monkeypatch.delenv(cd.SEARCH_ENV, raising=False)
    monkeypatch.delenv(dl.OFFLINE_ENV, raising=False)
    return folder


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, bytes] = {}
    hits: dict[str, int] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        self.hits[self.path] = self.hits.get(self.path, 0) + 1
        body = self.routes.get(self.path)
        if body is None:
            self.send_error(404)
            return
        if self.path == "/flaky" and self.hits[self.path] == 1:
            self.send_error(503)  # fails once, then works: exercises the retry
            return
        if self.path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body) * 2))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass


@pytest.fixture
def server() -> Iterator[str]:
    """A real HTTP server on 127.0.0.1 serving a few fixed files."""
    _Handler.routes = {"/good.txt": PAYLOAD, "/flaky": PAYLOAD, "/truncated": PAYLOAD,
                       "/wrong.txt": PAYLOAD.upper()}
    _Handler.hits = {}
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _spec(url: str, payload: bytes = PAYLOAD) -> DatasetSpec:
    return DatasetSpec(name="toy", title="Toy text", relpath="toy/toy.txt", urls=(url,),
                       sha256=hashlib.sha256(payload).hexdigest(), size=len(payload),
                       licence="test")


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/nothing-listens-here"


def test_real_download_lands_verified_in_cache(cache: Path, server: str) -> None:
    path = cd.fetch(_spec(server + "/good.txt"), verbose=False)
    assert path == cache.resolve() / "toy" / "toy.txt"
    assert path.read_bytes() == PAYLOAD
    assert not list(path.parent.glob("*.part")), "no temporary file may be left behind"


def test_second_fetch_uses_the_cache(cache: Path, server: str) -> None:
    spec = _spec(server + "/good.txt")
    cd.fetch(spec, verbose=False)
    cd.fetch(spec, verbose=False)
    assert _Handler.hits["/good.txt"] == 1


def test_retry_after_server_error(cache: Path, server: str) -> None:
    path = dl.download_file([server + "/flaky"], cache / "f.txt", size=len(PAYLOAD),
                            backoff=0.01, progress=False)
    assert path.read_bytes() == PAYLOAD
    assert _Handler.hits["/flaky"] == 2


def test_checksum_mismatch_is_refused_and_leaves_nothing(cache: Path, server: str) -> None:
    spec = _spec(server + "/wrong.txt")  # serves other bytes of the same length
    with pytest.raises(cd.DataUnavailableError, match="checksum"):
        cd.fetch(spec, verbose=False, retries=1)
    assert not (cache / "toy").exists() or not any((cache / "toy").iterdir())


def test_truncated_download_is_refused(cache: Path, server: str) -> None:
    target = cache / "t.txt"
    with pytest.raises(cd.DataUnavailableError):
        dl.download_file([server + "/truncated"], target, size=len(PAYLOAD) * 2, retries=1,
                         progress=False, timeout=5)
    assert not target.exists()
    assert not list(cache.glob("*.part"))


def test_falls_back_to_second_url(cache: Path, server: str) -> None:
    spec = replace(_spec(server + "/good.txt"), urls=(_closed_port_url(), server + "/good.txt"))
    assert cd.fetch(spec, verbose=False, retries=1).read_bytes() == PAYLOAD


def test_corrupt_cached_file_is_replaced(cache: Path, server: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    spec = _spec(server + "/good.txt")
    target = cache / spec.relpath
    target.parent.mkdir(parents=True)
    target.write_bytes(PAYLOAD[:-1] + b"!")  # same size, wrong content
    assert cd.fetch(spec).read_bytes() == PAYLOAD
    assert "checksum" in capsys.readouterr().out


def test_truncated_cached_file_is_replaced(cache: Path, server: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    spec = _spec(server + "/good.txt")
    target = cache / spec.relpath
    target.parent.mkdir(parents=True)
    target.write_bytes(PAYLOAD[:100])
    assert cd.fetch(spec).read_bytes() == PAYLOAD
    assert "truncated" in capsys.readouterr().out


def test_read_only_copy_is_used_first_and_never_modified(cache: Path, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    shelf = tmp_path / "shelf"
    (shelf / "toy").mkdir(parents=True)
    (shelf / "toy" / "toy.txt").write_bytes(PAYLOAD)
    monkeypatch.setenv(cd.SEARCH_ENV, str(shelf))
    spec = _spec(_closed_port_url())  # a download would fail: the copy must be used
    assert cd.fetch(spec, verbose=False) == (shelf / "toy" / "toy.txt").resolve()


def test_bad_read_only_copy_is_skipped_not_deleted(cache: Path, tmp_path: Path, server: str,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    shelf = tmp_path / "shelf"
    (shelf / "toy").mkdir(parents=True)
    bad = shelf / "toy" / "toy.txt"
    bad.write_bytes(b"garbage")
    monkeypatch.setenv(cd.SEARCH_ENV, str(shelf))
    path = cd.fetch(_spec(server + "/good.txt"), verbose=False)
    assert path.parent.parent == cache.resolve() and bad.read_bytes() == b"garbage"


def test_no_network_gives_a_clear_message(cache: Path) -> None:
    with pytest.raises(cd.DataUnavailableError) as info:
        cd.fetch(_spec(_closed_port_url()), verbose=False, retries=2, timeout=2)
    message = str(info.value)
    assert "To fix this" in message and "COURSE_DATA_PATH" in message and "toy/toy.txt" in message


def test_offline_switch_skips_the_network(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(dl.OFFLINE_ENV, "1")
    with pytest.raises(cd.DataUnavailableError, match="COURSE_OFFLINE"):
        cd.fetch(_spec("http://127.0.0.1:9/never"), verbose=False)


def test_download_file_input_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one URL"):
        dl.download_file([], tmp_path / "x")
    with pytest.raises(ValueError, match="retries"):
        dl.download_file(["http://127.0.0.1:9/x"], tmp_path / "x", retries=0)


def test_unknown_dataset_name_lists_the_known_ones() -> None:
    with pytest.raises(KeyError, match="tinyshakespeare"):
        cd.get_spec("tiny-shakespear")
    with pytest.raises(TypeError):
        cd.get_spec(3)  # type: ignore[arg-type]
    assert cd.get_spec("Tiny_Shakespeare").name == "tinyshakespeare"


# --- load_text ---------------------------------------------------------------------------

def test_load_text_offline_uses_announced_fallback(cache: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv(dl.OFFLINE_ENV, "1")
    text = cd.load_text("tinyshakespeare")
    out = capsys.readouterr().out
    assert text.is_fallback and "FALLBACK IN USE" in out
    assert 400_000 < len(text) < 600_000
    with pytest.raises(cd.DataUnavailableError):
        cd.load_text("tinyshakespeare", fallback=False)


def test_load_text_reads_verified_copy(cache: Path, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The copy that ships in the checkout's data/ folder, used as a read-only copy."""
    spec = cd.get_spec("tinyshakespeare")
    source = Path(__file__).resolve().parents[2] / "data"
    assert (source / spec.relpath).is_file(), "data/tinyshakespeare/input.txt ships with the course"
    monkeypatch.setenv(cd.SEARCH_ENV, str(source))
    text = cd.load_text("tinyshakespeare", verbose=False)
    assert not text.is_fallback and len(text) == 1_115_394 and text.startswith("First Citizen")
    assert isinstance(text, str)


# --- MNIST -------------------------------------------------------------------------------

def test_mnist_sample_is_real_balanced_and_split(cache: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    mnist = cd.load_mnist()
    assert "MNIST sample" in capsys.readouterr().out
    assert mnist.source == "sample"
    assert mnist.x_train.shape == (4000, 28, 28) and mnist.x_test.shape == (1000, 28, 28)
    assert mnist.x_train.dtype == np.uint8 and mnist.x_train.max() == 255
    assert set(np.unique(mnist.y_test)) == set(range(10))
    assert np.bincount(mnist.y_train).min() > 300  # the file is sorted; the split must not be


def _write_idx(folder: Path, name: str, array: np.ndarray) -> None:
    header = struct.pack(">HBB", 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    (folder / name).write_bytes(header + array.astype(np.uint8).tobytes())


@pytest.fixture
def tiny_mnist(cache: Path) -> Path:
    """A tiny MNIST in torchvision's raw layout (IDX files) inside the cache."""
    raw = cache / "MNIST" / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    for prefix, n in (("train", 12), ("t10k", 5)):
        _write_idx(raw, f"{prefix}-images-idx3-ubyte", rng.integers(0, 256, (n, 28, 28)))
        _write_idx(raw, f"{prefix}-labels-idx1-ubyte", np.arange(n) % 10)
    return raw


def test_mnist_full_through_torchvision(tiny_mnist: Path) -> None:
    mnist = cd.load_mnist("full", verbose=False)
    assert mnist.source == "full"
    assert mnist.x_train.shape == (12, 28, 28) and mnist.x_test.shape == (5, 28, 28)
    assert list(mnist.y_test) == [0, 1, 2, 3, 4]


def test_mnist_auto_prefers_full_when_present(tiny_mnist: Path) -> None:
    assert cd.load_mnist("auto", verbose=False).source == "full"


def test_mnist_full_missing_says_what_to_do(cache: Path) -> None:
    with pytest.raises(cd.DataUnavailableError, match="download=True"):
        cd.load_mnist("full")


def test_mnist_corrupt_full_set_is_a_clear_error(tiny_mnist: Path) -> None:
    (tiny_mnist / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08")
    with pytest.raises(cd.DataUnavailableError, match="could not load"):
        cd.load_mnist("full")


def test_mnist_bad_source() -> None:
    with pytest.raises(ValueError, match="auto, sample, full"):
        cd.load_mnist("everything")


def test_sha256_of(tmp_path: Path) -> None:
    p = tmp_path / "x.gz"
    with gzip.open(p, "wb") as fh:
        fh.write(b"abc")
    assert cd.sha256_of(p) == hashlib.sha256(p.read_bytes()).hexdigest()


def test_cache_outside_a_checkout_goes_to_the_user_cache(monkeypatch: pytest.MonkeyPatch,
                                                         tmp_path: Path) -> None:
    from course_utils.data import paths

    monkeypatch.delenv(cd.CACHE_ENV, raising=False)
    monkeypatch.setattr(paths, "PROJECT_ROOT", tmp_path / "site-packages-parent")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cd.data_dir() == (tmp_path / "xdg" / "sigmoid-to-gpt").resolve()
    monkeypatch.setenv("HOME", str(tmp_path))
    assert cd.display_path(tmp_path / "xdg" / "x.txt") == "~/xdg/x.txt"


def test_display_path_inside_the_course_is_relative() -> None:
    from course_utils.data import paths

    assert cd.display_path(paths.PROJECT_ROOT / "data" / "a.txt") == "data/a.txt"
