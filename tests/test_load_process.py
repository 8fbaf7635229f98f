"""Building the graph in a child process (`load(..., separate_process=True)`)."""

from __future__ import annotations

from pathlib import Path

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
