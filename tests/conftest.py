"""Shared fixtures: live uvicorn servers over real data, `../shared`, and the records on disk.

A live server is a real `uvicorn --factory` process on a loopback socket. The socket is
bound here, on port 0, and handed to uvicorn as a file descriptor, so there is no window
in which another process could take the port. Servers are started once per data
directory for the whole session, and stopped at its end.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from content_graph.server import APP_FACTORY, UVICORN_OPTIONS
from content_graph.settings import DATA_ENV

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = REPO / "data"
SHARED_DIR = Path(__file__).resolve().parents[2] / "shared"
CORPORA = ("seed", "power-apps", "ai-news")
READY_TIMEOUT = 60.0
POLL_INTERVAL = 0.05
# A URL already in canonical form: lower-case host, no query, fragment or trailing slash.
CANONICAL_URL = re.compile(r"https://[a-z0-9.-]+/[^?#\s]*[^/?#\s]")


@dataclass
class LiveServer:
    """A running server: its base URL, its process and the file its output goes to."""

    base_url: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def graphql_url(self) -> str:
        return f"{self.base_url}/graphql"

    def graphql(self, query: str, **body: Any) -> dict[str, Any]:
        """POST one query; the decoded JSON answer, after checking it is a 200."""
        response = httpx.post(self.graphql_url, json={"query": query, **body}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def wait_until_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Poll `url` (a /readyz) until it answers 200; fail with the server's output if not."""
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass  # not accepting connections yet
        time.sleep(POLL_INTERVAL)
    process.kill()
    pytest.fail(f"{url} was not ready after {READY_TIMEOUT}s:\n{log.read_text()}")


def start_server(
    data_dir: Path,
    workdir: Path,
    *,
    factory: str = APP_FACTORY,
    env: dict[str, str] | None = None,
) -> LiveServer:
    """A server over `data_dir` made by the app factory `factory`, with `env` added."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    # uvicorn takes an --fd socket for a Unix one and never sets TCP_NODELAY on it:
    # without it, every answer waits ~40 ms for the client's delayed ACK (Nagle).
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    port = listener.getsockname()[1]
    log = workdir / f"server-{port}.log"
    env = {
        **os.environ,
        DATA_ENV: str(data_dir),
        # Parse caches go to the session's temporary folder, not the user's ~/.cache.
        "CONTENT_GRAPH_CACHE": str(workdir / "cache"),
        **(env or {}),
    }
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, *UVICORN_OPTIONS]
    with listener, log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "--fd", str(listener.fileno()), "--log-level", "warning"],
            pass_fds=(listener.fileno(),),
            env=env,
            cwd=workdir,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = LiveServer(f"http://127.0.0.1:{port}", process, log)
    try:
        wait_until_ready(f"{server.base_url}/readyz", process, log)
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[Path], LiveServer]]:
    """A function giving the session's server for a data directory, started on first use."""
    servers: dict[Path, LiveServer] = {}
    workdir = tmp_path_factory.mktemp("servers")

    def server_for(data_dir: Path) -> LiveServer:
        key = data_dir.resolve()
        if key not in servers:
            servers[key] = start_server(key, workdir)
        return servers[key]

    yield server_for
    for server in servers.values():
        server.stop()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """`../shared` beside the repository (the contract, the corpus and its tools)."""
    if not SHARED_DIR.is_dir():
        pytest.skip(f"{SHARED_DIR} is absent: the contract, corpus and tools live there")
    return SHARED_DIR


@pytest.fixture(scope="session")
def data_server(live_server: Callable[[Path], LiveServer]) -> LiveServer:
    """The server over the repository's `data/`."""
    return live_server(DATA_DIR)


@pytest.fixture(scope="session", params=CORPORA)
def corpus(request: pytest.FixtureRequest, shared_dir: Path) -> Path:
    """Each folder of `../shared/corpus` in turn."""
    folder = shared_dir / "corpus" / request.param
    if not folder.is_dir():
        pytest.skip(f"{folder} is absent")
    return folder


@pytest.fixture(scope="session")
def corpus_server(live_server: Callable[[Path], LiveServer], corpus: Path) -> LiveServer:
    """The server over each corpus folder in turn."""
    return live_server(corpus)


def front_matter(path: Path) -> dict[str, Any] | None:
    """A Markdown record's YAML front matter, read independently of the loader."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    if not text.startswith("---\n"):
        return None
    head, separator, _ = text[4:].partition("\n---\n")
    return yaml.safe_load(head) if separator else None


@pytest.fixture(scope="session")
def data_records() -> list[dict[str, Any]]:
    """The published records of `data/_news`, in file order."""
    records = (front_matter(path) for path in sorted((DATA_DIR / "_news").glob("*.md")))
    return [record for record in records if record and record.get("published") is not False]


@pytest.fixture(scope="session")
def data_record(data_records: list[dict[str, Any]]) -> dict[str, Any]:
    """A published record of data/ whose URL is canonical as written and no other shares."""
    urls = Counter(record.get("webUrl") for record in data_records)
    for record in data_records:
        url, title = record.get("webUrl"), record.get("title")
        if url and urls[url] == 1 and CANONICAL_URL.fullmatch(url) and title == title.strip():
            return record
    pytest.fail("data/ has no record with a plain canonical webUrl")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """In CI a skipped test is a failure: CI has ../shared, Chromium and the npm assets,
    so a skip there means an install step broke, and must not pass as green."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"skipped in CI, where nothing may skip: {reason}"
