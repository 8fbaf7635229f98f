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
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route

from content_graph.examples import Example, load_examples
from content_graph.settings import shipped_folder

ASSETS_PATH = "/playground/assets"
ASSETS_ENV = "CONTENT_GRAPH_ASSETS"
CDN_URL = "https://cdn.jsdelivr.net/npm"

HOME_PATH = "/"
EXPLORER_PATH = "/explorer"

EXAMPLES_DIR = shipped_folder("examples")
# The first tab: the README's first query (provider -> articles -> related -> provider).
DEFAULT_EXAMPLE = "provider-network"
EXAMPLES = load_examples(EXAMPLES_DIR, DEFAULT_EXAMPLE)
# Without the examples folder (a copy installed without it) the page still opens with a
# query that runs on any data.
DEFAULT_QUERY = EXAMPLES[0].query if EXAMPLES else "{ stats { articles providers topics } }\n"


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
# The explorer's graph drawing (content_graph/front.py); a UMD build, window.cytoscape.
CYTOSCAPE = Asset(
    "cytoscape",
    "3.35.0",
    "dist/cytoscape.min.js",
    "sha384-kp3V5E6ICGTVK17un/PMnK9szzrW0dQW+dEyUb3B7dKhimb1EVzqm1wZ/Ulo7BJf",
    "text/javascript",
)
EXPLORER_ASSETS = (CYTOSCAPE,)
SERVED_ASSETS = (*ASSETS, *EXPLORER_ASSETS)


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


def assets_available(assets: Sequence[Asset] = ASSETS) -> bool:
    """True when every file a page needs (the playground's by default) is installed, so
    the page can work offline."""
    return all(installed_file(asset) is not None for asset in assets)


def assets_mount(path: str = ASSETS_PATH) -> Mount:
    """Serve exactly the pages' files (`SERVED_ASSETS`) from node_modules under `path`.

    One fixed route per file: nothing else in node_modules is reachable, there is no
    listing, and no part of the request URL ever becomes part of a file path.
    """
    routes = [
        Route(f"/{asset.name}", _file_endpoint(asset), methods=["GET", "HEAD"])
        for asset in SERVED_ASSETS
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


def playground_html(
    endpoint: str, *, assets_url: str | None, examples: Sequence[Example] = EXAMPLES
) -> str:
    """The playground page, running queries against `endpoint`, one tab per example.

    `assets_url` is where `assets_mount()` serves the files (normally `ASSETS_PATH`, when
    `assets_available()`); None loads them from the CDN instead. A link may name a query
    to open in the URL's fragment, `#query=...&variables=...` (the explorer's links do):
    the fragment never reaches the server, so a GET with `?query=` keeps meaning "run it".
    """
    stylesheet = asset_tag(GRAPHIQL_CSS, assets_url)
    scripts = "\n    ".join(asset_tag(asset, assets_url) for asset in SCRIPTS)
    tabs = [{"query": example.query, "variables": example.variables} for example in examples]
    config = {
        "endpoint": endpoint,
        "tabs": tabs or [{"query": DEFAULT_QUERY, "variables": None}],
        "source": assets_url or CDN_URL,
        "home": HOME_PATH,
        "explorer": EXPLORER_PATH,
    }
    return _PAGE.format(
        stylesheet=stylesheet,
        scripts=scripts,
        endpoint_text=html.escape(endpoint),
        config=script_json(config),
    )


def asset_tag(asset: Asset, assets_url: str | None) -> str:
    """The <script> or <link> element that loads `asset` from `assets_url`, else the CDN."""
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


def script_json(value: object) -> str:
    """`value` as JSON to place inside a <script> element."""
    # JSON inside <script>: escape "<" so no value can close the element early.
    return json.dumps(value).replace("<", "\\u003c")


_PAGE = """\
<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>content-graph playground</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml">
    {stylesheet}
    <style>
      html, body, #playground {{ height: 100%; margin: 0; }}
      .playground-message {{ font: 16px/1.5 system-ui, sans-serif; padding: 2rem; }}
      .graphiql-container .graphiql-logo {{ display: flex; gap: 0.75em; align-items: baseline; }}
      .graphiql-logo .content-graph-name {{ font-weight: 600; color: hsl(var(--color-neutral)); }}
      .graphiql-logo a {{ color: inherit; text-decoration: none; }}
      .graphiql-logo a:hover {{ text-decoration: underline; }}
      .graphiql-logo .content-graph-link {{ font-size: 0.7em; opacity: 0.75; }}
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
        // A query named in the fragment (#query=...&variables=...) opens in a tab of its
        // own, before the examples. GraphiQL takes `defaultTabs` on a first visit, and
        // once it has tabs saved it selects (or adds) the one matching the `query` and
        // `variables` props; it fills the editors from those props only, never from the
        // first tab, so they are given in both cases.
        const linked = new URLSearchParams(window.location.hash.slice(1));
        let tabs = config.tabs;
        if (linked.get("query")) {{
          tabs = [{{ query: linked.get("query"), variables: linked.get("variables") }}]
            .concat(tabs);
        }}
        const opened = tabs[0];
        const props = {{
          fetcher: fetcher,
          defaultTabs: tabs,
          query: opened.query,
          variables: opened.variables || undefined,
          defaultEditorToolsVisibility: opened.variables ? "variables" : false,
        }};
        const h = React.createElement;
        const logo = h(GraphiQL.Logo, null,
          h("a", {{ className: "content-graph-name", href: config.home }}, "content-graph"),
          h("a", {{ className: "content-graph-link", href: config.explorer }}, "explorer"));
        ReactDOM.createRoot(container).render(h(GraphiQL, props, logo));
      }})();
    </script>
  </body>
</html>
"""
