"""Running the app under uvicorn, as `content-graph serve` does."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import os
import sys
from functools import partial
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.config import LOGGING_CONFIG
from uvicorn.server import STARTUP_FAILURE

from content_graph.app import create_app, on_reload
from content_graph.ready import ReadyLine, StartedServer
from content_graph.settings import Settings
from content_graph.workers import serve_workers

# The app of a single server, built from the env vars (tests and `uvicorn --factory`
# use it too).
APP_FACTORY = "content_graph.app:create_app_from_env"
# The event loop every server runs: uvicorn's own pick (uvloop), with room for the stack
# below it (stack_room.py). For `uvicorn --loop` too.
LOOP = "content_graph.stack_room:RoomyLoop"
# The HTTP protocol: uvicorn's httptools one, writing a small answer in one piece
# (http_protocol.py).
HTTP = "content_graph.http_protocol:HttpProtocol"
# Both, as `uvicorn` command-line options (the benchmarks and the tests start servers so).
UVICORN_OPTIONS = ("--loop", LOOP, "--http", HTTP)


def serve(settings: Settings, *, access_log: bool = True) -> None:
    """Serve `settings.data_dir` until interrupted, logging a line per request unless
    `access_log` is False.

    One worker loads the data itself; several share one graph loaded by their supervisor
    (`content_graph.workers`).
    """
    os.environ.update(settings.to_env())
    ready = ReadyLine(playground_url(settings), playground=settings.limits.graphiql)
    if settings.workers > 1:
        serve_workers(settings, partial(worker_config, settings, access_log=access_log), ready)
        return
    app = create_app(settings)
    # The app exists before uvicorn runs it, so the ready line can hear of its first load;
    # it waits a turn of the event loop, so the load's own lines (logged by the task that
    # loaded, right after the swap) come before it.
    on_reload(app, lambda old, new: asyncio.get_running_loop().call_soon(ready.loaded, new))
    config = worker_config(settings, app, access_log=access_log)
    server = StartedServer(config, on_started=ready.listens)
    # uvicorn raises the Ctrl-C it caught again once it has shut down; that is the end
    # asked for, not an error (uvicorn.run swallows it too).
    with contextlib.suppress(KeyboardInterrupt):
        server.run()
    if not server.started:
        # As uvicorn.run does: a port it could not bind is a failed start, not a clean exit.
        sys.exit(STARTUP_FAILURE)


def worker_config(settings: Settings, app: Starlette, *, access_log: bool = True) -> uvicorn.Config:
    """The uvicorn configuration of a server (or one of several workers) serving `app`.

    httptools and uvloop, which `uvicorn[standard]` installs, are its fastest HTTP parser
    and event loop (bench/http_path.py measures what is left per request); both are used
    through our subclasses (`LOOP`, `HTTP`).
    """
    return uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=_log_config(),
        access_log=access_log,
        loop=LOOP,
        http=HTTP,
    )


def playground_url(settings: Settings) -> str:
    """Where a browser on this machine finds the playground."""
    # A wildcard address is where the server listens, not where a browser can connect.
    host = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}.get(settings.host, settings.host)
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"http://{host}:{settings.port}/graphql"


def _log_config() -> dict[str, Any]:
    # uvicorn's own format, extended to our logger, so the load summary shows up in the
    # same stream as uvicorn's start-up lines.
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["content_graph"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config
