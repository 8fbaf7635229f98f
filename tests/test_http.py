"""The HTTP surface, over real uvicorn servers: /graphql, /healthz, /readyz, /schema.graphql.

Expected values come from the records on disk (read here with PyYAML) or from the
corpus's EXPECTED.json, never from the server's own answers.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import anyio
import httpx
import pytest
from browser_helpers import serve
from conftest import POLL_INTERVAL, READY_TIMEOUT, LiveServer
from graphql import GraphQLError, build_client_schema, build_schema, get_introspection_query
from graphql.utilities import find_breaking_changes

from content_graph.app import create_app, reload
from content_graph.settings import Settings
from content_graph.view import MASKED_MESSAGE, client_error
from resolvers.errors import InputError

GRAPHQL_RESPONSE = "application/graphql-response+json"
TITLE_QUERY = "query Title($url: String!) { article(url: $url) { title hasRecord } }"


def post(server: LiveServer, body: Any, **headers: str) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers.setdefault("content-type", "application/json")
    return httpx.post(server.graphql_url, content=content, headers=headers, timeout=30)


def get(server: LiveServer, params: dict[str, str], **headers: str) -> httpx.Response:
    return httpx.get(server.graphql_url, params=params, headers=headers, timeout=30)


def assert_refused(response: httpx.Response, status: int) -> dict[str, Any]:
    """A refusal: the status, a JSON `errors` list with a message, and no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert body["errors"][0]["message"]
    assert "Traceback" not in response.text
    return body


# --- queries -------------------------------------------------------------------------


def test_post_with_variables_answers_from_the_records(
    data_server: LiveServer, data_record: dict[str, Any]
) -> None:
    response = post(
        data_server, {"query": TITLE_QUERY, "variables": {"url": data_record["webUrl"]}}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.json() == {
        "data": {"article": {"title": data_record["title"], "hasRecord": True}},
        "extensions": ANY,
    }


def test_get_answers_like_post(data_server: LiveServer, data_record: dict[str, Any]) -> None:
    variables = {"url": data_record["webUrl"]}
    by_post = post(data_server, {"query": TITLE_QUERY, "variables": variables})
    by_get = get(data_server, {"query": TITLE_QUERY, "variables": json.dumps(variables)})
    assert by_get.status_code == 200
    assert by_get.json() == by_post.json()
    assert by_get.json()["data"]["article"]["title"] == data_record["title"]


def test_operation_name_picks_the_operation(
    data_server: LiveServer, data_record: dict[str, Any]
) -> None:
    url = json.dumps(data_record["webUrl"])
    document = (
        f"query Title {{ article(url: {url}) {{ title }} }}\n"
        f"query Domain {{ article(url: {url}) {{ provider {{ domain }} }} }}"
    )
    title = post(data_server, {"query": document, "operationName": "Title"}).json()
    assert title == {"data": {"article": {"title": data_record["title"]}}, "extensions": ANY}
    domain = post(data_server, {"query": document, "operationName": "Domain"}).json()
    expected = data_record["provider"]["domain"].lower().removeprefix("www.")
    assert domain == {"data": {"article": {"provider": {"domain": expected}}}, "extensions": ANY}


def test_an_unknown_operation_name_is_a_request_error(data_server: LiveServer) -> None:
    response = post(data_server, {"query": "query A { stats { topics } }", "operationName": "B"})
    assert response.status_code == 200
    body = response.json()
    assert "data" not in body
    assert "B" in body["errors"][0]["message"]


def test_get_answers_carry_an_etag_that_revalidates(data_server: LiveServer) -> None:
    params = {"query": "{ stats { articles version } }"}
    first = get(data_server, params)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "no-cache"
    again = get(data_server, params, **{"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    other = get(data_server, {"query": "{ stats { topics } }"}, **{"if-none-match": etag})
    assert other.status_code == 200
    assert other.headers["etag"] != etag


def test_stats_of_each_corpus_match_expected(corpus_server: LiveServer, corpus: Path) -> None:
    expected = json.loads((corpus.parent / "EXPECTED.json").read_text())[corpus.name]
    fields = ["articles", "articlesWithRecord", "providers", "topics", "relatedLinks"]
    fields += ["filesLoaded", "filesSkipped"]
    answer = corpus_server.graphql(f"{{ stats {{ {' '.join(fields)} }} }}")
    stats = {field: expected[field] for field in fields}
    assert answer == {"data": {"stats": stats}, "extensions": ANY}


# --- errors --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "location"),
    [
        ("{ stats { articles nope } }", {"line": 1, "column": 20}),  # validation
        ("{\n  stats {\n    articles\n", {"line": 4, "column": 1}),  # parse: unclosed
    ],
)
def test_request_errors_have_locations(
    data_server: LiveServer, query: str, location: dict[str, int]
) -> None:
    legacy = post(data_server, {"query": query})
    assert legacy.status_code == 200
    assert legacy.headers["content-type"].startswith("application/json")
    assert "data" not in legacy.json()
    assert legacy.json()["errors"][0]["locations"] == [location]

    modern = post(data_server, {"query": query}, accept=GRAPHQL_RESPONSE)
    assert modern.status_code == 400
    assert modern.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert modern.json() == legacy.json()


def test_variables_that_do_not_coerce_are_a_request_error(data_server: LiveServer) -> None:
    body = {"query": TITLE_QUERY, "variables": {"url": 5}}
    modern = post(data_server, body, accept=f"{GRAPHQL_RESPONSE}, application/json;q=0.9")
    assert modern.status_code == 400
    assert "$url" in modern.json()["errors"][0]["message"]


def test_a_field_error_keeps_data_and_status_200(data_server: LiveServer) -> None:
    # `article` with neither id nor url is the client's mistake, raised while executing.
    response = post(data_server, {"query": "{ article { title } }"}, accept=GRAPHQL_RESPONSE)
    assert response.status_code == 200
    body = response.json()
    assert body["data"] == {"article": None}
    assert body["errors"][0]["path"] == ["article"]
    assert body["errors"][0]["message"] != MASKED_MESSAGE


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[]",
        b"42",
        b'"{ stats { articles } }"',
        b"{}",
        b'{"query": 5}',
        b'{"query": "{ stats { articles } }", "variables": "x"}',
        b'{"query": "{ stats { articles } }", "operationName": 5}',
    ],
)
def test_a_body_that_is_not_a_graphql_request_is_400(data_server: LiveServer, body: bytes) -> None:
    assert_refused(post(data_server, body), 400)


@pytest.mark.parametrize(
    "headers",
    [
        {"content-type": "application/xml"},
        # Types a browser may send cross-site are refused by CSRF prevention (400) unless
        # a preflight header says they were not; then they are refused as not JSON.
        {"content-type": "text/plain", "apollo-require-preflight": "true"},
        {"content-type": "application/x-www-form-urlencoded", "x-apollo-operation-name": "Q"},
    ],
)
def test_other_content_types_are_415(data_server: LiveServer, headers: dict[str, str]) -> None:
    body = b'{"query": "{ stats { articles } }"}'
    refusal = assert_refused(post(data_server, body, **headers), 415)
    assert "Content-Type: application/json" in refusal["errors"][0]["message"]


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405(data_server: LiveServer, method: str) -> None:
    response = httpx.request(method, data_server.graphql_url, timeout=30)
    assert_refused(response, 405)
    assert {part.strip() for part in response.headers["allow"].split(",")} == {"GET", "POST"}


def test_get_never_runs_a_mutation(data_server: LiveServer) -> None:
    response = get(data_server, {"query": "mutation { anything }"})
    assert_refused(response, 405)
    assert response.headers["allow"] == "POST"


def test_get_without_a_query_is_400(data_server: LiveServer) -> None:
    assert_refused(get(data_server, {}, accept="application/json"), 400)
    assert_refused(get(data_server, {"query": "{ stats { articles } }", "variables": "["}), 400)


def test_unexpected_exceptions_are_masked() -> None:
    unexpected = GraphQLError("secret", path=["x"], original_error=KeyError("internal"))
    assert client_error(unexpected).message == MASKED_MESSAGE
    assert client_error(unexpected).path == ["x"]
    mistake = GraphQLError("first is 0 to 100", path=["x"], original_error=InputError("..."))
    assert client_error(mistake).message == "first is 0 to 100"


# --- the other endpoints ---------------------------------------------------------------


def test_healthz(data_server: LiveServer) -> None:
    response = httpx.get(f"{data_server.base_url}/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


def test_readyz_describes_the_loaded_data(data_server: LiveServer) -> None:
    ready = httpx.get(f"{data_server.base_url}/readyz").json()
    stats = data_server.graphql("{ stats { articles version } }")["data"]["stats"]
    assert ready["status"] == "ready"
    assert (ready["articles"], ready["version"]) == (stats["articles"], stats["version"])


def test_schema_sdl_is_the_introspected_schema(data_server: LiveServer) -> None:
    response = httpx.get(f"{data_server.base_url}/schema.graphql")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    from_sdl = build_schema(response.text)
    # Repeatable directives (federation's @key) are only seen when asked for.
    query = get_introspection_query(descriptions=True, directive_is_repeatable=True)
    introspection = data_server.graphql(query)
    from_introspection = build_client_schema(introspection["data"])
    assert find_breaking_changes(from_sdl, from_introspection) == []
    assert find_breaking_changes(from_introspection, from_sdl) == []


def test_browsers_get_the_playground(data_server: LiveServer) -> None:
    response = httpx.get(data_server.graphql_url, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert re.search(r'"endpoint":\s*"/graphql"', response.text)
    # Every script and stylesheet the page names is served (or pinned on the CDN).
    for url in re.findall(r'(?:src|href)="([^"]+)"', response.text):
        if url.startswith("/"):
            assert httpx.get(f"{data_server.base_url}{url}").status_code == 200, url
        else:
            assert url.startswith("https://cdn.jsdelivr.net/"), url


# --- in this process: before the data is loaded, and reloading --------------------------------


def write_record(folder: Path, slug: str, title: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.md").write_text(
        f'---\ntitle: "{title}"\nwebUrl: "https://example.com/{slug}"\n'
        "publishedDateTime: 2021-03-04T05:06:07Z\nprovider:\n  name: Example\n"
        "  domain: example.com\n---\n",
        encoding="utf-8",
    )


@pytest.fixture
def records_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONTENT_GRAPH_CACHE", str(tmp_path / "cache"))
    write_record(tmp_path / "data" / "_news", "first", "First")
    return tmp_path / "data"


def test_before_the_data_is_loaded_it_is_alive_not_ready(records_dir: Path) -> None:
    app = create_app(Settings(data_dir=records_dir))

    async def ask() -> list[httpx.Response]:
        # ASGITransport does not run the app's startup, so nothing gets loaded.
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            return [
                await client.get("/healthz"),
                await client.get("/readyz"),
                await client.post("/graphql", json={"query": "{ stats { articles } }"}),
            ]

    healthz, readyz, refused = anyio.run(ask)
    assert healthz.status_code == 200
    assert readyz.status_code == 503
    assert readyz.json()["status"] == "loading"
    assert assert_refused(refused, 503)["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert refused.headers["retry-after"]


def wait_until_loaded(base_url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while httpx.get(f"{base_url}/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the data did not load"
        time.sleep(POLL_INTERVAL)


def test_reload_swaps_in_the_new_data(records_dir: Path) -> None:
    app = create_app(Settings(data_dir=records_dir))
    query = {"query": "{ stats { articles version } articles { nodes { title } } }"}
    with serve(app) as base_url:
        wait_until_loaded(base_url)
        before = app.state.graph
        old = httpx.post(f"{base_url}/graphql", json=query).json()["data"]
        write_record(records_dir / "_news", "second", "Second")
        after = anyio.run(reload, app).graph
        new = httpx.post(f"{base_url}/graphql", json=query).json()["data"]
    assert app.state.graph is after and after is not before
    assert [node["title"] for node in old["articles"]["nodes"]] == ["First"]
    assert sorted(node["title"] for node in new["articles"]["nodes"]) == ["First", "Second"]
    assert new["stats"]["articles"] == 2
    assert new["stats"]["version"] != old["stats"]["version"]
