"""Cursors survive a reload: paging on after articles were added and removed, on a live
server whose data folder changes on disk and reloads on SIGHUP, neither skips nor
repeats an item that is on both sides of the reload, in every order and both directions.

All the first pages are taken before one reload and all the lists are paged to their
end after it, so one reload tests every case. The new articles sort first, last and in
the middle of every order; one removed article is the cursor's own item in some orders.
"""

from __future__ import annotations

import base64
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import LiveServer, start_server
from tests.writing import record, write_md

ORDERS = [
    f"{{field: {field}, direction: {direction}}}"
    for field in ("PUBLISHED_DATE_TIME", "QUALITY", "HEAT", "TITLE")
    for direction in ("DESC", "ASC")
]
PAGE = 3


def article(i: int, domain: str = "example.com") -> dict[str, Any]:
    """Varied on purpose: equal dates, titles and scores (ties by URL), missing values."""
    fields: dict[str, Any] = {
        "excerpt": f"A cursor story number {i}.",
        "provider": {"domain": domain, "name": f"Name {domain}"},
        "topics": [f"Topic {i % 3}"],
    }
    if i % 6:
        fields["publishedDateTime"] = f"2024-01-{i % 5 + 1:02d}T10:00:00Z"
    if i % 4:
        fields["quality"] = (i * 7) % 5 * 10
    if i % 5:
        fields["heat"] = (i * 3) % 4
    title = f"{'Cursor ' if i % 2 else ''}Title {chr(65 + (i * 5) % 12)}"
    return record(f"https://{domain}/a/{i:03d}", title, **fields)


def write(data: Path, i: int, fields: dict[str, Any]) -> Path:
    return write_md(data, f"_news/{i:03d}.md", fields)


@dataclass
class Case:
    """One list, paged from one end: the query with its connection at `$page`."""

    name: str
    query: str  # `{ ... connection(ARGS) { ... } }` with ARGS in place of the arguments
    path: tuple[str, ...]  # where the connection is in `data`
    key: str = "url"  # the node field that names an item
    forward: bool = True
    # The node's fields that its place depends on beyond `key`: an item whose place
    # changed in the reload (a provider with more articles) may be seen again.
    placed_by: str = ""


def cases() -> list[Case]:
    found: list[Case] = []
    for forward in (True, False):
        for order in [*ORDERS, None]:
            by = "" if order is None else f", orderBy: {order}"
            found.append(
                Case(
                    f"provider.articles {order} {forward}",
                    f'{{ provider(domain: "example.com") {{ articles(ARGS{by}) CONN }} }}',
                    ("provider", "articles"),
                    forward=forward,
                )
            )
        found += [
            Case(
                f"topic.articles {forward}",
                '{ topic(name: "topic-1") { articles(ARGS) CONN } }',
                ("topic", "articles"),
                forward=forward,
            ),
            Case(
                f"articles {forward}",
                "{ articles(ARGS, orderBy: {field: TITLE, direction: ASC}) CONN }",
                ("articles",),
                forward=forward,
            ),
            Case(
                f"search {forward}",
                '{ search(query: "cursor", ARGS) CONN }',
                ("search",),
                forward=forward,
            ),
            Case(
                f"providers {forward}",
                "{ providers(ARGS) CONN }",
                ("providers",),
                "domain",
                forward,
            ),
            Case(
                f"providers by count {forward}",
                "{ providers(ARGS, orderBy: {field: ARTICLE_COUNT, direction: DESC}) CONN }",
                ("providers",),
                "domain",
                forward,
                "articleCount",
            ),
            Case(f"topics {forward}", "{ topics(ARGS) CONN }", ("topics",), "slug", forward),
        ]
    return found


def fetch(server: LiveServer, case: Case, args: str) -> dict[str, Any]:
    node = f"{{ {case.key} {case.placed_by} }}"
    conn = (
        f"{{ edges {{ cursor node {node} }} "
        "pageInfo { hasNextPage hasPreviousPage startCursor endCursor } }"
    )
    answer = server.graphql(case.query.replace("ARGS", args).replace("CONN", conn))
    assert "errors" not in answer, answer
    value = answer["data"]
    for step in case.path:
        value = value[step]
    return value


def names(connection: dict[str, Any], key: str) -> list[str]:
    return [edge["node"][key] for edge in connection["edges"]]


def everything(server: LiveServer, case: Case) -> list[dict[str, Any]]:
    return [edge["node"] for edge in fetch(server, case, "first: 100")["edges"]]


def first_page(server: LiveServer, case: Case) -> tuple[list[str], str]:
    page = fetch(server, case, f"first: {PAGE}" if case.forward else f"last: {PAGE}")
    info = page["pageInfo"]
    return names(page, case.key), info["endCursor"] if case.forward else info["startCursor"]


def rest(server: LiveServer, case: Case, cursor: str) -> list[str]:
    seen: list[str] = []
    for _ in range(100):  # bounded: the lists are far shorter
        if case.forward:
            page = fetch(server, case, f'first: {PAGE}, after: "{cursor}"')
            seen += names(page, case.key)
            if not page["pageInfo"]["hasNextPage"]:
                return seen
            cursor = page["pageInfo"]["endCursor"]
        else:
            page = fetch(server, case, f'last: {PAGE}, before: "{cursor}"')
            seen = names(page, case.key) + seen
            if not page["pageInfo"]["hasPreviousPage"]:
                return seen
            cursor = page["pageInfo"]["startCursor"]
    pytest.fail(f"{case.name}: no end of the list after 100 pages")


def reload(server: LiveServer) -> None:
    before = server.graphql("{ stats { version } }")["data"]["stats"]["version"]
    server.process.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.graphql("{ stats { version } }")["data"]["stats"]["version"] != before:
            return
        time.sleep(0.05)
    pytest.fail(f"no reload 30 s after SIGHUP:\n{server.log.read_text()}")


def test_paging_across_a_reload_neither_skips_nor_repeats(tmp_path: Path) -> None:
    data = tmp_path / "data"
    files = {i: write(data, i, article(i)) for i in range(1, 15)}
    for i in (20, 21):
        write(data, i, article(i, "other.org"))
    server = start_server(data, tmp_path)
    try:
        all_cases = cases()
        old = {case.name: everything(server, case) for case in all_cases}
        started = {case.name: first_page(server, case) for case in all_cases}
        # New articles at both ends and in the middle of every order, a new provider
        # and topic, and one article gone: the third newest, the cursor item of the
        # default order's first page.
        for i, fields in {
            30: article(30),  # undated, no quality, no heat: last in the orders
            31: record(
                "https://example.com/a/031",
                "AAA Cursor first by title",
                publishedDateTime="2030-01-01T00:00:00Z",
                quality=100,
                heat=99,
                excerpt="cursor cursor",
                provider={"domain": "example.com", "name": "Name example.com"},
                topics=["Topic 1"],
            ),
            32: article(32),
            33: article(33),
            34: article(34, "aaa.example"),
        }.items():
            write(data, i, fields)
        files[3].unlink()
        reload(server)
        failures = []
        for case in all_cases:
            new_nodes = everything(server, case)
            new = [node[case.key] for node in new_nodes]
            page, cursor = started[case.name]
            seen = (
                page + rest(server, case, cursor)
                if case.forward
                else rest(server, case, cursor) + page
            )
            # On both sides, in the same place of the order.
            both = {n[case.key] for n in old[case.name] if n in new_nodes}
            repeated = {name for name in both if seen.count(name) > 1}
            skipped = both - set(seen)
            if repeated or skipped:
                failures.append(f"{case.name}: repeated {repeated}, skipped {skipped}")
            # What was paged after the reload is in the new list's order.
            later = [name for name in seen if name not in page]
            if later != [name for name in new if name in set(later)]:
                failures.append(f"{case.name}: out of order {later}")
        assert not failures, "\n".join(failures)
        assert len(all_cases) == 2 * (len(ORDERS) + 1 + 6)
    finally:
        server.stop()


def test_a_cursor_of_another_order_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for i in range(1, 5):
        write(data, i, article(i))
    server = start_server(data, tmp_path)
    try:
        by_title = "orderBy: {field: TITLE, direction: ASC}"
        page = server.graphql(
            f"{{ articles(first: 1, {by_title}) {{ pageInfo {{ endCursor }} }} }}"
        )
        cursor = page["data"]["articles"]["pageInfo"]["endCursor"]
        answer = server.graphql(f'{{ articles(first: 1, after: "{cursor}") {{ totalCount }} }}')
        message = answer["errors"][0]["message"]
        assert "another order" in message and "articles:TITLE:ASC" in message, message
        # An offset cursor (what earlier versions handed out) still pages by position.
        offset = base64.b64encode(b"cursor:0").decode()
        answer = server.graphql(
            f'{{ articles(first: 1, after: "{offset}") {{ nodes {{ url }} }} }}'
        )
        second = server.graphql("{ articles(first: 2) { nodes { url } } }")
        assert answer["data"]["articles"]["nodes"] == second["data"]["articles"]["nodes"][1:]
    finally:
        server.stop()
