"""Variables of the usual operation coerced without graphql-core's generic walk.

graphql-core's `get_variable_values` rebuilds each variable's signature from its
definition (a type lookup through the AST) and coerces every value through its generic
input coercion, on every request: about an eighth of a small repeated query's CPU. Most
operations declare only built-in scalars without defaults (`$url: String!`,
`$first: Int`). For those, `simple_variables` keeps the signatures once per operation,
and `SimpleVariables.coerce` checks each value's type directly: the same
`VariableValues` as graphql-core's, sources included.

A value that is not plainly valid (another type, an Int out of range, a float that
is not finite, a required variable missing or null), or an operation declaring
anything else (input objects, lists, enums, other scalars, defaults), is answered None:
graphql-core's `get_variable_values` then coerces it or writes the errors, as before.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    GraphQLBoolean,
    GraphQLError,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLNonNull,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
)
from graphql.execution.get_variable_signature import (
    GraphQLVariableSignature,
    get_variable_signature,
)
from graphql.execution.values import VariableValues, VariableValueSource
from graphql.type import GraphQLString


def _string(value: Any) -> Any:
    return value if type(value) is str else Undefined


def _int(value: Any) -> Any:
    # bool is an int subclass, refused by the `type` check as graphql-core refuses it.
    if type(value) is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
        return value
    return Undefined


def _float(value: Any) -> Any:
    return value if type(value) is float and math.isfinite(value) else Undefined


def _boolean(value: Any) -> Any:
    return value if type(value) is bool else Undefined


# What each built-in scalar accepts as it is: the values graphql-core's `parse_value`
# returns unchanged. Anything else (an ID given as a number, an Int as 5.0) is its.
_PLAIN: dict[Any, Callable[[Any], Any]] = {
    GraphQLString: _string,
    GraphQLID: _string,
    GraphQLInt: _int,
    GraphQLFloat: _float,
    GraphQLBoolean: _boolean,
}

Variable = tuple[str, GraphQLVariableSignature, bool, Callable[[Any], Any]]


class SimpleVariables:
    """The variables of one operation that declares only built-in scalars."""

    __slots__ = ("variables",)

    def __init__(self, variables: tuple[Variable, ...]) -> None:
        self.variables = variables

    def coerce(self, inputs: Mapping[str, Any] | None) -> VariableValues | None:
        """graphql-core's coerced values for `inputs`; None when they are not plainly
        valid (graphql-core then coerces them, or says what is wrong)."""
        sources: dict[str, VariableValueSource] = {}
        coerced: dict[str, Any] = {}
        for name, signature, required, plain in self.variables:
            value = Undefined if inputs is None else inputs.get(name, Undefined)
            if value is Undefined:
                if required:
                    return None
                sources[name] = VariableValueSource(signature)
                continue  # a nullable variable not given is left out, as graphql-core does
            sources[name] = VariableValueSource(signature, value)
            if value is None:
                if required:
                    return None
                coerced[name] = None
                continue
            value = plain(value)
            if value is Undefined:
                return None
            coerced[name] = value
        return VariableValues(sources, coerced)


def simple_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode
) -> SimpleVariables | None:
    """The operation's variables when each is a built-in scalar without a default."""
    variables: list[Variable] = []
    for definition in operation.variable_definitions or ():
        if definition.default_value is not None or definition.directives:
            return None
        signature = get_variable_signature(schema, definition)
        if isinstance(signature, GraphQLError):
            return None
        variable_type = signature.type
        required = isinstance(variable_type, GraphQLNonNull)
        named = variable_type.of_type if required else variable_type  # type: ignore[union-attr]
        plain = _PLAIN.get(named)
        # The schema's own scalar of that name, not a custom one that shadows it.
        if plain is None or schema.get_type(named.name) is not named:
            return None
        variables.append((signature.name, signature, required, plain))
    return SimpleVariables(tuple(variables))
