"""Timestamps are read by the coercion, not the YAML parser: an impossible one (an hour
of 30, February 30th) drops that one field with a warning naming the file and the line,
and the record is kept. Checked with both of the loader's parsers (yaml-rs, and PyYAML,
which it falls back to), through a real load of real files.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from graph import files, load
from graph.files import _pyyaml_load

RECORD = """---
title: A record with an impossible date
webUrl: https://a.com/impossible
publishedDateTime: 2021-01-19T30:57:00Z
related:
  - title: A link with a good date
    webUrl: https://b.com/good
    publishedDateTime: 2001-12-14 21:59:43.10 -5
  - title: A link dated February 30th
    webUrl: https://b.com/february
    publishedDateTime: 2021-02-30
quality: 7
---
Body.
"""

YAML_RECORD = """title: A YAML record
webUrl: https://a.com/yaml
# a comment line, so the field is not on the line its position suggests

publishedDateTime: 2021-01-19T25:00:00
"""


@pytest.fixture(params=["yaml-rs", "PyYAML"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    if request.param == "PyYAML":
        monkeypatch.setattr(files, "parse_yaml", _pyyaml_load)
    yield request.param


def test_an_impossible_date_drops_the_field_not_the_record(tmp_path: Path, parser: str) -> None:
    (tmp_path / "_news").mkdir()
    (tmp_path / "_news" / "a.md").write_text(RECORD)
    (tmp_path / "_news" / "b.yaml").write_text(YAML_RECORD)
    result = load(tmp_path, use_cache=False, workers=1)

    assert result.report.files_loaded == 2 and not result.report.errors
    by_url = result.graph.by_url
    assert by_url["https://a.com/impossible"].published_at is None
    assert by_url["https://a.com/impossible"].quality == 7
    assert by_url["https://b.com/february"].published_at is None
    assert by_url["https://a.com/yaml"].published_at is None
    # YAML 1.1's spaced form with a one-digit offset is still read.
    expected = datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=timezone(timedelta(hours=-5)))
    assert by_url["https://b.com/good"].published_at == expected

    warnings = {(p.path, p.line): p.reason for p in result.report.warnings}
    assert set(warnings) == {("_news/a.md", 4), ("_news/a.md", 11), ("_news/b.yaml", 5)}
    assert "publishedDateTime" in warnings[("_news/a.md", 4)]
    assert "2021-01-19T30:57:00Z" in warnings[("_news/a.md", 4)]
    assert "related[1].publishedDateTime" in warnings[("_news/a.md", 11)]
    assert "2021-01-19T25:00:00" in warnings[("_news/b.yaml", 5)]


def test_good_dates_read_as_text_keep_their_instant(tmp_path: Path, parser: str) -> None:
    (tmp_path / "a.md").write_text(
        "---\ntitle: T\nwebUrl: https://a.com/x\npublishedDateTime: 2020-07-01 16:50:00.5+02:00\n"
        "related:\n  - title: L\n    webUrl: https://a.com/y\n"
        "    publishedDateTime: 2020-07-02\n---\n"
    )
    result = load(tmp_path, use_cache=False, workers=1)
    assert not result.report.problems
    by_url = result.graph.by_url
    moment = by_url["https://a.com/x"].published_at
    assert moment == datetime(2020, 7, 1, 14, 50, 0, 500000, tzinfo=UTC)
    assert by_url["https://a.com/y"].published_at == datetime(2020, 7, 2, tzinfo=UTC)
