"""Object types and the `Node` interface.

The objects behind these types are the graph's own model objects (`graph.model`) and
the small result objects of `resolvers/`: a field without arguments reads the attribute
of the same name, so most fields cost one `getattr` and no wrapper is built per node.
Fields with arguments call into `resolvers/`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import strawberry
from graphql import GraphQLResolveInfo
from strawberry.federation.schema_directives import Key

from graph import model
from resolvers import articles, counts, ids, pagination, reloads, similar
from schema.inputs import ArticleFilter, ArticleOrder

# Page sizes in argument descriptions come from resolvers/pagination.py, which applies them.
First = Annotated[
    int | None,
    strawberry.argument(
        description=(
            "Return at most this many items from the start. Default "
            f"{pagination.DEFAULT_PAGE_SIZE} unless `last` is given; at most "
            f"{pagination.MAX_PAGE_SIZE}."
        )
    ),
]
After = Annotated[
    str | None, strawberry.argument(description="Return only items after this cursor.")
]
Last = Annotated[
    int | None,
    strawberry.argument(
        description=(
            "Return at most this many items from the end. No default; at most "
            f"{pagination.MAX_PAGE_SIZE}."
        )
    ),
]
Before = Annotated[
    str | None, strawberry.argument(description="Return only items before this cursor.")
]
Filter = Annotated[
    ArticleFilter | None,
    strawberry.argument(description="Only articles that meet every given condition."),
]
Order = Annotated[
    ArticleOrder | None,
    strawberry.argument(
        description="The order; by default publishedDateTime descending, undated last."
    ),
]
# The default lengths of the ranked lists (`similar` and the counts lists).
SIMILAR_DEFAULT = 5
COUNTS_DEFAULT = 10


def _list_size(default: int) -> Any:
    description = (
        f"How many to return. Default {default} (also when null); at most "
        f"{pagination.MAX_PAGE_SIZE}."
    )
    return Annotated[int | None, strawberry.argument(description=description)]


SimilarSize = _list_size(SIMILAR_DEFAULT)
CountsSize = _list_size(COUNTS_DEFAULT)


def instance_check(cls: type) -> Callable[[Any, GraphQLResolveInfo], bool]:
    """An `is_type_of` for a GraphQL type whose objects are the graph's `cls` instances.

    It says so (`instance_of`), so that compiled plans check with an inline isinstance
    instead of calling it for every object (content_graph/compiled_source.py)."""

    def is_type_of(obj: Any, info: GraphQLResolveInfo) -> bool:
        return isinstance(obj, cls)

    is_type_of.instance_of = cls  # type: ignore[attr-defined]
    return is_type_of


def graph_of(info: strawberry.Info) -> model.ContentGraph:
    return info.context["graph"]


def article_list(
    info: strawberry.Info,
    source: Any,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    filter: ArticleFilter | None = None,
    order_by: ArticleOrder | None = None,
) -> pagination.Connection[model.Article]:
    request = pagination.page_request(first, after, last, before)
    return articles.list_articles(
        graph_of(info),
        request,
        source,
        None if filter is None else filter.to_filter(),
        None if order_by is None else order_by.to_order(),
    )


@strawberry.interface(
    description="An object with a globally unique, opaque ID (Relay Global Object Identification)."
)
class Node:
    id: strawberry.ID = strawberry.field(description="The opaque ID; stable across reloads.")

    @classmethod
    def resolve_type(cls, obj: Any, info: GraphQLResolveInfo, abstract_type: Any) -> str:
        return type_name(obj)


_TYPE_NAMES = {model.Article: "Article", model.Provider: "Provider", model.Topic: "Topic"}


def type_name(obj: Any, info: Any = None, abstract_type: Any = None) -> str:
    """The GraphQL type of a node of the graph: the type resolver of `Node` and of
    federation's `_Entity`. It reads no `info`, so compiled plans call it directly."""
    return _TYPE_NAMES[type(obj)]


@strawberry.type(description="An image: a picture of an article or a provider's logo.")
class Image:
    url: str = strawberry.field(description="Where the image is.")
    width: int | None = strawberry.field(description="Width in pixels, when known.")
    height: int | None = strawberry.field(description="Height in pixels, when known.")
    title: str | None = strawberry.field(description="The image's title, when given.")
    is_cached: bool | None = strawberry.field(description="Whether the publisher cached it.")


@strawberry.type(
    description="Information about one page of a connection (Relay Cursor Connections)."
)
class PageInfo:
    has_next_page: bool = strawberry.field(description="Whether items follow this page.")
    has_previous_page: bool = strawberry.field(description="Whether items precede this page.")
    start_cursor: str | None = strawberry.field(
        description="The cursor of the first item of the page; null when the page is empty."
    )
    end_cursor: str | None = strawberry.field(
        description="The cursor of the last item of the page; null when the page is empty."
    )


@strawberry.type(
    description=(
        "A news item: either loaded from its own record, or known only as another "
        "article's related link."
    ),
    # Federation keys (docs/federation.md): other subgraphs may refer to an article by
    # its opaque ID or by its canonical URL.
    directives=[Key(fields="id"), Key(fields="url")],
)
class Article(Node):
    @strawberry.field(description="The opaque ID; stable across reloads.")
    def id(root: model.Article) -> strawberry.ID:
        return strawberry.ID(ids.global_id(root))

    url: str = strawberry.field(
        description=(
            "The canonical URL that identifies this article (webUrl, else originalUrl, normalized)."
        )
    )
    title: str = strawberry.field(description="The headline.")
    excerpt: str | None = strawberry.field(description="A short summary, when given.")
    published_at: datetime | None = strawberry.field(
        name="publishedDateTime", description="When it was published; null when unknown."
    )
    web_url: str | None = strawberry.field(description="The web URL as written in the data.")
    amp_web_url: str | None = strawberry.field(description="The AMP version's URL.")
    cdn_amp_web_url: str | None = strawberry.field(
        description="The AMP version's URL on the AMP cache."
    )
    original_url: str | None = strawberry.field(
        description="The original URL as written in the data."
    )
    type: str | None = strawberry.field(
        description="The record's type as written in the data, e.g. article or video."
    )
    category: str | None = strawberry.field(description="The record's category, e.g. news.")
    quality: int | None = strawberry.field(description="The quality score given in the data.")
    heat: int | None = strawberry.field(description="The heat (popularity) given in the data.")
    featured_content: str | None = strawberry.field(
        description="Embeddable content such as a video player, as HTML."
    )
    has_record: bool = strawberry.field(
        description=(
            "True when the article has its own record in the data; false when it is known "
            "only as a related link."
        )
    )
    provider: Provider | None = strawberry.field(description="The publisher, when known.")
    topics: list[Topic] = strawberry.field(description="The topics the record carries.")
    images: list[Image] = strawberry.field(description="The article's images.")
    related: list[Article] = strawberry.field(
        description="The articles this one lists as related, in the order listed."
    )

    @strawberry.field(description="The articles that list this one as related.")
    def related_from(
        root: model.Article,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
    ) -> ArticleConnection:
        return article_list(info, root.related_from, first, after, last, before)  # type: ignore[return-value]

    @strawberry.field(
        description=(
            "Other articles ranked by how closely the content graph ties them to this one; "
            "best first."
        )
    )
    def similar(
        root: model.Article, info: strawberry.Info, first: SimilarSize = SIMILAR_DEFAULT
    ) -> list[ScoredArticle]:
        size = SIMILAR_DEFAULT if first is None else first
        return similar.similar_articles(graph_of(info), root, size)  # type: ignore[return-value]

    is_type_of = staticmethod(instance_check(model.Article))


@strawberry.type(description="An article with its similarity score.")
class ScoredArticle:
    score: float = strawberry.field(
        description="How closely the graph ties the article to the one asked about."
    )
    article: Article = strawberry.field(description="The similar article.")


@strawberry.type(
    description="A publisher, identified by its domain.", directives=[Key(fields="domain")]
)
class Provider(Node):
    @strawberry.field(description="The opaque ID; stable across reloads.")
    def id(root: model.Provider) -> strawberry.ID:
        return strawberry.ID(ids.global_id(root))

    domain: str = strawberry.field(description="The domain, lower-cased, without www.")
    name: str = strawberry.field(description="The publisher's name.")
    images: list[Image] = strawberry.field(description="The publisher's logos.")

    @strawberry.field(description="How many served articles it publishes.")
    def article_count(root: model.Provider) -> int:
        return len(root.articles)

    @strawberry.field(description="The articles it publishes.")
    def articles(
        root: model.Provider,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Filter = None,
        order_by: Order = None,
    ) -> ArticleConnection:
        return article_list(info, root.articles, first, after, last, before, filter, order_by)  # type: ignore[return-value]

    @strawberry.field(description="The topics this provider's articles carry, most frequent first.")
    def topics(
        root: model.Provider, info: strawberry.Info, first: CountsSize = COUNTS_DEFAULT
    ) -> list[TopicCount]:
        size = COUNTS_DEFAULT if first is None else first
        return counts.provider_topics(graph_of(info), root, size)  # type: ignore[return-value]

    is_type_of = staticmethod(instance_check(model.Provider))


@strawberry.type(description="A subject, identified by its slug.", directives=[Key(fields="slug")])
class Topic(Node):
    @strawberry.field(description="The opaque ID; stable across reloads.")
    def id(root: model.Topic) -> strawberry.ID:
        return strawberry.ID(ids.global_id(root))

    name: str = strawberry.field(description="The topic's name.")
    slug: str = strawberry.field(
        description="The name lower-cased, each run of other characters than a-z0-9 made one -."
    )
    keywords: list[str] = strawberry.field(description="Keywords from the topic's taxonomy file.")
    hashtags: list[str] = strawberry.field(description="Hashtags from the topic's taxonomy file.")

    @strawberry.field(description="How many served articles carry it.")
    def article_count(root: model.Topic) -> int:
        return len(root.articles)

    @strawberry.field(description="The articles that carry it.")
    def articles(
        root: model.Topic,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Filter = None,
        order_by: Order = None,
    ) -> ArticleConnection:
        return article_list(info, root.articles, first, after, last, before, filter, order_by)  # type: ignore[return-value]

    @strawberry.field(
        description="Topics that appear on the same articles as this one, most shared first."
    )
    def related_topics(
        root: model.Topic, info: strawberry.Info, first: CountsSize = COUNTS_DEFAULT
    ) -> list[TopicCount]:
        size = COUNTS_DEFAULT if first is None else first
        return counts.related_topics(graph_of(info), root, size)  # type: ignore[return-value]

    @strawberry.field(description="Providers that publish on this topic, most articles first.")
    def providers(
        root: model.Topic, info: strawberry.Info, first: CountsSize = COUNTS_DEFAULT
    ) -> list[ProviderCount]:
        size = COUNTS_DEFAULT if first is None else first
        return counts.topic_providers(graph_of(info), root, size)  # type: ignore[return-value]

    is_type_of = staticmethod(instance_check(model.Topic))


@strawberry.type(description="A topic with a number of articles.")
class TopicCount:
    topic: Topic = strawberry.field(description="The topic.")
    count: int = strawberry.field(description="How many articles the count is of.")


@strawberry.type(description="A provider with a number of articles.")
class ProviderCount:
    provider: Provider = strawberry.field(description="The provider.")
    count: int = strawberry.field(description="How many articles the count is of.")


@strawberry.type(description="An article and its cursor.")
class ArticleEdge:
    cursor: str = strawberry.field(description="The article's place in the list, opaque.")
    node: Article = strawberry.field(description="The article.")


@strawberry.type(description="A page of articles (Relay Cursor Connections).")
class ArticleConnection:
    edges: list[ArticleEdge] = strawberry.field(description="The page's articles with cursors.")
    nodes: list[Article] = strawberry.field(description="The page's articles.")
    page_info: PageInfo = strawberry.field(description="Where the page lies in the list.")
    total_count: int = strawberry.field(description="How many articles match, on all pages.")


@strawberry.type(description="A provider and its cursor.")
class ProviderEdge:
    cursor: str = strawberry.field(description="The provider's place in the list, opaque.")
    node: Provider = strawberry.field(description="The provider.")


@strawberry.type(description="A page of providers (Relay Cursor Connections).")
class ProviderConnection:
    edges: list[ProviderEdge] = strawberry.field(description="The page's providers with cursors.")
    nodes: list[Provider] = strawberry.field(description="The page's providers.")
    page_info: PageInfo = strawberry.field(description="Where the page lies in the list.")
    total_count: int = strawberry.field(description="How many providers there are in all.")


@strawberry.type(description="A topic and its cursor.")
class TopicEdge:
    cursor: str = strawberry.field(description="The topic's place in the list, opaque.")
    node: Topic = strawberry.field(description="The topic.")


@strawberry.type(description="A page of topics (Relay Cursor Connections).")
class TopicConnection:
    edges: list[TopicEdge] = strawberry.field(description="The page's topics with cursors.")
    nodes: list[Topic] = strawberry.field(description="The page's topics.")
    page_info: PageInfo = strawberry.field(description="Where the page lies in the list.")
    total_count: int = strawberry.field(description="How many topics there are in all.")


@strawberry.type(description="Counts and identity of the loaded data.")
class GraphStats:
    articles: int = strawberry.field(description="Served articles, with or without a record.")
    articles_with_record: int = strawberry.field(
        description="Served articles that have a record of their own."
    )
    providers: int = strawberry.field(description="Served providers.")
    topics: int = strawberry.field(description="Served topics.")
    related_links: int = strawberry.field(
        description="Related links between articles (self links and repeats dropped)."
    )
    files_loaded: int = strawberry.field(
        description="Record files read, published or not (not the skipped ones)."
    )
    files_skipped: int = strawberry.field(
        description="Files skipped as unreadable or invalid (see `content-graph check`)."
    )
    loaded_at: datetime = strawberry.field(description="When this data was loaded.")
    version: str = strawberry.field(description="Changes whenever the loaded data changes.")

    @strawberry.field(
        description="Whether the server's last load of its data folder (at start or a "
        "reload) succeeded; a failed reload keeps serving the last good data. Null "
        "without a server."
    )
    def last_reload_ok(self, info: strawberry.Info) -> bool | None:
        outcome = reloads.last_reload(info.context)
        return None if outcome is None else outcome.ok

    @strawberry.field(
        description="When the server last tried to load its data folder, at start or on a "
        "reload (SIGHUP, --watch, POST /admin/reload). Null without a server."
    )
    def last_reload_at(self, info: strawberry.Info) -> datetime | None:
        outcome = reloads.last_reload(info.context)
        return None if outcome is None else outcome.at

    @strawberry.field(
        description="Why the last reload failed (such as a data folder that is gone), or "
        "null when it succeeded. A broken file does not fail a reload: it is skipped and "
        "counted in filesSkipped."
    )
    def last_reload_error(self, info: strawberry.Info) -> str | None:
        outcome = reloads.last_reload(info.context)
        return None if outcome is None else outcome.error
