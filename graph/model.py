"""The loaded content graph: article, provider and topic nodes and their indexes.

Nodes are plain slotted objects rather than NetworkX attribute dicts: at 100k records a
dict per node costs several times the memory of a slotted instance. The NetworkX graph
(`ContentGraph.graph`) holds the same objects as its nodes, so a NetworkX algorithm such
as `shortest_path` hands back the objects themselves. It is made from the nodes' links,
not by the load: making it is a third of building a graph (1.5 s at 100k records), which
a reload would otherwise wait for. The server makes it in a thread right after each swap
(content_graph/app.py), so the change is served first; a reader that comes before it is
made waits for it.

Every served article has an `index`: its position in the default article order
(`publishedDateTime` descending, undated last, ties by URL ascending). Per-provider,
per-topic and incoming-link lists hold indexes in ascending order, so they are already in
the default order and any other order only needs a sort of that one list.

A loaded graph is never changed: a reload builds a new `ContentGraph` and swaps it in.
"""

from __future__ import annotations

import threading
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, NamedTuple

import networkx as nx

NodeKind = Literal["article", "provider", "topic"]


class Image(NamedTuple):
    url: str
    width: int | None = None
    height: int | None = None
    title: str | None = None
    is_cached: bool | None = None


class Article:
    """A served news item, with or without a record of its own."""

    __slots__ = (
        "amp_web_url",
        "category",
        "cdn_amp_web_url",
        "excerpt",
        "featured_content",
        "has_record",
        "heat",
        "images",
        "index",
        "original_url",
        "provider",
        "published_at",
        "quality",
        "related",
        "related_from",
        "title",
        "topics",
        "type",
        "url",
        "web_url",
    )

    kind: NodeKind = "article"

    def __init__(
        self,
        *,
        url: str,
        title: str,
        excerpt: str | None = None,
        published_at: datetime | None = None,
        web_url: str | None = None,
        amp_web_url: str | None = None,
        cdn_amp_web_url: str | None = None,
        original_url: str | None = None,
        type: str | None = None,
        category: str | None = None,
        quality: int | None = None,
        heat: int | None = None,
        featured_content: str | None = None,
        has_record: bool = False,
        images: tuple[Image, ...] = (),
    ) -> None:
        self.url = url
        self.title = title
        self.excerpt = excerpt
        self.published_at = published_at
        self.web_url = web_url
        self.amp_web_url = amp_web_url
        self.cdn_amp_web_url = cdn_amp_web_url
        self.original_url = original_url
        self.type = type
        self.category = category
        self.quality = quality
        self.heat = heat
        self.featured_content = featured_content
        self.has_record = has_record
        self.images = images
        # Set by the builder once every node exists:
        self.index: int = -1
        self.provider: Provider | None = None
        self.topics: tuple[Topic, ...] = ()
        self.related: tuple[Article, ...] = ()
        # Indexes of the articles that list this one as related, ascending (default order).
        self.related_from: array = _EMPTY_INDEXES

    def __repr__(self) -> str:
        return f"<Article {self.url!r}>"

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_restore_article, tuple(getattr(self, name) for name in _ARTICLE_STATE))


class Provider:
    """A publisher, identified by its normalized domain."""

    __slots__ = ("articles", "domain", "images", "index", "name")

    kind: NodeKind = "provider"

    def __init__(self, *, domain: str, name: str, images: tuple[Image, ...] = ()) -> None:
        self.domain = domain
        self.name = name
        self.images = images
        self.index: int = -1
        # Indexes of the served articles it publishes, ascending (default order).
        self.articles: array = _EMPTY_INDEXES

    def __repr__(self) -> str:
        return f"<Provider {self.domain!r}>"

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_restore_provider, (self.domain, self.name, self.images, self.index))


class Topic:
    """A subject, identified by its slug."""

    __slots__ = ("articles", "hashtags", "index", "keywords", "name", "slug")

    kind: NodeKind = "topic"

    def __init__(
        self,
        *,
        slug: str,
        name: str,
        keywords: tuple[str, ...] = (),
        hashtags: tuple[str, ...] = (),
    ) -> None:
        self.slug = slug
        self.name = name
        self.keywords = keywords
        self.hashtags = hashtags
        self.index: int = -1
        # Indexes of the served articles tagged with it, ascending (default order).
        self.articles: array = _EMPTY_INDEXES

    def __repr__(self) -> str:
        return f"<Topic {self.slug!r}>"

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return (_restore_topic, (self.slug, self.name, self.keywords, self.hashtags, self.index))


Node = Article | Provider | Topic

# A shared, never-mutated empty index list, so nodes without links cost no array each.
_EMPTY_INDEXES = array("I")


@dataclass(frozen=True, slots=True)
class WordIndex:
    """Words (lower-cased `\\w+` runs) → indexes of the articles that contain them.

    `vocabulary` is sorted, so the words that start with a prefix are one contiguous
    slice of it, found with `bisect`.
    """

    postings: dict[str, array]
    vocabulary: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Stats:
    articles: int
    articles_with_record: int
    providers: int
    topics: int
    related_links: int
    files_loaded: int
    files_skipped: int
    loaded_at: datetime
    version: str


@dataclass(frozen=True, eq=False)
class ContentGraph:
    """One immutable load of a data directory.

    `articles` is in the default order (`articles[a.index] is a`); `providers` and
    `topics` are sorted by domain and slug (`providers[p.index] is p`).
    """

    articles: tuple[Article, ...]
    providers: tuple[Provider, ...]
    topics: tuple[Topic, ...]
    by_url: dict[str, Article]
    by_domain: dict[str, Provider]
    by_slug: dict[str, Topic]
    title_words: WordIndex
    excerpt_words: WordIndex
    stats: Stats
    # Lazily computed, per-process caches (orderings, counts); never part of identity.
    caches: dict[str, object] = field(default_factory=dict, repr=False)

    @property
    def version(self) -> str:
        return self.stats.version

    @property
    def graph(self) -> nx.DiGraph:
        """The frozen NetworkX graph of the nodes and their links, made on first use.

        Readers that come while it is being made wait for it rather than make another.
        """
        made = self.__dict__.get("_networkx")
        if made is None:
            with _MAKING_NETWORKX:
                made = self.__dict__.get("_networkx")
                if made is None:
                    # Not a field: a cache of what the nodes already say, like `caches`.
                    made = self.__dict__["_networkx"] = _networkx(
                        self.articles, self.providers, self.topics
                    )
        return made

    @property
    def has_networkx(self) -> bool:
        """Whether `graph` has been made (someone read it)."""
        return "_networkx" in self.__dict__

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        return _flatten_graph(self)


# Edge and node data are shared, read-only dicts: one per kind (and per related-list
# position) instead of one per edge, which at 100k records saves about a kilobyte per
# article. The graph is frozen, and nothing may write into these dicts.
_PUBLISHED_BY = {"kind": "published-by"}
_TAGGED = {"kind": "tagged"}
_NODE_DATA = {
    "article": {"kind": "article"},
    "provider": {"kind": "provider"},
    "topic": {"kind": "topic"},
}


def _networkx(
    articles: Sequence[Article], providers: Sequence[Provider], topics: Sequence[Topic]
) -> nx.DiGraph:
    graph = nx.DiGraph()
    for kind, nodes in (("article", articles), ("provider", providers), ("topic", topics)):
        shared = _NODE_DATA[kind]
        graph.node_attr_dict_factory = lambda shared=shared: shared
        graph.add_nodes_from(nodes)
    del graph.node_attr_dict_factory
    _add_shared_edges(
        graph, ((a, a.provider) for a in articles if a.provider is not None), _PUBLISHED_BY
    )
    _add_shared_edges(graph, ((a, t) for a in articles for t in a.topics), _TAGGED)
    longest = max((len(article.related) for article in articles), default=0)
    for position in range(longest):
        _add_shared_edges(
            graph,
            ((a, a.related[position]) for a in articles if len(a.related) > position),
            {"kind": "related", "position": position},
        )
    return nx.freeze(graph)


def _add_shared_edges(
    graph: nx.DiGraph, edges: Iterable[tuple[object, object]], data: dict
) -> None:
    """Add edges between existing nodes, all sharing one data dict.

    What DiGraph.add_edges_from does for an edge whose nodes exist, minus its per-edge
    Python work (node checks, a new dict asked of a factory and updated with nothing):
    about 40% of the time of making the NetworkX graph. `_succ` and `_pred` are the
    adjacency dicts NetworkX documents for subclasses; every node is already in them.
    """
    succ, pred = graph._succ, graph._pred
    for source, target in edges:
        # A repeated edge keeps its first data, as add_edges_from would.
        pred[target][source] = succ[source].setdefault(target, data)


# One at a time: making it twice at once would only cost twice the time and memory.
_MAKING_NETWORKX = threading.Lock()


# Pickling (the load snapshot in graph/cache.py). Nodes pickle flat, without their links,
# and the graph puts the links back from indexes: pickling them as object references
# would recurse along related-article chains, thousands deep, and overflow the stack.
_ARTICLE_STATE = (
    "url",
    "title",
    "excerpt",
    "published_at",
    "web_url",
    "amp_web_url",
    "cdn_amp_web_url",
    "original_url",
    "type",
    "category",
    "quality",
    "heat",
    "featured_content",
    "has_record",
    "images",
    "index",
)


def _restore_article(*values: object) -> Article:
    article = Article.__new__(Article)
    for name, value in zip(_ARTICLE_STATE, values, strict=True):
        setattr(article, name, value)
    article.provider = None
    article.topics = article.related = ()
    article.related_from = _EMPTY_INDEXES
    return article


def _restore_provider(domain: str, name: str, images: tuple[Image, ...], index: int) -> Provider:
    provider = Provider(domain=domain, name=name, images=images)
    provider.index = index
    return provider


def _restore_topic(
    slug: str, name: str, keywords: tuple[str, ...], hashtags: tuple[str, ...], index: int
) -> Topic:
    topic = Topic(slug=slug, name=name, keywords=keywords, hashtags=hashtags)
    topic.index = index
    return topic


def _flatten_graph(content: ContentGraph) -> tuple[object, tuple[object, ...]]:
    links = tuple(
        (
            article.provider.index if article.provider is not None else -1,
            tuple(topic.index for topic in article.topics),
            tuple(target.index for target in article.related),
            article.related_from,
        )
        for article in content.articles
    )
    return (
        _restore_graph,
        (
            content.articles,
            content.providers,
            content.topics,
            content.title_words,
            content.excerpt_words,
            content.stats,
            links,
            tuple(provider.articles for provider in content.providers),
            tuple(topic.articles for topic in content.topics),
        ),
    )


def _restore_graph(
    articles: tuple[Article, ...],
    providers: tuple[Provider, ...],
    topics: tuple[Topic, ...],
    title_words: WordIndex,
    excerpt_words: WordIndex,
    stats: Stats,
    links: tuple[tuple[int, tuple[int, ...], tuple[int, ...], array], ...],
    provider_articles: tuple[array, ...],
    topic_articles: tuple[array, ...],
) -> ContentGraph:
    for article, (provider, topic_indexes, related, related_from) in zip(
        articles, links, strict=True
    ):
        article.provider = providers[provider] if provider >= 0 else None
        article.topics = tuple(topics[index] for index in topic_indexes)
        article.related = tuple(articles[index] for index in related)
        article.related_from = related_from
    for provider, indexes in zip(providers, provider_articles, strict=True):
        provider.articles = indexes
    for topic, indexes in zip(topics, topic_articles, strict=True):
        topic.articles = indexes
    return ContentGraph(
        articles=articles,
        providers=providers,
        topics=topics,
        by_url={article.url: article for article in articles},
        by_domain={provider.domain: provider for provider in providers},
        by_slug={topic.slug: topic for topic in topics},
        title_words=title_words,
        excerpt_words=excerpt_words,
        stats=stats,
    )
