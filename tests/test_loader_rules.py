"""SEMANTICS.md "Input data", "Merging" and "Edges", one test per rule, on files on disk.

Every expected value is written out from the records the test itself writes.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import networkx as nx
import pytest

from graph import ContentGraph, LoadResult, load
from tests.writing import link, provider, record, snapshot, write_md, write_text, write_yaml


def load_dir(root: Path) -> LoadResult:
    return load(root, use_cache=False, workers=1)


def titles(graph: ContentGraph) -> dict[str, str]:
    return {article.url: article.title for article in graph.articles}


# Merging: duplicates


def test_last_record_wins_wholesale(tmp_path: Path) -> None:
    url = "https://a.com/story"
    write_md(
        tmp_path,
        "a.md",
        record(
            url,
            "First",
            excerpt="only in the first",
            quality=90,
            topics=["Lost Topic"],
            provider=provider("lost.com", "Lost"),
        ),
    )
    write_md(tmp_path, "b.md", record("https://a.com/other", "Other"))
    write_md(tmp_path, "c.md", record(url + "/", "Last", heat=7))
    result = load_dir(tmp_path)
    article = result.graph.by_url[url]
    assert (article.title, article.heat) == ("Last", 7)
    # Wholesale: nothing of the losing record survives, not even its topic or provider.
    assert (article.excerpt, article.quality, article.provider, article.topics) == (
        None,
        None,
        None,
        (),
    )
    assert "lost-topic" not in result.graph.by_slug
    assert "lost.com" not in result.graph.by_domain
    assert result.report.duplicates == 1
    assert result.graph.stats.articles_with_record == 2
    assert result.report.files_loaded == 3
    reported = [p for p in result.report.problems if p.path in {"a.md", "c.md"}]
    assert reported, result.report.problems


def test_three_records_for_one_article_count_two_duplicates(tmp_path: Path) -> None:
    for name in ("x.md", "y.md", "z.md"):
        write_md(tmp_path, name, record("https://a.com/s", f"from {name}"))
    result = load_dir(tmp_path)
    assert titles(result.graph) == {"https://a.com/s": "from z.md"}
    assert result.report.duplicates == 2


@pytest.mark.parametrize(
    ("first", "last"),
    [
        ("B.md", "a.md"),  # upper case sorts before lower case
        ("x-y.md", "x/y.md"),  # '-' (0x2d) before '/' (0x2f): whole paths, not per folder
        ("_news/z.md", "a.md"),  # '_' (0x5f) before 'a' (0x61)
        ("z.md", "é.md"),  # UTF-8 bytes of 'é' after 'z'
        ("n/10.md", "n/9.md"),  # bytes, not numbers
        ("é.md", os.fsdecode(b"\xff.md")),  # a name that is not UTF-8 sorts by its bytes
    ],
)
def test_files_are_read_in_byte_wise_path_order(tmp_path: Path, first: str, last: str) -> None:
    # Written in the opposite order, so creation order cannot stand in for path order.
    write_md(tmp_path, last, record("https://a.com/s", "last"))
    write_md(tmp_path, first, record("https://a.com/s", "first"))
    assert titles(load_dir(tmp_path).graph) == {"https://a.com/s": "last"}


def test_record_beats_related_link(tmp_path: Path) -> None:
    target = "https://b.com/target"
    write_md(tmp_path, "a.md", record("https://a.com/1", related=[link(target, "Link before")]))
    write_md(tmp_path, "b.md", record(target, "The record", provider=provider("b.com", "B")))
    write_md(tmp_path, "c.md", record("https://a.com/2", related=[link(target, "Link after")]))
    graph = load_dir(tmp_path).graph
    article = graph.by_url[target]
    assert (article.title, article.has_record) == ("The record", True)
    assert len(graph.articles) == 3


def test_first_mention_wins_for_related_only_articles(tmp_path: Path) -> None:
    x = "https://x.com/only-linked"
    write_md(
        tmp_path,
        "1.md",
        record(
            "https://a.com/1", related=[link("https://y.com/y", "y first"), link(x, "x from 1.md")]
        ),
    )
    write_md(tmp_path, "2.md", record("https://a.com/2", related=[link(x, "x from 2.md")]))
    write_md(
        tmp_path, "3.md", record("https://a.com/3", related=[link("https://y.com/y/", "y second")])
    )
    graph = load_dir(tmp_path).graph
    assert graph.by_url[x].title == "x from 1.md"
    assert graph.by_url["https://y.com/y"].title == "y first"
    assert not graph.by_url[x].has_record
    assert graph.by_url[x].related == ()


def test_first_mention_within_one_list_is_the_first_in_list_order(tmp_path: Path) -> None:
    x = "https://x.com/x"
    write_md(
        tmp_path,
        "a.md",
        record(
            "https://a.com/1",
            related=[
                link(x, "first in list"),
                link("https://x.com/x?utm_source=rss", "second in list"),
            ],
        ),
    )
    graph = load_dir(tmp_path).graph
    assert graph.by_url[x].title == "first in list"
    assert [a.url for a in graph.by_url["https://a.com/1"].related] == [x]


def test_links_in_unpublished_records_do_not_count(tmp_path: Path) -> None:
    x = "https://x.com/x"
    write_md(
        tmp_path,
        "a.md",
        record(
            "https://a.com/1",
            published=False,
            related=[link(x, "from unpublished"), link("https://z.com/never", "never served")],
        ),
    )
    write_md(tmp_path, "b.md", record("https://a.com/2", related=[link(x, "from published")]))
    graph = load_dir(tmp_path).graph
    assert graph.by_url[x].title == "from published"
    assert "https://z.com/never" not in graph.by_url
    assert "z.com" not in graph.by_domain


def test_links_in_records_that_lost_to_a_duplicate_do_not_count(tmp_path: Path) -> None:
    x = "https://x.com/x"
    u = "https://a.com/u"
    write_md(
        tmp_path,
        "a.md",
        record(
            u,
            "loser",
            related=[link(x, "from the loser"), link("https://z.com/never", "never served")],
        ),
    )
    write_md(tmp_path, "b.md", record("https://a.com/v", related=[link(x, "from b.md")]))
    write_md(tmp_path, "c.md", record(u, "winner"))
    graph = load_dir(tmp_path).graph
    assert graph.by_url[x].title == "from b.md"
    assert "https://z.com/never" not in graph.by_url
    assert graph.by_url[u].related == ()


def test_a_duplicate_winner_takes_its_own_file_position(tmp_path: Path) -> None:
    x = "https://x.com/x"
    u = "https://a.com/u"
    write_md(tmp_path, "a.md", record(u, "loser", related=[link(x, "from the loser in a.md")]))
    write_md(tmp_path, "b.md", record("https://a.com/v", related=[link(x, "from b.md")]))
    write_md(tmp_path, "c.md", record(u, "winner", related=[link(x, "from the winner in c.md")]))
    graph = load_dir(tmp_path).graph
    # Served records in order: b.md, then c.md (the winner, at its own position).
    assert graph.by_url[x].title == "from b.md"
    assert [a.url for a in graph.by_url[u].related] == [x]


def test_a_link_to_an_article_whose_record_is_unpublished_serves_the_link(tmp_path: Path) -> None:
    target = "https://b.com/t"
    write_md(tmp_path, "a.md", record(target, "unpublished record", published=False))
    write_md(tmp_path, "b.md", record("https://a.com/1", related=[link(target, "the link")]))
    article = load_dir(tmp_path).graph.by_url[target]
    assert (article.title, article.has_record) == ("the link", False)


# Published: false


def test_unpublished_records_are_counted_not_served_and_not_merged(tmp_path: Path) -> None:
    url = "https://a.com/s"
    write_md(tmp_path, "a.md", record(url, "served"))
    write_md(
        tmp_path,
        "b.md",
        record(
            url,
            "unpublished later",
            published=False,
            topics=["Hidden"],
            provider=provider("hidden.com", "H"),
        ),
    )
    write_md(tmp_path, "c.md", record("https://a.com/gone", published=False))
    result = load_dir(tmp_path)
    assert titles(result.graph) == {url: "served"}
    assert result.report.unpublished == 2
    assert result.report.duplicates == 0
    assert result.report.files_loaded == 3
    assert result.report.files_skipped == 0
    assert result.graph.stats.files_loaded == 3
    assert "hidden" not in result.graph.by_slug
    assert "hidden.com" not in result.graph.by_domain
    assert not result.report.errors


def test_unpublished_earlier_record_does_not_lose_either(tmp_path: Path) -> None:
    url = "https://a.com/s"
    write_md(tmp_path, "a.md", record(url, "unpublished earlier", published=False))
    write_md(tmp_path, "b.md", record(url, "served"))
    result = load_dir(tmp_path)
    assert titles(result.graph) == {url: "served"}
    assert (result.report.duplicates, result.report.unpublished) == (0, 1)


# Providers


def test_provider_name_from_taxonomy(tmp_path: Path) -> None:
    write_md(
        tmp_path,
        "_data/organizations/qz.md",
        {
            "taxonomy": "organization",
            "name": "Quartz Media",
            "domain": "WWW.QZ.com",
            "images": [{"url": "/logo-50.jpg", "width": 50, "height": 50}],
        },
    )
    write_md(
        tmp_path,
        "a.md",
        record(
            "https://qz.com/1",
            provider=provider("qz.com", "Quartz", [{"url": "https://qz.com/own.jpg"}]),
        ),
    )
    graph = load_dir(tmp_path).graph
    quartz = graph.by_domain["qz.com"]
    assert quartz.name == "Quartz Media"
    assert [(i.url, i.width, i.height) for i in quartz.images] == [("/logo-50.jpg", 50, 50)]
    # A taxonomy entry creates no article.
    assert list(graph.by_url) == ["https://qz.com/1"]


def test_provider_name_is_the_most_frequent(tmp_path: Path) -> None:
    for position, name in enumerate(["Beta", "Alpha", "Beta"]):
        write_md(
            tmp_path,
            f"{position}.md",
            record(f"https://p.com/{position}", provider=provider("p.com", name)),
        )
    assert load_dir(tmp_path).graph.by_domain["p.com"].name == "Beta"


def test_provider_name_ties_go_to_the_name_that_sorts_first(tmp_path: Path) -> None:
    for position, name in enumerate(["Gamma", "Beta", "Gamma", "Beta"]):
        write_md(
            tmp_path,
            f"{position}.md",
            record(f"https://p.com/{position}", provider=provider("p.com", name)),
        )
    assert load_dir(tmp_path).graph.by_domain["p.com"].name == "Beta"


def test_provider_name_counts_each_article_once_with_its_kept_fields(tmp_path: Path) -> None:
    u = "https://p.com/u"
    # Two losing records name "Aardvark"; the winner names "Zeta"; another article "Mid".
    write_md(tmp_path, "a.md", record(u, provider=provider("p.com", "Aardvark")))
    write_md(tmp_path, "b.md", record(u, provider=provider("p.com", "Aardvark")))
    write_md(tmp_path, "c.md", record(u, provider=provider("p.com", "Zeta")))
    write_md(tmp_path, "d.md", record("https://p.com/v", provider=provider("p.com", "Mid")))
    # Links to an article with a record do not vote either.
    write_md(
        tmp_path,
        "e.md",
        record(
            "https://other.com/e",
            related=[
                link(u, provider=provider("p.com", "Aardvark")),
                link("https://p.com/v", provider=provider("p.com", "Aardvark")),
            ],
        ),
    )
    # Unpublished records do not vote.
    write_md(
        tmp_path,
        "f.md",
        record("https://p.com/w", published=False, provider=provider("p.com", "Aardvark")),
    )
    assert load_dir(tmp_path).graph.by_domain["p.com"].name == "Mid"


def test_provider_name_counts_related_only_articles(tmp_path: Path) -> None:
    write_md(tmp_path, "a.md", record("https://p.com/a", provider=provider("p.com", "Zed")))
    write_md(
        tmp_path,
        "b.md",
        record(
            "https://o.com/b",
            related=[
                link("https://p.com/x", provider=provider("www.p.com", "Alpha")),
                link("https://p.com/y", provider=provider("p.com", "Alpha")),
            ],
        ),
    )
    # A second link to x (with another name) is not a second vote: x keeps its first link.
    write_md(
        tmp_path,
        "c.md",
        record(
            "https://o.com/c",
            related=[
                link("https://p.com/x", provider=provider("p.com", "Zed")),
                link("https://p.com/z", provider=provider("p.com", "Zed")),
            ],
        ),
    )
    graph = load_dir(tmp_path).graph
    assert graph.by_domain["p.com"].name == "Alpha"
    assert graph.by_url["https://p.com/x"].provider is graph.by_domain["p.com"]


def test_provider_images_from_the_first_served_article_with_images(tmp_path: Path) -> None:
    write_md(tmp_path, "a.md", record("https://p.com/a", provider=provider("p.com", "P")))
    write_md(
        tmp_path,
        "b.md",
        record(
            "https://p.com/b",
            published=False,
            provider=provider("p.com", "P", [{"url": "https://p.com/unpublished.png"}]),
        ),
    )
    write_md(
        tmp_path,
        "c.md",
        record(
            "https://p.com/c",
            provider=provider(
                "p.com", "P", [{"url": "https://p.com/first.png", "width": 50, "height": 40}]
            ),
        ),
    )
    write_md(
        tmp_path,
        "d.md",
        record(
            "https://p.com/d",
            provider=provider("p.com", "P", [{"url": "https://p.com/second.png"}]),
        ),
    )
    images = load_dir(tmp_path).graph.by_domain["p.com"].images
    assert [(i.url, i.width, i.height) for i in images] == [("https://p.com/first.png", 50, 40)]


def test_provider_without_name_anywhere_is_still_served(tmp_path: Path) -> None:
    write_md(tmp_path, "a.md", record("https://p.com/a", provider=provider("P.com")))
    graph = load_dir(tmp_path).graph
    assert list(graph.by_domain) == ["p.com"]
    assert graph.by_domain["p.com"].name


# Topics


def test_topic_name_keywords_and_hashtags_from_taxonomy(tmp_path: Path) -> None:
    write_yaml(
        tmp_path,
        "_data/topics/00-cv.yaml",
        {
            "taxonomy": "topic",
            "name": "Computer Vision",
            "keywords": ["vision", "cv"],
            "hashtags": ["#ComputerVision"],
        },
        trailer="---\n",
    )
    write_md(tmp_path, "a.md", record("https://a.com/1", topics=["computer vision"]))
    write_md(tmp_path, "b.md", record("https://a.com/2", topics=["computer vision"]))
    topic = load_dir(tmp_path).graph.by_slug["computer-vision"]
    assert (topic.name, topic.keywords, topic.hashtags) == (
        "Computer Vision",
        ("vision", "cv"),
        ("#ComputerVision",),
    )


def test_topic_name_is_the_most_frequent_spelling_among_served_records(tmp_path: Path) -> None:
    spellings = ["ai", "AI", "Ai", "AI"]
    for position, name in enumerate(spellings):
        write_md(tmp_path, f"{position}.md", record(f"https://a.com/{position}", topics=[name]))
    # Unpublished records and losing duplicates do not vote.
    for position in range(3):
        write_md(
            tmp_path,
            f"u{position}.md",
            record(f"https://a.com/u{position}", published=False, topics=["ai"]),
        )
        write_md(tmp_path, f"0{position}.md", record("https://a.com/3", topics=["Ai"]))
    graph = load_dir(tmp_path).graph
    assert graph.by_slug["ai"].name == "AI"


def test_topic_name_ties_go_to_the_spelling_that_sorts_first(tmp_path: Path) -> None:
    for position, name in enumerate(["machine learning", "Machine Learning"]):
        write_md(tmp_path, f"{position}.md", record(f"https://a.com/{position}", topics=[name]))
    assert load_dir(tmp_path).graph.by_slug["machine-learning"].name == "Machine Learning"


def test_topics_are_deduplicated_by_slug(tmp_path: Path) -> None:
    write_md(
        tmp_path,
        "a.md",
        record(
            "https://a.com/1",
            topics=["Computer Vision", "AI", "computer-vision", "COMPUTER VISION!", "ai"],
        ),
    )
    result = load_dir(tmp_path)
    article = result.graph.by_url["https://a.com/1"]
    assert [t.slug for t in article.topics] == ["computer-vision", "ai"]
    tagged = [(u, v) for u, v, kind in result.graph.graph.edges(data="kind") if kind == "tagged"]
    assert len(tagged) == 2


def test_taxonomy_entries_no_served_article_mentions_are_not_served(tmp_path: Path) -> None:
    write_md(
        tmp_path,
        "_data/organizations/nobody.md",
        {"taxonomy": "organization", "name": "Nobody", "domain": "nobody.com"},
    )
    write_md(
        tmp_path,
        "_data/organizations/hidden.md",
        {"taxonomy": "organization", "name": "Hidden", "domain": "hidden.com"},
    )
    write_yaml(tmp_path, "_data/topics/nothing.yaml", {"taxonomy": "topic", "name": "Nothing"})
    write_yaml(tmp_path, "_data/topics/secret.yaml", {"taxonomy": "topic", "name": "Secret"})
    write_md(tmp_path, "a.md", record("https://a.com/1"))
    write_md(
        tmp_path,
        "b.md",
        record(
            "https://hidden.com/1",
            published=False,
            provider=provider("hidden.com"),
            topics=["Secret"],
        ),
    )
    graph = load_dir(tmp_path).graph
    assert (graph.providers, graph.topics) == ((), ())
    assert (graph.by_domain, graph.by_slug) == ({}, {})


# Input data


@pytest.mark.parametrize(("newline", "bom"), [("\r\n", False), ("\n", True), ("\r\n", True)])
def test_crlf_and_bom_read_like_lf(tmp_path: Path, newline: str, bom: bool) -> None:
    text = (
        'title: "Line endings"\n'
        "webUrl: https://a.com/crlf\n"
        "excerpt: |\n  first line\n  second line\n"
        "publishedDateTime: 2020-07-01T16:50:00Z\n"
        "topics:\n  - Computer Vision\n"
    )
    write_md(tmp_path / "plain", "a.md", text)
    write_md(tmp_path / "other", "a.md", text, newline=newline, bom=bom)
    write_yaml(tmp_path / "plain", "_data/topics/cv.yaml", "taxonomy: topic\nname: CV Topic\n")
    topic_file = (
        "\ufefftaxonomy: topic\nname: CV Topic\n---\n"
        if bom
        else ("taxonomy: topic\nname: CV Topic\n---\n")
    )
    write_text(tmp_path / "other", "_data/topics/cv.yaml", topic_file, newline=newline)
    # The topic file's name does not match the record's topic; add one that does.
    for root in (tmp_path / "plain", tmp_path / "other"):
        write_md(root, "b.md", record("https://a.com/cv", topics=["CV Topic"]))
    plain = load_dir(tmp_path / "plain")
    other = load_dir(tmp_path / "other")
    assert not other.report.problems
    a, b = plain.graph.by_url["https://a.com/crlf"], other.graph.by_url["https://a.com/crlf"]
    assert b.excerpt == "first line\nsecond line\n"
    assert (a.title, a.excerpt, a.published_at, [t.name for t in a.topics]) == (
        b.title,
        b.excerpt,
        b.published_at,
        [t.name for t in b.topics],
    )
    assert other.report.taxonomy_loaded == 1
    assert other.graph.by_slug["cv-topic"].name == "CV Topic"


def test_self_and_repeated_related_links_are_dropped(tmp_path: Path) -> None:
    own = "https://a.com/own"
    write_md(
        tmp_path,
        "a.md",
        record(
            own,
            related=[
                link("HTTPS://A.com/own/?utm_source=x", "itself"),
                link("https://x.com/1", "one"),
                link("https://x.com/1#again", "one again"),
                link("https://x.com/2", "two"),
                link("https://x.com/1/", "one, third time"),
            ],
        ),
    )
    write_md(tmp_path, "b.md", record("https://a.com/b", related=[link(own, "back")]))
    graph = load_dir(tmp_path).graph
    assert [a.url for a in graph.by_url[own].related] == ["https://x.com/1", "https://x.com/2"]
    assert graph.stats.related_links == 3
    assert graph.by_url[own].title == f"Title of {own}"


def test_hidden_files_and_folders_are_skipped(tmp_path: Path) -> None:
    write_md(tmp_path, ".hidden.md", record("https://a.com/hidden-file"))
    write_md(tmp_path, ".git/x.md", record("https://a.com/hidden-folder"))
    write_md(tmp_path, "_news/.drafts/y.md", record("https://a.com/hidden-subfolder"))
    write_md(tmp_path, "_data/organizations/.o.md", {"domain": "a.com", "name": "Hidden Org"})
    write_md(
        tmp_path,
        "_news/visible.md",
        record("https://a.com/visible", provider=provider("a.com", "Visible")),
    )
    result = load_dir(tmp_path)
    assert list(result.graph.by_url) == ["https://a.com/visible"]
    assert result.graph.by_domain["a.com"].name == "Visible"
    assert (result.report.files_loaded, result.report.files_skipped) == (1, 0)
    assert not result.report.problems


def test_only_taxonomy_folders_of_the_top_level_data_folder_are_read(tmp_path: Path) -> None:
    write_md(tmp_path, "_data/x.md", record("https://a.com/data-root"))
    write_yaml(tmp_path, "_data/tags/t.yaml", record("https://a.com/data-tags"))
    write_yaml(tmp_path, "_data/broken.yaml", "title: [unclosed\n")
    write_md(tmp_path, "section/_data/nested.md", record("https://a.com/nested-data"))
    write_md(tmp_path, "_news/n.md", record("https://a.com/news"))
    result = load_dir(tmp_path)
    assert set(result.graph.by_url) == {"https://a.com/nested-data", "https://a.com/news"}
    assert not result.report.problems


def test_pages_without_front_matter_and_other_files_are_ignored_silently(tmp_path: Path) -> None:
    write_text(tmp_path, "README.md", "# News\n\nThis folder holds the news.\n---\n")
    write_text(tmp_path, "_news/notes.markdown", "Some notes\n---\nnot: front matter\n")
    write_text(tmp_path, "style.css", "body { color: red }\n")
    write_text(tmp_path, "data.json", "{not json")
    (tmp_path / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write_md(tmp_path, "_news/a.md", record("https://a.com/1"))
    result = load_dir(tmp_path)
    assert list(result.graph.by_url) == ["https://a.com/1"]
    assert (result.report.files_loaded, result.report.files_skipped) == (1, 0)
    assert not result.report.problems


@pytest.mark.parametrize("suffix", [".md", ".markdown", ".yaml", ".yml"])
def test_every_record_suffix_is_read(tmp_path: Path, suffix: str) -> None:
    fields = record("https://a.com/1", "suffix")
    if suffix.lower() in {".md", ".markdown"}:
        write_md(tmp_path, f"a{suffix}", fields)
    else:
        write_yaml(tmp_path, f"a{suffix}", fields)
    assert titles(load_dir(tmp_path).graph) == {"https://a.com/1": "suffix"}


@pytest.mark.parametrize(
    "trailer", ["---\n", "---", "---\n\n", "---\n---\n", "---\n# only a comment\n", "...\n"]
)
def test_yaml_files_with_empty_documents_after_the_record_are_accepted(
    tmp_path: Path, trailer: str
) -> None:
    write_yaml(tmp_path, "a.yaml", record("https://a.com/1", "yaml record"), trailer=trailer)
    write_yaml(
        tmp_path, "_data/topics/t.yaml", {"taxonomy": "topic", "name": "T Name"}, trailer=trailer
    )
    write_yaml(
        tmp_path,
        "b.yaml",
        "---\n" + "title: leading marker\nwebUrl: https://a.com/2\n",
        trailer=trailer,
    )
    write_md(tmp_path, "c.md", record("https://a.com/3", topics=["t name"]))
    result = load_dir(tmp_path)
    assert not result.report.problems
    assert titles(result.graph)["https://a.com/1"] == "yaml record"
    assert titles(result.graph)["https://a.com/2"] == "leading marker"
    assert result.graph.by_slug["t-name"].name == "T Name"


def test_a_second_non_empty_document_makes_a_yaml_file_invalid(tmp_path: Path) -> None:
    write_yaml(
        tmp_path,
        "a.yaml",
        "title: A\nwebUrl: https://a.com/1\n---\ntitle: B\nwebUrl: https://a.com/2\n",
    )
    write_yaml(tmp_path, "_data/topics/t.yaml", "name: One\n---\nname: Two\n")
    write_md(tmp_path, "b.md", record("https://a.com/3", topics=["one", "two"]))
    result = load_dir(tmp_path)
    assert set(result.graph.by_url) == {"https://a.com/3"}
    assert result.report.files_skipped == 2
    assert {p.path for p in result.report.errors} == {"a.yaml", "_data/topics/t.yaml"}
    lines = {p.path: p.line for p in result.report.errors}
    assert lines["a.yaml"] == 3
    # The topic file was skipped, so its names do not apply.
    assert result.graph.by_slug["one"].name == "one"


# Order and index lists


def test_default_article_order_and_index_lists(tmp_path: Path) -> None:
    dated = {
        "https://a.com/b": "2020-01-01T12:00:00+02:00",  # 10:00 UTC
        "https://a.com/a": "2020-01-01T10:00:00Z",  # the same instant: URL breaks the tie
        "https://a.com/c": "2020-01-01T10:00:00",  # no offset: UTC, also the same instant
        "https://a.com/new": "2021-06-30T00:00:00Z",
        "https://a.com/old": "2019-03-01T08:00:00-05:00",
    }
    undated = ["https://a.com/z-undated", "https://a.com/m-undated"]
    for position, (url, moment) in enumerate(dated.items()):
        write_md(
            tmp_path,
            f"{position}.md",
            f"title: T{position}\nwebUrl: {url}\n"
            f"publishedDateTime: {moment}\ntopics: [Shared]\n"
            f"provider: {{domain: a.com, name: A}}\n"
            f"related: [{{title: R, webUrl: 'https://a.com/z-undated'}}]\n",
        )
    write_md(tmp_path, "u1.md", record(undated[0], provider=provider("a.com", "A")))
    write_md(
        tmp_path,
        "u2.md",
        record(
            undated[1],
            topics=["Shared"],
            related=[link("https://a.com/old"), link("https://a.com/new")],
        ),
    )
    graph = load_dir(tmp_path).graph

    def key(url: str) -> tuple[bool, float, str]:
        moment = dated.get(url)
        if moment is None:
            return (True, 0.0, url)
        parsed = datetime.fromisoformat(moment.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        return (False, -parsed.timestamp(), url)

    expected = sorted([*dated, *undated], key=key)
    assert expected[1:4] == ["https://a.com/a", "https://a.com/b", "https://a.com/c"]
    assert [a.url for a in graph.articles] == expected
    assert [a.index for a in graph.articles] == list(range(len(expected)))
    position = {url: index for index, url in enumerate(expected)}
    assert list(graph.by_domain["a.com"].articles) == sorted(
        position[u] for u in [*dated, undated[0]]
    )
    assert list(graph.by_slug["shared"].articles) == sorted(
        position[u] for u in [*dated, undated[1]]
    )
    assert list(graph.by_url[undated[0]].related_from) == sorted(position[u] for u in dated)
    assert list(graph.by_url["https://a.com/old"].related_from) == [position[undated[1]]]
    assert list(graph.by_url["https://a.com/b"].related_from) == []
    for kind in (graph.providers, graph.topics):
        assert [node.index for node in kind] == list(range(len(kind)))


def test_providers_and_topics_sorted_by_domain_and_slug(tmp_path: Path) -> None:
    domains = ["zeta.org", "Alpha.com", "www.mid.net"]
    names = ["Zed", "alpha", "Mid Topic"]
    for position, (domain, name) in enumerate(zip(domains, names, strict=True)):
        write_md(
            tmp_path,
            f"{position}.md",
            record(f"https://{position}.com/", provider=provider(domain), topics=[name]),
        )
    graph = load_dir(tmp_path).graph
    assert [p.domain for p in graph.providers] == ["alpha.com", "mid.net", "zeta.org"]
    assert [t.slug for t in graph.topics] == ["alpha", "mid-topic", "zed"]


# NetworkX edges


def test_networkx_edges_kinds_and_related_positions(tmp_path: Path) -> None:
    write_md(
        tmp_path,
        "a.md",
        record(
            "https://a.com/1",
            provider=provider("a.com", "A"),
            topics=["One", "Two"],
            related=[
                link("https://b.com/x", provider=provider("b.com", "B")),
                link("https://a.com/1"),  # itself: dropped, so x stays 0 and 2 becomes 1
                link("https://a.com/2"),
            ],
        ),
    )
    write_md(
        tmp_path,
        "b.md",
        record("https://a.com/2", topics=["Two"], related=[link("https://a.com/1")]),
    )
    graph = load_dir(tmp_path).graph
    g = graph.graph
    assert nx.is_frozen(g)
    assert set(g.nodes) == {*graph.articles, *graph.providers, *graph.topics}
    a1, a2, x = (graph.by_url[u] for u in ("https://a.com/1", "https://a.com/2", "https://b.com/x"))
    edges = {(u, v): dict(data) for u, v, data in g.edges(data=True)}
    assert edges == {
        (a1, graph.by_domain["a.com"]): {"kind": "published-by"},
        (x, graph.by_domain["b.com"]): {"kind": "published-by"},
        (a1, graph.by_slug["one"]): {"kind": "tagged"},
        (a1, graph.by_slug["two"]): {"kind": "tagged"},
        (a2, graph.by_slug["two"]): {"kind": "tagged"},
        (a1, x): {"kind": "related", "position": 0},
        (a1, a2): {"kind": "related", "position": 1},
        (a2, a1): {"kind": "related", "position": 0},
    }
    assert graph.stats.related_links == 3
    kinds = Counter(data["kind"] for _, _, data in g.edges(data=True))
    assert kinds["related"] == graph.stats.related_links


# More of "Edges" and "Merging", for related-only articles


def test_a_related_link_carries_no_topics_and_no_links(tmp_path: Path) -> None:
    write_md(
        tmp_path,
        "a.md",
        record(
            "https://a.com/1",
            related=[
                link("https://x.com/x", topics=["Linked Topic"], related=[link("https://y.com/y")])
            ],
        ),
    )
    graph = load_dir(tmp_path).graph
    x = graph.by_url["https://x.com/x"]
    assert (x.topics, x.related) == ((), ())
    assert "linked-topic" not in graph.by_slug
    assert "https://y.com/y" not in graph.by_url
    assert graph.stats.related_links == 1


def test_provider_images_and_articles_from_related_only_articles(tmp_path: Path) -> None:
    write_md(
        tmp_path,
        "a.md",
        record(
            "https://p.com/a",
            "loser",
            provider=provider("p.com", "P", [{"url": "https://p.com/loser.png"}]),
        ),
    )
    write_md(
        tmp_path,
        "b.md",
        record(
            "https://o.com/b",
            related=[
                link("https://p.com/x", provider=provider("p.com", "P")),
                link(
                    "https://p.com/y",
                    provider=provider(
                        "www.p.com", "P", [{"url": "https://p.com/from-link.png", "width": 5}]
                    ),
                ),
            ],
        ),
    )
    write_md(tmp_path, "c.md", record("https://p.com/a", "winner", provider=provider("p.com")))
    graph = load_dir(tmp_path).graph
    p = graph.by_domain["p.com"]
    assert [(i.url, i.width) for i in p.images] == [("https://p.com/from-link.png", 5)]
    members = sorted(
        graph.by_url[u].index for u in ("https://p.com/a", "https://p.com/x", "https://p.com/y")
    )
    assert list(p.articles) == members


def test_organization_taxonomy_in_yaml(tmp_path: Path) -> None:
    write_yaml(
        tmp_path,
        "_data/organizations/p.yaml",
        {"taxonomy": "organization", "domain": "p.com", "name": "P From YAML"},
        trailer="---\n",
    )
    write_md(tmp_path, "a.md", record("https://p.com/a", provider=provider("p.com", "P")))
    assert load_dir(tmp_path).graph.by_domain["p.com"].name == "P From YAML"


def test_a_date_without_time_or_offset_is_midnight_utc(tmp_path: Path) -> None:
    write_md(tmp_path, "a.md", "title: A\nwebUrl: https://a.com/b\npublishedDateTime: 2020-07-01\n")
    write_md(
        tmp_path,
        "b.md",
        "title: B\nwebUrl: https://a.com/a\npublishedDateTime: 2020-07-01T02:00:00+02:00\n",
    )
    write_md(
        tmp_path,
        "c.md",
        "title: C\nwebUrl: https://a.com/c\npublishedDateTime: 2020-06-30T23:59:59Z\n",
    )
    graph = load_dir(tmp_path).graph
    assert [a.url for a in graph.articles] == [
        "https://a.com/a",
        "https://a.com/b",
        "https://a.com/c",
    ]
    assert graph.by_url["https://a.com/b"].published_at == datetime(2020, 7, 1, tzinfo=UTC)


# Reading in worker processes gives the same graph as reading in this one


def test_parallel_reading_gives_the_same_graph(tmp_path: Path) -> None:
    from graph.generate import generate_corpus
    from graph.load import PARALLEL_THRESHOLD

    generate_corpus(tmp_path / "big", records=PARALLEL_THRESHOLD + 300, seed=3)
    write_text(tmp_path / "big", "_news/zz-broken.md", "---\ntitle: [\n---\n")
    write_md(tmp_path / "big", "_news/zz-warned.md", record("https://zz.com/w", quality="high"))
    serial = load(tmp_path / "big", use_cache=False, workers=1)
    parallel = load(tmp_path / "big", use_cache=False, workers=4)
    assert snapshot(parallel.graph) == snapshot(serial.graph)
    assert parallel.report.problems == serial.report.problems
    assert (parallel.report.files_loaded, parallel.report.files_skipped) == (
        serial.report.files_loaded,
        serial.report.files_skipped,
    )
    assert serial.report.files_skipped == 1


def test_the_first_link_wins_wholesale_provider_included(tmp_path: Path) -> None:
    write_md(
        tmp_path,
        "a.md",
        record(
            "https://o.com/a",
            related=[link("https://x.com/x", "first", provider=provider("p.com", "P"))],
        ),
    )
    write_md(
        tmp_path,
        "b.md",
        record(
            "https://o.com/b",
            related=[
                link(
                    "https://x.com/x",
                    "second",
                    excerpt="only in the second",
                    provider=provider("q.com", "Q"),
                )
            ],
        ),
    )
    graph = load_dir(tmp_path).graph
    x = graph.by_url["https://x.com/x"]
    assert (x.title, x.excerpt, x.provider.domain) == ("first", None, "p.com")
    assert "q.com" not in graph.by_domain


def test_unknown_keys_and_secured_are_kept_out(tmp_path: Path) -> None:
    blob = "dhvEIeOG6zf3ldE5R290ATA8ke+L/UDIHFge1NCGfQ2j==;InY0lHNOuPH7S9hD6rV9Tw=="
    write_md(
        tmp_path,
        "a.md",
        record(
            "https://a.com/1", secured=blob, _id="abc", tags=["x"], somethingElse={"nested": True}
        ),
    )
    result = load_dir(tmp_path)
    assert not result.report.problems
    article = result.graph.by_url["https://a.com/1"]
    values = [getattr(article, name, None) for name in dir(article) if not name.startswith("_")]
    assert not any(blob in repr(value) for value in values)
    assert not hasattr(article, "secured")


def test_a_yaml_record_with_a_directive_is_read(tmp_path: Path) -> None:
    # "%YAML 1.1" belongs to the document after the next "---": one document, one record.
    write_yaml(tmp_path, "a.yaml", "%YAML 1.1\n---\ntitle: Directive\nwebUrl: https://a.com/1\n")
    result = load_dir(tmp_path)
    assert not result.report.problems, result.report.problems
    assert titles(result.graph) == {"https://a.com/1": "Directive"}


def test_a_second_document_after_an_end_marker_is_reported_as_one(tmp_path: Path) -> None:
    write_yaml(
        tmp_path,
        "a.yaml",
        "title: A\nwebUrl: https://a.com/1\n...\n---\ntitle: B\nwebUrl: https://a.com/2\n",
    )
    write_yaml(
        tmp_path,
        "b.yaml",
        "title: A\nwebUrl: https://a.com/1\n...\ntitle: B\nwebUrl: https://a.com/2\n",
    )
    result = load_dir(tmp_path)
    assert result.graph.articles == ()
    reasons = {p.path: p.reason for p in result.report.errors}
    assert set(reasons) == {"a.yaml", "b.yaml"}
    # Both files are mappings: the reason is the second document, not "a list".
    for path, reason in reasons.items():
        assert "document" in reason, (path, reason)
