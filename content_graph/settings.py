"""How a content-graph server is configured: one dataclass, from CLI flags or env vars.

The CLI fills `Settings` from its flags (each flag falls back to the env var named here);
a server started from an import string (`uvicorn --factory`, or `serve --workers N`,
where every worker imports the app afresh) reads the same env vars with `from_env`.
`Settings.limits` (a `Limits`) groups the guard rails of a public endpoint: the limits
on each request and the production switches.
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
RESPONSE_CACHE_ENV = "CONTENT_GRAPH_RESPONSE_CACHE_BYTES"
MAX_AGE_ENV = "CONTENT_GRAPH_CACHE_MAX_AGE"
PERSISTED_QUERIES_ENV = "CONTENT_GRAPH_PERSISTED_QUERY_BYTES"
# Live reloading (docs/live.md): watch the data folder; the token of POST /admin/reload.
WATCH_ENV = "CONTENT_GRAPH_WATCH"
ADMIN_TOKEN_ENV = "CONTENT_GRAPH_ADMIN_TOKEN"

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_WORKERS = 1
# Response cache and persisted-query store sizes, in bytes of the entries they hold.
DEFAULT_RESPONSE_CACHE_BYTES = 64 * 2**20
DEFAULT_PERSISTED_QUERY_BYTES = 8 * 2**20
# Seconds a GET answer may be reused without asking; 0 means revalidate every time (ETag).
DEFAULT_MAX_AGE = 0


def shipped_folder(name: str) -> Path:
    """A folder the checkout keeps beside the packages (`data`, `examples`), found from
    this package rather than the working directory; in an installed wheel, which has no
    checkout, the copy the build put inside the package (`setup.py`)."""
    package = Path(__file__).resolve().parent
    checkout = package.parent / name
    return checkout if checkout.is_dir() else package / SHIPPED_DIR / name


# Where a wheel carries `data/` and `examples/` inside the package (setup.py writes it).
SHIPPED_DIR = "shipped"


def default_data_dir() -> Path:
    """The repository's `data/` (or a wheel's copy of it), so `content-graph serve` works
    from any directory with no arguments."""
    return shipped_folder("data")


# The guard rails of a public endpoint (issue 4). The defaults let every query the
# playground and the contract suggest through while refusing exponential ones.
MAX_COST_ENV = "CONTENT_GRAPH_MAX_COST"
MAX_DEPTH_ENV = "CONTENT_GRAPH_MAX_DEPTH"
MAX_ALIASES_ENV = "CONTENT_GRAPH_MAX_ALIASES"
MAX_TOKENS_ENV = "CONTENT_GRAPH_MAX_TOKENS"
TIMEOUT_ENV = "CONTENT_GRAPH_TIMEOUT"
MAX_BODY_ENV = "CONTENT_GRAPH_MAX_BODY_BYTES"
MAX_BATCH_ENV = "CONTENT_GRAPH_MAX_BATCH"
INTROSPECTION_ENV = "CONTENT_GRAPH_INTROSPECTION"
GRAPHIQL_ENV = "CONTENT_GRAPH_GRAPHIQL"
CORS_ORIGINS_ENV = "CONTENT_GRAPH_CORS_ORIGINS"
CSRF_PREVENTION_ENV = "CONTENT_GRAPH_CSRF_PREVENTION"
MAX_SUBSCRIPTION_CONNECTIONS_ENV = "CONTENT_GRAPH_MAX_SUBSCRIPTION_CONNECTIONS"
MAX_SUBSCRIPTIONS_ENV = "CONTENT_GRAPH_MAX_SUBSCRIPTIONS_PER_CONNECTION"
SUBSCRIPTION_INIT_TIMEOUT_ENV = "CONTENT_GRAPH_SUBSCRIPTION_INIT_TIMEOUT"

DEFAULT_MAX_COST = 50_000
DEFAULT_MAX_DEPTH = 15
DEFAULT_MAX_ALIASES = 50
DEFAULT_MAX_TOKENS = 5_000
DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_BODY_BYTES = 100_000
DEFAULT_MAX_BATCH = 0
# Websocket connections cost a task and a few KB each; a thousand idle ones are cheap,
# and ten subscriptions are more than one page needs (docs/subscriptions.md).
DEFAULT_MAX_SUBSCRIPTION_CONNECTIONS = 1_000
DEFAULT_MAX_SUBSCRIPTIONS = 10
DEFAULT_SUBSCRIPTION_INIT_TIMEOUT = 10.0


@dataclass(frozen=True, slots=True)
class Limits:
    """What one request may ask for, and which production switches are on.

    `max_cost`, `max_depth`, `max_aliases` and `max_tokens` are checked before anything
    runs (see `content_graph/limits.py` for the cost formula); `timeout` is in seconds
    per HTTP request; `max_batch` 0 turns batching off. `cors_origins` empty means no
    cross-origin browser may read the answers.
    """

    max_cost: int = DEFAULT_MAX_COST
    max_depth: int = DEFAULT_MAX_DEPTH
    max_aliases: int = DEFAULT_MAX_ALIASES
    max_tokens: int = DEFAULT_MAX_TOKENS
    timeout: float = DEFAULT_TIMEOUT
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_batch: int = DEFAULT_MAX_BATCH
    introspection: bool = True
    graphiql: bool = True
    cors_origins: tuple[str, ...] = ()
    csrf_prevention: bool = True
    max_subscription_connections: int = DEFAULT_MAX_SUBSCRIPTION_CONNECTIONS
    max_subscriptions_per_connection: int = DEFAULT_MAX_SUBSCRIPTIONS
    subscription_init_timeout: float = DEFAULT_SUBSCRIPTION_INIT_TIMEOUT

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Limits:
        origins = environ.get(CORS_ORIGINS_ENV) or ""
        return cls(
            max_cost=_integer(environ, MAX_COST_ENV, DEFAULT_MAX_COST),
            max_depth=_integer(environ, MAX_DEPTH_ENV, DEFAULT_MAX_DEPTH),
            max_aliases=_integer(environ, MAX_ALIASES_ENV, DEFAULT_MAX_ALIASES),
            max_tokens=_integer(environ, MAX_TOKENS_ENV, DEFAULT_MAX_TOKENS),
            timeout=_number(environ, TIMEOUT_ENV, DEFAULT_TIMEOUT),
            max_body_bytes=_integer(environ, MAX_BODY_ENV, DEFAULT_MAX_BODY_BYTES),
            max_batch=_integer(environ, MAX_BATCH_ENV, DEFAULT_MAX_BATCH),
            introspection=_switch(environ, INTROSPECTION_ENV, True),
            graphiql=_switch(environ, GRAPHIQL_ENV, True),
            cors_origins=tuple(origin.strip() for origin in origins.split(",") if origin.strip()),
            csrf_prevention=_switch(environ, CSRF_PREVENTION_ENV, True),
            max_subscription_connections=_integer(
                environ, MAX_SUBSCRIPTION_CONNECTIONS_ENV, DEFAULT_MAX_SUBSCRIPTION_CONNECTIONS
            ),
            max_subscriptions_per_connection=_integer(
                environ, MAX_SUBSCRIPTIONS_ENV, DEFAULT_MAX_SUBSCRIPTIONS
            ),
            subscription_init_timeout=_number(
                environ, SUBSCRIPTION_INIT_TIMEOUT_ENV, DEFAULT_SUBSCRIPTION_INIT_TIMEOUT
            ),
        )

    def to_env(self) -> dict[str, str]:
        return {
            MAX_COST_ENV: str(self.max_cost),
            MAX_DEPTH_ENV: str(self.max_depth),
            MAX_ALIASES_ENV: str(self.max_aliases),
            MAX_TOKENS_ENV: str(self.max_tokens),
            TIMEOUT_ENV: repr(self.timeout),
            MAX_BODY_ENV: str(self.max_body_bytes),
            MAX_BATCH_ENV: str(self.max_batch),
            INTROSPECTION_ENV: str(self.introspection).lower(),
            GRAPHIQL_ENV: str(self.graphiql).lower(),
            CORS_ORIGINS_ENV: ",".join(self.cors_origins),
            CSRF_PREVENTION_ENV: str(self.csrf_prevention).lower(),
            MAX_SUBSCRIPTION_CONNECTIONS_ENV: str(self.max_subscription_connections),
            MAX_SUBSCRIPTIONS_ENV: str(self.max_subscriptions_per_connection),
            SUBSCRIPTION_INIT_TIMEOUT_ENV: repr(self.subscription_init_timeout),
        }


@dataclass(frozen=True, slots=True)
class Settings:
    data_dir: Path = field(default_factory=default_data_dir)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = DEFAULT_WORKERS
    response_cache_bytes: int = DEFAULT_RESPONSE_CACHE_BYTES
    max_age: int = DEFAULT_MAX_AGE
    persisted_query_bytes: int = DEFAULT_PERSISTED_QUERY_BYTES
    limits: Limits = field(default_factory=Limits)
    watch: bool = False
    # None (or empty) leaves POST /admin/reload off: it answers 404.
    admin_token: str | None = field(default=None, repr=False)  # kept out of logs

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        """Settings from `CONTENT_GRAPH_*` variables; unset ones take the defaults."""
        data = environ.get(DATA_ENV)
        return cls(
            data_dir=Path(data) if data else default_data_dir(),
            host=environ.get(HOST_ENV) or DEFAULT_HOST,
            port=_integer(environ, PORT_ENV, DEFAULT_PORT),
            workers=_integer(environ, WORKERS_ENV, DEFAULT_WORKERS),
            response_cache_bytes=_integer(
                environ, RESPONSE_CACHE_ENV, DEFAULT_RESPONSE_CACHE_BYTES
            ),
            max_age=_integer(environ, MAX_AGE_ENV, DEFAULT_MAX_AGE),
            persisted_query_bytes=_integer(
                environ, PERSISTED_QUERIES_ENV, DEFAULT_PERSISTED_QUERY_BYTES
            ),
            limits=Limits.from_env(environ),
            watch=_switch(environ, WATCH_ENV, False),
            admin_token=environ.get(ADMIN_TOKEN_ENV) or None,
        )

    def to_env(self) -> dict[str, str]:
        """The env vars that make `from_env` give back these settings."""
        return {
            DATA_ENV: str(self.data_dir),
            HOST_ENV: self.host,
            PORT_ENV: str(self.port),
            WORKERS_ENV: str(self.workers),
            RESPONSE_CACHE_ENV: str(self.response_cache_bytes),
            MAX_AGE_ENV: str(self.max_age),
            PERSISTED_QUERIES_ENV: str(self.persisted_query_bytes),
            **self.limits.to_env(),
            WATCH_ENV: str(self.watch).lower(),
            ADMIN_TOKEN_ENV: self.admin_token or "",
        }


def _integer(environ: Mapping[str, str], name: str, default: int) -> int:
    value = environ.get(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {value!r}") from None


def _number(environ: Mapping[str, str], name: str, default: float) -> float:
    value = environ.get(name)
    if not value:
        return default
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {value!r}") from None


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _switch(environ: Mapping[str, str], name: str, default: bool) -> bool:
    value = (environ.get(name) or "").strip().lower()
    if not value:
        return default
    if value in _TRUE | _FALSE:
        return value in _TRUE
    raise ValueError(f"{name} must be true or false, not {value!r}")
