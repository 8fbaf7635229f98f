"""The first minute in a real headless Chromium: the front door and the playground's tabs.

Screenshots go to `test-output/browser/` (see tests/test_browser.py, whose fixtures these
tests share).
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx
from conftest import LiveServer
from playwright.sync_api import Page
from test_browser import (  # noqa: F401 (the fixtures)
    QUERY_EDITOR,
    RESULT_EDITOR,
    RESULT_PANE,
    Visit,
    assert_stayed_on_loopback,
    browser,
    editor_text,
    open_playground,
    run,
    screenshot,
    server_url,
    visit,
)

from content_graph import playground
from content_graph.examples import Example

VARIABLES_EDITOR = ".graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror"
OPERATION = re.compile(r"^(?:query|subscription)\s+(\w+)", re.MULTILINE)
VIEWPORT_HEIGHT = 900  # test_browser.visit's window


def tab_title(example: Example) -> str:
    # GraphiQL names a tab after the operation in it.
    found = OPERATION.search(example.query)
    assert found, f"examples/{example.name}.graphql has no named operation"
    return found[1]


def answer_of(server: LiveServer, example: Example) -> dict[str, Any]:
    variables = json.loads(example.variables) if example.variables else None
    answer = server.graphql(example.query, variables=variables)
    assert "errors" not in answer, answer
    return answer["data"]


def test_front_door_shows_the_data_and_every_link_opens(
    server_url: str,  # noqa: F811
    visit: Visit,  # noqa: F811
) -> None:
    page = visit.page
    page.goto(f"{server_url}/")
    ready = httpx.get(f"{server_url}/readyz").json()
    screenshot(page, "front-door")

    assert page.title() == "content-graph"
    assert page.locator("h1").inner_text() == "content-graph"
    for name in ("articles", "providers", "topics"):
        assert page.locator(f"#stat-{name} dd").inner_text() == f"{ready[name]:,}"
    assert page.locator("#stat-version dd").inner_text() == ready["version"]
    # The icon is ours, from the server.
    assert f"{server_url}/favicon.svg" in visit.requests
    assert page.locator('link[rel="icon"]').get_attribute("href") == "/favicon.svg"

    opened = {}
    for text in ("Playground", "Explorer", "Schema", "/healthz", "/readyz"):
        page.goto(f"{server_url}/")
        with page.expect_navigation() as navigation:
            page.get_by_role("link", name=text, exact=True).click()
        response = navigation.value
        assert response is not None and response.status == 200, text
        opened[text] = response.url.removeprefix(server_url)
    assert opened == {
        "Playground": "/graphql",
        "Explorer": "/explorer",
        "Schema": "/schema.graphql",
        "/healthz": "/healthz",
        "/readyz": "/readyz",
    }
    assert visit.errors == []
    assert_stayed_on_loopback(visit)


def test_playground_shows_its_name_the_example_tabs_and_related_articles_at_once(
    server_url: str,  # noqa: F811
    visit: Visit,  # noqa: F811
    data_server: LiveServer,
) -> None:
    page = open_playground(visit, server_url)
    default = playground.EXAMPLES[0]

    assert page.title() == "content-graph playground"
    logo = page.locator(".graphiql-logo")
    assert logo.get_by_role("link", name="content-graph").get_attribute("href") == "/"
    assert logo.get_by_role("link", name="explorer").get_attribute("href") == "/explorer"
    tabs = page.locator(".graphiql-tab").all_inner_texts()
    assert [text.strip() for text in tabs] == [tab_title(ex) for ex in playground.EXAMPLES]
    assert editor_text(page, QUERY_EDITOR) == default.query
    assert json.loads(editor_text(page, VARIABLES_EDITOR)) == json.loads(default.variables or "{}")

    expected = answer_of(data_server, default)
    result = run(page, json.dumps(expected["provider"]["name"]))
    screenshot(page, "playground-default-query")

    assert result["data"] == expected
    related = [
        link for article in expected["provider"]["articles"]["nodes"] for link in article["related"]
    ]
    assert related, "the default example shows no related article on data/"
    # The first related article is on the first screen, without scrolling.
    title = page.locator(RESULT_PANE).get_by_text(related[0]["title"]).first
    box = title.bounding_box()
    assert box is not None and box["y"] + box["height"] <= VIEWPORT_HEIGHT
    assert visit.errors == []
    assert_stayed_on_loopback(visit)


def run_switched_tab(page: Page, expected_text: str) -> dict[str, Any]:
    """`run` right after a tab switch. GraphiQL 3 takes the operation name from the
    editor a moment after the switch (a debounced parse); a run before then sends the
    previous tab's name, which the server rightly refuses ("Unknown operation named"),
    as a person clicking that fast would see too. Such a run is sent again."""
    pane = page.locator(RESULT_PANE)
    answered, stale = pane.get_by_text(expected_text).first, pane.get_by_text("Unknown operation")
    for _ in range(5):
        page.locator(".graphiql-execute-button").click()
        answered.or_(stale.first).wait_for()
        if answered.is_visible():
            return json.loads(editor_text(page, RESULT_EDITOR))
    raise AssertionError(f"the tab kept running the previous tab's operation: {pane.inner_text()}")


def test_each_example_tab_runs_and_answers_as_the_api_does(
    server_url: str,  # noqa: F811
    visit: Visit,  # noqa: F811
    data_server: LiveServer,
) -> None:
    page = open_playground(visit, server_url)
    for example in playground.EXAMPLES[1:]:
        page.locator(".graphiql-tab", has_text=tab_title(example)).click()
        page.wait_for_function(
            "([selector, text]) => document.querySelector(selector).CodeMirror.getValue() === text",
            arg=[QUERY_EDITOR, example.query],
        )
        if example.variables:
            variables = json.loads(editor_text(page, VARIABLES_EDITOR))
            assert variables == json.loads(example.variables)
        expected = answer_of(data_server, example)
        # The first root field's name shows only once this tab's answer is in the pane.
        result = run_switched_tab(page, json.dumps(next(iter(expected))))
        screenshot(page, f"playground-tab-{example.name}")
        assert result["data"] == expected, example.name
    assert visit.errors == []
    assert_stayed_on_loopback(visit)
