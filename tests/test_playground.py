"""The playground page and the files it loads, over HTTP from a real uvicorn server."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from browser_helpers import serve
from conftest import LiveServer
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from content_graph import playground
from content_graph.examples import ExampleError, load_examples
from content_graph.playground import ASSETS, ASSETS_ENV, ASSETS_PATH, SERVED_ASSETS

REPO = Path(__file__).resolve().parents[1]


def page_app() -> Starlette:
    async def page(request: Request) -> HTMLResponse:
        assets_url = ASSETS_PATH if playground.assets_available() else None
        return HTMLResponse(playground.playground_html("/graphql", assets_url=assets_url))

    return Starlette(routes=[Route("/graphql", page), playground.assets_mount()])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(page_app()) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url) as client:
        yield client


@pytest.fixture
def installed() -> None:
    if not playground.assets_available():
        pytest.skip("the playground's npm packages are not installed: run `make assets`")


def fake_node_modules(root: Path, version_of: dict[str, str]) -> Path:
    """A node_modules with every asset file, each holding its own URL name as content."""
    for asset in SERVED_ASSETS:
        package = root / asset.package
        (package / asset.path).parent.mkdir(parents=True, exist_ok=True)
        (package / asset.path).write_text(asset.name, encoding="utf-8")
        manifest = {"name": asset.package, "version": version_of.get(asset.package, asset.version)}
        (package / "package.json").write_text(json.dumps(manifest), encoding="utf-8")
    return root


def test_package_json_pins_the_versions_the_page_loads() -> None:
    manifest = json.loads((REPO / "package.json").read_text(encoding="utf-8"))
    for asset in SERVED_ASSETS:
        assert manifest["dependencies"][asset.package] == asset.version


@pytest.mark.usefixtures("installed")
def test_each_file_is_served_byte_for_byte_from_node_modules(client: httpx.Client) -> None:
    assert playground.assets_available(SERVED_ASSETS)
    for asset in SERVED_ASSETS:
        response = client.get(f"{ASSETS_PATH}/{asset.name}")
        assert response.status_code == 200, asset.name
        on_disk = (REPO / "node_modules" / asset.package / asset.path).read_bytes()
        assert response.content == on_disk
        assert response.headers["content-type"].startswith(asset.media_type)


@pytest.mark.usefixtures("installed")
def test_cdn_integrity_hashes_match_the_installed_files() -> None:
    # The CDN fallback must be refused by the browser unless it serves these very bytes.
    for asset in SERVED_ASSETS:
        data = (REPO / "node_modules" / asset.package / asset.path).read_bytes()
        digest = base64.b64encode(hashlib.sha384(data).digest()).decode()
        assert asset.integrity == f"sha384-{digest}", asset.name


@pytest.mark.usefixtures("installed")
@pytest.mark.parametrize(
    "path",
    [
        "",
        "/",
        "/graphiql@3.9.0/",
        "/graphiql@3.9.0/package.json",
        "/graphiql/package.json",
        "/react/umd/react.development.js",
        "/react@18.3.1/react.development.js",
        "/react@18.3.1/umd/react.production.min.js",
        "/graphiql@3.9.0/%2e%2e/react@18.3.1/react.production.min.js",
        "/graphiql@3.9.0/..%2f..%2fpackage.json",
        "/..%2f..%2fpyproject.toml",
        "/%2e%2e/%2e%2e/pyproject.toml",
    ],
)
def test_nothing_else_in_node_modules_is_reachable(client: httpx.Client, path: str) -> None:
    # httpx would resolve a literal "..", so the dots travel percent-encoded: the server
    # must still never turn them into a file path.
    url = httpx.URL(client.base_url.join(ASSETS_PATH), raw_path=(ASSETS_PATH + path).encode())
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 404
    assert "[project]" not in response.text
    assert '"version"' not in response.text


@pytest.mark.usefixtures("installed")
def test_page_loads_its_files_from_the_server(client: httpx.Client) -> None:
    page = client.get("/graphql").text
    for asset in ASSETS:
        assert f'"{ASSETS_PATH}/{asset.name}"' in page
        assert asset.integrity not in page
    assert "cdn.jsdelivr.net" not in page


def test_without_the_packages_the_page_loads_the_same_files_from_the_cdn(
    client: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ASSETS_ENV, str(tmp_path / "missing" / "node_modules"))
    assert not playground.assets_available()
    page = client.get("/graphql").text
    for asset in ASSETS:
        url = f"https://cdn.jsdelivr.net/npm/{asset.package}@{asset.version}/{asset.path}"
        assert f'"{url}" integrity="{asset.integrity}" crossorigin="anonymous"' in page
    missing = client.get(f"{ASSETS_PATH}/{ASSETS[0].name}")
    assert missing.status_code == 404
    assert "make assets" in missing.text


def test_the_env_var_points_at_another_node_modules(
    client: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ASSETS_ENV, str(fake_node_modules(tmp_path / "node_modules", {})))
    assert playground.assets_available(SERVED_ASSETS)
    for asset in SERVED_ASSETS:
        assert client.get(f"{ASSETS_PATH}/{asset.name}").text == asset.name


def test_another_installed_version_counts_as_missing(
    client: httpx.Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    modules = fake_node_modules(tmp_path / "node_modules", {"react": "19.0.0"})
    monkeypatch.setenv(ASSETS_ENV, str(modules))
    assert not playground.assets_available()
    react = next(asset for asset in ASSETS if asset.package == "react")
    assert client.get(f"{ASSETS_PATH}/{react.name}").status_code == 404


def test_endpoint_cannot_break_out_of_the_page() -> None:
    endpoint = '/graphql?x="</script><script>alert(1)</script>'
    page = playground.playground_html(endpoint, assets_url=None)
    assert "<script>alert(1)" not in page
    assert page.count("</script>") == len(playground.SCRIPTS) + 1


def test_default_query_walks_provider_articles_related_provider() -> None:
    query = playground.DEFAULT_QUERY
    steps = ["provider(", "articles(", "related {", "provider {"]
    positions = [query.index(step) for step in steps]
    assert positions == sorted(positions)


def test_each_example_file_is_a_tab_the_default_first() -> None:
    files = sorted(path.stem for path in (REPO / "examples").glob("*.graphql"))
    names = [example.name for example in playground.EXAMPLES]
    assert names[0] == playground.DEFAULT_EXAMPLE
    assert sorted(names) == files and len(files) >= 4
    default = REPO / "examples" / f"{playground.DEFAULT_EXAMPLE}.graphql"
    assert default.read_text(encoding="utf-8") == playground.DEFAULT_QUERY
    page = playground.playground_html("/graphql", assets_url=ASSETS_PATH)
    config = json.loads(page.split("const config = ", 1)[1].split(";\n", 1)[0])
    assert config["tabs"] == [
        {"query": example.query, "variables": example.variables} for example in playground.EXAMPLES
    ]


def test_tabs_without_examples_fall_back_to_one_query() -> None:
    page = playground.playground_html("/graphql", assets_url=ASSETS_PATH, examples=())
    config = json.loads(page.split("const config = ", 1)[1].split(";\n", 1)[0])
    assert config["tabs"] == [{"query": playground.DEFAULT_QUERY, "variables": None}]


def test_examples_read_their_variables_and_refuse_broken_ones(tmp_path: Path) -> None:
    assert load_examples(tmp_path / "missing", "a") == ()
    (tmp_path / "b.graphql").write_text("{ stats { topics } }", encoding="utf-8")
    (tmp_path / "a.graphql").write_text("query A($x: Int) { stats { topics } }", encoding="utf-8")
    (tmp_path / "a.variables.json").write_text('{"x": 1}\n', encoding="utf-8")
    first, second = load_examples(tmp_path, "b")
    assert (first.name, first.variables) == ("b", None)
    assert (second.name, second.variables) == ("a", '{"x": 1}')
    for broken, reason in (("[1]", "must hold a JSON object"), ("{x", "not JSON")):
        (tmp_path / "a.variables.json").write_text(broken, encoding="utf-8")
        with pytest.raises(ExampleError, match=reason):
            load_examples(tmp_path, "b")


def test_every_example_runs_on_data_with_an_answer(data_server: LiveServer) -> None:
    # What the tabs offer must work on the default data set: no errors, and every root
    # field answers with something (not null, not an empty list or connection).
    for example in playground.EXAMPLES:
        variables = json.loads(example.variables) if example.variables else None
        answer = data_server.graphql(example.query, variables=variables)
        assert "errors" not in answer, (example.name, answer["errors"])
        for field, value in answer["data"].items():
            assert value, (example.name, field)
            if isinstance(value, dict) and "totalCount" in value:
                assert value["totalCount"] > 0 and value["nodes"], (example.name, field)
            if isinstance(value, dict) and "articles" in value:
                assert value["articles"]["nodes"], (example.name, field)
