"""SIGHUP makes a live server load its data folder again and serve the new graph."""

from __future__ import annotations

import signal
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import start_server
from tests.writing import record, write_md

STATS = "{ stats { articles version } }"


def test_sighup_reloads_the_data_folder(tmp_path: Path) -> None:
    data = tmp_path / "data"
    write_md(data, "_news/one.md", record("https://example.com/one", "One"))
    server = start_server(data, tmp_path)
    try:
        before = server.graphql(STATS)["data"]["stats"]
        assert before["articles"] == 1
        write_md(data, "_news/two.md", record("https://example.com/two", "Two"))
        server.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            after = server.graphql(STATS)["data"]["stats"]
            if after["version"] != before["version"]:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"no reload 30 s after SIGHUP:\n{server.log.read_text()}")
        assert after["articles"] == 2
        # Still the same process, answering as before.
        assert server.process.poll() is None
        assert httpx.get(f"{server.base_url}/readyz").json()["version"] == after["version"]
    finally:
        server.stop()
