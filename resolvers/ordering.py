"""Orders of article lists: the default order and the per-field rank arrays.

Every order breaks ties by `Article.url` ascending, in both directions. Articles
without the ordered value (no date, no quality, no heat) come last in both directions:
someone sorting by quality wants the rated articles first whichever way they sort.
`TITLE` compares titles as plain strings (code-point order, so case-sensitive).

`graph.articles` is already in the default order (`PUBLISHED_DATE_TIME` `DESC`), so
index lists need no sort for it. For any other order, the position of every article in
that order (its rank) is computed once per graph and memoized in `graph.caches`; a
candidate list is then sorted by rank.

`article_keyset` gives each order's key for keyset cursors (`pagination.Keyset`): it
must compare exactly as the lists are sorted, the default order as `graph.build` sorts
it and the others as `sorted_by` does.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum

import orjson

from graph.model import Article, ContentGraph
from resolvers.pagination import Descending, Keyset


class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


class ArticleOrderField(Enum):
    PUBLISHED_DATE_TIME = "PUBLISHED_DATE_TIME"
    QUALITY = "QUALITY"
    HEAT = "HEAT"
    TITLE = "TITLE"


@dataclass(frozen=True, slots=True)
class ArticleOrder:
    field: ArticleOrderField = ArticleOrderField.PUBLISHED_DATE_TIME
    direction: OrderDirection = OrderDirection.DESC


DEFAULT_ORDER = ArticleOrder()


def aware(moment: datetime) -> datetime:
    """`moment` with an offset; a naive date-time is UTC (SEMANTICS.md)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def iso_moment(moment: datetime) -> str:
    """`moment.isoformat()`, the same text, in a tenth of the time for a UTC date-time.

    `isoformat` costs about 1 us, a good part of a cursor or a `DateTime` field: orjson
    writes a UTC date-time as the very same RFC 3339 text (tests/test_compiled_resolvers.py
    checks it), in C, in 0.4 us; a text written lately is read back in 0.05 us (equal
    UTC date-times have the same text). Any other offset or a subclass goes through
    `isoformat`.
    """
    if moment.tzinfo is UTC and type(moment) is datetime:
        text = _WRITTEN.get(moment)
        if text is None:
            text = orjson.dumps(moment)[1:-1].decode("ascii")
            if len(_WRITTEN) >= REMEMBERED_MOMENTS:
                _WRITTEN.clear()
            _WRITTEN[moment] = text
        return text
    return moment.isoformat()


# The UTC date-times written lately and their text; emptied when full (about 2 MB).
REMEMBERED_MOMENTS = 16_384
_WRITTEN: dict[datetime, str] = {}


_VALUES: dict[ArticleOrderField, Callable[[Article], object]] = {
    ArticleOrderField.PUBLISHED_DATE_TIME: lambda a: (
        None if a.published_at is None else aware(a.published_at)
    ),
    ArticleOrderField.QUALITY: lambda a: a.quality,
    ArticleOrderField.HEAT: lambda a: a.heat,
    ArticleOrderField.TITLE: lambda a: a.title,
}


def sorted_by(
    items: Sequence[object],
    value: Callable[[object], object],
    tiebreak: Callable[[object], object],
    descending: bool,
) -> list[object]:
    """`items` by `value` (missing values last), ties by `tiebreak` ascending either way.

    Python's sort is stable also with `reverse=True`, so sorting by the tiebreak first
    and then by the value keeps ties in tiebreak order in both directions.
    """
    ordered = sorted(items, key=tiebreak)
    present = [item for item in ordered if value(item) is not None]
    missing = [item for item in ordered if value(item) is None]
    present.sort(key=value, reverse=descending)
    return present + missing


def memoized_sort(
    graph: ContentGraph,
    key: str,
    items: Sequence[object],
    value: Callable[[object], object],
    tiebreak: Callable[[object], object],
    descending: bool,
) -> tuple[object, ...]:
    """`sorted_by(...)`, computed once per graph and kept in `graph.caches[key]`."""
    cached = graph.caches.get(key)
    if cached is None:
        cached = graph.caches[key] = tuple(sorted_by(items, value, tiebreak, descending))
    return cached  # type: ignore[return-value]


def _full_order(graph: ContentGraph, order: ArticleOrder) -> tuple[array, array]:
    """(indexes in `order`, rank of each index), computed once per graph."""
    key = f"ordering:{order.field.value}:{order.direction.value}"
    cached = graph.caches.get(key)
    if cached is None:
        value = _VALUES[order.field]
        ordered = sorted_by(
            graph.articles,
            value,  # type: ignore[arg-type]
            lambda a: a.url,  # type: ignore[attr-defined]
            order.direction is OrderDirection.DESC,
        )
        indexes = array("I", (a.index for a in ordered))  # type: ignore[attr-defined]
        ranks = array("I", bytes(4 * len(indexes)))
        for rank, index in enumerate(indexes):
            ranks[index] = rank
        cached = graph.caches[key] = (indexes, ranks)
    return cached  # type: ignore[return-value]


def order_articles(
    graph: ContentGraph, indexes: Sequence[int], order: ArticleOrder | None
) -> Sequence[int]:
    """Article indexes (given in default order) put in `order`."""
    if order is None or order == DEFAULT_ORDER:
        return indexes
    full, ranks = _full_order(graph, order)
    if len(indexes) == len(graph.articles):
        return full
    return sorted(indexes, key=ranks.__getitem__)


def article_keyset(graph: ContentGraph, order: ArticleOrder | None) -> Keyset[int]:
    """The keyset of article index lists in `order`: (ordered value, URL) in the cursor.

    Built once per graph and order (a list of related articles asks for it per article)."""
    # The default order's key is made once: lists of related articles ask per article.
    key = _DEFAULT_KEYSET if order is None else _keyset_key(order)
    cached = graph.caches.get(key)
    if cached is None:
        cached = graph.caches[key] = _article_keyset(graph, order or DEFAULT_ORDER)
    return cached  # type: ignore[return-value]


def _keyset_key(order: ArticleOrder) -> str:
    return f"keyset:{order.field.value}:{order.direction.value}"


_DEFAULT_KEYSET = _keyset_key(DEFAULT_ORDER)


def _article_keyset(graph: ContentGraph, order: ArticleOrder) -> Keyset[int]:
    articles = graph.articles
    field = order.field
    if field is ArticleOrderField.PUBLISHED_DATE_TIME:

        def values(index: int) -> tuple[object, ...]:
            article = articles[index]
            moment = article.published_at
            return (None if moment is None else iso_moment(moment), article.url)

    else:
        attribute = field.value.lower()

        def values(index: int) -> tuple[object, ...]:
            article = articles[index]
            return (getattr(article, attribute), article.url)

    name = f"articles:{field.value}:{order.direction.value}"
    if order == DEFAULT_ORDER:
        return Keyset(name, values, default_order_key)
    descending = order.direction is OrderDirection.DESC
    parse = _parse_moment if field is ArticleOrderField.PUBLISHED_DATE_TIME else _same

    def key(values: tuple[object, ...]) -> tuple[object, ...]:
        value, url = values
        if value is None:
            return (True, 0, _text(url))
        parsed = parse(value)
        return (False, Descending(parsed) if descending else parsed, _text(url))

    return Keyset(name, values, key)


def default_order_key(values: tuple[object, ...]) -> tuple[object, ...]:
    """The default order's key of (ISO date or None, URL), as `graph.build` sorts."""
    moment, url = values[0], values[1]
    if moment is None:
        return (True, 0.0, _text(url))
    return (False, -datetime.fromisoformat(_text(moment)).timestamp(), _text(url))


def _parse_moment(value: object) -> datetime:
    return aware(datetime.fromisoformat(_text(value)))


def _same(value: object) -> object:
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value
