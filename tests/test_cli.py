"""The serve, query and schema commands, run as a user runs them."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest.mock import ANY

import httpx
import psutil
import pytest
from click.testing import CliRunner, Result
from conftest import DATA_DIR, POLL_INTERVAL, READY_TIMEOUT, LiveServer, wait_until_ready

from content_graph.cli import main

EXECUTABLE = Path(sys.executable).with_name("content-graph")
TITLE_QUERY = "query($url: String!) { article(url: $url) { title } }"


@pytest.fixture(autouse=True)
def parse_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The loader's parse cache goes to the test's folder, not the user's ~/.cache.
    monkeypatch.setenv("CONTENT_GRAPH_CACHE", str(tmp_path / "cache"))


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


# --- help ----------------------------------------------------------------------------


def test_main_help_lists_the_commands() -> None:
    result = invoke("--help")
    assert result.exit_code == 0
    for command in ("serve", "query", "schema"):
        assert f"\n  {command} " in result.output


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        ("serve", ["CONTENT_GRAPH_DATA", "CONTENT_GRAPH_HOST", "CONTENT_GRAPH_PORT"]),
        ("query", ["CONTENT_GRAPH_DATA", "--variables", "--operation-name", "@FILE"]),
        ("schema", ["SDL"]),
    ],
)
def test_help_documents_each_command(command: str, mentions: list[str]) -> None:
    result = invoke(command, "--help")
    assert result.exit_code == 0
    assert "Example" in result.output
    for mention in mentions:
        assert mention in result.output
    # Flags and env vars are listed together, one env var per option.
    if command == "serve":
        assert "CONTENT_GRAPH_WORKERS" in result.output


# --- query -----------------------------------------------------------------------------


def test_query_prints_the_result(data_record: dict[str, Any]) -> None:
    variables = json.dumps({"url": data_record["webUrl"]})
    result = invoke("query", TITLE_QUERY, "--variables", variables, "--data", str(DATA_DIR))
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"data": {"article": {"title": data_record["title"]}}}


def test_query_reads_stdin_and_files(data_record: dict[str, Any], tmp_path: Path) -> None:
    document = tmp_path / "title.graphql"
    document.write_text(TITLE_QUERY, encoding="utf-8")
    variables = json.dumps({"url": data_record["webUrl"]})
    expected = {"data": {"article": {"title": data_record["title"]}}}
    from_stdin = invoke("query", "-", "--variables", variables, stdin=TITLE_QUERY)
    from_file = invoke("query", f"@{document}", "--variables", variables)
    assert json.loads(from_stdin.stdout) == expected
    assert json.loads(from_file.stdout) == expected


def test_the_readme_example_query_runs_as_pasted(monkeypatch: pytest.MonkeyPatch) -> None:
    # The README tells a newcomer to run this from the checkout; the file must be there
    # and answer with the provider the README shows.
    monkeypatch.chdir(DATA_DIR.parent)
    result = invoke(
        "query",
        "@examples/provider-network.graphql",
        "--variables",
        '{"domain": "granitepost.news"}',
    )
    assert result.exit_code == 0, result.output
    provider = json.loads(result.output)["data"]["provider"]
    assert provider["name"] == "Granite Post"
    assert len(provider["articles"]["nodes"]) == 2


def test_query_picks_the_named_operation(data_record: dict[str, Any]) -> None:
    url = json.dumps(data_record["webUrl"])
    document = f"query A {{ stats {{ topics }} }} query B {{ article(url: {url}) {{ title }} }}"
    result = invoke("query", document, "--operation-name", "B")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"data": {"article": {"title": data_record["title"]}}}


def test_query_with_errors_exits_1() -> None:
    result = invoke("query", "{ stats { nope } }")
    assert result.exit_code == 1
    errors = json.loads(result.stdout)["errors"]
    assert "nope" in errors[0]["message"]
    assert errors[0]["locations"] == [{"line": 1, "column": 11}]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["{ stats { articles } }", "--variables", "{nope"], "not valid JSON"),
        (["{ stats { articles } }", "--variables", "[1]"], "must be a JSON object"),
        (["@/nonexistent/query.graphql"], "cannot read /nonexistent/query.graphql"),
        (["{ stats { articles } }", "--data", "/nonexistent"], "does not exist"),
    ],
)
def test_query_usage_errors_exit_2(args: list[str], says: str) -> None:
    result = invoke("query", *args)
    assert result.exit_code == 2
    assert says in result.output
    assert "Traceback" not in result.output


# --- schema ----------------------------------------------------------------------------


def test_schema_prints_the_served_sdl(data_server: LiveServer) -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    served = httpx.get(f"{data_server.base_url}/schema.graphql").text
    assert result.stdout.strip() == served.strip()


# --- serve -----------------------------------------------------------------------------


def test_serve_a_missing_directory_exits_2(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-data"
    done = subprocess.run(
        [str(EXECUTABLE), "serve", str(missing)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert f"'{missing}' does not exist" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def serving(tmp_path: Path) -> Iterator[Any]:
    """Starts `content-graph serve` with given arguments and env; stops it afterwards."""
    started: list[subprocess.Popen[bytes]] = []

    def start(args: list[str], env: dict[str, str]) -> tuple[str, subprocess.Popen[bytes], Path]:
        log = tmp_path / f"serve-{len(started)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(EXECUTABLE), "serve", *args],
                env={**os.environ, **env},
                cwd=tmp_path,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        started.append(process)
        port = env.get("CONTENT_GRAPH_PORT") or args[args.index("--port") + 1]
        base_url = f"http://127.0.0.1:{port}"
        wait_until_ready(f"{base_url}/readyz", process, log)
        return base_url, process, log

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGINT)
    process.wait(timeout=20)


def test_serve_serves_the_repository_data_by_default(
    serving: Any, data_record: dict[str, Any]
) -> None:
    # Started from another directory: the default is found from the package, not the cwd.
    port = free_port()
    base_url, process, log = serving(["--port", str(port)], {})
    variables = {"url": data_record["webUrl"]}
    answer = httpx.post(f"{base_url}/graphql", json={"query": TITLE_QUERY, "variables": variables})
    title = data_record["title"]
    assert answer.json() == {"data": {"article": {"title": title}}, "extensions": ANY}
    articles = httpx.get(f"{base_url}/readyz").json()["articles"]
    stop(process)
    output = log.read_text()
    assert f"Serving {DATA_DIR}: playground at http://127.0.0.1:{port}/graphql" in output
    assert f"Loaded {articles:,} articles (" in output
    assert f"from {DATA_DIR} in " in output


def test_serve_takes_its_settings_from_env_vars(serving: Any, shared_dir: Path) -> None:
    seed = shared_dir / "corpus" / "seed"
    expected = json.loads((shared_dir / "corpus" / "EXPECTED.json").read_text())["seed"]
    env = {
        "CONTENT_GRAPH_DATA": str(seed),
        "CONTENT_GRAPH_PORT": str(free_port()),
        "CONTENT_GRAPH_WORKERS": "2",
    }
    base_url, process, _ = serving([], env)
    # The supervisor loads the data, then forks the workers, which share it.
    workers = psutil.Process(process.pid).children()
    assert len(workers) == 2
    # Readiness is per worker, and either may answer: ask until one is not loading.
    deadline = time.monotonic() + READY_TIMEOUT
    query = {"query": "{ stats { articles } }"}
    while (answer := httpx.post(f"{base_url}/graphql", json=query)).status_code == 503:
        assert time.monotonic() < deadline, "a worker never finished loading"
        time.sleep(POLL_INTERVAL)
    articles = expected["articles"]
    assert answer.json() == {"data": {"stats": {"articles": articles}}, "extensions": ANY}


def test_serve_takes_the_cache_flags(serving: Any) -> None:
    port = free_port()
    base_url, _, _ = serving(
        ["--port", str(port), "--cache-max-age", "120", "--persisted-query-bytes", "0"], {}
    )
    answer = httpx.get(f"{base_url}/graphql", params={"query": "{ stats { articles } }"})
    assert answer.headers["cache-control"] == "public, max-age=120"
    # With no store for persisted queries, a hash alone is answered as Apollo expects.
    extensions = {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}
    refused = httpx.post(f"{base_url}/graphql", json={"extensions": extensions})
    assert refused.json()["errors"][0]["message"] == "PersistedQueryNotSupported"


@pytest.mark.parametrize(
    ("args", "env", "logged"),
    [
        ([], {}, True),
        (["--no-access-log"], {}, False),
        ([], {"CONTENT_GRAPH_ACCESS_LOG": "off"}, False),
    ],
)
def test_serve_logs_each_request_unless_told_not_to(
    serving: Any, args: list[str], env: dict[str, str], logged: bool
) -> None:
    port = free_port()
    base_url, process, log = serving(["--port", str(port), *args], env)
    answer = httpx.post(f"{base_url}/graphql", json={"query": "{ stats { articles } }"})
    assert answer.status_code == 200
    stop(process)
    assert ('"POST /graphql HTTP/1.1" 200' in log.read_text()) is logged
