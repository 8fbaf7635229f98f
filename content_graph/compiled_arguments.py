"""Strawberry's argument conversion, specialised once per field's arguments.

Before a resolver runs, Strawberry turns graphql-core's argument values (dicts, lists,
scalars) into Python values: input objects into their classes, with camelCase names
mapped to Python names (`strawberry.types.arguments.convert_arguments`). It works the
types out again at every call (optional? list? scalar? which name?), which cost a
quarter of the benchmark's Q3, whose `filter` reads a variable and so is converted on
every request. Here the same decisions are taken once per field and kept as a chain of
small functions: the same classes built with the same keyword arguments.

Only the cases Strawberry handles without an `info` are specialised: scalars, enums,
lists, optional values and plain input objects. `Maybe`, `GlobalID`, and input types
that build their own value (`from_input`) make `arguments_converter` answer None, and
the caller converts with Strawberry's own function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING
from typing import Any

from strawberry.relay.types import GlobalID
from strawberry.types.arguments import _is_leaf_type, _is_optional_leaf_type
from strawberry.types.base import (
    StrawberryList,
    StrawberryMaybe,
    StrawberryOptional,
    has_object_definition,
)
from strawberry.types.enum import has_enum_definition
from strawberry.types.lazy_type import LazyType
from strawberry.types.unset import UNSET

Converter = Callable[[Any], Any]


class _Generic(Exception):
    """A type left to Strawberry's own conversion."""


def arguments_converter(
    arguments: list[Any], registry: Mapping[object, Any], config: Any
) -> Callable[[Mapping[str, Any]], dict[str, Any]] | None:
    """`convert_arguments(value, arguments, registry, config)` as one function of
    `value`; None when some argument needs Strawberry's own conversion."""
    try:
        builder = _Builder(registry, config)
        parts = [
            (
                config.name_converter.from_argument(argument),
                argument.python_name,
                builder.converter(argument.type),
            )
            for argument in arguments
        ]
    except _Generic:
        return None

    def convert(value: Mapping[str, Any]) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        for name, python_name, convert_one in parts:
            if name in value:
                kwargs[python_name] = convert_one(value[name])
        return kwargs

    return convert


class _Builder:
    """Builds the converters of one field's arguments (input types may refer to
    themselves: each is built once, and refers to itself through `objects`)."""

    def __init__(self, registry: Mapping[object, Any], config: Any) -> None:
        self.registry = registry
        self.config = config
        self.objects: dict[Any, Converter] = {}

    def converter(self, type_: Any) -> Converter:
        """`convert_argument(value, type_, ...)`, decided once for `type_`."""
        if isinstance(type_, StrawberryMaybe):
            raise _Generic
        if isinstance(type_, StrawberryOptional):
            return self.converter(type_.of_type)
        if isinstance(type_, StrawberryList):
            return self.list(type_)
        if _is_leaf_type(type_, self.registry):
            if type_ is GlobalID:
                raise _Generic
            return _same
        if isinstance(type_, LazyType):
            return self.converter(type_.resolve_type())
        if has_enum_definition(type_):
            return self.converter(type_.__strawberry_definition__)
        if has_object_definition(type_):
            return self.object(type_)
        raise _Generic

    def list(self, type_: StrawberryList) -> Converter:
        item_type = type_.of_type
        skip = (GlobalID,)
        if _is_leaf_type(item_type, self.registry, skip_classes=skip) or _is_optional_leaf_type(
            item_type, self.registry, skip_classes=skip
        ):
            # Copied, as Strawberry does: graphql-core shares a default value between
            # requests, so a change to it would leak into the next ones.
            def copy_list(value: Any) -> Any:
                if value is None or value is UNSET:
                    return value
                return list(value)

            return copy_list
        item = self.converter(item_type)

        def convert_list(value: Any) -> Any:
            if value is None or value is UNSET:
                return value
            return [item(element) for element in value]

        return convert_list

    def object(self, type_: Any) -> Converter:
        known = self.objects.get(type_)
        if known is not None:
            return known
        definition = type_.__strawberry_definition__
        if definition.from_input is not None:
            raise _Generic
        # As Strawberry: an input's fields without a default are None unless given.
        defaults: dict[str, Any] = {}
        if definition.is_input:
            defaults = {
                field.python_name: None
                for field in definition.fields
                if field.default_value is MISSING and field.default_factory is MISSING
            }
        fields: list[tuple[str, str, Converter]] = []

        def convert_object(value: Any) -> Any:
            if value is None or value is UNSET:
                return value
            kwargs = dict(defaults)
            for name, python_name, convert in fields:
                if name in value:
                    kwargs[python_name] = convert(value[name])
            return type_(**kwargs)

        self.objects[type_] = convert_object
        for field in definition.fields:
            convert = self.converter(field.resolve_type(type_definition=definition))
            fields.append(
                (self.config.name_converter.from_field(field), field.python_name, convert)
            )
        return convert_object


def _same(value: Any) -> Any:
    return value
