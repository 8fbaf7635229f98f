"""content-graph as a subgraph of a real Apollo Gateway, composed with a second subgraph.

tests/federation/gateway.mjs composes our live server with a small Node subgraph
(tests/federation/notes_subgraph.mjs: it extends `Article` by its `id` key with `note`,
and has `pinnedArticle(id)`) using `@apollo/composition`, and serves the supergraph with
`@apollo/gateway`, all on loopback ports. The queries below cross from our subgraph to
the notes subgraph and back, through the gateway's query plans and our `_entities`.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import REPO, LiveServer

GATEWAY_SCRIPT = REPO / "tests" / "federation" / "gateway.mjs"
COMPOSE_SCRIPT = REPO / "tests" / "federation" / "compose.mjs"
PACKAGES = ("@apollo/gateway", "@apollo/composition", "@apollo/subgraph", "@apollo/server")
START_TIMEOUT = 60.0


def note_for(article_id: str) -> str:
    # What notes_subgraph.mjs makes of an ID.
    return f"note:{len(article_id)}"


@pytest.fixture(scope="module")
def node() -> str:
    executable = shutil.which("node")
    if executable is None:
        pytest.skip("node is not installed: the gateway and the second subgraph run under Node")
    missing = [name for name in PACKAGES if not (REPO / "node_modules" / name).is_dir()]
    if missing:
        pytest.skip(f"the npm packages {', '.join(missing)} are not installed: run `make assets`")
    return executable


@pytest.fixture(scope="module")
def gateway(
    node: str, data_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The gateway's URL; it stops when the test module ends."""
    # Its log goes to a file: a pipe nobody reads could fill up and stall it.
    log = tmp_path_factory.mktemp("gateway") / "gateway.log"
    # Apollo's own variables could make the gateway report to Apollo's servers.
    env = {key: value for key, value in os.environ.items() if not key.startswith("APOLLO_")}
    env["APOLLO_TELEMETRY_DISABLED"] = "true"
    with log.open("w") as stderr:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [node, str(GATEWAY_SCRIPT), data_server.graphql_url],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
    try:
        ready = _first_line(process, log)
        yield ready["gateway"]
    finally:
        assert process.stdin is not None
        process.stdin.close()  # the script stops when its stdin closes
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


def _first_line(process: subprocess.Popen[str], log: Path) -> dict[str, Any]:
    assert process.stdout is not None
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        readable, _, _ = select.select([process.stdout], [], [], 0.5)
        if readable:
            line = process.stdout.readline()
            if line:
                return json.loads(line)
        if process.poll() is not None:
            break
    process.kill()
    process.wait()
    pytest.fail(f"the gateway did not start: {log.read_text()}")


def ask(gateway: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = httpx.post(gateway, json={"query": query, "variables": variables or {}}, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_query_crosses_from_our_subgraph_to_the_other(
    gateway: str, data_server: LiveServer
) -> None:
    query = """
    query ($domain: String!) {
      provider(domain: $domain) {
        name
        articles(first: 3) { nodes { id title note } }
      }
    }
    """
    domain = data_server.graphql("{ providers(first: 1) { nodes { domain } } }")["data"][
        "providers"
    ]["nodes"][0]["domain"]
    direct = data_server.graphql(
        "query ($domain: String!) { provider(domain: $domain) "
        "{ name articles(first: 3) { nodes { id title } } } }",
        variables={"domain": domain},
    )["data"]["provider"]

    answer = ask(gateway, query, {"domain": domain})
    assert "errors" not in answer
    provider = answer["data"]["provider"]
    assert provider["name"] == direct["name"]
    assert [(a["id"], a["title"]) for a in provider["articles"]["nodes"]] == [
        (a["id"], a["title"]) for a in direct["articles"]["nodes"]
    ]
    assert direct["articles"]["nodes"]  # the check above compared something
    for article in provider["articles"]["nodes"]:
        assert article["note"] == note_for(article["id"])


def test_a_query_crosses_from_the_other_subgraph_back_to_ours(
    gateway: str, data_server: LiveServer
) -> None:
    # pinnedArticle comes from the notes subgraph, which knows only the ID: the title,
    # URL, provider and related articles come from our _entities, and the related
    # articles' notes from the notes subgraph again.
    nodes = data_server.graphql(
        "{ articles(first: 50, filter: {hasRecord: true}) { nodes "
        "{ id title url provider { domain name } related { id title } } } }"
    )["data"]["articles"]["nodes"]
    direct = next(article for article in nodes if article["related"])
    query = """
    query ($id: ID!) {
      pinnedArticle(id: $id) {
        note title url provider { domain name }
        related { id title note }
      }
    }
    """
    answer = ask(gateway, query, {"id": direct["id"]})
    assert "errors" not in answer
    assert answer["data"]["pinnedArticle"] == {
        "note": note_for(direct["id"]),
        "title": direct["title"],
        "url": direct["url"],
        "provider": direct["provider"],
        "related": [{**related, "note": note_for(related["id"])} for related in direct["related"]],
    }


def test_references_our_subgraph_cannot_resolve(gateway: str) -> None:
    unknown = base64.b64encode(b"Article:https://no-such-site.example/story").decode()
    answer = ask(
        gateway,
        "query ($unknown: ID!, $bad: ID!) { unknown: pinnedArticle(id: $unknown) { title } "
        "bad: pinnedArticle(id: $bad) { title } }",
        {"unknown": unknown, "bad": "not-an-id"},
    )
    # An ID of ours that names nothing is null, without an error; one that is not an ID
    # of ours is null with our error, passed on by the gateway.
    assert answer["data"] == {"unknown": None, "bad": None}
    [error] = answer["errors"]
    assert error["path"] == ["bad"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["serviceName"] == "content-graph"
    assert "Invalid ID 'not-an-id'" in error["message"]


def test_the_served_schema_file_composes_too(node: str, data_server: LiveServer) -> None:
    # /schema.graphql (= `content-graph schema`) carries the directive definitions that
    # `_service { sdl }` leaves out; composition must accept them as Federation 2's.
    sdl = httpx.get(f"{data_server.base_url}/schema.graphql").text
    assert "directive @key" in sdl
    run = subprocess.run(
        [node, str(COMPOSE_SCRIPT)],
        input=sdl,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == {"errors": []}
