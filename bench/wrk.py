"""The load driver: `wrk` in its own process, POSTing one query at a fixed concurrency."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

LUA = Path(__file__).with_name("post.lua")


@dataclass(frozen=True)
class Measurement:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int


def ensure_wrk() -> str:
    """The path of `wrk`, installing Debian's package first when it is missing."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing Debian's wrk package with apt-get", flush=True)
    install = ["apt-get", "install", "-y", "-q", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], check=True)
        subprocess.run(install, check=True)
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("apt-get installed wrk but it is not on PATH")
    return found


def measure(
    wrk: str,
    url: str,
    body: Path,
    *,
    connections: int,
    seconds: float,
    threads: int = 1,
    script: Path = LUA,
    env: dict[str, str] | None = None,
) -> Measurement:
    """Requests/s and latency percentiles of POSTing `body` to `url` for `seconds`.

    `script` is the wrk script that sends it: post.lua repeats it as it is. `env` adds
    variables for the script (fresh.lua's BENCH_RUN).
    """
    command = [
        wrk,
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    env = {**os.environ, **(env or {}), "BENCH_BODY": str(body)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    line = done.stdout.strip().splitlines()[-1]
    figures = json.loads(line)
    seconds_run = figures["duration_us"] / 1e6
    return Measurement(
        requests_per_second=figures["requests"] / seconds_run,
        p50_ms=figures["p50_us"] / 1000,
        p99_ms=figures["p99_us"] / 1000,
        requests=figures["requests"],
        errors=figures["non_2xx"] + figures["socket_errors"],
    )
