"""The garbage collector after each load: the served graph moves to the permanent generation.

A loaded graph is hundreds of thousands of objects that live until the next load, and
the collector's full passes (generation 2) walk every one of them each time: under a
steady stream of new documents, whose parsed trees survive long enough to be promoted,
those passes came every few seconds and each stopped the process for a quarter to half a
second at 5k records, growing with the corpus. `gc.freeze()` puts everything alive at
that moment (the graph, the schema, the modules) where the collector never looks again;
the supervisor of `serve --workers` does the same before it forks (`workers.py`).

Freeing the graph a load replaces needs no collection: frozen objects are freed by
reference counting like any other, and only reference cycles need the collector. The
`ContentGraph` object itself is in no cycle (nothing it holds refers back to it), so
reference counting frees it as soon as no one holds it: not the server (the swap), not
a request (each holds the graph it started with until it is answered), not a
subscription's event. Only then, when no reader is left, are the cycles inside it broken
(articles listing each other as related, NetworkX's cached views of its graph), so that
reference counting frees the rest too. That work, and the freeing, take a few tenths of
a second at 100k records: they run in a thread of their own, not on the event loop. (So
nothing a graph holds, its `caches` included, may refer back to it: the finalizer holds
its parts, and would keep such a graph alive for good. A request drops its references
to its graph once answered, view.py, so the cycles graphql-core leaves do not hold it.)

A load is built with the collector paused, and what it made is frozen before the
collector resumes (`build_frozen`), so no pass ever walks the new graph. After the swap,
then, freezing is enough, and takes no time however large the graph is; a full
collection (unfreeze, collect, freeze) walks every object, old graph and new, and held
the event loop 2-3 s at 100k records. It still runs when it is cheap (a small graph);
when a graph replaced before the last load is still alive, which a collection may free
(it may be held by cyclic garbage: a request that failed, its traceback in a cycle); and
every `FULL_EVERY` loads, for whatever else was frozen and became cyclic garbage since
(a request's objects that were alive at a freeze).
"""

from __future__ import annotations

import gc
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx

from graph.cache import collector_paused
from graph.model import ContentGraph

logger = logging.getLogger("content_graph")

# A full collection this fast (a graph of some thousands of records) runs after every load.
CHEAP_SECONDS = 0.05
# One this slow is logged: the requests waiting meanwhile were held that long.
LOGGED_SECONDS = 0.5
# Otherwise one load in this many ends with one, which bounds the cyclic garbage frozen
# since (a request's objects that were alive at a freeze). Counting the frozen objects
# instead would cost a third of a second at 100k records (a walk of millions of them).
FULL_EVERY = 32
# Allocations (less deallocations) between two collections of the youngest generation.
YOUNG_THRESHOLD = 10_000


class _Settling:
    def __init__(self) -> None:
        # The graphs the loads replaced that may still be alive, oldest first.
        self.replaced: list[weakref.ref[ContentGraph]] = []
        # Those a full collection did not free: someone holds them (a subscription).
        self.held: list[weakref.ref[ContentGraph]] = []
        self.cheap = True  # until a full collection says otherwise
        self.since_full = 0


_settling = _Settling()
Built = TypeVar("Built")
# The parts of graphs no one holds any more, for the thread that frees them.
_unheld: queue.Queue[dict[str, Any]] = queue.Queue()
_freer_started = threading.Lock()
_freer: list[threading.Thread] = []


def swapped(old: ContentGraph | None, new: ContentGraph) -> None:
    """Called at the swap: `new` is served from now on, in place of `old`."""
    # The finalizer holds the graph's parts (its `__dict__`), not the graph: it runs
    # when the graph itself is freed, which is when no reader holds it any more.
    finalizer = weakref.finalize(new, _unheld.put, new.__dict__)
    finalizer.atexit = False  # an exiting process frees everything anyway
    _start_freer()
    if old is not None:
        _settling.replaced.append(weakref.ref(old))


def build_frozen(build: Callable[[], Built]) -> Built:
    """Run `build` (a load, in a worker thread) with the collector paused, and freeze
    what it made before the collector resumes.

    Resumed with millions of new objects in its youngest generation, the collector's
    next passes walk them all, twice (from the youngest generation to the middle one,
    then from there to the oldest): at 100k records that held the process for a second
    or more, between the build and the swap. Frozen, the new graph is never walked.
    """
    with collector_paused():
        built = build()
        gc.freeze()
    return built


def collect_young_less_often() -> None:
    """Collect the youngest generation every `YOUNG_THRESHOLD` allocations, not 700.

    A request for a never-seen document allocates thousands of objects (its tree, its
    plan, its answer), nearly all freed by reference counting when it is answered. At
    CPython's 700 a young collection ran about once per request, each walking the objects
    the request still held: the collector took 0.09 ms of a 0.5 ms Q1 and 0.15 ms of a
    1.1 ms Q5 (bench/queries.py, a new alias per request, measured in process). At
    10,000 it runs every few requests and finds most of them gone: 0.06 and 0.07 ms. What
    waits in the young generation is bounded by the threshold.
    """
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, oldest)


def settle_after_load() -> None:
    """Freeze what is alive, the new graph included; first collect everything when that
    is cheap or due (see the module's docstring). It runs on the event loop, like the swap.
    """
    state = _settling
    latest = state.replaced[-1:]
    state.replaced = [ref for ref in state.replaced if ref() is not None]
    state.held = [ref for ref in state.held if ref() is not None]
    # The graph the last load replaced may still be answering requests; older ones not.
    stale = [
        ref
        for ref in state.replaced
        if not any(ref is last for last in latest) and ref not in state.held
    ]
    state.since_full += 1
    due = state.since_full >= FULL_EVERY
    if state.cheap or stale or due:
        started = time.perf_counter()
        gc.unfreeze()
        gc.collect()
        gc.freeze()
        seconds = time.perf_counter() - started
        state.cheap = seconds < CHEAP_SECONDS
        if seconds >= LOGGED_SECONDS:
            why = (
                "a graph replaced before the last load was still alive"
                if stale
                else f"one load in {FULL_EVERY}"
                if due
                else "the first load, or the last collection was quick"
            )
            logger.info("Full garbage collection after the load (%s): %.1fs", why, seconds)
        state.since_full = 0
        # What a full collection did not free, someone holds: no use collecting for it again.
        state.held = list(state.replaced)
    else:
        gc.freeze()


def wait_until_freed() -> None:
    """Return once the graphs no one holds any more have been freed (for tests)."""
    _unheld.join()


def _start_freer() -> None:
    with _freer_started:
        if not _freer:
            _freer.append(threading.Thread(target=_free_forever, name="graph-freer", daemon=True))
            _freer[0].start()


def _free_forever() -> None:
    while True:
        parts = _unheld.get()
        try:
            _break_cycles(parts)
            del parts  # the last reference: the graph's objects are freed here, off the loop
        finally:
            _unheld.task_done()


def _break_cycles(parts: dict[str, Any]) -> None:
    """Unlink the nodes of a graph no one holds any more (its `__dict__`, `parts`), so
    that reference counting frees them without the collector. Its articles are its own:
    every load makes new ones (graph/build.py), so no served graph sees this."""
    for article in parts["articles"]:
        article.related = ()
    # NetworkX graphs cache views of themselves (`edges`, `nodes`): the graph itself and
    # the undirected view shortestPath keeps in `caches`.
    for value in (parts.get("_networkx"), *parts["caches"].values()):
        if isinstance(value, nx.Graph):
            value.__dict__.clear()
    parts["caches"].clear()
    parts.clear()
