"""What the browser tests share: finding Chromium, launching it, serving an app on loopback.

Chromium is Debian's package, never a Playwright download (browser downloads fail on the
project's machines), so the browser is launched by path with the flags that keep it from
calling home.
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import uvicorn
from starlette.types import ASGIApp

CHROMIUM_PACKAGE = "chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK_NAMES = frozenset({"localhost"})
# Schemes whose requests never leave the page (inline fonts, generated blobs).
LOCAL_SCHEMES = frozenset({"data", "blob", "about"})
SERVER_START_TIMEOUT = 30.0


def chromium_path() -> str | None:
    """Debian's Chromium, wherever PATH finds it, else its usual place."""
    found = shutil.which(CHROMIUM_PACKAGE)
    if found:
        return found
    usual = Path("/usr/bin") / CHROMIUM_PACKAGE
    return str(usual) if usual.is_file() else None


def require_chromium() -> str:
    """The Chromium to drive; skips the test on a developer machine without one.

    In CI a missing browser means the install step is broken, which must not pass as a skip.
    """
    path = chromium_path()
    if path is not None:
        return path
    reason = f"no Chromium found: install it with `apt-get install {CHROMIUM_PACKAGE}`"
    if os.environ.get("CI"):
        pytest.fail(f"CI must have a browser for the playground test; {reason}")
    pytest.skip(reason)


def is_loopback(url: str) -> bool:
    """True when fetching `url` cannot leave this machine."""
    parts = urlsplit(url)
    if parts.scheme in LOCAL_SCHEMES:
        return True
    host = (parts.hostname or "").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Server(uvicorn.Server):
    """A uvicorn server that says when it is listening, so a test waits on an event."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = threading.Event()

    async def startup(self, sockets: list | None = None) -> None:
        await super().startup(sockets)
        self.listening.set()


@contextmanager
def serve(app: ASGIApp) -> Iterator[str]:
    """Run `app` under uvicorn on a free loopback port; yields its base URL."""
    server = _Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, name="uvicorn-test-server", daemon=True)
    thread.start()
    try:
        if not server.listening.wait(SERVER_START_TIMEOUT) or not server.servers:
            raise RuntimeError("the test server did not start listening")
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        yield f"http://{host}:{port}"
    finally:
        server.should_exit = True
        thread.join(SERVER_START_TIMEOUT)
