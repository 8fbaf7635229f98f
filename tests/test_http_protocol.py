"""http_protocol.HttpProtocol: a small answer leaves in one write, nothing else changes.

A real uvicorn server (uvloop, httptools) runs in a thread on a loopback port with the
protocol, its transport watched by a spy that records every write. Checked: an answer
with a content-length is one write holding head and body; a streaming answer shows its
head before its body exists; HEAD, `Expect: 100-continue`, pipelined requests, a closing
connection and an app that fails after its head all behave as uvicorn's own protocol.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from content_graph.http_protocol import HttpProtocol
from content_graph.server import LOOP, worker_config
from content_graph.settings import Settings

SMALL = b'{"data":{"ok":true}}'
released = threading.Event()


async def small(request: Request) -> Response:
    return Response(SMALL, media_type="application/json")


async def echo(request: Request) -> Response:
    return PlainTextResponse(await request.body())


async def stream(request: Request) -> Response:
    async def body() -> AsyncIterator[bytes]:
        # The first chunk exists only once the client has seen the head.
        while not released.is_set():
            await asyncio.sleep(0.01)
        yield b"later"

    return StreamingResponse(body(), media_type="text/plain")


class FailAfterHead:
    """A plain ASGI app (not a request handler) that fails once its head is sent."""

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        headers = [(b"content-length", b"10")]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        raise RuntimeError("the body never comes")


app = Starlette(
    routes=[
        Route("/small", small, methods=["GET", "HEAD"]),
        Route("/echo", echo, methods=["POST"]),
        Route("/stream", stream),
        Route("/fail", FailAfterHead()),
    ]
)


class _Spy:
    """A transport that records what is written through it."""

    def __init__(self, transport: asyncio.Transport, writes: list[bytes]) -> None:
        self._transport = transport
        self._writes = writes

    def write(self, data: bytes) -> None:
        self._writes.append(bytes(data))
        self._transport.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


WRITES: list[bytes] = []


class SpiedProtocol(HttpProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(_Spy(transport, WRITES))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    listener = socket.socket()
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    config = uvicorn.Config(app, loop=LOOP, http=SpiedProtocol, log_level="critical")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.02)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    listener.close()


def exchange(base_url: str, request: bytes, *, until: bytes, timeout: float = 5.0) -> bytes:
    """Send raw bytes on a new connection; read until `until` has arrived."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as connection:
        connection.sendall(request)
        received = b""
        while until not in received:
            chunk = connection.recv(65536)
            if not chunk:
                break
            received += chunk
        return received


def test_a_small_answer_is_one_write(base_url: str) -> None:
    with httpx.Client(base_url=base_url) as client:
        client.get("/small")  # the connection is made and warm
        WRITES.clear()
        response = client.get("/small")
    assert response.content == SMALL
    assert len(WRITES) == 1
    [write] = WRITES
    assert write.startswith(b"HTTP/1.1 200 OK\r\n")
    assert write.endswith(b"\r\n\r\n" + SMALL)


def test_the_served_app_runs_this_protocol(tmp_path: Any) -> None:
    config = worker_config(Settings(data_dir=tmp_path), Starlette())
    config.load()
    assert config.http_protocol_class is HttpProtocol


def test_a_streaming_answer_shows_its_head_before_its_body(base_url: str) -> None:
    released.clear()
    with (
        httpx.Client(base_url=base_url, timeout=5) as client,
        client.stream("GET", "/stream") as response,
    ):
        # The head came while the body did not exist yet.
        assert response.status_code == 200
        assert "content-length" not in response.headers
        released.set()
        assert response.read() == b"later"


def test_head_gets_its_head_and_the_connection_goes_on(base_url: str) -> None:
    with httpx.Client(base_url=base_url, timeout=5) as client:
        head = client.head("/small")
        after = client.get("/small")
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(SMALL))
    assert head.content == b""
    assert after.content == SMALL


def test_expect_100_continue_is_answered_before_the_body(base_url: str) -> None:
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as connection:
        connection.sendall(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"
        )
        interim = connection.recv(65536)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        connection.sendall(b"hello")
        answer = b""
        while not answer.endswith(b"hello"):
            chunk = connection.recv(65536)
            assert chunk, f"closed early: {answer!r}"
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")


def test_pipelined_requests_are_answered_in_order(base_url: str) -> None:
    request = b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
    answers = exchange(
        base_url, request % (5, b"first") + request % (6, b"second"), until=b"second"
    )
    assert answers.count(b"HTTP/1.1 200 OK") == 2
    assert answers.index(b"first") < answers.index(b"second")


def test_a_closing_connection_gets_the_whole_answer(base_url: str) -> None:
    answer = exchange(
        base_url, b"GET /small HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", until=b"\0"
    )
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"connection: close\r\n" in answer.lower()
    assert answer.endswith(SMALL)


def test_an_app_failing_after_its_head_still_sends_the_head(base_url: str) -> None:
    # As with uvicorn's own protocol: the head, then the connection closes.
    answer = exchange(base_url, b"GET /fail HTTP/1.1\r\nHost: x\r\n\r\n", until=b"\0")
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"content-length: 10\r\n" in answer
    assert answer.endswith(b"\r\n\r\n")
