"""GraphQL-over-HTTP conformance: graphql-http's server audits against a live server.

The audits are the npm package `graphql-http` (`serverAudits`), run by
tests/http_audit.mjs under Node; `make assets` installs the package. Every MUST and
every SHOULD audit must pass.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, LiveServer

AUDIT_SCRIPT = Path(__file__).with_name("http_audit.mjs")


@pytest.fixture(scope="module")
def node() -> str:
    executable = shutil.which("node")
    if executable is None:
        pytest.skip("node is not installed: the audits of graphql-http run under Node")
    if not (REPO / "node_modules" / "graphql-http").is_dir():
        pytest.skip("the npm package graphql-http is not installed: run `make assets`")
    return executable


def test_every_must_and_should_audit_passes(node: str, data_server: LiveServer) -> None:
    run = subprocess.run(
        [node, str(AUDIT_SCRIPT), data_server.graphql_url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode in (0, 1), run.stderr
    report = json.loads(run.stdout)
    failed = [
        f"{result['id']} {result['name']}: {result['reason']}"
        for result in report["results"]
        if result["name"].startswith(("MUST", "SHOULD")) and result["status"] != "ok"
    ]
    assert failed == []
    assert run.returncode == 0
    # The audit suite really ran: it has dozens of MUST and SHOULD audits.
    assert report["required"] >= 30
