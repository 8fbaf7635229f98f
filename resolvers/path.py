"""The shortest chain of nodes between two nodes of the content graph.

Edges count in both directions (article-provider, article-topic, article-related), as
SEMANTICS.md says; the search is NetworkX's bidirectional breadth-first search over an
undirected view of the graph, so it stops as soon as the two searches meet.
"""

from __future__ import annotations

import networkx as nx

from graph.model import ContentGraph, Node
from resolvers.errors import InputError

MAX_HOPS = 10


def check_max_hops(max_hops: int) -> int:
    if not 0 <= max_hops <= MAX_HOPS:
        raise InputError(f"`maxHops` must be between 0 and {MAX_HOPS}, got {max_hops}.")
    return max_hops


def shortest_path(
    graph: ContentGraph, source: Node | None, target: Node | None, max_hops: int = 6
) -> list[Node] | None:
    """Both ends included; None when either end is unknown or no path has ≤ `max_hops` edges."""
    check_max_hops(max_hops)
    if source is None or target is None:
        return None
    if source is target:
        return [source]
    undirected = graph.caches.get("path:undirected")
    if undirected is None:
        undirected = graph.caches["path:undirected"] = graph.graph.to_undirected(as_view=True)
    try:
        found: list[Node] = nx.bidirectional_shortest_path(undirected, source, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None
    return found if len(found) - 1 <= max_hops else None
