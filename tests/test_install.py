"""Installed from a wheel, with no checkout beside it, as `pipx install .` does.

One test pays for one build and one fresh environment: the wheel is built from a copy of
the sources (so the checkout gets no build/ folder), installed into a new virtual
environment in the test's folder, and run from that folder: `--help`, `query` and
`serve`, whose playground must reference only files the server itself answers.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import socket
import subprocess
import sys
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest

from content_graph import playground
from graph import load
from tests.conftest import REPO, wait_until_ready
from tests.writing import record, write_md

TIMEOUT = 600
# What a wheel is built from: the packages, the build files, and the npm manifest.
SOURCES = ("graph", "schema", "resolvers", "content_graph", "data", "examples")
BUILD_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "package.json")


@pytest.fixture
def repository_assets(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The checkout's node_modules, holding every file the playground serves."""
    node_modules = REPO / "node_modules"
    monkeypatch.setenv(playground.ASSETS_ENV, str(node_modules))
    missing = [asset.name for asset in playground.ASSETS if not playground.installed_file(asset)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not in node_modules: run `make assets` (needs npm)")
    return node_modules


def test_a_wheel_installed_elsewhere_serves_its_playground_offline(
    tmp_path: Path, repository_assets: Path
) -> None:
    wheel = _build_wheel(tmp_path, repository_assets)

    # The wheel carries each browser file setup.py lists that npm installed (every file
    # the playground loads among them), with the package.json that names its version.
    shipped = _browser_files()
    assert {(asset.package, asset.path) for asset in playground.ASSETS} <= shipped
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for package, path in shipped:
            installed = repository_assets / package
            if not (installed / path).is_file():
                continue  # not in package.json yet: that page falls back to the CDN
            assert f"content_graph/assets/{package}/{path}" in names
            manifest = archive.read(f"content_graph/assets/{package}/package.json")
            expected = json.loads((installed / "package.json").read_text())["version"]
            assert json.loads(manifest)["version"] == expected
    assert not any(name.startswith("node_modules/") for name in names)

    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", str(venv)], tmp_path)
    _run([str(venv / "bin" / "pip"), "install", "--quiet", str(wheel)], tmp_path)
    command = str(venv / "bin" / "content-graph")
    # The package imported is the installed one, not the checkout.
    where = "import content_graph; print(content_graph.__file__)"
    located = _run([str(venv / "bin" / "python"), "-c", where], tmp_path)
    assert Path(located.stdout.strip()).is_relative_to(venv)

    assert "serve" in _run([command, "--help"], tmp_path).stdout
    data = tmp_path / "records"
    write_md(data, "_news/one.md", record("https://example.com/one", "One"))
    write_md(data, "_news/two.md", record("https://example.com/two", "Two"))
    answer = _run([command, "query", "{ stats { articles } }", "--data", str(data)], tmp_path)
    assert json.loads(answer.stdout) == {"data": {"stats": {"articles": 2}}}
    # With no folder named, the installed command answers from the data/ the wheel
    # carries: the checkout's own default data set.
    shipped = _run([command, "query", "{ stats { articles } }"], tmp_path)
    articles = load(REPO / "data", use_cache=False).graph.stats.articles
    assert json.loads(shipped.stdout) == {"data": {"stats": {"articles": articles}}}

    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [command, "serve", str(data), "--port", str(port)],
            cwd=tmp_path,
            env=_clean_env(tmp_path),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{base}/readyz", server, log)
        page = httpx.get(f"{base}/graphql", headers={"Accept": "text/html"})
        assert page.status_code == 200
        # The example tabs come along too (examples/ inside the wheel).
        for example in playground.EXAMPLES:
            assert playground.script_json(example.query)[1:-1] in page.text, example.name
        sources = _asset_urls(page.text)
        assert len(sources) == len(playground.ASSETS), sources
        for source in sources:
            # Served here, not fetched from a CDN: the page works with no network.
            assert source.startswith(playground.ASSETS_PATH + "/"), source
            served = httpx.get(base + source)
            assert served.status_code == 200, source
            asset = next(asset for asset in playground.ASSETS if source.endswith(asset.name))
            assert served.content == (repository_assets / asset.package / asset.path).read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "Traceback" not in log.read_text()


def _build_wheel(tmp_path: Path, node_modules: Path) -> Path:
    """A wheel built from a copy of the sources beside the checkout's node_modules."""
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "assets")
    for folder in SOURCES:
        shutil.copytree(REPO / folder, source / folder, ignore=ignore)
    for name in BUILD_FILES:
        shutil.copyfile(REPO / name, source / name)
    (source / "node_modules").symlink_to(node_modules)
    wheels = tmp_path / "wheels"
    pip = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels)]
    built = _run([*pip, str(source)], tmp_path)
    # No deprecation wall on the way: the build says nothing when all is well.
    assert "Deprecat" not in built.stderr, built.stderr
    assert "Warning" not in built.stderr, built.stderr
    (wheel,) = wheels.glob("content_graph-*.whl")
    return wheel


def _browser_files() -> set[tuple[str, str]]:
    """setup.py's BROWSER_FILES, read without running setup.py (which would build)."""
    tree = ast.parse((REPO / "setup.py").read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and ast.unparse(node.target) == "BROWSER_FILES":
            return set(ast.literal_eval(node.value))
    pytest.fail("setup.py has no BROWSER_FILES")


def _run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, env=_clean_env(cwd), capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result


def _clean_env(tmp_path: Path) -> dict[str, str]:
    """This environment, minus anything that points back at the checkout."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"PYTHONPATH", "VIRTUAL_ENV", playground.ASSETS_ENV}
        and not name.startswith("CONTENT_GRAPH_")
    }
    return env | {"CONTENT_GRAPH_CACHE": str(tmp_path / "cache")}


class _AssetLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        url = values.get("src") if tag == "script" else values.get("href")
        if url and (tag == "script" or values.get("rel") == "stylesheet"):
            self.urls.append(url)


def _asset_urls(page: str) -> list[str]:
    parser = _AssetLinks()
    parser.feed(page)
    return parser.urls


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
