"""Word-prefix lookups in the title and excerpt word indexes.

A text matches a query when every query word is a word of the title or excerpt, or the
start of one (SEMANTICS.md). The vocabularies are sorted, so the words starting with a
prefix are one contiguous slice, found by bisection.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Sequence

from graph.identity import words
from graph.model import ContentGraph, WordIndex


def query_words(text: str | None) -> list[str]:
    """The distinct words of a query, in order of first appearance."""
    return list(dict.fromkeys(words(text)))


def words_starting_with(index: WordIndex, prefix: str) -> Sequence[str]:
    vocabulary = index.vocabulary
    # Every word starting with `prefix` sorts before `prefix` followed by the last code
    # point, which no word holds (it is not a `\w` character).
    start = bisect_left(vocabulary, prefix)
    return vocabulary[start : bisect_left(vocabulary, prefix + _LAST, start)]


_LAST = chr(0x10FFFF)


def union(lists: Sequence[Sequence[int]]) -> Sequence[int]:
    """The sorted union of sorted index lists (the one list itself when there is one)."""
    if not lists:
        return array("I")
    if len(lists) == 1:
        return lists[0]
    return sorted(set().union(*lists))


def matching_articles(graph: ContentGraph, word: str) -> Sequence[int]:
    """Indexes (ascending) of the articles whose title or excerpt has `word` or a word it starts."""
    lists = [
        index.postings[found]
        for index in (graph.title_words, graph.excerpt_words)
        for found in words_starting_with(index, word)
    ]
    return union(lists)
