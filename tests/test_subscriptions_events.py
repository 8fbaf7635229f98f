"""The broadcaster behind subscriptions: which articles are new, and bounded queues."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from content_graph.events import QUEUE_SIZE, Broadcaster, FellBehind
from graph import ContentGraph, load
from tests.writing import record, write_md


def graph_of(root: Path, urls: list[str]) -> ContentGraph:
    for n, url in enumerate(urls):
        write_md(root, f"_news/{n}.md", record(url, f"Title {n}"))
    return load(root).graph


def test_new_articles_are_the_urls_not_served_before(tmp_path: Path) -> None:
    old = graph_of(tmp_path / "old", ["https://a.example/1", "https://a.example/2"])
    new = graph_of(
        tmp_path / "new", ["https://a.example/2", "https://a.example/3", "https://A.example/4/"]
    )

    async def scenario() -> list[str]:
        broadcaster = Broadcaster()
        events = broadcaster.events()
        waiting = asyncio.ensure_future(events.__anext__())
        await asyncio.sleep(0)  # the subscriber registers on its first step
        assert broadcaster.subscribers == 1
        broadcaster.publish(old, new)
        event = await waiting
        await events.aclose()
        assert broadcaster.subscribers == 0
        assert event.version == new.version
        return [new.articles[index].url for index in event.added]

    assert sorted(asyncio.run(scenario())) == ["https://a.example/3", "https://a.example/4"]


def test_a_subscriber_that_stops_reading_is_ended_not_waited_for(tmp_path: Path) -> None:
    graph = graph_of(tmp_path, ["https://a.example/1"])

    async def scenario() -> int:
        broadcaster = Broadcaster()
        events = broadcaster.events()
        waiting = asyncio.ensure_future(events.__anext__())
        await asyncio.sleep(0)
        for _ in range(QUEUE_SIZE + 5):  # never blocks: publish runs on the event loop
            broadcaster.publish(graph, graph)
        received = [await waiting]
        with pytest.raises(FellBehind, match="fell 16 reloads behind"):
            while True:
                received.append(await events.__anext__())
        assert broadcaster.subscribers == 0
        return len(received)

    # The first event was taken at once; the queue then overflowed, so the next read
    # ends the subscription rather than hand out a stream with a gap in it.
    assert asyncio.run(scenario()) == 1
