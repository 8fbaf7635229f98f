"""The `/graphql` endpoint: Strawberry's ASGI view, held to the GraphQL-over-HTTP spec.

Where this departs from Strawberry's defaults, and why:

- Status codes follow the GraphQL-over-HTTP specification. A client that accepts
  `application/graphql-response+json` gets 400 for a request error (a document that does
  not parse or validate, an unknown operation, variables that do not coerce) and the
  `data` entry left out, as the GraphQL spec asks for errors raised before execution.
  A client that asks for `application/json` (the legacy type, and the default) gets 200
  for any well-formed request, as the spec requires for that type.
- A body that is not a GraphQL request at all gets 400; a POST body that is not
  `application/json` gets 415; other methods get 405 with `Allow`; a mutation sent with
  GET gets 405 with `Allow: POST` and is never executed. These errors come back as JSON
  with an `errors` list, like every other answer of the endpoint.
- Every error of every answer, HTTP or websocket, carries `extensions.code` (the codes
  and how each error gets its own are in `errors.py`).
- An exception a resolver did not mean to raise is masked ("Internal server error" and
  an error id, which the log has with the traceback; see `errors.py`). Client mistakes
  (`InputError`, `GraphQLError`) keep their message.
- Operations run through `execution.py`: the token, alias, depth and cost limits apply
  before anything runs, every answer carries `extensions.cost`, and a request stops at
  its time limit. Batches (a JSON list of requests) are refused unless enabled, and
  then bounded; they share one deadline.
- GET answers carry an ETag made of the loaded data's version and the request, so a
  cache can revalidate them for free: a matching `If-None-Match` gets 304 without the
  query being run. A reload changes the version, and with it every ETag. Only answers
  without errors get one, with `Cache-Control: max-age` as configured (else no-cache).
- Requests go: persisted-query resolution (`persisted.py`) → the response cache
  (`response_cache.py`) → `execution.py` (parse, validate and the document limits,
  cached per document; the cost limit; execute on graphql-core with Strawberry's types)
  → into the response cache.
- The IDE page is our own playground (see `playground.py`), which works offline.
- Websockets on the same path speak graphql-transport-ws (Strawberry's handler) for
  subscriptions only (`docs/subscriptions.md`): the legacy graphql-ws protocol is not
  offered, as its handler would run documents past our limits. Connections are capped
  (over the cap: closed with 1013, try again later), and so are subscriptions per
  connection; every subscription document is held to the token, alias, depth and cost
  limits before it starts. Cross-origin pages may connect only from `cors_origins`.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Mapping
from contextlib import aclosing
from datetime import timedelta
from typing import Any

import orjson
from cross_web import HTTPException
from graphql import GraphQLError, OperationType
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.http.parse_content_type import parse_content_type
from strawberry.schema.base import BaseSchema
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
)
from strawberry.types import ExecutionResult

from content_graph.errors import MASKED_MESSAGE as MASKED_MESSAGE  # re-exported
from content_graph.errors import (
    MAX_SUBSCRIPTIONS_EXCEEDED,
    OPERATION_RESOLUTION_FAILURE,
    client_error,
    client_errors,
    error_body,
    internal_error_response,
    refusal_code,
)
from content_graph.events import Broadcaster
from content_graph.execution import Execution, is_timeout
from content_graph.persisted import PersistedQueries, PersistedQueryError
from content_graph.response_cache import CachedResponse, CacheKey, ResponseCache, cache_key
from content_graph.settings import MAX_BATCH_ENV, Limits
from graph.model import ContentGraph
from resolvers.reloads import CONTEXT_KEY as LAST_RELOAD
from resolvers.reloads import LastReload

JSON = "application/json"
GRAPHQL_RESPONSE = "application/graphql-response+json"

GraphSource = Callable[[Request], ContentGraph | None]
# The outcome of the server's last load, read with the graph (docs/live.md).
ReloadSource = Callable[[Request], LastReload | None]
FAILED_FIRST_LOAD = "The data could not be loaded; /readyz says why. A reload that works serves it."
# Why the first load failed, while no graph is served (None: it has not failed).
LoadErrorSource = Callable[[HTTPConnection], str | None]

# The websocket close code for "the server is full": 1013, Try Again Later (RFC 6455
# registry). graphql-ws clients retry it with their back-off, which is what we want.
SERVER_FULL = 1013
_SUBSCRIPTION_OPERATIONS = frozenset({OperationType.SUBSCRIPTION})
_SUBSCRIPTION_OVER_HTTP = (
    "Subscriptions run over a websocket to /graphql (the graphql-transport-ws protocol), "
    "not over HTTP; see docs/subscriptions.md."
)


class SubscriptionHandler(BaseGraphQLTransportWSHandler):
    """Strawberry's graphql-transport-ws handler, with our limits before each subscribe."""

    view: GraphQLView

    async def handle_subscribe(self, message: Any) -> None:
        if self.connection_acknowledged and message["id"] not in self.operations:
            errors = self._refusal(message)
            if errors:
                formatted = [client_error(error).formatted for error in errors]
                await self.send_message(
                    {"id": message["id"], "type": "error", "payload": formatted}
                )
                return
        await super().handle_subscribe(message)

    async def _send_result_stream(self, operation: Any, result_source: Any) -> None:
        # Events are answered as HTTP answers are: failures masked, every error coded.
        async with aclosing(_client_results(result_source)) as results:
            await super()._send_result_stream(operation, results)

    def _refusal(self, message: Any) -> list[GraphQLError]:
        limit = self.view.max_subscriptions
        if len(self.operations) >= limit:
            text = (
                f"This connection already runs {limit} subscriptions, the limit per "
                "connection; complete one before starting another."
            )
            return [GraphQLError(text, extensions={"code": MAX_SUBSCRIPTIONS_EXCEEDED})]
        payload = message.get("payload") or {}
        graph = self.context["graph"]
        return self.view.execution.refusal(
            payload.get("query"),
            payload.get("variables"),
            payload.get("operationName"),
            graph=graph,
            allowed=_SUBSCRIPTION_OPERATIONS,
        )


class TextWebSocketAdapter(ASGIWebSocketAdapter):
    """Sends text frames: graphql-transport-ws messages are JSON text, and clients
    (graphql-ws) refuse binary ones, which `encode_json` returning bytes would make."""

    async def send_json(self, message: Mapping[str, object]) -> None:
        try:
            await self.ws.send_text(orjson.dumps(message).decode())
        except WebSocketDisconnect as exc:
            raise WebSocketDisconnected from exc


class GraphQLView(GraphQL):
    """Answers GraphQL requests from the graph that `current_graph` returns.

    `current_graph` is read once per request and the same graph object is used for the
    whole request, so a reload that swaps the graph mid-request cannot mix two loads.
    """

    def __init__(
        self,
        schema: BaseSchema,
        *,
        current_graph: GraphSource,
        playground: Callable[[str], str],
        response_cache: ResponseCache | None = None,
        persisted_queries: PersistedQueries | None = None,
        max_age: int = 0,
        limits: Limits | None = None,
        events: Broadcaster | None = None,
        last_reload: ReloadSource | None = None,
        load_error: LoadErrorSource | None = None,
    ) -> None:
        limits = limits or Limits()
        ide = "graphiql" if limits.graphiql else None
        super().__init__(
            schema,
            graphql_ide=ide,
            allow_queries_via_get=True,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=limits.subscription_init_timeout),
            max_subscriptions_per_connection=None,  # SubscriptionHandler says it more clearly
            allowed_origins=limits.cors_origins,
        )
        self.execution = Execution(schema, limits)
        self.events = Broadcaster() if events is None else events
        self.max_connections = limits.max_subscription_connections
        self.max_subscriptions = limits.max_subscriptions_per_connection
        self.connections = 0
        self.max_batch = limits.max_batch
        self.current_graph = current_graph
        self.last_reload: ReloadSource = last_reload or (lambda request: None)
        self.load_error: LoadErrorSource = load_error or (lambda connection: None)
        self.playground = playground
        # `is None`, not `or`: an empty cache or store is falsy (it has a length).
        self.response_cache = ResponseCache(0) if response_cache is None else response_cache
        self.persisted_queries = (
            PersistedQueries(0) if persisted_queries is None else persisted_queries
        )
        self.max_age = max_age

    graphql_transport_ws_handler_class = SubscriptionHandler
    websocket_adapter_class = TextWebSocketAdapter  # type: ignore[assignment]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await self._websocket(scope, receive, send)
            return
        request = Request(scope, receive)
        graph = self.current_graph(request)
        if graph is None:
            message, headers = self.unavailable(request)
            response: Response = error_response(503, message, headers)
        else:
            request.state.graph = graph
            # Read with the graph, no await between: one request sees one reload.
            request.state.last_reload = self.last_reload(request)
            try:
                response = await self._respond(request, graph)
            except Exception as error:
                response = internal_error_response(error)
        try:
            await response(scope, receive, send)
        finally:
            _let_go_of_graph(request)

    async def _websocket(self, scope: Scope, receive: Receive, send: Send) -> None:
        websocket = WebSocket(scope, receive, send)
        if self.connections >= self.max_connections or self.current_graph(websocket) is None:  # type: ignore[arg-type]
            full = self.connections >= self.max_connections
            reason = (
                f"The server has {self.max_connections} subscription connections, its limit; "
                "try again later."
                if full
                else self.unavailable(websocket)[0]
            )
            protocols = scope.get("subprotocols") or []
            chosen = (
                GRAPHQL_TRANSPORT_WS_PROTOCOL
                if GRAPHQL_TRANSPORT_WS_PROTOCOL in protocols
                else None
            )
            await websocket.accept(subprotocol=chosen)
            await websocket.close(code=SERVER_FULL, reason=reason)
            return
        self.connections += 1
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.connections -= 1

    def unavailable(self, connection: HTTPConnection) -> tuple[str, dict[str, str]]:
        """Why no graph answers yet, and the headers to say it with: the first load is
        still running, or it failed (no Retry-After then: nothing loads until the folder
        is fixed and reloaded). Short enough for a websocket's close reason (123 bytes)."""
        if self.load_error(connection):
            return (
                "The data could not be loaded; /readyz says why. A reload that works serves it.",
                {},
            )
        return "The data is still loading; try again shortly.", {"Retry-After": "1"}

    async def _respond(self, request: Request, graph: ContentGraph) -> Response:
        etag = _etag(request, graph) if _is_get_query(request) else None
        if etag is not None and etag_matches(request.headers.get("if-none-match"), etag):
            return Response(status_code=304, headers=cache_headers(etag, self.max_age))
        request.state.answer_has_errors = True
        try:
            response = await self._answer(request, graph)
        except (PersistedQueryError, HTTPException) as error:
            return refusal_response(error, request.headers.get("accept", ""))
        if etag is not None and response.status_code == 200 and not request.state.answer_has_errors:
            response.headers.update(cache_headers(etag, self.max_age))
        return response

    async def _answer(self, request: Request, graph: ContentGraph) -> Response:
        """From the response cache when it holds the answer, else run and keep it there."""
        request.state.graphql_request = None
        key: CacheKey | None = None
        if request.method in ("GET", "POST") and not self.should_render_graphql_ide(request):
            data = await self.parse_http_body(self.request_adapter_class(request))
            if isinstance(data, list):  # a batch: each operation is run on its own
                return await self.run(request)
            data.query = self.persisted_queries.resolve(data.query, data.extensions)
            request.state.graphql_request = data
            if self.response_cache.enabled and data.query is not None:
                media_type = preferred_media_type(request.headers.get("accept", ""))
                key = cache_key(
                    _served_version(request, graph),
                    media_type,
                    data.query,
                    data.operation_name,
                    data.variables,
                )
                cached = self.response_cache.get(key)
                if cached is not None:
                    request.state.answer_has_errors = False
                    return Response(
                        cached.body, cached.status, {"Vary": "Accept"}, cached.media_type
                    )
        response = await self.run(request)
        if key is not None and response.status_code == 200 and not request.state.answer_has_errors:
            cached = CachedResponse(response.status_code, response.body, key[1])
            self.response_cache.put(key, cached)
        return response

    def should_render_graphql_ide(self, request: Any) -> bool:
        # A GET with a persisted query's hash and no `query` is a request, not the IDE.
        # With the IDE switched off, a GET without a query is a request without a query.
        return (
            self.graphql_ide is not None
            and "extensions" not in request.query_params
            and super().should_render_graphql_ide(request)
        )

    async def get_context(self, request: Request, response: Response) -> dict[str, Any]:  # type: ignore[override]
        if request.scope["type"] == "websocket":
            # The graph of the moment; each event brings its own (schema/subscription.py).
            return {
                "graph": self.current_graph(request),
                "request": request,
                "events": self.events.events,
                "deadline": math.inf,
                # Looked up when asked: a subscription outlives many reloads.
                LAST_RELOAD: lambda: self.last_reload(request),
            }
        context = request.state.context = {
            "graph": request.state.graph,
            "request": request,
            "response": response,
            "deadline": self.execution.deadline(),
            LAST_RELOAD: request.state.last_reload,
        }
        return context

    async def get_sub_response(self, request: Request) -> Response:  # type: ignore[override]
        sub_response = await super().get_sub_response(request)
        # The negotiated type rides on the sub-response: create_response, which picks
        # the status code, is not given the request.
        sub_response.media_type = preferred_media_type(request.headers.get("accept", ""))
        return sub_response

    async def render_graphql_ide(self, request: Request) -> Response:  # type: ignore[override]
        return HTMLResponse(self.playground(request.url.path))

    def decode_json(self, data: str | bytes) -> object:
        return orjson.loads(data)

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)

    def parse_json(self, data: str | bytes) -> Any:
        # The POST body must be an object; anything else is not a GraphQL request.
        # A list is a batch, which `_validate_batch_request` bounds.
        value = super().parse_json(data)
        if isinstance(value, list):
            if self.max_batch > 0:
                return value
            raise HTTPException(400, BATCHING_OFF)
        if not isinstance(value, dict):
            raise HTTPException(400, "The request body must be a JSON object.")
        return value

    def parse_query_params(self, params: Any) -> dict[str, Any]:
        # Strawberry reads GET's `variables` and `extensions` with `parse_json`, whose
        # errors speak of the request body; a GET has none, so each names its parameter.
        values = dict(params)
        for name in ("variables", "extensions"):
            if values.get(name):
                values[name] = _json_parameter(name, values[name])
        return values

    def _validate_batch_request(self, request_data: list[Any], protocol: Any) -> None:
        if not 0 < len(request_data) <= self.max_batch:
            raise HTTPException(
                400,
                f"A batch holds 1 to {self.max_batch} operations, the batch limit; "
                f"this one has {len(request_data)}.",
            )

    async def parse_http_body(self, request: Any) -> GraphQLRequestData:  # type: ignore[override]
        if request.method == "POST":
            content_type, _ = parse_content_type(request.content_type or "")
            if content_type != JSON:
                raise HTTPException(
                    415, f"Send the request as Content-Type: {JSON}, not {content_type!r}."
                )
        data = await super().parse_http_body(request)
        for item in data if isinstance(data, list) else [data]:
            if not isinstance(item.operation_name, str | None):
                raise HTTPException(400, "operationName must be a string or null.")
        return data  # type: ignore[return-value]

    async def execute_single(self, *args: Any, **kwargs: Any) -> ExecutionResult:  # type: ignore[override]
        # The request as `_answer` resolved it: a persisted query's hash stands for its text.
        request: Request = kwargs["request"]
        resolved: GraphQLRequestData | None = request.state.graphql_request
        data = kwargs["request_data"] if resolved is None else resolved
        context = kwargs["context"]
        return await run_operation(self.execution, request.method, data, context)

    async def process_result(  # type: ignore[override]
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        response, request.state.answer_has_errors = response_data(result)
        return response

    def create_response(  # type: ignore[override]
        self, response_data: GraphQLHTTPResponse, sub_response: Response
    ) -> Response:
        response = answer_response(response_data, sub_response.media_type or JSON)
        response.headers.raw.extend(sub_response.headers.raw)
        response.headers["Vary"] = "Accept"
        return response


_GET_OPERATIONS = frozenset({OperationType.QUERY})
_POST_OPERATIONS = frozenset({OperationType.QUERY, OperationType.MUTATION})


class MutationOverGet(HTTPException):
    """A GET that names a mutation: refused before anything is executed."""


async def run_operation(
    execution: Execution, method: str, data: GraphQLRequestData, context: dict[str, Any]
) -> ExecutionResult:
    """The result of the request's one operation, for the view and the fast path alike.

    A request that cannot run raises `HTTPException` (no query, a subscription) or
    `MutationOverGet`, which `refusal_response` answers; a document without the named
    operation is a request error, answered like a validation error rather than as a
    malformed HTTP request.
    """
    allowed = _GET_OPERATIONS if method == "GET" else _POST_OPERATIONS
    try:
        return await execution.run(
            data.query,
            data.variables,
            data.operation_name,
            graph=context["graph"],
            context=context,
            deadline=context["deadline"],
            allowed=allowed,
            operation_extensions=data.extensions,
        )
    except CannotGetOperationTypeError as cause:
        message = cause.as_http_error_reason()
        error = GraphQLError(message, extensions={"code": OPERATION_RESOLUTION_FAILURE})
        return ExecutionResult(data=None, errors=[error])
    except InvalidOperationTypeError as cause:
        if cause.operation_type.value == OperationType.SUBSCRIPTION.value:
            raise HTTPException(400, _SUBSCRIPTION_OVER_HTTP) from cause
        raise MutationOverGet(405, "Mutations must be sent with POST.") from cause
    except MissingQueryError as cause:
        raise HTTPException(400, "The request has no GraphQL query.") from cause


def response_data(result: ExecutionResult) -> tuple[GraphQLHTTPResponse, bool]:
    """The answer's JSON object, and whether it holds errors (every one coded, unexpected
    ones masked): no `data` at all for a request error."""
    errors = client_errors(result.errors)
    response: GraphQLHTTPResponse = {}
    if not is_request_error(result):
        response["data"] = result.data
    if errors:
        response["errors"] = [error.formatted for error in errors]
    if result.extensions:
        response["extensions"] = result.extensions
    return response, bool(errors)


def answer_response(data: GraphQLHTTPResponse, media_type: str) -> Response:
    """The answer as `media_type`."""
    return Response(orjson.dumps(data), answer_status(data, media_type), media_type=media_type)


def answer_status(data: GraphQLHTTPResponse, media_type: str) -> int:
    """A request error is a 400 only for `application/graphql-response+json` (see the
    module docstring); any other answer is a 200."""
    request_error = isinstance(data, dict) and "data" not in data
    return 400 if media_type == GRAPHQL_RESPONSE and request_error else 200


def refusal_response(error: PersistedQueryError | HTTPException, accept: str) -> Response:
    """The answer to a request refused before or instead of running (`run_operation`,
    the persisted queries, the request's parsing)."""
    if isinstance(error, PersistedQueryError):
        return persisted_query_error_response(error, accept)
    if isinstance(error, MutationOverGet):
        return error_response(error.status_code, error.reason, {"Allow": "POST"})
    headers = {"Allow": "GET, POST"} if error.status_code == 405 else None
    return error_response(error.status_code, error.reason, headers)


BATCHING_OFF = (
    "This server does not run batches (a JSON list of operations): send one operation "
    f"per request, or start the server with --max-batch N (or {MAX_BATCH_ENV}=N) to "
    "allow up to N."
)


def error_response(status: int, message: str, headers: Mapping[str, str] | None = None) -> Response:
    """An HTTP-level refusal, in the same `errors` shape as GraphQL errors, with the
    code of its status (`errors.refusal_code`)."""
    body = error_body(message, refusal_code(status))
    return Response(body, status, headers=dict(headers or {}), media_type=JSON)


def _json_parameter(name: str, text: str) -> dict[str, Any]:
    """A GET parameter that holds a JSON object (`variables`, `extensions`)."""
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError as error:
        raise HTTPException(
            400, f"The `{name}` query parameter is not valid JSON: {error}."
        ) from None
    if not isinstance(value, dict):
        raise HTTPException(400, f"The `{name}` query parameter must be a JSON object.")
    return value


async def _client_results(results: AsyncIterator[Any]) -> AsyncGenerator[Any, None]:
    """The results of a subscription, their errors as `client_error` gives them."""
    async for result in results:
        if isinstance(result, ExecutionResult) and result.errors:
            result.errors = client_errors(result.errors)
        yield result


def persisted_query_error_response(error: PersistedQueryError, accept: str) -> Response:
    """Apollo's persisted-query errors: not found and not supported are request errors,
    answered like a validation error; a malformed persisted query is a bad request."""
    media_type = preferred_media_type(accept)
    status = 200 if error.request_error and media_type == JSON else 400
    body = orjson.dumps({"errors": [error.formatted]})
    return Response(body, status, {"Vary": "Accept"}, media_type)


def preferred_media_type(accept: str) -> str:
    """`application/graphql-response+json` when the client prefers it, else `application/json`.

    A client that names neither (`*/*`, or no Accept at all) gets `application/json`, as
    the spec asks of servers while legacy clients are still common.
    """
    if not accept or accept == "*/*":
        return JSON  # the commonest, answered without parsing
    weights: dict[str, float] = {}
    for item in accept.split(","):
        media_type, *parameters = (part.strip() for part in item.split(";"))
        weight = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        weights[media_type.lower()] = weight
    preferred = weights.get(GRAPHQL_RESPONSE, 0.0)
    return GRAPHQL_RESPONSE if preferred > 0 and preferred >= weights.get(JSON, 0.0) else JSON


def is_request_error(result: ExecutionResult) -> bool:
    """True when the request failed before execution began, so there is no `data` at all.

    Errors raised during execution always carry the `path` of the field that raised them
    (or, for an operation stopped at its time limit, say so); errors of parsing,
    validation, limits and variable coercion never do.
    """
    return (
        result.data is None
        and bool(result.errors)
        and all(error.path is None and not is_timeout(error) for error in result.errors or ())
    )


def _is_get_query(request: Request) -> bool:
    params = request.query_params
    return request.method == "GET" and ("query" in params or "extensions" in params)


def _etag(request: Request, graph: ContentGraph) -> str:
    accepted = preferred_media_type(request.headers.get("accept", ""))
    return get_etag(_served_version(request, graph), accepted, request.url.query)


def get_etag(served_version: str, media_type: str, query_string: str) -> str:
    """The ETag of a GET's answer."""
    # The answer depends on the query string, the loaded data and the negotiated type.
    digest = hashlib.blake2b(digest_size=12)
    for part in (served_version, media_type, query_string):
        digest.update(part.encode())
        digest.update(b"\0")
    return f'W/"{digest.hexdigest()}"'


def _served_version(request: Request, graph: ContentGraph) -> str:
    return served_version(graph, request.state.last_reload)


def served_version(graph: ContentGraph, outcome: LastReload | None) -> str:
    """What the answers depend on besides the request: the data, and the outcome of the
    last reload (`stats` reports it; a failed reload leaves the data's version as is)."""
    return graph.version if outcome is None else f"{graph.version}.{outcome.attempt}"


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {candidate.strip() for candidate in if_none_match.split(",")}
    # Weak comparison (RFC 9110 §13.1.2): a strong tag matches its weak form.
    return etag in candidates or etag.removeprefix("W/") in candidates


def cache_headers(etag: str, max_age: int = 0) -> dict[str, str]:
    # no-cache: caches may keep the answer but must revalidate it, which costs a 304.
    # The answers are the same for every client, so shared caches may keep them too.
    control = f"public, max-age={max_age}" if max_age > 0 else "no-cache"
    return {"ETag": etag, "Cache-Control": control, "Vary": "Accept"}


def _let_go_of_graph(request: Request) -> None:
    """Drop the answered request's references to its graph.

    The first run of a document (graphql-core's validation and execution) leaves
    reference cycles behind that hold the request and its context: through them a graph
    a reload replaced would stay alive, frozen, until a full collection
    (content_graph/collector.py), instead of going when its last request is answered.
    """
    state = request.state._state  # type: ignore[attr-defined]
    state.pop("graph", None)
    context = state.pop("context", None)
    if context is not None:
        context.pop("graph", None)
