"""The load caches: each file's read result, and a snapshot of the last graph built.

The parse cache keys each file's read result by its path, size and modification time, so
a restart re-reads only the files that changed. When no file changed at all, the snapshot
of the built graph is loaded instead, skipping the merge and index building too.

Both live in one folder per data directory under the cache folder, are replaced
atomically, and are checked against a key naming the data directory and the version of
the reading code; anything missing, unreadable or stale counts as empty, never as an
error. They hold pickles: keep the cache folder as private as the data itself.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from graph import build, files, identity, model, records
from graph.files import FileResult, from_plain, to_plain
from graph.model import ContentGraph
from graph.report import LoadReport

Fingerprint = tuple[int, int]


def _code_version() -> str:
    # The rules that turn files into a graph live in these modules: changing any of them
    # must invalidate what an older version cached.
    digest = hashlib.blake2b(digest_size=8)
    for module in (files, records, identity, build, model):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


CODE_VERSION = _code_version()


def default_cache_dir() -> Path:
    configured = os.environ.get("CONTENT_GRAPH_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "content-graph"


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while millions of long-lived objects are made.

    Each collection would scan everything allocated so far, only to find nothing to free:
    unpickling a 100k-record graph takes several times longer with the collector running.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class LoadCache:
    def __init__(self, folder: Path, key: str) -> None:
        self.folder = folder
        # Stored beside the data and checked on open: guards against hash collisions and
        # against caches written for another data directory or by other code.
        self.key = key
        self._entries: dict[str, tuple[Fingerprint, Any]] | None = None

    @classmethod
    def open(cls, cache_dir: Path, data_dir: Path, max_file_bytes: int) -> LoadCache:
        key = f"{Path(data_dir).resolve()}\0{max_file_bytes}\0{CODE_VERSION}"
        name = hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()
        return cls(Path(cache_dir) / name, key)

    @property
    def entries(self) -> dict[str, tuple[Fingerprint, Any]]:
        # Read on first use: a load that the snapshot answers never needs the file results.
        if self._entries is None:
            stored = _read(self.folder / "files.pickle")
            valid = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == self.key
            self._entries = stored[1] if valid and isinstance(stored[1], dict) else {}
        return self._entries

    def get(self, path: str, fingerprint: Fingerprint) -> FileResult | None:
        entry = self.entries.get(path)
        try:
            if entry is None or entry[0] != fingerprint or fingerprint[0] < 0:
                return None
            return from_plain(entry[1])
        except (TypeError, ValueError, IndexError):
            return None  # not the shape this code writes: read the file instead

    def writable(self) -> bool:
        """Whether this cache can be written, found by writing a file in its folder.

        Asked before work whose worth lies in what it leaves in the cache. Permission
        bits alone would not tell (root ignores them); writing does.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            handle, name = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
        except OSError:
            return False
        os.close(handle)
        with suppress(OSError):
            os.unlink(name)
        return True

    def save(self, results: list[tuple[FileResult, Fingerprint]]) -> None:
        """Replace the stored file results; failing to write only costs the next start."""
        entries = {result.path: (fingerprint, to_plain(result)) for result, fingerprint in results}
        if _write(self.folder / "files.pickle", (self.key, entries)):
            self._entries = entries

    def snapshot(self, version: str) -> tuple[ContentGraph, LoadReport] | None:
        """The graph and report last built from data of this version, if any."""
        stored = _read(self.folder / "graph.pickle")
        if not isinstance(stored, tuple) or len(stored) != 4:
            return None
        if stored[:2] != (self.key, version):
            return None
        graph, report = stored[2:]
        if not (isinstance(graph, ContentGraph) and isinstance(report, LoadReport)):
            return None
        return graph, report

    def save_snapshot(self, version: str, graph: ContentGraph, report: LoadReport) -> None:
        _write(self.folder / "graph.pickle", (self.key, version, graph, report))


# A cache file: this header, a digest of the payload, then the payload (a pickle). The
# digest turns a damaged file into a missing one; without it, a flipped byte inside a
# string would be served as data.
_HEADER = b"content-graph load cache 1\n"
_DIGEST_SIZE = 32


def _read(location: Path) -> Any:
    try:
        with open(location, "rb") as handle:
            data = handle.read()
    except OSError:
        return None
    start = len(_HEADER) + _DIGEST_SIZE
    digest = data[len(_HEADER) : start]
    if not data.startswith(_HEADER) or digest != _digest(memoryview(data)[start:]):
        return None
    try:
        with collector_paused():
            return pickle.loads(memoryview(data)[start:])
    except Exception:
        return None


def _write(location: Path, value: Any) -> bool:
    temporary = None
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        location.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=location.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(_HEADER)
            out.write(_digest(payload))
            out.write(payload)
        os.replace(temporary, location)
        return True
    except (OSError, pickle.PicklingError, RecursionError, MemoryError):
        if temporary is not None:
            with suppress(OSError):
                os.unlink(temporary)
        return False


def _digest(payload: bytes | memoryview) -> bytes:
    return hashlib.blake2b(payload, digest_size=_DIGEST_SIZE).digest()
