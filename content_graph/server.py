"""Running the app under uvicorn, as `content-graph serve` does."""

from __future__ import annotations

import copy
import os
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from content_graph.settings import Settings

# Every worker builds its own app from the env vars, so one import string serves any
# number of workers (uvicorn cannot hand an app object to worker processes).
APP_FACTORY = "content_graph.app:create_app_from_env"


def serve(settings: Settings) -> None:
    """Serve `settings.data_dir` until interrupted."""
    os.environ.update(settings.to_env())
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=_log_config(),
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
