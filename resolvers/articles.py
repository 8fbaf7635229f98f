"""Article lists: lookup by URL, filtering (`ArticleFilter`) and the connection over a list.

Filtering starts from the narrowest pre-sorted index list that a condition gives (a
provider's or topic's articles, a word's postings, the caller's own list) and checks
the other conditions on that list only; it never scans all articles unless no
condition names a list. Every list stays in the default order (ascending indexes).

Rules beyond SEMANTICS.md: an empty list (`topics: []`) or a `text` without words is
no condition at all; unknown topics or providers match nothing.

One shape is answered from a range index instead: the articles of one topic or one
provider, at least some quality (or heat), by that field descending, which is how a
front page asks for "the best of a topic". Its order puts those articles first, so the
matches are a prefix of the node's list in that order, found by bisection: the answer
costs the same at any corpus size, where filtering would scan all of the node's
articles. The ordered list is computed once per node, field and graph.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from graph.identity import canonical_url, normalize_domain, slugify
from graph.model import Article, ContentGraph
from resolvers.ordering import (
    ArticleOrder,
    ArticleOrderField,
    OrderDirection,
    article_keyset,
    aware,
    order_articles,
)
from resolvers.pagination import Connection, PageRequest, paginate
from resolvers.text import matching_articles, query_words, union


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Every given condition must hold (AND); a list matches when any value does (OR)."""

    topics: Sequence[str] | None = None
    providers: Sequence[str] | None = None
    types: Sequence[str] | None = None
    published_after: datetime | None = None
    published_before: datetime | None = None
    min_quality: int | None = None
    min_heat: int | None = None
    has_record: bool | None = None
    text: str | None = None


def article_by_url(graph: ContentGraph, url: str) -> Article | None:
    """The article a URL names, in any form that canonicalizes to its URL."""
    canonical = canonical_url(url)
    return None if canonical is None else graph.by_url.get(canonical)


def select_articles(
    graph: ContentGraph,
    source: Sequence[int] | None = None,
    conditions: ArticleFilter | None = None,
) -> Sequence[int]:
    """Indexes of the articles of `source` (all articles when None) that meet `conditions`."""
    lists: list[Sequence[int]] = [] if source is None else [source]
    if conditions is not None:
        lists.extend(_index_lists(graph, conditions))
    check = None if conditions is None else _field_check(conditions)
    if not lists:
        everything = range(len(graph.articles))
        if check is None:
            return everything
        return [index for index in everything if check(graph.articles[index])]
    if len(lists) == 1 and check is None:
        return lists[0]
    lists.sort(key=len)
    narrowest, others = lists[0], lists[1:]
    articles = graph.articles
    return [
        index
        for index in narrowest
        if all(_contains(other, index) for other in others)
        and (check is None or check(articles[index]))
    ]


def list_articles(
    graph: ContentGraph,
    request: PageRequest,
    source: Sequence[int] | None = None,
    conditions: ArticleFilter | None = None,
    order: ArticleOrder | None = None,
) -> Connection[Article]:
    """One page of the matching articles in `order` (default order when None)."""
    if source is not None and conditions is None and order is None:
        # A node's own list (related, relatedFrom), asked for once per node of a page.
        return paginate(source, request, graph.articles.__getitem__, article_keyset(graph, None))
    indexes = None if source is not None else _from_range_index(graph, conditions, order)
    if indexes is None:
        indexes = order_articles(graph, select_articles(graph, source, conditions), order)
    keyset = article_keyset(graph, order)
    return paginate(indexes, request, graph.articles.__getitem__, keyset)


# The field a threshold condition and a descending order share, for the range index.
_THRESHOLDS = {ArticleOrderField.QUALITY: "min_quality", ArticleOrderField.HEAT: "min_heat"}


def _from_range_index(
    graph: ContentGraph, conditions: ArticleFilter | None, order: ArticleOrder | None
) -> Sequence[int] | None:
    """The matches in order from the range index, or None when the request is not its shape:
    one topic or one provider, a threshold on the field ordered by, descending, nothing else.
    """
    if conditions is None or order is None or order.direction is not OrderDirection.DESC:
        return None
    threshold_name = _THRESHOLDS.get(order.field)
    if threshold_name is None:
        return None
    threshold = getattr(conditions, threshold_name)
    others = (
        conditions.types,
        conditions.published_after,
        conditions.published_before,
        conditions.has_record,
        conditions.text,
        *(getattr(conditions, name) for name in _THRESHOLDS.values() if name != threshold_name),
    )
    if threshold is None or any(value not in (None, []) for value in others):
        return None
    topics = {slugify(name) for name in conditions.topics or ()}
    domains = {normalize_domain(domain) for domain in conditions.providers or ()}
    if len(topics) + len(domains) != 1:
        return None
    node = graph.by_slug.get(*topics) if topics else graph.by_domain.get(*domains)
    if node is None:
        return None
    ordered, negated = _range_index(graph, node.kind, node.index, node.articles, order)
    # Descending with missing values last: the values at least `threshold` come first.
    return ordered[: bisect_right(negated, -threshold)]


def _range_index(
    graph: ContentGraph, kind: str, node: int, indexes: Sequence[int], order: ArticleOrder
) -> tuple[array, list[int]]:
    """A node's articles in `order`, with the ordered field's values negated (ascending)."""
    key = f"range:{kind}:{order.field.value}"
    cache: dict[int, tuple[array, list[int]]] = graph.caches.setdefault(key, {})  # type: ignore[assignment]
    found = cache.get(node)
    if found is None:
        ordered = array("I", order_articles(graph, indexes, order))
        attribute = "quality" if order.field is ArticleOrderField.QUALITY else "heat"
        values = (getattr(graph.articles[index], attribute) for index in ordered)
        negated = [-value for value in values if value is not None]
        found = cache[node] = (ordered, negated)
    return found


def _index_lists(graph: ContentGraph, conditions: ArticleFilter) -> list[Sequence[int]]:
    lists: list[Sequence[int]] = []
    if conditions.topics:
        slugs = {slugify(name) for name in conditions.topics}
        topics = [graph.by_slug[slug] for slug in sorted(slugs) if slug in graph.by_slug]
        lists.append(union([topic.articles for topic in topics]))
    if conditions.providers:
        domains = {normalize_domain(domain) for domain in conditions.providers}
        providers = [graph.by_domain[d] for d in sorted(domains) if d in graph.by_domain]
        lists.append(union([provider.articles for provider in providers]))
    lists.extend(matching_articles(graph, word) for word in query_words(conditions.text))
    return lists


def _field_check(conditions: ArticleFilter) -> Callable[[Article], bool] | None:
    """One predicate for the conditions on an article's own fields; None when there are none."""
    checks: list[Callable[[Article], bool]] = []
    if conditions.types:
        types = {kind.strip().lower() for kind in conditions.types}
        checks.append(lambda a: a.type is not None and a.type.strip().lower() in types)
    if conditions.published_after is not None:
        after = aware(conditions.published_after)
        checks.append(lambda a: a.published_at is not None and aware(a.published_at) > after)
    if conditions.published_before is not None:
        before = aware(conditions.published_before)
        checks.append(lambda a: a.published_at is not None and aware(a.published_at) < before)
    if conditions.min_quality is not None:
        quality = conditions.min_quality
        checks.append(lambda a: a.quality is not None and a.quality >= quality)
    if conditions.min_heat is not None:
        heat = conditions.min_heat
        checks.append(lambda a: a.heat is not None and a.heat >= heat)
    if conditions.has_record is not None:
        has_record = conditions.has_record
        checks.append(lambda a: a.has_record == has_record)
    if not checks:
        return None
    if len(checks) == 1:
        return checks[0]
    return lambda article: all(check(article) for check in checks)


def _contains(indexes: Sequence[int], index: int) -> bool:
    """Membership in a sorted index list, by bisection (no set built per request)."""
    position = bisect_left(indexes, index)
    return position < len(indexes) and indexes[position] == index
