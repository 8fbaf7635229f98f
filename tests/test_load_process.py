"""Building the graph in a child process (`load(..., separate_process=True)`)."""

from __future__ import annotations

import importlib
import logging
from pathlib import Path

import pytest

from graph import load
from tests.writing import link, provider, record, snapshot, write_md


def write_corpus(root: Path, count: int) -> None:
    for number in range(count):
        fields = record(
            f"https://news.example/{number}",
            f"Story {number}",
            provider=provider(f"site{number % 3}.example", f"Site {number % 3}"),
            topics=["Robots", "Chips"][: 1 + number % 2],
            related=[link(f"https://news.example/{(number + 1) % count}", "Next story")],
        )
        write_md(root, f"_news/{number:04d}.md", fields)


def test_a_graph_built_in_a_child_equals_one_built_here(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_corpus(data, 40)
    here = load(data, use_cache=False)
    child = load(data, cache_dir=tmp_path / "cache", separate_process=True)
    assert snapshot(child.graph) == snapshot(here.graph)
    # The child read every file and left the graph in the cache for this process.
    assert child.report.cache_hits == 40
    assert child.report.files_loaded == here.report.files_loaded == 40


def test_a_changed_file_is_built_again_in_a_child(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_corpus(data, 10)
    cache = tmp_path / "cache"
    load(data, cache_dir=cache, separate_process=True)
    write_md(data, "_news/0003.md", record("https://news.example/3", "Story three, revised"))
    again = load(data, cache_dir=cache, separate_process=True)
    assert again.graph.by_url["https://news.example/3"].title == "Story three, revised"


def test_without_the_cache_the_load_stays_in_process(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_corpus(data, 5)
    result = load(data, use_cache=False, separate_process=True)
    assert result.report.cache_hits == 0
    assert result.graph.stats.articles_with_record == 5


@pytest.mark.parametrize("where", ["a regular file", "a folder under a regular file"])
def test_an_unwritable_cache_builds_once_in_process_and_says_so(
    tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # Tests run as root, whom permission bits do not stop: a cache folder that is, or
    # lies under, a regular file cannot be made by anyone.
    data = tmp_path / "data"
    write_corpus(data, 6)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be\n")
    cache = blocker if where == "a regular file" else blocker / "cache"

    def no_child(*args: object, **kwargs: object) -> None:
        raise AssertionError("a child process was started to build a graph it cannot keep")

    monkeypatch.setattr(importlib.import_module("graph.load"), "_process_context", no_child)
    with caplog.at_level(logging.WARNING, logger="content_graph"):
        result = load(data, cache_dir=cache, separate_process=True)

    assert snapshot(result.graph) == snapshot(load(data, use_cache=False).graph)
    assert result.report.cache_hits == 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "cannot be written" in warnings[0].getMessage()
    assert str(blocker) in warnings[0].getMessage()
    assert blocker.read_text() == "a file where the cache folder should be\n"


def test_a_writable_cache_is_still_built_in_a_child(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    data = tmp_path / "data"
    write_corpus(data, 4)
    with caplog.at_level(logging.WARNING, logger="content_graph"):
        result = load(data, cache_dir=tmp_path / "cache", separate_process=True)
    assert result.report.cache_hits == 4  # the child built it and left it in the cache
    assert not [r for r in caplog.records if r.levelno == logging.WARNING]
