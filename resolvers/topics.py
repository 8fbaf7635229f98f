"""Topics: lookup by name or slug and the root list in its orders.

Orders: with no `orderBy`, by slug ascending (the graph's own order); `NAME`, ties by
slug; `ARTICLE_COUNT`, ties by name then slug. Names compare as plain strings
(code-point order). Ties go ascending whatever the direction, as for articles.
Cursors are keyset cursors on the ordered value and the tie-breaks, down to the slug.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from graph.identity import slugify
from graph.model import ContentGraph, Topic
from resolvers.ordering import OrderDirection, memoized_sort
from resolvers.pagination import (
    Connection,
    Descending,
    Keyset,
    PageRequest,
    cursor_text,
    paginate,
)


class TopicOrderField(Enum):
    ARTICLE_COUNT = "ARTICLE_COUNT"
    NAME = "NAME"


@dataclass(frozen=True, slots=True)
class TopicOrder:
    field: TopicOrderField
    direction: OrderDirection


def topic_by_name(graph: ContentGraph, name: str) -> Topic | None:
    """The topic a name or slug names, case-insensitive (both come down to the slug)."""
    return graph.by_slug.get(slugify(name))


def ordered_topics(graph: ContentGraph, order: TopicOrder | None = None) -> Sequence[Topic]:
    if order is None:
        return graph.topics
    value, tiebreak = _KEYS[order.field]
    key = f"topics:{order.field.value}:{order.direction.value}"
    descending = order.direction is OrderDirection.DESC
    return memoized_sort(graph, key, graph.topics, value, tiebreak, descending)  # type: ignore[return-value]


def list_topics(
    graph: ContentGraph, request: PageRequest, order: TopicOrder | None = None
) -> Connection[Topic]:
    return paginate(ordered_topics(graph, order), request, keyset=_keyset(order))


def _keyset(order: TopicOrder | None) -> Keyset[Topic]:
    if order is None:
        return Keyset(
            "topics:SLUG:ASC", lambda t: (t.slug,), lambda values: (cursor_text(values[0]),)
        )
    value, _ = _KEYS[order.field]
    descending = order.direction is OrderDirection.DESC

    def values(topic: Topic) -> tuple[object, ...]:
        return (value(topic), topic.name, topic.slug)

    def key(values: tuple[object, ...]) -> tuple[object, ...]:
        ordered, name, slug = values
        first = Descending(ordered) if descending else ordered
        if order.field is TopicOrderField.ARTICLE_COUNT:
            return (first, cursor_text(name), cursor_text(slug))
        return (first, cursor_text(slug))

    return Keyset(f"topics:{order.field.value}:{order.direction.value}", values, key)


_KEYS = {
    TopicOrderField.ARTICLE_COUNT: (lambda t: len(t.articles), lambda t: (t.name, t.slug)),
    TopicOrderField.NAME: (lambda t: t.name, lambda t: t.slug),
}
