"""`serve --workers 2 --watch`: the supervisor watches, and every worker serves the change.

A real `content-graph serve` process: a file written under the data folder reaches both
workers (new ones, forked from the new graph); a failed reload reaches both too; and
POST /admin/reload at a worker is passed on to the supervisor.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from pathlib import Path

import httpx

from content_graph.settings import ADMIN_TOKEN_ENV
from tests.conftest import wait_until_ready
from tests.test_workers import EXECUTABLE, TIMEOUT, _free_port, _workers
from tests.writing import record, write_md


def test_every_worker_serves_a_watched_change(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_md(data, "_news/one.md", record("https://example.com/one", "One"))
    port = _free_port()
    log = tmp_path / "server.log"
    command = [str(EXECUTABLE), "serve", str(data), "--workers", "2", "--watch"]
    command += ["--port", str(port)]
    env = {
        **os.environ,
        "CONTENT_GRAPH_CACHE": str(tmp_path / "cache"),
        ADMIN_TOKEN_ENV: "token",
    }
    with log.open("wb") as output:
        supervisor = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_ready(f"{base}/readyz", supervisor, log)
        first = _workers(base, lambda ready: ready["articles"] == 1, log)

        write_md(data, "_news/two.md", record("https://example.com/two", "Two"))
        second = _workers(
            base,
            lambda ready: ready["articles"] == 2 and ready["lastReload"]["trigger"] == "watch",
            log,
        )
        assert not second & first

        # A failed reload: the workers keep the graph and both report the failure.
        shutil.move(data, tmp_path / "aside")
        third = _workers(base, lambda ready: ready["lastReload"]["ok"] is False, log)
        for pid in third:
            assert pid not in second
        ready = httpx.get(f"{base}/readyz").json()
        assert ready["articles"] == 2
        assert "does not exist" in ready["lastReload"]["error"]

        # Back; then an admin reload, which the worker passes on to the supervisor.
        shutil.move(tmp_path / "aside", data)
        _workers(base, lambda ready: ready["lastReload"]["ok"] is True, log)
        answer = httpx.post(
            f"{base}/admin/reload",
            headers={"Authorization": "Bearer token", "Content-Type": "application/json"},
            timeout=TIMEOUT,
        )
        assert answer.status_code == 202, answer.text
        _workers(base, lambda ready: ready["lastReload"]["trigger"] == "signal", log)

        supervisor.send_signal(signal.SIGTERM)
        assert supervisor.wait(timeout=TIMEOUT) == 0, log.read_text()
        assert "Traceback" not in log.read_text()
    finally:
        if supervisor.poll() is None:
            supervisor.kill()
            supervisor.wait()
