"""The Starlette application: `/graphql`, the playground, health checks and the SDL.

The graph is loaded once, in the background, when the server starts: the server accepts
connections at once, `/healthz` says it is alive, and `/readyz` says 503 until the data is
loaded. `app.state.graph` holds the loaded `ContentGraph`; `reload()` builds a new one
and swaps the reference, so a request always sees one whole load, old or new.

A SIGHUP makes the process reload. Code that must know of a new graph (subscriptions,
for one) registers a listener with `on_reload`; listeners run after each swap.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial

import anyio
import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from content_graph import guards, playground
from content_graph.collector import settle_after_load
from content_graph.events import Broadcaster
from content_graph.persisted import PersistedQueries
from content_graph.response_cache import ResponseCache
from content_graph.settings import Settings
from content_graph.view import GraphQLView
from graph import LoadResult, load
from graph.model import ContentGraph
from schema import schema

logger = logging.getLogger("content_graph")


def create_app(settings: Settings, preloaded: LoadResult | None = None) -> Starlette:
    """The application for `settings.data_dir`; the data loads when the server starts.

    With `preloaded` (a worker forked from a supervisor that loaded the data, see
    `content_graph.workers`), the app serves that graph from the start and loads nothing.
    """
    sdl = schema.as_str() + "\n"
    limits = settings.limits

    async def healthz(request: Request) -> Response:
        return json_response({"status": "alive"})

    async def readyz(request: Request) -> Response:
        graph: ContentGraph | None = request.app.state.graph
        if graph is None:
            error: str | None = request.app.state.load_error
            status = "failed" if error else "loading"
            return json_response({"status": status, "error": error}, status_code=503)
        stats = graph.stats
        return json_response(
            {
                "status": "ready",
                # Which worker answered, when several share the port.
                "pid": os.getpid(),
                "version": stats.version,
                "loadedAt": stats.loaded_at.isoformat(),
                "articles": stats.articles,
                "providers": stats.providers,
                "topics": stats.topics,
            }
        )

    async def schema_sdl(request: Request) -> Response:
        return PlainTextResponse(sdl)

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
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with anyio.create_task_group() as tasks:
            if preloaded is None:
                tasks.start_soon(_load_at_startup, app)
            tasks.start_soon(_reload_on_sighup, app)
            yield
            # A load still running at shutdown is abandoned with its thread.
            tasks.cancel_scope.cancel()

    app = Starlette(
        routes=[
            Route("/graphql", graphql, name="graphql"),
            WebSocketRoute("/graphql", graphql),  # subscriptions (docs/subscriptions.md)
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Route("/readyz", readyz, methods=["GET", "HEAD"]),
            Route("/schema.graphql", schema_sdl, methods=["GET", "HEAD"]),
            *([playground.assets_mount()] if limits.graphiql else []),
        ],
        middleware=guards.middleware(
            max_body_bytes=limits.max_body_bytes,
            csrf_prevention=limits.csrf_prevention,
            cors_origins=limits.cors_origins,
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.graph = preloaded.graph if preloaded else None
    app.state.load_error = None
    app.state.reload_listeners = [events.publish]
    # One load at a time: a second trigger waits, then loads what is newest.
    app.state.reload_lock = anyio.Lock()
    return app


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


async def reload(app: Starlette) -> LoadResult:
    """Load the data directory again and swap the new graph in.

    Loading runs in a worker thread, so requests keep being answered from the old graph
    meanwhile; the swap is one assignment.
    """
    settings: Settings = app.state.settings
    async with app.state.reload_lock:
        # Built in a child process (see graph.load): the server then holds only the graph,
        # not the allocator's leftovers from building it.
        result = await anyio.to_thread.run_sync(
            partial(load, settings.data_dir, separate_process=True), abandon_on_cancel=True
        )
        old, app.state.graph = app.state.graph, result.graph
        app.state.load_error = None
        for listener in app.state.reload_listeners:
            listener(old, result.graph)
        del old
        settle_after_load()
    return result


async def _reload_on_sighup(app: Starlette) -> None:
    if threading.current_thread() is not threading.main_thread():
        return  # signals reach the main thread only (an app run by a test client, say)
    with anyio.open_signal_receiver(signal.SIGHUP) as signals:
        async for _ in signals:
            try:
                result = await reload(app)
            except Exception:
                # The last good graph keeps being served.
                logger.exception("Reload of %s failed", app.state.settings.data_dir)
                continue
            logger.info("Reloaded: %s", load_summary(result))


async def _load_at_startup(app: Starlette) -> None:
    try:
        result = await reload(app)
    except Exception as error:
        # The process stays up (alive, not ready) so that /readyz can say why.
        app.state.load_error = f"{type(error).__name__}: {error}"
        logger.exception("Could not load %s", app.state.settings.data_dir)
        return
    logger.info("%s", load_summary(result))


def load_summary(result: LoadResult) -> str:
    """One line on what was served, e.g. for the log when the server starts."""
    stats, report = result.graph.stats, result.report
    return (
        f"Loaded {stats.articles:,} articles ({stats.articles_with_record:,} with record), "
        f"{stats.providers:,} providers, {stats.topics:,} topics from {report.data_dir} "
        f"in {report.seconds:.1f}s; {report.files_skipped:,} files skipped"
    )


def json_response(content: object, status_code: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code, media_type="application/json")
