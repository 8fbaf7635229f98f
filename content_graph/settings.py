"""How a content-graph server is configured: one dataclass, from CLI flags or env vars.

The CLI fills `Settings` from its flags (each flag falls back to the env var named here);
a server started from an import string (`uvicorn --factory`, or `serve --workers N`,
where every worker imports the app afresh) reads the same env vars with `from_env`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

DATA_ENV = "CONTENT_GRAPH_DATA"
HOST_ENV = "CONTENT_GRAPH_HOST"
PORT_ENV = "CONTENT_GRAPH_PORT"
WORKERS_ENV = "CONTENT_GRAPH_WORKERS"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 1


def default_data_dir() -> Path:
    """The repository's `data/`, found from this package rather than the working directory.

    An editable install and a plain checkout both keep the package beside `data/`, so
    `content-graph serve` works from any directory.
    """
    return Path(__file__).resolve().parents[1] / "data"


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = DEFAULT_WORKERS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Settings from `CONTENT_GRAPH_*` variables; unset ones take the defaults."""
        data = environ.get(DATA_ENV)
        return cls(
            data_dir=Path(data) if data else default_data_dir(),
            host=environ.get(HOST_ENV) or DEFAULT_HOST,
            port=_integer(environ, PORT_ENV, DEFAULT_PORT),
            workers=_integer(environ, WORKERS_ENV, DEFAULT_WORKERS),
        )

    def to_env(self) -> dict[str, str]:
        """The env vars that make `from_env` give back these settings."""
        return {
            DATA_ENV: str(self.data_dir),
            HOST_ENV: self.host,
            PORT_ENV: str(self.port),
            WORKERS_ENV: str(self.workers),
        }


def _integer(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None
