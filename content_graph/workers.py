"""`serve --workers N`: one graph, loaded once, shared by N forked worker processes.

The supervisor binds the socket and loads the graph, then freezes the collector
(`gc.freeze()`) and forks the workers: each one serves the graph it inherited, so its
pages stay shared copy-on-write instead of every worker holding its own copy (uvicorn's
own supervisor spawns fresh interpreters that each load the data). A worker is ready
the moment it starts, since it has the graph.

Signals to the supervisor:

- SIGHUP reloads: the supervisor loads the data folder again (the old workers keep
  answering meanwhile), forks new workers from the new graph and stops the old ones
  gracefully, so every worker serves the new data and the workers share it again.
  With `--watch` the supervisor watches the data folder (in a thread) and reloads the
  same way on each change; a worker given POST /admin/reload passes it on as a SIGHUP.
  A reload that fails keeps the old graph, and the workers are replaced all the same,
  so that each one's /readyz and `stats` report the failure.
- SIGTERM or SIGINT stops every worker gracefully (in-flight requests finish), then the
  supervisor exits.

A worker that dies is replaced by a new one forked from the current graph.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio
import uvicorn
from starlette.applications import Starlette

from content_graph import watch
from content_graph.app import (
    PERSIST_AFTER_SECONDS,
    create_app,
    log_failure,
    log_load,
    next_reload,
)
from content_graph.ready import ReadyLine, StartedServer
from content_graph.settings import Settings
from graph import LoadResult, load
from graph.model import ContentGraph
from graph.reload import LoadedFiles, persist
from graph.reload import reload as reload_changed
from graph.report import counted
from resolvers.reloads import LastReload, Trigger

logger = logging.getLogger("content_graph")

# A worker that dies sooner than this after its start is not replaced at once, so a
# worker that cannot run does not make the supervisor fork in a tight loop.
RESTART_BACKOFF = 1.0
POLL_INTERVAL = 0.1


@dataclass
class Supervisor:
    """The parent of the workers: their socket, the graph they share, and their pids."""

    settings: Settings
    config: Callable[[Starlette], uvicorn.Config]
    sock: socket.socket
    graph: LoadResult
    ready: ReadyLine
    # Each worker writes a byte here once it listens: the ready line waits for them all.
    started: tuple[int, int] = field(default_factory=os.pipe)
    started_count: int = 0
    workers: dict[int, float] = field(default_factory=dict)  # pid → when it started
    retiring: set[int] = field(default_factory=set)
    signals: list[int] = field(default_factory=list)
    last_reload: LastReload | None = None
    # Set by the watcher thread (--watch) when the data folder changed.
    changed: threading.Event = field(default_factory=threading.Event)
    # With --watch, what the last load read, so a reload reads only the changed files.
    files: LoadedFiles | None = None
    reloaded_at: float = 0.0

    def run(self) -> None:
        for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda signum, frame: self.signals.append(signum))
        self.fork_workers()
        if self.settings.watch:
            self.files = LoadedFiles(self.settings.data_dir)
            self.start_watching()
        try:
            while True:
                if self.signals:
                    pending, self.signals[:] = set(self.signals), []
                    if pending - {signal.SIGHUP}:
                        self.stop()
                        return
                    # One reload for any number of SIGHUPs (a `pkill -HUP` reaches the
                    # workers too, and each passes its own on to here).
                    self.reload("signal")
                if self.changed.is_set():
                    self.changed.clear()
                    self.reload("watch")
                self.reap()
                self.count_started()
                self.persist_when_quiet()
                time.sleep(POLL_INTERVAL)
        finally:
            self.sock.close()
            for fd in self.started:
                os.close(fd)

    def fork_workers(self) -> None:
        while len(self.workers) < self.settings.workers:
            pid = os.fork()
            if pid == 0:
                self.run_worker()  # never returns
            self.workers[pid] = time.monotonic()

    def run_worker(self) -> None:
        code = 1
        try:
            for signum in (signal.SIGHUP, signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, signal.SIG_DFL)
            app = create_app(
                self.settings,
                preloaded=self.graph,
                supervisor=os.getppid(),
                last_reload=self.last_reload,
            )
            StartedServer(self.config(app), self.signal_started).run(sockets=[self.sock])
            code = 0
        except BaseException:
            logger.exception("Worker %d failed", os.getpid())
        finally:
            # Never back into the supervisor's loop, nor its exit handlers.
            os._exit(code)

    def signal_started(self) -> None:
        """In a worker, once it listens: tell the supervisor."""
        os.write(self.started[1], b".")

    def count_started(self) -> None:
        """Read the workers' start signals; once the first N have come, the ready line."""
        os.set_blocking(self.started[0], False)
        with contextlib.suppress(BlockingIOError):
            self.started_count += len(os.read(self.started[0], 4096))
        if self.started_count >= self.settings.workers:
            self.ready.listens()

    def reap(self) -> None:
        while True:
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                return
            if pid == 0:
                return
            self.retiring.discard(pid)
            started = self.workers.pop(pid, None)
            if started is not None:
                logger.warning("Worker %d exited (%s); starting another", pid, _exit_reason(status))
                if time.monotonic() - started < RESTART_BACKOFF:
                    time.sleep(RESTART_BACKOFF)
                self.fork_workers()

    def start_watching(self) -> None:
        """Watch the data folder in a thread that flags each change for the main loop."""

        async def flag(_changed: set[str] | None) -> None:
            # Which files changed is not passed on: the supervisor's reload walks.
            self.changed.set()

        def run() -> None:
            try:
                anyio.run(watch.watch, self.settings.data_dir, flag)
            except Exception:
                logger.exception(
                    "Watching %s stopped; reload with SIGHUP instead", self.settings.data_dir
                )

        # A daemon: it must not keep the supervisor alive once the workers are stopped.
        # Workers forked later have only the forking thread, so they never watch.
        threading.Thread(target=run, name="watch", daemon=True).start()

    def persist_when_quiet(self) -> None:
        """Write the load caches for the last graph built here, once reloads pause."""
        files = self.files
        quiet = time.monotonic() - self.reloaded_at >= PERSIST_AFTER_SECONDS
        if files is not None and files.unsaved is not None and quiet:
            persist(files)

    def reload(self, trigger: Trigger) -> None:
        self.reloaded_at = time.monotonic()
        try:
            # The old workers keep answering from the old graph while this loads.
            if self.files is not None:
                result = reload_changed(self.files)
            else:
                result = load(self.settings.data_dir, separate_process=True)
        except Exception as error:
            log_failure(self.settings.data_dir, error)
            self.last_reload = next_reload(self.last_reload, trigger, error)
            # New workers from the same graph, so that each reports the failure.
            self.recycle_workers()
            return
        log_load(result, trigger=trigger)
        self.last_reload = next_reload(self.last_reload, trigger)
        # The old graph goes before the new workers fork, or they would inherit it too;
        # the old workers keep their own pages of it until they exit.
        gc.unfreeze()
        _with_networkx(result.graph)
        self.graph = result
        del result
        gc.collect()
        gc.freeze()
        self.recycle_workers()

    def recycle_workers(self) -> None:
        old = set(self.workers)
        self.workers = {}
        self.fork_workers()
        # The socket is shared: connections that arrive while the new workers start wait
        # in its backlog; the old workers finish what they accepted, then exit.
        self.retiring |= old
        for pid in old:
            _signal(pid, signal.SIGTERM)

    def stop(self) -> None:
        self.retiring |= set(self.workers)
        self.workers.clear()
        for pid in self.retiring:
            _signal(pid, signal.SIGTERM)
        for pid in self.retiring:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
        self.retiring.clear()


def serve_workers(
    settings: Settings, config: Callable[[Starlette], uvicorn.Config], ready: ReadyLine
) -> None:
    """Load `settings.data_dir` once, then serve it from `settings.workers` processes.

    `config(app)` is the uvicorn configuration of a worker serving `app`; `ready` logs
    the ready line once every worker listens.
    """
    sock = config(create_app(settings)).bind_socket()
    # A SIGHUP now would end the process (its default action); the load about to run
    # reads the newest data anyway.
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    try:
        # Built in a child process, so the supervisor (and every page the workers
        # share) holds only the graph, not the leftovers of building it.
        result = load(settings.data_dir, separate_process=True)
    except Exception:
        sock.close()
        logger.exception("Could not load %s", settings.data_dir)
        raise SystemExit(1) from None
    log_load(result)
    _with_networkx(result.graph)
    ready.loaded(result.graph)
    logger.info("Supervisor %d starting %s", os.getpid(), counted(settings.workers, "worker"))
    # Objects that exist now are never scanned by the collector again: a collection in
    # a worker would otherwise write to every object's header and unshare its page.
    gc.collect()
    gc.freeze()
    Supervisor(settings, config, sock, result, ready, last_reload=next_reload(None, "start")).run()


def _with_networkx(graph: ContentGraph) -> None:
    # Made before the workers fork, so that they share it rather than each make its own.
    graph.graph  # noqa: B018 (made on first read)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def _exit_reason(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"signal {signal.Signals(os.WTERMSIG(status)).name}"
    return f"code {os.waitstatus_to_exitcode(status)}"
