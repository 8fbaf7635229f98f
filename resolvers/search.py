"""Full-text search over titles and excerpts, best match first.

Matching follows SEMANTICS.md: every query word must be a word of the title or excerpt,
or the start of one. The score of a matching article is the sum, over the distinct
query words, of a title part and an excerpt part:

    score = sum over words of ( title(word) + excerpt(word) )
    title(word)   = 3 if the title has the word itself,
                    else 2 if a title word starts with it, else 0
    excerpt(word) = 1 if the excerpt has the word itself,
                    else 0.5 if an excerpt word starts with it, else 0

So a title match always outweighs an excerpt match, and an exact word outweighs a
prefix in the same place. Equal scores keep the default article order
(`publishedDateTime` descending, undated last, then URL). A query without words matches
every article, with score 0.

Cursors are keyset cursors on (score, publishedDateTime, URL). An article's score
depends on its own title and excerpt and the query only, so it is the same in the next
load for every article that did not change: paging on across a reload neither skips
nor repeats those. An article whose text changed moves to its new place.
"""

from __future__ import annotations

from collections.abc import Collection
from itertools import repeat

from graph.model import Article, ContentGraph, WordIndex
from resolvers.articles import ArticleFilter, select_articles
from resolvers.ordering import default_order_key, iso_moment
from resolvers.pagination import Connection, Keyset, PageRequest, paginate
from resolvers.text import query_words, words_starting_with

TITLE_EXACT, TITLE_PREFIX = 3.0, 2.0
EXCERPT_EXACT, EXCERPT_PREFIX = 1.0, 0.5


def search_scores(
    graph: ContentGraph, query: str, conditions: ArticleFilter | None = None
) -> list[tuple[int, float]]:
    """(article index, score) of every match, best first, ties in default order."""
    query = query_words(query)
    if not query:
        return [(index, 0.0) for index in select_articles(graph, None, conditions)]
    # Everything is set operations, which run in C: which articles have every word,
    # then those articles grouped by score, each group in default order.
    found: list[tuple[Collection[int], set[int], Collection[int], set[int]]] = []
    candidates: set[int] | None = None
    for word in query:
        # After the first word, only the articles that have all the words before matter.
        title_exact, title_any = _matches(graph.title_words, word, candidates)
        excerpt_exact, excerpt_any = _matches(graph.excerpt_words, word, candidates)
        candidates = title_any | excerpt_any
        if not candidates:
            return []
        found.append((title_exact, title_any, excerpt_exact, excerpt_any))
    assert candidates is not None
    if conditions is not None:
        candidates = set(select_articles(graph, sorted(candidates), conditions))
    groups: dict[float, set[int]] = {0.0: candidates}
    for title_exact, title_any, excerpt_exact, excerpt_any in found:
        groups = _regrouped(groups, title_exact, title_any, TITLE_EXACT, TITLE_PREFIX)
        groups = _regrouped(groups, excerpt_exact, excerpt_any, EXCERPT_EXACT, EXCERPT_PREFIX)
    ranked: list[tuple[int, float]] = []
    for score in sorted(groups, reverse=True):
        ranked.extend(zip(sorted(groups[score]), repeat(score)))
    return ranked


def _regrouped(
    groups: dict[float, set[int]],
    exact: Collection[int],
    having: set[int],
    exact_weight: float,
    prefix_weight: float,
) -> dict[float, set[int]]:
    """Each group split by what one word index says of one query word (the word itself,
    a word it starts, neither), its weight added to the group's score."""
    regrouped: dict[float, set[int]] = {}
    for score, members in groups.items():
        with_exact = members.intersection(exact)
        with_prefix = members.intersection(having)
        with_prefix -= with_exact
        for part, weight in (
            (with_exact, exact_weight),
            (with_prefix, prefix_weight),
            (members - having, 0.0),
        ):
            if part:
                total = score + weight
                if total in regrouped:
                    regrouped[total] |= part
                else:
                    regrouped[total] = part
    return regrouped


def search(
    graph: ContentGraph,
    query: str,
    request: PageRequest,
    conditions: ArticleFilter | None = None,
) -> Connection[Article]:
    """One page of the articles matching `query` (and `conditions`), best match first."""
    ranked = search_scores(graph, query, conditions)
    return paginate(ranked, request, lambda pair: graph.articles[pair[0]], _keyset(graph))


def _keyset(graph: ContentGraph) -> Keyset[tuple[int, float]]:
    articles = graph.articles

    def values(pair: tuple[int, float]) -> tuple[object, ...]:
        article = articles[pair[0]]
        moment = article.published_at
        return (pair[1], None if moment is None else iso_moment(moment), article.url)

    def key(values: tuple[object, ...]) -> tuple[object, ...]:
        score = values[0]
        if not isinstance(score, int | float):
            raise TypeError("expected a score")
        return (-score, *default_order_key(values[1:]))

    return Keyset("search", values, key)


def _matches(
    index: WordIndex, word: str, within: set[int] | None
) -> tuple[frozenset[int] | set[int], set[int]]:
    """The articles (of `within`, when given) whose text in one word index has `word`
    itself, and those with `word` or a word it starts."""
    found = list(words_starting_with(index, word))
    if len(found) == 1:
        # The usual case: one word of the vocabulary, so one set serves as both.
        postings = index.postings[found[0]]
        having = set(postings) if within is None else within.intersection(postings)
        return (having if found[0] == word else _NONE), having
    exact: frozenset[int] | set[int] = _NONE
    having = set()
    for vocabulary_word in found:
        postings = index.postings[vocabulary_word]
        matched = set(postings) if within is None else within.intersection(postings)
        if vocabulary_word == word:
            exact = matched
        having |= matched
    return exact, having


_NONE: frozenset[int] = frozenset()
