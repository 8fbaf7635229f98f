"""The response cache: repeated requests answered from it, never from older data.

The cache itself is exercised directly (bounds, eviction, keys); its place in the
request path through a real app served by uvicorn on loopback, whose view's hit and
miss counts show where an answer came from. Expected titles come from the records
written by the test.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import orjson
import pytest
from browser_helpers import serve
from conftest import POLL_INTERVAL, READY_TIMEOUT
from starlette.applications import Starlette

from content_graph.app import create_app, reload
from content_graph.response_cache import (
    ENTRY_OVERHEAD,
    CachedResponse,
    ResponseCache,
    cache_key,
)
from content_graph.settings import Settings
from content_graph.view import GraphQLView

TITLES = "query Titles($first: Int) { articles(first: $first) { nodes { title } } }"


def answer(body: bytes) -> CachedResponse:
    return CachedResponse(200, body, "application/json")


# --- the cache on its own --------------------------------------------------------------


def test_variables_are_compared_by_value_not_by_spelling() -> None:
    one = cache_key("v1", "application/json", "{ a }", None, {"x": 1, "y": [1, 2]})
    other = cache_key("v1", "application/json", "{ a }", None, {"y": [1, 2], "x": 1})
    assert one == other
    assert one != cache_key("v1", "application/json", "{ a }", None, {"x": 2, "y": [1, 2]})
    assert cache_key("v1", "application/json", "{ a }", None, None) == cache_key(
        "v1", "application/json", "{ a }", None, {}
    )


@pytest.mark.parametrize(
    "changed",
    [
        ("v2", "application/json", "{ a }", None),
        ("v1", "application/graphql-response+json", "{ a }", None),
        ("v1", "application/json", "{ b }", None),
        ("v1", "application/json", "{ a }", "A"),
    ],
    ids=["data version", "media type", "document", "operation name"],
)
def test_every_part_of_the_request_is_in_the_key(changed: tuple[str, str, str, str | None]) -> None:
    cache = ResponseCache(10_000, repeats_only=False)
    cache.put(cache_key("v1", "application/json", "{ a }", None, None), answer(b"{}"))
    assert cache.get(cache_key(*changed, None)) is None
    assert cache.get(cache_key("v1", "application/json", "{ a }", None, None)) == answer(b"{}")


def test_the_cache_stays_within_its_bytes_and_drops_the_least_recently_used() -> None:
    body = b"x" * 1000
    per_entry = len(body) + len("{ q0 }") + len("application/json") + ENTRY_OVERHEAD
    cache = ResponseCache(per_entry * 5, repeats_only=False)
    keys = [cache_key("v", "application/json", f"{{ q{i} }}", None, None) for i in range(8)]
    for key in keys[:5]:
        cache.put(key, answer(body))
    assert cache.get(keys[0]) is not None  # now the most recently used
    for key in keys[5:]:
        cache.put(key, answer(body))
        assert cache.size <= cache.max_bytes
    assert len(cache) == 5
    assert cache.get(keys[0]) is not None
    assert [cache.get(key) is None for key in keys[1:4]] == [True, True, True]
    assert all(cache.get(key) is not None for key in keys[5:])


def test_an_answer_too_big_for_its_share_is_not_kept() -> None:
    cache = ResponseCache(4000, repeats_only=False)
    cache.put(cache_key("v", "application/json", "{ small }", None, None), answer(b"s"))
    cache.put(cache_key("v", "application/json", "{ big }", None, None), answer(b"b" * 3000))
    assert cache.get(cache_key("v", "application/json", "{ big }", None, None)) is None
    assert cache.get(cache_key("v", "application/json", "{ small }", None, None)) is not None


def test_new_data_drops_every_answer_of_the_old() -> None:
    cache = ResponseCache(100_000, repeats_only=False)
    old = cache_key("old", "application/json", "{ a }", None, None)
    cache.put(old, answer(b"old"))
    cache.put(cache_key("new", "application/json", "{ b }", None, None), answer(b"new"))
    assert len(cache) == 1
    assert cache.get(old) is None


def test_an_answer_is_kept_from_its_second_put_on() -> None:
    cache = ResponseCache(100_000)
    once, twice = (cache_key("v", "application/json", q, None, None) for q in ("{ a }", "{ b }"))
    cache.put(once, answer(b"a"))
    cache.put(twice, answer(b"b"))
    assert len(cache) == 0
    cache.put(twice, answer(b"b"))
    assert cache.get(twice) == answer(b"b")
    assert cache.get(once) is None
    # Only the key counts, not the answer, and a key let in starts over once evicted.
    cache.put(once, answer(b"a again"))
    assert cache.get(once) == answer(b"a again")


def test_one_off_requests_do_not_evict_the_repeated_ones() -> None:
    body = b"x" * 1000
    per_entry = len(body) + len("{ q00000 }") + len("application/json") + ENTRY_OVERHEAD
    cache = ResponseCache(per_entry * 5)
    kept = cache_key("v", "application/json", "{ kept }", None, None)
    cache.put(kept, answer(body))
    cache.put(kept, answer(body))
    for number in range(10_000):  # far more than the cache holds, each sent once
        key = cache_key("v", "application/json", f"{{ q{number:05} }}", None, None)
        cache.put(key, answer(body))
    assert len(cache) == 1
    assert cache.get(kept) == answer(body)


def test_the_memory_held_is_the_bytes_counted() -> None:
    # orjson's output holds a buffer of several KiB whatever its length; kept as it is,
    # a cache of small answers held eight times its bound (seen: 64 MiB -> 590 MiB RSS).
    cache = ResponseCache(2**20, repeats_only=False)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for number in range(5_000):
            variables = {"url": f"https://example.com/{number}"}
            key = cache_key("v", "application/json", "query Q($url: String!) { a }", "Q", variables)
            cache.put(key, answer(orjson.dumps({"data": {"a": {"title": f"Title {number}"}}})))
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert len(cache) > 1_000
    assert cache.size <= cache.max_bytes
    assert held < 1.5 * cache.max_bytes, f"{held:,} bytes held for {cache.size:,} counted"


def test_size_zero_keeps_nothing() -> None:
    cache = ResponseCache(0)
    key = cache_key("v", "application/json", "{ a }", None, None)
    cache.put(key, answer(b"{}"))
    assert not cache.enabled
    assert cache.get(key) is None


# --- in the request path ---------------------------------------------------------------


def write_record(folder: Path, slug: str, title: str, published: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{slug}.md").write_text(
        f'---\ntitle: "{title}"\nwebUrl: "https://example.com/{slug}"\n'
        f"publishedDateTime: {published}\nprovider:\n  name: Example\n"
        "  domain: example.com\n---\n",
        encoding="utf-8",
    )


@pytest.fixture
def records_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CONTENT_GRAPH_CACHE", str(tmp_path / "cache"))
    write_record(tmp_path / "data" / "_news", "first", "First", "2021-03-04T05:06:07Z")
    return tmp_path / "data"


def graphql_view(app: Starlette) -> GraphQLView:
    return next(route.endpoint for route in app.routes if getattr(route, "path", "") == "/graphql")  # type: ignore[attr-defined]


def wait_until_loaded(base_url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while httpx.get(f"{base_url}/readyz").status_code != 200:
        assert time.monotonic() < deadline, "the data did not load"
        time.sleep(POLL_INTERVAL)


@pytest.fixture
def served(records_dir: Path) -> Iterator[tuple[Starlette, httpx.Client]]:
    app = create_app(Settings(data_dir=records_dir))
    with serve(app) as base_url:
        wait_until_loaded(base_url)
        with httpx.Client(base_url=base_url, timeout=30) as client:
            yield app, client


def post(client: httpx.Client, body: dict[str, Any]) -> httpx.Response:
    # Sent as bytes so that the key order of the JSON is the test's own.
    content = json.dumps(body).encode()
    return client.post("/graphql", content=content, headers={"content-type": "application/json"})


def titles(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [node["title"] for node in response.json()["data"]["articles"]["nodes"]]


def test_a_repeated_request_is_answered_from_the_cache(
    served: tuple[Starlette, httpx.Client],
) -> None:
    app, client = served
    cache = graphql_view(app).response_cache
    first = post(client, {"query": TITLES, "variables": {"first": 5}})
    assert titles(first) == ["First"]
    assert (cache.misses, cache.hits, len(cache)) == (1, 0, 0)  # not kept: seen once
    second = post(client, {"query": TITLES, "variables": {"first": 5}})
    assert (cache.misses, cache.hits, len(cache)) == (2, 0, 1)  # a repeat: kept
    again = post(client, {"variables": {"first": 5}, "query": TITLES})
    assert (cache.misses, cache.hits) == (2, 1)
    for response in (second, again):
        assert response.content == first.content
        assert response.headers["content-type"] == first.headers["content-type"]
    other = post(client, {"query": TITLES, "variables": {"first": 0}})
    assert titles(other) == []
    assert (cache.misses, cache.hits) == (3, 1)


def test_an_answer_with_errors_is_not_kept(served: tuple[Starlette, httpx.Client]) -> None:
    app, client = served
    cache = graphql_view(app).response_cache
    body = {"query": '{ articles(first: 1, after: "not a cursor") { nodes { title } } }'}
    for _ in range(2):
        response = post(client, body)
        assert response.status_code == 200
        assert response.json()["errors"]
    assert cache.hits == 0
    assert len(cache) == 0


def test_after_a_reload_the_new_data_is_served_not_the_cached_answer(
    served: tuple[Starlette, httpx.Client], records_dir: Path
) -> None:
    app, client = served
    body = {"query": TITLES, "variables": {"first": 5}}
    for _ in range(3):  # kept from the second, answered from the cache the third time
        assert titles(post(client, body)) == ["First"]
    write_record(records_dir / "_news", "second", "Second", "2022-03-04T05:06:07Z")
    anyio.run(reload, app)
    for _ in range(3):
        assert titles(post(client, body)) == ["Second", "First"]
    cache = graphql_view(app).response_cache
    assert cache.hits == 2
    assert len(cache) == 1  # the old data's answer is gone, not just unreachable


def test_the_cache_can_be_turned_off(records_dir: Path) -> None:
    app = create_app(Settings(data_dir=records_dir, response_cache_bytes=0))
    with serve(app) as base_url:
        wait_until_loaded(base_url)
        with httpx.Client(base_url=base_url, timeout=30) as client:
            for _ in range(2):
                assert titles(post(client, {"query": TITLES})) == ["First"]
    cache = graphql_view(app).response_cache
    assert (cache.hits, len(cache)) == (0, 0)
