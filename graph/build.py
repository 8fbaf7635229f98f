"""Merging read files into one `ContentGraph` (SEMANTICS.md "Merging" and "Edges").

The builder is the only place that knows the merge rules: last record wins, a record
beats a related link, the first link wins among links, taxonomy names win over the
names written in records, most frequent spelling otherwise.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, insort
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter

from graph.files import FileResult, Problem
from graph.identity import slugify, words
from graph.model import Article, ContentGraph, Image, Provider, Stats, Topic, WordIndex
from graph.records import OrganizationEntry, Record, TopicEntry


@dataclass(frozen=True, slots=True)
class MergeCounts:
    unpublished: int
    duplicates: tuple[Problem, ...]


def build_graph(
    results: Sequence[FileResult],
    *,
    version: str,
    loaded_at: datetime,
    word_sets: WordSets | None = None,
) -> tuple[ContentGraph, MergeCounts]:
    """The graph of the loaded files in `results`, which must be in path order.

    `word_sets` (kept by a server between reloads, graph/reload.py) holds the distinct
    words of each title and excerpt of the last build; it is updated to this build's.
    """
    served: dict[str, tuple[Record, str]] = {}
    organizations: dict[str, OrganizationEntry] = {}
    topic_entries: dict[str, TopicEntry] = {}
    duplicates: list[Problem] = []
    unpublished = 0
    for result in results:
        value = result.value
        if result.status != "loaded" or value is None:
            continue
        if isinstance(value, OrganizationEntry):
            organizations[value.domain] = value
        elif isinstance(value, TopicEntry):
            topic_entries[value.slug] = value
        elif not value.published:
            # Unpublished records take no part in merging at all.
            unpublished += 1
        else:
            earlier = served.pop(value.url, None)
            if earlier is not None:
                duplicates.append(
                    Problem(
                        result.path,
                        None,
                        f"same article as {earlier[1]} ({value.url}); this later record wins",
                        "warning",
                    )
                )
            # Re-inserting moves the winner to its own file position in the dict's order.
            served[value.url] = (value, result.path)

    articles: dict[str, Article] = {}
    sources: list[Record] = []
    shared: dict[object, object] = {}
    for record, _ in served.values():
        articles[record.url] = _article(record, has_record=True, shared=shared)
        sources.append(record)
    for record, _ in served.values():
        for link in record.related:
            if link.url not in articles:
                articles[link.url] = _article(link, has_record=False, shared=shared)
                sources.append(link)

    providers = _providers(articles.values(), sources, organizations)
    topics = _topics(articles, served.values(), topic_entries)
    for record, _ in served.values():
        articles[record.url].related = tuple(articles[link.url] for link in record.related)

    ordered = _in_default_order(articles.values())
    for index, article in enumerate(ordered):
        article.index = index
    provider_list = sorted(providers.values(), key=lambda provider: provider.domain)
    topic_list = sorted(topics.values(), key=lambda topic: topic.slug)
    _index_lists(ordered, provider_list, topic_list)

    related_links = sum(len(article.related) for article in ordered)
    found: dict[str, tuple[str, ...]] = {}
    content = ContentGraph(
        articles=tuple(ordered),
        providers=tuple(provider_list),
        topics=tuple(topic_list),
        by_url={article.url: article for article in ordered},
        by_domain={provider.domain: provider for provider in provider_list},
        by_slug={topic.slug: topic for topic in topic_list},
        title_words=_word_index("title", [article.title for article in ordered], word_sets, found),
        excerpt_words=_word_index(
            "excerpt", [article.excerpt for article in ordered], word_sets, found
        ),
        stats=Stats(
            articles=len(ordered),
            articles_with_record=len(served),
            providers=len(provider_list),
            topics=len(topic_list),
            related_links=related_links,
            files_loaded=sum(1 for r in results if r.kind == "record" and r.status == "loaded"),
            files_skipped=sum(1 for r in results if r.status == "skipped"),
            loaded_at=loaded_at,
            version=version,
        ),
    )
    if word_sets is not None:
        word_sets.by_text = found  # only this build's texts, so it never grows stale
    return content, MergeCounts(unpublished=unpublished, duplicates=tuple(duplicates))


def _article(record: Record, *, has_record: bool, shared: dict[object, object]) -> Article:
    # A URL field equal to the canonical URL, and the few distinct types and categories,
    # point at one shared object instead of a copy each.
    url = record.url
    return Article(
        url=url,
        title=record.title,
        excerpt=record.excerpt,
        published_at=record.published_at,
        web_url=url if record.web_url == url else record.web_url,
        amp_web_url=record.amp_web_url,
        cdn_amp_web_url=record.cdn_amp_web_url,
        original_url=url if record.original_url == url else record.original_url,
        type=shared.setdefault(record.type, record.type),  # type: ignore[arg-type]
        category=shared.setdefault(record.category, record.category),  # type: ignore[arg-type]
        quality=record.quality,
        heat=record.heat,
        featured_content=record.featured_content,
        has_record=has_record,
        images=record.images,
    )


def _providers(
    articles: Iterable[Article],
    sources: Sequence[Record],
    organizations: dict[str, OrganizationEntry],
) -> dict[str, Provider]:
    """Providers of the served articles; `sources[i]` is the record kept for article i."""
    names: dict[str, Counter[str]] = defaultdict(Counter)
    images: dict[str, tuple[Image, ...]] = {}
    members: dict[str, list[Article]] = defaultdict(list)
    for article, source in zip(articles, sources, strict=True):
        ref = source.provider
        if ref is None:
            continue
        members[ref.domain].append(article)
        if ref.name:
            names[ref.domain][ref.name] += 1
        if ref.images and ref.domain not in images:
            images[ref.domain] = ref.images
    providers = {}
    for domain, published in members.items():
        entry = organizations.get(domain)
        name = (entry.name if entry else None) or _most_frequent(names[domain]) or domain
        provider_images = entry.images if entry and entry.images else images.get(domain, ())
        provider = Provider(domain=domain, name=name, images=provider_images)
        for article in published:
            article.provider = provider
        providers[domain] = provider
    return providers


def _topics(
    articles: dict[str, Article],
    served: Iterable[tuple[Record, str]],
    entries: dict[str, TopicEntry],
) -> dict[str, Topic]:
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    tagged: list[tuple[Article, list[str]]] = []
    for record, _ in served:
        slugs = []
        for name in record.topics:
            slug = slugify(name)
            spellings[slug][name] += 1
            slugs.append(slug)
        tagged.append((articles[record.url], slugs))
    topics = {}
    for slug, counts in spellings.items():
        entry = entries.get(slug)
        if entry is not None:
            topics[slug] = Topic(
                slug=slug, name=entry.name, keywords=entry.keywords, hashtags=entry.hashtags
            )
        else:
            topics[slug] = Topic(slug=slug, name=_most_frequent(counts) or slug)
    for article, slugs in tagged:
        article.topics = tuple(topics[slug] for slug in slugs)
    return topics


def _most_frequent(counts: Counter[str]) -> str | None:
    """The most frequent value; ties go to the one that sorts first."""
    if not counts:
        return None
    return min(counts.items(), key=lambda item: (-item[1], item[0]))[0]


def _in_default_order(articles: Iterable[Article]) -> list[Article]:
    """publishedDateTime descending, undated last, ties by URL ascending.

    Two stable sorts on attributes, both run in C: by URL, then the dated ones by time
    (a reversed sort keeps equal elements in their order, so ties stay by URL).
    """
    by_url = sorted(articles, key=attrgetter("url"))
    dated = [article for article in by_url if article.published_at is not None]
    dated.sort(key=attrgetter("published_at"), reverse=True)
    return dated + [article for article in by_url if article.published_at is None]


def _index_lists(
    articles: Sequence[Article], providers: Sequence[Provider], topics: Sequence[Topic]
) -> None:
    for index, provider in enumerate(providers):
        provider.index = index
        provider.articles = array("I")
    for index, topic in enumerate(topics):
        topic.index = index
        topic.articles = array("I")
    incoming: dict[int, array] = {}
    # Walking articles in default order appends indexes in ascending order.
    for article in articles:
        if article.provider is not None:
            article.provider.articles.append(article.index)
        for topic in article.topics:
            topic.articles.append(article.index)
        for target in article.related:
            incoming.setdefault(target.index, array("I")).append(article.index)
    for index, sources in incoming.items():
        articles[index].related_from = sources


@dataclass(slots=True)
class WordSets:
    """The distinct words of each text of the last build, in `set` order: splitting
    every title and excerpt into words is most of a word index's time. `spellings`
    keeps one string per word, so the kept tuples do not hold a copy per text.

    `last` keeps, per field ("title", "excerpt"), the last build's texts in default
    order and the word index made of them: a build whose texts are the same but in a
    few places (an edit that leaves the order as it was, a taxonomy change) patches that
    index instead of making it again, a second at 100k records.
    """

    by_text: dict[str, tuple[str, ...]] = field(default_factory=dict)
    spellings: dict[str, str] = field(default_factory=dict)
    last: dict[str, tuple[list[str | None], WordIndex]] = field(default_factory=dict)


# More changed texts than this, and the word index is made again rather than patched.
PATCH_LIMIT = 64


def _word_index(
    name: str, texts: list[str | None], word_sets: WordSets | None, found: dict
) -> WordIndex:
    known = word_sets.by_text if word_sets is not None else {}

    def distinct_words(text: str) -> tuple[str, ...]:
        distinct = known.get(text)
        if distinct is None:
            distinct = tuple(set(words(text)))
            if word_sets is not None:
                spell = word_sets.spellings.setdefault
                distinct = tuple(spell(word, word) for word in distinct)
        return distinct

    last = word_sets.last.get(name) if word_sets is not None else None
    index = None if last is None else _patched(texts, *last, distinct_words)
    if index is None:
        index = _made(texts, distinct_words, found if word_sets is not None else None)
    elif word_sets is not None:
        for text in texts:
            if text:
                found[text] = distinct_words(text)
    if word_sets is not None:
        word_sets.last[name] = (texts, index)
    return index


def _made(
    texts: list[str | None],
    distinct_words: Callable[[str], tuple[str, ...]],
    found: dict | None,
) -> WordIndex:
    postings: dict[str, array] = {}
    for index, text in enumerate(texts):
        if not text:
            continue
        distinct = distinct_words(text)
        if found is not None:
            found[text] = distinct
        for word in distinct:
            posting = postings.get(word)
            if posting is None:
                postings[word] = posting = array("I")
            posting.append(index)
    return WordIndex(postings=postings, vocabulary=tuple(sorted(postings)))


def _patched(
    texts: list[str | None],
    old_texts: list[str | None],
    old: WordIndex,
    distinct_words: Callable[[str], tuple[str, ...]],
) -> WordIndex | None:
    """`old` (the index of `old_texts`) made into the index of `texts`, when they differ
    only at a few positions; None otherwise. The postings left as they were are shared
    with `old` (a graph never changes them); the others are copies."""
    if len(texts) != len(old_texts):
        return None  # a text added or removed moves every later index
    changed = [
        position
        for position, (text, old_text) in enumerate(zip(texts, old_texts, strict=True))
        if text is not old_text and text != old_text
    ]
    if not changed:
        return old
    if len(changed) > PATCH_LIMIT:
        return None
    postings = dict(old.postings)
    copied: set[str] = set()

    def writable(word: str) -> array:
        if word not in copied:
            copied.add(word)
            postings[word] = array("I", postings.get(word, ()))
        return postings[word]

    for position in changed:
        before = set(distinct_words(old_texts[position] or ""))
        after = set(distinct_words(texts[position] or ""))
        for word in before - after:
            posting = writable(word)
            posting.pop(bisect_left(posting, position))
        for word in after - before:
            insort(writable(word), position)
    for word in copied:
        if not postings[word]:
            del postings[word]
    if postings.keys() == old.postings.keys():
        vocabulary = old.vocabulary
    else:
        vocabulary = tuple(sorted(postings))
    return WordIndex(postings=postings, vocabulary=vocabulary)
