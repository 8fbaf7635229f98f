"""argument_values gives graphql-core's argument values, and its errors, for every form.

For fields of the served schema with required arguments, defaults, lists and input
objects, each argument is given as a literal, as a variable (declared with and without
a default, nullable or not), inside a literal (`filter: {topics: [$t]}`), or not at all;
the variables come from hypothesis (valid, null, missing, wrong), coerced as graphql-core
coerces them. `argument_values(...)(variables)` must equal `get_argument_values(...)`, or
raise the same error when it raises.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import FieldNode, GraphQLError, OperationDefinitionNode, parse
from graphql.execution.values import get_argument_values, get_variable_values
from hypothesis import given, settings
from hypothesis import strategies as st

from content_graph.argument_values import argument_values
from schema import schema

GRAPHQL = schema._schema  # type: ignore[attr-defined]

# (operation, the type whose field the first selection is): every argument form.
OPERATIONS = [
    ("query Q($url: String!) { article(url: $url) { id } }", "Query"),
    ("query Q($url: String) { article(url: $url) { id } }", "Query"),
    ("query Q($q: String) { search(query: $q) { totalCount } }", "Query"),
    ('query Q { article(url: "https://example.com/a") { id } }', "Query"),
    ("query Q($q: String!, $n: Int) { search(query: $q, first: $n) { totalCount } }", "Query"),
    ('query Q($n: Int = 3) { search(query: "x", first: $n) { totalCount } }', "Query"),
    ('query Q($hops: Int) { path(from: "a", to: "b", maxHops: $hops) { length } }', "Query"),
    ('query Q($hops: Int!) { path(from: "a", to: "b", maxHops: $hops) { length } }', "Query"),
    ('query Q { path(from: "a", to: "b") { length } }', "Query"),
    ('query Q { path(from: "a", to: "b", maxHops: null) { length } }', "Query"),
    ("query Q($t: String) { articles(filter: {topics: [$t]}) { totalCount } }", "Query"),
    ("query Q($t: [String!]) { articles(filter: {topics: $t}) { totalCount } }", "Query"),
    (
        "query Q($t: String!, $q: Int) { articles(first: 5, "
        "filter: {topics: [$t], minQuality: $q}, orderBy: {field: QUALITY, direction: DESC})"
        " { totalCount } }",
        "Query",
    ),
    ("query Q($f: ArticleFilter) { articles(filter: $f) { totalCount } }", "Query"),
    ("query Q($ids: [ID!]!) { nodes(ids: $ids) { id } }", "Query"),
    ('query Q($id: ID!) { nodes(ids: [$id, "x"]) { id } }', "Query"),
    ('query Q($n: Int) { topic(name: "x") { relatedTopics(first: $n) { count } } }', "Query"),
]

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-5, max_value=2**33)
    | st.text(max_size=4)
    | st.sampled_from(["QUALITY", "DESC", "science"]),
    lambda children: (
        st.lists(children, max_size=2)
        | st.dictionaries(st.sampled_from(["topics", "minQuality", "x"]), children, max_size=2)
    ),
    max_leaves=4,
)


def first_field(text: str) -> tuple[OperationDefinitionNode, FieldNode]:
    [operation] = parse(text).definitions
    assert isinstance(operation, OperationDefinitionNode)
    field = operation.selection_set.selections[0]
    assert isinstance(field, FieldNode)
    return operation, field


def outcome(function: Any) -> tuple[str, Any]:
    try:
        return "value", function()
    except GraphQLError as error:
        return "error", error.message


@pytest.mark.parametrize(("text", "parent"), OPERATIONS)
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_same_values_and_errors_as_graphql_core(text: str, parent: str, data: Any) -> None:
    operation, node = first_field(text)
    # Values for the operation's own variables, each one given or left out.
    names = [definition.variable.name.value for definition in operation.variable_definitions or ()]
    inputs = data.draw(st.dictionaries(st.sampled_from(names), JSON) if names else st.just({}))
    definition = GRAPHQL.get_type(parent).fields[node.name.value]
    variables = get_variable_values(GRAPHQL, operation.variable_definitions or (), inputs)
    if isinstance(variables, list):
        return  # graphql-core refuses the request before any argument is read
    values = argument_values(definition, node)
    expected = outcome(lambda: get_argument_values(definition, node, variables))
    assert outcome(lambda: values(variables)) == expected


def test_the_cases_the_comparison_must_meet() -> None:
    """A default used for a variable left out, a null passed on, and the error for a null
    given to a non-null argument: the comparison above is not all declines."""
    operation, node = first_field(
        'query Q($hops: Int) { path(from: "a", to: "b", maxHops: $hops) { length } }'
    )
    definition = GRAPHQL.query_type.fields["path"]
    values = argument_values(definition, node)
    left_out = get_variable_values(GRAPHQL, operation.variable_definitions, {})
    assert values(left_out) == {"from": "a", "to": "b", "maxHops": 6}
    given_null = get_variable_values(GRAPHQL, operation.variable_definitions, {"hops": None})
    assert values(given_null) == {"from": "a", "to": "b", "maxHops": None}

    # Validation refuses this document; execution must still not pass the null on.
    operation, node = first_field("query Q($q: String) { search(query: $q) { totalCount } }")
    definition = GRAPHQL.query_type.fields["search"]
    null_query = get_variable_values(GRAPHQL, operation.variable_definitions, {"q": None})
    with pytest.raises(GraphQLError) as raised:
        argument_values(definition, node)(null_query)
    assert raised.value.message.startswith("Argument 'query' has invalid value")
