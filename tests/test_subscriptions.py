"""Subscriptions over graphql-transport-ws: a real client against a live server.

The client is the npm package graphql-ws (over ws), driven by
tests/subscriptions_client.mjs under Node; `make assets` installs both. The server is a
real uvicorn process over a data folder on disk, reloaded by SIGHUP after the test
writes new record files.
"""

from __future__ import annotations

import json
import queue
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import REPO, LiveServer, start_server

from tests.writing import record, write_md

CLIENT = Path(__file__).with_name("subscriptions_client.mjs")


@pytest.fixture(scope="module")
def node() -> str:
    executable = shutil.which("node")
    if executable is None:
        pytest.skip("node is not installed: the graphql-ws client runs under Node")
    for package in ("graphql-ws", "ws"):
        if not (REPO / "node_modules" / package).is_dir():
            pytest.skip(f"the npm package {package} is not installed: run `make assets`")
    return executable


def ws_url(server: LiveServer) -> str:
    return server.graphql_url.replace("http://", "ws://")


def article(slug: str, domain: str, title: str) -> dict[str, Any]:
    return record(
        f"https://{domain}/{slug}",
        title,
        publishedDateTime="2025-03-01T10:00:00Z",
        provider={"domain": domain, "name": domain},
        topics=["News"],
    )


class Listener:
    """The client's `listen` scenario, its output lines read in a thread."""

    def __init__(self, node: str, url: str, env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [node, str(CLIENT), url, "listen"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "PATH": str(Path(node).parent)},
        )
        self.lines: queue.Queue[dict[str, Any]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(json.loads(line))

    def next(self, timeout: float) -> dict[str, Any] | None:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            return None

    def stop(self) -> str:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        assert self.process.stderr is not None
        return self.process.stderr.read()


def version(server: LiveServer) -> str:
    return httpx.get(f"{server.base_url}/readyz").json()["version"]


def test_articles_added_and_graph_reloaded_reach_a_real_client(node: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_md(data, "_news/old.md", article("old", "match.example", "Old one"))
    server = start_server(data, tmp_path)
    filter_ = {"providers": ["match.example"]}
    listener = Listener(node, ws_url(server), {"FILTER": json.dumps(filter_)})
    try:
        assert listener.next(15) == {"connected": True}
        # Reload unchanged data until graphReloaded arrives: then both subscriptions
        # (started in order on one connection) are listening. No article is new.
        for _ in range(30):
            server.process.send_signal(signal.SIGHUP)
            first = listener.next(1)
            if first is not None:
                break
        else:
            pytest.fail(f"no graphReloaded after 30 reloads:\n{server.log.read_text()}")
        assert first["event"] == "graphReloaded", first
        assert first["data"]["graphReloaded"]["articles"] == 1
        while (extra := listener.next(0.5)) is not None:  # later warm-up reloads
            assert extra["event"] == "graphReloaded", extra
        write_md(data, "_news/a.md", article("a", "match.example", "New match A"))
        write_md(data, "_news/b.md", article("b", "www.match.example", "New match B"))
        write_md(data, "_news/c.md", article("c", "other.example", "New, other provider"))
        server.process.send_signal(signal.SIGHUP)
        events: list[dict[str, Any]] = []
        while not any(e["event"] == "graphReloaded" for e in events):
            event = listener.next(30)
            assert event is not None, f"no event 30 s after SIGHUP:\n{server.log.read_text()}"
            events.append(event)
        # articlesAdded may come just after graphReloaded: they are separate operations.
        while (event := listener.next(1)) is not None:
            events.append(event)
        served = version(server)
        reloaded = [e["data"]["graphReloaded"] for e in events if e["event"] == "graphReloaded"]
        assert reloaded == [{"articles": 4, "version": served}]
        added = [e["data"]["articlesAdded"] for e in events if e["event"] == "articlesAdded"]
        assert len(added) == 1, events
        assert added[0]["version"] == served
        assert sorted(a["url"] for a in added[0]["articles"]) == [
            "https://match.example/a",
            "https://www.match.example/b",
        ]
        assert {a["provider"]["domain"] for a in added[0]["articles"]} == {"match.example"}
        # A reload that adds nothing matching sends no articlesAdded.
        write_md(data, "_news/d.md", article("d", "other.example", "Another other"))
        server.process.send_signal(signal.SIGHUP)
        event = listener.next(30)
        assert event is not None and event["event"] == "graphReloaded", event
        assert event["data"]["graphReloaded"]["articles"] == 5
        assert listener.next(1) is None
    finally:
        errors = listener.stop()
        server.stop()
    assert "Error" not in errors, errors


def run_client(node: str, server: LiveServer, scenario: str, **env: str) -> list[dict[str, Any]]:
    run = subprocess.run(
        [node, str(CLIENT), ws_url(server), scenario],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": str(Path(node).parent), **env},
    )
    assert run.returncode == 0, run.stderr
    return [json.loads(line) for line in run.stdout.splitlines()]


@pytest.fixture(scope="module")
def capped_server(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("capped")
    data = tmp / "data"
    write_md(data, "_news/one.md", article("one", "match.example", "One"))
    mp = pytest.MonkeyPatch()
    mp.setenv("CONTENT_GRAPH_MAX_SUBSCRIPTION_CONNECTIONS", "1")
    mp.setenv("CONTENT_GRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION", "2")
    mp.setenv("CONTENT_GRAPH_MAX_COST", "500")
    mp.setenv("CONTENT_GRAPH_MAX_DEPTH", "6")
    try:
        server = start_server(data, tmp)
    finally:
        mp.undo()
    yield server
    server.stop()


def test_subscriptions_per_connection_are_capped(node: str, capped_server: LiveServer) -> None:
    lines = run_client(node, capped_server, "many", COUNT="3")
    errors = [line["errors"] for line in lines if "errors" in line]
    assert len(errors) == 1, lines
    assert "already runs 2 subscriptions, the limit per connection" in errors[0][0]["message"]
    assert errors[0][0]["extensions"]["code"] == "MAX_SUBSCRIPTIONS_EXCEEDED"


def test_connections_are_capped(node: str, capped_server: LiveServer) -> None:
    holder = Listener(node, ws_url(capped_server), {})
    try:
        assert holder.next(15) == {"connected": True}
        lines = run_client(
            node, capped_server, "subscribe", QUERY="subscription { graphReloaded { version } }"
        )
        refused = [line["closed"] for line in lines if "closed" in line]
        assert refused and refused[0]["code"] == 1013, lines
        assert "1 subscription connections, its limit" in refused[0]["reason"]
    finally:
        holder.stop()
    # Once the first connection is gone, a new one is served.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        lines = run_client(node, capped_server, "many", COUNT="1")
        if {"connected": True} in lines and not any("errors" in line for line in lines):
            break
    else:
        pytest.fail(f"no connection after the first closed: {lines}")


@pytest.mark.parametrize(
    ("query", "code"),
    [
        (
            "subscription { articlesAdded { articles { provider { articles(first: 100) "
            "{ nodes { url } } } } } }",
            "MAX_COST_EXCEEDED",
        ),
        (
            "subscription { articlesAdded { articles { provider { articles { nodes "
            "{ provider { articles { nodes { url } } } } } } } } }",
            "MAX_DEPTH_EXCEEDED",
        ),
        ("{ stats { version } }", None),
    ],
    ids=["cost", "depth", "query"],
)
def test_limits_apply_to_subscription_documents(
    node: str, capped_server: LiveServer, query: str, code: str | None
) -> None:
    lines = run_client(node, capped_server, "subscribe", QUERY=query)
    errors = [line["errors"] for line in lines if "errors" in line]
    assert len(errors) == 1, lines
    error = errors[0][0]
    if code is None:
        assert "Only subscription operations are run here" in error["message"]
    else:
        assert error["extensions"]["code"] == code, error


def test_a_subscription_over_http_is_refused_clearly(capped_server: LiveServer) -> None:
    response = httpx.post(
        capped_server.graphql_url, json={"query": "subscription { graphReloaded { version } }"}
    )
    assert response.status_code in (400, 405), response.text
    assert "subscription" in response.text.lower()
