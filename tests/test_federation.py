"""The Federation v2 subgraph over a live server: `_service`, `_entities` and their limits.

The gateway's side (composition, query plans across two subgraphs) is in
test_federation_gateway.py; here each answer is checked against what the root lookups of
the same server say, so nothing depends on the data's particular values.
"""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
from conftest import LiveServer

from resolvers.entities import MAX_REPRESENTATIONS

ENTITIES = """
query Entities($representations: [_Any!]!) {
  _entities(representations: $representations) {
    __typename
    ... on Article { id url title }
    ... on Provider { domain name }
    ... on Topic { slug name }
  }
}
"""


def post(server: LiveServer, query: str, variables: dict[str, Any] | None = None) -> httpx.Response:
    return httpx.post(
        server.graphql_url, json={"query": query, "variables": variables or {}}, timeout=30
    )


@pytest.fixture(scope="module")
def known(data_server: LiveServer) -> dict[str, Any]:
    """One article, provider and topic of the served data, as the root fields give them."""
    data = data_server.graphql(
        "{ articles(first: 1, filter: {hasRecord: true}) { nodes { id url title } }"
        "  providers(first: 1) { nodes { domain name } } topics(first: 1) { nodes { slug name } } }"
    )["data"]
    return {
        "article": data["articles"]["nodes"][0],
        "provider": data["providers"]["nodes"][0],
        "topic": data["topics"]["nodes"][0],
    }


def test_service_sdl_declares_the_keys(data_server: LiveServer) -> None:
    sdl = data_server.graphql("{ _service { sdl } }")["data"]["_service"]["sdl"]
    assert re.search(r'@link\(url: "https://specs.apollo.dev/federation/v2\.\d+"', sdl)
    keys = {
        name: re.findall(r'@key\(fields: "(\w+)"', line)
        for name, line in re.findall(r"^type (\w+) implements Node (.*)\{$", sdl, re.MULTILINE)
    }
    assert keys == {"Article": ["id", "url"], "Provider": ["domain"], "Topic": ["slug"]}
    # A gateway knows the federation directives from the @link; their definitions are
    # only in the SDL served to people (/schema.graphql), which must stand alone.
    assert "directive @key" not in sdl
    served = httpx.get(f"{data_server.base_url}/schema.graphql").text
    assert "directive @key" in served and sdl.split("\n", 1)[0] in served


def test_entities_are_found_by_every_key(data_server: LiveServer, known: dict[str, Any]) -> None:
    article, provider, topic = known["article"], known["provider"], known["topic"]
    representations = [
        {"__typename": "Topic", "slug": topic["slug"]},
        {"__typename": "Article", "url": article["url"]},
        {"__typename": "Provider", "domain": provider["domain"].upper()},
        {"__typename": "Article", "id": article["id"]},
        # Keys that name nothing: null, and no error.
        {"__typename": "Article", "url": article["url"] + "-gone"},
        {"__typename": "Provider", "domain": "no-such-provider.example"},
        {"__typename": "Topic", "slug": "no-such-topic-at-all"},
    ]
    answer = data_server.graphql(ENTITIES, variables={"representations": representations})
    assert "errors" not in answer
    assert answer["data"]["_entities"] == [
        {"__typename": "Topic", **topic},
        {"__typename": "Article", **article},
        {"__typename": "Provider", **provider},
        {"__typename": "Article", **article},
        None,
        None,
        None,
    ]


def test_a_bad_representation_is_null_and_an_error_at_its_index(
    data_server: LiveServer, known: dict[str, Any]
) -> None:
    provider = known["provider"]
    good = {"__typename": "Provider", "domain": provider["domain"]}
    bad: list[tuple[object, str]] = [
        ({"domain": provider["domain"]}, "no __typename"),
        ({"__typename": "Image", "url": "x"}, "'Image' is not an entity"),
        ("Provider", "must be an object"),
        (["Provider"], "must be an object"),
        ({"__typename": "Article", "title": "x"}, "no key field: give 'id' or 'url'"),
        ({"__typename": "Provider", "domain": 7}, "'domain' must be a string, not a number"),
        ({"__typename": "Article", "id": "not-an-id"}, "Invalid ID"),
    ]
    representations = [good, *(item for item, _ in bad), good]
    response = post(data_server, ENTITIES, {"representations": representations})
    assert response.status_code == 200, response.text
    answer = response.json()
    found = {"__typename": "Provider", **provider}
    assert answer["data"]["_entities"] == [found, *([None] * len(bad)), found]
    errors = sorted(answer["errors"], key=lambda error: error["path"][1])
    assert [error["path"] for error in errors] == [
        ["_entities", index] for index in range(1, len(bad) + 1)
    ]
    for error, (_, wanted) in zip(errors, bad, strict=True):
        assert wanted in error["message"]
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert error["locations"]


def test_too_many_representations_are_refused(
    data_server: LiveServer, known: dict[str, Any]
) -> None:
    topic = {"__typename": "Topic", "slug": known["topic"]["slug"]}
    at_the_cap = data_server.graphql(
        ENTITIES, variables={"representations": [topic] * MAX_REPRESENTATIONS}
    )
    assert "errors" not in at_the_cap
    assert len(at_the_cap["data"]["_entities"]) == MAX_REPRESENTATIONS

    response = post(data_server, ENTITIES, {"representations": [topic] * (MAX_REPRESENTATIONS + 1)})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["data"] is None
    [error] = answer["errors"]
    assert error["extensions"] == {
        "code": "MAX_REPRESENTATIONS_EXCEEDED",
        "limit": MAX_REPRESENTATIONS,
    }
    assert f"{MAX_REPRESENTATIONS + 1:,} representations" in error["message"]


def test_entities_cost_one_node_per_representation_times_what_they_select(
    data_server: LiveServer, known: dict[str, Any]
) -> None:
    provider = {"__typename": "Provider", "domain": known["provider"]["domain"]}
    query = """
    query($representations: [_Any!]!) {
      _entities(representations: $representations) {
        ... on Provider { articles(first: 100) { nodes { id } } }
      }
    }
    """
    answer = data_server.graphql(query, variables={"representations": [provider] * 3})
    assert answer["extensions"]["cost"]["requested"] == 3 + 3 * 100

    response = post(data_server, query, {"representations": [provider] * 600})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["errors"][0]["extensions"]["code"] == "MAX_COST_EXCEEDED"
    assert answer["extensions"]["cost"]["requested"] == 600 + 600 * 100


def test_representations_written_in_the_document(
    data_server: LiveServer, known: dict[str, Any]
) -> None:
    slug = known["topic"]["slug"]
    # A list literal is counted like a variable's list; a single object is coerced to a
    # list of one, as GraphQL coerces any single value given for a list.
    listed = data_server.graphql(
        f'{{ _entities(representations: [{{__typename: "Topic", slug: "{slug}"}}]) '
        "{ ... on Topic { slug } } }"
    )
    single = data_server.graphql(
        f'{{ _entities(representations: {{__typename: "Topic", slug: "{slug}"}}) '
        "{ ... on Topic { slug } } }"
    )
    for answer in (listed, single):
        assert answer["data"]["_entities"] == [{"slug": slug}]
        assert answer["extensions"]["cost"]["requested"] == 1


def test_representations_that_are_not_a_list_of_values_get_a_client_error(
    data_server: LiveServer,
) -> None:
    for variables in ({"representations": None}, {"representations": [None]}, {}):
        response = post(data_server, ENTITIES, variables)
        # 200 for a plain JSON client, 400 for one that accepts graphql-response+json:
        # the GraphQL-over-HTTP rule the view follows; never a 5xx.
        assert response.status_code in (200, 400), response.text
        answer = response.json()
        assert answer.get("data") is None
        [error] = answer["errors"]
        assert "representations" in error["message"]
