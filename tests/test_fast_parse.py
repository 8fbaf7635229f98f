"""The fast parser builds graphql-core's very tree, or hands the document back.

`parse_document(text)` answers a `DocumentNode` or None ("not sure": graphql-core's
`parse` then runs). Every test here checks, for each document, that the answer is None
or the tree `graphql.parse` builds, compared node by node: classes, every field, every
location's start, end and source, its first and last tokens (kind, offsets, line,
column, value), and the document's token count; and that every document graphql-core
refuses is answered None. Documents the fast parser must accept are listed, so that the
comparisons cannot pass by its answering None to everything: the benchmark queries, the
example queries, each feature the module docstring claims. Generated documents
(hypothesis-graphql, valid and invalid ones) are compared as printed, and after random
edits of their text (characters deleted, inserted, duplicated). Over HTTP, a syntax
error still reads as graphql-core writes it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import GraphQLError, Location, Token, parse
from graphql.language.ast import Node
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, queries

from bench.queries import Q1, Q2, Q3, Q4, Q5
from content_graph.fast_parse import MAX_DEPTH, parse_document
from content_graph.limits import DocumentChecks
from content_graph.settings import Limits
from tests.conftest import LiveServer
from tests.test_compiled import GRAPHQL
from tests.test_compiled_generated import representations

ROOT = Path(__file__).parent.parent


def same_token(fast: Token, core: Token, where: str) -> None:
    assert type(fast) is Token, where
    for key in ("kind", "start", "end", "line", "column", "value"):
        assert getattr(fast, key) == getattr(core, key), (where, key, fast, core)


def same_tree(fast: Any, core: Any, where: str = "document") -> None:
    """Fails unless `fast` is `core` rebuilt: the same classes, fields and locations."""
    assert type(fast) is type(core), (where, fast, core)
    if isinstance(core, Node):
        assert vars(fast).keys() == vars(core).keys(), where
        for key, value in vars(core).items():
            same_tree(vars(fast)[key], value, f"{where}.{key}")
    elif isinstance(core, tuple):
        assert len(fast) == len(core), where
        for index, (mine, theirs) in enumerate(zip(fast, core, strict=True)):
            same_tree(mine, theirs, f"{where}[{index}]")
    elif isinstance(core, Location):
        assert (fast.start, fast.end) == (core.start, core.end), where
        assert fast.source.body == core.source.body, where
        assert fast.source.name == core.source.name, where
        same_token(fast.start_token, core.start_token, f"{where}.start_token")
        same_token(fast.end_token, core.end_token, f"{where}.end_token")
    else:
        assert fast == core, (where, fast, core)


def compare(text: str, max_tokens: int | None = None) -> bool:
    """Whether the fast parser accepted `text`; fails if its answer is neither None nor
    graphql-core's tree, or not None where graphql-core refuses the text."""
    fast = parse_document(text, max_tokens)
    try:
        core = parse(text, max_tokens=max_tokens)
    except GraphQLError:
        assert fast is None, text
        return False
    if fast is None:
        return False
    same_tree(fast, core)
    assert fast == core
    return True


# Documents the fast parser must read: each feature it claims.
ACCEPTED = [
    Q1,
    Q2,
    Q3,
    Q4,
    Q5,
    *(path.read_text() for path in sorted((ROOT / "examples").glob("*.graphql"))),
    "{ a }",
    "{a}",
    "{ }",
    "{ a { } }",
    "query { a }",
    "query Q { a }",
    "mutation M { a }",
    "subscription S { a }",
    "query on { a }",
    "query Q($a: Int, $b: [String!]!, $c: [[ID]!] = [[1]], $d: Boolean = true @x) { a }",
    'query Q($a: In = {a: [1, 2.5, "x", A, null, false]} @d(x: 1) @e) @f(a: $a) { a }',
    "{ x: a(b: 1, c: $v) @include(if: $f) @skip(if: false) { y: b } }",
    "{ ...F ... on T { a } ... @include(if: true) { b } ... { c } ...F @d }",
    "fragment F on T { a } { ...F }",
    "fragment F on T @d(a: 1) { a ...G } fragment G on U { b }",
    "{ a(x: [], y: {}, z: [[[]]], w: {a: {b: {c: ENUM}}}) }",
    # Numbers.
    "{ a(x: 0, y: -0, z: 123, w: -45, v: 1.5, u: -0.25, t: 1e10, s: 1.5E-3, r: 2e+7) }",
    "{ a(x: 0.0e0, y: -1.0E+10) }",
    # Strings: escapes, unicode, empty, block strings.
    '{ a(x: "", y: "plain", z: "é 日本 😀", w: "tab\there") }',
    r'{ a(x: "\" \\ \/ \b \f \n \r \t", y: "\u00e9\u00E9", z: "\u{1F600}\u{0}") }',
    r'{ a(x: "\u{00000041}\u{10FFFF}\u0000", y: "a\u0041b\"c") }',
    r'{ a(x: "\uD83D\uDE00", y: "\ud83d\ude00 x") }',
    '{ a(x: """block""", y: """  indented\n    more\n  """, z: """""") }',
    '{ a(x: """with \\""" escaped""", y: """quote " inside "" two""") }',
    '{ a(x: """\r\n  crlf\r\n  lines\r\n""", y: """cr\ronly""") b }',
    '{ a(x: """first\n  second""") b(y: """one line""") }',
    # Ignored tokens: comments, commas, line terminators, the byte order mark.
    "# a comment\n{ a # another\n b }# last",
    "{ a, b,, c ,}",
    ",,,{,a,},,,",
    "{\r\n  a\r\n  b\r\n}\r\n",
    "{\r  a\r\r  b\n\r\n}",
    "\ufeff{ a }",
    "{ a\ufeffb }",
    "\t{\ta\t}\t",
    "\n\n\n{ a(x: 1)\n\n b }\n\n",
    "# only a comment before\n\n\n# and another\nquery Q { a }",
    '{ a(x: "x") } # comment with unicode 日本 and "quotes"',
    "{ __typename __schema { types { name } } }",
    "{ a @d(x: [$a, {b: $c}]) }",
    # Nested as deep as it reads (one level more is left to graphql-core, below).
    "{ a " * (MAX_DEPTH - 1) + "{ a }" + "}" * (MAX_DEPTH - 1),
]

# Documents graphql-core refuses, each needing care in a lexer.
REFUSED = [
    "",
    "   ",
    "# only a comment",
    "{ a(x: 01) }",
    "{ a(x: 1a) }",
    "{ a(x: 1.) }",
    "{ a(x: .5) }",
    "{ a(x: 1.5.) }",
    "{ a(x: 1e) }",
    "{ a(x: 1.5e+) }",
    "{ a(x: -) }",
    "{ a(x: 00) }",
    "{ a(x: 1_000) }",
    "{ . . . F }",
    "{ ..F }",
    "{ ....F }",
    '{ a(x: "unterminated) }',
    '{ a(x: "line\nbreak") }',
    '{ a(x: """unterminated) }',
    '{ a(x: """) }',
    '{ a(x: "\\x") }',
    '{ a(x: "\\u12") }',
    '{ a(x: "\\uD83D") }',
    '{ a(x: "\\uDE00") }',
    '{ a(x: "\\uD83Dx") }',
    '{ a(x: "\\u{}") }',
    '{ a(x: "\\u{D800}") }',
    '{ a(x: "\\u{110000}") }',
    '{ a(x: "\\u{000000041}") }',
    "{ a(x: 'single') }",
    "{ a \x0b b }",
    "{ a \x00 }",
    '{ a(x: "\ud800") }',
    "{ a }\ud800",
    "{ a",
    "{ a } }",
    "{ a(): b }",
    "{ a() }",
    "query Q() { a }",
    "{ a(x: $v) } fragment F on T { a(x: $v) }x",
    "query Q($a: Int = $b) { a }",
    "query Q($a: Int @d(x: $b)) { a }",
    "fragment on on T { a }",
    "fragment F T { a }",
    "fragment F on { a }",
    "{ ... on { a } }",
    "query Q($a) { a }",
    "query Q($a: [Int) { a }",
    "query Q($a: Int!!) { a }",
    "{ a: }",
    "{ a: b: c }",
    "{ a(x: {y}) }",
    "{ a(x: [1) }",
    "{ a @ }",
    "{ a & b }",
    "{ a | b }",
    "{ a } query",
    "{ a } = ",
    "unknown { a }",
    "{ a(x: 1 }",
]

# Documents graphql-core reads and the fast parser leaves to it.
HANDED_OVER = [
    "type Query { a: Int }",
    "scalar Date",
    "extend type Query { b: Int }",
    '"description" query Q { a }',
    '"""description""" fragment F on T { a }',
    'query Q("description" $a: Int) { a }',
    '{ a(x: "\\ud83d\\ude00") } # \ud83d\ude00',
    "{ a " * (MAX_DEPTH + 1) + "}" * (MAX_DEPTH + 1),
    "{ a(x: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + ") }",
]


@pytest.mark.parametrize("text", ACCEPTED)
def test_documents_it_must_read(text: str) -> None:
    assert compare(text), text


@pytest.mark.parametrize("text", REFUSED)
def test_documents_graphql_core_refuses(text: str) -> None:
    with pytest.raises(GraphQLError):
        parse(text)
    assert parse_document(text) is None


@pytest.mark.parametrize("text", HANDED_OVER)
def test_documents_left_to_graphql_core(text: str) -> None:
    parse(text)  # graphql-core reads them
    assert parse_document(text) is None


def test_the_shared_schema_is_left_to_graphql_core(shared_dir: Path) -> None:
    sdl = (shared_dir / "contract" / "schema.graphql").read_text()
    parse(sdl)
    assert parse_document(sdl) is None


@pytest.mark.parametrize("text", [Q1, Q2, "# c\n{ a # d\n b(x: [1, 2]) } # e", "{ a }"])
def test_max_tokens_as_graphql_core_counts_them(text: str) -> None:
    count = parse(text).token_count  # type: ignore[attr-defined]
    for limit in range(max(0, count - 3), count + 3):
        accepted = compare(text, limit)
        assert accepted == (limit >= count), (text, limit)


def test_served_checks_read_with_the_fast_parser() -> None:
    checks = DocumentChecks(GRAPHQL, Limits())
    checked = checks.check(Q1)
    assert checked.errors == []
    same_tree(checked.document, parse(Q1))
    refused = checks.check("{ stats { ")
    assert [error.message for error in refused.errors] == [
        "Syntax Error: Expected Name, found <EOF>."
    ]
    too_long = checks.check("{ " + "a " * (Limits().max_tokens + 1) + "}")
    assert too_long.errors[0].extensions["code"] == "MAX_TOKENS_EXCEEDED"  # type: ignore[index]


SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
CUSTOM_SCALARS = {"_Any": representations(st.text(max_size=20))}
# What random edits put into a document: its own punctuation, digits, quotes, escapes,
# ignored characters and a few a lexer must refuse.
EDIT_CHARACTERS = list("{}()[]:$!=@.,\"\\#\n\r\t -+_eE0123456789aZon\ufeff'&|\x00\u00e9")


def edited(text: str, data: st.DataObject) -> str:
    """`text` with one to three characters deleted, inserted or duplicated."""
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        change = data.draw(st.sampled_from(["delete", "insert", "duplicate"]))
        if change == "delete":
            text = text[:at] + text[at + 1 :]
        elif change == "insert":
            text = text[:at] + data.draw(st.sampled_from(EDIT_CHARACTERS)) + text[at:]
        else:
            text = text[:at] + text[at : at + 2] + text[at:]
    return text


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
def test_generated_documents(mode: Mode) -> None:
    accepted: list[bool] = []

    @SETTINGS
    @given(queries(GRAPHQL, mode=mode, custom_scalars=CUSTOM_SCALARS))
    def check(text: str) -> None:
        accepted.append(compare(text))

    check()
    assert all(accepted)  # graphql-core reads them all, and so must the fast parser


@pytest.mark.parametrize("mode", [Mode.POSITIVE, Mode.NEGATIVE])
def test_edited_documents(mode: Mode) -> None:
    outcomes: list[bool] = []

    @SETTINGS
    @given(queries(GRAPHQL, mode=mode, custom_scalars=CUSTOM_SCALARS), st.data())
    def check(text: str, data: st.DataObject) -> None:
        outcomes.append(compare(edited(text, data)))

    check()
    # Some edits keep a readable document, others break it: both must have been seen.
    assert any(outcomes)
    assert not all(outcomes)


@SETTINGS
@given(st.text(alphabet=st.sampled_from(EDIT_CHARACTERS), max_size=40))
def test_random_text(text: str) -> None:
    compare(text)
    compare("{ a(x: " + text + ") }")


def test_syntax_errors_over_http_are_graphql_cores(data_server: LiveServer) -> None:
    """A syntax error reads as graphql-core writes it: message, line and column."""
    for text in ["{ stats {", "query Q {\n  stats { articles(x: 01) }\n}", '{ a(x: "\\u12") }']:
        with pytest.raises(GraphQLError) as raised:
            parse(text)
        answer = data_server.graphql(text)
        [error] = answer["errors"]
        assert error["message"] == raised.value.message, text
        assert error["locations"] == raised.value.formatted["locations"], text
        assert error["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
