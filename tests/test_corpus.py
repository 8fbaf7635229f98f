"""The real corpus (`../shared/corpus`): every folder loads, with the counts of EXPECTED.json."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from graph import LoadResult, load
from graph.identity import canonical_url
from tests.writing import CORPUS

EXPECTED_FILE = CORPUS / "EXPECTED.json"
EXPECTED: dict[str, dict[str, Any]] = (
    json.loads(EXPECTED_FILE.read_text()) if EXPECTED_FILE.is_file() else {}
)
FOLDERS = sorted(EXPECTED) or ["(none)"]


@pytest.fixture(scope="module", params=FOLDERS)
def corpus_load(request: pytest.FixtureRequest) -> tuple[str, LoadResult]:
    if not EXPECTED_FILE.is_file():
        pytest.skip(f"{EXPECTED_FILE} is absent: the shared corpus lives beside the repository")
    folder = CORPUS / request.param
    return request.param, load(folder, use_cache=False)


def test_counts_match_expected(corpus_load: tuple[str, LoadResult]) -> None:
    name, result = corpus_load
    stats, report = result.graph.stats, result.report
    found = {
        "articles": stats.articles,
        "articlesWithRecord": stats.articles_with_record,
        "providers": stats.providers,
        "topics": stats.topics,
        "relatedLinks": stats.related_links,
        "filesLoaded": report.files_loaded,
        "filesSkipped": report.files_skipped,
        "unpublished": report.unpublished,
        "duplicates": report.duplicates,
        "skippedFiles": sorted(problem.path for problem in report.errors),
    }
    expected = dict(EXPECTED[name])
    expected["skippedFiles"] = sorted(expected["skippedFiles"])
    assert found == {key: expected[key] for key in found}
    assert set(expected) <= set(found), "EXPECTED.json names a count this test does not check"


def test_stats_agree_with_the_graph(corpus_load: tuple[str, LoadResult]) -> None:
    _, result = corpus_load
    graph = result.graph
    assert graph.stats.articles == len(graph.articles) == len(graph.by_url)
    assert graph.stats.providers == len(graph.providers) == len(graph.by_domain)
    assert graph.stats.topics == len(graph.topics) == len(graph.by_slug)
    assert graph.stats.articles_with_record == sum(a.has_record for a in graph.articles)
    assert graph.stats.related_links == sum(len(a.related) for a in graph.articles)


def front_matter(path: Path) -> Any:
    text = path.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return None
    for end in range(1, len(lines)):
        if lines[end].rstrip() == "---":
            return yaml.safe_load("\n".join(lines[1:end]))
    return None


def test_every_published_record_is_served(corpus_load: tuple[str, LoadResult]) -> None:
    name, result = corpus_load
    folder = CORPUS / name
    published = set()
    for path in sorted((folder / "_news").glob("*.md")):
        fields = front_matter(path)
        if not isinstance(fields, dict) or fields.get("published") is False:
            continue
        url = canonical_url(fields.get("webUrl")) or canonical_url(fields.get("originalUrl"))
        if url and fields.get("title"):
            published.add(url)
    served = {a.url for a in result.graph.articles if a.has_record}
    assert published == served


def test_word_indexes_list_every_article_with_the_word(
    corpus_load: tuple[str, LoadResult],
) -> None:
    _, result = corpus_load
    graph = result.graph
    for index, field in ((graph.title_words, "title"), (graph.excerpt_words, "excerpt")):
        expected: dict[str, list[int]] = {}
        for article in graph.articles:
            text = getattr(article, field) or ""
            for word in sorted({w.lower() for w in re.findall(r"\w+", text)}):
                expected.setdefault(word, []).append(article.index)
        assert {word: list(found) for word, found in index.postings.items()} == expected
        assert list(index.vocabulary) == sorted(expected)
