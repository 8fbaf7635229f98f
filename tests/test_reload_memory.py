"""A reload lets the old graph go: nothing the server keeps (response cache, persisted
queries, subscriptions' broadcaster, the reload status) holds on to it once the requests
that used it are done. The soak (bench/soak.py --reload-every) measures the memory; this
checks the reason with a weak reference, through the real app and real files.
"""

from __future__ import annotations

import gc
import logging
import weakref
from pathlib import Path

import anyio
import httpx
import pytest

from content_graph.app import create_app, reload
from content_graph.ready import ReadyLine
from content_graph.settings import Settings
from graph.load import load
from tests.writing import record, write_md

QUERIES = [
    "{ stats { articles version lastReloadOk } }",
    "{ articles(first: 5) { nodes { title provider { name } related { title } } } }",
]


def test_the_old_graph_is_freed_after_a_reload(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONTENT_GRAPH_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    write_md(data, "_news/one.md", record("https://example.com/one", "One"))
    app = create_app(Settings(data_dir=data))

    async def scenario() -> weakref.ref:
        # In process, since only here can a weak reference watch the graph object.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            await reload(app, "start")
            for query in QUERIES:  # fill the caches with answers from this graph
                assert (await client.post("/graphql", json={"query": query})).status_code == 200
                assert (await client.get("/graphql", params={"query": query})).status_code == 200
            first = weakref.ref(app.state.graph)

            write_md(data, "_news/two.md", record("https://example.com/two", "Two"))
            await reload(app, "signal")
            answer = (await client.post("/graphql", json={"query": QUERIES[0]})).json()
            assert answer["data"]["stats"]["articles"] == 2
        return first

    first = anyio.run(scenario)
    gc.collect()
    assert first() is None


def test_the_ready_line_keeps_no_graph(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    # `serve` keeps its ready line for good: holding the first graph, it kept that graph
    # alive after every reload (a whole graph's memory, and a full collection each time
    # the collector found it still alive).
    data = tmp_path / "data"
    write_md(data, "_news/one.md", record("https://example.com/one", "One"))
    graph = load(data, use_cache=False).graph
    first = weakref.ref(graph)
    ready = ReadyLine("http://127.0.0.1:8000/graphql", playground=False)
    with caplog.at_level(logging.INFO, logger="content_graph"):
        ready.loaded(graph)
        ready.listens()
    assert "content-graph ready: http://127.0.0.1:8000/graphql, 1 article" in caplog.text
    del graph
    gc.collect()
    assert first() is None
