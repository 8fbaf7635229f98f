"""The limits on queries: cost, depth, aliases, tokens, batches and time, on live servers.

Costs are worked out here by hand from the cost formula (content_graph/limits.py) and
from the records on disk; the server's own count must agree, and a query one over a
limit must be refused with a message that states the limit.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from conftest import DATA_DIR, LiveServer, start_server
from graphql import get_named_type, is_leaf_type
from records import Records, records

import resolvers.articles
from content_graph.execution import Execution
from content_graph.limits import CostModel, Size, data_list_sizes
from content_graph.settings import Limits
from graph import load
from schema import schema

# A server with small limits, so that "just under" and "just over" are cheap to ask.
SMALL = {
    "CONTENT_GRAPH_MAX_COST": "100",
    "CONTENT_GRAPH_MAX_DEPTH": "5",
    "CONTENT_GRAPH_MAX_ALIASES": "3",
    "CONTENT_GRAPH_MAX_TOKENS": "60",
    "CONTENT_GRAPH_MAX_BATCH": "2",
}
# A server whose only tight limit is time.
SLOW = {"CONTENT_GRAPH_TIMEOUT": "1", "CONTENT_GRAPH_MAX_COST": str(10**12)}


def server_with(env: dict[str, str], workdir: Path) -> LiveServer:
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        return start_server(DATA_DIR, workdir)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = server_with(SMALL, tmp_path_factory.mktemp("small"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = server_with(SLOW, tmp_path_factory.mktemp("slow"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def data() -> Records:
    return records("data")


def ask(server: LiveServer, query: str, **body: Any) -> dict[str, Any]:
    response = httpx.post(server.graphql_url, json={"query": query, **body}, timeout=30)
    assert response.status_code == 200, response.text
    assert "Traceback" not in response.text
    return response.json()


def refusal(answer: dict[str, Any], code: str) -> str:
    """The one error of a refused request, checked to be that limit's; its message."""
    assert "data" not in answer, answer
    [error] = answer["errors"]
    assert error["extensions"]["code"] == code
    return error["message"]


def longest_related(data: Records) -> int:
    return max(len(article.related) for article in data.articles.values())


# --- cost ------------------------------------------------------------------------------


def test_costs_computed_by_hand(data_server: LiveServer, data: Records) -> None:
    related = longest_related(data)
    topics = max(len(article.topics) for article in data.articles.values())
    url = json.dumps(next(iter(data.articles)))
    queries = {
        # One node.
        f"{{ article(url: {url}) {{ title }} }}": 1,
        # A connection counts its page (20 by default) even for totalCount alone.
        "{ articles { totalCount } }": 20,
        # Edges and nodes of one connection are the same items: 5, not 10.
        "{ articles(first: 5) { edges { node { id } } nodes { id } } }": 5,
        # first and last together: the smaller page.
        "{ articles(first: 50, last: 3) { nodes { id } } }": 3,
        # Aliases are separate fields; related is the longest list in the data.
        "{ a: articles(first: 2) { nodes { related { id } } } "
        "b: topics(first: 4) { nodes { id } } }": (2 + 2 * related + 4),
        # Nested pages multiply; provider is one node per article.
        "{ providers(first: 3) { nodes { "
        "articles(first: 4) { nodes { provider { name } } } } } }": (3 + 3 * 4 + 3 * 4 * 1),
        # similar and topics(first) take their schema defaults (5 and 10).
        "{ articles(first: 2) { nodes { similar { article { topics { name } } } } } }": (
            2 + 2 * 5 + 2 * 5 * topics
        ),
        "{ topics(first: 2) { nodes { "
        "relatedTopics { topic { id } } providers(first: 3) { count } } } }": (2 + 2 * 10 + 2 * 3),
        # nodes(ids) counts its IDs; path counts maxHops + 1.
        '{ nodes(ids: ["a", "b", "c"]) { id } path(from: "a", to: "b", maxHops: 2) { id } }': 3 + 3,
        # Scalars and stats cost nothing.
        "{ stats { articles } __typename }": 0,
    }
    for query, expected in queries.items():
        answer = ask(data_server, query)
        assert answer["extensions"]["cost"] == {"requested": expected, "limit": 50_000}, query


def test_fragments_and_variables_count_where_they_are_spread(
    data_server: LiveServer, data: Records
) -> None:
    related = longest_related(data)
    query = """
        query Walk($outer: Int = 7, $inner: Int) {
          articles(first: $outer) {
            nodes { ...Links relatedFrom(first: $inner) { nodes { ...Links } } }
          }
          node(id: "x") {
            ... on Article { ...Links }
            ... on Provider { articles(last: 2) { nodes { id } } }
          }
        }
        fragment Links on Article { related { ...Brief } }
        fragment Brief on Article { id provider { id } }
    """
    links = related + related * 1  # related, and each one's provider
    # With the default $outer (7) and $inner unset (the default page, 20):
    expected = 7 + 7 * links + 7 * 20 + 7 * 20 * links + 1 + 1 * links + 1 * 2
    answer = ask(data_server, query)
    assert answer["extensions"]["cost"]["requested"] == expected
    # Variables change the cost, so it is not kept per document alone.
    answer = ask(data_server, query, variables={"outer": 3, "inner": 4})
    expected = 3 + 3 * links + 3 * 4 + 3 * 4 * links + 1 + links + 2
    assert answer["extensions"]["cost"]["requested"] == expected


def test_exponential_fragments_are_costed_without_being_walked(data_server: LiveServer) -> None:
    # Each fragment spreads the next one twice inside a page of 100: 30 levels ask for
    # 100^30 nodes, in a document of a few hundred tokens.
    levels = 6
    fragments = [
        f"fragment F{i} on Article {{ a: relatedFrom(first: 100) {{ nodes {{ ...F{i + 1} }} }} }}"
        for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Article {{ id }}")
    query = "{ articles(first: 1) { nodes { ...F0 } } } " + " ".join(fragments)
    answer = ask(data_server, query)
    expected = 1 + sum(100**i for i in range(1, levels + 1))
    assert answer["extensions"]["cost"]["requested"] == expected
    message = refusal(answer, "MAX_COST_EXCEEDED")
    assert f"{expected:,}" in message and "50,000" in message


def test_the_cost_limit_just_under_and_just_over(small: LiveServer) -> None:
    query = (
        "query($n: Int!) { providers(first: 10) { nodes { articles(first: $n) { totalCount } } } }"
    )
    under = ask(small, query, variables={"n": 9})  # 10 + 10 * 9 = 100
    assert "errors" not in under
    assert under["extensions"]["cost"] == {"requested": 100, "limit": 100}
    over = ask(small, query, variables={"n": 10})  # 110
    message = refusal(over, "MAX_COST_EXCEEDED")
    assert "cost is 110" in message and "cost limit of 100" in message
    assert over["extensions"]["cost"] == {"requested": 110, "limit": 100}


def test_the_default_cost_limit_is_50000(data_server: LiveServer) -> None:
    # 80 + 80 * 48 + 80 * 48 * 12 = 50,000 exactly; one more node is over.
    walk = "articles(first: 80) { nodes { relatedFrom(first: 48) { nodes { similar(first: 12) {"
    query = "{ " + walk + " score } } } } } }"
    under = ask(data_server, query)
    assert under["extensions"]["cost"] == {"requested": 50_000, "limit": 50_000}
    assert "errors" not in under
    over = ask(data_server, query.replace("{ ", '{ article(url: "x") { id } ', 1))
    assert over["extensions"]["cost"]["requested"] == 50_001
    message = refusal(over, "MAX_COST_EXCEEDED")
    assert "cost is 50,001, over the cost limit of 50,000" in message


def test_a_refused_query_is_400_for_graphql_response_json(
    small: LiveServer,
) -> None:
    response = httpx.post(
        small.graphql_url,
        json={"query": "{ articles(first: 100) { totalCount } stats { articles } }"},
        headers={"accept": "application/graphql-response+json"},
        timeout=30,
    )
    # 100 is within the limit; one more node is not.
    assert response.status_code == 200
    response = httpx.post(
        small.graphql_url,
        json={"query": '{ articles(first: 100) { totalCount } article(url: "x") { id } }'},
        headers={"accept": "application/graphql-response+json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert "data" not in response.json()


def test_a_query_over_the_cost_limit_runs_no_resolver(monkeypatch: pytest.MonkeyPatch) -> None:
    graph = load(DATA_DIR).graph
    calls: list[object] = []
    list_articles = resolvers.articles.list_articles

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return list_articles(*args, **kwargs)

    monkeypatch.setattr(resolvers.articles, "list_articles", counted)
    execution = Execution(schema, Limits(max_cost=10))

    def run(query: str) -> Any:
        async def go() -> Any:
            context = {"graph": graph}
            return await execution.run(
                query, None, None, graph=graph, context=context, deadline=float("inf")
            )

        return anyio.run(go)

    refused = run("{ articles(first: 11) { totalCount } }")
    assert refused.errors[0].extensions["code"] == "MAX_COST_EXCEEDED"
    assert calls == []
    answered = run("{ articles(first: 10) { totalCount } }")
    assert answered.errors is None
    assert len(calls) == 1


def test_every_list_in_the_schema_has_a_size_in_the_cost_formula() -> None:
    # A list field added later without a rule would escape the cost limit.
    model = CostModel(schema._schema)
    sizes = data_list_sizes(load(DATA_DIR).graph)
    for type_name, named in schema._schema.type_map.items():
        for name, definition in getattr(named, "fields", {}).items():
            item = get_named_type(definition.type)
            if is_leaf_type(item) or not hasattr(named, "interfaces"):
                continue
            rule = model.rules[type_name, name]
            if rule.size is Size.DATA and not type_name.startswith("__"):
                assert rule.key in sizes or rule.key in model.schema_sizes, (type_name, name)


# --- depth, aliases, tokens, batches ---------------------------------------------------


def test_the_depth_limit(small: LiveServer) -> None:
    five = "{ providers(first: 1) { nodes { articles(first: 1) { nodes { title } } } } }"
    assert "errors" not in ask(small, five)
    six = "{ providers(first: 1) { nodes { articles(first: 1) { nodes { provider { name } } } } } }"
    message = refusal(ask(small, six), "MAX_DEPTH_EXCEEDED")
    assert "6 fields deep" in message and "depth limit of 5" in message
    # Fragments count where they are spread.
    spread = (
        "{ providers(first: 1) { nodes { ...A } } } "
        "fragment A on Provider { articles(first: 1) { nodes { provider { name } } } }"
    )
    assert "depth limit of 5" in refusal(ask(small, spread), "MAX_DEPTH_EXCEEDED")


def test_the_alias_limit(small: LiveServer) -> None:
    three = "{ a: stats { articles } b: stats { topics } c: stats { providers } }"
    assert "errors" not in ask(small, three)
    four = "{ a: stats { articles } b: stats { topics } c: stats { providers } d: __typename }"
    message = refusal(ask(small, four), "MAX_ALIASES_EXCEEDED")
    assert "4 aliases" in message and "alias limit of 3" in message


def test_validation_work_is_bounded(data_server: LiveServer) -> None:
    # One field repeated: graphql-core compares the copies pairwise. At its own budget it
    # accepts 300 copies, and took 0.8 s of CPU to stop at 1,240 (the most the token
    # limit allows). Refused at ours, with the limit's name and value.
    repeated = "{ " + "stats { articles } " * 300 + "}"
    answer = ask(data_server, repeated)
    message = refusal(answer, "MAX_VALIDATION_WORK_EXCEEDED")
    assert "limit of 50,000 steps" in message
    assert answer["errors"][0]["extensions"]["limit"] == 50_000
    # Repeated a few times, the same field is valid and answered once.
    few = "{ " + "stats { articles } " * 20 + "}"
    assert ask(data_server, few)["data"]["stats"]["articles"] > 0


def test_the_token_limit(small: LiveServer) -> None:
    def document(tokens: int) -> str:
        # `{ stats { articles` ... `} }` is 6 tokens; each __typename is one more.
        return "{ stats { articles " + "__typename " * (tokens - 6) + "} }"

    assert "errors" not in ask(small, document(60))
    message = refusal(ask(small, document(61)), "MAX_TOKENS_EXCEEDED")
    assert "token limit of 60" in message
    # Comments count too: a flood of them is no cheaper to lex than tokens.
    flood = "{ stats { articles } }" + "\n#" * 100
    assert "token limit of 60" in refusal(ask(small, flood), "MAX_TOKENS_EXCEEDED")


def test_batches_are_off_by_default(data_server: LiveServer) -> None:
    batch = [{"query": "{ stats { articles } }"}]
    response = httpx.post(data_server.graphql_url, json=batch, timeout=30)
    assert response.status_code == 400
    [error] = response.json()["errors"]
    # The refusal says how to turn batching on.
    assert "--max-batch" in error["message"] and "CONTENT_GRAPH_MAX_BATCH" in error["message"]
    assert error["extensions"]["code"] == "BAD_REQUEST"


def test_batches_when_enabled_are_bounded(small: LiveServer, data: Records) -> None:
    two = [{"query": "{ stats { articles } }"}, {"query": "{ stats { topics } }"}]
    response = httpx.post(small.graphql_url, json=two, timeout=30)
    assert response.status_code == 200
    answers = response.json()
    assert [answer["data"] for answer in answers] == [
        {"stats": {"articles": len(data.articles)}},
        {"stats": {"topics": len(data.topics)}},
    ]
    assert all(answer["extensions"]["cost"]["limit"] == 100 for answer in answers)
    response = httpx.post(small.graphql_url, json=[*two, two[0]], timeout=30)
    assert response.status_code == 400
    message = response.json()["errors"][0]["message"]
    assert "batch limit" in message and "1 to 2" in message and "has 3" in message


# --- time ------------------------------------------------------------------------------

# Four nested pages of 100 similar articles: 10^8 items, far more than a second's work.
ENDLESS = """{ articles(first: 100) { nodes { similar(first: 100) { article {
  similar(first: 100) { article { similar(first: 100) { article {
  similar(first: 100) { article { title } } } } } } } } } } }"""


def test_a_request_past_its_time_limit_stops_and_others_are_answered_meanwhile(
    slow: LiveServer, data: Records
) -> None:
    outcome: dict[str, httpx.Response] = {}

    def run_endless() -> None:
        outcome["endless"] = httpx.post(slow.graphql_url, json={"query": ENDLESS}, timeout=60)

    endless = threading.Thread(target=run_endless)
    endless.start()
    answered_meanwhile = 0
    with httpx.Client(timeout=30) as client:
        while endless.is_alive():
            quick = client.post(slow.graphql_url, json={"query": "{ stats { articles } }"})
            assert quick.json()["data"] == {"stats": {"articles": len(data.articles)}}
            answered_meanwhile += endless.is_alive()
    endless.join()
    # The event loop is never held by the long request: quick ones keep being answered
    # while it runs (a blocked loop would answer them only after it).
    assert answered_meanwhile >= 5
    response = outcome["endless"]
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None
    [error] = body["errors"]
    assert error["message"] == (
        "The request took longer than the time limit of 1 s and was stopped."
    )
    assert error["extensions"] == {"code": "TIMEOUT", "limit": 1.0}
    # Still healthy afterwards.
    assert httpx.get(f"{slow.base_url}/healthz", timeout=30).status_code == 200
    assert ask(slow, "{ stats { topics } }")["data"] == {"stats": {"topics": len(data.topics)}}


def test_a_request_within_its_time_limit_is_answered(slow: LiveServer, data: Records) -> None:
    answer = ask(slow, "{ articles(first: 100) { nodes { similar(first: 3) { score } } } }")
    assert "errors" not in answer
    assert len(answer["data"]["articles"]["nodes"]) == min(100, len(data.articles))


def test_the_deadline_is_checked_inline_too() -> None:
    # A cheap operation runs on the event loop; a passed deadline stops it all the same.
    graph = load(DATA_DIR).graph
    execution = Execution(schema, Limits(timeout=3))

    async def run(deadline: float) -> Any:
        return await execution.run(
            "{ articles(first: 2) { nodes { title } } }",
            None,
            None,
            graph=graph,
            context={"graph": graph},
            deadline=deadline,
        )

    stopped = anyio.run(run, 0.0)
    assert stopped.data is None
    assert [error.message for error in stopped.errors] == [
        "The request took longer than the time limit of 3 s and was stopped."
    ]
    answered = anyio.run(run, float("inf"))
    assert answered.errors is None and len(answered.data["articles"]["nodes"]) == 2
