"""Fuzzing the live endpoint: random and mutated documents, variables and requests.

Whatever arrives, the server answers with JSON in the GraphQL shape (`data` and/or
`errors`), never with a 5xx and never with a stack trace. The documents are built from
the schema's own field and argument names, so many of them parse and validate and reach
the cost limit, the resolvers and the deadline; the mutations of real queries reach the
parser's corners. Bounded: a few hundred examples in all.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from conftest import LiveServer
from graphql import (
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    get_named_type,
    get_nullable_type,
    is_enum_type,
    is_list_type,
    is_non_null_type,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content_graph import playground
from resolvers.pagination import encode_cursor
from schema import schema

FIELDS = [
    "articles", "search", "providers", "topics", "article", "provider", "topic", "node",
    "nodes", "path", "stats", "nodes", "edges", "node", "pageInfo", "totalCount", "title",
    "url", "id", "related", "relatedFrom", "similar", "score", "provider", "topics",
    "images", "relatedTopics", "count", "name", "domain", "slug", "articleCount",
    "hasNextPage", "endCursor", "__typename", "__schema", "types", "fields", "ofType",
    "publishedDateTime", "quality", "heat", "hasRecord", "nope", "",
]  # fmt: skip
ARGUMENTS = ["first", "last", "after", "before", "id", "ids", "url", "query", "domain",
             "name", "filter", "orderBy", "maxHops", "from", "to", "bogus"]  # fmt: skip
REAL_QUERIES = [
    playground.DEFAULT_QUERY,
    "query($url: String) { article(url: $url) { id title provider { name } topics { name } } }",
    "{ providers(first: 3, orderBy: {field: ARTICLE_COUNT, direction: DESC}) "
    "{ nodes { name articles(first: 50) { totalCount edges { cursor node { title "
    "related { title url provider { domain } } } } pageInfo { hasNextPage endCursor } } } } }",
    "query Q($t: String!) { topic(name: $t) { name relatedTopics(first: 5) { count topic "
    "{ name } } articles(first: 20) { nodes { title related { title relatedFrom(first: 5) "
    "{ totalCount nodes { title } } } } } } }",
    '{ search(query: "the", first: 20) { totalCount nodes { title url } } }',
    "fragment A on Article { id title similar { score article { ...B } } } "
    "fragment B on Article { url } { articles { nodes { ...A } } }",
    '{ path(from: "x", to: "y", maxHops: 3) { id ... on Article { title } } }',
]

CURSORS = [encode_cursor(offset) for offset in (0, 3, 10**9)] + ["QXJ0aWNsZTox", "bm9wZQ=="]

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=20,
)
variables = st.one_of(
    st.none(),
    st.dictionaries(st.sampled_from(["url", "n", "id", "t", "first", "ids", "x", ""]), json_values),
    json_values,
)

literals = st.one_of(
    st.integers(min_value=-5, max_value=200).map(str),
    st.sampled_from(["2147483648", "1e9", "3.5", "null", "true", "$n", "$url", "[]", '"x"']),
    st.text(max_size=12).map(json.dumps),
    st.just("{field: QUALITY, direction: ASC}"),
    st.just('{topics: ["ai"], minQuality: 5, text: "x"}'),
    st.just('["QXJ0aWNsZTox", "bm9wZQ=="]'),
)
arguments = st.lists(
    st.tuples(st.sampled_from(ARGUMENTS), literals).map(lambda pair: f"{pair[0]}: {pair[1]}"),
    max_size=3,
).map(lambda items: f"({', '.join(items)})" if items else "")


def field(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    alias = st.one_of(st.just(""), st.sampled_from(["a: ", "b: ", "x1: "]))
    return st.builds(
        lambda a, name, args, sub: f"{a}{name}{args}{sub}",
        alias,
        st.sampled_from(FIELDS),
        arguments,
        st.one_of(st.just(""), children.map(lambda inner: f" {{ {inner} }}")),
    )


selections = st.recursive(
    field(st.just("id")),
    lambda inner: st.lists(
        st.one_of(
            field(inner),
            inner.map(lambda text: f"... on Article {{ {text} }}"),
            st.just("...F"),
        ),
        min_size=1,
        max_size=4,
    ).map(" ".join),
    max_leaves=12,
)
documents = st.builds(
    lambda head, body, fragment: f"{head} {{ {body} }}{fragment}",
    st.sampled_from(["", "query", "query Q($n: Int, $url: String)", "mutation", "subscription"]),
    selections,
    st.sampled_from(["", " fragment F on Article { title }", " fragment F on Query { stats }"]),
)


GRAPHQL_SCHEMA = schema._schema
# The variables a schema-built document may use, by the type they stand for.
VARIABLES = {"Int": "n", "String": "url", "ID": "id"}


def argument_value(draw: st.DrawFn, kind: Any) -> str:
    """A literal of the argument's type, often out of range; a variable where one fits."""
    nullable = not is_non_null_type(kind)
    inner = get_nullable_type(kind)
    if is_list_type(inner):
        items = draw(st.integers(min_value=0, max_value=3))
        return "[" + ", ".join(argument_value(draw, inner.of_type) for _ in range(items)) + "]"
    named = get_named_type(kind)
    variable = VARIABLES.get(named.name)
    if variable and nullable and draw(st.integers(0, 3)) == 0:
        return f"${variable}"
    if named.name == "Int":
        return str(draw(st.integers(-3, 130)))
    if named.name in ("String", "ID"):
        return json.dumps(draw(st.one_of(st.text(max_size=10), st.sampled_from(CURSORS))))
    if is_enum_type(named):
        return draw(st.sampled_from(list(named.values)))
    if isinstance(named, GraphQLInputObjectType):
        chosen = draw(st.lists(st.sampled_from(list(named.fields)), max_size=3, unique=True))
        fields = (f"{name}: {argument_value(draw, named.fields[name].type)}" for name in chosen)
        return "{" + ", ".join(fields) + "}"
    return draw(st.sampled_from(['"2020-07-01T16:50:00+00:00"', '"yesterday"', "true"]))


def selection_set(draw: st.DrawFn, parent: Any, depth: int) -> str:
    names = draw(st.lists(st.sampled_from(sorted(parent.fields)), min_size=1, max_size=3))
    parts = []
    for position, name in enumerate(names):
        definition = parent.fields[name]
        arguments = definition.args
        given = sorted(
            name
            for name, argument in arguments.items()
            if is_non_null_type(argument.type) or draw(st.booleans())
        )
        text = ", ".join(f"{arg}: {argument_value(draw, arguments[arg].type)}" for arg in given)
        text = f"f{position}: {name}({text})" if text else f"f{position}: {name}"
        named = get_named_type(definition.type)
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            inner = "__typename" if depth >= 6 else selection_set(draw, named, depth + 1)
            if isinstance(named, GraphQLInterfaceType):
                inner += " ... on Article { title }"
            text += f" {{ {inner} }}"
        parts.append(text)
    return " ".join(parts)


@st.composite
def valid_documents(draw: st.DrawFn) -> str:
    """Documents built from the schema itself: most parse, validate and run."""
    body = selection_set(draw, GRAPHQL_SCHEMA.query_type, 1)
    used = [
        f"${variable}: {type_name}"
        for type_name, variable in VARIABLES.items()
        if f"${variable}" in body
    ]
    head = f"query Q({', '.join(used)})" if used else "query Q"
    return f"{head} {{ {body} }}"


@st.composite
def mutated(draw: st.DrawFn) -> str:
    """A real query with a few random cuts, insertions and repeats."""
    text = draw(st.sampled_from(REAL_QUERIES))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        at = draw(st.integers(min_value=0, max_value=len(text)))
        kind = draw(st.sampled_from(["cut", "insert", "repeat"]))
        if kind == "cut":
            text = text[:at] + text[at + draw(st.integers(min_value=1, max_value=12)) :]
        elif kind == "insert":
            noise = draw(st.one_of(st.text(max_size=6), st.sampled_from(list('{}()[]$@!:."#'))))
            text = text[:at] + noise + text[at:]
        else:
            piece = text[at : at + draw(st.integers(min_value=1, max_value=40))]
            text = text[:at] + piece * draw(st.integers(min_value=2, max_value=5)) + text[at:]
    return text


def check_answer(response: httpx.Response) -> None:
    assert response.status_code < 500, response.text
    assert "Traceback" not in response.text and 'File "' not in response.text
    assert response.headers["content-type"].startswith(
        ("application/json", "application/graphql-response+json")
    ), response.headers["content-type"]
    body = response.json()
    assert isinstance(body, dict), body
    assert set(body) <= {"data", "errors", "extensions"} and ("data" in body or "errors" in body)
    for error in body.get("errors", ()):
        assert isinstance(error["message"], str) and error["message"]
        # Every error has a code a client can branch on (content_graph/errors.py).
        assert isinstance(error.get("extensions", {}).get("code"), str), body
        # Bad input is the client's mistake, answered with a message that says so; an
        # internal error here would be a resolver or limit that random input breaks.
        assert error.get("extensions", {}).get("code") != "INTERNAL_SERVER_ERROR", body


FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ACCEPT = st.sampled_from(
    ["application/json", "application/graphql-response+json", "*/*", "text/html", ""]
)


@pytest.fixture(scope="module")
def client(data_server: LiveServer) -> Any:
    with httpx.Client(base_url=data_server.base_url, timeout=60) as client:
        yield client


@FUZZ
@given(document=st.one_of(valid_documents(), documents, mutated()), values=variables, accept=ACCEPT)
def test_random_and_mutated_documents_over_post(
    client: httpx.Client, document: str, values: Any, accept: str
) -> None:
    body = {"query": document, "variables": values}
    check_answer(client.post("/graphql", json=body, headers={"accept": accept}))


@FUZZ
@given(
    document=st.one_of(valid_documents(), documents, mutated()),
    values=variables,
    operation=st.one_of(st.none(), st.sampled_from(["Q", "", "nope"])),
    accept=ACCEPT,
)
def test_random_and_mutated_documents_over_get(
    client: httpx.Client, document: str, values: Any, operation: str | None, accept: str
) -> None:
    params = {"query": document, "variables": json.dumps(values)}
    if operation is not None:
        params["operationName"] = operation
    check_answer(
        client.get("/graphql", params=params, headers={"accept": accept or "application/json"})
    )


@settings(FUZZ, max_examples=60)
@given(
    body=st.one_of(
        json_values.map(lambda value: json.dumps(value).encode()),
        st.binary(max_size=200),
        st.builds(
            lambda query, extra: json.dumps({"query": query, **extra}).encode(),
            st.one_of(st.none(), json_values, documents),
            st.dictionaries(
                st.sampled_from(["variables", "operationName", "extensions"]), json_values
            ),
        ),
    )
)
def test_random_bodies(client: httpx.Client, body: bytes) -> None:
    check_answer(
        client.post("/graphql", content=body, headers={"content-type": "application/json"})
    )
