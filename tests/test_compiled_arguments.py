"""compiled_arguments converts every field's arguments exactly as Strawberry does.

For every field of the served schema with arguments, values are built from the
argument types (every input field given, then none, then nulls), and the specialised
converter's result must equal `strawberry.types.arguments.convert_arguments`'s: the
same input classes with the same attribute values.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    is_object_type,
)
from strawberry.types.arguments import convert_arguments

from content_graph.compiled import STRAWBERRY_FIELD
from content_graph.compiled_arguments import arguments_converter
from schema import schema

GRAPHQL = schema._schema  # type: ignore[attr-defined]
SCALARS: dict[str, Any] = {
    "String": "Text",
    "ID": "QXJ0aWNsZTox",
    "Int": 7,
    "Float": 1.5,
    "Boolean": True,
    "DateTime": datetime(2020, 7, 1, 16, 50, tzinfo=UTC),
    "_Any": {"__typename": "Article", "url": "https://example.com/a"},
}


def fields_with_arguments() -> list[tuple[str, GraphQLField]]:
    found = []
    for type_ in GRAPHQL.type_map.values():
        if not is_object_type(type_) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            if field.args and (field.extensions or {}).get(STRAWBERRY_FIELD) is not None:
                found.append((f"{type_.name}.{name}", field))
    return found


def sample(type_: GraphQLInputType, mode: str) -> Any:
    """A value of `type_` as graphql-core gives it to resolvers: "full" sets every input
    field, "empty" none, "nulls" every nullable one to null."""
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type, "full" if mode == "nulls" else mode)
    if mode == "nulls":
        return None
    if isinstance(type_, GraphQLList):
        return [sample(type_.of_type, mode), sample(type_.of_type, mode)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values.values())).value
    if isinstance(type_, GraphQLInputObjectType):
        if mode == "empty":
            return {
                name: sample(field.type, "full")
                for name, field in type_.fields.items()
                if isinstance(field.type, GraphQLNonNull)
            }
        return {name: sample(field.type, mode) for name, field in type_.fields.items()}
    assert isinstance(type_, GraphQLScalarType)
    return SCALARS[type_.name]


FIELDS = fields_with_arguments()


def test_the_schema_has_fields_with_input_objects() -> None:
    # The cases below would prove little without input objects and lists among them.
    kinds = {type(sample(a.type, "full")) for _, f in FIELDS for a in f.args.values()}
    assert dict in kinds and list in kinds


@pytest.mark.parametrize(("name", "field"), FIELDS, ids=[name for name, _ in FIELDS])
@pytest.mark.parametrize("mode", ["full", "empty", "nulls"])
def test_converted_as_strawberry_converts(name: str, field: GraphQLField, mode: str) -> None:
    strawberry_field = field.extensions[STRAWBERRY_FIELD]
    registry = schema.schema_converter.scalar_registry
    convert = arguments_converter(strawberry_field.arguments, registry, schema.config)
    assert convert is not None, f"{name}: no specialised converter"
    values = {key: sample(argument.type, mode) for key, argument in field.args.items()}
    expected = convert_arguments(values, strawberry_field.arguments, registry, schema.config)
    got = convert(values)
    assert got == expected
    assert [type(value) for value in got.values()] == [type(v) for v in expected.values()]
    # A list is copied, never the caller's own (graphql-core shares default values).
    for value in got.values():
        if isinstance(value, list):
            assert all(value is not given for given in values.values())
