"""A reload lets the old graph go: nothing the server keeps (response cache, persisted
queries, subscriptions' broadcaster, the reload status) holds on to it once the requests
that used it are done. The soak (bench/soak.py --reload-every) measures the memory; this
checks the reason with a weak reference, through the real app and real files.
"""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from content_graph.app import create_app, reload
from content_graph.settings import Settings
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
    with TestClient(app) as client:
        assert client.portal is not None
        client.portal.call(reload, app, "signal")
        for query in QUERIES:  # fill the caches with answers from this graph
            assert client.post("/graphql", json={"query": query}).status_code == 200
            assert client.get("/graphql", params={"query": query}).status_code == 200
        first = weakref.ref(app.state.graph)

        write_md(data, "_news/two.md", record("https://example.com/two", "Two"))
        client.portal.call(reload, app, "signal")
        answer = client.post("/graphql", json={"query": QUERIES[0]}).json()
        assert answer["data"]["stats"]["articles"] == 2
        gc.collect()
        assert first() is None
