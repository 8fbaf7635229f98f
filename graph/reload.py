"""Reloading a data directory that a server already serves, reading only what changed.

A whole load (`graph.load.load`) finds every file in the parse cache but one, and still
reads the snapshot to learn that it is stale, reads the whole parse cache, and writes
both back: at 100k records that is most of a minute, for one changed file. A server that
reloads keeps instead, in memory, what its last load read: each file's result and its
(size, modification time) stamp (`LoadedFiles`). A reload walks the folder and stats
every file as a load does, reads again only the files whose stamp changed (the parse
cache's own rule), and builds the graph from the kept results, in this process. When the
caller knows which files changed (the watcher of `serve --watch` reports their paths), a
reload stats only those and patches the last file list, instead of walking the folder.

The graph is built by the same `build_graph` from the same results in the same order as
a whole load would, so it is the same graph (tests/test_reload_equivalence.py). The
caches on disk are not written on this path: a restart still starts warm from the parse
cache, re-reading the files changed since it was written (see `persist`).
"""

from __future__ import annotations

import os
import stat
import threading
import time
from bisect import bisect_left
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path

from graph.build import WordSets
from graph.cache import LoadCache, collector_paused, default_cache_dir
from graph.files import (
    DEFAULT_MAX_FILE_BYTES,
    FileKind,
    FileResult,
    discover,
    file_kind,
    read_file,
)
from graph.load import (
    PARALLEL_THRESHOLD,
    DataDirectoryError,
    LoadResult,
    assemble,
    data_version,
    file_stamp,
    load,
)

Fingerprint = tuple[int, int]


@dataclass
class LoadedFiles:
    """What the last load of `root` read: each file's result by path, with its stamp.

    Empty until the first `reload` (or `prime`), which fills it from the parse cache.
    One reload at a time: the caller serializes them (the server's reload lock).
    """

    data_dir: Path | str
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    cache_dir: Path | None = None
    use_cache: bool = True
    results: dict[str, tuple[Fingerprint, FileResult]] = field(default_factory=dict)
    # The words of each title and excerpt of the last build (`graph.build.WordSets`).
    word_sets: WordSets = field(default_factory=WordSets)
    # The file list of the last reload and each file's stamp, as `discover` and
    # `file_stamp` found them (None until a reload walked the folder): what a reload
    # told which files changed patches instead of walking the folder again.
    found: list[tuple[str, FileKind]] | None = None
    stamps: list[Fingerprint] | None = None
    # The last load that `reload` built here and `persist` has not written yet.
    unsaved: LoadResult | None = None
    # Guards `results` between a reload and a `prime` running in another thread.
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def root(self) -> Path:
        return Path(self.data_dir)

    def prime(self) -> None:
        """Fill the kept results from the parse cache, if not yet filled: a server that
        started from the snapshot calls this in the background, so that its first
        reload does not read the whole parse cache."""
        with self.lock, collector_paused():
            if not self.results:
                self.results = self._from_parse_cache(discover(self.root))

    def _from_parse_cache(
        self, found: list[tuple[str, str]]
    ) -> dict[str, tuple[Fingerprint, FileResult]]:
        if not self.use_cache:
            return {}
        cache = LoadCache.open(
            self.cache_dir or default_cache_dir(), self.root, self.max_file_bytes
        )
        kept: dict[str, tuple[Fingerprint, FileResult]] = {}
        for path, _ in found:
            stamp = file_stamp(self.root, path)
            result = cache.get(path, stamp)
            if result is not None:
                kept[path] = (stamp, result)
        return kept


def reload(files: LoadedFiles, changed_paths: Collection[str] | None = None) -> LoadResult:
    """Load `files.root` again, reading only the files whose stamp changed since the
    last load, and keep what this load read in `files` for the next one.

    `changed_paths` (paths relative to the root, `/`-separated) are the only files that
    changed since the last reload, as the watcher saw them: only they are stat-ed, and
    the file list is the last one patched (see `_patched`). Without them, or when they
    cannot be applied alone, the folder is walked and every file stat-ed, as a load does.

    When many files changed (a checkout), it is a whole load in a child process, as at
    start-up (`load(separate_process=True)`), after which the kept results come from the
    parse cache that load wrote.
    """
    started = time.perf_counter()
    root = files.root
    if not root.is_dir():
        problem = "is not a directory" if root.exists() else "does not exist"
        raise DataDirectoryError(f"data directory {str(root)!r} {problem}")
    with files.lock, collector_paused():
        patched = None if changed_paths is None else _patched(files, changed_paths)
        if patched is None:
            found = discover(root)
            stamps = [file_stamp(root, path) for path, _ in found]
        else:
            found, stamps = patched
        kept = files.results or files._from_parse_cache(found)
        changed = [
            position
            for position, ((path, _), stamp) in enumerate(zip(found, stamps, strict=True))
            if stamp[0] < 0 or (entry := kept.get(path)) is None or entry[0] != stamp
        ]
        if len(changed) >= PARALLEL_THRESHOLD:
            result = load(
                files.data_dir,
                cache_dir=files.cache_dir,
                use_cache=files.use_cache,
                max_file_bytes=files.max_file_bytes,
                separate_process=True,
            )
            files.results = files._from_parse_cache(discover(root))
            files.found = files.stamps = None  # the next reload walks the folder
            files.unsaved = None  # that load wrote the caches
            return result
        fresh = {
            position: read_file(root, found[position][0], found[position][1], files.max_file_bytes)
            for position in changed
        }
        complete: list[FileResult] = []
        results: dict[str, tuple[Fingerprint, FileResult]] = {}
        for position, ((path, _), stamp) in enumerate(zip(found, stamps, strict=True)):
            result = fresh[position] if position in fresh else kept[path][1]
            complete.append(result)
            results[path] = (stamp, result)
        graph, report = assemble(
            complete,
            data_version(found, stamps),
            files.data_dir,
            started,
            len(found) - len(changed),
            files.word_sets,
        )
        files.results = results
        files.found, files.stamps = found, stamps
        files.unsaved = result = LoadResult(graph=graph, report=report)
    return result


def _patched(
    files: LoadedFiles, changed_paths: Collection[str]
) -> tuple[list[tuple[str, FileKind]], list[Fingerprint]] | None:
    """The file list and stamps `discover` and `file_stamp` would give now, from the last
    reload's and a stat of each of `changed_paths`; None when that cannot be known
    without a walk: no last list, a path that is not a record or taxonomy file or is now
    a folder, a new file in a folder that held none, a stat that failed but for absence.

    The last list is a walk's result patched only by reported changes, and a file that
    appears where the last walk found files would be found there by a walk too, so the
    patched list is what a walk would give (tests/test_reload_equivalence.py).
    """
    if files.found is None or files.stamps is None:
        return None
    found, stamps = list(files.found), list(files.stamps)
    root = files.root
    for path in changed_paths:
        kind = file_kind(path)
        if kind is None:
            return None
        try:
            info = os.stat(f"{root}/{path}")
        except FileNotFoundError:
            info = None
        except OSError:
            return None
        if info is not None and not stat.S_ISREG(info.st_mode):
            return None
        position = bisect_left(found, _order(path), key=_order_of)
        present = position < len(found) and found[position][0] == path
        if info is None:
            if present:
                del found[position], stamps[position]
            continue
        stamp = (info.st_size, info.st_mtime_ns)
        if present:
            stamps[position] = stamp
            continue
        folder = path.rpartition("/")[0]
        if folder and not _holds_files(found, folder):
            return None
        found.insert(position, (path, kind))
        stamps.insert(position, stamp)
    return found, stamps


def _order(path: str) -> bytes:
    # The order `discover` sorts by: byte-wise.
    return path.encode("utf-8", "surrogateescape")


def _order_of(item: tuple[str, FileKind]) -> bytes:
    return _order(item[0])


def _holds_files(found: list[tuple[str, FileKind]], folder: str) -> bool:
    """Whether the walk that found `found` went into `folder`: it found a file under it
    (the paths under a folder are contiguous in byte-wise order)."""
    position = bisect_left(found, _order(folder + "/"), key=_order_of)
    return position < len(found) and found[position][0].startswith(folder + "/")


def persist(files: LoadedFiles) -> None:
    """Write the parse cache and the snapshot of the last load that `reload` built here,
    if not written yet, so that a restart starts warm from them instead of rebuilding.

    Safe beside a later reload: a reload replaces `files.results` rather than changing
    it, and a graph never changes; each cache is checked on its own (the parse cache by
    each file's stamp, the snapshot by its version). Failing to write costs only the
    next start's time.
    """
    result, files.unsaved = files.unsaved, None
    if result is None or not files.use_cache:
        return
    results = files.results
    cache = LoadCache.open(files.cache_dir or default_cache_dir(), files.root, files.max_file_bytes)
    with collector_paused():
        cache.save([(file, stamp) for stamp, file in results.values()])
        cache.save_snapshot(result.graph.stats.version, result.graph, result.report)
