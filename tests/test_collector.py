"""The garbage collector around loads (content_graph/collector.py) and the document cache's
admission (limits.DocumentChecks): what keeps full collections short under new documents."""

from __future__ import annotations

import gc
import shutil
import weakref
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from conftest import DATA_DIR

from content_graph.app import create_app, reload
from content_graph.limits import DocumentChecks
from content_graph.settings import Limits, Settings
from schema import schema


@pytest.fixture
def unfrozen_after() -> Iterator[None]:
    # A load freezes everything alive in this process, the test run included.
    yield
    gc.unfreeze()


def tracked(target: object) -> bool:
    """Whether the collector still walks `target` (frozen objects are in no generation)."""
    return any(found is target for found in gc.get_objects())


def test_a_load_freezes_the_graph_and_the_next_load_frees_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, unfrozen_after: None
) -> None:
    monkeypatch.setenv("CONTENT_GRAPH_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    app = create_app(Settings(data_dir=data))

    anyio.run(reload, app)
    first = app.state.graph
    assert gc.get_freeze_count() > 0
    assert not tracked(first)
    assert not tracked(first.articles[0])

    old = weakref.ref(first)
    del first
    anyio.run(reload, app)
    # The replaced graph was unfrozen and collected: repeated reloads keep one graph.
    assert old() is None
    assert app.state.graph is not None and not tracked(app.state.graph)


def test_a_document_is_kept_from_the_second_time_it_comes() -> None:
    checks = DocumentChecks(schema._schema, Limits())  # type: ignore[attr-defined]
    text = "query Stats { stats { articles providers } }"
    first, second, third = (checks.check(text) for _ in range(3))
    assert first.document is not None and not first.errors
    assert second is not first  # checked again: one sighting is not kept
    assert third is second  # kept from the second sighting on


def test_documents_sent_once_are_not_kept() -> None:
    checks = DocumentChecks(schema._schema, Limits())  # type: ignore[attr-defined]
    for number in range(50):
        checks.check(f"query Stats {{ n{number}: stats {{ articles }} }}")
    assert len(checks._checked) == 0
    checks.check("query Stats { n7: stats { articles } }")
    assert len(checks._checked) == 1
