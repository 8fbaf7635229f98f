"""content-graph with the collector as it was before issue 10: for `bench.steady` only.

The graph is not frozen after a load (`content_graph.collector`) and every document is
kept from its first sighting (`limits.DocumentChecks`), so that `bench.steady` can run
the two side by side, in the same rounds, on the same machine load:

    .venv/bin/python -m bench.steady
"""

from __future__ import annotations

from starlette.applications import Starlette

import content_graph.app
from content_graph.limits import DocumentChecks


def create_app() -> Starlette:
    content_graph.app.settle_after_load = lambda: None  # type: ignore[assignment]
    DocumentChecks._seen_before = lambda self, text: True  # type: ignore[method-assign]
    return content_graph.app.create_app_from_env()
