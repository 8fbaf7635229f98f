"""`serve --workers 2`: workers forked from one supervisor, reloads, restarts and stop.

One real server for the whole story (start, SIGHUP after a change, a killed worker,
SIGTERM), so the suite pays for one start.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.conftest import wait_until_ready
from tests.writing import record, write_md

EXECUTABLE = Path(sys.executable).with_name("content-graph")
TIMEOUT = 30.0


def test_two_workers_share_reload_restart_and_stop(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_md(data, "_news/one.md", record("https://example.com/one", "One"))
    port = _free_port()
    log = tmp_path / "server.log"
    command = [str(EXECUTABLE), "serve", str(data)]
    command += ["--workers", "2", "--port", str(port)]
    env = {**os.environ, "CONTENT_GRAPH_CACHE": str(tmp_path / "cache")}
    with log.open("wb") as output:
        supervisor = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{base}/readyz", supervisor, log)
        first = _workers(base, lambda ready: ready["articles"] == 1, log)
        assert len(first) == 2
        assert all(_parent(pid) == supervisor.pid for pid in first)

        # A change, then SIGHUP: every worker serves the new data, and the old ones go.
        write_md(data, "_news/two.md", record("https://example.com/two", "Two"))
        supervisor.send_signal(signal.SIGHUP)
        second = _workers(base, lambda ready: ready["articles"] == 2, log)
        assert len(second) == 2
        assert not second & first
        _wait_for(lambda: not any(_alive(pid) for pid in first), "the old workers to exit", log)

        # A worker killed outright is replaced by one serving the same graph.
        killed = min(second)
        os.kill(killed, signal.SIGKILL)
        third = _workers(base, lambda ready: ready["articles"] == 2 and ready["pid"] != killed, log)
        assert len(third) == 2
        assert killed not in third
        assert all(_parent(pid) == supervisor.pid for pid in third)

        # A SIGHUP sent to a worker (or to all, as `pkill -HUP` does) is passed on to
        # the supervisor: one reload, and every worker serves the change.
        write_md(data, "_news/three.md", record("https://example.com/three", "Three"))
        for pid in third:
            os.kill(pid, signal.SIGHUP)
        supervisor.send_signal(signal.SIGHUP)
        fourth = _workers(base, lambda ready: ready["articles"] == 3, log)
        assert len(fourth) == 2
        assert not fourth & third
        assert all(_parent(pid) == supervisor.pid for pid in fourth)
        assert supervisor.poll() is None
        third = fourth

        # SIGTERM stops every worker, then the supervisor, cleanly.
        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=TIMEOUT) == 0, log.read_text()
        assert not any(_alive(pid) for pid in third)
        assert "Traceback" not in log.read_text()
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()


def _workers(base: str, wanted: Callable[[dict], bool], log: Path) -> set[int]:
    """The pids answering /readyz once two distinct ones answer as `wanted`, on fresh
    connections (the kernel hands each to whichever worker accepts first)."""
    seen: set[int] = set()
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            response = httpx.get(f"{base}/readyz", timeout=5)
        except httpx.TransportError:
            continue
        ready = response.json()
        if response.status_code == 200 and wanted(ready):
            seen.add(ready["pid"])
            if len(seen) == 2 and all(_alive(pid) for pid in seen):
                return seen
        time.sleep(0.01)
    pytest.fail(f"two workers did not answer as wanted (saw {seen}):\n{log.read_text()}")


def _wait_for(condition: Callable[[], bool], what: str, log: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}:\n{log.read_text()}")


def _parent(pid: int) -> int:
    # /proc/PID/stat: "pid (comm) state ppid ..."; comm may hold spaces, so split after it.
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
