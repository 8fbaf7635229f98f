"""The baseline: a plain graphql-core server over the same SDL, graph/ and resolvers/.

No Strawberry: the schema is built from the SDL that `content-graph schema` prints, the
resolvers are plain functions calling into `resolvers/`, and each request goes through
`graphql_sync` (parse, validate, execute) and the standard library's `json`, as a
straightforward graphql-core server would. It serves the fields the benchmark's five
queries use; any other field without an argument reads the attribute of the same name.

Run it with uvicorn, like the project's own server:

    CONTENT_GRAPH_DATA=DIR BASELINE_SDL=schema.graphql \
        uvicorn --factory bench.baseline_graphqlcore:create_app --port 8001
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Awaitable, Callable, MutableMapping
from datetime import datetime
from pathlib import Path
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    build_schema,
    graphql_sync,
)

from graph import load
from graph.model import Article, ContentGraph, Provider, Topic
from resolvers import articles, counts, ids, ordering, pagination, providers, search, topics

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Resolver = Callable[..., Any]

SDL_ENV = "BASELINE_SDL"
DATA_ENV = "CONTENT_GRAPH_DATA"


def graph_of(info: GraphQLResolveInfo) -> ContentGraph:
    return info.context["graph"]


def page(
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> pagination.PageRequest:
    return pagination.page_request(first, after, last, before)


def page_of(arguments: dict[str, Any]) -> pagination.PageRequest:
    return page(
        arguments.get("first"),
        arguments.get("after"),
        arguments.get("last"),
        arguments.get("before"),
    )


def article_filter(value: dict[str, Any] | None) -> articles.ArticleFilter | None:
    if value is None:
        return None
    return articles.ArticleFilter(
        topics=value.get("topics"),
        providers=value.get("providers"),
        types=value.get("types"),
        published_after=value.get("publishedAfter"),
        published_before=value.get("publishedBefore"),
        min_quality=value.get("minQuality"),
        min_heat=value.get("minHeat"),
        has_record=value.get("hasRecord"),
        text=value.get("text"),
    )


def article_order(value: dict[str, Any] | None) -> ordering.ArticleOrder | None:
    if value is None:
        return None
    return ordering.ArticleOrder(
        ordering.ArticleOrderField(value["field"]), ordering.OrderDirection(value["direction"])
    )


def article_connection(
    info: GraphQLResolveInfo, source: Any, arguments: dict[str, Any]
) -> pagination.Connection[Article]:
    request = page_of(arguments)
    return articles.list_articles(
        graph_of(info),
        request,
        source,
        article_filter(arguments.get("filter")),
        article_order(arguments.get("orderBy")),
    )


def query_article(_: None, info: GraphQLResolveInfo, **arguments: Any) -> Article | None:
    if "id" in arguments and arguments["id"] is not None:
        return ids.article_by_id(graph_of(info), arguments["id"])
    return articles.article_by_url(graph_of(info), arguments["url"])


def query_articles(_: None, info: GraphQLResolveInfo, **arguments: Any) -> Any:
    return article_connection(info, None, arguments)


def query_search(_: None, info: GraphQLResolveInfo, **arguments: Any) -> Any:
    request = page_of(arguments)
    conditions = article_filter(arguments.get("filter"))
    return search.search(graph_of(info), arguments["query"], request, conditions)


def query_provider(_: None, info: GraphQLResolveInfo, domain: str) -> Provider | None:
    return providers.provider_by_domain(graph_of(info), domain)


def query_topic(_: None, info: GraphQLResolveInfo, name: str) -> Topic | None:
    return topics.topic_by_name(graph_of(info), name)


def node_id(node: Article | Provider | Topic, info: GraphQLResolveInfo) -> str:
    return ids.global_id(node)


def nested_articles(
    source: Provider | Topic, info: GraphQLResolveInfo, **arguments: Any
) -> pagination.Connection[Article]:
    return article_connection(info, source.articles, arguments)


def related_from(source: Article, info: GraphQLResolveInfo, **arguments: Any) -> Any:
    return article_connection(info, source.related_from, arguments)


def related_topics(source: Topic, info: GraphQLResolveInfo, first: int | None = 10) -> Any:
    return counts.related_topics(graph_of(info), source, 10 if first is None else first)


def article_count(source: Provider | Topic, info: GraphQLResolveInfo) -> int:
    return len(source.articles)


RESOLVERS: dict[str, dict[str, Resolver]] = {
    "Query": {
        "article": query_article,
        "articles": query_articles,
        "search": query_search,
        "provider": query_provider,
        "topic": query_topic,
    },
    "Article": {
        "id": node_id,
        "publishedDateTime": lambda source, info: source.published_at,
        "relatedFrom": related_from,
    },
    "Provider": {"id": node_id, "articles": nested_articles, "articleCount": article_count},
    "Topic": {
        "id": node_id,
        "articles": nested_articles,
        "articleCount": article_count,
        "relatedTopics": related_topics,
    },
}


def snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def attribute_resolver(attribute: str) -> Resolver:
    def resolve(source: Any, info: GraphQLResolveInfo) -> Any:
        return getattr(source, attribute, None)

    return resolve


def build(sdl: str) -> GraphQLSchema:
    """The schema of `sdl` with this module's resolvers, scalars and enum values attached."""
    schema = build_schema(sdl)
    for type_ in schema.type_map.values():
        if type_.name.startswith("__"):
            continue
        if isinstance(type_, GraphQLObjectType):
            own = RESOLVERS.get(type_.name, {})
            for name, field in type_.fields.items():
                field.resolve = own.get(name) or attribute_resolver(snake_case(name))
        elif isinstance(type_, GraphQLScalarType) and type_.name == "DateTime":
            # graphql-core 3.3 reads coerce_*; 3.2 reads serialize and parse_value.
            type_.serialize = type_.coerce_output_value = serialize_datetime  # type: ignore[method-assign]
            type_.parse_value = type_.coerce_input_value = datetime.fromisoformat  # type: ignore[method-assign]
    for type_ in schema.type_map.values():
        if isinstance(type_, GraphQLEnumType) and not type_.name.startswith("__"):
            for name, value in type_.values.items():
                value.value = name
    schema.get_type("Node").resolve_type = lambda obj, info, type_: type(obj).__name__  # type: ignore[union-attr]
    return schema


def serialize_datetime(value: datetime) -> str:
    return ordering.aware(value).isoformat()


class BaselineApp:
    """A minimal ASGI app: POST /graphql (JSON body) and GET /readyz."""

    def __init__(self, schema: GraphQLSchema, data_dir: Path) -> None:
        self.schema = schema
        self.data_dir = data_dir
        self.graph: ContentGraph | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        if scope["path"] == "/readyz":
            status = 200 if self.graph is not None else 503
            await self.respond(send, status, b'{"status":"ready"}')
            return
        body = b""
        more = True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        request = json.loads(body)
        result = graphql_sync(
            self.schema,
            request["query"],
            variable_values=request.get("variables"),
            operation_name=request.get("operationName"),
            context_value={"graph": self.graph},
        )
        await self.respond(send, 200, json.dumps(result.formatted).encode())

    async def lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.graph = load(self.data_dir).graph
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    @staticmethod
    async def respond(send: Send, status: int, body: bytes) -> None:
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def create_app() -> BaselineApp:
    sdl = Path(os.environ[SDL_ENV]).read_text(encoding="utf-8")
    return BaselineApp(build(sdl), Path(os.environ[DATA_ENV]))
