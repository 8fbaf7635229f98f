"""Compiled execution against graphql-core on generated documents (hypothesis-graphql).

Documents are generated from the served schema: any root field, nested selections,
inline fragments on the `Node` interface, aliases, and arguments of every kind (many of
them refused by the resolvers, so errors are compared too). Those the document limits or
the cost limit would refuse are left out, as the server would never run them.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from graphql import IntValueNode, StringValueNode, get_operation_ast
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
# Arguments of any value: most documents meet an error (a refused ID or page size).
WILD = queries(GRAPHQL, custom_scalars={"DateTime": DATE_TIMES})


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
        },
    )


LIMITS = Limits()
# Far below the server's cost limit: generated documents nest lists freely, and a
# thousand-node answer compares no better than a small one.
MAX_COST = 300
CHECKS = DocumentChecks(GRAPHQL, LIMITS)
COSTS = CostModel(GRAPHQL)


@pytest.mark.parametrize("data_set", DATA_SETS)
@pytest.mark.parametrize("kind", ["wild", "grounded"])
def test_generated_documents_match_graphql_core(data_set: str, kind: str) -> None:
    graph = loaded(data_set)[0]
    documents = WILD if kind == "wild" else grounded(graph)
    sizes = data_list_sizes(graph)

    @settings(
        max_examples=60,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(documents)
    def check(text: str) -> None:
        checked = CHECKS.check(text)
        assume(checked.document is not None and not checked.errors)
        assert checked.document is not None
        operation = get_operation_ast(checked.document)
        assert operation is not None
        cost, _ = COSTS.cost(checked.document, operation, None, sizes)
        assume(cost <= MAX_COST)
        assert_same(GRAPHQL, {"graph": graph}, text)

    check()
