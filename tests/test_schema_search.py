"""`search` and `Article.similar` against scores computed here from the records.

The formulas are the documented ones (resolvers/search.py, resolvers/similar.py),
recomputed from the YAML with nothing but the rules written in those docstrings.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pyroaring import FrozenBitMap

from graph import ContentGraph, load
from resolvers import search as search_module
from tests.records import DATA_SETS, ArticleRecord, Records, word_list
from tests.schema_cases import loaded, run


@pytest.fixture(scope="module", params=DATA_SETS)
def case(request: pytest.FixtureRequest) -> tuple[ContentGraph, Records]:
    return loaded(request.param)


def part(words: list[str], query_word: str, exact: float, prefix: float) -> float:
    if query_word in words:
        return exact
    return prefix if any(w.startswith(query_word) for w in words) else 0.0


def search_score(article: ArticleRecord, query: str) -> float | None:
    """The documented score, or None when the article does not match."""
    title, excerpt = word_list(article.title), word_list(article.excerpt)
    total = 0.0
    for word in dict.fromkeys(word_list(query)):
        title_part = part(title, word, 3.0, 2.0)
        excerpt_part = part(excerpt, word, 1.0, 0.5)
        if not title_part and not excerpt_part:
            return None
        total += title_part + excerpt_part
    return total


def expected_search(expected: Records, query: str, keep: Any = None) -> list[str]:
    position = {url: i for i, url in enumerate(expected.ordered)}
    scored = [
        (score, url)
        for url, article in expected.articles.items()
        if (score := search_score(article, query)) is not None and (keep is None or keep(article))
    ]
    scored.sort(key=lambda pair: (-pair[0], position[pair[1]]))
    return [url for _, url in scored]


SEARCH = """query($q: String!, $after: String, $filter: ArticleFilter) {
  search(query: $q, first: 100, after: $after, filter: $filter) {
    totalCount nodes { url } pageInfo { hasNextPage endCursor } } }"""


def searched(graph: ContentGraph, query: str, conditions: Any = None) -> list[str]:
    urls: list[str] = []
    after = None
    while True:
        data = run(graph, SEARCH, q=query, after=after, filter=conditions)["search"]
        urls += [node["url"] for node in data["nodes"]]
        if not data["pageInfo"]["hasNextPage"]:
            assert data["totalCount"] == len(urls)
            return urls
        after = data["pageInfo"]["endCursor"]


def queries(expected: Records) -> list[str]:
    """Queries built from the records: whole title words, prefixes, excerpt words, mixes."""
    articles = [expected.articles[url] for url in expected.ordered]
    out = ["zzqqxx", "   "]
    for article in articles[:: max(1, len(articles) // 12)]:
        title = [w for w in word_list(article.title) if len(w) > 3]
        excerpt = [w for w in word_list(article.excerpt) if len(w) > 3]
        if title:
            out.append(title[0])
            out.append(title[-1][:3].upper())
        if excerpt:
            out.append(excerpt[0][:4])
        if title and excerpt:
            out.append(f"{title[0]} {excerpt[-1]}")
    return out


def test_search_matches_and_ranks(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    for query in queries(expected):
        want = expected_search(expected, query)
        assert searched(graph, query) == want, query


@pytest.mark.parametrize("few", [0, 10**9])
def test_search_ranks_alike_one_by_one_and_by_bitmap_groups(
    case: tuple[ContentGraph, Records], few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A few matches are scored one by one, more by splitting bitmaps (resolvers/search.py):
    each way alone, for every query, gives the documented ranking."""
    monkeypatch.setattr(search_module, "FEW", few)
    graph, expected = case
    for query in queries(expected):
        assert searched(graph, query) == expected_search(expected, query), query


@pytest.mark.parametrize("bounds", [(1, 10**9), (10**6, 0), (3, 50)])
def test_search_ranks_alike_when_words_are_forgotten(
    case: tuple[ContentGraph, Records], bounds: tuple[int, int]
) -> None:
    """A word searched again is read from the words remembered (resolvers/search.py);
    with them bounded to nothing or next to nothing, every query ranks the same."""
    graph, expected = case
    remembered = search_module.RememberedWords(*bounds)
    graph.caches[search_module._REMEMBERED] = remembered
    try:
        for query in queries(expected) * 2:  # twice: remembered, or forgotten by now
            assert searched(graph, query) == expected_search(expected, query), query
            assert len(remembered) <= bounds[0] and remembered.size <= bounds[1]
    finally:
        del graph.caches[search_module._REMEMBERED]


def test_remembered_words_forget_the_oldest_past_either_bound() -> None:
    empty = FrozenBitMap()

    def matches(size: int) -> search_module.WordMatches:
        return search_module.WordMatches(empty, empty, empty, empty, empty, size)

    remembered = search_module.RememberedWords(max_words=3, max_size=100)
    for word, size in (("a", 10), ("b", 20), ("c", 30)):
        remembered.add(word, matches(size))
    assert (len(remembered), remembered.size) == (3, 60)
    remembered.add("d", matches(5))  # one word too many: "a" goes
    assert remembered.get("a") is None and remembered.get("d") is not None
    assert (len(remembered), remembered.size) == (3, 55)
    remembered.add("e", matches(70))  # over the size: "b" and "c" go
    assert [w for w in "abcde" if remembered.get(w)] == ["d", "e"]
    assert remembered.size == 75
    remembered.add("f", matches(101))  # alone over the bound: never kept, nothing lost
    assert remembered.get("f") is None and remembered.size == 75 and len(remembered) == 2
    again = matches(5)
    assert remembered.add("d", again) is again and remembered.size == 75  # counted once


def test_search_with_filter(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    for query in queries(expected)[2:8]:
        want = expected_search(expected, query, lambda a: a.has_record)
        assert searched(graph, query, {"hasRecord": True}) == want, query


def similar_score(expected: Records, a: ArticleRecord, b: ArticleRecord) -> float:
    score = 3.0 * (b.url in a.related) + 3.0 * (a.url in b.related)
    score += 1.0 * len(set(a.topics) & set(b.topics))
    if a.provider is not None and a.provider == b.provider:
        score += 0.5
    return score


def test_similar(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    position = {url: i for i, url in enumerate(expected.ordered)}
    query = """query($url: String, $n: Int) { article(url: $url) {
        similar(first: $n) { score article { url } } five: similar { score } } }"""
    for url in expected.ordered[:: max(1, len(expected.ordered) // 25)]:
        article = expected.articles[url]
        scored = [
            (score, other.url)
            for other in expected.articles.values()
            if other.url != url and (score := similar_score(expected, article, other)) > 0
        ]
        scored.sort(key=lambda pair: (-pair[0], position[pair[1]]))
        data = run(graph, query, url=url, n=12)["article"]
        assert [(s["score"], s["article"]["url"]) for s in data["similar"]] == scored[:12]
        assert len(data["five"]) == min(5, len(scored))


RECORD = """---
title: "{title}"
webUrl: "https://{domain}/{slug}"
publishedDateTime: 2021-0{month}-01T10:00:00Z
provider:
  name: {domain}
  domain: {domain}
topics:
  - {topic}
---
"""


def test_article_without_ties_has_no_similar(tmp_path: Path) -> None:
    news = tmp_path / "_news"
    news.mkdir()
    for month, (domain, topic) in enumerate([("a.example", "Alpha"), ("b.example", "Beta")], 1):
        (news / f"{month}.md").write_text(
            RECORD.format(
                title=f"Story {month}", domain=domain, slug=month, month=month, topic=topic
            )
        )
    graph = load(tmp_path).graph
    query = "query($u: String) { article(url: $u) { similar { score } } }"
    assert run(graph, query, u="https://a.example/1")["article"]["similar"] == []
    # One shared topic is a tie.
    (news / "3.md").write_text(
        RECORD.format(title="Story 3", domain="c.example", slug=3, month=3, topic="alpha")
    )
    graph = load(tmp_path).graph
    assert run(graph, query, u="https://a.example/1")["article"]["similar"] == [{"score": 1.0}]


def test_search_pages_backwards(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    query = next(q for q in queries(expected) if len(expected_search(expected, q)) > 3)
    urls: list[str] = []
    before = None
    while True:
        data = run(
            graph,
            """query($q: String!, $before: String) { search(query: $q, last: 3, before: $before)
               { nodes { url } pageInfo { hasPreviousPage startCursor } } }""",
            q=query,
            before=before,
        )["search"]
        urls = [node["url"] for node in data["nodes"]] + urls
        if not data["pageInfo"]["hasPreviousPage"]:
            break
        before = data["pageInfo"]["startCursor"]
    assert urls == expected_search(expected, query)
