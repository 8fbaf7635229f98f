"""The last line `serve` logs at start-up: where the server answers, once it can.

A server is ready when it both listens and has its data. The two happen in either
order (one process loads in the background after it starts listening; the supervisor of
several workers loads first, then forks workers that listen), so `ReadyLine` waits for
both and then says so once.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass

import uvicorn

from graph.model import ContentGraph
from graph.report import counted

logger = logging.getLogger("content_graph")


def ready_message(url: str, articles: int, *, playground: bool) -> str:
    """E.g. "content-graph ready: http://127.0.0.1:8000/graphql (playground), 1,234 articles"."""
    where = f"{url} (playground)" if playground else url
    return f"content-graph ready: {where}, {counted(articles, 'article')}"


@dataclass
class ReadyLine:
    """Logs the ready line once the server listens and has a graph, whichever comes last."""

    url: str
    playground: bool
    listening: bool = False
    # The first graph's article count, not the graph: kept for good, the graph would
    # never be freed after a reload replaced it.
    articles: int | None = None
    said: bool = False

    def listens(self) -> None:
        self.listening = True
        self._say()

    def loaded(self, graph: ContentGraph) -> None:
        # The first graph makes the server ready; a reload has its own log line.
        if self.articles is None:
            self.articles = graph.stats.articles
            self._say()

    def _say(self) -> None:
        if self.said or not self.listening or self.articles is None:
            return
        self.said = True
        logger.info("%s", ready_message(self.url, self.articles, playground=self.playground))


class StartedServer(uvicorn.Server):
    """uvicorn's server, calling `on_started()` once it listens (after its own log lines)."""

    def __init__(self, config: uvicorn.Config, on_started: Callable[[], None]) -> None:
        super().__init__(config)
        self.on_started = on_started

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        # uvicorn leaves `started` False when it could not bind, and then exits.
        if self.started:
            self.on_started()
