"""The playground runs a subscription in a real headless Chromium: a record file is
written, the server reloads on SIGHUP, and the result pane shows the event."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import httpx
import pytest
from conftest import start_server
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_browser import (  # noqa: F401 (the fixtures)
    QUERY_EDITOR,
    RESULT_EDITOR,
    RESULT_PANE,
    Visit,
    assert_stayed_on_loopback,
    browser,
    editor_text,
    open_playground,
    screenshot,
    visit,
)

from content_graph import playground
from tests.writing import record, write_md

SUBSCRIPTION = "subscription { articlesAdded { version articles { url title } } }"


def test_the_playground_shows_articles_added_by_a_reload(
    tmp_path: Path,
    visit: Visit,  # noqa: F811 (the fixture from test_browser)
) -> None:
    if not playground.assets_available():
        pytest.fail("the playground's npm packages are not installed: run `make assets`")
    data = tmp_path / "data"
    write_md(data, "_news/old.md", record("https://example.com/old", "Old"))
    server = start_server(data, tmp_path)
    try:
        page = open_playground(visit, server.base_url)
        page.locator(QUERY_EDITOR).click()
        page.keyboard.press("ControlOrMeta+A")
        page.keyboard.insert_text(SUBSCRIPTION)
        # GraphiQL parses the editor's text on a debounce and picks the websocket only
        # for a parsed subscription: clicked at once, the stale parse sends it by HTTP.
        page.wait_for_timeout(1_000)
        page.locator(".graphiql-execute-button").click()
        # The subscription starts listening a moment after the click: until an event
        # shows, each try adds another new article and reloads.
        for attempt in range(20):
            url = f"https://example.com/new-{attempt}"
            write_md(data, f"_news/new-{attempt}.md", record(url, f"New {attempt}"))
            server.process.send_signal(signal.SIGHUP)
            try:
                page.locator(RESULT_PANE).get_by_text("example.com/new-").first.wait_for(
                    timeout=1_500
                )
                break
            except PlaywrightTimeout:
                continue
        else:
            screenshot(page, "playground-subscription-failed")
            pytest.fail(f"no event in the result pane:\n{server.log.read_text()}")
        screenshot(page, "playground-subscription")
        event = json.loads(editor_text(page, RESULT_EDITOR))
        added = event["data"]["articlesAdded"]
        # One event per reload, each with the one article that reload added.
        written = {f"https://example.com/new-{n}" for n in range(attempt + 1)}
        assert len(added["articles"]) == 1 and added["articles"][0]["url"] in written, event
        versions = httpx.get(f"{server.base_url}/readyz").json()["version"]
        assert added["version"] and len(added["version"]) == len(versions)
        assert visit.errors == []
        assert_stayed_on_loopback(visit)
    finally:
        server.stop()
