"""The playground in a real headless Chromium: it renders with no internet and runs queries.

Screenshots go to `test-output/browser/` at the repository root (ignored by git), one per
test, so a person can look at what the browser showed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import pytest
from browser_helpers import CHROMIUM_ARGS, is_loopback, require_chromium, serve
from conftest import LiveServer
from playwright.sync_api import Browser, Page, Request, Route, sync_playwright
from records import Records
from starlette.applications import Starlette
from starlette.requests import Request as HTTPRequest
from starlette.responses import HTMLResponse
from starlette.routing import Route as HTTPRoute

from content_graph import playground

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
SCREENSHOTS = REPO / "test-output" / "browser"
QUERY_EDITOR = ".graphiql-query-editor .CodeMirror"
RESULT_PANE = ".result-window"
RESULT_EDITOR = ".result-window .CodeMirror"
# A fresh page has to fetch and start about 1 MB of scripts; on a busy 2-core CI machine
# that can take a while. This bounds the wait, it does not pace the test.
PAGE_TIMEOUT_MS = 60_000

PROVIDER_QUERY = """\
{
  provider(domain: "%s") {
    name
    domain
    articleCount
    articles(first: 1, filter: {hasRecord: true}) {
      nodes {
        title
        url
        related {
          title
          url
          provider {
            name
            domain
          }
        }
      }
    }
  }
}
"""


# --- what the data says, read from the record files by tests/records.py ----------------


def expected_provider(records: Records, domain: str, first: int) -> dict[str, Any]:
    """The provider → articles with a record → related → provider walk, as JSON."""
    provider = records.providers[domain]
    own = [url for url in provider.articles if records.articles[url].has_record]
    return {
        "name": provider.name,
        "domain": domain,
        "articleCount": len(provider.articles),
        "articles": {"nodes": [expected_article(records, url) for url in own[:first]]},
    }


def expected_article(records: Records, url: str) -> dict[str, Any]:
    related = []
    for link in records.articles[url].related:
        domain = records.articles[link].provider
        provider = None if domain is None else records.providers[domain]
        related.append(
            {
                "title": records.articles[link].title,
                "url": link,
                "provider": provider and {"name": provider.name, "domain": domain},
            }
        )
    return {"title": records.articles[url].title, "url": url, "related": related}


def busiest_provider(records: Records) -> str:
    counts = sorted((len(p.articles), p.domain) for p in records.providers.values())
    if len(counts) > 1 and counts[-1][0] == counts[-2][0]:
        pytest.fail(f"{DATA}: two providers tie for most articles; the order between them is open")
    return counts[-1][1]


def provider_with_taxonomy(records: Records) -> str:
    """A provider named by a taxonomy entry, whose newest record lists related articles.

    The taxonomy entry fixes the name whatever the records call the provider; the busiest
    provider is passed over, since the default query already shows it.
    """
    busiest = busiest_provider(records)
    for domain, provider in sorted(records.providers.items()):
        own = [url for url in provider.articles if records.articles[url].has_record]
        named = provider.images is not None and domain != busiest
        if named and own and records.articles[own[0]].related:
            return domain
    pytest.fail(f"{DATA} has no provider fit for the browser test")


# --- the browser -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = require_chromium()
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Visit:
    """A fresh browser tab, and every request it made."""

    page: Page
    requests: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def visit(browser: Browser) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    seen = Visit(context.new_page())
    seen.page.on("request", lambda request: seen.requests.append(request.url))
    seen.page.on("pageerror", lambda error: seen.errors.append(str(error)))

    def keep_on_loopback(route: Route, request: Request) -> None:
        # Whatever the assertions say, nothing leaves this machine.
        if is_loopback(request.url):
            route.continue_()
        else:
            seen.refused.append(request.url)
            route.abort("internetdisconnected")

    context.route("**/*", keep_on_loopback)
    yield seen
    context.close()


def screenshot(page: Page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def editor_text(page: Page, selector: str) -> str:
    # CodeMirror draws only the lines in view; its own value is the whole text.
    return page.locator(selector).evaluate("element => element.CodeMirror.getValue()")


def open_playground(visit: Visit, base_url: str) -> Page:
    page = visit.page
    page.goto(f"{base_url}/graphql")
    page.locator(QUERY_EDITOR).wait_for()
    return page


def run(page: Page, expected_text: str) -> dict[str, Any]:
    """Press the run button, wait until the result pane shows `expected_text`, parse it."""
    page.locator(".graphiql-execute-button").click()
    page.locator(RESULT_PANE).get_by_text(expected_text).first.wait_for()
    return json.loads(editor_text(page, RESULT_EDITOR))


def assert_stayed_on_loopback(visit: Visit) -> None:
    assert visit.refused == []
    assert visit.requests and all(is_loopback(url) for url in visit.requests)


# --- the server ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records() -> Records:
    records = Records(DATA)
    if not records.articles:
        pytest.fail(f"{DATA} serves no articles: the default data set is missing")
    return records


@pytest.fixture(scope="module")
def server_url(data_server: LiveServer) -> str:
    """The real server over `data/` (tests/conftest.py), once the playground can be offline."""
    if not playground.assets_available():
        reason = "the playground's npm packages are not installed: run `make assets`"
        if os.environ.get("CI"):
            pytest.fail(f"CI must serve the playground offline; {reason}")
        pytest.skip(reason)
    return data_server.base_url


# --- the tests -------------------------------------------------------------------------


# The first open of the playground (its name, example tabs, default query) is tested in
# tests/test_front_browser.py.


def test_typed_query_shows_the_provider_from_the_data(
    server_url: str, visit: Visit, records: Records
) -> None:
    domain = provider_with_taxonomy(records)
    expected = expected_provider(records, domain, first=1)
    query = PROVIDER_QUERY % domain
    page = open_playground(visit, server_url)

    page.locator(QUERY_EDITOR).click()
    page.keyboard.press("ControlOrMeta+A")
    # insert_text arrives as one input event, so the editor's bracket auto-closing,
    # which reacts to key presses, does not double the braces.
    page.keyboard.insert_text(query)
    assert editor_text(page, QUERY_EDITOR) == query
    # GraphiQL takes an edit into its tab state a moment after the editor shows it; a
    # run before then sends the tab's previous query. The tab's title follows the new
    # text (an anonymous query is "<untitled>") once it has been taken.
    page.locator(".graphiql-tab-active").get_by_text("<untitled>").wait_for()

    result = run(page, json.dumps(expected["name"], ensure_ascii=False))
    screenshot(page, "playground-provider-query")

    assert result == {"data": {"provider": expected}, "extensions": ANY}
    assert visit.errors == []
    assert_stayed_on_loopback(visit)


def test_without_its_scripts_the_page_says_how_to_get_them(visit: Visit) -> None:
    async def page_without_assets(request: HTTPRequest) -> HTMLResponse:
        return HTMLResponse(playground.playground_html("/graphql", assets_url=None))

    app = Starlette(routes=[HTTPRoute("/graphql", page_without_assets)])
    with serve(app) as base_url:
        visit.page.goto(f"{base_url}/graphql")
        message = visit.page.get_by_text("did not load")
        message.wait_for()
        screenshot(visit.page, "playground-without-scripts")

    assert "make assets" in message.inner_text()
    # The page asked for the pinned CDN files, and the test refused them all.
    cdn_urls = [asset.cdn_url for asset in playground.ASSETS]
    assert sorted(visit.refused) == sorted(cdn_urls)
