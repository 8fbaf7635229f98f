"""Running the app under uvicorn, as `content-graph serve` does."""

from __future__ import annotations

import copy
import os
from functools import partial
from typing import Any

import uvicorn
from starlette.applications import Starlette
from uvicorn.config import LOGGING_CONFIG

from content_graph.settings import Settings
from content_graph.workers import serve_workers

# The app of a single server, built from the env vars (tests and `uvicorn --factory`
# use it too).
APP_FACTORY = "content_graph.app:create_app_from_env"


def serve(settings: Settings) -> None:
    """Serve `settings.data_dir` until interrupted.

    One worker loads the data itself; several share one graph loaded by their supervisor
    (`content_graph.workers`).
    """
    os.environ.update(settings.to_env())
    if settings.workers > 1:
        serve_workers(settings, partial(worker_config, settings))
        return
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        log_config=_log_config(),
    )


def worker_config(settings: Settings, app: Starlette) -> uvicorn.Config:
    """The uvicorn configuration of one of several workers serving `app`."""
    return uvicorn.Config(app, host=settings.host, port=settings.port, log_config=_log_config())


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
