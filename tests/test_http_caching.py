"""HTTP caching of GET answers: ETag from the data version and the request, Cache-Control,
and 304 for a matching If-None-Match; against live servers on loopback.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from browser_helpers import serve
from conftest import POLL_INTERVAL, READY_TIMEOUT, LiveServer
from starlette.applications import Starlette

from content_graph.app import create_app, reload
from content_graph.settings import Settings

TITLE = "query Title($url: String!) { article(url: $url) { title } }"


def get(url: str, params: dict[str, str], **headers: str) -> httpx.Response:
    return httpx.get(url, params=params, headers=headers, timeout=30)


def title_params(record: dict[str, Any]) -> dict[str, str]:
    return {"query": TITLE, "variables": json.dumps({"url": record["webUrl"]})}


def test_an_etag_that_depends_on_the_request(
    data_server: LiveServer, data_records: list[dict[str, Any]], data_record: dict[str, Any]
) -> None:
    other = next(r for r in data_records if r["webUrl"] != data_record["webUrl"])
    first = get(data_server.graphql_url, title_params(data_record))
    assert first.json()["data"]["article"]["title"] == data_record["title"]
    assert first.headers["cache-control"] == "no-cache"
    assert first.headers["etag"].startswith('W/"')
    assert "accept" in first.headers["vary"].lower()
    same = get(data_server.graphql_url, title_params(data_record))
    assert same.headers["etag"] == first.headers["etag"]
    different = [
        get(data_server.graphql_url, title_params(other)),
        get(
            data_server.graphql_url,
            title_params(data_record),
            accept="application/graphql-response+json",
        ),
    ]
    assert all(response.headers["etag"] != first.headers["etag"] for response in different)


def test_if_none_match_gets_304_without_a_body(
    data_server: LiveServer, data_record: dict[str, Any]
) -> None:
    params = title_params(data_record)
    etag = get(data_server.graphql_url, params).headers["etag"]
    for if_none_match in (etag, etag.removeprefix("W/"), f'"nope", {etag}'):
        again = get(data_server.graphql_url, params, **{"if-none-match": if_none_match})
        assert again.status_code == 304, if_none_match
        assert again.content == b""
        assert again.headers["etag"] == etag
        assert again.headers["cache-control"] == "no-cache"
    stale = get(data_server.graphql_url, params, **{"if-none-match": 'W/"stale"'})
    assert stale.status_code == 200
    assert stale.json()["data"]["article"]["title"] == data_record["title"]


def test_answers_with_errors_and_posts_carry_no_etag(data_server: LiveServer) -> None:
    failed = get(data_server.graphql_url, {"query": '{ articles(after: "bad") { totalCount } }'})
    assert failed.status_code == 200
    assert failed.json()["errors"]
    assert "etag" not in failed.headers
    posted = httpx.post(data_server.graphql_url, json={"query": "{ stats { articles } }"})
    assert posted.status_code == 200
    assert "etag" not in posted.headers


# --- configured, and across a reload ---------------------------------------------------


def write_record(folder: Path, slug: str, title: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.md").write_text(
        f'---\ntitle: "{title}"\nwebUrl: "https://example.com/{slug}"\n'
        "publishedDateTime: 2021-03-04T05:06:07Z\nprovider:\n  name: Example\n"
        "  domain: example.com\n---\n",
        encoding="utf-8",
    )


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Starlette, str]]:
    monkeypatch.setenv("CONTENT_GRAPH_CACHE", str(tmp_path / "cache"))
    data = tmp_path / "data"
    write_record(data / "_news", "first", "First")
    app = create_app(Settings(data_dir=data, max_age=60))
    with serve(app) as base_url:
        deadline = time.monotonic() + READY_TIMEOUT
        while httpx.get(f"{base_url}/readyz").status_code != 200:
            assert time.monotonic() < deadline, "the data did not load"
            time.sleep(POLL_INTERVAL)
        yield app, f"{base_url}/graphql"


def test_max_age_is_configurable(served: tuple[Starlette, str]) -> None:
    _, url = served
    params = {"query": "{ articles { nodes { title } } }"}
    first = get(url, params)
    assert first.headers["cache-control"] == "public, max-age=60"
    revalidated = get(url, params, **{"if-none-match": first.headers["etag"]})
    assert revalidated.status_code == 304
    assert revalidated.headers["cache-control"] == "public, max-age=60"


def test_a_reload_changes_every_etag(served: tuple[Starlette, str]) -> None:
    app, url = served
    params = {"query": "{ articles { nodes { title } } }"}
    before = get(url, params)
    assert [n["title"] for n in before.json()["data"]["articles"]["nodes"]] == ["First"]
    write_record(Path(app.state.settings.data_dir) / "_news", "second", "Second")
    anyio.run(reload, app)
    after = get(url, params, **{"if-none-match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert sorted(n["title"] for n in after.json()["data"]["articles"]["nodes"]) == [
        "First",
        "Second",
    ]
