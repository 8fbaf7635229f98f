"""A lean path for the common `/graphql` request, in front of Strawberry's view.

Most requests are one operation, POSTed as `application/json` or sent with GET, and for
those the view's machinery (Starlette's routing and middleware, Strawberry's request
adapters, its `run` that parses the body twice, the `email` module parsing the content
type, the sub-response) cost more CPU than running a compiled plan does. `FastGraphQL`
answers such a request itself, through the same steps and the same helpers as the view
(`view.py`): persisted-query resolution, the ETag and `If-None-Match`, the response cache,
`view.run_operation` (the limits, the deadline, `extensions.cost`), and the same status
codes, headers and bodies.

Anything else is handed on, untouched, to the application behind it: websockets, other
paths and methods, the playground page, batches, bodies that are not a JSON object,
content types other than plain `application/json`, chunked or oversized bodies (the
guards answer those), malformed fields, and a graph not loaded yet. It sits inside the
CORS middleware, which adds its headers to these answers as to the view's. It hands a
request on only before anything with a side effect (the persisted-query store, the
response cache's counters, the document caches) has run, replaying the body it read.
`tests/test_http_fast.py` sends a matrix of requests with the fast path on and off and
checks that the answers are the same, byte for byte.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

import orjson
from cross_web import HTTPException
from starlette.datastructures import URL, MutableHeaders
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.http import GraphQLRequestData

from content_graph.errors import internal_error_response
from content_graph.guards import _replay
from content_graph.persisted import PersistedQueryError
from content_graph.response_cache import CachedResponse, CacheKey, cache_key
from content_graph.view import (
    GraphQLView,
    answer_status,
    cache_headers,
    etag_matches,
    get_etag,
    preferred_media_type,
    refusal_response,
    response_data,
    run_operation,
    served_version,
)
from resolvers.reloads import CONTEXT_KEY as LAST_RELOAD

# The content types the fast path reads; any other spelling goes to the view, which
# parses it as it always has (and may refuse it).
JSON_CONTENT_TYPES = frozenset({b"application/json", b"application/json; charset=utf-8"})
_WANTED = frozenset({b"content-type", b"content-length", b"accept", b"if-none-match"})


class FastGraphQL:
    """ASGI middleware: answers the common request to `view` at `path`, hands on the rest.

    `max_body_bytes` is the guards' limit: a longer body is theirs to refuse. A POST it
    keeps is `application/json`, which the CSRF guard never refuses.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        view: GraphQLView,
        path: str,
        max_body_bytes: int,
    ) -> None:
        self.app = app
        self.view = view
        self.path = path
        self.max_body_bytes = max_body_bytes
        # Strawberry streams (SSE, multipart) only with such a transport configured.
        self.enabled = not view._stream_transport_map

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            not self.enabled
            or scope["type"] != "http"
            or scope["path"] != self.path
            or scope.get("root_path")
            or scope["method"] not in ("GET", "POST")
        ):
            await self.app(scope, receive, send)
            return
        headers: dict[bytes, bytes] = {}
        for name, value in scope["headers"]:
            # The first of each, as Starlette's `Headers.get` reads them.
            if name in _WANTED and name not in headers:
                headers[name] = value
        if scope["method"] == "GET":
            await self._get(scope, receive, send, headers)
        else:
            await self._post(scope, receive, send, headers)

    async def _post(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes]
    ) -> None:
        declared = headers.get(b"content-length", b"")
        if (
            headers.get(b"content-type") not in JSON_CONTENT_TYPES
            or not declared.isdigit()
            or int(declared) > self.max_body_bytes
        ):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away, as the guards see it
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        data = _posted(body) if len(body) <= self.max_body_bytes else None
        if data is None:
            await self.app(scope, _replay(body, receive), send)
            return
        await self._answer(scope, _replay(body, receive), send, headers, data, None)

    async def _get(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[bytes, bytes]
    ) -> None:
        try:
            query_string = scope["query_string"].decode("latin-1")
            # As Starlette's URL has it, for the ETag.
            url_query = URL(scope=scope).query
        except UnicodeDecodeError:
            await self.app(scope, receive, send)
            return
        params = dict(parse_qsl(query_string, keep_blank_values=True))
        if "query" not in params and "extensions" not in params:
            await self.app(scope, receive, send)  # the playground, or no query at all
            return
        data = _from_parameters(params)
        await self._answer(scope, receive, send, headers, data, url_query)

    async def _answer(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[bytes, bytes],
        data: GraphQLRequestData | None,
        url_query: str | None,
    ) -> None:
        """Answer `data`, parsed from the request (None when it did not parse: the view
        answers that); `url_query` is the query string of a GET, None for a POST."""
        view = self.view
        request = Request(scope, receive)
        graph = view.current_graph(request)
        if graph is None:
            await self.app(scope, receive, send)  # the view says why (503)
            return
        # Read with the graph, no await between: one request sees one reload.
        last_reload = view.last_reload(request)
        accept = headers.get(b"accept", b"").decode("latin-1")
        media_type = preferred_media_type(accept)
        etag = None
        if url_query is not None:
            etag = get_etag(served_version(graph, last_reload), media_type, url_query)
        if etag is not None:
            if_none_match = headers.get(b"if-none-match")
            if if_none_match is not None and etag_matches(if_none_match.decode("latin-1"), etag):
                response = Response(status_code=304, headers=cache_headers(etag, view.max_age))
                await response(scope, receive, send)
                return
        if data is None:
            await self.app(scope, receive, send)
            return
        try:
            response, has_errors = await self._run(request, data, graph, last_reload, media_type)
        except (PersistedQueryError, HTTPException) as error:
            response, etag = refusal_response(error, accept), None
        except Exception as error:
            response, etag = internal_error_response(error), None
        else:
            if etag is not None and response.status_code == 200 and not has_errors:
                response.headers.update(cache_headers(etag, view.max_age))
        await response(scope, receive, send)

    async def _run(
        self,
        request: Request,
        data: GraphQLRequestData,
        graph: Any,
        last_reload: Any,
        media_type: str,
    ) -> tuple[Response | _Answer, bool]:
        """The view's `_answer`: from the response cache, else run and keep it there."""
        view = self.view
        data.query = view.persisted_queries.resolve(data.query, data.extensions)
        key: CacheKey | None = None
        if view.response_cache.enabled and data.query is not None:
            version = served_version(graph, last_reload)
            key = cache_key(version, media_type, data.query, data.operation_name, data.variables)
            cached = view.response_cache.get(key)
            if cached is not None:
                response = Response(
                    cached.body, cached.status, {"Vary": "Accept"}, cached.media_type
                )
                return response, False
        sub_response = _sub_response(media_type)
        context = {
            "graph": graph,
            "request": request,
            "response": sub_response,
            "deadline": view.execution.deadline(),
            LAST_RELOAD: last_reload,
        }
        try:
            result = await run_operation(view.execution, request.method, data, context)
        finally:
            # As the view does (view._let_go_of_graph): a cycle the run left behind must
            # not keep a graph a reload replaced alive.
            del context["graph"]
        answer, has_errors = response_data(result)
        body = orjson.dumps(answer)
        response = _Answer(answer_status(answer, media_type), body, media_type, sub_response)
        if key is not None and response.status_code == 200 and not has_errors:
            view.response_cache.put(key, CachedResponse(200, response.body, media_type))
        return response, has_errors


class _Answer:
    """The view's answer (`GraphQLView.create_response`: `answer_response`, the headers a
    resolver set on the context's response, `Vary: Accept`), the same headers in the same
    order, sent without a Starlette `Response`: making one, setting its headers and
    sending it cost more than a small query's execution."""

    __slots__ = ("body", "raw_headers", "status_code")

    def __init__(
        self, status_code: int, body: bytes, media_type: str, sub_response: Response
    ) -> None:
        self.status_code = status_code
        self.body = body
        self.raw_headers = [
            (b"content-length", str(len(body)).encode("latin-1")),
            (b"content-type", media_type.encode("latin-1")),
        ]
        # The list its `headers` write to: read as is, as making `headers` costs more.
        if sub_response.raw_headers:
            self.raw_headers.extend(sub_response.raw_headers)
            self.headers["Vary"] = "Accept"  # Starlette's rule: replaces one already there
        else:
            self.raw_headers.append((b"vary", b"Accept"))

    @property
    def headers(self) -> MutableHeaders:
        return MutableHeaders(raw=self.raw_headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {"type": "http.response.start", "status": self.status_code, "headers": self.raw_headers}
        )
        await send({"type": "http.response.body", "body": self.body})


def _posted(body: bytes) -> GraphQLRequestData | None:
    """The request in a POST body, or None when it is not one well-formed operation."""
    try:
        value = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict):
        return None  # a batch, or not a request at all
    return _request_data(value)


def _from_parameters(params: dict[str, str]) -> GraphQLRequestData | None:
    """The request in a GET's parameters, or None when one of them is malformed."""
    values: dict[str, Any] = dict(params)
    for name in ("variables", "extensions"):
        if values.get(name):
            try:
                values[name] = orjson.loads(values[name])
            except orjson.JSONDecodeError:
                return None
            if not isinstance(values[name], dict):
                return None  # the view says which parameter must be an object
    return _request_data(values)


def _request_data(value: dict[str, Any]) -> GraphQLRequestData | None:
    query = value.get("query")
    variables = value.get("variables")
    extensions = value.get("extensions")
    operation_name = value.get("operationName")
    # Tuples, not `str | None`: isinstance takes half the time with a tuple.
    if not (
        isinstance(query, _STR_OR_NONE)
        and isinstance(variables, _DICT_OR_NONE)
        and isinstance(extensions, _DICT_OR_NONE)
        and isinstance(operation_name, _STR_OR_NONE)
    ):
        return None
    # In the dataclass's field order (query, variables, operation_name, extensions,
    # protocol): given by keyword, the fields cost twice as much.
    return GraphQLRequestData(query, variables, operation_name, extensions, "http")


_STR_OR_NONE = (str, type(None))
_DICT_OR_NONE = (dict, type(None))


def _sub_response(media_type: str) -> Response:
    # The context's `response`, as Strawberry's view makes it (no status, no headers):
    # headers set on it are sent. Made as a 204, which Starlette gives no content-length,
    # rather than deleting the one it gives a 200.
    response = Response(status_code=204)
    response.status_code = None  # type: ignore[assignment]
    response.media_type = media_type
    return response
