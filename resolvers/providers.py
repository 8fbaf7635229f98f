"""Providers: lookup by domain and the root list in its orders.

Orders: `DOMAIN` (the default, ascending: the graph's own order); `NAME`, ties by
domain; `ARTICLE_COUNT`, ties by name then domain. Names compare as plain strings
(code-point order). Ties go ascending whatever the direction, as for articles.
Cursors are keyset cursors on the ordered value and the tie-breaks, down to the domain.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

from graph.identity import normalize_domain
from graph.model import ContentGraph, Provider
from resolvers.ordering import OrderDirection, memoized_sort
from resolvers.pagination import (
    Connection,
    Descending,
    Keyset,
    PageRequest,
    cursor_text,
    paginate,
)


class ProviderOrderField(Enum):
    ARTICLE_COUNT = "ARTICLE_COUNT"
    NAME = "NAME"
    DOMAIN = "DOMAIN"


@dataclass(frozen=True, slots=True)
class ProviderOrder:
    field: ProviderOrderField = ProviderOrderField.DOMAIN
    direction: OrderDirection = OrderDirection.ASC


def provider_by_domain(graph: ContentGraph, domain: str) -> Provider | None:
    """The provider a domain names, case-insensitive, a leading `www.` ignored."""
    return graph.by_domain.get(normalize_domain(domain))


def ordered_providers(
    graph: ContentGraph, order: ProviderOrder | None = None
) -> Sequence[Provider]:
    if order is None or order == ProviderOrder():
        return graph.providers
    value, tiebreak = _KEYS[order.field]
    key = f"providers:{order.field.value}:{order.direction.value}"
    descending = order.direction is OrderDirection.DESC
    return memoized_sort(graph, key, graph.providers, value, tiebreak, descending)  # type: ignore[return-value]


def list_providers(
    graph: ContentGraph, request: PageRequest, order: ProviderOrder | None = None
) -> Connection[Provider]:
    order = order or ProviderOrder()
    return paginate(ordered_providers(graph, order), request, keyset=_keyset(order))


def _keyset(order: ProviderOrder) -> Keyset[Provider]:
    value, _ = _KEYS[order.field]
    descending = order.direction is OrderDirection.DESC

    def values(provider: Provider) -> tuple[object, ...]:
        return (value(provider), provider.name, provider.domain)

    def key(values: tuple[object, ...]) -> tuple[object, ...]:
        ordered, name, domain = values
        first = Descending(ordered) if descending else ordered
        if order.field is ProviderOrderField.ARTICLE_COUNT:
            return (first, cursor_text(name), cursor_text(domain))
        return (first, cursor_text(domain))

    return Keyset(f"providers:{order.field.value}:{order.direction.value}", values, key)


_KEYS = {
    ProviderOrderField.ARTICLE_COUNT: (
        lambda p: len(p.articles),
        lambda p: (p.name, p.domain),
    ),
    ProviderOrderField.NAME: (lambda p: p.name, lambda p: p.domain),
    ProviderOrderField.DOMAIN: (lambda p: p.domain, lambda p: p.domain),
}
