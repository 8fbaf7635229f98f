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

from collections.abc import Sequence

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
    scores: dict[int, float] | None = None
    for word in query:
        weights = _weights(graph.title_words, word, TITLE_EXACT, TITLE_PREFIX)
        for index, weight in _weights(
            graph.excerpt_words, word, EXCERPT_EXACT, EXCERPT_PREFIX
        ).items():
            weights[index] = weights.get(index, 0.0) + weight
        if scores is None:
            scores = weights
        else:
            scores = {
                index: score + weights[index] for index, score in scores.items() if index in weights
            }
        if not scores:
            return []
    assert scores is not None
    matches: Sequence[int] = sorted(scores)
    if conditions is not None:
        matches = select_articles(graph, matches, conditions)
    ranked = [(index, scores[index]) for index in matches]
    ranked.sort(key=lambda pair: (-pair[1], pair[0]))
    return ranked


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


def _weights(index: WordIndex, word: str, exact: float, prefix: float) -> dict[int, float]:
    """Article index → weight of its best match for `word` in one word index."""
    weights: dict[int, float] = {}
    for found in words_starting_with(index, word):
        if found == word:
            # The exact word wins over any prefix match of the same article.
            weights.update(dict.fromkeys(index.postings[found], exact))
        else:
            for article in index.postings[found]:
                weights.setdefault(article, prefix)
    return weights
