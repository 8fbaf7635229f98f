"""Every error carries `extensions.code`: each kind of bad request, sent to a live server,
and the code (and status) it must come back with. The codes are listed in
`content_graph/errors.py`; the CLI's `query` must refuse as the server does."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from browser_helpers import serve
from click.testing import CliRunner
from conftest import DATA_DIR, LiveServer, start_server
from graphql import GraphQLError
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from content_graph.app import create_app
from content_graph.cli import main
from content_graph.errors import client_error
from content_graph.events import FellBehind
from content_graph.persisted import document_hash
from content_graph.settings import Settings
from tests.writing import record, write_md

# The module's own server: limits that make every limit reachable in a cheap request.
LIMITED = {
    "CONTENT_GRAPH_TIMEOUT": "1",
    "CONTENT_GRAPH_MAX_COST": str(10**11),
    "CONTENT_GRAPH_MAX_BODY_BYTES": "20000",
    "CONTENT_GRAPH_PERSISTED_QUERY_BYTES": "0",
}
GRAPHQL_RESPONSE = "application/graphql-response+json"
STATS = "{ stats { articles } }"
# Cost 100 + 100·100 + 100·100·100 = 1,010,100, over the default limit of 50,000.
COSTLY = (
    "{ articles(first: 100) { nodes { relatedFrom(first: 100) { nodes "
    "{ relatedFrom(first: 100) { totalCount } } } } } }"
)
# Six nested pages of 100: over the LIMITED cost of 10^11.
OVER_LIMITED = "{ articles(first: 100) { nodes { " + "similar(first: 100) { article { " * 5
OVER_LIMITED += "title" + " } }" * 5 + " } } }"
# Four nested pages of 100 similar articles: far more than a second's work.
ENDLESS = "{ articles(first: 100) { nodes { " + "similar(first: 100) { article { " * 4
ENDLESS += "title" + " } }" * 4 + " } } }"
DEEP = '{ article(url: "https://x.example/") { ' + "related { " * 15 + "title" + " }" * 16 + " }"
ALIASED = "{ " + " ".join(f"a{n}: stats {{ articles }}" for n in range(51)) + " }"
LONG = "{ " + "stats { articles } " * 1300 + "}"
# One field repeated: graphql-core compares the copies pairwise, past the work limit.
REPEATED = "{ " + "stats { articles } " * 300 + "}"


@dataclass(frozen=True)
class Case:
    """One bad request: how to send it, and the status and first error code it gets."""

    name: str
    status: int
    code: str
    method: str = "POST"
    body: Any = None  # JSON, or bytes as they are
    params: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    server: str = "default"  # "default": data_server; "limited": LIMITED
    says: str = ""  # a piece of the message


CASES = [
    # The document
    Case("syntax error", 200, "GRAPHQL_PARSE_FAILED", body={"query": "{ stats { "}),
    Case(
        "syntax error, graphql-response+json",
        400,
        "GRAPHQL_PARSE_FAILED",
        body={"query": "{ stats { "},
        headers={"accept": GRAPHQL_RESPONSE},
    ),
    Case("unknown field", 200, "GRAPHQL_VALIDATION_FAILED", body={"query": "{ nope }"}),
    Case(
        "bad literal",
        200,
        "GRAPHQL_VALIDATION_FAILED",
        body={"query": '{ articles(filter: {publishedAfter: "yesterday"}) { totalCount } }'},
    ),
    Case(
        "unused variable",
        400,
        "GRAPHQL_VALIDATION_FAILED",
        body={"query": "query($n: Int) { stats { articles } }"},
        headers={"accept": GRAPHQL_RESPONSE},
    ),
    # Variables
    Case(
        "variable of the wrong type",
        200,
        "BAD_USER_INPUT",
        body={
            "query": "query($n: Int) { articles(first: $n) { totalCount } }",
            "variables": {"n": "x"},
        },
        says="Variable '$n' has invalid value",
    ),
    Case(
        "required variable missing",
        400,
        "BAD_USER_INPUT",
        body={"query": "query($u: String!) { article(url: $u) { title } }"},
        headers={"accept": GRAPHQL_RESPONSE},
    ),
    Case(
        "scalar refusing a variable",
        200,
        "BAD_USER_INPUT",
        body={
            "query": "query($d: DateTime) { articles(filter: {publishedAfter: $d}) "
            "{ totalCount } }",
            "variables": {"d": "yesterday"},
        },
    ),
    Case(
        "GET variables of the wrong type",
        200,
        "BAD_USER_INPUT",
        method="GET",
        params={
            "query": "query($n: Int) { articles(first: $n) { totalCount } }",
            "variables": '{"n": true}',
        },
    ),
    # Arguments a resolver refuses
    Case(
        "page size",
        200,
        "BAD_USER_INPUT",
        body={"query": "{ articles(first: 101) { totalCount } }"},
        says="between 0 and 100",
    ),
    Case(
        "bad cursor",
        200,
        "BAD_USER_INPUT",
        body={"query": '{ providers(after: "nope") { totalCount } }'},
        says="Invalid cursor",
    ),
    Case(
        "maxHops",
        200,
        "BAD_USER_INPUT",
        body={"query": '{ path(from: "x", to: "y", maxHops: 11) { id } }'},
    ),
    Case("bad ID", 200, "BAD_USER_INPUT", body={"query": '{ node(id: "nope") { id } }'}),
    # The operation
    Case(
        "unknown operation name",
        200,
        "OPERATION_RESOLUTION_FAILURE",
        body={"query": STATS, "operationName": "Nope"},
    ),
    Case(
        "several operations, no name",
        400,
        "OPERATION_RESOLUTION_FAILURE",
        body={"query": "query A { stats { articles } } query B { stats { topics } }"},
        headers={"accept": GRAPHQL_RESPONSE},
    ),
    # Malformed HTTP requests
    Case("body not JSON", 400, "BAD_REQUEST", body=b"{nope"),
    Case("body not an object", 400, "BAD_REQUEST", body=b"42"),
    Case("no query", 400, "BAD_REQUEST", body={}),
    Case("query not a string", 400, "BAD_REQUEST", body={"query": 5}),
    Case(
        "operationName not a string", 400, "BAD_REQUEST", body={"query": STATS, "operationName": 5}
    ),
    Case(
        "GET variables not JSON",
        400,
        "BAD_REQUEST",
        method="GET",
        params={"query": STATS, "variables": "{nope"},
        says="The `variables` query parameter is not valid JSON",
    ),
    Case(
        "GET variables not an object",
        400,
        "BAD_REQUEST",
        method="GET",
        params={"query": STATS, "variables": "[1]"},
        says="The `variables` query parameter must be a JSON object",
    ),
    Case(
        "GET extensions not JSON",
        400,
        "BAD_REQUEST",
        method="GET",
        params={"query": STATS, "extensions": "{"},
        says="The `extensions` query parameter",
    ),
    Case(
        "GET without a query",
        400,
        "BAD_REQUEST",
        method="GET",
        params={},
        headers={"accept": "application/json"},
    ),
    Case(
        "batch while batching is off",
        400,
        "BAD_REQUEST",
        body=[{"query": STATS}],
        says="--max-batch N (or CONTENT_GRAPH_MAX_BATCH=N)",
    ),
    Case(
        "CSRF, no content type",
        400,
        "BAD_REQUEST",
        body=b'{"query": "{ stats { articles } }"}',
        headers={"content-type": ""},
        says="Cross-Site Request Forgery",
    ),
    Case(
        "CSRF, text/plain",
        400,
        "BAD_REQUEST",
        body=b'{"query": "{ stats { articles } }"}',
        headers={"content-type": "text/plain"},
        says="Cross-Site Request Forgery",
    ),
    Case(
        "unsupported media type",
        415,
        "BAD_REQUEST",
        body=b"<query/>",
        headers={"content-type": "application/xml"},
    ),
    Case("method not allowed", 405, "BAD_REQUEST", method="PUT"),
    Case(
        "mutation over GET",
        405,
        "BAD_REQUEST",
        method="GET",
        params={"query": "mutation { anything }"},
    ),
    Case(
        "subscription over HTTP",
        400,
        "BAD_REQUEST",
        body={"query": "subscription { graphReloaded { version } }"},
    ),
    Case(
        "body too large",
        413,
        "PAYLOAD_TOO_LARGE",
        body={"query": STATS, "variables": {"x": "y" * 30_000}},
        server="limited",
    ),
    # Persisted queries
    Case(
        "persisted query not found",
        200,
        "PERSISTED_QUERY_NOT_FOUND",
        body={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}}},
    ),
    Case(
        "persisted query hash mismatch",
        400,
        "BAD_REQUEST",
        body={
            "query": STATS,
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "ab" * 32}},
        },
    ),
    Case(
        "persisted queries off",
        200,
        "PERSISTED_QUERY_NOT_SUPPORTED",
        body={"extensions": {"persistedQuery": {"version": 1, "sha256Hash": document_hash(STATS)}}},
        server="limited",
    ),
    # Limits
    Case("cost", 200, "MAX_COST_EXCEEDED", body={"query": COSTLY}, says="cost limit of 50,000"),
    Case("cost, limited", 200, "MAX_COST_EXCEEDED", body={"query": OVER_LIMITED}, server="limited"),
    Case("depth", 200, "MAX_DEPTH_EXCEEDED", body={"query": DEEP}, says="depth limit of 15"),
    Case("aliases", 200, "MAX_ALIASES_EXCEEDED", body={"query": ALIASED}),
    Case("tokens", 200, "MAX_TOKENS_EXCEEDED", body={"query": LONG}),
    Case(
        "validation work",
        200,
        "MAX_VALIDATION_WORK_EXCEEDED",
        body={"query": REPEATED},
        says="limit of 50,000 steps",
    ),
    Case("time", 200, "TIMEOUT", body={"query": ENDLESS}, server="limited"),
]


@pytest.fixture(scope="module")
def limited(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in LIMITED.items():
            patch.setenv(name, value)
        server = start_server(DATA_DIR, tmp_path_factory.mktemp("limited"))
    yield server
    server.stop()


def send(server: LiveServer, case: Case) -> httpx.Response:
    headers = dict(case.headers)
    content = None
    if isinstance(case.body, bytes):
        content = case.body
        headers.setdefault("content-type", "application/json")
    elif case.body is not None:
        content = json.dumps(case.body).encode()
        headers.setdefault("content-type", "application/json")
    if headers.get("content-type") == "":
        del headers["content-type"]
    return httpx.request(
        case.method,
        server.graphql_url,
        params=case.params,
        content=content,
        headers=headers,
        timeout=30,
    )


def coded_errors(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The answer's errors, each checked to have a message and a string code."""
    errors = body["errors"]
    assert errors, body
    for error in errors:
        assert isinstance(error["message"], str) and error["message"], error
        assert isinstance(error["extensions"]["code"], str), error
        assert "Traceback" not in error["message"]
    return errors


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_kind_of_error_has_its_code(
    case: Case, data_server: LiveServer, limited: LiveServer
) -> None:
    response = send(limited if case.server == "limited" else data_server, case)
    assert response.status_code == case.status, response.text
    assert response.headers["content-type"].startswith(("application/json", GRAPHQL_RESPONSE))
    errors = coded_errors(response.json())
    assert errors[0]["extensions"]["code"] == case.code, errors
    assert case.says in errors[0]["message"]
    assert "\n" not in errors[0]["message"]


def test_every_code_of_errors_py_is_sent_by_some_case() -> None:
    from content_graph import errors

    named = {
        value
        for name, value in vars(errors).items()
        if name.isupper() and isinstance(value, str) and value.isupper() and "_" in value
    }
    # Sent by the tests below rather than by a case of the table.
    elsewhere = {
        "SERVICE_UNAVAILABLE",
        "INTERNAL_SERVER_ERROR",
        "SUBSCRIPTION_FELL_BEHIND",
        "MAX_SUBSCRIPTIONS_EXCEEDED",
    }
    sent = {case.code for case in CASES} | elsewhere
    assert named <= sent, named - sent


def test_a_request_while_loading_is_503(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=DATA_DIR))

    async def ask() -> httpx.Response:
        # ASGITransport does not run the app's startup, so the data never loads.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/graphql", json={"query": STATS})

    response = anyio.run(ask)
    assert response.status_code == 503
    [error] = coded_errors(response.json())
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"


def test_a_request_after_a_failed_first_load_says_so(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path / "never-made"))
    with serve(app) as base_url:
        ready = httpx.get(f"{base_url}/readyz")
        for _ in range(100):  # the load runs in the background after startup
            if ready.json()["status"] != "loading":
                break
            time.sleep(0.05)
            ready = httpx.get(f"{base_url}/readyz")
        response = httpx.post(f"{base_url}/graphql", json={"query": STATS})
        socket_url = f"{base_url}/graphql".replace("http://", "ws://")
        protocols = [Subprotocol("graphql-transport-ws")]
        with (
            connect(socket_url, subprotocols=protocols) as socket,
            pytest.raises(ConnectionClosed) as closed,
        ):
            socket.recv(timeout=10)

    assert ready.status_code == 503
    assert ready.json()["status"] == "failed"
    assert response.status_code == 503
    assert "Retry-After" not in response.headers
    [error] = coded_errors(response.json())
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "could not be loaded" in error["message"]
    assert "/readyz" in error["message"]
    # A subscription connection is told the same, not that the data is still loading.
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1013
    assert "could not be loaded" in closed.value.rcvd.reason
    assert "/readyz" in closed.value.rcvd.reason


def test_errors_that_reach_no_case_of_the_table_have_their_code() -> None:
    # A failure of ours is masked, with an id for the log.
    unexpected = GraphQLError("secret", path=["x"], original_error=KeyError("internal"))
    masked = client_error(unexpected)
    assert masked.message == "Internal server error"
    assert masked.extensions["code"] == "INTERNAL_SERVER_ERROR"  # type: ignore[index]
    assert masked.extensions["errorId"]  # type: ignore[index]
    # So is one from outside execution, as Strawberry wraps what an event stream raised.
    stream = client_error(GraphQLError("/srv/secret", original_error=RuntimeError("/srv")))
    assert stream.message == "Internal server error"
    # A subscriber that fell behind: an exception of the stream that carries its code.
    behind = FellBehind()
    coded = client_error(GraphQLError(str(behind), original_error=behind))
    assert coded.message == str(behind)
    assert coded.extensions == {"code": "SUBSCRIPTION_FELL_BEHIND"}
    # The code is added to a copy: checked documents keep their errors for next time.
    kept = GraphQLError("Cannot query field 'nope' on type 'Query'.")
    assert client_error(kept).extensions == {"code": "GRAPHQL_VALIDATION_FAILED"}
    assert kept.extensions == {}


def test_a_malformed_id_in_nodes_is_null_with_an_error_at_its_place(
    data_server: LiveServer,
) -> None:
    answer = data_server.graphql("{ providers(first: 2) { nodes { id domain } } }")
    providers = answer["data"]["providers"]["nodes"]
    ids = [providers[0]["id"], "not an id", providers[1]["id"], "UHJvdmlkZXI6", "bm9wZQ=="]
    unknown = "UHJvdmlkZXI6bm9uZS5leGFtcGxl"  # Provider:none.example: well formed, no such node
    answer = data_server.graphql(
        "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Provider { domain } } }",
        variables={"ids": [*ids, unknown]},
    )
    assert answer["data"]["nodes"] == [providers[0], None, providers[1], None, None, None]
    errors = coded_errors(answer)
    assert [error["path"] for error in errors] == [["nodes", 1], ["nodes", 3], ["nodes", 4]]
    assert {error["extensions"]["code"] for error in errors} == {"BAD_USER_INPUT"}
    assert "Invalid ID 'not an id'" in errors[0]["message"]


def test_the_schema_describes_itself_and_its_page_sizes(data_server: LiveServer) -> None:
    from resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

    answer = data_server.graphql(
        "{ __schema { description queryType { fields { name description "
        "args { name description } } } } }"
    )
    schema = answer["data"]["__schema"]
    assert "extensions.code" in schema["description"]
    fields = {field["name"]: field for field in schema["queryType"]["fields"]}
    assert "nodes.3" in fields["nodes"]["description"]
    for name in ("articles", "search", "providers", "topics"):
        arguments = {arg["name"]: arg["description"] for arg in fields[name]["args"]}
        assert f"Default {DEFAULT_PAGE_SIZE}" in arguments["first"], name
        assert f"at most {MAX_PAGE_SIZE}" in arguments["first"], name
        assert f"at most {MAX_PAGE_SIZE}" in arguments["last"], name


# --- websockets ------------------------------------------------------------------------


@contextmanager
def ws_connect(server: LiveServer) -> Iterator[ClientConnection]:
    """A graphql-transport-ws connection, acknowledged."""
    url = server.graphql_url.replace("http://", "ws://")
    with connect(url, subprotocols=[Subprotocol("graphql-transport-ws")]) as connection:
        connection.send(json.dumps({"type": "connection_init"}))
        assert json.loads(connection.recv(timeout=10))["type"] == "connection_ack"
        yield connection


def subscribe(connection: ClientConnection, id: str, query: str, **payload: Any) -> None:
    message = {"id": id, "type": "subscribe", "payload": {"query": query, **payload}}
    connection.send(json.dumps(message))


def receive(connection: ClientConnection, timeout: float = 10) -> dict[str, Any]:
    return json.loads(connection.recv(timeout=timeout))


@pytest.mark.parametrize(
    ("query", "operation", "code"),
    [
        ("subscription { graphReloaded { ", None, "GRAPHQL_PARSE_FAILED"),
        ("subscription { nope }", None, "GRAPHQL_VALIDATION_FAILED"),
        ("subscription A { graphReloaded { version } }", "B", "OPERATION_RESOLUTION_FAILURE"),
        ("{ stats { articles } }", None, "BAD_REQUEST"),
        (
            "subscription { articlesAdded { articles { relatedFrom(first: 100) { nodes "
            "{ relatedFrom(first: 100) { totalCount } } } } } }",
            None,
            "MAX_COST_EXCEEDED",
        ),
    ],
)
def test_a_refused_subscription_has_its_code(
    data_server: LiveServer, query: str, operation: str | None, code: str
) -> None:
    with ws_connect(data_server) as connection:
        subscribe(connection, "1", query, operationName=operation)
        message = receive(connection)
    assert message["type"] == "error" and message["id"] == "1", message
    errors = coded_errors({"errors": message["payload"]})
    assert errors[0]["extensions"]["code"] == code


def test_subscriptions_over_the_limit_have_its_code(data_server: LiveServer) -> None:
    with ws_connect(data_server) as connection:
        for number in range(11):  # the default limit is 10 per connection
            subscribe(connection, str(number), "subscription { graphReloaded { version } }")
        message = receive(connection)
    assert message["type"] == "error" and message["id"] == "10", message
    [error] = coded_errors({"errors": message["payload"]})
    assert error["extensions"]["code"] == "MAX_SUBSCRIPTIONS_EXCEEDED"


def test_errors_in_a_subscription_event_have_their_code(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_md(data, "_news/old.md", record("https://old.example/1", "Old one"))
    server = start_server(data, tmp_path)
    try:
        with ws_connect(server) as connection:
            added = "subscription { articlesAdded { articles { similar(first: 101) { score } } } }"
            subscribe(connection, "added", added)
            subscribe(connection, "reloaded", "subscription { graphReloaded { version } }")
            # Reload until graphReloaded arrives: both subscriptions are listening then.
            for _ in range(30):
                server.process.send_signal(signal.SIGHUP)
                try:
                    if receive(connection, timeout=1)["id"] == "reloaded":
                        break
                except TimeoutError:
                    continue
            else:
                pytest.fail(f"no graphReloaded after 30 reloads:\n{server.log.read_text()}")
            write_md(data, "_news/new.md", record("https://new.example/1", "New one"))
            server.process.send_signal(signal.SIGHUP)
            deadline = time.monotonic() + 30
            while (message := receive(connection, timeout=30))["id"] != "added":
                assert time.monotonic() < deadline, "no articlesAdded event"
    finally:
        server.stop()
    assert message["type"] == "next", message
    payload = message["payload"]
    [error] = coded_errors(payload)
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["articlesAdded", "articles", 0, "similar"]
    assert payload["data"] is None  # every field up to the root is non-null


# --- the CLI ---------------------------------------------------------------------------


@pytest.fixture
def cli_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTENT_GRAPH_CACHE", str(tmp_path / "cache"))


def cli_query(*args: str) -> tuple[int, dict[str, Any]]:
    result = CliRunner().invoke(main, ["query", *args, "--data", str(DATA_DIR)])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.usefixtures("cli_cache")
def test_the_cli_refuses_a_query_as_the_server_does(data_server: LiveServer) -> None:
    served = data_server.graphql(COSTLY)
    status, printed = cli_query(COSTLY)
    assert status == 1
    # The same refusal: message, code and limit; the CLI leaves out only `extensions`.
    assert printed == {"errors": served["errors"]}
    assert printed["errors"][0]["extensions"] == {"code": "MAX_COST_EXCEEDED", "limit": 50_000}


CLI_LIMITS = [
    # (env vars, flags, query, the code of its refusal or None when it is answered)
    ({"CONTENT_GRAPH_MAX_COST": "100"}, [], "{ articles(first: 100) { totalCount } }", None),
    (
        {"CONTENT_GRAPH_MAX_COST": "100"},
        [],
        "{ articles(first: 100) { nodes { provider { name } } } }",
        "MAX_COST_EXCEEDED",
    ),
    ({}, ["--max-depth", "2"], '{ provider(domain: "x") { name } }', None),
    (
        {},
        ["--max-depth", "2"],
        '{ provider(domain: "x") { articles { totalCount } } }',
        "MAX_DEPTH_EXCEEDED",
    ),
    ({"CONTENT_GRAPH_MAX_ALIASES": "0"}, [], "{ a: stats { articles } }", "MAX_ALIASES_EXCEEDED"),
    ({}, ["--max-tokens", "5"], STATS, "MAX_TOKENS_EXCEEDED"),
    ({}, ["--timeout", "0.05", "--max-cost", str(10**12)], ENDLESS, "TIMEOUT"),
]


@pytest.mark.usefixtures("cli_cache")
@pytest.mark.parametrize(("env", "args", "query", "code"), CLI_LIMITS)
def test_the_cli_takes_serves_limits_from_the_same_flags_and_env_vars(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], args: list[str], query: str, code: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    status, printed = cli_query(query, *args)
    if code is None:  # just within the limit: answered
        assert status == 0 and "errors" not in printed, printed
    else:
        assert status == 1
        assert [error["extensions"]["code"] for error in coded_errors(printed)] == [code]
