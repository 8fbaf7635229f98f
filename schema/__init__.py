"""The GraphQL schema of content-graph: Strawberry types over `resolvers/`.

`schema` is a Strawberry federation schema (Apollo Federation v2, always on): the
contract's schema plus `_entities`, `_service` and `@key` directives, so that a gateway
can compose it as a subgraph (docs/federation.md), while a client that knows nothing of
federation sees only a few extra fields. The graph it answers about comes from the
execution context, `context["graph"]` (a `ContentGraph`). `execute_sync` runs one
request in process, for the CLI's `query` command and for tests.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.federation import Schema as FederationSchema
from strawberry.federation.schema import FederationAny
from strawberry.federation.types import FieldSet
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext, ExecutionResult

from graph.model import ContentGraph
from resolvers.errors import InputError
from schema.federation import (
    ANY,
    FIELD_SET,
    FederationQuery,
    describe_directive_types,
    resolve_entity_types,
    standalone_sdl,
)
from schema.query import Query
from schema.scalars import DATETIME
from schema.subscription import Subscription


class ContentSchema(FederationSchema):
    def as_str(self) -> str:
        """The SDL of /schema.graphql and `content-graph schema`: readable by any tool."""
        return standalone_sdl(self)

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # Only an error raised while resolving a field (it has a path) that is not bad
        # input is a failure of ours worth a traceback in the log. Parse, validation and
        # variable errors, InputErrors and the GraphQLErrors a resolver gives on purpose
        # (`_entities`', with a code) are the client's to fix: they go back in `errors`
        # and logging them would make the log look as if something broke.
        unexpected = [
            error
            for error in errors
            if error.path is not None
            and not isinstance(error.original_error, InputError | GraphQLError)
        ]
        if unexpected:
            super().process_errors(unexpected, execution_context)


@strawberry.type(name="Query", description=Query.__strawberry_definition__.description)
class FederatedQuery(Query, FederationQuery):
    pass


schema = ContentSchema(
    query=FederatedQuery,
    subscription=Subscription,
    config=StrawberryConfig(scalar_map={datetime: DATETIME}),
    scalar_overrides={FederationAny: ANY, FieldSet: FIELD_SET},
    # The oldest version that has all we use (@key): gateways and routers of any
    # Federation 2 release accept it.
    federation_version="2.0",
)

describe_directive_types(schema._schema)
resolve_entity_types(schema._schema)


def execute_sync(
    graph: ContentGraph,
    query: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> ExecutionResult:
    """Run one GraphQL request against `graph`."""
    return schema.execute_sync(
        query,
        variable_values=variables,
        context_value={"graph": graph},
        operation_name=operation_name,
    )


# Shown by introspection (`__schema { description }`); Strawberry's Schema takes none.
schema._schema.description = (
    "content-graph: news articles, their providers and topics, and the links between "
    "related articles, as one graph. Lists are Relay connections. Every error carries "
    "`extensions.code`: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED, BAD_USER_INPUT, "
    "a limit's code such as MAX_COST_EXCEEDED, or INTERNAL_SERVER_ERROR."
)

__all__ = ["execute_sync", "schema"]
