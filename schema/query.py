"""The root `Query` type."""

from __future__ import annotations

from typing import Annotated

import strawberry

from resolvers import articles, ids, pagination, path, providers, search, topics
from resolvers.errors import InputError
from schema.inputs import ArticleFilter, ProviderOrder, TopicOrder
from schema.types import (
    After,
    Article,
    ArticleConnection,
    Before,
    Filter,
    First,
    GraphStats,
    Last,
    Node,
    Order,
    Provider,
    ProviderConnection,
    Topic,
    TopicConnection,
    article_list,
    graph_of,
)


@strawberry.type(description="The questions this API answers about the content graph.")
class Query:
    @strawberry.field(description="The node with this ID; null when it names nothing.")
    def node(
        self,
        info: strawberry.Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="A node's opaque ID.")],
    ) -> Node | None:
        return ids.node_by_id(graph_of(info), id)  # type: ignore[return-value]

    @strawberry.field(
        description=(
            "The nodes with these IDs, in order; null for an ID that names nothing. A "
            "malformed ID gives null in its place and an error whose path is its position "
            "(nodes.3); the other IDs are answered."
        )
    )
    def nodes(
        self,
        info: strawberry.Info,
        ids_: Annotated[
            list[strawberry.ID],
            strawberry.argument(name="ids", description="Opaque node IDs."),
        ],
    ) -> list[Node | None]:
        return ids.nodes_by_ids(graph_of(info), ids_)  # type: ignore[return-value]

    @strawberry.field(
        description=(
            "An article by its ID or by its URL (in any form that canonicalizes to its URL); "
            "give exactly one."
        )
    )
    def article(
        self,
        info: strawberry.Info,
        id: Annotated[
            strawberry.ID | None, strawberry.argument(description="The article's opaque ID.")
        ] = None,
        url: Annotated[
            str | None,
            strawberry.argument(description="The article's URL, canonical or not."),
        ] = None,
    ) -> Article | None:
        if (id is None) == (url is None):
            raise InputError("`article` needs exactly one of `id` or `url`.")
        graph = graph_of(info)
        if id is not None:
            return ids.article_by_id(graph, id)  # type: ignore[return-value]
        return articles.article_by_url(graph, url)  # type: ignore[arg-type, return-value]

    @strawberry.field(description="All served articles, filtered and ordered.")
    def articles(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        filter: Filter = None,
        order_by: Order = None,
    ) -> ArticleConnection:
        return article_list(info, None, first, after, last, before, filter, order_by)  # type: ignore[return-value]

    @strawberry.field(
        description="Articles whose title or excerpt match the query words, best match first."
    )
    def search(
        self,
        info: strawberry.Info,
        query: Annotated[
            str,
            strawberry.argument(
                description=(
                    "Words to look for; each must be a word of the title or excerpt, "
                    "or the start of one."
                )
            ),
        ],
        first: First = None,
        after: After = None,
        filter: Annotated[
            ArticleFilter | None,
            strawberry.argument(description="Only matches that meet every given condition."),
        ] = None,
        last: Last = None,
        before: Before = None,
    ) -> ArticleConnection:
        request = pagination.page_request(first, after, last, before)
        conditions = None if filter is None else filter.to_filter()
        return search.search(graph_of(info), query, request, conditions)  # type: ignore[return-value]

    @strawberry.field(description="A provider by domain, case-insensitive, a leading www. ignored.")
    def provider(
        self,
        info: strawberry.Info,
        domain: Annotated[str, strawberry.argument(description="The provider's domain.")],
    ) -> Provider | None:
        return providers.provider_by_domain(graph_of(info), domain)  # type: ignore[return-value]

    @strawberry.field(description="All served providers; by default by domain.")
    def providers(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        order_by: Annotated[
            ProviderOrder | None,
            strawberry.argument(description="The order; by default domain ascending."),
        ] = None,
    ) -> ProviderConnection:
        request = pagination.page_request(first, after, last, before)
        order = None if order_by is None else order_by.to_order()
        return providers.list_providers(graph_of(info), request, order)  # type: ignore[return-value]

    @strawberry.field(description="A topic by name or slug, case-insensitive.")
    def topic(
        self,
        info: strawberry.Info,
        name: Annotated[str, strawberry.argument(description="The topic's name or slug.")],
    ) -> Topic | None:
        return topics.topic_by_name(graph_of(info), name)  # type: ignore[return-value]

    @strawberry.field(description="All served topics; by default by slug.")
    def topics(
        self,
        info: strawberry.Info,
        first: First = None,
        after: After = None,
        last: Last = None,
        before: Before = None,
        order_by: Annotated[
            TopicOrder | None,
            strawberry.argument(description="The order; by default slug ascending."),
        ] = None,
    ) -> TopicConnection:
        request = pagination.page_request(first, after, last, before)
        order = None if order_by is None else order_by.to_order()
        return topics.list_topics(graph_of(info), request, order)  # type: ignore[return-value]

    @strawberry.field(
        description=(
            "The shortest chain of nodes that ties two nodes together in the content graph, "
            "both ends included; null when none within maxHops."
        )
    )
    def path(
        self,
        info: strawberry.Info,
        from_: Annotated[
            strawberry.ID, strawberry.argument(name="from", description="The ID to start from.")
        ],
        to: Annotated[strawberry.ID, strawberry.argument(description="The ID to end at.")],
        max_hops: Annotated[
            int | None,
            strawberry.argument(
                description=f"The most edges to cross (0 to {path.MAX_HOPS}); null means 6."
            ),
        ] = 6,
    ) -> list[Node] | None:
        max_hops = path.check_max_hops(6 if max_hops is None else max_hops)
        graph = graph_of(info)
        source = ids.node_by_id(graph, from_)
        target = ids.node_by_id(graph, to)
        return path.shortest_path(graph, source, target, max_hops)  # type: ignore[return-value]

    @strawberry.field(description="Counts and identity of the loaded data.")
    def stats(self, info: strawberry.Info) -> GraphStats:
        return graph_of(info).stats  # type: ignore[return-value]


__all__ = ["Query"]
