"""The garbage collector after each load: the served graph moves to the permanent generation.

A loaded graph is hundreds of thousands of objects that live until the next load, and
the collector's full passes (generation 2) walk every one of them each time: under a
steady stream of new documents, whose parsed trees survive long enough to be promoted,
those passes came every few seconds and each stopped the process for a quarter to half a
second at 5k records, growing with the corpus. `gc.freeze()` puts everything alive at
that moment (the graph, the schema, the modules) where the collector never looks again;
the supervisor of `serve --workers` does the same before it forks (`workers.py`).

Across reloads nothing accumulates: each load first unfreezes everything, so the graph
it replaces, and anything frozen with it, is collectable again. A request still running
on the old graph at that moment keeps it alive into the next freeze; the load after
that frees it.
"""

from __future__ import annotations

import gc


def settle_after_load() -> None:
    """Collect what the swap left behind, then freeze what is alive: the new graph.

    One full collection per load (tens of milliseconds at 5k records); it runs on the
    event loop, like the swap.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
