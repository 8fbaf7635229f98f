"""The floor under every server: a bare ASGI app on the same uvicorn, no GraphQL at all.

It answers every request with the same bytes (the file `BENCH_FLOOR_BODY` names, a
server's real answer), so what it costs is uvicorn, the socket and the machine alone.
bench/http_path.py measures the HTTP path above it; bench/peer.py runs it once per round
as a gauge of the host, whose own load moves every server's rounds.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.types import Receive, Scope, Send

# The floor's answer: the bytes of FLOOR_BODY_ENV's file.
FLOOR_BODY_ENV = "BENCH_FLOOR_BODY"


def floor_app() -> object:
    """A bare ASGI app: reads the request, answers the same bytes every time."""
    body = Path(os.environ[FLOOR_BODY_ENV]).read_bytes() if FLOOR_BODY_ENV in os.environ else b"{}"
    headers = [
        (b"content-length", str(len(body)).encode()),
        (b"content-type", b"application/json"),
        (b"vary", b"Accept"),
    ]

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            while True:
                kind = (await receive())["type"]  # lifespan.startup, then .shutdown
                await send({"type": f"{kind}.complete"})
                if kind == "lifespan.shutdown":
                    return
        more = True
        while more:
            more = (await receive()).get("more_body", False)
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app
