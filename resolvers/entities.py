"""Federation entities: the node that a gateway's representation names, by one of its keys.

A gateway that composes this API with other subgraphs asks `_entities` for the nodes it
has references to, each given as a representation: `{"__typename": "Article", "id": …}`.
Each entity type has the keys of its `@key` directives (`KEYS`), looked up with the same
lookups as the root fields, so `{"__typename": "Provider", "domain": "WWW.X.com"}` finds
what `provider(domain: "WWW.X.com")` finds.

A representation whose key names nothing gives None, as a root lookup does. One that is
not a representation of ours at all (not an object, no or an unknown `__typename`, none
of its type's keys, a key that is not a string) raises an `InputError` saying what is
wrong; the schema answers it as an error at that item and carries on with the others.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from graph.model import ContentGraph, Node
from resolvers import articles, ids, providers, topics
from resolvers.errors import InputError

# The most representations one `_entities` call may ask for. Each costs a lookup and the
# selection under it, so the cost limit bounds the work too; this cap refuses a flood of
# cheap ones early, with a message that says what to do. Gateways batch the references
# of one query level into one call, so a page of 100 items with a few nested lists stays
# well under it.
MAX_REPRESENTATIONS = 1_000

Lookup = Callable[[ContentGraph, str], Node | None]

# Type name -> its key fields, in the order tried, each with its lookup.
KEYS: Mapping[str, Mapping[str, Lookup]] = {
    "Article": {"id": ids.article_by_id, "url": articles.article_by_url},
    "Provider": {"domain": providers.provider_by_domain},
    "Topic": {"slug": topics.topic_by_name},
}


class TooManyRepresentations(InputError):
    """More representations than `MAX_REPRESENTATIONS` in one call."""


def check_count(representations: list[Any]) -> None:
    """Refuse a call over the cap before any lookup runs."""
    if len(representations) > MAX_REPRESENTATIONS:
        raise TooManyRepresentations(
            f"_entities was given {len(representations):,} representations, over the limit "
            f"of {MAX_REPRESENTATIONS:,} per call. Ask for fewer entities at a time."
        )


def entity(graph: ContentGraph, representation: object) -> Node | None:
    """The node a representation names; None when its key names nothing in this graph."""
    if not isinstance(representation, Mapping):
        raise InputError(
            f"A representation must be an object with __typename and a key field, "
            f"not {_kind(representation)}."
        )
    type_name = representation.get("__typename")
    keys = KEYS.get(type_name) if isinstance(type_name, str) else None
    if keys is None:
        known = ", ".join(KEYS)
        if type_name is None:
            raise InputError(f"The representation has no __typename; give one of {known}.")
        raise InputError(
            f"The representation's __typename {type_name!r} is not an entity of this "
            f"subgraph; give one of {known}."
        )
    for key, lookup in keys.items():
        value = representation.get(key)
        if value is None:
            continue
        if not isinstance(value, str):
            raise InputError(
                f"The {type_name} representation's key field {key!r} must be a string, "
                f"not {_kind(value)}."
            )
        return lookup(graph, value)
    wanted = " or ".join(repr(key) for key in keys)
    raise InputError(
        f"The {type_name} representation has no key field: give {wanted} "
        f"(its @key fields) as a string."
    )


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
