"""The fast path (`content_graph/http_fast.py`) answers exactly as the Strawberry view does.

Differential: two real uvicorn servers over `data/`, one as it ships and one with every
request left to the view (`create_app_without_fast_path`), get the same matrix of
requests in the same order (so their caches and persisted-query stores go through the
same states), and must answer with the same status, the same headers (all but Date)
and the same body bytes. Twice: with the default settings, and with CORS, a small body
limit, a cost limit, `max-age` and batches configured.

In-process: the fast path really answers the common requests itself, and hands the
others on (a differential test alone would pass if it handed everything on).
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import orjson
import pytest
from starlette.applications import Starlette
from starlette.types import Message, Receive, Scope, Send

from content_graph.app import AppState, create_app
from content_graph.http_fast import FastGraphQL, _Answer, _sub_response
from content_graph.settings import Settings
from content_graph.view import GraphQLView, answer_status
from graph import load
from tests.conftest import DATA_DIR, LiveServer, start_server

WITHOUT_FAST_PATH = "content_graph.app:create_app_without_fast_path"
ALLOWED_ORIGIN = "https://allowed.example"
CONFIGURED = {
    "CONTENT_GRAPH_CORS_ORIGINS": ALLOWED_ORIGIN,
    "CONTENT_GRAPH_MAX_BODY_BYTES": "3000",
    "CONTENT_GRAPH_MAX_COST": "500",
    "CONTENT_GRAPH_CACHE_MAX_AGE": "60",
    "CONTENT_GRAPH_MAX_BATCH": "3",
}

STATS = "{ stats { articles providers topics } }"
ARTICLE = "query A($url: String) { article(url: $url) { title url provider { name } } }"
LIST = "query L($first: Int) { articles(first: $first) { totalCount nodes { title } } }"
TWO_OPERATIONS = "query One { stats { articles } } query Two { stats { topics } }"
COSTLY = "{ articles(first: 100) { nodes { related(first: 100) { nodes { title } } } } }"
BAD_ID = '{ node(id: "not-an-id") { id } }'
SUBSCRIPTION = "subscription { articlesAdded { title } }"
MUTATION = "mutation { nothing }"

ACCEPTS = [
    None,
    "application/json",
    "application/graphql-response+json",
    "application/graphql-response+json, application/json;q=0.9",
    "*/*",
]
# (name, value) pairs for headers; None means the header is not sent.
ORIGINS = [None, ALLOWED_ORIGIN, "https://elsewhere.example"]
JSON_TYPES = [
    "application/json",
    "application/json; charset=utf-8",
    "application/json;charset=UTF-8",
]

Request = tuple[str, str, dict[str, str], bytes | None]
Answer = tuple[int, list[tuple[str, str]], bytes]


def _sha(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _persisted(digest: str, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


def _bodies(url: str) -> list[object]:
    """The POST bodies (as JSON values) of the matrix."""
    return [
        {"query": STATS},
        {"query": ARTICLE, "variables": {"url": url}},
        {"query": ARTICLE, "variables": {"url": url}, "operationName": "A"},
        {"query": LIST, "variables": {"first": 2}},
        {"query": LIST, "variables": {"first": "two"}},
        {"query": LIST, "variables": {"first": 1000}},
        {"query": TWO_OPERATIONS, "operationName": "Two"},
        {"query": TWO_OPERATIONS},
        {"query": TWO_OPERATIONS, "operationName": "Three"},
        {"query": "{ stats { "},
        {"query": "{ nope }"},
        {"query": COSTLY},
        {"query": BAD_ID},
        {"query": SUBSCRIPTION},
        {"query": MUTATION},
        {"query": "{ __typename }", "extensions": {"custom": True}},
        {"query": ""},
        {},
        {"query": 1},
        {"query": STATS, "variables": [1]},
        {"query": STATS, "variables": None, "operationName": None},
        {"query": STATS, "operationName": 3},
        {"query": STATS, "extensions": "x"},
        [{"query": STATS}, {"query": "{ __typename }"}],
        [],
        "a string",
        # Persisted queries: unknown, registered, then by hash alone, and malformed.
        {"extensions": _persisted(_sha(LIST))},
        {"query": LIST, "variables": {"first": 1}, "extensions": _persisted(_sha(LIST))},
        {"variables": {"first": 1}, "extensions": _persisted(_sha(LIST))},
        {"query": STATS, "extensions": _persisted(_sha(LIST))},
        {"extensions": _persisted(_sha(LIST), version=2)},
        {"extensions": {"persistedQuery": "yes"}},
        {"extensions": _persisted(_sha(LIST).upper())},
    ]


def _get_parameters(url: str) -> list[dict[str, str]]:
    return [
        {"query": STATS},
        {"query": ARTICLE, "variables": json.dumps({"url": url})},
        {"query": LIST, "variables": json.dumps({"first": 3}), "operationName": "L"},
        {"query": LIST, "variables": "{not json"},
        {"query": LIST, "variables": "null"},
        {"query": LIST, "variables": ""},
        {"query": STATS, "extensions": "[]"},
        {"query": TWO_OPERATIONS, "operationName": "One"},
        {"query": BAD_ID},
        {"query": "{ nope }"},
        {"query": MUTATION},
        {"query": SUBSCRIPTION},
        {"query": ""},
        {"extensions": json.dumps(_persisted(_sha(LIST)))},
        {"extensions": json.dumps(_persisted(_sha("{ unknown }")))},
        {},
    ]


def _matrix(url: str) -> Iterator[Request]:
    """Every request of the matrix: (method, target, headers, body)."""
    for body in _bodies(url):
        encoded = json.dumps(body).encode()
        for accept in ACCEPTS:
            for origin in ORIGINS:
                headers = {"Content-Type": "application/json"}
                if accept is not None:
                    headers["Accept"] = accept
                if origin is not None:
                    headers["Origin"] = origin
                yield "POST", "/graphql", headers, encoded
    stats = json.dumps({"query": STATS}).encode()
    for content_type in [*JSON_TYPES, "text/plain", "application/graphql", "APPLICATION/JSON"]:
        yield "POST", "/graphql", {"Content-Type": content_type}, stats
    yield "POST", "/graphql", {}, stats  # no content type: a CSRF refusal
    yield "POST", "/graphql", {"Content-Type": "text/plain", "Apollo-Require-Preflight": "1"}, stats
    yield "POST", "/graphql", {"Content-Type": "application/json"}, b"{not json"
    yield "POST", "/graphql", {"Content-Type": "application/json"}, b""
    padded = json.dumps({"query": STATS + " " * 4000}).encode()  # over the body limit of one
    yield "POST", "/graphql", {"Content-Type": "application/json"}, padded
    yield "POST", "/graphql/", {"Content-Type": "application/json"}, stats
    for method in ("PUT", "DELETE", "PATCH"):
        yield method, "/graphql", {"Content-Type": "application/json"}, stats
    yield (
        "OPTIONS",
        "/graphql",
        {
            "Origin": ALLOWED_ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        None,
    )
    for parameters in _get_parameters(url):
        target = "/graphql?" + urlencode(parameters)
        for accept in [*ACCEPTS, "text/html"]:
            for origin in ORIGINS[:2]:
                headers = {}
                if accept is not None:
                    headers["Accept"] = accept
                if origin is not None:
                    headers["Origin"] = origin
                yield "GET", target, headers, None
    # The same parameter twice (the last one counts), and percent-encoded bytes.
    yield "GET", "/graphql?query=%7B+nope+%7D&query=%7B+__typename+%7D", {}, None
    yield "GET", "/graphql?query=%7B%20__typename%20%7D&x=%C3%A9", {}, None


def _send(base_url: str, request: Request, etag: str | None = None) -> Answer:
    method, target, headers, body = request
    split = urlsplit(base_url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
    try:
        # One Host for both servers: a redirect's Location names it.
        headers = {"Host": "graph.test", **headers, **({"If-None-Match": etag} if etag else {})}
        connection.request(method, target, body=body, headers=headers)
        return _answer(connection)
    finally:
        connection.close()


def _send_chunked(base_url: str, body: bytes) -> Answer:
    split = urlsplit(base_url)
    connection = http.client.HTTPConnection(split.hostname, split.port, timeout=30)
    try:
        connection.request(
            "POST",
            "/graphql",
            body=iter([body[:10], body[10:]]),
            headers={"Content-Type": "application/json"},
            encode_chunked=True,
        )
        return _answer(connection)
    finally:
        connection.close()


def _answer(connection: http.client.HTTPConnection) -> Answer:
    """The status, headers (lower-cased names, no Date: it differs by the second) and body."""
    response = connection.getresponse()
    content = response.read()
    kept = [(name.lower(), value) for name, value in response.getheaders()]
    return response.status, [(n, v) for n, v in kept if n != "date"], content


@pytest.fixture(scope="module", params=["default", "configured"])
def servers(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, LiveServer]]:
    """(fast path, view only) over data/, with the same settings."""
    env = CONFIGURED if request.param == "configured" else {}
    workdir = tmp_path_factory.mktemp(f"fast-{request.param}")
    fast = start_server(DATA_DIR, workdir, env=env)
    try:
        view = start_server(DATA_DIR, workdir, factory=WITHOUT_FAST_PATH, env=env)
    except BaseException:
        fast.stop()
        raise
    yield fast, view
    fast.stop()
    view.stop()


def test_the_fast_path_answers_as_the_view_does(
    servers: tuple[LiveServer, LiveServer], data_record: dict[str, Any]
) -> None:
    fast, view = servers
    compared = 0
    statuses: set[int] = set()
    for request in _matrix(data_record["webUrl"]):
        expected = _send(view.base_url, request)
        answered = _send(fast.base_url, request)
        assert answered == expected, request
        statuses.add(expected[0])
        compared += 1
        etag = dict(expected[1]).get("etag")
        if etag is not None:
            # Revalidation: the tag itself, its strong form, in a list, and a stale one.
            for sent in (etag, etag.removeprefix("W/"), f'"x", {etag}', 'W/"stale"'):
                expected = _send(view.base_url, request, sent)
                assert _send(fast.base_url, request, sent) == expected, (request, sent)
                statuses.add(expected[0])
    stats = json.dumps({"query": STATS}).encode()
    assert _send_chunked(fast.base_url, stats) == _send_chunked(view.base_url, stats)
    # The matrix reached every kind of answer it is meant to compare.
    assert {200, 304, 400, 405, 415} <= statuses, statuses
    assert compared > 500


# In-process: which requests the fast path keeps.


class _Downstream:
    """The app behind the fast path: records what it was handed."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        await send({"type": "http.response.start", "status": 299, "headers": []})
        await send({"type": "http.response.body", "body": b""})


InProcess = tuple[FastGraphQL, _Downstream, Starlette]


def _call(served: InProcess, method: str, target: str, headers: dict[str, str], body: bytes) -> int:
    fast, _, app = served
    path, _, query = target.partition("?")
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "root_path": "",
        "query_string": query.encode(),
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "app": app,  # as Starlette sets it, for the view's `current_graph`
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(fast(scope, receive, send))
    return int(sent[0]["status"])


@pytest.fixture(scope="module")
def in_process(tmp_path_factory: pytest.TempPathFactory) -> InProcess:
    """The app's own fast path over data/, with a recorder behind it instead of the app."""
    app = create_app(Settings(data_dir=DATA_DIR))
    cache = tmp_path_factory.mktemp("fast-in-process")
    app.state.graph = load(DATA_DIR, cache_dir=cache).graph
    downstream = _Downstream()
    (middleware,) = [item for item in app.user_middleware if item.cls is FastGraphQL]
    fast = FastGraphQL(downstream, **middleware.kwargs)
    return fast, downstream, app


@pytest.mark.parametrize(
    ("method", "target", "headers", "body", "kept"),
    [
        (
            "POST",
            "/graphql",
            {"content-type": "application/json"},
            b'{"query": "{ stats { articles } }"}',
            True,
        ),
        ("POST", "/graphql", {"content-type": "application/json"}, b'{"query": "{ nope }"}', True),
        ("POST", "/graphql", {"content-type": "application/json"}, b'{"query": ""}', True),
        ("GET", "/graphql?query=%7B+__typename+%7D", {}, b"", True),
        ("GET", "/graphql?query=%7B+__typename+%7D&variables=null", {}, b"", False),
        ("GET", "/graphql", {"accept": "text/html"}, b"", False),
        ("POST", "/graphql", {"content-type": "text/plain"}, b'{"query": "{ __typename }"}', False),
        ("POST", "/graphql", {"content-type": "application/json"}, b"[]", False),
        ("POST", "/graphql", {"content-type": "application/json"}, b"{not json", False),
        ("POST", "/graphql", {"content-type": "application/json"}, b'{"operationName": 1}', False),
        ("PUT", "/graphql", {"content-type": "application/json"}, b"{}", False),
        ("POST", "/healthz", {"content-type": "application/json"}, b"{}", False),
    ],
)
def test_the_fast_path_keeps_the_common_requests(
    in_process: InProcess,
    method: str,
    target: str,
    headers: dict[str, str],
    body: bytes,
    kept: bool,
) -> None:
    downstream = in_process[1]
    if body:
        headers = {**headers, "content-length": str(len(body))}
    before = downstream.calls
    status = _call(in_process, method, target, headers, body)
    assert (downstream.calls == before) is kept
    assert (status != 299) is kept


@pytest.mark.parametrize(
    "set_by_resolver",
    [[], [(b"x-trace", b"1")], [(b"vary", b"Origin"), (b"x-trace", b"1"), (b"vary", b"Cookie")]],
)
@pytest.mark.parametrize("media_type", ["application/json", "application/graphql-response+json"])
def test_an_answer_has_the_views_headers(
    set_by_resolver: list[tuple[bytes, bytes]], media_type: str
) -> None:
    """Headers a resolver sets on the context's response (none of ours does, so the
    differential test above never sees one) are merged as the view merges them."""
    data = {"data": {"stats": {"articles": 3}}}
    view_sub, fast_sub = _sub_response(media_type), _sub_response(media_type)
    view_sub.headers.raw.extend(set_by_resolver)
    fast_sub.headers.raw.extend(set_by_resolver)
    expected = GraphQLView.create_response(None, data, view_sub)  # type: ignore[arg-type]
    answer = _Answer(answer_status(data, media_type), orjson.dumps(data), media_type, fast_sub)
    assert (answer.status_code, answer.body) == (expected.status_code, expected.body)
    assert answer.raw_headers == expected.raw_headers


def test_the_app_state_reads_what_was_last_set() -> None:
    """`AppState` keeps each attribute where Starlette's `State` does and as a plain
    attribute, so the graph a reload swaps in is the one the next request reads."""
    app = create_app(Settings(data_dir=DATA_DIR), load(DATA_DIR))
    state = app.state
    assert isinstance(state, AppState)
    first = state.graph
    state.graph = replaced = load(DATA_DIR).graph
    assert state.graph is replaced is state._state["graph"] and replaced is not first
    del state.graph
    assert "graph" not in state._state
    with pytest.raises(AttributeError):
        _ = state.graph
