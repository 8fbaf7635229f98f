"""Articles through the GraphQL schema, checked against the record files themselves."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph import ContentGraph, load
from tests.records import DATA_SETS, ArticleRecord, Records, data_set, records, word_list
from tests.schema_cases import loaded, run

ARTICLE_FIELDS = """
  id url title excerpt publishedDateTime webUrl ampWebUrl cdnAmpWebUrl originalUrl
  type category quality heat featuredContent hasRecord
  provider { domain } topics { slug } images { url width height title isCached }
  related { url }
"""


@pytest.fixture(scope="module", params=DATA_SETS)
def case(request: pytest.FixtureRequest) -> tuple[ContentGraph, Records]:
    return loaded(request.param)


def expected_fields(article: ArticleRecord) -> dict[str, Any]:
    return {
        "url": article.url,
        "title": article.title,
        "excerpt": article.excerpt,
        "publishedDateTime": None if article.published is None else article.published.isoformat(),
        "webUrl": article.web_url,
        "ampWebUrl": article.amp_web_url,
        "cdnAmpWebUrl": article.cdn_amp_web_url,
        "originalUrl": article.original_url,
        "type": article.type,
        "category": article.category,
        "quality": article.quality,
        "heat": article.heat,
        "featuredContent": article.featured_content,
        "hasRecord": article.has_record,
        "provider": None if article.provider is None else {"domain": article.provider},
        "topics": [{"slug": slug} for slug in article.topics],
        "images": article.images,
        "related": [{"url": url} for url in article.related],
    }


def all_pages(graph: ContentGraph, field: str, arguments: str = "", size: int = 7) -> list[str]:
    """Every URL of an article connection, read forwards `size` at a time."""
    urls: list[str] = []
    after = None
    while True:
        data = run(
            graph,
            f"""query($after: String, $size: Int) {{
            {field}(first: $size, after: $after {arguments}) {{
               totalCount edges {{ cursor node {{ url }} }}
               pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}""",
            after=after,
            size=size,
        )[field]
        edges = data["edges"]
        urls += [edge["node"]["url"] for edge in edges]
        info = data["pageInfo"]
        assert info["hasPreviousPage"] is (after is not None and data["totalCount"] > 0)
        assert info["startCursor"] == (edges[0]["cursor"] if edges else None)
        assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)
        assert info["hasNextPage"] is (len(urls) < data["totalCount"])
        if not info["hasNextPage"]:
            assert len(urls) == data["totalCount"]
            return urls
        assert len(edges) == size
        after = info["endCursor"]


def test_every_article_and_field(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        data = run(
            graph,
            f"query($after: String) {{ articles(first: 100, after: $after) "
            f"{{ nodes {{ {ARTICLE_FIELDS} }} pageInfo {{ hasNextPage endCursor }} }} }}",
            after=after,
        )["articles"]
        seen += data["nodes"]
        if not data["pageInfo"]["hasNextPage"]:
            break
        after = data["pageInfo"]["endCursor"]
    assert [article["url"] for article in seen] == expected.ordered
    for article in seen:
        article.pop("id")
        assert article == expected_fields(expected.articles[article["url"]])


def test_paging_forwards_and_backwards(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    assert all_pages(graph, "articles") == expected.ordered
    urls: list[str] = []
    before = None
    while True:
        data = run(
            graph,
            """query($before: String) { articles(last: 6, before: $before) {
               totalCount nodes { url } pageInfo { hasPreviousPage hasNextPage startCursor } } }""",
            before=before,
        )["articles"]
        urls = [node["url"] for node in data["nodes"]] + urls
        assert data["pageInfo"]["hasNextPage"] is (before is not None)
        if not data["pageInfo"]["hasPreviousPage"]:
            break
        before = data["pageInfo"]["startCursor"]
    assert urls == expected.ordered


def test_default_page_is_twenty_and_counts_all(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    data = run(graph, "{ articles { totalCount nodes { url } } }")["articles"]
    assert data["totalCount"] == len(expected.ordered)
    assert [node["url"] for node in data["nodes"]] == expected.ordered[:20]


def test_window_between_two_cursors(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    if len(expected.ordered) < 6:
        pytest.skip("needs six articles")
    edges = run(graph, "{ articles(first: 6) { edges { cursor } } }")["articles"]["edges"]
    data = run(
        graph,
        "query($a: String, $b: String) { articles(after: $a, before: $b, first: 10) "
        "{ nodes { url } pageInfo { hasPreviousPage hasNextPage } } }",
        a=edges[0]["cursor"],
        b=edges[5]["cursor"],
    )["articles"]
    assert [node["url"] for node in data["nodes"]] == expected.ordered[1:5]
    assert data["pageInfo"] == {"hasPreviousPage": True, "hasNextPage": True}
    data = run(
        graph,
        "query($a: String, $b: String) { articles(after: $a, before: $b, last: 2) "
        "{ nodes { url } } }",
        a=edges[0]["cursor"],
        b=edges[5]["cursor"],
    )["articles"]
    assert [node["url"] for node in data["nodes"]] == expected.ordered[3:5]


def test_page_of_zero(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    data = run(
        graph,
        "{ articles(first: 0) { totalCount edges { cursor } pageInfo { "
        "hasNextPage startCursor endCursor } } }",
    )["articles"]
    assert data == {
        "totalCount": len(expected.ordered),
        "edges": [],
        "pageInfo": {"hasNextPage": bool(expected.ordered), "startCursor": None, "endCursor": None},
    }


def url_variants(url: str) -> list[str]:
    """The same article's URL in non-canonical spellings that SEMANTICS.md folds together."""
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    port = {"http": ":80", "https": ":443"}.get(scheme, "")
    joiner = "&" if "?" in url else "?"
    variants = [
        f"  {scheme.upper()}://{host.upper()}{port}{slash}{path}#fragment  ",
        f"{url}{joiner}utm_source=newsletter&utm_medium=email",
    ]
    if path and "?" not in url:
        variants.append(f"{url}/")
    return variants


def test_lookup_by_url_in_any_spelling_and_by_id(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    query = "query($url: String, $id: ID) { article(url: $url, id: $id) { id url } }"
    for url in expected.ordered[:40]:
        found = run(graph, query, url=url)["article"]
        assert found["url"] == url
        for variant in url_variants(url):
            assert run(graph, query, url=variant)["article"] == found, variant
        assert run(graph, query, id=found["id"])["article"] == found
        node = run(
            graph, "query($id: ID!) { node(id: $id) { id ... on Article { url } } }", id=found["id"]
        )["node"]
        assert node == found
    assert run(graph, query, url="https://nowhere.invalid/none")["article"] is None


def test_related_from(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    query = """query($url: String) { article(url: $url) {
        relatedFrom(first: 100) { totalCount nodes { url } } } }"""
    for url in expected.ordered:
        data = run(graph, query, url=url)["article"]["relatedFrom"]
        linking = expected.related_from(url)
        assert data == {"totalCount": len(linking), "nodes": [{"url": u} for u in linking]}


# Filters: each compared with the same condition applied to the records.

FILTER_QUERY = """query($filter: ArticleFilter) {
  articles(first: 100, filter: $filter) { totalCount nodes { url } } }"""


def test_filters(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    articles = [expected.articles[url] for url in expected.ordered]

    def check(conditions: dict[str, Any], keep: Any) -> None:
        data = run(graph, FILTER_QUERY, filter=conditions)
        want = [a.url for a in articles if keep(a)]
        assert data["articles"]["totalCount"] == len(want), conditions
        assert [n["url"] for n in data["articles"]["nodes"]] == want[:100], conditions

    topics = sorted(expected.topics)
    for slug in topics:
        name = expected.topics[slug].name
        check({"topics": [name.upper()]}, lambda a, s=slug: s in a.topics)
        check({"topics": [slug]}, lambda a, s=slug: s in a.topics)
    if len(topics) >= 2:
        pair = topics[:2]
        check({"topics": pair}, lambda a: bool(set(pair) & set(a.topics)))
    check({"topics": ["no such topic"]}, lambda a: False)
    domains = sorted(expected.providers, key=lambda d: -len(expected.providers[d].articles))[:3]
    for domain in domains:
        check({"providers": [f"  WWW.{domain.upper()} "]}, lambda a, d=domain: a.provider == d)
    check({"providers": domains}, lambda a: a.provider in domains)
    for kind in {a.type for a in articles if a.type}:
        check(
            {"types": [f" {kind.upper()} "]},
            lambda a, k=kind: (a.type or "").strip().lower() == k.strip().lower(),
        )
    dates = sorted({a.published for a in articles if a.published})
    if dates:
        middle = dates[len(dates) // 2]
        check(
            {"publishedAfter": middle.isoformat()},
            lambda a: a.published is not None and a.published > middle,
        )
        check(
            {"publishedBefore": middle.isoformat()},
            lambda a: a.published is not None and a.published < middle,
        )
        naive = middle.replace(tzinfo=None).isoformat()
        check(
            {"publishedBefore": naive}, lambda a: a.published is not None and a.published < middle
        )
    for quality in sorted({a.quality for a in articles if a.quality is not None})[::7]:
        check(
            {"minQuality": quality}, lambda a, q=quality: a.quality is not None and a.quality >= q
        )
    for heat in sorted({a.heat for a in articles if a.heat is not None})[::7]:
        check({"minHeat": heat}, lambda a, h=heat: a.heat is not None and a.heat >= h)
    check({"hasRecord": True}, lambda a: a.has_record)
    check({"hasRecord": False}, lambda a: not a.has_record)
    check({"topics": []}, lambda a: True)
    check({}, lambda a: True)
    # Every word of a title, and a prefix of its longest word, find that article.
    for article in articles[:: max(1, len(articles) // 15)]:
        words = word_list(article.title)
        longest = max(words, key=len)
        text = " ".join([*words[:3], longest[: max(1, len(longest) - 2)]]).upper()
        check({"text": text}, lambda a, t=text: text_matches(a, t))
    check({"text": "zzqqxx"}, lambda a: False)
    if dates and domains:
        combined = {"providers": domains, "publishedAfter": dates[0].isoformat(), "hasRecord": True}
        check(
            combined,
            lambda a: (
                a.provider in domains
                and a.has_record
                and a.published is not None
                and a.published > dates[0]
            ),
        )


def text_matches(article: ArticleRecord, text: str) -> bool:
    present = word_list(article.title) + word_list(article.excerpt)
    return all(any(w.startswith(q) for w in present) for q in word_list(text))


# Orders: each field both ways, ties by url ascending, missing values last.

ORDER_VALUES = {
    "PUBLISHED_DATE_TIME": lambda a: a.published,
    "QUALITY": lambda a: a.quality,
    "HEAT": lambda a: a.heat,
    "TITLE": lambda a: a.title,
}


def expected_order(articles: list[ArticleRecord], field: str, direction: str) -> list[str]:
    value = ORDER_VALUES[field]
    present = [a for a in articles if value(a) is not None]
    missing = sorted((a for a in articles if value(a) is None), key=lambda a: a.url)
    # Descending by value, ascending by URL among equals: sort keys by hand, no reversal.
    groups: dict[Any, list[ArticleRecord]] = {}
    for article in present:
        groups.setdefault(value(article), []).append(article)
    keys = sorted(groups, reverse=direction == "DESC")
    out = [a.url for key in keys for a in sorted(groups[key], key=lambda a: a.url)]
    return out + [a.url for a in missing]


@pytest.mark.parametrize("field", sorted(ORDER_VALUES))
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_orders(case: tuple[ContentGraph, Records], field: str, direction: str) -> None:
    graph, expected = case
    articles = list(expected.articles.values())
    order = f"orderBy: {{field: {field}, direction: {direction}}}"
    assert all_pages(graph, "articles", ", " + order, 50) == expected_order(
        articles, field, direction
    )
    # The same order over one provider's list, with a filter on top.
    domain = max(expected.providers, key=lambda d: len(expected.providers[d].articles))
    data = run(
        graph,
        f"""query($d: String!) {{ provider(domain: $d) {{
            articles(first: 100, {order}, filter: {{hasRecord: true}})
            {{ nodes {{ url }} }} }} }}""",
        d=domain,
    )["provider"]["articles"]["nodes"]
    mine = [a for a in articles if a.provider == domain and a.has_record]
    assert [n["url"] for n in data] == expected_order(mine, field, direction)[:100]


def test_default_order_equals_explicit(case: tuple[ContentGraph, Records]) -> None:
    graph, expected = case
    explicit = all_pages(
        graph, "articles", ", orderBy: {field: PUBLISHED_DATE_TIME, direction: DESC}", 30
    )
    assert explicit == expected.ordered


@pytest.fixture(scope="module")
def data_case() -> tuple[ContentGraph, Records]:
    if not data_set("data").is_dir():
        pytest.skip("data/ is absent")
    return load(data_set("data")).graph, records("data")


@st.composite
def article_filters(draw: st.DrawFn, expected: Records) -> dict[str, Any]:
    articles = list(expected.articles.values())
    conditions: dict[str, Any] = {}
    if draw(st.booleans()):
        conditions["topics"] = draw(st.lists(st.sampled_from(sorted(expected.topics)), max_size=3))
    if draw(st.booleans()):
        conditions["providers"] = draw(
            st.lists(st.sampled_from(sorted(expected.providers)), max_size=3)
        )
    if draw(st.booleans()):
        conditions["types"] = draw(st.lists(st.sampled_from(["article", "video", "x"]), max_size=2))
    if draw(st.booleans()):
        conditions["minQuality"] = draw(st.integers(0, 200))
    if draw(st.booleans()):
        conditions["hasRecord"] = draw(st.booleans())
    if draw(st.booleans()):
        title = word_list(draw(st.sampled_from(articles)).title)
        conditions["text"] = " ".join(w[: draw(st.integers(1, len(w)))] for w in title[:2])
    return conditions


def keeps(article: ArticleRecord, conditions: dict[str, Any]) -> bool:
    if conditions.get("topics") and not set(conditions["topics"]) & set(article.topics):
        return False
    if conditions.get("providers") and article.provider not in conditions["providers"]:
        return False
    if conditions.get("types") and (article.type or "").strip().lower() not in conditions["types"]:
        return False
    if "minQuality" in conditions and (
        article.quality is None or article.quality < conditions["minQuality"]
    ):
        return False
    if "hasRecord" in conditions and article.has_record != conditions["hasRecord"]:
        return False
    return "text" not in conditions or text_matches(article, conditions["text"])


@given(data=st.data())
@settings(max_examples=60, deadline=None)
def test_any_combination_of_conditions(
    data_case: tuple[ContentGraph, Records], data: st.DataObject
) -> None:
    graph, expected = data_case
    conditions = data.draw(article_filters(expected))
    result = run(graph, FILTER_QUERY, filter=conditions)["articles"]
    want = [url for url in expected.ordered if keeps(expected.articles[url], conditions)]
    assert result["totalCount"] == len(want)
    assert [node["url"] for node in result["nodes"]] == want[:100]
