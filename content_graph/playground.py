"""The GraphQL playground: our own page that boots GraphiQL against the API.

Strawberry's stock page loads its scripts from a public CDN, which a machine without
internet cannot reach. This page loads the same scripts from the npm packages named in
package.json, installed into node_modules and served by `assets_mount()`; only where they
are not installed does it fall back to the CDN, each file pinned by a Subresource Integrity
hash so that a CDN serving different bytes gets the file refused rather than run.
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

ASSETS_PATH = "/playground/assets"
ASSETS_ENV = "CONTENT_GRAPH_ASSETS"
CDN_URL = "https://cdn.jsdelivr.net/npm"

DEFAULT_QUERY = """\
# Welcome to the content-graph playground.
#
# This query walks the graph: the provider with
# the most articles, its newest articles that
# have a record of their own, the articles each
# one lists as related, and who publishes those.
# Run it with the button on the right or
# Ctrl-Enter; the Docs button on the left lists
# every type and field.

{
  providers(
    first: 1
    orderBy: {field: ARTICLE_COUNT, direction: DESC}
  ) {
    nodes {
      name
      domain
      articleCount
      articles(first: 5, filter: {hasRecord: true}) {
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
}
"""


@dataclass(frozen=True, slots=True)
class Asset:
    """One browser file taken from an npm package, at the version package.json pins."""

    package: str
    version: str
    path: str
    integrity: str
    media_type: str

    @property
    def name(self) -> str:
        # The version is part of the served name so browsers may cache a file for good:
        # a new version is a new URL.
        return f"{self.package}@{self.version}/{Path(self.path).name}"

    @property
    def cdn_url(self) -> str:
        return f"{CDN_URL}/{self.package}@{self.version}/{self.path}"


# GraphiQL 5 ships ES modules only; the 3.x UMD bundle (graphql-js inside, React and
# ReactDOM taken from globals) runs without a bundler, and React 18 is the last React
# with the UMD builds that provide those globals.
REACT = Asset(
    "react",
    "18.3.1",
    "umd/react.production.min.js",
    "sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z",
    "text/javascript",
)
REACT_DOM = Asset(
    "react-dom",
    "18.3.1",
    "umd/react-dom.production.min.js",
    "sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1",
    "text/javascript",
)
GRAPHIQL_JS = Asset(
    "graphiql",
    "3.9.0",
    "graphiql.min.js",
    "sha384-8NGfVj4CVlqHajlZj+bPJT4thxPMHMJYn7DWK2CvtopLd02E7qsPHazniBYvVjOO",
    "text/javascript",
)
GRAPHIQL_CSS = Asset(
    "graphiql",
    "3.9.0",
    "graphiql.min.css",
    "sha384-QMux00XgRtwRLSYIY3kw2rj1ovk5AuuliAchk+HSQbqdbGFnz9GYuqIlOqxhwCE2",
    "text/css",
)
SCRIPTS = (REACT, REACT_DOM, GRAPHIQL_JS)
ASSETS = (*SCRIPTS, GRAPHIQL_CSS)


# Where a built wheel carries the files, laid out like node_modules (setup.py puts them
# there), so that an installed server's pages work offline with no checkout beside it.
PACKAGED_ASSETS = Path(__file__).resolve().with_name("assets")


def asset_folders() -> tuple[Path, ...]:
    """The folders laid out like node_modules to serve from, the first holding a file wins.

    $CONTENT_GRAPH_ASSETS alone when set; else the package's own copy (an installed
    wheel), then the repository's node_modules (a checkout, after `make assets`).
    """
    configured = os.environ.get(ASSETS_ENV)
    if configured:
        return (Path(configured).expanduser(),)
    return (PACKAGED_ASSETS, Path(__file__).resolve().parents[1] / "node_modules")


def installed_file(asset: Asset) -> Path | None:
    """The asset's file in the first folder that has it, or None when none does."""
    for folder in asset_folders():
        file = _installed_in(folder, asset)
        if file is not None:
            return file
    return None


def _installed_in(folder: Path, asset: Asset) -> Path | None:
    """The asset's file in `folder`, or None when missing or of another version.

    A different installed version would not match the page's expectations (nor its
    integrity hash on the CDN side), so it counts as not installed.
    """
    package_dir = folder / asset.package
    try:
        manifest = json.loads((package_dir / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("version") != asset.version:
        return None
    file = package_dir / asset.path
    return file if file.is_file() else None


def assets_available() -> bool:
    """True when every file the page needs is installed, so the page can work offline."""
    return all(installed_file(asset) is not None for asset in ASSETS)


def assets_mount(path: str = ASSETS_PATH) -> Mount:
    """Serve exactly the page's files from node_modules under `path`.

    One fixed route per file: nothing else in node_modules is reachable, there is no
    listing, and no part of the request URL ever becomes part of a file path.
    """
    routes = [
        Route(f"/{asset.name}", _file_endpoint(asset), methods=["GET", "HEAD"]) for asset in ASSETS
    ]
    return Mount(path, routes=routes, name="playground-assets")


def _file_endpoint(asset: Asset) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        file = installed_file(asset)
        if file is None:
            return PlainTextResponse(
                f"{asset.package}@{asset.version} is not installed: run `make assets`.",
                status_code=404,
            )
        return FileResponse(
            file,
            media_type=asset.media_type,
            headers={"Cache-Control": "public, max-age=31536000, immutable"},
        )

    return endpoint


def playground_html(endpoint: str, *, assets_url: str | None) -> str:
    """The playground page, running queries against `endpoint`.

    `assets_url` is where `assets_mount()` serves the files (normally `ASSETS_PATH`, when
    `assets_available()`); None loads them from the CDN instead.
    """
    stylesheet = _tag(GRAPHIQL_CSS, assets_url)
    scripts = "\n    ".join(_tag(asset, assets_url) for asset in SCRIPTS)
    return _PAGE.format(
        stylesheet=stylesheet,
        scripts=scripts,
        endpoint_text=html.escape(endpoint),
        config=_script_json(
            {"endpoint": endpoint, "query": DEFAULT_QUERY, "source": assets_url or CDN_URL}
        ),
    )


def _tag(asset: Asset, assets_url: str | None) -> str:
    if assets_url is None:
        url = asset.cdn_url
        pinned = f' integrity="{asset.integrity}" crossorigin="anonymous"'
    else:
        url = f"{assets_url.rstrip('/')}/{asset.name}"
        pinned = ""
    url = html.escape(url)
    if asset.media_type == "text/css":
        return f'<link rel="stylesheet" href="{url}"{pinned}>'
    return f'<script src="{url}"{pinned}></script>'


def _script_json(value: object) -> str:
    # JSON inside <script>: escape "<" so no value can close the element early.
    return json.dumps(value).replace("<", "\\u003c")


_PAGE = """\
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>content-graph playground</title>
    {stylesheet}
    <style>
      html, body, #playground {{ height: 100%; margin: 0; }}
      .playground-message {{ font: 16px/1.5 system-ui, sans-serif; padding: 2rem; }}
    </style>
  </head>
  <body>
    <div id="playground">
      <p class="playground-message">Loading the playground&hellip;</p>
    </div>
    <noscript>
      <p class="playground-message">The playground needs JavaScript. The API itself
      answers GraphQL requests POSTed to {endpoint_text}.</p>
    </noscript>
    {scripts}
    <script>
      (function () {{
        const config = {config};
        const container = document.getElementById("playground");
        if (typeof GraphiQL === "undefined" || typeof ReactDOM === "undefined") {{
          container.innerHTML = '<p class="playground-message"></p>';
          container.firstChild.textContent =
            "The playground's scripts did not load from " + config.source +
            ". Run `make assets` (npm install) so the server can serve them itself.";
          return;
        }}
        // Subscriptions go over a websocket to the same path (graphql-transport-ws,
        // with the graphql-ws client that the GraphiQL bundle carries).
        const socket = new URL(config.endpoint, window.location.href);
        socket.protocol = socket.protocol === "https:" ? "wss:" : "ws:";
        const fetcher = GraphiQL.createFetcher({{
          url: config.endpoint,
          subscriptionUrl: socket.href,
        }});
        ReactDOM.createRoot(container).render(
          React.createElement(GraphiQL, {{ fetcher: fetcher, defaultQuery: config.query }})
        );
      }})();
    </script>
  </body>
</html>
"""
