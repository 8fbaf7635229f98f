"""Automatic persisted queries, as Apollo Client speaks them, against a live server.

Apollo Client first sends only the document's SHA-256 in
`extensions.persistedQuery`; on `PersistedQueryNotFound` (recognised by that message or
by `extensions.code` PERSISTED_QUERY_NOT_FOUND) it sends the hash with the document,
and from then on the hash alone, by POST or by GET. The server's store is shared by the
whole test session, so each test makes its own document (a fresh operation name).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from browser_helpers import serve
from conftest import POLL_INTERVAL, READY_TIMEOUT, LiveServer

from content_graph.app import create_app
from content_graph.persisted import PersistedQueries, PersistedQueryError
from content_graph.settings import Settings

NOT_FOUND = {
    "message": "PersistedQueryNotFound",
    "extensions": {"code": "PERSISTED_QUERY_NOT_FOUND"},
}
NOT_SUPPORTED = {
    "message": "PersistedQueryNotSupported",
    "extensions": {"code": "PERSISTED_QUERY_NOT_SUPPORTED"},
}


def sha256(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def fresh_document() -> tuple[str, str]:
    """A document no other test has sent, and its operation name."""
    name = f"Title_{uuid.uuid4().hex}"
    return f"query {name}($url: String!) {{ article(url: $url) {{ title }} }}", name


def persisted(digest: str, version: object = 1) -> dict[str, Any]:
    return {"persistedQuery": {"version": version, "sha256Hash": digest}}


def post(url: str, body: dict[str, Any], **headers: str) -> httpx.Response:
    return httpx.post(
        url,
        content=json.dumps(body).encode(),
        headers={"content-type": "application/json", **headers},
        timeout=30,
    )


def test_apollo_clients_exchange_by_post(
    data_server: LiveServer, data_record: dict[str, Any]
) -> None:
    document, name = fresh_document()
    variables = {"url": data_record["webUrl"]}
    hashed = {
        "operationName": name,
        "variables": variables,
        "extensions": persisted(sha256(document)),
    }

    first = post(data_server.graphql_url, hashed)
    assert first.status_code == 200
    assert first.json() == {"errors": [NOT_FOUND]}

    registered = post(data_server.graphql_url, {**hashed, "query": document})
    assert registered.status_code == 200
    assert registered.json()["data"] == {"article": {"title": data_record["title"]}}

    again = post(data_server.graphql_url, hashed)
    assert again.status_code == 200
    assert again.json()["data"] == {"article": {"title": data_record["title"]}}


def test_a_get_with_the_hash_only_runs_the_registered_document(
    data_server: LiveServer, data_record: dict[str, Any]
) -> None:
    document, name = fresh_document()
    digest = sha256(document)
    params = {
        "operationName": name,
        "variables": json.dumps({"url": data_record["webUrl"]}),
        "extensions": json.dumps(persisted(digest)),
    }
    # Apollo Client's default Accept is */*, which must not get the IDE page instead.
    unknown = httpx.get(data_server.graphql_url, params=params, headers={"accept": "*/*"})
    assert unknown.status_code == 200
    assert unknown.json() == {"errors": [NOT_FOUND]}
    assert "etag" not in unknown.headers  # a miss must never be cached and revalidated

    post(data_server.graphql_url, {"query": document, "extensions": persisted(digest)})
    found = httpx.get(data_server.graphql_url, params=params, headers={"accept": "*/*"})
    assert found.status_code == 200
    assert found.json()["data"] == {"article": {"title": data_record["title"]}}
    assert found.headers["etag"]
    revalidated = httpx.get(
        data_server.graphql_url, params=params, headers={"if-none-match": found.headers["etag"]}
    )
    assert revalidated.status_code == 304


def test_the_hash_is_compared_case_insensitively(
    data_server: LiveServer, data_record: dict[str, Any]
) -> None:
    document, _ = fresh_document()
    variables = {"url": data_record["webUrl"]}
    post(data_server.graphql_url, {"query": document, "extensions": persisted(sha256(document))})
    upper = post(
        data_server.graphql_url,
        {"variables": variables, "extensions": persisted(sha256(document).upper())},
    )
    assert upper.json()["data"] == {"article": {"title": data_record["title"]}}


def test_a_hash_that_does_not_match_the_document_is_refused_and_not_kept(
    data_server: LiveServer,
) -> None:
    document, _ = fresh_document()
    other, _ = fresh_document()
    wrong = sha256(other)
    refused = post(data_server.graphql_url, {"query": document, "extensions": persisted(wrong)})
    assert refused.status_code == 400
    assert refused.json() == {
        "errors": [
            {"message": "provided sha does not match query", "extensions": {"code": "BAD_REQUEST"}}
        ]
    }
    assert post(data_server.graphql_url, {"extensions": persisted(wrong)}).json() == {
        "errors": [NOT_FOUND]
    }


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        (persisted("0" * 64, version=2), "Unsupported persisted query version"),
        (persisted("0" * 64, version=None), "Unsupported persisted query version"),
        ({"persistedQuery": "abc"}, "extensions.persistedQuery must be an object."),
        ({"persistedQuery": {"version": 1}}, "must be a string"),
        ({"persistedQuery": {"version": 1, "sha256Hash": 5}}, "must be a string"),
    ],
    ids=["version 2", "no version", "not an object", "no hash", "hash not a string"],
)
def test_a_malformed_persisted_query_is_a_bad_request(
    data_server: LiveServer, extensions: dict[str, Any], message: str
) -> None:
    response = post(data_server.graphql_url, {"extensions": extensions})
    assert response.status_code == 400
    error = response.json()["errors"][0]
    assert message in error["message"]
    assert error["extensions"] == {"code": "BAD_REQUEST"}
    assert "Traceback" not in response.text


def test_not_found_is_a_request_error_for_graphql_response_json(data_server: LiveServer) -> None:
    document, _ = fresh_document()
    response = post(
        data_server.graphql_url,
        {"extensions": persisted(sha256(document))},
        accept="application/graphql-response+json",
    )
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert response.json() == {"errors": [NOT_FOUND]}


# --- the store -------------------------------------------------------------------------


def test_the_store_is_bounded_and_forgets_the_least_recently_used() -> None:
    documents = [f"query Q{i} {{ stats {{ articles }} }}" for i in range(6)]
    cost = len(documents[0]) + 200
    store = PersistedQueries(cost * 3)
    for document in documents[:3]:
        store.resolve(document, persisted(sha256(document)))
    store.resolve(None, persisted(sha256(documents[0])))  # used: now the most recent
    for document in documents[3:5]:
        store.resolve(document, persisted(sha256(document)))
    assert store.size <= store.max_bytes
    assert len(store) == 3
    kept = [documents[0], documents[3], documents[4]]
    assert [store.resolve(None, persisted(sha256(d))) for d in kept] == kept
    for forgotten in documents[1:3]:
        with pytest.raises(PersistedQueryError) as raised:
            store.resolve(None, persisted(sha256(forgotten)))
        assert raised.value.formatted == NOT_FOUND


def test_a_request_without_the_extension_is_left_alone() -> None:
    store = PersistedQueries(0)
    assert store.resolve("{ stats { articles } }", None) == "{ stats { articles } }"
    assert store.resolve("{ stats { articles } }", {"other": 1}) == "{ stats { articles } }"


@pytest.fixture
def without_apq(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("CONTENT_GRAPH_CACHE", str(tmp_path / "cache"))
    data = Path(__file__).resolve().parents[1] / "data"
    app = create_app(Settings(data_dir=data, persisted_query_bytes=0))
    with serve(app) as base_url:
        deadline = time.monotonic() + READY_TIMEOUT
        while httpx.get(f"{base_url}/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the data did not load"
            time.sleep(POLL_INTERVAL)
        yield f"{base_url}/graphql"


def test_switched_off_it_says_not_supported_so_clients_stop_hashing(without_apq: str) -> None:
    document = "{ stats { articles } }"
    for body in (
        {"extensions": persisted(sha256(document))},
        {"query": document, "extensions": persisted(sha256(document))},
    ):
        response = post(without_apq, body)
        assert response.status_code == 200
        assert response.json() == {"errors": [NOT_SUPPORTED]}
    plain = post(without_apq, {"query": document})
    assert plain.json()["data"]["stats"]["articles"] > 0
