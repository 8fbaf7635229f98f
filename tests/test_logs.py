"""What `content-graph serve` logs at start-up, read from a real server's output.

The load line counts in the right plural, the skipped files are named (the first few,
then a `check` command that lists them all), and the last start-up line says the server
is ready and where.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from content_graph.app import LOGGED_SKIPPED_FILES
from tests.writing import record, write_md, write_text

EXECUTABLE = Path(sys.executable).with_name("content-graph")
TIMEOUT = 60.0
POLL_INTERVAL = 0.05
READY = re.compile(r"content-graph ready: (\S+)( \(playground\))?, ([\d,]+) articles?$")


def test_one_of_each_is_singular_and_the_skipped_file_is_named(tmp_path: Path) -> None:
    data = tmp_path / "data"
    provider = {"name": "Example News", "domain": "example.com"}
    fields = record("https://example.com/one", "One", provider=provider, topics=["Robotics"])
    write_md(data, "_news/one.md", fields)
    write_text(data, "_news/broken.md", "---\ntitle: never closed\n")
    port = _free_port()

    lines = _serve_until_ready(tmp_path, [str(data), "--port", str(port)])

    loaded = _line_with(lines, "Loaded ")
    counts = re.search(
        r"Loaded 1 article \(1 with a record\), 1 provider, 1 topic from (.+) in [\d.]+s; "
        r"1 file skipped$",
        loaded,
    )
    assert counts, loaded
    assert counts[1] == str(data)
    skipped = _line_with(lines, "Skipped ")
    assert "_news/broken.md:1: front matter opened on line 1 is never closed" in skipped
    assert not any(" more; run " in line for line in lines)
    ready = READY.search(lines[-1])
    assert ready, f"the last start-up line is not the ready line:\n{_text(lines)}"
    assert ready.groups() == (f"http://127.0.0.1:{port}/graphql", " (playground)", "1")
    # Ready comes after uvicorn listens and after the load is logged.
    assert lines.index(_line_with(lines, "Uvicorn running on")) < len(lines) - 1
    assert lines.index(loaded) < len(lines) - 1


def test_many_skipped_files_are_named_up_to_a_few_then_check_lists_them(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    write_md(data, "_news/one.md", record("https://example.com/one", "One"))
    write_md(data, "_news/two.md", record("https://example.com/two", "Two"))
    broken = LOGGED_SKIPPED_FILES + 3
    for number in range(broken):
        write_text(data, f"_news/broken-{number}.md", "---\ntitle: never closed\n")

    lines = _serve_until_ready(tmp_path, [str(data), "--port", str(_free_port())])

    assert _line_with(lines, "Loaded ").endswith(f"; {broken} files skipped")
    assert "Loaded 2 articles (2 with a record), 0 providers, 0 topics" in _text(lines)
    named = [line for line in lines if "Skipped _news/broken-" in line]
    assert len(named) == LOGGED_SKIPPED_FILES
    more = _line_with(lines, " more; run ")
    command = re.search(r"and (\d+) more; run `(.+)` to list them$", more)
    assert command, more
    assert int(command[1]) == broken - LOGGED_SKIPPED_FILES
    assert READY.search(lines[-1]), _text(lines)[-2000:]

    # The advice works as given: the command lists every skipped file.
    words = command[2].split()
    assert words[:2] == ["content-graph", "check"]
    env = {**os.environ, "CONTENT_GRAPH_CACHE": str(tmp_path / "cache")}
    checked = subprocess.run(
        [str(EXECUTABLE), *words[1:]], env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert checked.returncode == 1, checked.stderr
    listed = [line for line in checked.stdout.splitlines() if line.startswith("error: ")]
    assert len(listed) == broken


def test_workers_log_the_ready_line_once_every_worker_listens(tmp_path: Path) -> None:
    data = tmp_path / "data"
    for number in range(3):
        write_md(data, f"_news/{number}.md", record(f"https://example.com/{number}"))
    write_text(data, "_news/broken-1.md", "---\ntitle: never closed\n")
    write_text(data, "_news/broken-2.md", "---\ntitle: never closed\n")
    port = _free_port()

    arguments = [str(data), "--port", str(port), "--workers", "2", "--no-graphiql"]
    lines = _serve_until_ready(tmp_path, arguments)

    assert _line_with(lines, "Loaded ").endswith("; 2 files skipped")
    assert "Supervisor " in _line_with(lines, "starting 2 workers")
    assert len([line for line in lines if "Application startup complete" in line]) == 2
    ready = READY.search(lines[-1])
    assert ready, _text(lines)
    # No playground served, none announced.
    assert ready.groups() == (f"http://127.0.0.1:{port}/graphql", None, "3")


def _serve_until_ready(tmp_path: Path, arguments: list[str]) -> list[str]:
    """Start `content-graph serve`, wait for its ready line, stop it; the lines up to it.

    The server's output goes to a file, read whole once the process has stopped.
    """
    log = tmp_path / "serve.log"
    env = {**os.environ, "CONTENT_GRAPH_CACHE": str(tmp_path / "cache")}
    command = [str(EXECUTABLE), "serve", *arguments]
    with log.open("wb") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not any(READY.search(line) for line in log.read_text().splitlines()):
            if process.poll() is not None:
                pytest.fail(f"serve exited with {process.returncode}:\n{log.read_text()}")
            if time.monotonic() > deadline:
                pytest.fail(f"no ready line after {TIMEOUT}s:\n{log.read_text()}")
            time.sleep(POLL_INTERVAL)
        # Ctrl-C: a clean stop, exit status 0.
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=TIMEOUT) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    lines = log.read_text().splitlines()
    assert "Traceback" not in log.read_text()
    ready = next(index for index, line in enumerate(lines) if READY.search(line))
    assert sum(1 for line in lines if READY.search(line)) == 1, "one ready line only"
    return lines[: ready + 1]


def _line_with(lines: list[str], text: str) -> str:
    found = [line for line in lines if text in line]
    assert len(found) == 1, f"{len(found)} lines with {text!r}:\n{_text(lines)}"
    return found[0]


def _text(lines: list[str]) -> str:
    return "\n".join(lines)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
