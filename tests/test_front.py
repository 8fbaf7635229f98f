"""The front door, the icon and the explorer page, over HTTP from real uvicorn servers."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from browser_helpers import serve
from conftest import DATA_DIR, POLL_INTERVAL, READY_TIMEOUT, LiveServer

from content_graph import front, playground
from content_graph.app import create_app
from content_graph.settings import Limits, Settings


def wait_until_ready(url: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while httpx.get(url).status_code != 200:
        assert time.monotonic() < deadline, f"{url} was not ready after {READY_TIMEOUT}s"
        time.sleep(POLL_INTERVAL)


HREF = re.compile(r'<a href="([^"]+)"')
EXPECTED_LINKS = ["/graphql", "/explorer", "/schema.graphql", "/healthz", "/readyz"]


@pytest.fixture(scope="module")
def without_browser_pages() -> Iterator[str]:
    """A server over data/ with --no-graphiql, in this process."""
    app = create_app(Settings(data_dir=DATA_DIR, limits=Limits(graphiql=False)))
    with serve(app) as base_url:
        wait_until_ready(f"{base_url}/readyz")
        yield base_url


def test_front_door_links_every_part_and_each_link_answers(data_server: LiveServer) -> None:
    page = httpx.get(data_server.base_url + "/", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    links = HREF.findall(page.text)
    assert links == EXPECTED_LINKS
    for link in links:
        answer = httpx.get(data_server.base_url + link, headers={"Accept": "text/html"})
        assert answer.status_code == 200, link
    assert '<link rel="icon" href="/favicon.svg"' in page.text
    assert f"curl -s {data_server.base_url}/graphql" in page.text


def test_front_door_shows_the_figures_of_the_loaded_data(data_server: LiveServer) -> None:
    ready = httpx.get(f"{data_server.base_url}/readyz").json()
    page = httpx.get(data_server.base_url + "/").text
    for name in ("articles", "providers", "topics"):
        assert f'<div id="stat-{name}"><dt>{name}</dt><dd>{ready[name]:,}</dd></div>' in page
    assert f"<dd>{ready['version']}</dd>" in page


def test_front_door_while_loading_and_after_a_failed_load() -> None:
    loading = front.front_door_html(None, None, base_url="http://x", browser_pages=True)
    assert "Loading the data" in loading and "stat-articles" not in loading
    failed = front.front_door_html(
        None, "OSError: <no such folder>", base_url="http://x", browser_pages=True
    )
    assert "could not be loaded: OSError: &lt;no such folder&gt;" in failed


def test_icon_is_our_svg_at_both_usual_paths(data_server: LiveServer) -> None:
    svg = (Path(front.__file__).parent / "static" / "favicon.svg").read_bytes()
    for path in ("/favicon.svg", "/favicon.ico"):
        answer = httpx.get(data_server.base_url + path)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "image/svg+xml"
        assert answer.content == svg


def test_explorer_page_loads_cytoscape_from_the_server_and_its_own_script(
    data_server: LiveServer,
) -> None:
    if not playground.assets_available(playground.EXPLORER_ASSETS):
        pytest.skip("cytoscape is not installed: run `make assets`")
    page = httpx.get(f"{data_server.base_url}/explorer").text
    cytoscape = f"{playground.ASSETS_PATH}/{playground.CYTOSCAPE.name}"
    assert f'<script src="{cytoscape}"></script>' in page
    assert "cdn.jsdelivr.net" not in page
    script = httpx.get(f"{data_server.base_url}/static/explorer.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    drawing = httpx.get(data_server.base_url + cytoscape)
    assert drawing.status_code == 200
    assert drawing.content == playground.installed_file(playground.CYTOSCAPE).read_bytes()


def test_explorer_page_without_cytoscape_asks_the_pinned_cdn_file() -> None:
    page = front.explorer_html("/graphql", assets_url=None)
    tag = (
        f'<script src="{playground.CYTOSCAPE.cdn_url}" '
        f'integrity="{playground.CYTOSCAPE.integrity}" crossorigin="anonymous"></script>'
    )
    assert tag in page


@pytest.mark.parametrize(
    "path", ["/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml", "/static/", "/static"]
)
def test_static_serves_nothing_outside_its_folder(data_server: LiveServer, path: str) -> None:
    url = httpx.URL(data_server.base_url, raw_path=path.encode())
    answer = httpx.get(url, follow_redirects=True)
    assert answer.status_code == 404
    assert "[project]" not in answer.text


def test_without_graphiql_the_front_door_lists_no_browser_pages(
    without_browser_pages: str,
) -> None:
    page = httpx.get(without_browser_pages + "/").text
    assert HREF.findall(page) == ["/schema.graphql", "/healthz", "/readyz"]
    assert httpx.get(without_browser_pages + "/explorer").status_code == 404
    assert "stat-articles" in page
