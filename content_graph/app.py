"""The Starlette application: `/graphql`, the playground, health checks and the SDL.

The graph is loaded once, in the background, when the server starts: the server accepts
connections at once, `/healthz` says it is alive, and `/readyz` says 503 until the data is
loaded. `app.state.graph` holds the loaded `ContentGraph`; `reload()` builds a new one
and swaps the reference, so a request always sees one whole load, old or new.

A SIGHUP makes the process reload; so do a change under the data folder with `--watch`
and `POST /admin/reload` with `--admin-token` (docs/live.md). A reload that fails keeps
the last good graph in service; `app.state.last_reload` says how the last load went, for
`/readyz` and `stats`. Code that must know of a new graph (subscriptions, for one)
registers a listener with `on_reload`; listeners run after each swap.
"""

from __future__ import annotations

import hmac
import logging
import multiprocessing
import os
import shlex
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Any

import anyio
import orjson
from starlette.applications import Starlette
from starlette.datastructures import State
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from content_graph import front, guards, playground, watch
from content_graph.collector import (
    build_frozen,
    collect_young_less_often,
    settle_after_load,
    swapped,
)
from content_graph.events import Broadcaster
from content_graph.http_fast import FastGraphQL
from content_graph.persisted import PersistedQueries
from content_graph.response_cache import ResponseCache
from content_graph.settings import Limits, Settings
from content_graph.view import GraphQLView
from graph import LoadResult, load
from graph.load import DataDirectoryError
from graph.model import ContentGraph
from graph.reload import LoadedFiles, persist
from graph.reload import reload as reload_changed
from graph.report import counted
from resolvers.reloads import LastReload, Trigger
from schema import schema

logger = logging.getLogger("content_graph")
# Skipped files named in the log at each load; `content-graph check` lists them all.
LOGGED_SKIPPED_FILES = 5
# With --watch, the load caches are written once no reload has run for this long: writing
# them takes seconds of CPU at 100k records, which a burst of edits should not pay for.
PERSIST_AFTER_SECONDS = 30.0
# After a swap, before the collection that frees the old graph.
SETTLE_DELAY_SECONDS = 0.05


def create_app(
    settings: Settings,
    preloaded: LoadResult | None = None,
    *,
    supervisor: int | None = None,
    last_reload: LastReload | None = None,
    fast_path: bool = True,
) -> Starlette:
    """The application for `settings.data_dir`; the data loads when the server starts.

    With `preloaded` (a worker forked from a supervisor that loaded the data, see
    `content_graph.workers`), the app serves that graph from the start and loads nothing;
    `supervisor` is then the pid that reloads (POST /admin/reload asks it to), and
    `last_reload` how its last load went. `fast_path=False` leaves every `/graphql`
    request to the Strawberry view (`http_fast.py`), for tests and benchmarks to compare.
    """
    sdl = schema.as_str() + "\n"
    limits = settings.limits
    # A server has threads, so reloads build in children of multiprocessing's forkserver
    # (graph.load): the loader imported there once, not in every child, saves some
    # 0.2-0.5 s a reload at 1k records.
    multiprocessing.set_forkserver_preload(["graph.load"])
    collect_young_less_often()  # process-wide; see collector.py

    async def healthz(request: Request) -> Response:
        return json_response({"status": "alive"})

    async def readyz(request: Request) -> Response:
        graph: ContentGraph | None = request.app.state.graph
        if graph is None:
            error: str | None = request.app.state.load_error
            status = "failed" if error else "loading"
            return json_response({"status": status, "error": error}, status_code=503)
        return json_response(
            {
                "status": "ready",
                # Which worker answered, when several share the port.
                "pid": os.getpid(),
                # Still 200 after a failed reload: the last good graph is being served.
                **_served(graph, request.app.state.last_reload),
            }
        )

    async def schema_sdl(request: Request) -> Response:
        return PlainTextResponse(sdl)

    async def admin_reload(request: Request) -> Response:
        refusal = _check_token(request, settings.admin_token or "")
        if refusal is not None:
            return refusal
        supervisor: int | None = request.app.state.supervisor
        if supervisor is not None:
            # This worker is about to be replaced by one forked from the new graph, so
            # it cannot wait for the outcome: /readyz shows it once the reload is done.
            os.kill(supervisor, signal.SIGHUP)
            return json_response(
                {"status": "accepted", "detail": "the supervisor reloads; see /readyz"},
                status_code=202,
            )
        try:
            result = await reload(request.app, "admin")
        except Exception as error:
            log_failure(settings.data_dir, error)
            outcome = request.app.state.last_reload
            graph = request.app.state.graph
            return json_response(
                {
                    "status": "failed",
                    "lastReload": outcome.as_json(),
                    # Still served: the last good data.
                    "version": None if graph is None else graph.version,
                },
                status_code=409,
            )
        log_load(result, trigger="admin")
        return json_response(
            {
                "status": "reloaded",
                "summary": load_summary(result),
                **_served(result.graph, request.app.state.last_reload),
            }
        )

    assets_url = playground.ASSETS_PATH if playground.assets_available() else None
    events = Broadcaster()
    graphql = GraphQLView(
        schema,
        current_graph=lambda request: request.app.state.graph,
        playground=lambda endpoint: playground.playground_html(endpoint, assets_url=assets_url),
        response_cache=ResponseCache(settings.response_cache_bytes),
        persisted_queries=PersistedQueries(settings.persisted_query_bytes),
        max_age=settings.max_age,
        limits=settings.limits,
        events=events,
        last_reload=lambda request: request.app.state.last_reload,
        load_error=lambda connection: connection.app.state.load_error,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with anyio.create_task_group() as tasks:
            if preloaded is None:
                tasks.start_soon(_load_at_startup, app)
            tasks.start_soon(_reload_on_sighup, app)
            if supervisor is None and settings.watch:
                # The supervisor of several workers watches for them.
                tasks.start_soon(_watch, app)
                tasks.start_soon(_persist_when_quiet, app)
            yield
            # A load still running at shutdown is abandoned with its thread.
            tasks.cancel_scope.cancel()

    admin = bool(settings.admin_token)
    app = Starlette(
        routes=[
            Route("/graphql", graphql, name="graphql"),
            WebSocketRoute("/graphql", graphql),  # subscriptions (docs/subscriptions.md)
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Route("/readyz", readyz, methods=["GET", "HEAD"]),
            Route("/schema.graphql", schema_sdl, methods=["GET", "HEAD"]),
            # Off (an unknown path, 404) unless a token is configured.
            *([Route("/admin/reload", admin_reload, methods=["POST"])] if admin else []),
            *([playground.assets_mount()] if limits.graphiql else []),
            *front.routes(browser_pages=limits.graphiql),  # /, /explorer, the icon
        ],
        middleware=_with_fast_path(graphql, limits) if fast_path else _guards(limits),
        lifespan=lifespan,
    )
    app.state = AppState()
    app.state.settings = settings
    app.state.graph = preloaded.graph if preloaded else None
    app.state.load_error = None
    app.state.last_reload = last_reload
    app.state.supervisor = supervisor
    app.state.reload_listeners = [events.publish]
    # With --watch, what the last load read stays in memory, so that a reload reads only
    # the changed files (graph/reload.py); without it, a reload is a whole load.
    app.state.loaded_files = LoadedFiles(settings.data_dir) if settings.watch else None
    # One load at a time: a second trigger waits, then loads what is newest.
    app.state.reload_lock = anyio.Lock()
    return app


class AppState(State):
    """Starlette's `State`, its attributes read as plain attributes.

    Starlette's reads each through `__getattr__`, a Python call, and every request reads
    two (the graph and the last reload): about a microsecond of a small query's time.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        self.__dict__[name] = value

    def __delattr__(self, name: str) -> None:
        super().__delattr__(name)
        del self.__dict__[name]


ReloadListener = Callable[[ContentGraph | None, ContentGraph], None]


def on_reload(app: Starlette, listener: ReloadListener) -> None:
    """Call `listener(old, new)` after every swap of the graph (old is None the first time).

    Listeners run on the event loop right after the swap, so they must be quick: hand
    anything slow to a task of their own.
    """
    app.state.reload_listeners.append(listener)


def create_app_from_env() -> Starlette:
    """The factory for import strings: `uvicorn --factory content_graph.app:create_app_from_env`.

    Settings come from the `CONTENT_GRAPH_*` env vars (see `settings.py`).
    """
    return create_app(Settings.from_env())


def create_app_without_fast_path() -> Starlette:
    """`create_app_from_env` with every `/graphql` request answered by the Strawberry view:
    the reference that tests/test_http_fast.py and bench/http_path.py compare against."""
    return create_app(Settings.from_env(), fast_path=False)


def _guards(limits: Limits) -> list[Middleware]:
    return guards.middleware(
        max_body_bytes=limits.max_body_bytes,
        csrf_prevention=limits.csrf_prevention,
        cors_origins=limits.cors_origins,
    )


def _with_fast_path(view: GraphQLView, limits: Limits) -> list[Middleware]:
    """The guards, with the fast path to `view` at /graphql (http_fast.py) just inside CORS:
    CORS adds its headers to the fast path's answers as to any other, and the fast path
    keeps only requests the body and CSRF guards behind it would let through."""
    stack = _guards(limits)
    inner = next(index for index, item in enumerate(stack) if item.cls is guards.RequestGuard)
    fast = Middleware(FastGraphQL, view=view, path="/graphql", max_body_bytes=limits.max_body_bytes)
    return [*stack[:inner], fast, *stack[inner:]]


async def reload(
    app: Starlette, trigger: Trigger = "signal", changed_paths: set[str] | None = None
) -> LoadResult:
    """Load the data directory again and swap the new graph in.

    `changed_paths` (from the watcher) are the only files that changed: with --watch,
    the reload stats only those instead of walking the folder (graph/reload.py).

    Loading runs in a worker thread, so requests keep being answered from the old graph
    meanwhile; the swap is one assignment. A load that fails raises, leaves the old graph
    in service and is recorded in `app.state.last_reload`, as is one that succeeds.
    """
    settings: Settings = app.state.settings
    async with app.state.reload_lock:
        files: LoadedFiles | None = app.state.loaded_files
        if files is None or trigger == "start":
            # Built in a child process (see graph.load): the server then holds only the
            # graph, not the allocator's leftovers from building it.
            job = partial(load, settings.data_dir, separate_process=True)
        else:
            # Built here from the kept results; only the changed files are read.
            job = partial(reload_changed, files, changed_paths)
        try:
            result = await anyio.to_thread.run_sync(
                partial(build_frozen, job), abandon_on_cancel=True
            )
        except Exception as error:
            app.state.last_reload = next_reload(app.state.last_reload, trigger, error)
            raise
        # The graph and the outcome change together, with no await between: a request
        # reads both at once (view.py), so it never pairs one reload's graph with
        # another's outcome.
        old, app.state.graph = app.state.graph, result.graph
        swapped(old, result.graph)
        app.state.last_reload = next_reload(app.state.last_reload, trigger)
        app.state.load_error = None
        for listener in app.state.reload_listeners:
            listener(old, result.graph)
        del old
        make_networkx_soon(result.graph)
        if trigger != "start":
            # A full collection, when one is due, holds the loop for seconds at 100k
            # records: let the requests already waiting be answered from the new graph
            # first. (At the start none wait, and the load's log line must come before
            # the ready line.)
            await anyio.sleep(SETTLE_DELAY_SECONDS)
        settle_after_load()
    return result


def make_networkx_soon(graph: ContentGraph) -> None:
    """Make the NetworkX graph of `graph` in a thread of its own.

    Every served graph has one, but the change a reload brings is served before it is
    made (a second at 100k records): a query that reads it first (shortestPath) waits.
    """
    threading.Thread(target=lambda: graph.graph, name="networkx", daemon=True).start()


def next_reload(
    previous: LastReload | None, trigger: Trigger, error: BaseException | None = None
) -> LastReload:
    """The outcome of the load after `previous`: ok, or failed because of `error`."""
    return LastReload(
        ok=error is None,
        at=datetime.now(UTC),
        trigger=trigger,
        error=None if error is None else failure_reason(error),
        attempt=1 if previous is None else previous.attempt + 1,
    )


def failure_reason(error: BaseException) -> str:
    """Why a load failed, in one line for the log, /readyz and `stats`."""
    if isinstance(error, DataDirectoryError):
        return str(error)  # "data directory '…' does not exist": says it all
    return f"{type(error).__name__}: {error}"


def log_failure(data_dir: object, error: BaseException) -> None:
    """Log why a reload failed; a traceback only for failures nobody expected."""
    if isinstance(error, DataDirectoryError | OSError):
        logger.error("Reload of %s failed, still serving the last good data: %s", data_dir, error)
    else:
        logger.exception("Reload of %s failed, still serving the last good data", data_dir)


async def _reload_logged(
    app: Starlette, trigger: Trigger, changed_paths: set[str] | None = None
) -> None:
    try:
        result = await reload(app, trigger, changed_paths)
    except Exception as error:
        log_failure(app.state.settings.data_dir, error)
        return
    log_load(result, trigger=trigger)


async def _watch(app: Starlette) -> None:
    data_dir = app.state.settings.data_dir
    try:
        await watch.watch(data_dir, partial(_reload_logged, app, "watch"))
    except Exception:
        # Such as the system's limit on watched folders: the server goes on serving, and
        # SIGHUP and POST /admin/reload still reload.
        logger.exception("Watching %s stopped; reload with SIGHUP instead", data_dir)


async def _persist_when_quiet(app: Starlette) -> None:
    """Write the load caches for the graph the last reload built in this process, once
    the reloads have paused, so that a restart starts warm (graph/reload.py)."""
    files: LoadedFiles = app.state.loaded_files
    while True:
        await anyio.sleep(PERSIST_AFTER_SECONDS / 4)
        outcome: LastReload | None = app.state.last_reload
        if files.unsaved is None or outcome is None or app.state.reload_lock.locked():
            continue
        if (datetime.now(UTC) - outcome.at).total_seconds() < PERSIST_AFTER_SECONDS:
            continue
        try:
            await anyio.to_thread.run_sync(persist, files, abandon_on_cancel=True)
        except Exception:
            logger.exception("Writing the load caches failed; the next start rebuilds")


async def _reload_on_sighup(app: Starlette) -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # signals reach the main thread only (an app run by a test client, say)
    supervisor: int | None = app.state.supervisor
    with anyio.open_signal_receiver(signal.SIGHUP) as signals:
        async for _ in signals:
            if supervisor is not None:
                # A worker of `serve --workers`: the supervisor reloads for all of them
                # (a worker loading its own copy would unshare the graph's memory).
                os.kill(supervisor, signal.SIGHUP)
            else:
                await _reload_logged(app, "signal")


async def _load_at_startup(app: Starlette) -> None:
    try:
        result = await reload(app, "start")
    except Exception as error:
        # The process stays up (alive, not ready) so that /readyz can say why.
        app.state.load_error = f"{type(error).__name__}: {error}"
        logger.exception("Could not load %s", app.state.settings.data_dir)
        return
    log_load(result)
    files: LoadedFiles | None = app.state.loaded_files
    if files is not None:
        # Read the parse cache now, while nothing changes, rather than at the first reload.
        await anyio.to_thread.run_sync(files.prime, abandon_on_cancel=True)


def _served(graph: ContentGraph, outcome: LastReload | None) -> dict[str, object]:
    """What `/readyz` and the admin route say of the graph being served."""
    stats = graph.stats
    return {
        "version": stats.version,
        "loadedAt": stats.loaded_at.isoformat(),
        "articles": stats.articles,
        "providers": stats.providers,
        "topics": stats.topics,
        "filesSkipped": stats.files_skipped,
        "lastReload": None if outcome is None else outcome.as_json(),
    }


def _check_token(request: Request, token: str) -> Response | None:
    """None when the request carries `Authorization: Bearer <token>`, else the refusal."""
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given.strip():
        response = json_response(
            {"error": "Send the admin token as 'Authorization: Bearer <token>'."},
            status_code=401,
        )
        response.headers["WWW-Authenticate"] = 'Bearer realm="content-graph admin"'
        return response
    # Constant time, so the answer's timing does not tell how much of a guess was right.
    if not hmac.compare_digest(given.strip().encode(), token.encode()):
        return json_response({"error": "The admin token is not right."}, status_code=403)
    return None


def load_summary(result: LoadResult) -> str:
    """One line on what was served, e.g. for the log when the server starts."""
    stats, report = result.graph.stats, result.report
    return (
        f"Loaded {counted(stats.articles, 'article')} "
        f"({stats.articles_with_record:,} with a record), {counted(stats.providers, 'provider')}, "
        f"{counted(stats.topics, 'topic')} from {report.data_dir} in {report.seconds:.1f}s; "
        f"{counted(report.files_skipped, 'file')} skipped"
    )


def skipped_files_lines(result: LoadResult) -> list[str]:
    """A line per skipped file, the first few only: the rest are `check`'s to list."""
    errors = result.report.errors
    lines = [f"Skipped {problem}" for problem in errors[:LOGGED_SKIPPED_FILES]]
    if len(errors) > LOGGED_SKIPPED_FILES:
        rest = len(errors) - LOGGED_SKIPPED_FILES
        command = shlex.join(["content-graph", "check", result.report.data_dir])
        lines.append(f"... and {rest:,} more; run `{command}` to list them")
    return lines


def log_load(result: LoadResult, *, trigger: str | None = None) -> None:
    """Log what a load served, then the files it skipped and why; a reload says what
    made it (`trigger`: the signal, the watcher, the admin route)."""
    logger.info("%s%s", f"Reloaded ({trigger}): " if trigger else "", load_summary(result))
    for line in skipped_files_lines(result):
        logger.warning("%s", line)


def json_response(content: object, status_code: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code, media_type="application/json")
