"""The parse cache: each file's read result, keyed by its path, size and modification time.

A restart over unchanged files then skips reading and parsing them. The cache is one file
per data directory under the cache folder, replaced atomically on save; a cache that is
missing, unreadable or written by other code is treated as empty, never as an error.
The cache holds pickles: keep the cache folder as private as the data itself.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from graph import files, records
from graph.files import FileResult

Fingerprint = tuple[int, int]


def _code_version() -> str:
    # Reading rules live in these modules: a change to them must invalidate old parses.
    digest = hashlib.blake2b(digest_size=8)
    for module in (files, records):
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


CODE_VERSION = _code_version()


def default_cache_dir() -> Path:
    configured = os.environ.get("CONTENT_GRAPH_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "content-graph"


class ParseCache:
    def __init__(
        self, location: Path, key: str, entries: dict[str, tuple[Fingerprint, FileResult]]
    ) -> None:
        self.location = location
        # Written into the file and checked on open: guards against hash collisions and
        # caches written by other versions of the reading code.
        self.key = key
        self.entries = entries

    @classmethod
    def open(cls, cache_dir: Path, data_dir: Path, max_file_bytes: int) -> ParseCache:
        key = f"{Path(data_dir).resolve()}\0{max_file_bytes}\0{CODE_VERSION}"
        name = hashlib.blake2b(key.encode("utf-8", "surrogateescape"), digest_size=10).hexdigest()
        location = Path(cache_dir) / f"parse-{name}.pickle"
        try:
            with open(location, "rb") as handle:
                stored = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError):
            stored = None
        entries = stored[1] if isinstance(stored, tuple) and stored[0] == key else {}
        return cls(location, key, entries)

    def get(self, path: str, fingerprint: Fingerprint) -> FileResult | None:
        entry = self.entries.get(path)
        if entry is None or entry[0] != fingerprint or fingerprint[0] < 0:
            return None
        return entry[1]

    def save(self, entries: dict[str, tuple[Fingerprint, FileResult]]) -> None:
        """Replace the stored entries; failure to write only costs the next start time."""
        try:
            self.location.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=self.location.parent, suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                pickle.dump((self.key, entries), out, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.location)
        except OSError:
            return
        self.entries = entries
