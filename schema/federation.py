"""Apollo Federation v2: the `_entities` and `_service` fields a gateway asks a subgraph.

Strawberry's federation schema adds both fields itself unless the query type has them.
Ours are given here instead, for two reasons: Strawberry's `_entities` fails the whole
call on one bad representation (a missing `__typename` is a KeyError, which the client
sees as an "Internal server error" and the log as a traceback), where a gateway needs
null and an error for that item only;
and its fields carry no descriptions, which every field of this schema has.

The lookups live in `resolvers.entities`; this module only maps its outcomes onto
GraphQL: a node, null, or a located error with a code.
"""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from graphql import GraphQLError, GraphQLSchema, print_directive, print_type
from strawberry.federation.schema import FederationAny
from strawberry.printer import print_schema

from graph.model import ContentGraph
from resolvers import entities
from resolvers.errors import InputError
from schema.types import Article, Provider, Topic, graph_of, type_name

BAD_USER_INPUT = "BAD_USER_INPUT"
MAX_REPRESENTATIONS_CODE = "MAX_REPRESENTATIONS_EXCEEDED"

# Federation's `_Any`, as Strawberry defines it, with a description.
ANY = strawberry.scalar(
    name="_Any",
    description=(
        "A representation of an entity, as a federation gateway sends it: an object with "
        "__typename and the fields of one of the type's @key directives."
    ),
    serialize=lambda value: value,
    parse_value=lambda value: value,
)

# The @key directive's argument type, by the name Federation 2 gives it: Strawberry's
# `_FieldSet` is Federation 1's, which composition refuses in a directive definition
# (/schema.graphql has them, see `standalone_sdl`).
FIELD_SET = strawberry.scalar(
    name="federation__FieldSet",
    description='A selection of fields, as in @key(fields: "id") (Apollo Federation).',
    serialize=lambda value: value,
    parse_value=str,
    print_definition=False,
)

Entity = Annotated[
    Article | Provider | Topic,
    strawberry.union(
        "_Entity", description="The types other subgraphs can refer to by their @key fields."
    ),
]


@strawberry.type(name="_Service", description="What a federation gateway learns of this subgraph.")
class Service:
    sdl: str = strawberry.field(
        description="This subgraph's schema in SDL, with its @link and @key directives."
    )


@strawberry.type(description="The fields of Apollo Federation v2 that a gateway asks a subgraph.")
class FederationQuery:
    @strawberry.field(
        name="_entities",
        description=(
            "The entities the representations name, in order: null for a key that names "
            f"nothing, null and an error at its index for a malformed representation; at "
            f"most {entities.MAX_REPRESENTATIONS:,} per call."
        ),
    )
    def entities_(
        self,
        info: strawberry.Info,
        representations: Annotated[
            list[FederationAny],
            strawberry.argument(
                description=(
                    'Entity references, e.g. {"__typename": "Provider", "domain": "x.com"}.'
                )
            ),
        ],
    ) -> list[Entity | None]:
        try:
            entities.check_count(representations)
        except entities.TooManyRepresentations as error:
            raise GraphQLError(
                str(error),
                original_error=error,
                extensions={
                    "code": MAX_REPRESENTATIONS_CODE,
                    "limit": entities.MAX_REPRESENTATIONS,
                },
            ) from None
        graph = graph_of(info)
        return [_entity_or_error(graph, item) for item in representations]  # type: ignore[misc]

    @strawberry.field(
        name="_service", description="This subgraph's schema, for a gateway to compose."
    )
    def service(self, info: strawberry.Info) -> Service:
        return Service(sdl=print_schema(info.schema))


def _entity_or_error(graph: ContentGraph, representation: object) -> object:
    # An error returned (not raised) as an item is reported at that item's path
    # (`_entities.N`) with null in its place, and the other items still resolve.
    try:
        return entities.entity(graph, representation)
    except InputError as error:
        return GraphQLError(str(error), original_error=error, extensions={"code": BAD_USER_INPUT})


def standalone_sdl(schema: strawberry.Schema) -> str:
    """The federation SDL with the definitions of the directives it imports.

    `_service { sdl }` leaves out the definitions of @key and @link and of their
    argument types, as Apollo's subgraph SDL does: a gateway knows them from the
    @link. Any other reader of the SDL (a code generator, `build_schema`) would refuse
    `@key` as an unknown directive, so the SDL served to people has them.
    """
    graphql_schema: GraphQLSchema = schema._schema  # type: ignore[attr-defined]
    hidden = [
        print_directive(directive)
        for directive in graphql_schema.directives
        if _hidden(directive.extensions)
    ]
    hidden += [
        print_type(named) for named in graphql_schema.type_map.values() if _hidden(named.extensions)
    ]
    return "\n\n".join([print_schema(schema), *hidden])


def _hidden(extensions: dict[str, Any]) -> bool:
    definition = extensions.get("strawberry-definition")
    return getattr(definition, "print_definition", True) is False


# Strawberry builds the @key and @link directives and @link's argument types without
# descriptions and offers no way to give them one; introspection lists them like any
# other type, so they are described on the built schema.
_DIRECTIVE_TYPE_DESCRIPTIONS = {
    "link__Import": 'A name that @link imports from a specification, e.g. "@key".',
    "link__Purpose": "Why a schema links a specification (@link's `for` argument).",
    "link__Purpose.SECURITY": "The specification's directives secure the schema.",
    "link__Purpose.EXECUTION": "The specification's directives change how the schema runs.",
    "@key": "The fields by which other subgraphs refer to this type (Apollo Federation).",
    "@link": "Imports definitions from a specification, here Apollo Federation's.",
}


def resolve_entity_types(graphql_schema: GraphQLSchema) -> None:
    """`_Entity`'s members by the node's class, as `Node`'s are: Strawberry's union
    resolver reads `info` on every item, which keeps `_entities` off compiled plans."""
    graphql_schema.type_map["_Entity"].resolve_type = type_name  # type: ignore[union-attr]


def describe_directive_types(graphql_schema: GraphQLSchema) -> None:
    for name, description in _DIRECTIVE_TYPE_DESCRIPTIONS.items():
        if name.startswith("@"):
            graphql_schema.get_directive(name[1:]).description = description  # type: ignore[union-attr]
            continue
        type_name, _, value = name.partition(".")
        named = graphql_schema.type_map[type_name]
        if value:
            named.values[value].description = description  # type: ignore[attr-defined]
        else:
            named.description = description
