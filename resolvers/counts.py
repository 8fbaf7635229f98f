"""Co-occurrence counts: a provider's topics, a topic's related topics and providers.

Each list counts articles: how many of a provider's articles carry a topic, how many of
a topic's articles also carry another topic, how many of a topic's articles a provider
publishes. Most first; ties by name ascending (code-point order), then by slug or
domain so that equal names keep a fixed order too. Each full list is computed once per
node and graph and memoized in `graph.caches`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from typing import NamedTuple, TypeVar

from graph.model import ContentGraph, Provider, Topic
from resolvers.pagination import check_page_size


class TopicCount(NamedTuple):
    topic: Topic
    count: int


class ProviderCount(NamedTuple):
    provider: Provider
    count: int


N = TypeVar("N", Provider, Topic)
C = TypeVar("C", TopicCount, ProviderCount)


def provider_topics(graph: ContentGraph, provider: Provider, first: int = 10) -> list[TopicCount]:
    """The topics of a provider's articles, with how many of its articles carry each."""
    check_page_size("first", first)
    counted = _memoized(
        graph,
        "counts:provider-topics",
        provider.index,
        TopicCount,
        lambda: (topic for index in provider.articles for topic in graph.articles[index].topics),
    )
    return counted[:first]


def related_topics(graph: ContentGraph, topic: Topic, first: int = 10) -> list[TopicCount]:
    """The other topics on a topic's articles, with how many articles carry both."""
    check_page_size("first", first)
    counted = _memoized(
        graph,
        "counts:related-topics",
        topic.index,
        TopicCount,
        lambda: (
            other
            for index in topic.articles
            for other in graph.articles[index].topics
            if other is not topic
        ),
    )
    return counted[:first]


def topic_providers(graph: ContentGraph, topic: Topic, first: int = 10) -> list[ProviderCount]:
    """The providers of a topic's articles, with how many of them each publishes."""
    check_page_size("first", first)
    counted = _memoized(
        graph,
        "counts:topic-providers",
        topic.index,
        ProviderCount,
        lambda: (
            provider
            for index in topic.articles
            if (provider := graph.articles[index].provider) is not None
        ),
    )
    return counted[:first]


def _memoized(
    graph: ContentGraph,
    key: str,
    node: int,
    make: Callable[[N, int], C],
    items: Callable[[], Iterable[N]],
) -> list[C]:
    cache: dict[int, list[C]] = graph.caches.setdefault(key, {})  # type: ignore[assignment]
    counted = cache.get(node)
    if counted is None:
        pairs = sorted(Counter(items()).items(), key=_most_first)
        counted = cache[node] = [make(item, count) for item, count in pairs]
    return counted


def _most_first(pair: tuple[Provider | Topic, int]) -> tuple[int, str, str]:
    node, count = pair
    identity = node.slug if isinstance(node, Topic) else node.domain
    return (-count, node.name, identity)
