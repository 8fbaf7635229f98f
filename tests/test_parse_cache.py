"""The parse cache: unchanged files come from it, changed files are read again, and a
cache file that is damaged or foreign is never trusted.
"""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import LoadResult, load
from tests.writing import CORPUS, link, provider, record, snapshot, write_md, write_text, write_yaml


def report_of(result: LoadResult) -> tuple:
    r = result.report
    return (
        r.files_seen,
        r.files_loaded,
        r.files_skipped,
        r.files_ignored,
        r.unpublished,
        r.duplicates,
        r.problems,
    )


def load_cached(data: Path, cache: Path) -> LoadResult:
    return load(data, cache_dir=cache, workers=1)


@pytest.fixture
def data(tmp_path: Path) -> Path:
    root = tmp_path / "data"
    write_md(
        root,
        "_news/a.md",
        record(
            "https://a.com/a",
            "A",
            quality=5,
            topics=["AI"],
            provider=provider("a.com", "A Co"),
            related=[link("https://x.com/1", "X")],
        ),
    )
    write_md(root, "_news/b.md", record("https://a.com/b", "B", published=False))
    write_md(root, "_news/c.md", record("https://a.com/a", "A again"))
    write_md(root, "_news/d.md", record("https://a.com/d", "D", quality="high"))
    write_text(root, "_news/broken.md", "---\ntitle: [\n---\n")
    write_text(root, "README.md", "# Not a record\n")
    write_yaml(root, "_data/topics/ai.yaml", {"taxonomy": "topic", "name": "AI"}, trailer="---\n")
    write_md(root, "_data/organizations/a.md", {"domain": "a.com", "name": "A Company"})
    return root


def record_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_second_load_hits_the_cache_for_every_file(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_cached(data, cache)
    second = load_cached(data, cache)
    assert first.report.cache_hits == 0
    assert second.report.files_seen == len(record_files(data))
    assert second.report.cache_hits == second.report.files_seen
    assert snapshot(second.graph) == snapshot(first.graph)
    assert report_of(second) == report_of(first)
    assert snapshot(first.graph) == snapshot(load(data, use_cache=False).graph)


@pytest.mark.skipif(not CORPUS.is_dir(), reason=f"{CORPUS} is absent (the shared corpus)")
def test_cached_corpus_loads_the_same(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_cached(CORPUS / "ai-news", cache)
    second = load_cached(CORPUS / "ai-news", cache)
    assert second.report.cache_hits == second.report.files_seen > 0
    assert snapshot(second.graph) == snapshot(first.graph)
    assert report_of(second) == report_of(first)


def test_touching_a_file_reads_just_that_file_again(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_cached(data, cache)
    touched = data / "_news" / "d.md"
    info = touched.stat()
    os.utime(touched, ns=(info.st_atime_ns, info.st_mtime_ns + 1_000_000_000))
    second = load_cached(data, cache)
    assert second.report.cache_hits == second.report.files_seen - 1
    assert snapshot(second.graph) == snapshot(first.graph)
    assert load_cached(data, cache).report.cache_hits == second.report.files_seen


def test_a_change_of_size_alone_reads_the_file_again(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_cached(data, cache)
    changed = data / "_news" / "d.md"
    info = changed.stat()
    write_md(data, "_news/d.md", record("https://a.com/d", "D, a longer title now"))
    # The same modification time as before: only the size tells the change.
    os.utime(changed, ns=(info.st_atime_ns, info.st_mtime_ns))
    second = load_cached(data, cache)
    assert second.report.cache_hits == second.report.files_seen - 1
    assert second.graph.by_url["https://a.com/d"].title == "D, a longer title now"
    # The old file's quality warning went with it.
    assert [p for p in second.report.problems if p.path == "_news/d.md"] == []


def test_a_changed_file_of_the_same_size_is_served_new(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_cached(data, cache)
    changed = data / "_news" / "a.md"
    before = changed.read_bytes()
    after = before.replace(b"title: A\n", b"title: Z\n")
    assert len(after) == len(before) and after != before
    info = changed.stat()
    changed.write_bytes(after)
    os.utime(changed, ns=(info.st_atime_ns, info.st_mtime_ns + 2_000_000_000))
    second = load_cached(data, cache)
    # c.md still wins the duplicate, but a.md's own fields (its link) come from the new read.
    assert second.report.cache_hits == second.report.files_seen - 1
    write_text(data, "_news/c.md", "")
    third = load_cached(data, cache)
    assert third.graph.by_url["https://a.com/a"].title == "Z"


def test_added_and_removed_files(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_cached(data, cache)
    write_md(data, "_news/e.md", record("https://a.com/e", "E"))
    (data / "_news" / "d.md").unlink()
    second = load_cached(data, cache)
    assert second.report.files_seen == first.report.files_seen
    assert second.report.cache_hits == first.report.files_seen - 1
    assert "https://a.com/e" in second.graph.by_url
    assert "https://a.com/d" not in second.graph.by_url


def test_a_file_fixed_after_being_skipped_is_read_again(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert load_cached(data, cache).report.files_skipped == 1
    write_md(data, "_news/broken.md", record("https://a.com/fixed", "Fixed now"))
    second = load_cached(data, cache)
    assert second.report.files_skipped == 0
    assert second.graph.by_url["https://a.com/fixed"].title == "Fixed now"


# A damaged or foreign cache file


def cache_files(cache: Path) -> list[Path]:
    """Every file the cache keeps (whatever their names and folders)."""
    found = sorted(p for p in cache.rglob("*") if p.is_file())
    assert found, f"nothing was cached under {cache}"
    return found


FOREIGN = {
    "empty": b"",
    "garbage": b"this is not a pickle at all\n" * 10,
    "empty-tuple": pickle.dumps(()),
    "empty-dict": pickle.dumps({}),
    "other-key": pickle.dumps(("another key", {"_news/a.md": ((1, 1), None)})),
    "none": pickle.dumps(None),
}


@pytest.mark.parametrize("content", FOREIGN.values(), ids=FOREIGN.keys())
def test_a_foreign_cache_is_ignored(data: Path, tmp_path: Path, content: bytes) -> None:
    cache = tmp_path / "cache"
    fresh = load_cached(data, cache)
    for path in cache_files(cache):
        path.write_bytes(content)
    result = load_cached(data, cache)
    assert result.report.cache_hits == 0
    assert snapshot(result.graph) == snapshot(fresh.graph)
    assert report_of(result) == report_of(fresh)
    # It is replaced by a good one.
    assert load_cached(data, cache).report.cache_hits == result.report.files_seen


def test_truncated_cache_files_are_ignored(data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh = snapshot(load_cached(data, cache).graph)
    for path in cache_files(cache):
        good = path.read_bytes()
        for size in range(0, len(good), max(1, len(good) // 100)):
            path.write_bytes(good[:size])
            assert snapshot(load_cached(data, cache).graph) == fresh, (path.name, size)
        path.write_bytes(good)


@pytest.fixture
def small_data(tmp_path: Path) -> Path:
    """One small record: its cache files are small enough to damage at every byte."""
    root = tmp_path / "small"
    write_md(root, "a.md", record("https://a.com/x", "A", quality=5))
    return root


def damaged_copies(good: bytes) -> Iterator[tuple[str, bytes]]:
    for mask in (0xFF, 0x01, 0x80):
        for position in range(len(good)):
            damaged = bytearray(good)
            damaged[position] ^= mask
            yield f"byte {position} ^ {mask:#04x}", bytes(damaged)


def test_a_damaged_cache_never_breaks_the_load(small_data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    load_cached(small_data, cache)
    failures = []
    for path in cache_files(cache):
        good = path.read_bytes()
        for where, damaged in damaged_copies(good):
            path.write_bytes(damaged)
            try:
                load_cached(small_data, cache)
            except Exception as error:
                failures.append(f"{path.name} {where}: {type(error).__name__}: {error}")
        path.write_bytes(good)
    assert not failures, f"{len(failures)} damaged caches broke the load:\n" + "\n".join(
        failures[:10]
    )


def test_a_damaged_cache_never_serves_wrong_data(small_data: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    fresh = snapshot(load_cached(small_data, cache).graph)
    wrong = []
    for path in cache_files(cache):
        good = path.read_bytes()
        for where, damaged in damaged_copies(good):
            path.write_bytes(damaged)
            try:
                served = snapshot(load_cached(small_data, cache).graph)
            except Exception:
                continue  # the test above reports these
            if served != fresh:
                wrong.append(f"{path.name} {where}: {served['articles']}")
        path.write_bytes(good)
    assert not wrong, f"{len(wrong)} damaged caches were served as data:\n" + "\n".join(wrong[:10])


REPO = Path(__file__).resolve().parents[1]


def code_version_of(package_parent: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "from graph.cache import CODE_VERSION; print(CODE_VERSION)"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(package_parent)},
        cwd=package_parent,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("module", ["identity.py", "files.py", "records.py", "build.py"])
def test_a_change_to_the_reading_rules_invalidates_the_cache(tmp_path: Path, module: str) -> None:
    # Each of these modules decides what a file reads as (canonical URLs live in
    # identity.py): a cache written by another version of any of them must not be used.
    original, changed = tmp_path / "original", tmp_path / "changed"
    for copy in (original, changed):
        shutil.copytree(
            REPO / "graph", copy / "graph", ignore=shutil.ignore_patterns("__pycache__")
        )
    with open(changed / "graph" / module, "a") as handle:
        handle.write("\n# A new version of the rules.\n")
    assert code_version_of(changed) != code_version_of(original)


def test_a_cache_folder_that_cannot_be_written_costs_only_speed(data: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    for cache in (blocked, blocked / "below"):
        result = load_cached(data, cache)
        assert snapshot(result.graph) == snapshot(load(data, use_cache=False).graph)
        assert result.report.cache_hits == 0
