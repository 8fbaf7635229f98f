"""POST /admin/reload and `content-graph reload` against a live server.

The route exists only with an admin token; then it wants `Authorization: Bearer TOKEN`,
reloads, and answers with what was loaded or why the reload failed.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from content_graph.settings import ADMIN_TOKEN_ENV
from tests.conftest import LiveServer, start_server
from tests.writing import record, write_md

TOKEN = "correct horse battery staple"
EXECUTABLE = Path(sys.executable).with_name("content-graph")


@pytest.fixture
def admin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Path, LiveServer]]:
    data = tmp_path / "data"
    write_md(data, "_news/one.md", record("https://example.com/one", "One"))
    monkeypatch.setenv(ADMIN_TOKEN_ENV, TOKEN)
    server = start_server(data, tmp_path)
    try:
        yield data, server
    finally:
        server.stop()


def post(server: LiveServer, token: str | None = TOKEN, scheme: str = "Bearer") -> httpx.Response:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"{scheme} {token}".strip()
    return httpx.post(f"{server.base_url}/admin/reload", headers=headers, timeout=60)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    # Without the token in the env, so each call says which one it sends.
    env = {"PATH": "/usr/bin:/bin", "CONTENT_GRAPH_CACHE": "/nonexistent"}
    return subprocess.run(
        [str(EXECUTABLE), "reload", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_off_without_a_token(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_md(data, "_news/one.md", record("https://example.com/one", "One"))
    server = start_server(data, tmp_path)
    try:
        assert post(server).status_code == 404
        done = cli("--url", server.base_url, "--admin-token", TOKEN)
        assert done.returncode == 2
        assert "start it with --admin-token" in done.stderr
    finally:
        server.stop()


def test_missing_and_wrong_tokens_are_refused(admin: tuple[Path, LiveServer]) -> None:
    _, server = admin
    for response in (post(server, None), post(server, TOKEN, "Basic"), post(server, "")):
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/json"
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "Authorization: Bearer" in response.json()["error"]
    for wrong in (TOKEN[:-1], TOKEN + "x", "x"):
        response = post(server, wrong)
        assert response.status_code == 403
        assert response.json() == {"error": "The admin token is not right."}
    assert httpx.get(f"{server.base_url}/admin/reload").status_code == 405
    # Nothing was reloaded.
    assert httpx.get(f"{server.base_url}/readyz").json()["lastReload"]["trigger"] == "start"


def test_a_reload_reports_the_new_version_or_the_failure(
    admin: tuple[Path, LiveServer], tmp_path: Path
) -> None:
    data, server = admin
    before = httpx.get(f"{server.base_url}/readyz").json()
    write_md(data, "_news/two.md", record("https://example.com/two", "Two"))
    response = post(server)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["status"] == "reloaded"
    assert answer["articles"] == 2
    assert answer["version"] != before["version"]
    assert "Loaded 2 articles" in answer["summary"]
    assert answer["lastReload"]["ok"] is True
    assert answer["lastReload"]["trigger"] == "admin"
    ready = httpx.get(f"{server.base_url}/readyz").json()
    assert ready["version"] == answer["version"]

    shutil.move(data, tmp_path / "aside")
    response = post(server)
    assert response.status_code == 409
    failed = response.json()
    assert failed["status"] == "failed"
    assert failed["version"] == answer["version"]  # still served
    assert "does not exist" in failed["lastReload"]["error"]
    assert server.graphql("{ stats { articles lastReloadOk } }")["data"]["stats"] == {
        "articles": 2,
        "lastReloadOk": False,
    }
    assert "Traceback" not in server.log.read_text()


def test_the_reload_command(admin: tuple[Path, LiveServer], tmp_path: Path) -> None:
    data, server = admin
    write_md(data, "_news/two.md", record("https://example.com/two", "Two"))
    done = cli("--url", server.base_url, "--admin-token", TOKEN)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("reloaded: Loaded 2 articles")

    wrong = cli("--url", server.base_url, "--admin-token", "nope")
    assert wrong.returncode == 2
    assert "refused the admin token" in wrong.stderr

    no_token = cli("--url", server.base_url)
    assert no_token.returncode == 2
    assert "--admin-token" in no_token.stderr

    # --pid: a SIGHUP, as `kill -HUP` sends.
    write_md(data, "_news/three.md", record("https://example.com/three", "Three"))
    signalled = cli("--pid", str(server.process.pid))
    assert signalled.returncode == 0, signalled.stderr
    deadline = time.monotonic() + 30
    while server.graphql("{ stats { articles } }")["data"]["stats"]["articles"] != 3:
        assert time.monotonic() < deadline, server.log.read_text()
        time.sleep(0.05)

    shutil.move(data, tmp_path / "aside")
    failed = cli("--url", server.base_url, "--admin-token", TOKEN)
    assert failed.returncode == 1
    assert "reload failed: data directory" in failed.stderr

    server.stop()
    unreachable = cli("--url", server.base_url, "--admin-token", TOKEN)
    assert unreachable.returncode == 2
    assert "cannot reach the server" in unreachable.stderr
