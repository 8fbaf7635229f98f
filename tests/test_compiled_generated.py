"""Compiled execution against graphql-core on generated documents (hypothesis-graphql).

Documents are generated from the served schema: any root field, nested selections,
inline fragments on the `Node` interface, aliases, and arguments of every kind (many of
them refused by the resolvers, so errors are compared too); and the same with `@skip`
and `@include` on some fields, read from a variable. Those the document limits or
the cost limit would refuse are left out, as the server would never run them.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import (
    ArgumentNode,
    DirectiveNode,
    FieldNode,
    IntValueNode,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    get_operation_ast,
    parse,
    print_ast,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import queries

from content_graph.limits import CostModel, DocumentChecks, data_list_sizes
from content_graph.settings import Limits
from graph import ContentGraph
from resolvers.ids import global_id
from tests.schema_cases import loaded
from tests.test_compiled import DATA_SETS, GRAPHQL, assert_same

DATE_TIMES = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
).map(lambda moment: StringValueNode(value=moment.isoformat()))


def representations(values: st.SearchStrategy[str]) -> st.SearchStrategy[ObjectValueNode]:
    """Federation's `_Any`: an entity representation, of a type and key field that may or
    may not exist, so `_entities` meets both answers and per-item errors."""
    typenames = st.sampled_from(["Article", "Provider", "Topic", "Unknown"])
    keys = st.sampled_from(["id", "url", "domain", "slug", "nope"])

    def node(typename: str, key: str, value: str) -> ObjectValueNode:
        return ObjectValueNode(
            fields=(
                ObjectFieldNode(
                    name=NameNode(value="__typename"), value=StringValueNode(value=typename)
                ),
                ObjectFieldNode(name=NameNode(value=key), value=StringValueNode(value=value)),
            )
        )

    return st.builds(node, typenames, keys, values)


# Arguments of any value: most documents meet an error (a refused ID or page size).
WILD = queries(
    GRAPHQL, custom_scalars={"DateTime": DATE_TIMES, "_Any": representations(st.text(max_size=40))}
)


def grounded(graph: ContentGraph) -> st.SearchStrategy[str]:
    """Documents whose arguments are mostly real: IDs, domains, topic names and URLs of
    `graph`, page sizes in range, so that answers nest deep into real data."""
    ids = [global_id(node) for node in (*graph.articles[:20], *graph.providers, *graph.topics)]
    words = [
        *(provider.domain for provider in graph.providers),
        *(topic.name for topic in graph.topics),
        *(article.url for article in graph.articles[:20]),
        *(article.title.split()[0] for article in graph.articles[:20] if article.title),
    ]
    return queries(
        GRAPHQL,
        custom_scalars={
            "DateTime": DATE_TIMES,
            "ID": st.sampled_from(ids).map(lambda value: StringValueNode(value=value)),
            "String": st.sampled_from(words).map(lambda value: StringValueNode(value=value)),
            "Int": st.integers(0, 6).map(lambda value: IntValueNode(value=str(value))),
            "_Any": representations(st.sampled_from([*ids, *words])),
        },
    )


def switched(text: str, mask: int) -> str:
    """The document with `@include(if: $flag)` or `@skip(if: $flag)` on the fields that
    `mask` picks (bit i for the i-th field met), and `$flag: Boolean!` declared."""
    document = parse(text)
    operation = get_operation_ast(document)
    assert operation is not None
    flag = VariableNode(name=NameNode(value="flag"))
    fields = 0

    def switch(selection_set: SelectionSetNode | None) -> SelectionSetNode | None:
        # AST nodes are frozen: the selections are rebuilt with their new directives.
        nonlocal fields
        if selection_set is None:
            return None
        selections = []
        for selection in selection_set.selections:
            changes: dict[str, Any] = {}
            if isinstance(selection, FieldNode):
                if mask >> fields & 1:
                    name = "skip" if mask >> (fields + 16) & 1 else "include"
                    argument = ArgumentNode(name=NameNode(value="if"), value=flag)
                    directive = DirectiveNode(name=NameNode(value=name), arguments=(argument,))
                    changes["directives"] = (*(selection.directives or ()), directive)
                fields += 1
            changes["selection_set"] = switch(selection.selection_set)
            selections.append(replace(selection, **changes))
        return replace(selection_set, selections=tuple(selections))

    boolean = NonNullTypeNode(type=NamedTypeNode(name=NameNode(value="Boolean")))
    operation = replace(
        operation,
        selection_set=switch(operation.selection_set),
        variable_definitions=(
            *(operation.variable_definitions or ()),
            VariableDefinitionNode(variable=flag, type=boolean),
        ),
    )
    document = replace(
        document,
        definitions=tuple(
            operation if isinstance(d, OperationDefinitionNode) else d for d in document.definitions
        ),
    )
    return print_ast(document)


LIMITS = Limits()
# Far below the server's cost limit: generated documents nest lists freely, and a
# thousand-node answer compares no better than a small one.
MAX_COST = 300
CHECKS = DocumentChecks(GRAPHQL, LIMITS)
COSTS = CostModel(GRAPHQL)


@pytest.mark.parametrize("data_set", DATA_SETS)
@pytest.mark.parametrize("kind", ["wild", "grounded", "switched"])
def test_generated_documents_match_graphql_core(data_set: str, kind: str) -> None:
    graph = loaded(data_set)[0]
    documents = WILD if kind == "wild" else grounded(graph)
    if kind == "switched":  # @skip and @include on some fields, the same $flag for all
        documents = st.builds(switched, documents, st.integers(0, 2**32 - 1))
    sizes = data_list_sizes(graph)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(documents, st.booleans())
    def check(text: str, flag: bool) -> None:
        checked = CHECKS.check(text)
        assume(checked.document is not None and not checked.errors)
        assert checked.document is not None
        operation = get_operation_ast(checked.document)
        assert operation is not None
        variables = {"flag": flag} if kind == "switched" else None
        cost, _ = COSTS.cost(checked.document, operation, variables, sizes)
        assume(cost <= MAX_COST)
        assert_same(GRAPHQL, {"graph": graph}, text, variables)

    check()
