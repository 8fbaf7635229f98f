"""What subscriptions hear of: one `Reloaded` event per reload, fanned out to subscribers.

`Broadcaster.publish` is an `on_reload` listener (see `app.py`): it runs on the event
loop right after the swap, works out which articles are new (canonical URLs in the new
graph and not in the old one) and puts one event in each subscriber's queue.

Each queue is bounded (`QUEUE_SIZE` events). A subscriber that does not read (a slow
client over a slow link) is not waited for and its events are not silently dropped:
when its queue is full it is marked as fallen behind and its subscription ends with an
error that says so, so the client knows to resubscribe and catch up with a query.
Reloads are rare, so a full queue means a stuck client, not a busy one.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass

from content_graph.errors import SUBSCRIPTION_FELL_BEHIND
from graph.model import ContentGraph

QUEUE_SIZE = 16


@dataclass(frozen=True, slots=True)
class Reloaded:
    """One reload: the graph now served and the indexes of its new articles (default order)."""

    graph: ContentGraph
    added: tuple[int, ...]

    @property
    def version(self) -> str:
        return self.graph.version


class FellBehind(Exception):
    """A subscriber's queue filled up: its subscription ends with this error."""

    def __init__(self) -> None:
        super().__init__(
            f"This subscription fell {QUEUE_SIZE} reloads behind and was ended; "
            "subscribe again and query what changed meanwhile."
        )
        # graphql-core gives the error it wraps this in these extensions.
        self.extensions = {"code": SUBSCRIPTION_FELL_BEHIND}


class _Subscriber:
    __slots__ = ("fell_behind", "queue")

    def __init__(self) -> None:
        self.queue: asyncio.Queue[Reloaded] = asyncio.Queue(QUEUE_SIZE)
        self.fell_behind = False


class Broadcaster:
    """Fans each reload out to every subscriber, each through its own bounded queue."""

    def __init__(self) -> None:
        self._subscribers: set[_Subscriber] = set()

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def publish(self, old: ContentGraph | None, new: ContentGraph) -> None:
        """The `on_reload` listener: nothing is new at the first load (there is no old)."""
        if old is None or not self._subscribers:
            return
        known = old.by_url
        added = tuple(a.index for a in new.articles if a.url not in known)
        event = Reloaded(new, added)
        for subscriber in self._subscribers:
            try:
                subscriber.queue.put_nowait(event)
            except asyncio.QueueFull:
                subscriber.fell_behind = True

    async def events(self) -> AsyncIterator[Reloaded]:
        """Every reload from now on, until the caller stops iterating."""
        subscriber = _Subscriber()
        self._subscribers.add(subscriber)
        try:
            while True:
                if subscriber.fell_behind:
                    raise FellBehind
                yield await subscriber.queue.get()
        finally:
            self._subscribers.discard(subscriber)
