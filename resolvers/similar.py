"""Articles that the content graph ties to a given one, best first.

The score of another article `b` for an article `a`:

    score(b) = 3 * [a lists b as related] + 3 * [b lists a as related]
             + 1 * (number of topics a and b share)
             + 0.5 * [a and b have the same provider]

An explicit related link says the most, a shared topic less, a shared publisher least.
The article itself is never listed, nor an article with score 0, so an article with no
ties gets an empty list. Equal scores keep the default article order.
"""

from __future__ import annotations

import heapq
from collections import Counter
from typing import NamedTuple

from graph.model import Article, ContentGraph
from resolvers.pagination import check_page_size

RELATED_LINK = 3.0
SHARED_TOPIC = 1.0
SAME_PROVIDER = 0.5


class ScoredArticle(NamedTuple):
    score: float
    article: Article


def similar_articles(graph: ContentGraph, article: Article, first: int = 5) -> list[ScoredArticle]:
    """The `first` best-scored articles (0..100), best first."""
    check_page_size("first", first)
    shared_topics: Counter[int] = Counter()
    for topic in article.topics:
        shared_topics.update(topic.articles)
    scores = {index: count * SHARED_TOPIC for index, count in shared_topics.items()}
    for linked in article.related:
        scores[linked.index] = scores.get(linked.index, 0.0) + RELATED_LINK
    for index in article.related_from:
        scores[index] = scores.get(index, 0.0) + RELATED_LINK
    provider = article.provider
    if provider is not None:
        articles = graph.articles
        for index in scores:
            if articles[index].provider is provider:
                scores[index] += SAME_PROVIDER
    scores.pop(article.index, None)
    ranked = heapq.nsmallest(first, scores.items(), key=lambda pair: (-pair[1], pair[0]))
    if provider is not None and len(ranked) < first:
        # Articles tied only by their provider all score the same and rank below any
        # other tie, so the first few in default order are enough.
        for index in provider.articles:
            if len(ranked) >= first:
                break
            if index != article.index and index not in scores:
                ranked.append((index, SAME_PROVIDER))
    return [ScoredArticle(float(score), graph.articles[index]) for index, score in ranked]
