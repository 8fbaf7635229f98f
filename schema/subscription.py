"""The root `Subscription` type: events of reloads, over graphql-transport-ws.

The events come from `context["events"]` (a `content_graph.events.Broadcaster`'s
`events`), one per reload. Each event carries the graph it is of; nested fields of an
event resolve in that graph, which the resolver puts in the context before yielding.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Annotated, Any

import strawberry

from graph import model
from resolvers import articles, pagination
from schema.inputs import ArticleFilter
from schema.types import Article, GraphStats


@strawberry.type(description="Articles that a reload added, in the default article order.")
class ArticlesAdded:
    version: str = strawberry.field(description="The version of the data they were added in.")
    articles: list[Article] = strawberry.field(
        description="The new articles that match the filter; at most 100 per event."
    )


@strawberry.type(description="Events of the served data, one per reload.")
class Subscription:
    @strawberry.subscription(
        description=(
            "Articles new in each reload (URLs not served before) that meet the filter; "
            "nothing is sent for a reload without any."
        )
    )
    async def articles_added(
        self,
        info: strawberry.Info,
        filter: Annotated[
            ArticleFilter | None,
            strawberry.argument(description="Only new articles that meet every given condition."),
        ] = None,
    ) -> AsyncGenerator[ArticlesAdded, None]:
        conditions = None if filter is None else filter.to_filter()
        async for event in _events(info):
            new = articles.select_articles(event.graph, event.added, conditions)
            found: list[model.Article] = [event.graph.articles[index] for index in new]
            # Pages of at most MAX_PAGE_SIZE, as the cost limit counts the list.
            size = pagination.MAX_PAGE_SIZE
            for start in range(0, len(found), size):
                yield ArticlesAdded(version=event.version, articles=found[start : start + size])  # type: ignore[arg-type]

    @strawberry.subscription(description="The new counts and version after each reload.")
    async def graph_reloaded(self, info: strawberry.Info) -> AsyncGenerator[GraphStats, None]:
        async for event in _events(info):
            yield event.graph.stats  # type: ignore[misc]


async def _events(info: strawberry.Info) -> AsyncGenerator[Any, None]:
    async for event in info.context["events"]():
        info.context["graph"] = event.graph  # nested fields resolve in the event's graph
        yield event


__all__ = ["Subscription"]
