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

The matches are found and ranked with Roaring bitmaps (pyroaring): each word of the
vocabulary gets its postings as a bitmap on its first search, kept with the graph; the
articles with every query word are an intersection of unions, and they are ranked by
splitting them into groups of equal score, each group iterated in index order, which is
the default order: no Python code runs per match but to pair it with its score. Up to
`FEW` matches are scored one by one instead, which costs less than splitting bitmaps.
The bitmaps of the words searched lately (a query word's prefix matches, their unions)
are remembered too, bounded (`RememberedWords`): a word searched again costs a lookup.

Cursors are keyset cursors on (score, publishedDateTime, URL). An article's score
depends on its own title and excerpt and the query only, so it is the same in the next
load for every article that did not change: paging on across a reload neither skips
nor repeats those. An article whose text changed moves to its new place.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from threading import Lock

from pyroaring import BitMap, FrozenBitMap

from graph.model import Article, ContentGraph, WordIndex
from resolvers.articles import ArticleFilter, select_articles
from resolvers.ordering import default_order_key, iso_moment
from resolvers.pagination import Connection, Keyset, PageRequest, paginate
from resolvers.text import query_words, words_starting_with

TITLE_EXACT, TITLE_PREFIX = 3.0, 2.0
EXCERPT_EXACT, EXCERPT_PREFIX = 1.0, 0.5
# Up to this many matches are scored one by one, more by splitting bitmaps by score.
FEW = 32
# The bounds of the words searched lately whose matches are kept (`RememberedWords`):
# about 4 MB of bitmaps at most (a Roaring bitmap stores an article number in 2 bytes
# or less), and the small objects of 10,000 words.
MAX_REMEMBERED_WORDS = 10_000
MAX_REMEMBERED_SIZE = 2_000_000


def search_scores(
    graph: ContentGraph, query: str, conditions: ArticleFilter | None = None
) -> list[tuple[int, float]]:
    """(article index, score) of every match, best first, ties in default order."""
    query = query_words(query)
    if not query:
        return [(index, 0.0) for index in select_articles(graph, None, conditions)]
    # Everything is bitmap operations, which run in C: which articles have every word,
    # then those articles grouped by score, each group in default (index) order.
    found: list[WordMatches] = []
    candidates: BitMap | None = None
    remembered = _remembered(graph)
    for word in query:
        matches = remembered.get(word) or remembered.add(word, _word_matches(graph, word))
        having = matches.having
        candidates = having if candidates is None else candidates & having
        if not candidates:
            return []
        found.append(matches)
    assert candidates is not None
    if conditions is not None:
        candidates = BitMap(select_articles(graph, list(candidates), conditions))
    if len(candidates) <= FEW:
        # A few matches are scored one by one: cheaper than splitting bitmaps.
        scored = [(index, _score(index, found)) for index in candidates]
        scored.sort(key=lambda pair: -pair[1])  # stable: ties stay in default order
        return scored
    groups: dict[float, BitMap] = {0.0: candidates}
    for matches in found:
        groups = _regrouped(
            groups, matches.title_exact, matches.title_any, TITLE_EXACT, TITLE_PREFIX
        )
        groups = _regrouped(
            groups, matches.excerpt_exact, matches.excerpt_any, EXCERPT_EXACT, EXCERPT_PREFIX
        )
    ranked: list[tuple[int, float]] = []
    for score in sorted(groups, reverse=True):
        # A bitmap iterates in ascending order: the default order.
        ranked.extend(zip(groups[score], repeat(score)))
    return ranked


def _score(index: int, found: list[WordMatches]) -> float:
    score = 0.0
    for matches in found:
        if index in matches.title_exact:
            score += TITLE_EXACT
        elif index in matches.title_any:
            score += TITLE_PREFIX
        if index in matches.excerpt_exact:
            score += EXCERPT_EXACT
        elif index in matches.excerpt_any:
            score += EXCERPT_PREFIX
    return score


def _regrouped(
    groups: dict[float, BitMap],
    exact: BitMap,
    having: BitMap,
    exact_weight: float,
    prefix_weight: float,
) -> dict[float, BitMap]:
    """Each group split by what one word index says of one query word (the word itself,
    a word it starts, neither), its weight added to the group's score."""
    regrouped: dict[float, BitMap] = {}
    for score, members in groups.items():
        with_exact = members & exact
        for part, weight in (
            (with_exact, exact_weight),
            ((members & having) - with_exact, prefix_weight),
            (members - having, 0.0),
        ):
            if part:
                total = score + weight
                known = regrouped.get(total)
                regrouped[total] = part if known is None else known | part
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
    """The cursors' keyset, made once per graph."""
    keyset = graph.caches.get(_KEYSET)
    if keyset is None:
        keyset = graph.caches[_KEYSET] = _made_keyset(graph)
    return keyset  # type: ignore[return-value]


def _made_keyset(graph: ContentGraph) -> Keyset[tuple[int, float]]:
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


@dataclass(frozen=True, slots=True)
class WordMatches:
    """The articles one query word matches, as bitmaps: in titles with the word itself,
    with it or a word it starts; the same in excerpts; and in either."""

    title_exact: FrozenBitMap
    title_any: FrozenBitMap
    excerpt_exact: FrozenBitMap
    excerpt_any: FrozenBitMap
    having: FrozenBitMap
    # Article numbers in the bitmaps made for this word alone (not a word's own postings).
    size: int


def _word_matches(graph: ContentGraph, word: str) -> WordMatches:
    title_exact, title_any, title_made = _matches(graph, _TITLE_BITMAPS, graph.title_words, word)
    excerpt_exact, excerpt_any, excerpt_made = _matches(
        graph, _EXCERPT_BITMAPS, graph.excerpt_words, word
    )
    having = title_any | excerpt_any
    size = len(having) + (len(title_any) if title_made else 0)
    size += len(excerpt_any) if excerpt_made else 0
    return WordMatches(title_exact, title_any, excerpt_exact, excerpt_any, having, size)


def _matches(
    graph: ContentGraph, key: str, index: WordIndex, word: str
) -> tuple[FrozenBitMap, FrozenBitMap, bool]:
    """The articles whose text in one word index has `word` itself, those with `word` or
    a word it starts, and whether the latter is a union made for this word."""
    found = words_starting_with(index, word)
    if not found:
        return _NONE, _NONE, False
    table = _bitmaps(graph, key)
    maps = [table.get(each) or _bitmap(table, index, each) for each in found]
    having = maps[0] if len(maps) == 1 else FrozenBitMap.union(*maps)
    exact = maps[0] if found[0] == word else _NONE  # the word itself sorts first
    return exact, having, len(maps) > 1


class RememberedWords:
    """The matches of the words searched lately, so that a word searched again costs a
    lookup instead of four bisections and up to three unions.

    Bounded twice, the oldest forgotten first: by words, and by the article numbers
    in the bitmaps made for them (a prefix such as "a" unions many posting lists).
    """

    def __init__(self, max_words: int = MAX_REMEMBERED_WORDS, max_size: int = MAX_REMEMBERED_SIZE):
        self.max_words = max_words
        self.max_size = max_size
        self.size = 0
        self._words: dict[str, WordMatches] = {}
        # Searches run on worker threads too: the size must add up.
        self._lock = Lock()

    def get(self, word: str) -> WordMatches | None:
        return self._words.get(word)

    def add(self, word: str, matches: WordMatches) -> WordMatches:
        """Remember `matches` (unless it alone is over the bound); returns it."""
        if matches.size > self.max_size:
            return matches
        with self._lock:
            if word in self._words:
                return matches
            self._words[word] = matches
            self.size += matches.size
            while len(self._words) > self.max_words or self.size > self.max_size:
                oldest = next(iter(self._words))
                self.size -= self._words.pop(oldest).size
        return matches

    def __len__(self) -> int:
        return len(self._words)


def _remembered(graph: ContentGraph) -> RememberedWords:
    remembered = graph.caches.get(_REMEMBERED)
    if remembered is None:
        remembered = graph.caches[_REMEMBERED] = RememberedWords()
    return remembered  # type: ignore[return-value]


def _bitmaps(graph: ContentGraph, key: str) -> dict[str, FrozenBitMap]:
    """The postings of one word index as bitmaps, each made on its word's first search and
    kept with the graph (as its orders are): the vocabulary bounds them, and a posting
    list made into a bitmap costs less than into a set."""
    return graph.caches.setdefault(key, {})  # type: ignore[return-value]


def _bitmap(table: dict[str, FrozenBitMap], index: WordIndex, word: str) -> FrozenBitMap:
    made = table[word] = FrozenBitMap(index.postings[word])
    return made


_NONE = FrozenBitMap()
# The keys in `ContentGraph.caches` of the two word indexes' bitmaps, of the words
# searched lately and of the cursors' keyset.
_TITLE_BITMAPS, _EXCERPT_BITMAPS = "bitmaps:title", "bitmaps:excerpt"
_REMEMBERED, _KEYSET = "search:words", "search:keyset"
