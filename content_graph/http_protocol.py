"""`HttpProtocol`: uvicorn's httptools protocol, writing a whole small response at once.

uvicorn writes a response's status line and headers to the socket as soon as the app
sends `http.response.start`, and its body when the app sends `http.response.body`: two
`write` system calls and two TCP segments for every answer, however small. On loopback
the first write also wakes the client, so a small query's answer paid for the socket
twice (py-spy with `--native`: 16% of a small query's CPU went to those two writes,
the head's the larger share).

Here a response that says its `content-length` keeps its head back until the body's
first write, and the two leave in one. Only such responses: their body is at hand when
the head is sent (Starlette's `Response`, the GraphQL answers), while a streaming one
(subscriptions over multipart HTTP, server-sent events) may not write for a long time
and must show its head at once. A head held back is written anyway when the response
ends without a body or the connection closes; a `HEAD` request's is never held, as
uvicorn writes no body for it.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

# uvicorn writes header names lower-cased, each after a CRLF.
_CONTENT_LENGTH = b"\r\ncontent-length: "
_INFORMATIONAL = b"HTTP/1.1 1"


class _HeadHeld:
    """A connection's transport as one response cycle sees it."""

    __slots__ = ("_head", "_started", "_transport")

    def __init__(self, transport: asyncio.Transport, *, hold: bool) -> None:
        self._transport = transport
        self._head = b""
        self._started = not hold

    def write(self, data: bytes) -> None:
        if self._head:
            data, self._head = self._head + data, b""
        elif not self._started and not data.startswith(_INFORMATIONAL):
            self._started = True
            if _CONTENT_LENGTH in data:
                self._head = data
                return
        self._transport.write(data)

    def flush(self) -> None:
        if self._head:
            head, self._head = self._head, b""
            self._transport.write(head)

    def close(self) -> None:
        self.flush()
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with each response cycle writing through `_HeadHeld`."""

    def on_headers_complete(self) -> None:
        before = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is not None and cycle is not before:
            # uvicorn writes no body at all for a HEAD request.
            hold = self.scope["method"] != "HEAD"
            cycle.transport = _HeadHeld(self.transport, hold=hold)  # type: ignore[assignment]
