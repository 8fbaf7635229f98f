"""The pages a person opens first: the front door at `/`, the graph explorer, the icon.

The front door lists where everything is (playground, explorer, schema, health checks)
and what data is loaded. The explorer draws a provider's or topic's neighbourhood with
cytoscape, served from node_modules by the playground's asset routes (same offline
files, same CDN fallback); its own script is `static/explorer.js`, no build step.
"""

from __future__ import annotations

import html
from collections.abc import Awaitable, Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from content_graph import playground
from graph.model import ContentGraph

STATIC_DIR = Path(__file__).resolve().parent / "static"
STATIC_PATH = "/static"
FAVICON = STATIC_DIR / "favicon.svg"
GRAPHQL_PATH = "/graphql"


def routes(*, browser_pages: bool) -> list[BaseRoute]:
    """The front door, the icon and our static files; with `browser_pages` (the
    playground is on) also the explorer, which links every node to the playground."""
    found: list[BaseRoute] = [
        Route(playground.HOME_PATH, _front_door(browser_pages), methods=["GET", "HEAD"]),
        Route("/favicon.svg", favicon, methods=["GET", "HEAD"]),
        # Browsers ask for /favicon.ico on pages without an icon link (the SDL, JSON).
        Route("/favicon.ico", favicon, methods=["GET", "HEAD"]),
        Mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="static"),
    ]
    if browser_pages:
        assets_url = (
            playground.ASSETS_PATH
            if playground.assets_available(playground.EXPLORER_ASSETS)
            else None
        )

        async def explorer(request: Request) -> Response:
            return HTMLResponse(explorer_html(GRAPHQL_PATH, assets_url=assets_url))

        found.append(Route(playground.EXPLORER_PATH, explorer, methods=["GET", "HEAD"]))
    return found


async def favicon(request: Request) -> Response:
    return FileResponse(
        FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


def _front_door(browser_pages: bool) -> Callable[[Request], Awaitable[Response]]:
    async def front_door(request: Request) -> Response:
        graph: ContentGraph | None = request.app.state.graph
        error: str | None = request.app.state.load_error
        base_url = str(request.base_url).rstrip("/")
        return HTMLResponse(
            front_door_html(graph, error, base_url=base_url, browser_pages=browser_pages)
        )

    return front_door


def front_door_html(
    graph: ContentGraph | None, error: str | None, *, base_url: str, browser_pages: bool
) -> str:
    """The index page: links to every part of the server, and the loaded data's figures."""
    links = []
    if browser_pages:
        links += [
            (GRAPHQL_PATH, "Playground", "write and run queries, with examples in tabs"),
            (playground.EXPLORER_PATH, "Explorer", "a picture of the graph around a node"),
        ]
    links += [
        ("/schema.graphql", "Schema", "the API in SDL"),
        ("/healthz", "/healthz", "alive"),
        ("/readyz", "/readyz", "ready, with the loaded data's figures"),
    ]
    items = "\n".join(
        f'        <li><a href="{html.escape(href)}">{html.escape(text)}</a>'
        f" <span>{html.escape(about)}</span></li>"
        for href, text, about in links
    )
    return _FRONT_PAGE.format(
        links=items, data=_data_html(graph, error), graphql_url=html.escape(base_url + GRAPHQL_PATH)
    )


def _data_html(graph: ContentGraph | None, error: str | None) -> str:
    if graph is None:
        if error:
            return f'<p class="data failed">The data could not be loaded: {html.escape(error)}</p>'
        return '<p class="data loading">Loading the data&hellip; reload this page in a moment.</p>'
    stats = graph.stats
    figures = [
        ("articles", f"{stats.articles:,}"),
        ("providers", f"{stats.providers:,}"),
        ("topics", f"{stats.topics:,}"),
        ("version", stats.version),
    ]
    cells = "".join(
        f'<div id="stat-{name}"><dt>{name}</dt><dd>{html.escape(value)}</dd></div>'
        for name, value in figures
    )
    loaded = html.escape(stats.loaded_at.isoformat(timespec="seconds"))
    return f'<dl class="data">{cells}</dl>\n      <p class="loaded">Loaded at {loaded}.</p>'


def explorer_html(endpoint: str, *, assets_url: str | None) -> str:
    """The explorer page; `assets_url` as for `playground.playground_html`."""
    config = {
        "endpoint": endpoint,
        "playground": GRAPHQL_PATH,
        "source": assets_url or playground.CDN_URL,
    }
    return _EXPLORER_PAGE.format(
        cytoscape=playground.asset_tag(playground.CYTOSCAPE, assets_url),
        config=playground.script_json(config),
        static=STATIC_PATH,
    )


_HEAD = """\
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="icon" href="/favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="{static}/site.css">"""

_FRONT_PAGE = (
    """\
<!doctype html>
<html lang="en">
  <head>
"""
    + _HEAD.format(static=STATIC_PATH)
    + """
    <title>content-graph</title>
  </head>
  <body class="front">
    <header><img src="/favicon.svg" alt="" width="40" height="40"><h1>content-graph</h1></header>
    <main>
      <p>A GraphQL API over a folder of news records: articles, their providers, topics
      and related-article links.</p>
      {data}
      <ul class="links">
{links}
      </ul>
      <p>From a terminal:</p>
      <pre>curl -s {graphql_url} -H 'Content-Type: application/json' \\
  -d '{{"query": "{{ stats {{ articles providers topics }} }}"}}'</pre>
    </main>
  </body>
</html>
"""
)

_EXPLORER_PAGE = (
    """\
<!doctype html>
<html lang="en">
  <head>
"""
    + _HEAD
    + """
    <title>content-graph explorer</title>
  </head>
  <body class="explorer">
    <header>
      <a href="/" class="home"><img src="/favicon.svg" alt="" width="28" height="28"></a>
      <h1><a href="/">content-graph</a> explorer</h1>
      <form id="pick" autocomplete="off">
        <input id="pick-input" list="pick-choices" placeholder="a provider or a topic"
          aria-label="Provider or topic">
        <datalist id="pick-choices"></datalist>
        <button type="submit">Show</button>
      </form>
      <a href="/graphql" class="to-playground">playground</a>
    </header>
    <div id="status" role="status"></div>
    <main>
      <div id="graph"></div>
      <aside id="panel">
        <p class="hint">Click a node to draw its neighbours; the panel links to the query
        that fetched them, ready to run in the playground.</p>
        <div id="selected" hidden>
          <p class="kind"></p>
          <h2 class="label"></h2>
          <p><a class="query-link" href="#">Open its query in the playground</a></p>
          <p><a class="page-link" href="#" target="_blank" rel="noreferrer">Read the article</a></p>
        </div>
        <ul class="legend">
          <li><span class="dot provider"></span>provider</li>
          <li><span class="dot article"></span>article with a record</li>
          <li><span class="dot link-only"></span>article known from a link</li>
          <li><span class="dot topic"></span>topic</li>
          <li><span class="line related"></span>lists as related</li>
        </ul>
      </aside>
    </main>
    <script type="application/json" id="explorer-config">{config}</script>
    {cytoscape}
    <script src="{static}/explorer.js"></script>
  </body>
</html>
"""
)
