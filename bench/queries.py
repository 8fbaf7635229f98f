"""The benchmark's five query shapes (issue 5) and the variables each takes from a corpus."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from graph.model import ContentGraph

Q1 = """query Q1($url: String!) {
  article(url: $url) {
    id title publishedDateTime provider { name domain } topics { name }
    images { url width height }
  }
}"""

Q2 = """query Q2($domain: String!) {
  provider(domain: $domain) {
    name
    articles(first: 50) {
      totalCount
      edges {
        cursor
        node {
          title publishedDateTime quality
          related { title url provider { name domain } }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}"""

Q3 = """query Q3($topic: String!) {
  articles(
    first: 100
    filter: { topics: [$topic], minQuality: 60 }
    orderBy: { field: QUALITY, direction: DESC }
  ) {
    totalCount
    nodes { id title quality provider { domain } }
  }
}"""

Q4 = """query Q4($words: String!) {
  search(query: $words, first: 20) { totalCount nodes { title url } }
}"""

Q5 = """query Q5($topic: String!) {
  topic(name: $topic) {
    name
    relatedTopics(first: 5) { count topic { name } }
    articles(first: 20) {
      nodes {
        title
        related { title relatedFrom(first: 5) { totalCount nodes { title } } }
      }
    }
  }
}"""


@dataclass(frozen=True)
class Picks:
    """Values taken from the corpus itself, so every query finds real data."""

    url: str
    domain: str
    topic: str
    words: str


@dataclass(frozen=True)
class Query:
    name: str
    document: str
    variables: dict[str, Any]

    def body(self) -> dict[str, Any]:
        return {"query": self.document, "variables": self.variables, "operationName": self.name}


def pick(graph: ContentGraph, words: str | None = None) -> Picks:
    """The biggest provider, the commonest topic, the article with most related links
    (among those with a record), and two words of a real title.

    `words` keeps the words picked on another corpus (when a title here has both), so
    that search is compared on the same words across sizes.
    """
    provider = max(graph.providers, key=lambda p: (len(p.articles), p.domain))
    topic = max(graph.topics, key=lambda t: (len(t.articles), t.slug))
    article = max(
        (a for a in graph.articles if a.has_record),
        key=lambda a: (len(a.related), len(a.images), -a.index),
    )
    if words is None or not _in_a_title(graph, words):
        words = _two_words(graph)
    return Picks(article.url, provider.domain, topic.name, words)


def queries(picks: Picks) -> list[Query]:
    return [
        Query("Q1", Q1, {"url": picks.url}),
        Query("Q2", Q2, {"domain": picks.domain}),
        Query("Q3", Q3, {"topic": picks.topic}),
        Query("Q4", Q4, {"words": picks.words}),
        Query("Q5", Q5, {"topic": picks.topic}),
    ]


def _in_a_title(graph: ContentGraph, words: str) -> bool:
    wanted = set(words.lower().split())
    return any(wanted <= set(re.findall(r"[a-z]+", a.title.lower())) for a in graph.articles)


def _two_words(graph: ContentGraph) -> str:
    for article in graph.articles:
        found = list(dict.fromkeys(re.findall(r"[A-Za-z]{4,}", article.title)))
        if len(found) >= 2:
            return f"{found[0]} {found[1]}"
    raise ValueError("no title in the corpus has two words of four letters or more")
