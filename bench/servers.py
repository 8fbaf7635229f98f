"""Server processes for the benchmark: uvicorn on a loopback socket, one at a time."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from content_graph.server import UVICORN_OPTIONS

READY_TIMEOUT = 300.0
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]

    def peak_rss_mib(self) -> float:
        """The process's peak resident set (VmHWM) so far, in MiB."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise RuntimeError("no VmHWM in /proc status")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start(name: str, factory: str, env: dict[str, str], log: Path) -> Server:
    """`uvicorn --factory FACTORY` on a fresh loopback port, once /readyz says 200.

    The socket is bound here and handed over as a file descriptor, so no other process
    can take the port in between.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    # uvicorn takes a socket given by descriptor for a Unix one and so never sets
    # TCP_NODELAY on its connections; Nagle's algorithm then holds back the second write
    # of each response until the client's delayed ACK, 40 ms later. Accepted sockets
    # inherit the option from the listener.
    listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(1024)
    port = listener.getsockname()[1]
    # The loop and HTTP protocol content-graph's own server runs (content_graph/server.py).
    command = [sys.executable, "-m", "uvicorn", "--factory", factory, *UVICORN_OPTIONS]
    command += ["--fd", str(listener.fileno()), "--log-level", "warning", "--no-access-log"]
    with listener, log.open("wb") as output:
        process = subprocess.Popen(
            command,
            pass_fds=(listener.fileno(),),
            env={**os.environ, **env},
            cwd=REPO,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, f"http://127.0.0.1:{port}", process)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}: see {log}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    server.stop()
    raise RuntimeError(f"{name} was not ready after {READY_TIMEOUT}s: see {log}")
