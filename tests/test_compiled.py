"""Compiled execution answers exactly what graphql-core answers: data, errors, order.

Every case runs the same document both ways over the same graph: graphql-core's
`execute` with the executor `execution.py` uses, and `CompiledOperations` compiling on
first use. The answers must be equal, errors included (message, locations, path).
"""

from __future__ import annotations

import math
import time
from types import SimpleNamespace
from typing import Any

import anyio
import pytest
import strawberry
from graphql import GraphQLSchema, execute, get_introspection_query, parse
from strawberry.execution import optimized_is_awaitable

from bench.queries import pick, queries
from content_graph import compiled as compiled_module
from content_graph import compiled_source
from content_graph import execution as execution_module
from content_graph.compiled import CompiledOperations
from content_graph.execution import DeadlineExceeded, DeadlineExecutor, Execution
from content_graph.settings import Limits
from graph import ContentGraph
from resolvers.errors import InputError
from resolvers.ids import global_id
from schema import schema
from schema.types import instance_check
from tests.conftest import LiveServer
from tests.schema_cases import loaded

DATA_SETS = ("data", "seed", "power-apps", "ai-news")


def reference(
    graphql_schema: GraphQLSchema,
    context: Any,
    text: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> dict[str, Any]:
    result = execute(
        graphql_schema,
        parse(text),
        context_value=context,
        variable_values=variables,
        operation_name=operation_name,
        executor_class=DeadlineExecutor,
        is_awaitable=optimized_is_awaitable,
    )
    return answer(result)


def answer(result: Any) -> dict[str, Any]:
    """The result as a client gets it (errors as formatted: message, locations, path)."""
    errors = [error.formatted for error in result.errors or ()]
    return {"data": result.data, "errors": errors}


def assert_same(
    graphql_schema: GraphQLSchema,
    context: Any,
    text: str,
    variables: dict[str, Any] | None = None,
    operation_name: str | None = None,
) -> dict[str, Any]:
    """Runs `text` both ways and asserts equal answers; returns graphql-core's."""
    expected = reference(graphql_schema, context, text, variables, operation_name)
    document = parse(text)
    # Objects as generated code and as closures (what a new shape first runs as).
    for generated_code in (True, False):
        compiled = CompiledOperations(
            graphql_schema, DeadlineExceeded, keep_after=1, generated_code=generated_code
        )
        for _ in range(2):  # the second run reuses the plan
            result = compiled.execute(
                text, document, operation_name, context=context, variables=variables
            )
            assert result is not None, "the compiler fell back on a supported document"
            assert answer(result) == expected
    return expected


@pytest.fixture(scope="module", params=DATA_SETS)
def graph(request: pytest.FixtureRequest) -> ContentGraph:
    return loaded(request.param)[0]


GRAPHQL = schema._schema  # type: ignore[attr-defined]


def corpus(graph: ContentGraph) -> list[tuple[str, dict[str, Any]]]:
    """Hand-written documents covering what the compiler specialises, with variables
    taken from the graph so that they find data."""
    article = max(graph.articles, key=lambda a: (len(a.related), a.has_record, -a.index))
    provider = max(graph.providers, key=lambda p: len(p.articles))
    topic = max(graph.topics, key=lambda t: len(t.articles))
    ids = [global_id(article), global_id(provider), global_id(topic), "bm90LWFuLWlk", "!"]
    node_fields = """
        __typename id
        ... on Article { title url hasRecord publishedDateTime quality heat
                         topics { slug } images { url width height isCached } }
        ... on Provider { domain name articleCount images { url } }
        ... on Topic { name slug keywords hashtags articleCount }
    """
    documents: list[tuple[str, dict[str, Any]]] = [
        (query.document, query.variables) for query in queries(pick(graph))
    ]
    documents += [
        (f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ {node_fields} }} }}", {"ids": ids}),
        (
            "query($id: ID!) { node(id: $id) { ...N } }"
            f" fragment N on Node {{ {node_fields} }}",
            {"id": ids[0]},
        ),
        (
            "query($from: ID!, $to: ID!) { path(from: $from, to: $to, maxHops: 4)"
            " { __typename id ... on Topic { name } } }",
            {"from": ids[0], "to": ids[2]},
        ),
        (
            """query($d: String!, $full: Boolean!, $short: Boolean = false) {
              p: provider(domain: $d) {
                ...P
                name @skip(if: $short)
                again: name @include(if: $full)
                articles(first: 3, orderBy: {field: TITLE, direction: ASC}) {
                  edges { cursor node { id title similar(first: 2) { score article { url } } } }
                  pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
                  totalCount
                }
                topics(first: 2) { count topic { name relatedTopics(first: 2) { count } } }
              }
              stats { articles providers topics relatedLinks version }
            }
            fragment P on Provider { domain ... on Provider { articleCount } }""",
            {"d": provider.domain, "full": True},
        ),
        (
            """query($d: String!, $full: Boolean!) {
              provider(domain: $d) { name @include(if: $full) domain @skip(if: $full) }
            }""",
            {"d": provider.domain, "full": False},
        ),
        (
            """query($t: String!) { topic(name: $t) { name
                providers(first: 3) { count provider { domain } }
                articles(last: 2, filter: {hasRecord: true}) { nodes { title } } } }""",
            {"t": topic.name},
        ),
        # Errors: an InputError at the root, a refused cursor, a bad variable, an
        # argument out of range inside a list.
        ('{ article(id: "x", url: "y") { title } ok: stats { topics } }', {}),
        ('{ articles(first: 2, after: "not a cursor") { totalCount } }', {}),
        ("query($n: Int) { articles(first: $n) { totalCount } }", {"n": "three"}),
        ("{ articles(first: 2) { nodes { title similar(first: 500) { score } } } }", {}),
        ('{ path(from: "a", to: "b", maxHops: 99) { id } }', {}),
        ("query A { stats { topics } } query B { stats { providers } }", {}),
        # One response key from several fragments: the selections merge.
        (
            "query($id: ID!) { node(id: $id) { ... on Article { provider { name } }"
            " ... on Article { provider { domain } p: provider { name } } id } }",
            {"id": ids[0]},
        ),
        # Defaults, and a variable given as null.
        (
            "query($n: Int = 3, $after: String) { articles(first: $n, after: $after)"
            " { nodes { url } pageInfo { endCursor } } }",
            {"after": None},
        ),
        (
            '{ __typename __type(name: "Article") { name kind interfaces { name }'
            " fields(includeDeprecated: true) { name type { name ofType { name } } } } }",
            {},
        ),
    ]
    return documents


def test_corpus_documents_match_graphql_core(graph: ContentGraph) -> None:
    context = {"graph": graph}
    for text, variables in corpus(graph):
        name = "B" if "query B" in text else None
        assert_same(GRAPHQL, context, text, variables, name)


def test_introspection_matches_graphql_core(graph: ContentGraph) -> None:
    assert_same(GRAPHQL, {"graph": graph}, get_introspection_query(descriptions=True))


def test_errors_are_in_graphql_cores_answer(graph: ContentGraph) -> None:
    # The corpus must exercise errors, or comparing them proves nothing.
    context = {"graph": graph}
    got = assert_same(GRAPHQL, context, '{ article(id: "x", url: "y") { title } }')
    assert got["errors"][0]["path"] == ["article"]
    assert "exactly one" in got["errors"][0]["message"]


# Error semantics on a schema whose resolvers fail on purpose: null propagation to the
# nearest nullable parent, non-null list items, wrong object types, bad scalars.


class Boom(Exception):
    pass


@strawberry.type
class Leaf:
    name: str
    size: int | None = None

    @strawberry.field
    def fails(self) -> str | None:
        raise Boom(f"no {self.name}")

    @strawberry.field
    def fails_strictly(self) -> str:
        raise InputError(f"bad {self.name}")

    @strawberry.field
    def missing(self) -> str:
        return None  # type: ignore[return-value]

    @strawberry.field
    def where(self, info: strawberry.Info) -> str:
        """Its response path, from the `info` (compiled plans share paths' prefixes)."""
        return "/".join(map(str, info.path.as_list())) + f" {info.path.typename}"

    @strawberry.field
    def children(self) -> list[Leaf]:
        return [Leaf(name=f"{self.name}.{i}") for i in range(2)]

    @classmethod
    def is_type_of(cls, obj: Any, info: Any) -> bool:
        return isinstance(obj, Leaf)


@strawberry.type
class Loose:
    """Plain attribute fields (read inline by the generated code) holding wrong values."""

    label: str
    flag: bool | None = None
    note: str | None = None


class Partial:
    """A Loose without `flag` and `note`: reading them raises AttributeError."""

    def __init__(self, label: str) -> None:
        self.label = label


class TwigObject:
    """What a `Twig` resolves from, as the graph's objects are for the served types."""

    def __init__(self, name: str) -> None:
        self.name = name


@strawberry.type
class Twig:
    """A type checked as the served ones are: `instance_check`, inlined by compiled code."""

    name: str
    is_type_of = staticmethod(instance_check(TwigObject))


@strawberry.type
class Branch:
    @strawberry.field
    def loose(self) -> list[Loose]:
        return [
            Loose(label=5, flag="yes", note=7),  # type: ignore[arg-type]
            Loose(label="ok", flag=True, note=None),
            Loose(label=None, flag=False),  # type: ignore[arg-type]
        ]

    @strawberry.field
    def partial(self) -> list[Loose | None]:
        return [Partial("p"), Loose(label="l")]  # type: ignore[list-item]

    @strawberry.field
    def leaves(self, count: int = 2) -> list[Leaf]:
        return [Leaf(name=f"leaf{i}", size=2**40 if i == 1 else i) for i in range(count)]

    @strawberry.field
    def strict_leaves(self) -> list[Leaf | None]:
        return [Leaf(name="a"), None, "not a leaf"]  # type: ignore[list-item]

    @strawberry.field
    def strict_items(self) -> list[Leaf]:
        return [Leaf(name="a"), None]  # type: ignore[list-item]

    @strawberry.field
    def twigs(self) -> list[Twig | None]:
        return [TwigObject("a"), Leaf(name="b"), None, TwigObject("c")]  # type: ignore[list-item]

    @strawberry.field
    def strict_twigs(self) -> list[Twig]:
        return [TwigObject("a"), "not a twig"]  # type: ignore[list-item]

    @strawberry.field
    def twig_gaps(self) -> list[Twig]:
        return [TwigObject("a"), None]  # type: ignore[list-item]

    @strawberry.field
    def twig_errors(self) -> list[Twig | None]:
        return [Boom("a value that is an error"), TwigObject("b")]  # type: ignore[list-item]

    @strawberry.field
    def not_a_list(self) -> list[str] | None:
        return 5  # type: ignore[return-value]

    @strawberry.field
    def float_value(self) -> float | None:
        return math.inf


@strawberry.type
class Root:
    @strawberry.field
    def branch(self) -> Branch | None:
        return Branch()

    @strawberry.field
    def strict_branch(self) -> Branch:
        return Branch()

    @strawberry.field
    def slow(self, info: strawberry.Info) -> list[Leaf]:
        return [Leaf(name="x")]


FAILING = strawberry.Schema(query=Root)._schema  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    [
        "{ branch { leaves { name fails size } } }",
        "{ branch { leaves(count: 3) { name failsStrictly } } other: branch { floatValue } }",
        "{ strictBranch { leaves { name missing } } branch { notAList } }",
        "{ strictBranch { strictLeaves { name } } }",
        "{ branch { strictItems { name } } }",
        "{ strictBranch { strictItems { name } } branch { floatValue } }",
        "{ a: branch { leaves { fails } } b: strictBranch { leaves { failsStrictly } } }",
        "{ slow { __typename name } }",
        "{ branch { loose { label flag note } } }",
        "{ branch { leaves(count: 3) { where children { where children { name where } } } } }",
        "{ a: branch { leaves { where } } b: strictBranch { leaves { children { where } } } }",
        "{ branch { loose { note flag } } }",
        "{ branch { partial { label flag note __typename } } }",
        "{ strictBranch { partial { note } } }",
        "{ branch { twigs { name __typename } } }",
        "{ branch { strictTwigs { name } } strictBranch { twigs { name } } }",
        "{ branch { twigGaps { name } twigErrors { name } } }",
        "{ strictBranch { twigErrors { __typename } } }",
    ],
)
def test_error_semantics_match_graphql_core(text: str) -> None:
    assert_same(FAILING, {}, text)


def test_failing_schema_has_errors() -> None:
    got = assert_same(FAILING, {}, "{ strictBranch { leaves { name missing } } }")
    assert got["data"] is None
    assert got["errors"][0]["path"] == ["strictBranch", "leaves", 0, "missing"]


def test_deadline_stops_compiled_execution() -> None:
    graph = loaded("data")[0]
    compiled = CompiledOperations(GRAPHQL, DeadlineExceeded, keep_after=1)
    text = "{ articles(first: 3) { nodes { title } } }"
    with pytest.raises(DeadlineExceeded):
        compiled.execute(
            text, parse(text), None, context={"graph": graph}, variables=None, deadline=0.0
        )


def test_compiled_on_first_use_kept_from_second_by_default() -> None:
    graph = loaded("data")[0]
    compiled = CompiledOperations(GRAPHQL, DeadlineExceeded)
    text = "{ stats { topics } }"
    context = {"graph": graph}
    first = compiled.execute(text, parse(text), None, context=context, variables=None)
    assert first is not None and answer(first) == reference(GRAPHQL, context, text)
    assert not compiled.has_plan(text, None)  # a document sent once leaves nothing
    second = compiled.execute(text, parse(text), None, context=context, variables=None)
    assert second is not None and answer(second) == answer(first)
    assert compiled.has_plan(text, None)


def test_cheap_new_documents_left_to_graphql_core_below_compile_now_cost() -> None:
    graph = loaded("data")[0]
    compiled = CompiledOperations(GRAPHQL, DeadlineExceeded, compile_now_cost=100)
    text = "{ articles(first: 100) { nodes { title } } }"
    context = {"graph": graph}
    small = compiled.execute(text, parse(text), None, context=context, variables=None, cost=99)
    assert small is None
    other = "{ articles(first: 100) { nodes { url } } }"
    costly = compiled.execute(other, parse(other), None, context=context, variables=None, cost=100)
    assert costly is not None and answer(costly) == reference(GRAPHQL, context, other)
    # Kept from its second use whatever its cost.
    again = compiled.execute(text, parse(text), None, context=context, variables=None, cost=99)
    assert again is not None and compiled.has_plan(text, None)


def test_one_off_documents_do_not_evict_plans(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(compiled_module, "CACHED_OPERATIONS", 3)
    graph = loaded("data")[0]
    compiled = CompiledOperations(GRAPHQL, DeadlineExceeded)
    context = {"graph": graph}
    hot = "{ stats { topics } }"
    for _ in range(2):
        compiled.execute(hot, parse(hot), None, context=context, variables=None)
    for number in range(10):
        once = f"{{ n{number}: stats {{ topics }} }}"
        result = compiled.execute(once, parse(once), None, context=context, variables=None)
        assert result is not None and answer(result) == reference(GRAPHQL, context, once)
        assert not compiled.has_plan(once, None)
    assert compiled.has_plan(hot, None)


def test_the_plans_kept_are_bounded_by_their_texts_characters() -> None:
    graph = loaded("data")[0]
    compiled = CompiledOperations(GRAPHQL, DeadlineExceeded)
    context = {"graph": graph}
    # 19,000 characters each: 26 fit in CACHED_DOCUMENT_CHARS (500,000).
    texts = [f"{{ n{number}: stats {{ topics }} }}".ljust(19_000) for number in range(30)]
    for text in texts:
        for _ in range(2):
            compiled.execute(text, parse(text), None, context=context, variables=None)
    assert [compiled.has_plan(text, None) for text in texts] == [False] * 4 + [True] * 26


def test_subscriptions_fall_back() -> None:
    compiled = CompiledOperations(GRAPHQL, DeadlineExceeded, keep_after=1)
    text = "subscription { __typename }"
    assert compiled.execute(text, parse(text), None, context={}, variables=None) is None


def test_execution_runs_compiled_plans_with_cost() -> None:
    graph = loaded("data")[0]
    execution = Execution(schema, Limits())
    text = "query($n: Int!) { articles(first: $n) { nodes { id title } } }"

    async def run() -> list[Any]:
        return [
            await execution.run(
                text,
                {"n": 2},
                None,
                graph=graph,
                context={"graph": graph},
                deadline=time.monotonic() + 10,
            )
            for _ in range(3)
        ]

    results = anyio.run(run)
    expected = reference(GRAPHQL, {"graph": graph}, text, {"n": 2})
    for result in results:
        assert answer(result) == expected
        assert result.extensions["cost"]["requested"] == 2
    assert execution.compiled.has_plan(text, None)  # the later runs were compiled


def test_served_answers_are_graphql_cores_once_compiled(data_server: LiveServer) -> None:
    # Through the server: the first request of a small query runs on graphql-core, the
    # later ones compiled; the client sees one answer, extensions and errors included.
    graph = loaded("data")[0]
    provider = max(graph.providers, key=lambda p: len(p.articles))
    cases = [
        (pick_query("Q2"), {"domain": provider.domain}),
        ('{ article(id: "x", url: "y") { title } ok: stats { topics } }', {}),
    ]
    for text, variables in cases:
        answers = [data_server.graphql(text, variables=variables) for _ in range(3)]
        assert answers[1] == answers[0] and answers[2] == answers[0]
        expected = reference(GRAPHQL, {"graph": graph}, text, variables)
        assert answers[0]["data"] == expected["data"]
        assert [(e["message"], e["path"]) for e in answers[0].get("errors", [])] == [
            (e["message"], e["path"]) for e in expected["errors"]
        ]


def pick_query(name: str) -> str:
    return next(query.document for query in queries(pick(loaded("data")[0])) if query.name == name)


def test_a_compiled_operation_past_its_deadline_times_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    graph = loaded("data")[0]
    execution = Execution(schema, Limits())
    text = "{ articles(first: 100) { nodes { title } } }"

    def graphql_core(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("graphql-core ran a query compiled on its first use")

    monkeypatch.setattr(execution_module, "execute", graphql_core)

    async def run() -> Any:
        return await execution.run(
            text, None, None, graph=graph, context={"graph": graph}, deadline=time.monotonic() - 1
        )

    for _ in range(2):  # compiled for its first use, then kept
        result = anyio.run(run)
        assert result.data is None
        [error] = result.errors
        assert error.extensions["code"] == "TIMEOUT"
    assert execution.compiled.has_plan(text, None)


def test_a_new_shape_runs_as_closures_until_seen_again() -> None:
    compiled_source.forget_shapes()
    fields = [compiled_source.FieldCode("kind", typename=True)]

    def completer() -> Any:
        return compiled_source.object_completer(
            "Thing",
            fields,
            nulls="nullable",
            non_null_message="",
            is_type_of=None,
            type_error=TypeError,
            deadline_error=DeadlineExceeded,
            generate=None,
        )

    first, second, third = completer(), completer(), completer()
    assert first.__code__.co_filename == compiled_source.__file__
    assert second.__code__.co_filename.startswith("<object")
    assert third.__code__ is second.__code__  # generated once per shape
    run = SimpleNamespace(deadline=math.inf)
    for complete in (first, second):
        assert complete(run, object(), None) == {"kind": "Thing"}
        assert complete(run, None, None) is None
