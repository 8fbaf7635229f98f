"""Bad input gets a GraphQL error with a clear message: never a traceback, never a crash."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from graph import ContentGraph, load
from schema import execute_sync

RECORD = """---
title: "{title}"
webUrl: "https://example.com/{slug}"
publishedDateTime: 2021-01-0{slug}T10:00:00Z
provider: {{name: Example, domain: example.com}}
topics: [AI]
---
"""


@pytest.fixture(scope="module")
def graph(tmp_path_factory: pytest.TempPathFactory) -> ContentGraph:
    folder = tmp_path_factory.mktemp("data")
    for number in range(1, 4):
        (folder / f"{number}.md").write_text(RECORD.format(title=f"Story {number}", slug=number))
    return load(Path(folder)).graph


ARTICLE_ID = "QXJ0aWNsZTpodHRwczovL2V4YW1wbGUuY29tLzE="  # Article:https://example.com/1
ON_ARTICLE = f'node(id: "{ARTICLE_ID}") {{ ... on Article'

CASES = [
    ("{ articles(first: 101) { totalCount } }", "`first` must be between 0 and 100, got 101"),
    ("{ articles(last: -1) { totalCount } }", "`last` must be between 0 and 100, got -1"),
    ('{ articles(after: "nope") { totalCount } }', "Invalid cursor in `after`"),
    ('{ articles(before: "bm9wZQ==") { totalCount } }', "Invalid cursor in `before`"),
    ('{ search(query: "story", first: 500) { totalCount } }', "between 0 and 100, got 500"),
    ('{ search(query: "story", after: "x") { totalCount } }', "Invalid cursor"),
    ("{ providers(first: 101) { totalCount } }", "between 0 and 100"),
    ('{ topics(after: "x") { totalCount } }', "Invalid cursor"),
    ('{ provider(domain: "example.com") { articles(first: 101) { totalCount } } }', "100"),
    ('{ provider(domain: "example.com") { topics(first: 101) { count } } }', "100"),
    ('{ topic(name: "ai") { relatedTopics(first: -2) { count } } }', "got -2"),
    ('{ topic(name: "ai") { providers(first: 1000) { count } } }', "got 1000"),
    (
        f"{{ {ON_ARTICLE} {{ similar(first: 101) {{ score }} }} }} }}",
        "100",
    ),
    (
        f"{{ {ON_ARTICLE} {{ relatedFrom(last: 101) {{ totalCount }} }} }} }}",
        "`last` must be between 0 and 100",
    ),
    ('{ node(id: "nope") { id } }', "Invalid ID 'nope'"),
    ('{ nodes(ids: ["QXJ0aWNsZQ=="]) { id } }', "Invalid ID"),
    ('{ article(id: "bad") { url } }', "Invalid ID"),
    ("{ article { url } }", "exactly one of `id` or `url`"),
    (f'{{ article(id: "{ARTICLE_ID}", url: "https://example.com/1") {{ url }} }}', "exactly one"),
    (
        f'{{ path(from: "{ARTICLE_ID}", to: "{ARTICLE_ID}", maxHops: 11) {{ id }} }}',
        "`maxHops` must be between 0 and 10, got 11",
    ),
    (f'{{ path(from: "{ARTICLE_ID}", to: "zz") {{ id }} }}', "Invalid ID"),
    (
        '{ articles(filter: {publishedAfter: "yesterday"}) { totalCount } }',
        "'yesterday' is not an ISO-8601 date-time",
    ),
]


@pytest.mark.parametrize(("query", "message"), CASES)
def test_bad_input_is_a_clear_error(
    graph: ContentGraph, query: str, message: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR):
        result = execute_sync(graph, query)
    assert result.errors, query
    assert message in result.errors[0].message
    assert "Traceback" not in result.errors[0].message
    # The client's mistake is answered, not logged as a server failure.
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_bad_variable_names_the_problem(graph: ContentGraph) -> None:
    result = execute_sync(
        graph,
        "query($f: ArticleFilter) { articles(filter: $f) { totalCount } }",
        {"f": {"publishedBefore": "2021-13-45"}},
    )
    assert result.errors
    assert "not an ISO-8601 date-time" in result.errors[0].message


def test_sibling_fields_still_answer(graph: ContentGraph) -> None:
    result = execute_sync(
        graph,
        '{ stats { articles } bad: node(id: "nope") { id } good: topic(name: "AI") { slug } }',
    )
    assert result.data == {"stats": {"articles": 3}, "bad": None, "good": {"slug": "ai"}}
    assert result.errors is not None and [e.path for e in result.errors] == [["bad"]]


def test_dates_serialize_with_offset(graph: ContentGraph) -> None:
    result = execute_sync(graph, "{ articles(first: 1) { nodes { publishedDateTime } } }")
    assert result.data == {
        "articles": {"nodes": [{"publishedDateTime": "2021-01-03T10:00:00+00:00"}]}
    }


def test_a_failure_of_ours_is_logged(graph: ContentGraph, caplog: pytest.LogCaptureFixture) -> None:
    broken = type(graph)(**{**graph.__dict__, "stats": None, "caches": {}})
    with caplog.at_level(logging.ERROR):
        result = execute_sync(broken, "{ stats { articles } }")
    assert result.errors is not None
    assert [r.name for r in caplog.records] == ["strawberry.execution"]
