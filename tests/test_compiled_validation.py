"""Validating with the rules a document needs finds exactly what every rule finds.

`validation_rules.rules_for` leaves out the rules that cannot report anything on a
document (no directives, no fragments, one operation, no subscription); validation with
and without them must give the same errors in the same order, on valid documents, on
generated invalid ones, and on documents written to break each left-out rule.
"""

from __future__ import annotations

import pytest
from graphql import parse, validate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries

from content_graph.limits import DocumentChecks
from content_graph.settings import Limits
from content_graph.validation_rules import rules_for
from tests.test_compiled import GRAPHQL
from tests.test_compiled_generated import representations

RULES = DocumentChecks(GRAPHQL, Limits()).rules


def assert_same_errors(text: str) -> None:
    document = parse(text)
    every = [error.formatted for error in validate(GRAPHQL, document, RULES)]
    needed = [error.formatted for error in validate(GRAPHQL, document, rules_for(document, RULES))]
    assert needed == every


BROKEN = [
    "{ stats { articles @unknown } }",
    "{ stats { articles @skip(if: true) @skip(if: false) } }",
    "query($n: Int @deprecated) { stats { articles } }",
    "query A { stats { articles } } query A { stats { topics } }",
    "{ stats { articles } } query B { stats { topics } }",
    "{ stats { ...F } }",
    "{ stats { ...F } } fragment F on GraphStats { ...G } fragment G on GraphStats { ...F }",
    "{ stats { articles } } fragment F on GraphStats { articles }",
    "fragment F on GraphStats { articles } fragment F on GraphStats { topics } { stats { ...F } }",
    "{ stats { ... on Article { title } } }",
    "{ stats { articles { ... on Int { x } } } }",
    "{ stats { ... on GraphStats { articles } } }",
    "subscription { a: __typename b: __typename }",
    "subscription S { __typename } subscription S { __typename }",
    "{ articles(first: 1) @stream(initialCount: 1) { totalCount } }",
    "{ stats { articles } }",
    "type T { a: Int } { stats { articles } }",
]


@pytest.mark.parametrize("text", BROKEN)
def test_each_left_out_rule_is_silent_where_left_out(text: str) -> None:
    assert_same_errors(text)


def test_plain_documents_need_fewer_rules() -> None:
    # Without this the comparisons above would pass with every rule kept.
    plain = rules_for(parse("query Q($d: String!) { provider(domain: $d) { name } }"), RULES)
    assert len(plain) == len(RULES) - 15
    fragments = parse("{ stats { ...F } } fragment F on GraphStats { articles }")
    assert rules_for(fragments, RULES) == tuple(RULES)


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
def test_generated_documents_get_the_same_errors(mode: Mode) -> None:
    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(queries(GRAPHQL, mode=mode, custom_scalars={"_Any": representations(st.text())}))
    def check(text: str) -> None:
        assert_same_errors(text)

    check()
