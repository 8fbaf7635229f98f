"""The benchmark's parts on data/: its five queries, and the graphql-core baseline giving
the very same answers as content-graph (else the comparison would be moot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import graphql_sync

from bench import queries as shapes
from bench.baseline_graphqlcore import build
from graph import load
from graph.model import ContentGraph
from schema import execute_sync, schema

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ContentGraph:
    return load(DATA, cache_dir=tmp_path_factory.mktemp("cache")).graph


@pytest.fixture(scope="module")
def benchmark_queries(graph: ContentGraph) -> list[shapes.Query]:
    return shapes.queries(shapes.pick(graph))


def test_the_picks_are_what_the_issue_asks_for(graph: ContentGraph) -> None:
    picks = shapes.pick(graph)
    provider = graph.by_domain[picks.domain]
    assert len(provider.articles) == max(len(p.articles) for p in graph.providers)
    topic = next(t for t in graph.topics if t.name == picks.topic)
    assert len(topic.articles) == max(len(t.articles) for t in graph.topics)
    article = graph.by_url[picks.url]
    assert article.has_record and article.related
    first, second = picks.words.split()
    assert any(
        first in a.title and second in a.title and len(first) >= 4 and len(second) >= 4
        for a in graph.articles
    )


def test_every_query_answers_with_data_and_no_errors(
    graph: ContentGraph, benchmark_queries: list[shapes.Query]
) -> None:
    for query in benchmark_queries:
        result = execute_sync(graph, query.document, query.variables, query.name)
        assert not result.errors, (query.name, result.errors)
        assert result.data and all(value is not None for value in result.data.values())


def test_the_baseline_answers_exactly_as_content_graph(
    graph: ContentGraph, benchmark_queries: list[shapes.Query]
) -> None:
    baseline = build(schema.as_str())
    for query in benchmark_queries:
        ours = execute_sync(graph, query.document, query.variables, query.name)
        theirs: Any = graphql_sync(
            baseline,
            query.document,
            variable_values=query.variables,
            operation_name=query.name,
            context_value={"graph": graph},
        )
        assert not theirs.errors, (query.name, theirs.errors)
        assert theirs.data == ours.data, query.name
