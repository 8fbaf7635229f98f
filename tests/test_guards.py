"""HTTP guards and production switches: body size, CSRF, CORS, introspection, GraphiQL,
and errors masked with an id that the log has too."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from typing import Any

import anyio
import httpx
import pytest
from click.testing import CliRunner
from conftest import DATA_DIR, LiveServer, start_server

import resolvers.articles
from content_graph.app import create_app
from content_graph.cli import main
from content_graph.execution import Execution
from content_graph.guards import CSRF_MESSAGE
from content_graph.settings import Limits, Settings
from graph import load

BODY_LIMIT = 2000
ORIGIN = "https://app.example"
GUARDED = {
    "CONTENT_GRAPH_MAX_BODY_BYTES": str(BODY_LIMIT),
    "CONTENT_GRAPH_INTROSPECTION": "false",
    "CONTENT_GRAPH_GRAPHIQL": "false",
    "CONTENT_GRAPH_CORS_ORIGINS": f"{ORIGIN}, https://other.example",
}


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in GUARDED.items():
            patch.setenv(name, value)
        server = start_server(DATA_DIR, tmp_path_factory.mktemp("guarded"))
    yield server
    server.stop()


def post(server: LiveServer, body: bytes, **headers: str) -> httpx.Response:
    return httpx.post(server.graphql_url, content=body, headers=headers, timeout=30)


def error_message(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/json")
    assert "Traceback" not in response.text
    return response.json()["errors"][0]["message"]


def raw_exchange(server: LiveServer, head: bytes, body: bytes) -> bytes:
    """Send a request head and part of a body, never finishing it; what the server answers."""
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as connection:
        connection.sendall(head + body)
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = connection.recv(65536)
            if not chunk:
                break
            answer += chunk
    return answer


# --- body size -------------------------------------------------------------------------


def sized_body(size: int) -> bytes:
    start, end = b'{"query": "{ stats { articles } ', b'}"}'
    return start + b" " * (size - len(start) - len(end)) + end


def test_a_body_at_the_limit_is_answered_and_one_byte_more_is_413(guarded: LiveServer) -> None:
    at_limit = post(guarded, sized_body(BODY_LIMIT), **{"content-type": "application/json"})
    assert len(sized_body(BODY_LIMIT)) == BODY_LIMIT
    assert at_limit.status_code == 200
    assert at_limit.json()["data"]["stats"]["articles"] > 0
    over = post(guarded, sized_body(BODY_LIMIT + 1), **{"content-type": "application/json"})
    assert over.status_code == 413
    assert error_message(over) == "The request body is larger than the limit of 2,000 bytes."


def test_a_declared_length_over_the_limit_is_refused_before_the_body_is_sent(
    guarded: LiveServer,
) -> None:
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000000\r\n\r\n"
    )
    answer = raw_exchange(guarded, head, b"")
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"larger than the limit of 2,000 bytes" in answer


def test_a_streamed_body_is_refused_as_soon_as_it_passes_the_limit(guarded: LiveServer) -> None:
    # Chunked, without a length, and never finished: the answer can only come from
    # counting the chunks as they arrive.
    head = (
        b"POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    chunk = b"x" * 1000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3))
    answer = raw_exchange(guarded, head, body)
    assert answer.startswith(b"HTTP/1.1 413 ")


# --- CSRF ------------------------------------------------------------------------------

QUERY = b'{"query": "{ stats { articles } }"}'


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"content-type": "text/plain"},
        {"content-type": "TEXT/PLAIN; charset=utf-8"},
        {"content-type": "application/x-www-form-urlencoded"},
        {"content-type": "multipart/form-data; boundary=x"},
        {"content-type": "text/plain", "apollo-require-preflight": ""},
    ],
)
def test_simple_posts_are_blocked_as_apollo_server_blocks_them(
    data_server: LiveServer, headers: dict[str, str]
) -> None:
    response = post(data_server, QUERY, **headers)
    # One answer whatever the content type, as Apollo Server's: 400 and BAD_REQUEST.
    assert response.status_code == 400
    assert error_message(response) == CSRF_MESSAGE
    assert CSRF_MESSAGE.endswith("apollo-require-preflight")
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "text/plain", "apollo-require-preflight": "true"},
        {"content-type": "application/x-www-form-urlencoded", "x-apollo-operation-name": "Q"},
        {"content-type": "not a media type"},
    ],
)
def test_preflighted_posts_pass_the_csrf_guard(
    data_server: LiveServer, headers: dict[str, str]
) -> None:
    # Past the guard, the endpoint still wants JSON: refused, but not as CSRF.
    response = post(data_server, QUERY, **headers)
    assert response.status_code == 415
    assert error_message(response) != CSRF_MESSAGE


def test_json_posts_and_gets_are_answered(data_server: LiveServer) -> None:
    json_post = post(data_server, QUERY, **{"content-type": "application/json; charset=utf-8"})
    assert json_post.status_code == 200 and "errors" not in json_post.json()
    get = httpx.get(data_server.graphql_url, params={"query": "{ stats { topics } }"}, timeout=30)
    assert get.status_code == 200 and "errors" not in get.json()


# --- CORS ------------------------------------------------------------------------------


def preflight(server: LiveServer, origin: str) -> httpx.Response:
    headers = {
        "origin": origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
    }
    return httpx.options(server.graphql_url, headers=headers, timeout=30)


def test_no_origin_may_read_answers_by_default(data_server: LiveServer) -> None:
    answer = post(data_server, QUERY, **{"content-type": "application/json", "origin": ORIGIN})
    assert answer.status_code == 200
    assert "access-control-allow-origin" not in answer.headers
    assert "access-control-allow-origin" not in preflight(data_server, ORIGIN).headers


def test_configured_origins_may_read_answers_and_others_may_not(guarded: LiveServer) -> None:
    allowed = preflight(guarded, ORIGIN)
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "POST" in allowed.headers["access-control-allow-methods"]
    assert "content-type" in allowed.headers["access-control-allow-headers"].lower()
    answer = post(guarded, QUERY, **{"content-type": "application/json", "origin": ORIGIN})
    assert answer.headers["access-control-allow-origin"] == ORIGIN
    other = preflight(guarded, "https://evil.example")
    assert "access-control-allow-origin" not in other.headers
    answer = post(
        guarded, QUERY, **{"content-type": "application/json", "origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in answer.headers


# --- switches --------------------------------------------------------------------------


def test_introspection_can_be_switched_off(guarded: LiveServer, data_server: LiveServer) -> None:
    for query in ("{ __schema { queryType { name } } }", '{ __type(name: "Article") { name } }'):
        refused = httpx.post(guarded.graphql_url, json={"query": query}, timeout=30).json()
        assert "data" not in refused
        assert "introspection has been disabled" in refused["errors"][0]["message"]
        allowed = httpx.post(data_server.graphql_url, json={"query": query}, timeout=30).json()
        assert "errors" not in allowed
    typename = httpx.post(guarded.graphql_url, json={"query": "{ __typename }"}, timeout=30)
    assert typename.json()["data"] == {"__typename": "Query"}


def test_graphiql_can_be_switched_off(guarded: LiveServer, data_server: LiveServer) -> None:
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    page = httpx.get(data_server.graphql_url, headers=browser, timeout=30)
    assert page.headers["content-type"].startswith("text/html")
    refused = httpx.get(guarded.graphql_url, headers=browser, timeout=30)
    assert refused.status_code == 400
    assert error_message(refused)
    assets = httpx.get(f"{guarded.base_url}/playground/assets/graphiql/package.json", timeout=30)
    assert assets.status_code == 404


def test_every_switch_is_a_serve_flag_with_its_env_var() -> None:
    help_text = CliRunner().invoke(main, ["serve", "--help"], terminal_width=200).output
    flags = [
        ("--max-cost", "CONTENT_GRAPH_MAX_COST"),
        ("--max-depth", "CONTENT_GRAPH_MAX_DEPTH"),
        ("--max-aliases", "CONTENT_GRAPH_MAX_ALIASES"),
        ("--max-tokens", "CONTENT_GRAPH_MAX_TOKENS"),
        ("--timeout", "CONTENT_GRAPH_TIMEOUT"),
        ("--max-body-bytes", "CONTENT_GRAPH_MAX_BODY_BYTES"),
        ("--max-batch", "CONTENT_GRAPH_MAX_BATCH"),
        ("--introspection / --no-introspection", "CONTENT_GRAPH_INTROSPECTION"),
        ("--graphiql / --no-graphiql", "CONTENT_GRAPH_GRAPHIQL"),
        ("--cors-origins", "CONTENT_GRAPH_CORS_ORIGINS"),
        ("--csrf-prevention / --no-csrf-prevention", "CONTENT_GRAPH_CSRF_PREVENTION"),
    ]
    for flag, env in flags:
        assert flag in help_text and env in help_text, flag


def test_limits_come_from_env_vars_and_go_back_to_them() -> None:
    env = {**GUARDED, "CONTENT_GRAPH_TIMEOUT": "2.5", "CONTENT_GRAPH_CSRF_PREVENTION": "off"}
    limits = Limits.from_env(env)
    assert limits == Limits(
        timeout=2.5,
        max_body_bytes=BODY_LIMIT,
        introspection=False,
        graphiql=False,
        cors_origins=(ORIGIN, "https://other.example"),
        csrf_prevention=False,
    )
    assert Limits.from_env(limits.to_env()) == limits
    settings = Settings(limits=limits)
    assert Settings.from_env(settings.to_env()) == settings
    with pytest.raises(ValueError, match="CONTENT_GRAPH_INTROSPECTION must be true or false"):
        Limits.from_env({"CONTENT_GRAPH_INTROSPECTION": "maybe"})
    with pytest.raises(ValueError, match="CONTENT_GRAPH_TIMEOUT must be a number"):
        Limits.from_env({"CONTENT_GRAPH_TIMEOUT": "soon"})


# --- errors ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded_graph() -> Any:
    return load(DATA_DIR).graph


def ask_in_process(graph: Any, query: str) -> httpx.Response:
    app = create_app(Settings(data_dir=DATA_DIR))
    app.state.graph = graph

    async def ask() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return await client.post("/graphql", json={"query": query})

    return anyio.run(ask)


def test_an_unexpected_error_is_masked_and_logged_with_its_id(
    loaded_graph: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret: /srv/data/credentials.yaml")

    monkeypatch.setattr(resolvers.articles, "list_articles", broken)
    with caplog.at_level(logging.ERROR, logger="content_graph"):
        response = ask_in_process(loaded_graph, "{ stats { articles } articles { totalCount } }")
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None  # articles is non-null, so the whole answer is null
    [error] = body["errors"]
    assert error["message"] == "Internal server error"
    assert error["path"] == ["articles"]
    error_id = error["extensions"]["errorId"]
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in response.text and "Traceback" not in response.text
    [record] = [record for record in caplog.records if error_id in record.getMessage()]
    assert record.exc_info is not None
    assert "secret: /srv/data/credentials.yaml" in caplog.text
    assert "Traceback" in caplog.text


def test_an_error_outside_any_field_is_a_masked_500(
    loaded_graph: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise KeyError("internal detail")

    monkeypatch.setattr(Execution, "run", broken)
    with caplog.at_level(logging.ERROR, logger="content_graph"):
        response = ask_in_process(loaded_graph, "{ stats { articles } }")
    assert response.status_code == 500
    [error] = response.json()["errors"]
    assert error["message"] == "Internal server error"
    assert "internal detail" not in response.text
    assert error["extensions"]["errorId"] in caplog.text
    assert "internal detail" in caplog.text
