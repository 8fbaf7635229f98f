"""The garbage collector around loads (content_graph/collector.py) and the document cache's
admission (limits.DocumentChecks): what keeps full collections short under new documents."""

from __future__ import annotations

import gc
import shutil
import weakref
from collections.abc import Iterator
from functools import partial
from pathlib import Path

import anyio
import pytest
from conftest import DATA_DIR
from starlette.applications import Starlette

from content_graph import collector
from content_graph.app import create_app, reload
from content_graph.limits import CACHED_DOCUMENT_CHARS, DocumentChecks
from content_graph.settings import Limits, Settings
from graph.load import load
from graph.model import Article
from resolvers import path
from schema import schema
from tests.writing import link, record, write_md

A, B = "https://a.example/a", "https://b.example/b"


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


@pytest.fixture
def no_collections(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The collector off, and every `gc.collect` call counted."""
    calls: list[int] = []
    real = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *args: calls.append(1) or real(*args))
    was_enabled = gc.isenabled()
    gc.disable()
    yield calls
    # What the test left to the collector goes now, not into the next test's counts.
    gc.unfreeze()
    real()
    if was_enabled:
        gc.enable()


def articles_alive(url: str) -> int:
    """How many article objects for `url` exist, frozen or not (slotted: no weakref)."""
    collector.wait_until_freed()
    frozen = gc.get_freeze_count()
    gc.unfreeze()
    found = sum(1 for one in gc.get_objects() if isinstance(one, Article) and one.url == url)
    if frozen:
        gc.freeze()  # as it was
    return found


def related_to_each_other(data: Path) -> Path:
    # Two articles that list each other: a reference cycle in the graph.
    write_md(data, "_news/a.md", record(A, "A", related=[link(B)]))
    write_md(data, "_news/b.md", record(B, "B", related=[link(A)]))
    return data


def test_a_graph_is_freed_without_the_collector_once_no_one_holds_it(
    tmp_path: Path, no_collections: list[int]
) -> None:
    data = related_to_each_other(tmp_path / "data")
    kept = load(data, use_cache=False).graph
    kept.graph.edges  # noqa: B018 (a view NetworkX caches on its graph: another cycle)
    del kept
    assert articles_alive(A) == 1  # the cycles alone keep a graph that was never swapped in

    served = load(data, use_cache=False).graph
    collector.swapped(None, served)
    # What shortestPath leaves behind: the NetworkX graph and an undirected view of it.
    assert path.shortest_path(served, served.by_url[A], served.by_url[B]) is not None
    networkx = weakref.ref(served.graph)
    assert served.by_url[A].related[0].related[0] is served.by_url[A]
    assert articles_alive(A) == 2
    del served
    assert articles_alive(A) == 1 and networkx() is None
    assert not no_collections


def served_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Starlette:
    """An app serving two related articles, after its first load, as a large graph's
    would be after it: the collections it found slow, and the frozen objects counted."""
    monkeypatch.setenv("CONTENT_GRAPH_CACHE", str(tmp_path / "cache"))
    app = create_app(Settings(data_dir=related_to_each_other(tmp_path / "data"), watch=True))
    monkeypatch.setattr(collector, "_settling", collector._Settling())
    anyio.run(reload, app, "start")
    collector._settling.cheap = False
    return app


def test_a_large_graph_is_replaced_without_a_full_collection(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unfrozen_after: None,
    no_collections: list[int],
) -> None:
    app = served_app(tmp_path, monkeypatch)
    no_collections.clear()
    alive: list[int] = []

    async def reloads() -> None:
        # One event loop, as in a server (each anyio.run leaves cyclic garbage behind).
        for number in range(5):
            write_md(tmp_path / "data", f"_news/n{number}.md", record(f"{A}{number}", "N"))
            await reload(app, "watch", {f"_news/n{number}.md"})
            assert not tracked(app.state.graph.by_url[A])  # the new graph is frozen
            alive.append(articles_alive(A))

    anyio.run(reloads)
    # Each old graph went as the new one came, without a collection.
    assert alive == [1] * 5
    assert not no_collections


def test_a_request_on_the_old_graph_reads_it_whole_until_it_lets_go(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unfrozen_after: None,
    no_collections: list[int],
) -> None:
    app = served_app(tmp_path, monkeypatch)
    old = app.state.graph  # as a request does, from its start to its answer
    anyio.run(reload, app, "watch", {"_news/a.md"})
    anyio.run(reload, app, "watch", {"_news/a.md"})
    assert app.state.graph is not old
    a, b = old.by_url[A], old.by_url[B]
    assert a.related == (b,) and b.related == (a,)
    assert path.shortest_path(old, a, b) == [a, b]
    assert articles_alive(A) == 2
    del old, a, b
    assert articles_alive(A) == 1


def test_a_full_collection_frees_an_old_graph_that_garbage_held(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unfrozen_after: None,
    no_collections: list[int],
) -> None:
    app = served_app(tmp_path, monkeypatch)
    # A cycle holding the graph, as a failed request's traceback would: only the
    # collector frees it.
    holder: list[object] = [app.state.graph]
    holder.append(holder)
    del holder
    no_collections.clear()
    anyio.run(reload, app, "watch", {"_news/a.md"})
    assert not no_collections  # the last load's graph may be answering a request
    assert articles_alive(A) == 2
    anyio.run(reload, app, "watch", {"_news/a.md"})
    assert len(no_collections) == 1  # one load later it is not: collected
    assert articles_alive(A) == 1


def test_a_full_collection_runs_every_so_many_loads(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    unfrozen_after: None,
    no_collections: list[int],
) -> None:
    app = served_app(tmp_path, monkeypatch)
    no_collections.clear()

    async def reloads() -> None:
        for _ in range(collector.FULL_EVERY + 1):
            await reload(app, "watch", {"_news/a.md"})

    anyio.run(reloads)
    # The start's collection, then one on the FULL_EVERY-th load after it.
    assert len(no_collections) == 1


def test_a_load_is_built_frozen(tmp_path: Path, unfrozen_after: None) -> None:
    data = related_to_each_other(tmp_path / "data")
    result = collector.build_frozen(partial(load, data, use_cache=False))
    # The collector never walks the new graph, not even once when it resumes.
    assert not tracked(result.graph.by_url[A]) and gc.isenabled()


def test_a_document_is_kept_from_the_second_time_it_comes() -> None:
    checks = DocumentChecks(schema._schema, Limits())  # type: ignore[attr-defined]
    text = "query Stats { stats { articles providers } }"
    first, second, third = (checks.check(text) for _ in range(3))
    assert first.document is not None and not first.errors
    assert second is not first  # checked again: one sighting is not kept
    assert third is second  # kept from the second sighting on


def test_the_documents_kept_are_bounded_by_their_characters() -> None:
    # 19,000 characters each (spaces, which cost no tokens): 26 fit in the 500,000.
    checks = DocumentChecks(schema._schema, Limits())  # type: ignore[attr-defined]
    texts = [f"query Q{number} {{ stats {{ articles }} }}".ljust(19_000) for number in range(30)]
    kept = []
    for text in texts:
        checks.check(text)
        kept.append(checks.check(text))
    assert len(texts) * 19_000 > CACHED_DOCUMENT_CHARS >= 26 * 19_000
    assert [checks.check(text) is ours for text, ours in zip(texts, kept, strict=True)] == (
        [False] * 4 + [True] * 26
    )


def test_documents_sent_once_are_not_kept() -> None:
    checks = DocumentChecks(schema._schema, Limits())  # type: ignore[attr-defined]
    for number in range(50):
        checks.check(f"query Stats {{ n{number}: stats {{ articles }} }}")
    assert len(checks._checked) == 0
    checks.check("query Stats { n7: stats { articles } }")
    assert len(checks._checked) == 1


def test_an_app_collects_the_youngest_generation_less_often(tmp_path: Path) -> None:
    default = gc.get_threshold()
    try:
        gc.set_threshold(700, default[1], default[2])
        create_app(Settings(data_dir=tmp_path))
        assert gc.get_threshold() == (collector.YOUNG_THRESHOLD, default[1], default[2])
    finally:
        gc.set_threshold(*default)
