"""compiled_variables coerces plain variables exactly as graphql-core does, or declines.

For operations declaring built-in scalars (required or not) and for inputs drawn by
hypothesis from every JSON shape (the right type, the wrong one, out-of-range ints,
floats that are not finite, nulls, missing values, extra names), `SimpleVariables.coerce`
must answer None or graphql-core's own `VariableValues` (the coerced values and their
sources); where graphql-core finds an error, it must answer None. Plainly valid inputs
must be accepted, so the comparison cannot pass by declining everything; and operations
declaring anything else are left to graphql-core entirely.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import GRAPHQL_MAX_INT as MAX_INT
from graphql import OperationDefinitionNode, parse
from graphql.execution.values import VariableValues, get_variable_values
from hypothesis import given
from hypothesis import strategies as st

from content_graph.compiled_variables import simple_variables
from schema import schema

GRAPHQL = schema._schema  # type: ignore[attr-defined]
NAMES = ("s", "i", "f", "b", "d")
DECLARED = "$s: String{0}, $i: Int{0}, $f: Float{0}, $b: Boolean{0}, $d: ID{0}"
USE = "{ stats { articles } }"


def operation(text: str) -> OperationDefinitionNode:
    [definition] = parse(text).definitions
    assert isinstance(definition, OperationDefinitionNode)
    return definition


OPTIONAL = operation(f"query Q({DECLARED.format('')}) {USE}")
REQUIRED = operation(f"query Q({DECLARED.format('!')}) {USE}")

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**40), max_value=2**40)
    | st.sampled_from([MAX_INT, MAX_INT + 1, -MAX_INT - 1, -MAX_INT - 2, 0])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=5),
    lambda children: (
        st.lists(children, max_size=2) | st.dictionaries(st.text(max_size=2), children, max_size=2)
    ),
    max_leaves=4,
)
INPUTS = st.dictionaries(st.sampled_from([*NAMES, "extra"]), JSON) | st.none()


def described(values: VariableValues) -> tuple[dict[str, Any], dict[str, Any]]:
    """The values and their sources; a signature's type by name, as graphql-core makes a
    new wrapper (`String!`) for each signature it builds."""
    sources = {
        name: (*source.signature._replace(type=str(source.signature.type)), source.value)
        for name, source in values.sources.items()
    }
    return values.coerced, sources


def both(definition: OperationDefinitionNode, inputs: dict[str, Any] | None) -> tuple[Any, Any]:
    """The fast coercion's answer and graphql-core's (its values, or its errors)."""
    simple = simple_variables(GRAPHQL, definition)
    assert simple is not None
    definitions = definition.variable_definitions or ()
    return simple.coerce(inputs), get_variable_values(GRAPHQL, definitions, dict(inputs or {}))


@pytest.mark.parametrize("definition", [OPTIONAL, REQUIRED], ids=["optional", "required"])
@given(inputs=INPUTS)
def test_it_answers_as_graphql_core_or_declines(
    definition: OperationDefinitionNode, inputs: dict[str, Any] | None
) -> None:
    fast, expected = both(definition, inputs)
    if not isinstance(expected, VariableValues):
        assert fast is None, (inputs, expected)
    elif fast is not None:
        assert described(fast) == described(expected)


@pytest.mark.parametrize(
    ("definition", "inputs"),
    [
        (REQUIRED, {"s": "text", "i": 7, "f": 1.5, "b": False, "d": "QXJ0aWNsZTox"}),
        (REQUIRED, {"s": "", "i": -(2**31), "f": -0.0, "b": True, "d": "1", "extra": [1]}),
        (OPTIONAL, {}),
        (OPTIONAL, None),
        (OPTIONAL, {"s": None, "i": None, "f": None, "b": None, "d": None}),
        (OPTIONAL, {"i": MAX_INT, "b": True}),
        (operation("query Q { stats { articles } }"), {"unused": 1}),
    ],
)
def test_plain_values_are_coerced_here(
    definition: OperationDefinitionNode, inputs: dict[str, Any] | None
) -> None:
    fast, expected = both(definition, inputs)
    assert isinstance(expected, VariableValues)
    assert fast is not None and described(fast) == described(expected)


@pytest.mark.parametrize(
    "declared",
    [
        '$s: String = "x"',  # a default
        "$t: [String!]",  # a list
        "$o: ArticleOrder",  # an input object
        "$w: DateTime",  # a custom scalar
        "$n: Nope",  # an unknown type, which validation refuses first
    ],
)
def test_other_declarations_are_left_to_graphql_core(declared: str) -> None:
    assert simple_variables(GRAPHQL, operation(f"query Q({declared}) {USE}")) is None
