"""The fast validator never accepts a document that graphql-core's `validate` refuses.

`FastValidator.is_valid` answers True (valid) or False (not sure: ask graphql-core). The
one mistake that matters is True on an invalid document, so every test here checks, for
each document, that True implies no error from `validate` with every rule the server
runs (`DocumentChecks.rules`): on documents generated from the schema (hypothesis-graphql,
valid and invalid ones), on those documents mutated one to three times in ways that break
one rule or another (unknown fields and arguments, values of the wrong type, variables
undefined, unused or of the wrong type, conflicting aliases, fragments on the wrong
type, unused, unknown or in a cycle, several operations, subscriptions, directives),
and on documents written to break each rule. Documents the fast validator should
accept are listed too, so that the comparisons cannot pass by its answering False to
everything. Over HTTP, the errors a client sees are graphql-core's, unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    parse,
    parse_value,
    print_ast,
    validate,
    visit,
)
from graphql.error import GraphQLSyntaxError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries

from bench.queries import pick
from bench.queries import queries as bench_queries
from content_graph.limits import DocumentChecks
from content_graph.settings import Limits
from tests.conftest import LiveServer
from tests.schema_cases import loaded
from tests.test_compiled import GRAPHQL
from tests.test_compiled_generated import representations

SERVED = DocumentChecks(GRAPHQL, Limits())
NO_INTROSPECTION = DocumentChecks(GRAPHQL, Limits(introspection=False))


def assert_sound(text: str) -> bool:
    """Whether the fast validator accepted `text` (with introspection on and off); fails
    if it accepted a document that graphql-core's `validate` finds errors in."""
    document = parse(text)
    accepted = False
    for checks in (SERVED, NO_INTROSPECTION):
        if checks.fast.is_valid(document):
            accepted = True
            errors = validate(GRAPHQL, document, checks.rules)
            assert [error.message for error in errors] == [], text
    return accepted


# Documents the fast validator must prove valid: each feature it claims to handle.
VALID = [
    "{ stats { articles providers topics } }",
    "query Q { a: stats { articles } b: stats { articles } }",
    "{ stats { articles } stats { articles topics } }",
    "query Q($d: String!) { provider(domain: $d) { name articles(first: 5) { totalCount } } }",
    'query Q($d: String = "x.com") { provider(domain: $d) { name } }',
    "query Q($n: Int) { articles(first: $n) { nodes { title } } }",
    '{ articles(first: 3, filter: {topics: ["a"], minQuality: 60}, '
    "orderBy: {field: QUALITY, direction: DESC}) { nodes { id } } }",
    "query Q($t: String!) { articles(filter: {topics: [$t]}) { nodes { id } } }",
    "query Q($t: [String!]) { articles(filter: {topics: $t}) { nodes { id } } }",
    '{ articles(filter: {topics: "one"}) { totalCount } }',
    '{ nodes(ids: "x") { id } }',
    '{ node(id: "x") { id ... on Article { title } ... on Provider { title: name } } }',
    '{ node(id: "x") { ...A ...P } } fragment A on Article { title } '
    "fragment P on Provider { name ...N } fragment N on Node { id }",
    "query Q($s: Boolean!) { stats { articles @skip(if: $s) topics @include(if: true) } }",
    "query Q($s: Boolean = false) { stats { ... @include(if: $s) { articles } } }",
    "{ __typename stats { __typename } }",
    "{ __schema { queryType { name } types { name fields { name } } } }",
    '{ __type(name: "Article") { name fields { name type { name } } } }',
    '{ _entities(representations: [{__typename: "Article", id: "x"}]) { __typename } }',
    '{ path(from: "a", to: "b", maxHops: 3) { id } }',
    "query A { stats { articles } } query B { stats { topics } }",
    "query Q($since: DateTime) { articles(filter: {publishedAfter: $since}) { totalCount } }",
    '{ articles(filter: {publishedAfter: "2024-01-01T00:00:00Z"}) { totalCount } }',
]

# Documents that break a rule each (with the rule's name): the fast validator must not
# prove them valid, and graphql-core must find the error.
INVALID = [
    ("ExecutableDefinitions", "type T { a: Int } { stats { articles } }"),
    ("KnownOperationTypes", "mutation { stats { articles } }"),
    ("UniqueOperationNames", "query A { stats { articles } } query A { stats { topics } }"),
    ("LoneAnonymousOperation", "{ stats { articles } } query B { stats { topics } }"),
    ("SingleFieldSubscriptions", "subscription { a: __typename b: __typename }"),
    ("KnownTypeNames", "query Q($x: Nope) { stats { articles } }"),
    ("FragmentsOnCompositeTypes", "{ stats { ... on Int { x } } }"),
    ("VariablesAreInputTypes", "query Q($x: Article) { stats { articles } }"),
    ("ScalarLeafs, leaf", "{ stats { articles { x } } }"),
    ("ScalarLeafs, composite", "{ stats }"),
    ("FieldsOnCorrectType", "{ stats { nope } }"),
    (
        "UniqueFragmentNames",
        "{ stats { ...F } } fragment F on GraphStats { articles } "
        "fragment F on GraphStats { topics }",
    ),
    ("KnownFragmentNames", "{ stats { ...F } }"),
    ("NoUnusedFragments", "{ stats { articles } } fragment F on GraphStats { articles }"),
    ("PossibleFragmentSpreads", "{ stats { ... on Article { title } } }"),
    ("PossibleFragmentSpreads, named", "{ stats { ...F } } fragment F on Article { title }"),
    (
        "NoFragmentCycles",
        "{ stats { ...F } } fragment F on GraphStats { ...G } fragment G on GraphStats { ...F }",
    ),
    ("UniqueVariableNames", "query Q($a: Int, $a: Int) { articles(first: $a) { totalCount } }"),
    ("NoUndefinedVariables", "{ articles(first: $n) { totalCount } }"),
    ("NoUnusedVariables", "query Q($n: Int) { stats { articles } }"),
    (
        "NoUnusedVariables, other operation",
        "query A($n: Int) { stats { articles } } "
        "query B($n: Int) { articles(first: $n) { totalCount } }",
    ),
    ("KnownDirectives", "{ stats { articles @nope } }"),
    ("KnownDirectives, location", "query Q @skip(if: true) { stats { articles } }"),
    ("UniqueDirectivesPerLocation", "{ stats { articles @skip(if: true) @skip(if: false) } }"),
    ("KnownArgumentNames", "{ stats(nope: 1) { articles } }"),
    ("KnownArgumentNames, directive", "{ stats { articles @skip(if: true, nope: 1) } }"),
    ("UniqueArgumentNames", "{ articles(first: 1, first: 2) { totalCount } }"),
    ("ValuesOfCorrectType, string", '{ articles(first: "1") { totalCount } }'),
    ("ValuesOfCorrectType, range", "{ articles(first: 2147483648) { totalCount } }"),
    (
        "ValuesOfCorrectType, enum",
        "{ articles(orderBy: {field: NOPE, direction: ASC}) { totalCount } }",
    ),
    (
        "ValuesOfCorrectType, required field",
        "{ articles(orderBy: {field: QUALITY}) { totalCount } }",
    ),
    ("ValuesOfCorrectType, unknown field", "{ articles(filter: {nope: 1}) { totalCount } }"),
    ("ValuesOfCorrectType, null", "{ provider(domain: null) { name } }"),
    ("ValuesOfCorrectType, date", '{ articles(filter: {publishedAfter: "soon"}) { totalCount } }'),
    (
        "ValuesOfCorrectType, default",
        'query Q($n: Int = "x") { articles(first: $n) { totalCount } }',
    ),
    ("ProvidedRequiredArguments", "{ provider { name } }"),
    ("ProvidedRequiredArguments, directive", "{ stats { articles @skip } }"),
    ("VariablesInAllowedPosition", "query Q($d: String) { provider(domain: $d) { name } }"),
    ("VariablesInAllowedPosition, type", "query Q($d: Int!) { provider(domain: $d) { name } }"),
    (
        "VariablesInAllowedPosition, list item",
        "query Q($t: Int) { articles(filter: {topics: [$t]}) { totalCount } }",
    ),
    (
        "VariablesInAllowedPosition, directive",
        "query Q($s: Boolean) { stats { articles @skip(if: $s) } }",
    ),
    ("OverlappingFieldsCanBeMerged, names", "{ stats { a: articles a: topics } }"),
    (
        "OverlappingFieldsCanBeMerged, arguments",
        "{ a: articles(first: 1) { totalCount } a: articles(first: 2) { totalCount } }",
    ),
    ("OverlappingFieldsCanBeMerged, deep", "{ a: stats { x: articles } a: stats { x: topics } }"),
    (
        "OverlappingFieldsCanBeMerged, types",
        '{ node(id: "x") { ... on Article { v: title } ... on Provider { v: articleCount } } }',
    ),
    (
        "OverlappingFieldsCanBeMerged, fragment",
        "{ stats { articles ...F } } fragment F on GraphStats { articles: topics }",
    ),
    (
        "UniqueInputFieldNames",
        "{ articles(filter: {minQuality: 1, minQuality: 2}) { totalCount } }",
    ),
    (
        "MaxIntrospectionDepth",
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
    ),
]


@pytest.mark.parametrize("text", VALID)
def test_plain_documents_are_proved_valid(text: str) -> None:
    assert validate(GRAPHQL, parse(text), SERVED.rules) == []
    assert SERVED.fast.is_valid(parse(text))


def test_the_benchmark_queries_are_proved_valid() -> None:
    graph = loaded("data")[0]
    for query in bench_queries(pick(graph)):
        aliased = query.document.replace("{\n  ", "{\n  fresh1: ", 1)
        assert SERVED.fast.is_valid(parse(aliased)), query.name


@pytest.mark.parametrize(("rule", "text"), INVALID, ids=[rule for rule, _ in INVALID])
def test_each_rule_broken_is_left_to_graphql_core(rule: str, text: str) -> None:
    document = parse(text)
    assert validate(GRAPHQL, document, SERVED.rules), rule
    assert not SERVED.fast.is_valid(document)
    assert not NO_INTROSPECTION.fast.is_valid(document)


def test_introspection_off_is_left_to_graphql_core() -> None:
    document = parse("{ __schema { queryType { name } } }")
    assert SERVED.fast.is_valid(document)
    assert not NO_INTROSPECTION.fast.is_valid(document)
    assert validate(GRAPHQL, document, NO_INTROSPECTION.rules)


CUSTOM_SCALARS = {"_Any": representations(st.text(max_size=20))}
SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
def test_generated_documents(mode: Mode) -> None:
    accepted = []

    @SETTINGS
    @given(queries(GRAPHQL, mode=mode, custom_scalars=CUSTOM_SCALARS))
    def check(text: str) -> None:
        accepted.append(assert_sound(text))

    check()
    if mode is Mode.POSITIVE:  # else the comparisons above would compare nothing
        assert sum(accepted) > len(accepted) / 2


# What the mutations below put into documents.
FIELD_NAMES = sorted(
    {name for t in GRAPHQL.type_map.values() for name in getattr(t, "fields", {})}
    | {"__typename", "__schema", "__type", "nope"}
)
ARGUMENT_NAMES = sorted(
    {
        name
        for t in GRAPHQL.type_map.values()
        for field in getattr(t, "fields", {}).values()
        for name in getattr(field, "args", {})
    }
    | {"if", "nope"}
)
TYPE_NAMES = [
    "Article", "Provider", "Topic", "Node", "GraphStats", "Query", "ArticleConnection",
    "_Entity", "Int", "ArticleFilter", "Nope",
]  # fmt: skip
VALUES = [
    "1", "0", "-1", "2147483648", "1.5", '"x"', '"2024-01-01T00:00:00Z"', "true", "null",
    "QUALITY", "DESC", "NOPE", "[1, 2]", '["a"]', "[]", "{field: QUALITY, direction: DESC}",
    "{field: QUALITY}", '{topics: ["a"], minQuality: 1}', "{nope: 1}", '{minQuality: "x"}',
    '{__typename: "Article", id: "1"}', "$v", "$flag", "[$v]", "{topics: $v}",
    "{minQuality: $v}", '{__typename: "Article", id: $v}',
]  # fmt: skip
VARIABLE_TYPES = [
    "Int", "Int!", "String", "String!", "[String!]", "[String!]!", "ID", "[ID!]!",
    "Boolean", "Boolean!", "ArticleFilter", "ArticleOrder!", "ArticleOrderField", "Article",
    "Nope", "DateTime", "[_Any!]!", "Int = 3", 'Int = "x"', "Boolean = true", "String! = null",
]  # fmt: skip
VARIABLE_NAMES = ["v", "flag", "w"]
DIRECTIVES = [
    "@skip(if: true)", "@include(if: $flag)", "@skip(if: $v)", "@skip", "@include(if: 1)",
    "@deprecated", "@nope", "@skip(if: false) @skip(if: true)", "@skip(if: true, x: 1)",
]  # fmt: skip
OTHER_OPERATIONS = [
    "{ stats { articles } }",
    "query Other { stats { topics } }",
    "subscription { graphReloaded { __typename } articlesAdded { __typename } }",
    "mutation { stats { articles } }",
    "fragment Unused on GraphStats { articles }",
]


class _NthReplacer(Visitor):
    """Replaces the `index`-th node of one kind by `change(node)`; `types` says where the
    walk is (the type a selection set selects on, an argument's type)."""

    def __init__(self, kind: type, index: int, change: Callable[[Any], Any]) -> None:
        super().__init__()
        self.kind, self.index, self.change = kind, index, change
        self.seen = 0
        self.types = TypeInfo(GRAPHQL)

    def enter(self, node: Any, *_args: Any) -> Any:
        if isinstance(node, self.kind):
            self.seen += 1
            if self.seen - 1 == self.index:
                return self.change(node)
        return None


def count(document: DocumentNode, kind: type) -> int:
    counter = _NthReplacer(kind, -1, lambda node: None)
    visit(document, counter)
    return counter.seen


def change_nth(
    document: DocumentNode,
    kind: type,
    data: st.DataObject,
    change: Callable[..., Any],
    *,
    typed: bool = False,
) -> DocumentNode:
    """The document with one node of `kind` changed; `change(node, types)` if `typed`."""
    total = count(document, kind)
    if not total:
        return document
    index = data.draw(st.integers(0, total - 1))
    if not typed:
        return visit(document, _NthReplacer(kind, index, change))
    replacer = _NthReplacer(kind, index, lambda node: change(node, replacer.types))
    return visit(document, TypeInfoVisitor(replacer.types, replacer))


def type_here(types: TypeInfo, data: st.DataObject) -> str:
    """Mostly the type the selection set selects on, else another."""
    parent = types.get_parent_type()
    if parent is not None and data.draw(st.booleans()):
        return parent.name
    return data.draw(st.sampled_from(TYPE_NAMES))


def name(value: str) -> NameNode:
    return NameNode(value=value)


def fragment_node(text: str) -> Any:
    """The first selection, directive or variable definition of a small document."""
    return parse(text).definitions[0]


def mutate(document: DocumentNode, data: st.DataObject) -> DocumentNode:
    """One change, drawn among those that each break (or may break) some rule."""
    draw = data.draw
    mutation = draw(st.integers(0, 13))
    if mutation == 0:  # another field name
        new = draw(st.sampled_from(FIELD_NAMES))
        return change_nth(document, FieldNode, data, lambda f: replace(f, name=name(new)))
    if mutation == 1:  # another alias, often one used nearby
        alias = draw(st.sampled_from([None, "a", "b", "title", "id", "name", "nodes"]))
        new_alias = name(alias) if alias else None
        return change_nth(document, FieldNode, data, lambda f: replace(f, alias=new_alias))
    if mutation == 2:  # an argument dropped
        return change_nth(
            document, FieldNode, data, lambda f: replace(f, arguments=(f.arguments or ())[1:])
        )
    if mutation == 3:  # an argument added or changed
        argument = ArgumentNode(
            name=name(draw(st.sampled_from(ARGUMENT_NAMES))),
            value=parse_value(draw(st.sampled_from(VALUES))),
        )
        keep = draw(st.booleans())
        return change_nth(
            document,
            FieldNode,
            data,
            lambda f: replace(
                f, arguments=(*((f.arguments or ()) if keep else (f.arguments or ())[1:]), argument)
            ),
        )
    if mutation == 4:  # an argument's value changed
        value = parse_value(draw(st.sampled_from(VALUES)))
        return change_nth(document, ArgumentNode, data, lambda a: replace(a, value=value))
    if mutation == 13:  # an argument's value made a variable, declared of its type or not
        variable = draw(st.sampled_from(VARIABLE_NAMES))
        definitions: list[Any] = []

        def to_variable(argument: ArgumentNode, types: TypeInfo) -> ArgumentNode:
            kind = str(types.get_input_type())
            kind = draw(st.sampled_from([kind, kind, kind.rstrip("!"), f"{kind}!", "String"]))
            if kind.endswith("!!"):
                kind = kind[:-1]
            definitions.append(fragment_node(f"query(${variable}: {kind}) {{ a }}"))
            return replace(argument, value=parse_value(f"${variable}"))

        changed = change_nth(document, ArgumentNode, data, to_variable, typed=True)
        if not definitions or draw(st.integers(0, 4)) == 0:
            return changed
        definition = definitions[0].variable_definitions[0]
        return change_nth(
            changed,
            OperationDefinitionNode,
            data,
            lambda o: replace(
                o, variable_definitions=(*(o.variable_definitions or ()), definition)
            ),
        )
    if mutation == 5:  # a variable declared
        variable = draw(st.sampled_from(VARIABLE_NAMES))
        text = f"query(${variable}: {draw(st.sampled_from(VARIABLE_TYPES))}) {{ a }}"
        try:
            definition = fragment_node(text).variable_definitions[0]
        except GraphQLSyntaxError:
            return document
        return change_nth(
            document,
            OperationDefinitionNode,
            data,
            lambda o: replace(
                o, variable_definitions=(*(o.variable_definitions or ()), definition)
            ),
        )
    if mutation == 6:  # a variable's declaration dropped
        return change_nth(
            document,
            OperationDefinitionNode,
            data,
            lambda o: replace(o, variable_definitions=(o.variable_definitions or ())[1:]),
        )
    if mutation == 7:  # a selection repeated, with another alias or arguments

        def repeat(selection_set: SelectionSetNode) -> SelectionSetNode:
            selections = selection_set.selections
            copy = selections[draw(st.integers(0, len(selections) - 1))]
            if isinstance(copy, FieldNode) and draw(st.booleans()):
                copy = mutate(DocumentNode(definitions=(wrap(copy),)), data).definitions[0]
                copy = copy.selection_set.selections[0]  # type: ignore[attr-defined]
            return replace(selection_set, selections=(*selections, copy))

        return change_nth(document, SelectionSetNode, data, repeat)
    if mutation == 8:  # directives
        directives = (
            fragment_node(f"{{ a {draw(st.sampled_from(DIRECTIVES))} }}")
            .selection_set.selections[0]
            .directives
        )
        kind = draw(
            st.sampled_from(
                [FieldNode, InlineFragmentNode, FragmentSpreadNode, OperationDefinitionNode]
            )
        )
        return change_nth(
            document,
            kind,
            data,
            lambda n: replace(n, directives=(*(n.directives or ()), *directives)),
        )
    if mutation == 9:  # a selection set wrapped in an inline fragment

        def inline(selection_set: SelectionSetNode, types: TypeInfo) -> SelectionSetNode:
            condition = draw(st.sampled_from([None, type_here(types, data)]))
            on = NamedTypeNode(name=name(condition)) if condition else None
            fragment = InlineFragmentNode(
                type_condition=on, directives=(), selection_set=selection_set
            )
            return SelectionSetNode(selections=(fragment,))

        return change_nth(document, SelectionSetNode, data, inline, typed=True)
    if mutation == 10:  # a selection set moved into a named fragment
        fragment_name = f"F{count(document, FragmentDefinitionNode)}"
        spreads = draw(st.sampled_from([1, 1, 2, 0]))
        moved: list[tuple[SelectionSetNode, str]] = []

        def spread(selection_set: SelectionSetNode, types: TypeInfo) -> SelectionSetNode:
            moved.append((selection_set, type_here(types, data)))
            node = FragmentSpreadNode(name=name(fragment_name), directives=())
            return SelectionSetNode(selections=(node,) * spreads or selection_set.selections)

        changed = change_nth(document, SelectionSetNode, data, spread, typed=True)
        if not moved:
            return document
        selections, on = moved[0][0].selections, moved[0][1]
        if draw(st.integers(0, 3)) == 0:  # a cycle, or a spread of another fragment
            target = draw(st.sampled_from([fragment_name, "F0", "Nope"]))
            selections = (*selections, FragmentSpreadNode(name=name(target), directives=()))
        definition = FragmentDefinitionNode(
            name=name(fragment_name),
            type_condition=NamedTypeNode(name=name(on)),
            directives=(),
            selection_set=SelectionSetNode(selections=selections),
        )
        return replace(changed, definitions=(*changed.definitions, definition))
    if mutation == 11:  # another definition
        other = parse(draw(st.sampled_from(OTHER_OPERATIONS))).definitions[0]
        return replace(document, definitions=(*document.definitions, other))
    # the operation's type or name changed
    kind = draw(st.sampled_from(list(OperationType)))
    new_name = draw(st.sampled_from([None, "Q", "Other"]))
    return change_nth(
        document,
        OperationDefinitionNode,
        data,
        lambda o: replace(o, operation=kind, name=name(new_name) if new_name else None),
    )


def wrap(field: FieldNode) -> OperationDefinitionNode:
    return OperationDefinitionNode(
        operation=OperationType.QUERY,
        variable_definitions=(),
        directives=(),
        selection_set=SelectionSetNode(selections=(field,)),
    )


@pytest.mark.parametrize("source", ["valid", "invalid"])
def test_mutated_documents(source: str) -> None:
    mode = Mode.POSITIVE if source == "valid" else Mode.NEGATIVE
    outcomes: list[tuple[bool, bool]] = []

    @settings(
        max_examples=400,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(queries(GRAPHQL, mode=mode, custom_scalars=CUSTOM_SCALARS), st.data())
    def check(text: str, data: st.DataObject) -> None:
        document = parse(text)
        for _ in range(data.draw(st.sampled_from([1, 1, 2, 3]))):
            document = mutate(document, data)
        try:
            printed = print_ast(document)
            parse(printed)
        except (GraphQLSyntaxError, TypeError, AttributeError):
            assume(False)
        accepted = assert_sound(printed)
        outcomes.append((accepted, not validate(GRAPHQL, parse(printed), SERVED.rules)))

    check()
    # The mutations must make invalid documents, and the fast validator must accept
    # some valid ones: else these comparisons would prove nothing.
    assert any(not valid for _, valid in outcomes)
    if source == "valid":
        assert any(accepted for accepted, _ in outcomes)


def test_clients_see_graphql_cores_errors(data_server: LiveServer) -> None:
    """Over HTTP, an invalid document's errors are graphql-core's, as before the fast
    validator: messages, locations and the validation code."""

    def shown(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{key: e[key] for key in ("message", "locations") if key in e} for e in errors]

    for rule, text in INVALID:
        document = parse(text)
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        if operations[0].operation is not OperationType.QUERY:
            continue  # the view refuses it first: HTTP runs queries only (test_error_codes)
        # With several operations the server first needs to know which one to run.
        named = [operation.name.value for operation in operations if operation.name]
        body = {"operationName": named[-1]} if len(operations) > 1 else {}
        expected = validate(GRAPHQL, document, SERVED.rules)
        answer = data_server.graphql(text, **body)
        assert shown(answer["errors"]) == shown([e.formatted for e in expected]), rule
        codes = {error["extensions"]["code"] for error in answer["errors"]}
        assert codes == {"GRAPHQL_VALIDATION_FAILED"}, rule
    for text in VALID:
        document = parse(text)
        operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        body = {"operationName": operations[0].name.value} if len(operations) > 1 else {}
        errors = data_server.graphql(text, **body).get("errors", [])
        codes = {error["extensions"]["code"] for error in errors}
        assert "GRAPHQL_VALIDATION_FAILED" not in codes, text


def disguise(document: DocumentNode, data: st.DataObject) -> DocumentNode:
    """One change that keeps a valid document valid, in a shape the fast validator must
    follow: fields moved into inline or named fragments, literals made variables, a
    field selected twice, `@skip` and `@include`."""
    draw = data.draw
    change = draw(st.integers(0, 4))
    if change == 0:  # an inline fragment on the type selected, or without a type

        def inline(selection_set: SelectionSetNode, types: TypeInfo) -> SelectionSetNode:
            parent = types.get_parent_type()
            on = NamedTypeNode(name=name(parent.name)) if parent and draw(st.booleans()) else None
            fragment = InlineFragmentNode(
                type_condition=on, directives=(), selection_set=selection_set
            )
            return SelectionSetNode(selections=(fragment,))

        return change_nth(document, SelectionSetNode, data, inline, typed=True)
    if change == 1:  # a named fragment on the type selected, spread once or twice
        fragment_name = f"D{count(document, FragmentDefinitionNode)}"
        moved: list[tuple[SelectionSetNode, str]] = []

        def spread(selection_set: SelectionSetNode, types: TypeInfo) -> SelectionSetNode:
            moved.append((selection_set, types.get_parent_type().name))
            node = FragmentSpreadNode(name=name(fragment_name), directives=())
            return SelectionSetNode(selections=(node,) * draw(st.integers(1, 2)))

        changed = change_nth(document, SelectionSetNode, data, spread, typed=True)
        if not moved:
            return document
        definition = FragmentDefinitionNode(
            name=name(fragment_name),
            type_condition=NamedTypeNode(name=name(moved[0][1])),
            directives=(),
            selection_set=moved[0][0],
        )
        return replace(changed, definitions=(*changed.definitions, definition))
    if change == 2:  # a literal made a variable of the argument's type
        variable = f"v{count(document, VariableDefinitionNode)}"
        definitions: list[Any] = []

        def to_variable(argument: ArgumentNode, types: TypeInfo) -> ArgumentNode:
            if isinstance(argument.value, VariableNode):
                return argument
            definitions.append(
                fragment_node(f"query(${variable}: {types.get_input_type()}) {{ a }}")
            )
            return replace(argument, value=parse_value(f"${variable}"))

        changed = change_nth(document, ArgumentNode, data, to_variable, typed=True)
        if not definitions:
            return changed
        definition = definitions[0].variable_definitions[0]
        return visit(
            changed,
            _NthReplacer(
                OperationDefinitionNode,
                0,
                lambda o: replace(
                    o, variable_definitions=(*(o.variable_definitions or ()), definition)
                ),
            ),
        )
    if change == 3:  # a selection made twice

        def twice(selection_set: SelectionSetNode) -> SelectionSetNode:
            selections = selection_set.selections
            again = selections[draw(st.integers(0, len(selections) - 1))]
            return replace(selection_set, selections=(*selections, again))

        return change_nth(document, SelectionSetNode, data, twice)
    directive = (
        fragment_node(
            f"{{ a {draw(st.sampled_from(['@include(if: true)', '@skip(if: false)']))} }}"
        )
        .selection_set.selections[0]
        .directives[0]
    )
    kind = draw(st.sampled_from([FieldNode, InlineFragmentNode, FragmentSpreadNode]))
    return change_nth(
        document, kind, data, lambda n: replace(n, directives=(*(n.directives or ()), directive))
    )


def test_disguised_documents() -> None:
    """Valid documents made harder to prove valid, then sometimes broken once."""
    outcomes: list[tuple[bool, bool]] = []

    @settings(
        max_examples=400,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(queries(GRAPHQL, mode=Mode.POSITIVE, custom_scalars=CUSTOM_SCALARS), st.data())
    def check(text: str, data: st.DataObject) -> None:
        document = parse(text)
        for _ in range(data.draw(st.integers(1, 4))):
            document = disguise(document, data)
        if data.draw(st.booleans()):
            document = mutate(document, data)
        printed = print_ast(document)
        accepted = assert_sound(printed)
        outcomes.append((accepted, not validate(GRAPHQL, parse(printed), SERVED.rules)))

    check()
    valid = [accepted for accepted, valid in outcomes if valid]
    assert sum(valid) > len(valid) * 0.8  # the disguises are followed, not given up on
    assert len(valid) < len(outcomes)  # and some broken ones were compared too
