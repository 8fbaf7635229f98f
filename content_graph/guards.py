"""HTTP guards in front of the application: a body-size limit, CSRF prevention and CORS.

- **Body size.** A body longer than the limit is answered 413 without being read to its
  end: a `Content-Length` over the limit is refused before any byte of the body is
  read, and a body without one (chunked) is counted while it streams in and refused
  as soon as it passes the limit. A body within the limit is handed on whole.
- **CSRF prevention**, as Apollo Server does it: a browser sends some cross-site POSTs
  without asking the server first (a CORS preflight), namely those whose Content-Type
  is missing or is `text/plain`, `application/x-www-form-urlencoded` or
  `multipart/form-data`. Such a POST is refused unless it carries a non-empty
  `X-Apollo-Operation-Name` or `Apollo-Require-Preflight` header, which no browser
  sends cross-site without a preflight. The refusal is Apollo Server's: status 400,
  `extensions.code` BAD_REQUEST and its message (without the newline Apollo ends it
  with), whether the content type is missing or one of those three.
- **CORS**: Starlette's middleware, for the configured origins only. With none (the
  default) no answer carries `Access-Control-Allow-Origin`, so no page of another
  origin can read an answer.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from starlette.datastructures import Headers
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from content_graph.errors import BAD_REQUEST, PAYLOAD_TOO_LARGE, error_body

SIMPLE_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data", "text/plain")
PREFLIGHT_HEADERS = ("x-apollo-operation-name", "apollo-require-preflight")
CSRF_MESSAGE = (
    "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). "
    "Please either specify a 'content-type' header (with a type that is not one of "
    f"{', '.join(SIMPLE_CONTENT_TYPES)}) or provide a non-empty value for one of the "
    f"following headers: {', '.join(PREFLIGHT_HEADERS)}"
)
# A media type as the Fetch standard parses one: type/subtype of token characters.
_ESSENCE = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+/[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def middleware(
    *, max_body_bytes: int, csrf_prevention: bool, cors_origins: Sequence[str]
) -> list[Middleware]:
    """The guards for `Starlette(middleware=...)`, outermost first.

    CORS goes outside the other guards, so that a preflight is answered by it and a
    refusal from them still carries the CORS headers an allowed origin needs to read it.
    """
    guards = []
    if cors_origins:
        guards.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["content-type", "accept", *PREFLIGHT_HEADERS],
                max_age=600,
            )
        )
    guards.append(
        Middleware(RequestGuard, max_body_bytes=max_body_bytes, csrf_prevention=csrf_prevention)
    )
    return guards


def is_preflighted(headers: Headers) -> bool:
    """True when a browser would have asked (preflight) before sending this cross-site."""
    content_type = headers.get("content-type")
    if content_type is not None:
        essence = content_type.split(";", 1)[0].strip()
        # A type the browser cannot parse is not a simple one, so it was preflighted.
        if not _ESSENCE.fullmatch(essence) or essence.lower() not in SIMPLE_CONTENT_TYPES:
            return True
    return any(headers.get(name) for name in PREFLIGHT_HEADERS)


class RequestGuard:
    """ASGI middleware: the body-size limit and CSRF prevention (see the module docstring)."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, csrf_prevention: bool) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.csrf_prevention = csrf_prevention

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        if self.csrf_prevention and scope["method"] == "POST" and not is_preflighted(headers):
            await refuse(send, 400, CSRF_MESSAGE, BAD_REQUEST)
            return
        limit = self.max_body_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await refuse(send, 413, _too_large(limit), PAYLOAD_TOO_LARGE)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await refuse(send, 413, _too_large(limit), PAYLOAD_TOO_LARGE)
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        await self.app(scope, _replay(b"".join(chunks), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A `receive` that hands out the body already read, then waits on the real one."""
    pending = True

    async def replay() -> Message:
        nonlocal pending
        if pending:
            pending = False
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


def _too_large(limit: int) -> str:
    return f"The request body is larger than the limit of {limit:,} bytes."


async def refuse(send: Send, status: int, message: str, code: str) -> None:
    """Answer with a JSON `errors` list before the body has been read.

    The connection is not closed on purpose: closing a socket with unread data resets it,
    and the reset can destroy the answer before the client reads it. The server instead
    reads the rest of the body and throws it away, without keeping any of it.
    """
    body = error_body(message, code)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
