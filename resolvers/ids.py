"""Opaque global IDs (Relay Global Object Identification).

An ID is base64 of `<Type>:<key>`, the key being the node's identity from SEMANTICS.md:
`Article:<canonical url>`, `Provider:<domain>`, `Topic:<slug>`. IDs therefore stay the
same across reloads for as long as the node exists.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable

from graph.model import Article, ContentGraph, Node, Provider
from resolvers.errors import InputError


def global_id(node: Node) -> str:
    if isinstance(node, Article):
        known = ("Article", node.url)
    elif isinstance(node, Provider):
        known = ("Provider", node.domain)
    else:
        known = ("Topic", node.slug)
    found = _HANDED_OUT.get(known)
    if found is None:
        found = binascii.b2a_base64(f"{known[0]}:{known[1]}".encode(), newline=False).decode()
        if len(_HANDED_OUT) >= REMEMBERED_IDS:
            _HANDED_OUT.clear()
        _HANDED_OUT[known] = found
    return found


# The IDs handed out lately, by (type, key): encoding one costs about half a microsecond,
# and a page of 100 articles asks for 100. An ID depends on its key alone, so it holds
# across reloads; the table is emptied when full (about 3 MB).
REMEMBERED_IDS = 16_384
_HANDED_OUT: dict[tuple[str, str], str] = {}


def parse_global_id(value: str) -> tuple[str, str]:
    """(type name, key) inside an ID; an InputError when it is not one of our IDs."""
    try:
        raw = base64.b64decode(value.encode("ascii"), validate=True).decode()
    except (UnicodeError, binascii.Error, ValueError):
        raw = ""
    kind, colon, key = raw.partition(":")
    if not colon or not key or kind not in _LOOKUPS:
        raise InputError(f"Invalid ID {value!r}: not an ID this API handed out.")
    return kind, key


def node_by_id(graph: ContentGraph, value: str) -> Node | None:
    """The node an ID names; None when it names nothing in this graph (an error if malformed)."""
    kind, key = parse_global_id(value)
    return _LOOKUPS[kind](graph, key)


def nodes_by_ids(graph: ContentGraph, values: Iterable[str]) -> list[Node | InputError | None]:
    """The node each ID names, in order; None for one that names nothing.

    A malformed ID gives its `InputError` in its place rather than raising it: an
    executor answers an error value in a list as null for that item and an error at its
    path (`nodes.3`), so one bad ID does not take the other answers with it.
    """
    found: list[Node | InputError | None] = []
    for value in values:
        try:
            found.append(node_by_id(graph, value))
        except InputError as error:
            found.append(error)
    return found


def article_by_id(graph: ContentGraph, value: str) -> Article | None:
    kind, key = parse_global_id(value)
    return graph.by_url.get(key) if kind == "Article" else None


_LOOKUPS = {
    "Article": lambda graph, key: graph.by_url.get(key),
    "Provider": lambda graph, key: graph.by_domain.get(key),
    "Topic": lambda graph, key: graph.by_slug.get(key),
}
