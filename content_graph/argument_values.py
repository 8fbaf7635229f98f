"""A field's argument values, worked out once per field of a plan instead of per call.

graphql-core's `get_argument_values` walks a field's argument definitions and nodes on
every call: it maps the nodes by name, asks for each whether it is a variable, whether
the argument is required, and coerces the literal through its generic input coercion.
Most arguments of a repeated operation are the same every time (a literal, a default)
or one variable read as it is (`article(url: $url)`). `argument_values` decides per
argument once, so a call copies the fixed values and reads the variables:

- an argument not given, or given as a literal without variables: its value, coerced
  once by graphql-core, kept;
- an argument given as a variable: the variable's coerced value, or, when the request
  left the variable out, what graphql-core does then (the default, or no value);
- a literal with variables inside (`filter: {topics: [$topic]}`): graphql-core's
  `coerce_input_literal` on every call.

Whatever is not plainly valid (a null for a non-null argument, a required variable
left out, a literal that does not coerce) goes to `get_argument_values` itself, which
raises the error it always has. Fragment variables are left to it altogether.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    ListValueNode,
    ObjectValueNode,
    Undefined,
    ValueNode,
    VariableNode,
    is_non_null_type,
    is_required_argument,
)
from graphql.execution.values import (
    FragmentVariableValues,
    VariableValues,
    coerce_argument,
    get_argument_values,
)
from graphql.utilities.coerce_input_value import coerce_input_literal

ArgumentValues = Callable[[VariableValues], dict[str, Any]]

# What to do for one argument, in the definition's order (as graphql-core fills the dict).
_FIXED, _VARIABLE, _LITERAL = 0, 1, 2


def argument_values(
    definition: GraphQLField,
    node: FieldNode,
    fragment_variables: FragmentVariableValues | None = None,
) -> ArgumentValues:
    """`get_argument_values(definition, node, variables, fragment_variables)` as a
    function of the variables, with the same result and the same errors."""

    def generic(variables: VariableValues) -> dict[str, Any]:
        return get_argument_values(definition, node, variables, fragment_variables)

    if fragment_variables is not None:
        return generic
    given = {argument.name.value: argument for argument in node.arguments or ()}
    steps: list[tuple[int, str, Any, Any]] = []
    for name, argument in definition.args.items():
        out_name = argument.out_name or name
        argument_node = given.get(name)
        value_node = None if argument_node is None else argument_node.value
        if isinstance(value_node, VariableNode):
            # The value when the variable is left out: graphql-core's, or an error.
            absent: dict[str, Any] = {}
            if not is_required_argument(argument):
                try:
                    coerce_argument(absent, node, name, argument, None, None, None)
                except Exception:
                    return generic
            missing = absent.get(out_name, Undefined)
            non_null = is_non_null_type(argument.type)
            steps.append((_VARIABLE, out_name, value_node.name.value, (non_null, missing)))
        elif value_node is not None and has_variable(value_node):
            steps.append((_LITERAL, out_name, value_node, argument.type))
        else:
            fixed: dict[str, Any] = {}
            try:
                coerce_argument(fixed, node, name, argument, argument_node, None, None)
            except Exception:
                return generic
            if out_name in fixed:
                steps.append((_FIXED, out_name, fixed[out_name], None))

    def values(variables: VariableValues) -> dict[str, Any]:
        coerced = variables.coerced
        result: dict[str, Any] = {}
        for kind, out_name, data, extra in steps:
            if kind == _FIXED:
                result[out_name] = data
            elif kind == _VARIABLE:
                value = coerced.get(data, Undefined)
                if value is Undefined:
                    if data in coerced:
                        return generic(variables)
                    non_null, missing = extra
                    if missing is Undefined:
                        if non_null:
                            return generic(variables)  # a required variable left out
                        continue
                    value = missing
                elif value is None and extra[0]:
                    return generic(variables)  # null for a non-null argument
                result[out_name] = value
            else:
                value = coerce_input_literal(data, extra, variables)
                if value is Undefined:
                    return generic(variables)
                result[out_name] = value
        return result

    return values


def has_variable(value: ValueNode) -> bool:
    """Whether a value node is a variable or holds one."""
    if isinstance(value, VariableNode):
        return True
    if isinstance(value, ListValueNode):
        return any(map(has_variable, value.values))
    if isinstance(value, ObjectValueNode):
        return any(has_variable(field.value) for field in value.fields)
    return False
