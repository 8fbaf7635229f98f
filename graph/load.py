"""Loading a data directory: find files, read them (cached, in parallel), build the graph."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path

from graph.build import build_graph
from graph.cache import ParseCache, default_cache_dir
from graph.files import DEFAULT_MAX_FILE_BYTES, FileKind, FileResult, discover, read_file
from graph.model import ContentGraph
from graph.report import LoadReport

# Below this many files to read, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 2_000
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class LoadResult:
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
) -> LoadResult:
    """Load every record under `data_dir` into a new, immutable ContentGraph.

    Files whose path, size and modification time match the parse cache are not read
    again. `workers` is the number of processes that read files (default: one per
    core); `progress(done, total)` is called as files are read.
    """
    started = time.perf_counter()
    root = Path(data_dir)
    if not root.is_dir():
        raise DataDirectoryError(
            f"data directory {str(root)!r} "
            + ("is not a directory" if root.exists() else "does not exist")
        )
    found = discover(root)
    fingerprints = [_fingerprint(root, path) for path, _ in found]
    cache = (
        ParseCache.open(cache_dir or default_cache_dir(), root, max_file_bytes)
        if use_cache
        else None
    )

    results: list[FileResult | None] = [None] * len(found)
    missing: list[int] = []
    for position, ((path, _kind), fingerprint) in enumerate(zip(found, fingerprints, strict=True)):
        cached = cache.get(path, fingerprint) if cache else None
        if cached is None:
            missing.append(position)
        else:
            results[position] = cached
    hits = len(found) - len(missing)
    if progress:
        progress(hits, len(found))
    read = _read_all(
        root, [found[i] for i in missing], workers, max_file_bytes, progress, hits, len(found)
    )
    for position, result in zip(missing, read, strict=True):
        results[position] = result
    complete: list[FileResult] = [result for result in results if result is not None]
    if cache is not None and missing:
        cache.save({r.path: (fp, r) for r, fp in zip(complete, fingerprints, strict=True)})

    version = _version(found, fingerprints)
    graph, merge = build_graph(complete, version=version, loaded_at=datetime.now(UTC))
    problems = [problem for result in complete for problem in result.problems]
    problems.extend(merge.duplicates)
    problems.sort(
        key=lambda problem: (problem.path.encode("utf-8", "surrogateescape"), problem.level)
    )
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
    return LoadResult(graph=graph, report=report)


def _fingerprint(root: Path, path: str) -> tuple[int, int]:
    try:
        info = os.stat(root / path)
    except OSError:
        return (-1, -1)
    return (info.st_size, info.st_mtime_ns)


def _version(found: Sequence[tuple[str, FileKind]], fingerprints: Sequence[tuple[int, int]]) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for (path, _), (size, mtime) in zip(found, fingerprints, strict=True):
        digest.update(f"{path}\0{size}\0{mtime}\n".encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


def _read_one(job: tuple[str, str, FileKind, int]) -> FileResult:
    root, path, kind, max_bytes = job
    return read_file(Path(root), path, kind, max_bytes)


def _read_all(
    root: Path,
    files: Sequence[tuple[str, FileKind]],
    workers: int | None,
    max_file_bytes: int,
    progress: Progress | None,
    done: int,
    total: int,
) -> list[FileResult]:
    jobs = [(str(root), path, kind, max_file_bytes) for path, kind in files]
    workers = workers if workers is not None else (os.cpu_count() or 1)
    results: list[FileResult] = []
    step = max(1, len(jobs) // 100)
    if workers <= 1 or len(jobs) < PARALLEL_THRESHOLD:
        for job in jobs:
            results.append(_read_one(job))
            if progress and len(results) % step == 0:
                progress(done + len(results), total)
    else:
        # fork: workers start in milliseconds and share the already-imported modules.
        with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
            for result in pool.map(_read_one, jobs, chunksize=256):
                results.append(result)
                if progress and len(results) % step == 0:
                    progress(done + len(results), total)
    if progress:
        progress(done + len(results), total)
    return results
