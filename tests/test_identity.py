"""SEMANTICS.md "Identity": canonical article URLs, provider domains, topic slugs, words.

Each table row is one rule of the contract; the loader tests at the end check that the
same identities decide which records are one article, provider or topic.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graph import load
from graph.identity import canonical_url, normalize_domain, slugify, words
from tests.writing import provider, record, write_md

CANONICAL_URLS = [
    # surrounding white space
    (" https://qz.com/a ", "https://qz.com/a"),
    ("\t\nhttps://qz.com/a\r\n", "https://qz.com/a"),
    # scheme and host lower-cased, the path is not
    ("HTTPS://QZ.COM/A/B.html", "https://qz.com/A/B.html"),
    ("HtTp://Example.ORG/Path/To", "http://example.org/Path/To"),
    # default ports, each only for its own scheme
    ("https://qz.com:443/a", "https://qz.com/a"),
    ("http://qz.com:80/a", "http://qz.com/a"),
    ("http://qz.com:443/a", "http://qz.com:443/a"),
    ("https://qz.com:80/a", "https://qz.com:80/a"),
    ("https://qz.com:8443/a", "https://qz.com:8443/a"),
    ("http://[::1]:80/a", "http://[::1]/a"),
    ("HTTPS://Qz.COM:443/", "https://qz.com/"),
    # fragment
    ("https://qz.com/a#section-2", "https://qz.com/a"),
    ("https://qz.com/a?x=1#frag", "https://qz.com/a?x=1"),
    ("https://qz.com/a#", "https://qz.com/a"),
    ("https://qz.com/a#x?y=1", "https://qz.com/a"),
    # utm_ pieces dropped, the rest byte for byte and in order
    ("https://qz.com/a?utm_source=x", "https://qz.com/a"),
    ("https://qz.com/a?utm_source=x&utm_medium=y&utm_campaign=z", "https://qz.com/a"),
    ("https://qz.com/a?b=2&utm_source=x&a=1", "https://qz.com/a?b=2&a=1"),
    ("https://qz.com/a?utm_source", "https://qz.com/a"),
    ("https://qz.com/a?z=9&utm_=1&y=%2F", "https://qz.com/a?z=9&y=%2F"),
    ("https://qz.com/a?q=a%20b&utm_id=5&Z=%2f", "https://qz.com/a?q=a%20b&Z=%2f"),
    ("https://qz.com/a?xutm_a=1&utm", "https://qz.com/a?xutm_a=1&utm"),
    ("https://qz.com/a?%75tm_source=x", "https://qz.com/a?%75tm_source=x"),
    ("https://qz.com/a?q=x=y&utm_a=b=c", "https://qz.com/a?q=x=y"),
    ("https://qz.com/a?amp", "https://qz.com/a?amp"),
    ("https://qz.com/a?b=1/", "https://qz.com/a?b=1/"),
    # the '?' goes when nothing is left
    ("https://qz.com/a?", "https://qz.com/a"),
    ("https://qz.com/a/?utm_medium=social", "https://qz.com/a"),
    ("https://qz.com?utm_source=x", "https://qz.com"),
    ("https://qz.com/?utm_source=x", "https://qz.com/"),
    ("https://qz.com:443?x=1", "https://qz.com?x=1"),
    # one trailing '/' of a path longer than '/'
    ("https://qz.com/a/", "https://qz.com/a"),
    ("https://qz.com/a//", "https://qz.com/a/"),
    ("https://qz.com/", "https://qz.com/"),
    ("https://qz.com", "https://qz.com"),
    ("https://qz.com/a/?x=1", "https://qz.com/a?x=1"),
    ("https://qz.com/a/#top", "https://qz.com/a"),
    # percent-escapes untouched (neither decoded nor re-cased)
    ("https://qz.com/a%2Fb/%7Euser", "https://qz.com/a%2Fb/%7Euser"),
    ("https://qz.com/a%2fb", "https://qz.com/a%2fb"),
    ("https://qz.com/caf%C3%A9/", "https://qz.com/caf%C3%A9"),
    ("https://qz.com/a%20b", "https://qz.com/a%20b"),
    # all at once (the example of the loader's API)
    (" HTTPS://Qz.com:443/a/?utm_source=x#f", "https://qz.com/a"),
]


@pytest.mark.parametrize(("raw", "expected"), CANONICAL_URLS)
def test_canonical_url(raw: str, expected: str) -> None:
    assert canonical_url(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   ", "\t\n"])
def test_no_url_has_no_canonical_form(raw: str | None) -> None:
    assert canonical_url(raw) is None


# A canonical URL is its own canonical form, except where the rule's "one trailing '/'"
# leaves a second one behind ("/a//" -> "/a/" -> "/a").
@pytest.mark.parametrize(
    "canonical",
    [url for _, url in CANONICAL_URLS if not (url.endswith("/") and url.count("/") > 3)],
)
def test_canonical_url_is_idempotent(canonical: str) -> None:
    assert canonical_url(canonical) == canonical


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("WWW.Qz.com", "qz.com"),
        ("qz.com", "qz.com"),
        ("QZ.COM", "qz.com"),
        ("www.qz.com", "qz.com"),
        ("www.www.qz.com", "www.qz.com"),
        ("www2.qz.com", "www2.qz.com"),
        ("wwwqz.com", "wwwqz.com"),
        ("news.www.qz.com", "news.www.qz.com"),
        ("Amp.WaToday.com.au", "amp.watoday.com.au"),
    ],
)
def test_normalize_domain(raw: str, expected: str) -> None:
    assert normalize_domain(raw) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Computer Vision", "computer-vision"),
        ("AI", "ai"),
        ("  AI  ", "ai"),
        ("computer-vision", "computer-vision"),
        ("COMPUTER   VISION!", "computer-vision"),
        ("Natural Language Processing (NLP)", "natural-language-processing-nlp"),
        ("AI in Healthcare", "ai-in-healthcare"),
        ("ai_ethics", "ai-ethics"),
        ("AI/ML", "ai-ml"),
        ("C++", "c"),
        ("3D Printing", "3d-printing"),
        ("--a--b--", "a-b"),
        ("Café", "caf"),
        ("Ünïcode Topic", "n-code-topic"),
        ("!!!", ""),
    ],
)
def test_slugify(name: str, expected: str) -> None:
    assert slugify(name) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Facial-recognition ban", ["facial", "recognition", "ban"]),
        ("Don't STOP", ["don", "t", "stop"]),
        ("Café au lait", ["café", "au", "lait"]),
        ("snake_case 42", ["snake_case", "42"]),
        ("ban ban", ["ban", "ban"]),
        ("", []),
        (None, []),
    ],
)
def test_words(text: str | None, expected: list[str]) -> None:
    assert words(text) == expected


# Through the loader: the identities decide which records are one node.


def test_spellings_of_one_url_are_one_article(tmp_path: Path) -> None:
    spellings = [
        "https://qz.com/story",
        "HTTPS://QZ.com:443/story/",
        " https://qz.com/story?utm_source=feed#comments ",
    ]
    for position, url in enumerate(spellings):
        write_md(tmp_path, f"{position}.md", record(url, f"Version {position}"))
    result = load(tmp_path, use_cache=False)
    assert [article.url for article in result.graph.articles] == ["https://qz.com/story"]
    assert result.graph.by_url["https://qz.com/story"].title == "Version 2"
    assert result.report.duplicates == len(spellings) - 1


def test_web_url_else_original_url(tmp_path: Path) -> None:
    write_md(tmp_path, "a.md", {"title": "A", "originalUrl": "HTTPS://Example.com/only-original/"})
    write_md(
        tmp_path,
        "b.md",
        {"title": "B", "webUrl": "https://example.com/web", "originalUrl": "https://x.com/o"},
    )
    write_md(
        tmp_path, "c.md", {"title": "C", "webUrl": "   ", "originalUrl": "https://example.com/c"}
    )
    graph = load(tmp_path, use_cache=False).graph
    assert set(graph.by_url) == {
        "https://example.com/only-original",
        "https://example.com/web",
        "https://example.com/c",
    }
    assert graph.by_url["https://example.com/only-original"].title == "A"


def test_domain_spellings_are_one_provider(tmp_path: Path) -> None:
    for position, domain in enumerate(["WWW.Qz.com", "qz.com", "www.qz.com"]):
        write_md(
            tmp_path,
            f"{position}.md",
            record(f"https://qz.com/{position}", provider=provider(domain, "Quartz")),
        )
    graph = load(tmp_path, use_cache=False).graph
    assert [p.domain for p in graph.providers] == ["qz.com"]
    assert list(graph.by_domain) == ["qz.com"]
    assert {article.provider.domain for article in graph.articles} == {"qz.com"}


def test_topic_spellings_are_one_topic(tmp_path: Path) -> None:
    spellings = ["Computer Vision", "computer-vision", "COMPUTER VISION!"]
    for position, name in enumerate(spellings):
        write_md(tmp_path, f"{position}.md", record(f"https://a.com/{position}", topics=[name]))
    graph = load(tmp_path, use_cache=False).graph
    assert [topic.slug for topic in graph.topics] == ["computer-vision"]
    assert len(graph.by_slug["computer-vision"].articles) == len(spellings)
