"""Providers, topics, their counts, node lookups, paths and stats, against the records."""

from __future__ import annotations

import json
from collections import Counter, deque
from itertools import pairwise
from typing import Any

import pytest

from graph import ContentGraph
from tests.records import CORPUS, DATA_SETS, Records
from tests.schema_cases import loaded, run


@pytest.fixture(scope="module", params=DATA_SETS)
def case(request: pytest.FixtureRequest) -> tuple[str, ContentGraph, Records]:
    return (request.param, *loaded(request.param))


def all_nodes(graph: ContentGraph, field: str, selection: str, order: str = "") -> list[Any]:
    out: list[Any] = []
    after = None
    while True:
        data = run(
            graph,
            f"query($after: String) {{ {field}(first: 5, after: $after {order}) "
            f"{{ totalCount nodes {{ {selection} }} pageInfo {{ hasNextPage endCursor }} }} }}",
            after=after,
        )[field]
        out += data["nodes"]
        if not data["pageInfo"]["hasNextPage"]:
            assert data["totalCount"] == len(out)
            return out
        after = data["pageInfo"]["endCursor"]


def test_stats(case: tuple[str, ContentGraph, Records]) -> None:
    name, graph, expected = case
    stats = run(
        graph,
        "{ stats { articles articlesWithRecord providers topics relatedLinks filesLoaded "
        "filesSkipped loadedAt version } }",
    )["stats"]
    assert stats["articles"] == len(expected.articles)
    assert stats["articlesWithRecord"] == sum(a.has_record for a in expected.articles.values())
    assert stats["providers"] == len(expected.providers)
    assert stats["topics"] == len(expected.topics)
    assert stats["relatedLinks"] == expected.related_links
    assert stats["filesLoaded"] == expected.files_loaded
    assert stats["filesSkipped"] == len(expected.skipped)
    assert stats["loadedAt"].endswith("+00:00")
    assert stats["version"]
    if name != "data":
        wanted = json.loads((CORPUS / "EXPECTED.json").read_text())[name]
        assert {key: stats[key] for key in stats if key in wanted} == {
            key: wanted[key] for key in stats if key in wanted
        }


def test_providers(case: tuple[str, ContentGraph, Records]) -> None:
    _, graph, expected = case
    served = all_nodes(
        graph,
        "providers",
        "id domain name articleCount images { url width height } "
        "articles(first: 100) { totalCount nodes { url } }",
    )
    assert [p["domain"] for p in served] == sorted(expected.providers)
    for provider in served:
        want = expected.providers[provider["domain"]]
        assert provider["name"] == want.name
        assert provider["articleCount"] == len(want.articles)
        assert provider["articles"]["totalCount"] == len(want.articles)
        assert [n["url"] for n in provider["articles"]["nodes"]] == want.articles[:100]
        images = [{k: i[k] for k in ("url", "width", "height")} for i in provider["images"]]
        if want.images is not None:
            assert images == [{k: i[k] for k in ("url", "width", "height")} for i in want.images]
        else:
            candidates = [
                [{k: i[k] for k in ("url", "width", "height")} for i in a.provider_images]
                for a in expected.articles.values()
                if a.provider == want.domain and a.provider_images
            ]
            assert images in candidates if candidates else images == []
        found = run(
            graph,
            "query($d: String!) { provider(domain: $d) { id } }",
            d=f" WWW.{want.domain.upper()} ",
        )["provider"]
        assert found == {"id": provider["id"]}
    assert run(graph, '{ provider(domain: "nowhere.invalid") { id } }')["provider"] is None


def test_topics(case: tuple[str, ContentGraph, Records]) -> None:
    _, graph, expected = case
    served = all_nodes(
        graph,
        "topics",
        "id name slug keywords hashtags articleCount articles(first: 100) { nodes { url } }",
    )
    assert [t["slug"] for t in served] == sorted(expected.topics)
    for topic in served:
        want = expected.topics[topic["slug"]]
        assert topic["name"] == want.name
        assert topic["keywords"] == want.keywords
        assert topic["hashtags"] == want.hashtags
        assert topic["articleCount"] == len(want.articles)
        assert [n["url"] for n in topic["articles"]["nodes"]] == want.articles[:100]
        for spelling in (want.name.upper(), want.slug, f" {want.name.lower()} "):
            found = run(graph, "query($n: String!) { topic(name: $n) { id } }", n=spelling)
            assert found["topic"] == {"id": topic["id"]}
    assert run(graph, '{ topic(name: "no such topic") { id } }')["topic"] is None


def ranked(
    items: list[tuple[str, int]], names: dict[str, str], first: int
) -> list[tuple[str, int]]:
    """Most first, ties by name ascending then key: sorted by hand from the records."""
    return sorted(items, key=lambda pair: (-pair[1], names[pair[0]], pair[0]))[:first]


def test_counts(case: tuple[str, ContentGraph, Records]) -> None:
    _, graph, expected = case
    topic_names = {slug: t.name for slug, t in expected.topics.items()}
    provider_names = {domain: p.name for domain, p in expected.providers.items()}
    for domain, provider in expected.providers.items():
        counted = Counter(s for url in provider.articles for s in expected.articles[url].topics)
        data = run(
            graph,
            "query($d: String!) { provider(domain: $d) { topics(first: 100) "
            "{ topic { slug } count } top: topics { count } } }",
            d=domain,
        )["provider"]
        want = ranked(list(counted.items()), topic_names, 100)
        assert [(t["topic"]["slug"], t["count"]) for t in data["topics"]] == want
        assert len(data["top"]) == min(10, len(want))
    for slug, topic in expected.topics.items():
        articles = [expected.articles[url] for url in topic.articles]
        related = Counter(s for a in articles for s in a.topics if s != slug)
        providers = Counter(a.provider for a in articles if a.provider)
        data = run(
            graph,
            "query($n: String!) { topic(name: $n) { "
            "relatedTopics(first: 100) { topic { slug } count } "
            "providers(first: 3) { provider { domain } count } } }",
            n=slug,
        )["topic"]
        assert [(t["topic"]["slug"], t["count"]) for t in data["relatedTopics"]] == ranked(
            list(related.items()), topic_names, 100
        )
        assert [(p["provider"]["domain"], p["count"]) for p in data["providers"]] == ranked(
            list(providers.items()), provider_names, 3
        )


@pytest.mark.parametrize(
    ("field", "direction"),
    [(f, d) for f in ("ARTICLE_COUNT", "NAME", "DOMAIN") for d in ("ASC", "DESC")],
)
def test_provider_orders(
    case: tuple[str, ContentGraph, Records], field: str, direction: str
) -> None:
    _, graph, expected = case
    order = f", orderBy: {{field: {field}, direction: {direction}}}"
    served = [p["domain"] for p in all_nodes(graph, "providers", "domain", order)]
    value = {
        "ARTICLE_COUNT": lambda p: len(p.articles),
        "NAME": lambda p: p.name,
        "DOMAIN": lambda p: p.domain,
    }[field]
    tiebreak = {
        "ARTICLE_COUNT": lambda p: (p.name, p.domain),
        "NAME": lambda p: p.domain,
        "DOMAIN": lambda p: p.domain,
    }[field]
    groups: dict[Any, list[Any]] = {}
    for provider in expected.providers.values():
        groups.setdefault(value(provider), []).append(provider)
    want = [
        p.domain
        for key in sorted(groups, reverse=direction == "DESC")
        for p in sorted(groups[key], key=tiebreak)
    ]
    assert served == want


@pytest.mark.parametrize(
    ("field", "direction"), [(f, d) for f in ("ARTICLE_COUNT", "NAME") for d in ("ASC", "DESC")]
)
def test_topic_orders(case: tuple[str, ContentGraph, Records], field: str, direction: str) -> None:
    _, graph, expected = case
    order = f", orderBy: {{field: {field}, direction: {direction}}}"
    served = [t["slug"] for t in all_nodes(graph, "topics", "slug", order)]
    value = (lambda t: len(t.articles)) if field == "ARTICLE_COUNT" else (lambda t: t.name)
    tiebreak = (lambda t: (t.name, t.slug)) if field == "ARTICLE_COUNT" else (lambda t: t.slug)
    groups: dict[Any, list[Any]] = {}
    for topic in expected.topics.values():
        groups.setdefault(value(topic), []).append(topic)
    want = [
        t.slug
        for key in sorted(groups, reverse=direction == "DESC")
        for t in sorted(groups[key], key=tiebreak)
    ]
    assert served == want


def test_node_and_nodes(case: tuple[str, ContentGraph, Records]) -> None:
    _, graph, _ = case
    ids = {
        "Article": run(graph, "{ articles(first: 1) { nodes { id url } } }")["articles"]["nodes"],
        "Provider": run(graph, "{ providers(first: 1) { nodes { id domain } } }")["providers"][
            "nodes"
        ],
        "Topic": run(graph, "{ topics(first: 1) { nodes { id slug } } }")["topics"]["nodes"],
    }
    wanted: list[str] = []
    for kind, nodes in ids.items():
        for node in nodes:
            found = run(
                graph,
                "query($id: ID!) { node(id: $id) { __typename id } }",
                id=node["id"],
            )["node"]
            assert found == {"__typename": kind, "id": node["id"]}
            wanted.append(node["id"])
    unknown = "QXJ0aWNsZTpodHRwczovL25vd2hlcmUuaW52YWxpZA=="  # Article:https://nowhere.invalid
    data = run(graph, "query($ids: [ID!]!) { nodes(ids: $ids) { id } }", ids=[*wanted, unknown])[
        "nodes"
    ]
    assert data == [{"id": value} for value in wanted] + [None]
    # A provider's ID names no article.
    if ids["Provider"]:
        provider_id = ids["Provider"][0]["id"]
        found = run(graph, "query($id: ID) { article(id: $id) { url } }", id=provider_id)
        assert found["article"] is None


def adjacency(expected: Records) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """The undirected content graph, built from the records."""
    edges: dict[tuple[str, str], set[tuple[str, str]]] = {}

    def join(a: tuple[str, str], b: tuple[str, str]) -> None:
        edges.setdefault(a, set()).add(b)
        edges.setdefault(b, set()).add(a)

    for article in expected.articles.values():
        node = ("Article", article.url)
        edges.setdefault(node, set())
        if article.provider:
            join(node, ("Provider", article.provider))
        for topic in article.topics:
            join(node, ("Topic", topic))
        for url in article.related:
            join(node, ("Article", url))
    return edges


def distance(edges: dict[Any, set[Any]], start: Any, end: Any) -> int | None:
    seen = {start: 0}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == end:
            return seen[node]
        for other in edges[node]:
            if other not in seen:
                seen[other] = seen[node] + 1
                queue.append(other)
    return None


PATH = """query($from: ID!, $to: ID!, $hops: Int) { path(from: $from, to: $to, maxHops: $hops) {
  __typename ... on Article { url } ... on Provider { domain } ... on Topic { slug } } }"""


def key(node: dict[str, Any]) -> tuple[str, str]:
    return node["__typename"], node.get("url") or node.get("domain") or node["slug"]


def test_paths(case: tuple[str, ContentGraph, Records]) -> None:
    _, graph, expected = case
    edges = adjacency(expected)
    articles = run(graph, "{ articles(first: 100) { nodes { id url } } }")["articles"]["nodes"]
    sample = articles[:: max(1, len(articles) // 8)]
    for start in sample:
        for end in sample:
            hops = distance(edges, ("Article", start["url"]), ("Article", end["url"]))
            for limit in (2, 6):
                data = run(graph, PATH, **{"from": start["id"], "to": end["id"], "hops": limit})
                chain = data["path"]
                if hops is None or hops > limit:
                    assert chain is None
                    continue
                assert chain is not None
                assert [key(chain[0]), key(chain[-1])] == [
                    ("Article", start["url"]),
                    ("Article", end["url"]),
                ]
                assert len(chain) == hops + 1
                for a, b in pairwise(chain):
                    assert key(b) in edges[key(a)]
    first = articles[0]
    unknown = "VG9waWM6bm8tc3VjaC10b3BpYw=="  # Topic:no-such-topic
    assert run(graph, PATH, **{"from": first["id"], "to": unknown})["path"] is None
    one = run(graph, PATH, **{"from": first["id"], "to": first["id"], "hops": 0})["path"]
    assert one == [{"__typename": "Article", "url": first["url"]}]


@pytest.mark.parametrize(("field", "identity"), [("providers", "domain"), ("topics", "slug")])
def test_root_lists_page_backwards_by_edges(
    case: tuple[str, ContentGraph, Records], field: str, identity: str
) -> None:
    _, graph, expected = case
    keys: list[str] = []
    before = None
    while True:
        data = run(
            graph,
            f"""query($before: String) {{ {field}(last: 4, before: $before) {{ totalCount
                edges {{ cursor node {{ {identity} }} }}
                pageInfo {{ hasPreviousPage hasNextPage startCursor endCursor }} }} }}""",
            before=before,
        )[field]
        edges = data["edges"]
        keys = [edge["node"][identity] for edge in edges] + keys
        info = data["pageInfo"]
        assert info["startCursor"] == (edges[0]["cursor"] if edges else None)
        assert info["endCursor"] == (edges[-1]["cursor"] if edges else None)
        assert info["hasNextPage"] is (before is not None)
        if not info["hasPreviousPage"]:
            break
        before = info["startCursor"]
    every = expected.providers if field == "providers" else expected.topics
    assert keys == sorted(every)
    assert data["totalCount"] == len(every)
