"""The graph explorer in a real headless Chromium: what it draws is what the API answers.

The expected drawing is built here from the API's own answer to a query written for the
test: one node per provider, article and topic in the neighbourhood, one edge per
"publishes", "has topic" and "lists as related" link among them.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from browser_helpers import serve
from conftest import LiveServer
from starlette.applications import Starlette
from starlette.requests import Request as HTTPRequest
from starlette.responses import HTMLResponse
from starlette.routing import Mount
from starlette.routing import Route as HTTPRoute
from starlette.staticfiles import StaticFiles
from test_browser import (  # noqa: F401 (the fixtures)
    QUERY_EDITOR,
    RESULT_PANE,
    Visit,
    assert_stayed_on_loopback,
    browser,
    editor_text,
    run,
    screenshot,
    server_url,
    visit,
)
from test_front_browser import VARIABLES_EDITOR

from content_graph import front, playground

ARTICLE = """
fragment Drawn on Article {
  id
  provider { id }
  topics { id }
  related { id provider { id } }
}"""
PROVIDER = (
    """
query($domain: String!, $first: Int!) {
  provider(domain: $domain) {
    id
    articles(first: $first, filter: {hasRecord: true}) { nodes { ...Drawn } }
  }
}"""
    + ARTICLE
)
TOPIC = (
    """
query($name: String!, $first: Int!) {
  topic(name: $name) {
    id
    articles(first: $first, filter: {hasRecord: true}) { nodes { ...Drawn } }
  }
}"""
    + ARTICLE
)
NEIGHBOURS = (
    """
query($id: ID!, $first: Int!) {
  article(id: $id) {
    ...Drawn
    relatedFrom(first: $first) { nodes { ...Drawn } }
  }
}"""
    + ARTICLE
)
BUSIEST = (
    "{ providers(first: 2, orderBy: {field: ARTICLE_COUNT, direction: DESC}) { nodes { domain } } }"
)

Drawing = tuple[set[str], set[tuple[str, str, str]]]


# --- the expected drawing, from the API --------------------------------------------------


def article_links(
    article: dict[str, Any], nodes: set[str], edges: set[tuple[str, str, str]]
) -> None:
    nodes.add(article["id"])
    if article.get("provider"):
        nodes.add(article["provider"]["id"])
        edges.add(("publishes", article["provider"]["id"], article["id"]))
    for topic in article.get("topics", []):
        nodes.add(topic["id"])
        edges.add(("topic", article["id"], topic["id"]))
    for other in article.get("related", []):
        article_links(other, nodes, edges)
        edges.add(("related", article["id"], other["id"]))


def neighbourhood(server: LiveServer, kind: str, key: str, first: int) -> Drawing:
    query, name = {"provider": (PROVIDER, "domain"), "topic": (TOPIC, "name")}.get(
        kind, (NEIGHBOURS, "id")
    )
    answer = server.graphql(query, variables={name: key, "first": first})
    assert "errors" not in answer, answer
    centre = answer["data"][kind]
    nodes, edges = {centre["id"]}, set()
    if kind == "article":
        article_links(centre, nodes, edges)
        for other in centre["relatedFrom"]["nodes"]:
            article_links(other, nodes, edges)
            edges.add(("related", other["id"], centre["id"]))
    for article in centre.get("articles", {}).get("nodes", []):
        article_links(article, nodes, edges)
        if kind == "topic":
            edges.add(("topic", article["id"], centre["id"]))
    return nodes, {edge for edge in edges if edge[1] != edge[2]}


# --- the page ---------------------------------------------------------------------------


def wait_for_draws(seen: Visit, count: int) -> None:
    seen.page.wait_for_function(
        "count => window.contentGraphExplorer && window.contentGraphExplorer.draws >= count"
        " && !window.contentGraphExplorer.busy",
        arg=count,
    )


def drawn(seen: Visit) -> Drawing:
    nodes, edges = seen.page.evaluate(
        """() => {
            const cy = window.contentGraphExplorer.cy;
            return [
              cy.nodes().map((node) => node.id()),
              cy.edges().map((edge) => ["kind", "source", "target"].map((k) => edge.data(k))),
            ];
        }"""
    )
    return set(nodes), {tuple(edge) for edge in edges}


def click_node(seen: Visit, node_id: str) -> None:
    """A real mouse click on the node's place on the canvas."""
    x, y = seen.page.evaluate(
        """(id) => {
            const position = window.contentGraphExplorer.cy.getElementById(id).renderedPosition();
            const box = document.getElementById("graph").getBoundingClientRect();
            return [box.left + position.x, box.top + position.y];
        }""",
        node_id,
    )
    seen.page.mouse.click(x, y)


def loneliest_node(seen: Visit, kind: str) -> dict[str, str]:
    """The unexpanded node of `kind` farthest from any other, so a click hits it alone."""
    return seen.page.evaluate(
        """(kind) => {
            const cy = window.contentGraphExplorer.cy;
            let best = null, bestGap = -1;
            cy.nodes(`[kind = "${kind}"][!expanded]`).forEach((node) => {
              const p = node.renderedPosition();
              let gap = Infinity;
              cy.nodes().forEach((other) => {
                if (other === node) return;
                const q = other.renderedPosition();
                gap = Math.min(gap, Math.hypot(p.x - q.x, p.y - q.y));
              });
              if (gap > bestGap) { best = node; bestGap = gap; }
            });
            return { id: best.id(), key: best.data("key"), label: best.data("label") };
        }""",
        kind,
    )


def open_explorer(seen: Visit, base_url: str) -> int:
    """Open the explorer; the number of articles it draws per node."""
    seen.page.goto(f"{base_url}/explorer")
    wait_for_draws(seen, 1)
    return seen.page.evaluate("window.contentGraphExplorer.articlesPerNode")


# --- the tests --------------------------------------------------------------------------


def test_explorer_draws_the_busiest_provider_as_the_api_answers(
    server_url: str,  # noqa: F811
    visit: Visit,  # noqa: F811
    data_server: LiveServer,
) -> None:
    first = open_explorer(visit, server_url)
    screenshot(visit.page, "explorer-provider")

    busiest = data_server.graphql(BUSIEST)["data"]["providers"]["nodes"][0]["domain"]
    expected = neighbourhood(data_server, "provider", busiest, first)
    assert drawn(visit) == expected
    assert len(expected[0]) > first  # articles, and more than articles
    assert "error" not in (visit.page.locator("#status").get_attribute("class") or "")
    assert visit.errors == []
    assert_stayed_on_loopback(visit)


def test_clicking_a_node_adds_its_neighbourhood_and_links_its_query(
    server_url: str,  # noqa: F811
    visit: Visit,  # noqa: F811
    data_server: LiveServer,
) -> None:
    first = open_explorer(visit, server_url)
    before = drawn(visit)
    topic = loneliest_node(visit, "topic")

    click_node(visit, topic["id"])
    wait_for_draws(visit, 2)
    screenshot(visit.page, "explorer-expanded")

    added = neighbourhood(data_server, "topic", topic["key"], first)
    after = drawn(visit)
    assert after == (before[0] | added[0], before[1] | added[1])
    assert after[0] > before[0], "the topic brought no new node"
    panel = visit.page.locator("#selected")
    assert panel.locator(".label").inner_text() == topic["label"]

    # The panel's link opens the query that drew the topic, in the playground.
    link = panel.get_by_role("link", name="Open its query in the playground")
    href = link.get_attribute("href") or ""
    linked = parse_qs(urlsplit(href).fragment)
    assert urlsplit(href).path == "/graphql"
    assert "query TopicNeighbourhood(" in linked["query"][0]
    assert json.loads(linked["variables"][0]) == {"name": topic["key"], "first": first}
    link.click()
    page = visit.page
    page.locator(QUERY_EDITOR).wait_for()
    assert editor_text(page, QUERY_EDITOR) == linked["query"][0]
    assert json.loads(editor_text(page, VARIABLES_EDITOR)) == {"name": topic["key"], "first": first}
    result = run(page, json.dumps(topic["label"]))
    screenshot(page, "explorer-query-in-playground")
    assert result["data"]["topic"]["name"] == topic["label"]
    assert {article["id"] for article in result["data"]["topic"]["articles"]["nodes"]} <= added[0]
    assert visit.errors == []
    assert_stayed_on_loopback(visit)


def test_clicking_an_article_adds_what_it_links_and_what_links_to_it(
    server_url: str,  # noqa: F811
    visit: Visit,  # noqa: F811
    data_server: LiveServer,
) -> None:
    first = open_explorer(visit, server_url)
    before = drawn(visit)
    article = loneliest_node(visit, "article")

    click_node(visit, article["id"])
    wait_for_draws(visit, 2)
    screenshot(visit.page, "explorer-article-expanded")

    added = neighbourhood(data_server, "article", article["id"], first)
    assert drawn(visit) == (before[0] | added[0], before[1] | added[1])
    assert visit.page.locator("#selected .label").inner_text() == article["label"]
    assert visit.errors == []
    assert_stayed_on_loopback(visit)


def test_picking_a_provider_draws_it_alone(
    server_url: str,  # noqa: F811
    visit: Visit,  # noqa: F811
    data_server: LiveServer,
) -> None:
    first = open_explorer(visit, server_url)
    second = data_server.graphql(BUSIEST)["data"]["providers"]["nodes"][1]["domain"]
    field = visit.page.locator("#pick-input")
    field.fill(second)
    field.press("Enter")
    wait_for_draws(visit, 2)
    screenshot(visit.page, "explorer-picked")

    assert drawn(visit) == neighbourhood(data_server, "provider", second, first)
    assert urlsplit(visit.page.url).fragment == f"provider={second}"
    assert visit.errors == []
    assert_stayed_on_loopback(visit)


def test_an_unknown_name_is_said_plainly(
    server_url: str,  # noqa: F811
    visit: Visit,  # noqa: F811
) -> None:
    open_explorer(visit, server_url)
    field = visit.page.locator("#pick-input")
    field.fill("no-such-topic-anywhere")
    field.press("Enter")
    wait_for_draws(visit, 2)
    status = visit.page.locator("#status")
    assert status.inner_text() == 'No topic named "no-such-topic-anywhere" in the data.'
    assert "error" in (status.get_attribute("class") or "")


def test_without_cytoscape_the_page_says_how_to_get_it(visit: Visit) -> None:  # noqa: F811
    async def page_without_assets(request: HTTPRequest) -> HTMLResponse:
        return HTMLResponse(front.explorer_html("/graphql", assets_url=None))

    app = Starlette(
        routes=[
            HTTPRoute("/explorer", page_without_assets),
            HTTPRoute("/favicon.svg", front.favicon),
            Mount(front.STATIC_PATH, StaticFiles(directory=front.STATIC_DIR)),
        ]
    )
    with serve(app) as base_url:
        visit.page.goto(f"{base_url}/explorer")
        message = visit.page.get_by_text("did not load")
        message.wait_for()
        screenshot(visit.page, "explorer-without-scripts")

    assert "make assets" in message.inner_text()
    assert visit.refused == [playground.CYTOSCAPE.cdn_url]
    assert httpx.URL(visit.requests[0]).path == "/explorer"
