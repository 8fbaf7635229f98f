"""Loading a data directory: find files, read them (cached, in parallel), build the graph."""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import pickle
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from multiprocessing import get_context
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import NamedTuple

from graph.build import WordSets, build_graph
from graph.cache import LoadCache, collector_paused, default_cache_dir
from graph.files import (
    DEFAULT_MAX_FILE_BYTES,
    FileKind,
    FileResult,
    discover,
    pack,
    read_file,
)
from graph.model import ContentGraph
from graph.report import LoadReport

logger = logging.getLogger("content_graph")

# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 2_000
# Files per job sent to a worker process.
CHUNK_FILES = 256
Progress = Callable[[int, int], None]


class LoadResult(NamedTuple):
    graph: ContentGraph
    report: LoadReport


class DataDirectoryError(ValueError):
    """The data directory does not exist or is not a directory."""


def load(
    data_dir: Path | str,
    *,
    workers: int | None = None,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
    progress: Progress | None = None,
    separate_process: bool = False,
) -> LoadResult:
    """Load every record under `data_dir` into a new, immutable ContentGraph.

    Files whose path, size and modification time match the parse cache are not read
    again; when none changed, the graph itself comes from the cache. `workers` is the
    number of processes that read files (default: one per core); `progress(done,
    total)` is called as files are read.

    `separate_process` (for long-running servers, with the cache on) builds the graph in
    a child process that leaves it in the cache, then loads it from there: building
    allocates and frees about as much again as the graph keeps, and the allocator cannot
    hand those scattered holes back, so a process that built its graph holds some 60%
    more memory than one that loaded it.
    """
    started = time.perf_counter()
    root = Path(data_dir)
    if not root.is_dir():
        problem = "is not a directory" if root.exists() else "does not exist"
        raise DataDirectoryError(f"data directory {str(root)!r} {problem}")
    with collector_paused():
        # A function of its own, so that the load's temporaries (every file's record)
        # are freed before the collector runs again: its first pass, which walks every
        # object made while it was paused, then walks the graph alone.
        return _load_paused(
            root,
            data_dir,
            started,
            workers=workers,
            cache_dir=cache_dir,
            use_cache=use_cache,
            max_file_bytes=max_file_bytes,
            progress=progress,
            separate_process=separate_process,
        )


def _load_paused(
    root: Path,
    data_dir: Path | str,
    started: float,
    *,
    workers: int | None,
    cache_dir: Path | None,
    use_cache: bool,
    max_file_bytes: int,
    progress: Progress | None,
    separate_process: bool,
) -> LoadResult:
    found = discover(root)
    fingerprints = [file_stamp(root, path) for path, _ in found]
    version = data_version(found, fingerprints)
    cache = None
    # Whether what this load builds can be left in the cache; asked only when it must be.
    writable = False
    if use_cache:
        cache = LoadCache.open(cache_dir or default_cache_dir(), root, max_file_bytes)
        snapshot = cache.snapshot(version)
        if snapshot is None:
            writable = cache.writable()
        if snapshot is None and not writable:
            # A child's build would be lost with its snapshot: build here, and say so once.
            logger.warning(
                "The load cache folder %s cannot be written: the next start reads every "
                "file again%s. Set CONTENT_GRAPH_CACHE to a writable folder.",
                cache.folder,
                ", and this process builds the graph itself" if separate_process else "",
            )
        elif snapshot is None and separate_process:
            # If the child fails, the snapshot is still missing and the load below
            # does the whole work itself.
            child = _process_context().Process(
                target=load,
                args=(root,),
                kwargs={
                    "workers": workers,
                    "cache_dir": cache_dir,
                    "max_file_bytes": max_file_bytes,
                },
            )
            child.start()
            child.join()
            snapshot = cache.snapshot(version)
        if snapshot is not None:
            return _from_snapshot(*snapshot, data_dir, started, len(found), progress)

    results: list[FileResult | None] = [None] * len(found)
    missing: list[int] = []
    for position, (path, _) in enumerate(found):
        cached = cache.get(path, fingerprints[position]) if cache else None
        if cached is None:
            missing.append(position)
        else:
            results[position] = cached
    hits = len(found) - len(missing)
    jobs = [found[position] for position in missing]
    read = _read_all(root, jobs, workers, max_file_bytes, progress, hits, len(found))
    for position, result in zip(missing, read, strict=True):
        results[position] = result
    complete = [result for result in results if result is not None]

    graph, report = assemble(complete, version, data_dir, started, hits)
    if cache is not None and writable:
        if missing:
            cache.save(list(zip(complete, fingerprints, strict=True)))
        cache.save_snapshot(version, graph, report)
    return LoadResult(graph=graph, report=report)


def assemble(
    complete: Sequence[FileResult],
    version: str,
    data_dir: Path | str,
    started: float,
    hits: int,
    word_sets: WordSets | None = None,
) -> tuple[ContentGraph, LoadReport]:
    """The graph of the read files `complete` (in path order) and the report of the load
    that began at `started` and took `hits` of them from a cache."""
    graph, merge = build_graph(
        complete, version=version, loaded_at=datetime.now(UTC), word_sets=word_sets
    )
    problems = [problem for result in complete for problem in result.problems]
    problems.extend(merge.duplicates)
    problems.sort(key=lambda p: (p.path.encode("utf-8", "surrogateescape"), p.level))
    report = LoadReport(
        data_dir=str(data_dir),
        files_seen=len(complete),
        files_loaded=graph.stats.files_loaded,
        files_skipped=graph.stats.files_skipped,
        files_ignored=sum(1 for r in complete if r.status == "ignored"),
        taxonomy_loaded=sum(1 for r in complete if r.kind != "record" and r.status == "loaded"),
        unpublished=merge.unpublished,
        duplicates=len(merge.duplicates),
        seconds=time.perf_counter() - started,
        cache_hits=hits,
        problems=tuple(problems),
    )
    return graph, report


def _from_snapshot(
    graph: ContentGraph,
    report: LoadReport,
    data_dir: Path | str,
    started: float,
    files: int,
    progress: Progress | None,
) -> LoadResult:
    if progress:
        progress(files, files)
    stats = dataclasses.replace(graph.stats, loaded_at=datetime.now(UTC))
    report = dataclasses.replace(
        report, data_dir=str(data_dir), seconds=time.perf_counter() - started, cache_hits=files
    )
    return LoadResult(graph=dataclasses.replace(graph, stats=stats, caches={}), report=report)


def file_stamp(root: Path, path: str) -> tuple[int, int]:
    """A file's (size, modification time in ns), or (-1, -1) when it cannot be read:
    what the parse cache, the data version and a reload compare."""
    try:
        # A string join, not a Path: this runs once per file on every start.
        info = os.stat(f"{root}/{path}")
    except OSError:
        return (-1, -1)
    return (info.st_size, info.st_mtime_ns)


def data_version(
    found: Sequence[tuple[str, FileKind]], fingerprints: Sequence[tuple[int, int]]
) -> str:
    """Names the loaded data: changes whenever a file is added, removed or modified."""
    digest = hashlib.blake2b(digest_size=8)
    for (path, _), (size, mtime) in zip(found, fingerprints, strict=True):
        digest.update(f"{path}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _read_packed(job: tuple[str, Sequence[tuple[str, FileKind]], int]) -> bytes:
    root, files, max_bytes = job
    folder = Path(root)
    return pack([read_file(folder, path, kind, max_bytes) for path, kind in files])


def _read_all(
    root: Path,
    files: Sequence[tuple[str, FileKind]],
    workers: int | None,
    max_file_bytes: int,
    progress: Progress | None,
    done: int,
    total: int,
) -> list[FileResult]:
    workers = workers if workers is not None else (os.cpu_count() or 1)
    results: list[FileResult] = []
    step = max(1, len(files) // 100)
    if workers <= 1 or len(files) < PARALLEL_THRESHOLD:
        for path, kind in files:
            results.append(read_file(root, path, kind, max_file_bytes))
            if progress and len(results) % step == 0:
                progress(done + len(results), total)
    else:
        # One job per chunk of files, its results packed into one byte string (see
        # files.pack): fewer, larger messages, rebuilt here without Python code.
        chunks = [files[start : start + CHUNK_FILES] for start in range(0, len(files), CHUNK_FILES)]
        jobs = [(str(root), chunk, max_file_bytes) for chunk in chunks]
        with ProcessPoolExecutor(workers, mp_context=_process_context()) as pool:
            for packed in pool.map(_read_packed, jobs):
                results.extend(pickle.loads(packed))
                if progress:
                    progress(done + len(results), total)
    if progress:
        progress(done + len(results), total)
    return results


def _process_context() -> BaseContext:
    # fork starts a child in milliseconds with every module already imported, but in a
    # threaded process (a server loading in the background) a fork can copy a lock that
    # another thread holds and deadlock; forkserver forks from a clean process instead.
    return get_context("fork" if threading.active_count() == 1 else "forkserver")
