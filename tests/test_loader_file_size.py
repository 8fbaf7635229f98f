"""The size limit on one file (`max_file_bytes`), at its edges and around the size of
the loader's first read (64 KiB): a file at the limit loads whole, one byte more is
refused with the limit in the reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import load


def write_record(root: Path, name: str, size: int) -> str:
    """A record file of exactly `size` bytes (its excerpt pads it); the excerpt."""
    head = f"---\ntitle: {name}\nwebUrl: https://a.com/{name}\nexcerpt: "
    tail = "\n---\n"
    excerpt = "x" * (size - len(head) - len(tail))
    (root / f"{name}.md").write_text(head + excerpt + tail)
    assert (root / f"{name}.md").stat().st_size == size
    return excerpt


@pytest.mark.parametrize("limit", [200, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 10, 300_000])
def test_a_file_at_the_limit_loads_whole_and_one_byte_more_is_refused(
    tmp_path: Path, limit: int
) -> None:
    at_limit = write_record(tmp_path, "fits", limit)
    write_record(tmp_path, "over", limit + 1)
    result = load(tmp_path, use_cache=False, workers=1, max_file_bytes=limit)

    assert result.graph.by_url["https://a.com/fits"].excerpt == at_limit
    assert "https://a.com/over" not in result.graph.by_url
    (error,) = result.report.errors
    assert error.path == "over.md"
    assert f"larger than the {limit:,}-byte limit" in error.reason


def test_a_record_longer_than_the_first_read_loads_whole(tmp_path: Path) -> None:
    excerpt = write_record(tmp_path, "long", 200_000)
    result = load(tmp_path, use_cache=False, workers=1)
    assert not result.report.problems
    assert result.graph.by_url["https://a.com/long"].excerpt == excerpt
