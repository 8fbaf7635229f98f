"""The range index: one topic or provider, a threshold on quality or heat, by that field
descending. Its answers must equal a plain filter and sort over every article."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import load
from graph.model import Article, ContentGraph
from resolvers import articles
from resolvers.ordering import ArticleOrder, ArticleOrderField, OrderDirection
from resolvers.pagination import page_request

DATA = Path(__file__).resolve().parents[1] / "data"
FIELDS = {ArticleOrderField.QUALITY: "quality", ArticleOrderField.HEAT: "heat"}


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ContentGraph:
    return load(DATA, cache_dir=tmp_path_factory.mktemp("cache")).graph


def expected(
    graph: ContentGraph, belongs: list[Article], attribute: str, threshold: int
) -> list[str]:
    matches = [
        a
        for a in belongs
        if getattr(a, attribute) is not None and getattr(a, attribute) >= threshold
    ]
    # Largest first; ties by URL ascending (SEMANTICS.md's order rules).
    matches.sort(key=lambda a: a.url)
    matches.sort(key=lambda a: getattr(a, attribute), reverse=True)
    return [a.url for a in matches]


@pytest.mark.parametrize("field", list(FIELDS), ids=lambda f: f.value)
def test_one_topic_at_a_threshold(graph: ContentGraph, field: ArticleOrderField) -> None:
    attribute = FIELDS[field]
    order = ArticleOrder(field, OrderDirection.DESC)
    values = sorted({getattr(a, attribute) for a in graph.articles} - {None})
    assert values, f"data/ has no {attribute} to test with"
    thresholds = [values[0] - 1, values[0], values[len(values) // 2], values[-1], values[-1] + 1]
    checked = 0
    for topic in graph.topics:
        tagged = [a for a in graph.articles if topic in a.topics]
        for threshold in thresholds:
            name = {ArticleOrderField.QUALITY: "min_quality", ArticleOrderField.HEAT: "min_heat"}[
                field
            ]
            conditions = articles.ArticleFilter(topics=[topic.name], **{name: threshold})
            want = expected(graph, tagged, attribute, threshold)
            connection = articles.list_articles(
                graph, page_request(100, None, None, None), None, conditions, order
            )
            assert connection.total_count == len(want), (topic.slug, threshold)
            assert [a.url for a in connection.nodes] == want[:100], (topic.slug, threshold)
            checked += 1
    assert checked
    # Answered by the range index, not by the general filter that it must agree with.
    assert f"range:topic:{field.value}" in graph.caches


def test_one_provider_and_pages_after_the_first(graph: ContentGraph) -> None:
    order = ArticleOrder(ArticleOrderField.QUALITY, OrderDirection.DESC)
    provider = max(graph.providers, key=lambda p: len(p.articles))
    published = [a for a in graph.articles if a.provider is provider]
    threshold = sorted(a.quality for a in published if a.quality is not None)[0]
    want = expected(graph, published, "quality", threshold)
    conditions = articles.ArticleFilter(
        providers=[f"WWW.{provider.domain.upper()}"], min_quality=threshold
    )
    first = articles.list_articles(
        graph, page_request(2, None, None, None), None, conditions, order
    )
    after = first.end_cursor
    assert after is not None
    rest = articles.list_articles(
        graph, page_request(100, after, None, None), None, conditions, order
    )
    assert [a.url for a in [*first.nodes, *rest.nodes]] == want[:102]
    assert first.total_count == len(want)
    assert "range:provider:QUALITY" in graph.caches
