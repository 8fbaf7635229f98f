"""Parsing a plain executable document in a fraction of graphql-core's time, so that
graphql-core's `parse` runs only on documents this module cannot prove it reads right.

graphql-core's lexer reads a document character by character in Python: 0.14-0.29 ms of
CPU for the benchmark's small queries (`python -m bench.newdoc`), the largest single part
of what a never-seen document costs. `parse_document` cuts the text into tokens with one
compiled regular expression (the ignored tokens included: whitespace, commas, line
terminators, comments, the byte order mark), then reads the tokens by recursive descent
and builds the very tree `graphql.parse(text)` builds: the same node classes and field
values, `Location`s with the same start and end and the same `Source`, `Token`s with the
same kind, offsets, line, column and value, and the document's `token_count`. Whatever
it does not handle, and every syntax error, it answers None ("not sure"); the caller
then runs graphql-core's `parse`, which raises the error a client sees, unchanged.

It takes about a third of `parse`'s CPU time: 0.044 against 0.133 ms for the benchmark's
Q1, 0.063 against 0.201 for Q2, 0.068 against 0.199 for Q5 (bench.newdoc, its "fast
parse" row). Most of what is left is making graphql-core's objects: a token, a location and a
node (its `__dict__` filled directly) for nearly every token; the regular expression
takes a fifth.

Handled: operations (query, mutation, subscription, and the shorthand `{ ... }`) with
variable definitions (types with lists and non-null, const default values, const
directives) and directives; fields with aliases, arguments, directives and selection
sets (empty ones too, as graphql-core allows by default); fragment spreads, inline
fragments with or without a type condition, fragment definitions; every value literal:
variables, ints, floats, strings with every escape (`\\u` fixed and variable width,
surrogate pairs), block strings (dedented by graphql-core's own helper), booleans,
null, enum values, lists and objects; `max_tokens` as graphql-core counts it (comments
included): a document over it is handed back, and graphql-core raises its error.

Left to graphql-core (answered None): type system definitions and extensions,
descriptions on operations and variables, the experimental fragment arguments, any
surrogate code point in the text, nesting deeper than `MAX_DEPTH`, and every document
that does not parse.

Two differences no caller here sees: graphql-core links its tokens in a list both ways
(`Token.prev`, `Token.next`, ignored comments included), and these tokens are not
linked (both None); no token is made for `:`, `(` and `=`, which no location holds.
Nothing in this server walks the token list; errors take their place from
`Location.source` and `Location.start`, and tracing from `start_token.line`/`column`.
"""

from __future__ import annotations

import re
from typing import Any

from graphql import Source
from graphql.language import TokenKind
from graphql.language.ast import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FloatValueNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    IntValueNode,
    ListTypeNode,
    ListValueNode,
    Location,
    NamedTypeNode,
    NameNode,
    NonNullTypeNode,
    NullValueNode,
    ObjectFieldNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    Token,
    VariableDefinitionNode,
    VariableNode,
)
from graphql.language.block_string import dedent_block_string_lines

# Far below graphql-core's own nesting limit (200) and Python's recursion limit, so
# that a document graphql-core would refuse as nested too deeply is never accepted.
MAX_DEPTH = 64

_IGNORED = r"[ \t,\ufeff]"
_LINE_TERMINATOR = r"(?:\r\n|[\r\n])"
# A run of whitespace and commas, then one token, its kind told by which group matched:
# `findall` answers a tuple of strings per token (the groups that did not match empty),
# without the match objects and method calls of `finditer`, a seventh less time. Few
# groups keep the tuples small: numbers, strings and comments share one, told apart by
# their first character. The last group catches any other character, which ends the
# attempt; so every character up to the last token is in some match, and offsets are
# found by adding up lengths.
_TOKEN = re.compile(
    # Possessive: backtracking into the run would let the last group take an ignored
    # character (trailing commas) and refuse the document.
    rf"({_IGNORED}*+)(?:"
    + "|".join(
        (
            r"([_A-Za-z][_0-9A-Za-z]*)",  # name
            r"([!$)@\[\]{}]|\.\.\.)",  # punctuator
            # Punctuators that neither begin nor end a node, so that no location holds
            # their token: none is made for them (a sixth of a document's tokens).
            r"([:(=])",
            rf"({_LINE_TERMINATOR}(?:{_IGNORED}*{_LINE_TERMINATOR})*)",  # line breaks
            "("  # a literal or a comment:
            + "|".join(
                (
                    # Numbers cannot be followed by a digit (`01`), a dot or a name start
                    # (`1a`).
                    r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?(?![._0-9A-Za-z])",
                    r"#[^\r\n\ud800-\udfff]*",
                    # `"""` always opens a block string (graphql-core's rule), never
                    # `""` and `"`.
                    r'"""(?:[^"\\\ud800-\udfff]|"(?!"")|\\"""|\\)*"""',
                    r'"(?!"")(?:[^"\\\r\n\ud800-\udfff]'
                    r'|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}|u\{[0-9A-Fa-f]{1,8}\}))*"',
                )
            )
            + ")",
            r"((?s:.))",  # anything else
        )
    )
    + ")"
)

_PUNCT_KINDS = {
    "!": TokenKind.BANG,
    "$": TokenKind.DOLLAR,
    "(": TokenKind.PAREN_L,
    ")": TokenKind.PAREN_R,
    ":": TokenKind.COLON,
    "=": TokenKind.EQUALS,
    "@": TokenKind.AT,
    "[": TokenKind.BRACKET_L,
    "]": TokenKind.BRACKET_R,
    "{": TokenKind.BRACE_L,
    "}": TokenKind.BRACE_R,
    "...": TokenKind.SPREAD,
}
_ESCAPE = re.compile(
    r"\\u([dD][89abAB][0-9a-fA-F]{2})\\u([dD][c-fC-F][0-9a-fA-F]{2})"
    r"|\\u([0-9a-fA-F]{4})|\\u\{([0-9a-fA-F]+)\}|\\(.)"
)
_ESCAPED_CHARS = {'"': '"', "/": "/", "\\": "\\", "b": "\b", "f": "\f"}
_ESCAPED_CHARS.update({"n": "\n", "r": "\r", "t": "\t"})
_LINE_BREAK = re.compile(r"\r\n|[\r\n]")
_OPERATIONS = {
    "query": OperationType.QUERY,
    "mutation": OperationType.MUTATION,
    "subscription": OperationType.SUBSCRIPTION,
}
_NAMED_VALUES = {"true", "false", "null"}
# What may follow a field's name: an alias's colon, arguments, directives, selections.
_FIELD_GOES_ON = {":", "(", "@", "{"}

# Token kinds as the parser compares them: the punctuator's text, else one letter.
_NAME_KIND, _INT_KIND, _FLOAT_KIND, _STRING_KIND, _END = "n", "i", "f", "s", "E"

_new = object.__new__
_new_token = Token.__new__


class _Refused(Exception):
    """The document is not one this parser proves it reads as graphql-core does."""


def parse_document(text: str, max_tokens: int | None = None) -> DocumentNode | None:
    """The tree `graphql.parse(text, max_tokens=max_tokens)` returns, or None when this
    parser cannot vouch for it (see the module docstring), including every text
    graphql-core refuses."""
    source = Source(text)
    try:
        kinds, tokens, count = _tokenize(source.body)
        if max_tokens is not None and count > max_tokens:
            return None
        document = _Parser(kinds, tokens, source).document()
    except (_Refused, RecursionError):
        return None
    # graphql-core exposes the count (comments included) on the document the same way.
    object.__setattr__(document, "token_count", count)
    return document


def _tokenize(body: str) -> tuple[list[str], list[Token], int]:
    """The kinds and tokens of `body` (an SOF token first, an EOF token last), and the
    count graphql-core checks `max_tokens` against: every token and comment."""
    kinds = [_END]
    tokens = [Token(TokenKind.SOF, 0, 0, 0, 0)]
    position, line, line_start, comments = 0, 1, 0, 0
    add_kind, add_token = kinds.append, tokens.append
    punct_kinds, name_kind, new_token = _PUNCT_KINDS, TokenKind.NAME, _new_token
    for ignored, name, punct, skipped, newlines, literal, _other in _TOKEN.findall(body):
        start = position + len(ignored)
        # Tokens are made as Token.__init__ makes them, without its call: a third less.
        if name:
            add_kind(_NAME_KIND)
            token = new_token(Token)
            token.kind = name_kind
            token.value = name
            position = start + len(name)
        elif punct:
            add_kind(punct)
            token = new_token(Token)
            token.kind = punct_kinds[punct]
            token.value = None
            position = start + len(punct)
        elif skipped:
            add_kind(skipped)
            add_token(None)  # type: ignore[arg-type]
            position = start + 1
            continue
        elif newlines:
            position = start + len(newlines)
            line += newlines.count("\n") if "\r" not in newlines else _line_breaks(newlines)
            line_start = position  # the run ends with a line terminator
            continue
        elif literal:
            position = start + len(literal)
            if literal[0] == "#":
                comments += 1
                continue
            token = _literal_token(literal, add_kind)
            if token.kind is TokenKind.BLOCK_STRING:
                token.start, token.end = start, position
                token.line, token.column = line, start - line_start + 1
                add_token(token)
                line, line_start = _after_line_breaks(literal, start, line, line_start)
                continue
        else:  # any other character
            raise _Refused
        token.start = start
        token.end = position
        token.line = line
        token.column = start - line_start + 1
        token.prev = token.next = None
        add_token(token)
    end = len(body)
    kinds.append(_END)
    tokens.append(Token(TokenKind.EOF, end, end, line, end - line_start + 1))
    return kinds, tokens, len(tokens) - 2 + comments


def _literal_token(text: str, add_kind: Any) -> Token:
    """The token of a number or string literal (its offsets, line and column set by the
    caller), its kind added by `add_kind`."""
    if text[0] != '"':
        if "." in text or "e" in text or "E" in text:
            add_kind(_FLOAT_KIND)
            return Token(TokenKind.FLOAT, 0, 0, 0, 0, text)
        add_kind(_INT_KIND)
        return Token(TokenKind.INT, 0, 0, 0, 0, text)
    add_kind(_STRING_KIND)
    if text.startswith('"""'):
        return Token(TokenKind.BLOCK_STRING, 0, 0, 0, 0, _block_string_value(text[3:-3]))
    inner = text[1:-1]
    return Token(TokenKind.STRING, 0, 0, 0, 0, _unescape(inner) if "\\" in inner else inner)


def _line_breaks(text: str) -> int:
    """How many line terminators `text` holds, `\\r\\n` counting once as graphql-core
    counts it."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _after_line_breaks(text: str, start: int, line: int, line_start: int) -> tuple[int, int]:
    """The line number and line start after `text`, found at `start`, given those before
    it."""
    breaks = _line_breaks(text)
    if not breaks:
        return line, line_start
    last = max(text.rfind("\n"), text.rfind("\r"))
    return line + breaks, start + last + 1


def _unescape(inner: str) -> str:
    """The value of a string literal's text holding escapes; refused when an escape
    names no Unicode scalar value (graphql-core raises on those)."""
    return _ESCAPE.sub(_escaped, inner)


def _escaped(match: re.Match[str]) -> str:
    high, low, fixed, variable, char = match.groups()
    if high is not None:
        point = 0x10000 + ((int(high, 16) - 0xD800) << 10) + int(low, 16) - 0xDC00
        return chr(point)
    if char is not None:
        return _ESCAPED_CHARS[char]
    # graphql-core reads at most eight hex digits between the braces.
    if variable is not None and len(variable) > 8:
        raise _Refused
    point = int(fixed if fixed is not None else variable, 16)
    if 0xD800 <= point <= 0xDFFF or point > 0x10FFFF:
        raise _Refused
    return chr(point)


def _block_string_value(inner: str) -> str:
    """The value of a block string's text: `\\\"\"\"` unescaped, lines dedented."""
    lines = _LINE_BREAK.split(inner.replace('\\"""', '"""'))
    return "\n".join(dedent_block_string_lines(lines))


class _Parser:
    """Recursive descent over the token list, building graphql-core's nodes.

    Nodes are made with `object.__new__` and their fields written into `__dict__`:
    graphql-core's frozen dataclasses check every keyword in `__init__`, which costs
    twice as much (0.8 against 0.3 µs for a name).
    """

    __slots__ = ("depth", "kinds", "position", "source", "tokens")

    def __init__(self, kinds: list[str], tokens: list[Token], source: Source) -> None:
        self.kinds = kinds
        self.tokens = tokens
        self.source = source
        self.position = 1
        self.depth = 0

    def loc(self, start: int) -> Location:
        """The location from token `start` to the last token read."""
        loc: Location = _new(Location)
        first, last = self.tokens[start], self.tokens[self.position - 1]
        loc.start, loc.end = first.start, last.end
        loc.start_token, loc.end_token, loc.source = first, last, self.source
        return loc

    def expect(self, kind: str) -> None:
        if self.kinds[self.position] != kind:
            raise _Refused
        self.position += 1

    def document(self) -> DocumentNode:
        definitions = []
        kinds = self.kinds
        while kinds[self.position] != _END:
            definitions.append(self.definition())
        if not definitions:
            raise _Refused
        self.position += 1  # graphql-core's document ends at the EOF token
        node = _new(DocumentNode)
        fields = node.__dict__
        fields["loc"] = self.loc(0)
        fields["definitions"] = tuple(definitions)
        return node

    def definition(self) -> OperationDefinitionNode | FragmentDefinitionNode:
        kind = self.kinds[self.position]
        if kind == "{":
            start = self.position
            node = _new(OperationDefinitionNode)
            fields = node.__dict__
            fields["selection_set"] = self.selection_set()
            fields["loc"] = self.loc(start)
            fields["description"] = fields["name"] = None
            fields["variable_definitions"] = fields["directives"] = None
            fields["operation"] = OperationType.QUERY
            return node
        if kind != _NAME_KIND:
            raise _Refused
        keyword = self.tokens[self.position].value
        if keyword == "fragment":
            return self.fragment_definition()
        operation = _OPERATIONS.get(keyword)  # type: ignore[arg-type]
        if operation is None:
            raise _Refused
        return self.operation_definition(operation)

    def operation_definition(self, operation: OperationType) -> OperationDefinitionNode:
        start = self.position
        self.position += 1
        name = self.name() if self.kinds[self.position] == _NAME_KIND else None
        variables = self.variable_definitions() if self.kinds[self.position] == "(" else None
        directives = self.directives(False)
        node = _new(OperationDefinitionNode)
        fields = node.__dict__
        fields["selection_set"] = self.selection_set()
        fields["loc"] = self.loc(start)
        fields["description"] = None
        fields["name"] = name
        fields["variable_definitions"] = variables
        fields["directives"] = directives
        fields["operation"] = operation
        return node

    def variable_definitions(self) -> tuple[VariableDefinitionNode, ...]:
        self.position += 1
        definitions = [self.variable_definition()]
        while self.kinds[self.position] != ")":
            definitions.append(self.variable_definition())
        self.position += 1
        return tuple(definitions)

    def variable_definition(self) -> VariableDefinitionNode:
        start = self.position
        variable = self.variable()
        self.expect(":")
        type_ = self.type_reference()
        default = None
        if self.kinds[self.position] == "=":
            self.position += 1
            default = self.value(True)
        node = _new(VariableDefinitionNode)
        fields = node.__dict__
        fields["description"] = None
        fields["variable"] = variable
        fields["type"] = type_
        fields["default_value"] = default
        fields["directives"] = self.directives(True)
        fields["loc"] = self.loc(start)
        return node

    def variable(self) -> VariableNode:
        start = self.position
        self.expect("$")
        node = _new(VariableNode)
        fields = node.__dict__
        fields["name"] = self.name()
        fields["loc"] = self.loc(start)
        return node

    def type_reference(self) -> Any:
        start = self.position
        type_: Any
        if self.kinds[start] == "[":
            self.position += 1
            self.enter()
            inner = self.type_reference()
            self.depth -= 1
            self.expect("]")
            type_ = _new(ListTypeNode)
            fields = type_.__dict__
            fields["type"] = inner
            fields["loc"] = self.loc(start)
        else:
            type_ = self.named_type()
        if self.kinds[self.position] == "!":
            self.position += 1
            non_null = _new(NonNullTypeNode)
            fields = non_null.__dict__
            fields["type"] = type_
            fields["loc"] = self.loc(start)
            return non_null
        return type_

    def named_type(self) -> NamedTypeNode:
        name = self.name()
        node = _new(NamedTypeNode)
        fields = node.__dict__
        fields["name"] = name
        # The same span as its name: graphql-core's two equal locations, shared.
        fields["loc"] = name.loc
        return node

    def enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Refused

    def selection_set(self) -> SelectionSetNode:
        start = self.position
        self.expect("{")
        self.enter()
        selections: list[Any] = []
        add = selections.append
        kinds, tokens, source = self.kinds, self.tokens, self.source
        position = self.position
        while True:
            kind = kinds[position]
            if kind == _NAME_KIND:
                if kinds[position + 1] in _FIELD_GOES_ON:
                    self.position = position
                    add(self.field())
                    position = self.position
                    continue
                # A lone name, most fields of a document, made here without calls; its
                # field spans what the name spans: graphql-core's two equal
                # locations, shared.
                token = tokens[position]
                position += 1
                loc: Location = _new(Location)
                loc.start, loc.end = token.start, token.end
                loc.start_token = loc.end_token = token
                loc.source = source
                name = _new(NameNode)
                fields = name.__dict__
                fields["value"] = token.value
                fields["loc"] = loc
                field = _new(FieldNode)
                fields = field.__dict__
                fields["alias"] = fields["arguments"] = fields["directives"] = None
                fields["selection_set"] = None
                fields["name"] = name
                fields["loc"] = loc
                add(field)
            elif kind == "}":
                break
            elif kind == "...":
                self.position = position
                add(self.fragment())
                position = self.position
            else:
                raise _Refused
        self.position = position + 1
        self.depth -= 1
        node = _new(SelectionSetNode)
        fields = node.__dict__
        fields["selections"] = tuple(selections)
        fields["loc"] = self.loc(start)
        return node

    def field(self) -> FieldNode:
        start = self.position
        kinds = self.kinds
        name = self.name()
        alias = None
        if kinds[self.position] == ":":
            self.position += 1
            alias, name = name, self.name()
        node = _new(FieldNode)
        fields = node.__dict__
        fields["alias"] = alias
        fields["name"] = name
        fields["arguments"] = self.arguments(False) if kinds[self.position] == "(" else None
        fields["directives"] = self.directives(False) if kinds[self.position] == "@" else None
        fields["selection_set"] = self.selection_set() if kinds[self.position] == "{" else None
        # A lone name spans what its field spans: the two equal locations, shared.
        fields["loc"] = name.loc if self.position == start + 1 else self.loc(start)
        return node

    def name(self) -> NameNode:
        position = self.position
        if self.kinds[position] != _NAME_KIND:
            raise _Refused
        token = self.tokens[position]
        self.position = position + 1
        loc: Location = _new(Location)
        loc.start, loc.end = token.start, token.end
        loc.start_token = loc.end_token = token
        loc.source = self.source
        node = _new(NameNode)
        fields = node.__dict__
        fields["value"] = token.value
        fields["loc"] = loc
        return node

    def arguments(self, const: bool) -> tuple[ArgumentNode, ...]:
        self.position += 1
        arguments = [self.argument(const)]
        while self.kinds[self.position] != ")":
            arguments.append(self.argument(const))
        self.position += 1
        return tuple(arguments)

    def argument(self, const: bool) -> ArgumentNode:
        start = self.position
        name = self.name()
        if self.kinds[self.position] != ":":
            raise _Refused
        self.position += 1
        node = _new(ArgumentNode)
        fields = node.__dict__
        fields["name"] = name
        fields["value"] = self.value(const)
        loc: Location = _new(Location)
        last = self.tokens[self.position - 1]
        loc.start, loc.end = name.loc.start, last.end  # type: ignore[union-attr]
        loc.start_token, loc.end_token = self.tokens[start], last
        loc.source = self.source
        fields["loc"] = loc
        return node

    def directives(self, const: bool) -> tuple[DirectiveNode, ...] | None:
        if self.kinds[self.position] != "@":
            return None
        directives = []
        while self.kinds[self.position] == "@":
            start = self.position
            self.position += 1
            node = _new(DirectiveNode)
            fields = node.__dict__
            fields["name"] = self.name()
            fields["arguments"] = (
                self.arguments(const) if self.kinds[self.position] == "(" else None
            )
            fields["loc"] = self.loc(start)
            directives.append(node)
        return tuple(directives)

    def fragment(self) -> FragmentSpreadNode | InlineFragmentNode:
        start = self.position
        self.position += 1
        kinds, tokens = self.kinds, self.tokens
        has_condition = kinds[self.position] == _NAME_KIND and tokens[self.position].value == "on"
        if has_condition:
            self.position += 1
        elif kinds[self.position] == _NAME_KIND:
            spread = _new(FragmentSpreadNode)
            fields = spread.__dict__
            fields["name"] = self.name()
            fields["arguments"] = None
            fields["directives"] = self.directives(False)
            fields["loc"] = self.loc(start)
            return spread
        node = _new(InlineFragmentNode)
        fields = node.__dict__
        fields["type_condition"] = self.named_type() if has_condition else None
        fields["directives"] = self.directives(False)
        fields["selection_set"] = self.selection_set()
        fields["loc"] = self.loc(start)
        return node

    def fragment_definition(self) -> FragmentDefinitionNode:
        start = self.position
        self.position += 1
        if self.kinds[self.position] == _NAME_KIND and self.tokens[self.position].value == "on":
            raise _Refused
        name = self.name()
        if self.kinds[self.position] != _NAME_KIND or self.tokens[self.position].value != "on":
            raise _Refused
        self.position += 1
        node = _new(FragmentDefinitionNode)
        fields = node.__dict__
        fields["description"] = None
        fields["name"] = name
        fields["variable_definitions"] = ()
        fields["type_condition"] = self.named_type()
        fields["directives"] = self.directives(False)
        fields["selection_set"] = self.selection_set()
        fields["loc"] = self.loc(start)
        return node

    def value(self, const: bool) -> Any:
        position = self.position
        kind = self.kinds[position]
        token = self.tokens[position]
        node: Any
        if kind == _NAME_KIND:
            self.position += 1
            value = token.value
            if value in _NAMED_VALUES:
                if value == "null":
                    node = _new(NullValueNode)
                    fields = node.__dict__
                else:
                    node = _new(BooleanValueNode)
                    fields = node.__dict__
                    fields["value"] = value == "true"
            else:
                node = _new(EnumValueNode)
                fields = node.__dict__
                fields["value"] = value
        elif kind == "$":
            if const:
                raise _Refused
            return self.variable()
        elif kind in (_INT_KIND, _FLOAT_KIND):
            self.position += 1
            node = _new(IntValueNode if kind == _INT_KIND else FloatValueNode)
            fields = node.__dict__
            fields["value"] = token.value
        elif kind == _STRING_KIND:
            self.position += 1
            node = _new(StringValueNode)
            fields = node.__dict__
            fields["value"] = token.value
            fields["block"] = token.kind is TokenKind.BLOCK_STRING
        elif kind == "[":
            return self.list_value(const)
        elif kind == "{":
            return self.object_value(const)
        else:
            raise _Refused
        # A single token: the location made here, without a call.
        loc: Location = _new(Location)
        loc.start, loc.end = token.start, token.end
        loc.start_token = loc.end_token = token
        loc.source = self.source
        fields["loc"] = loc
        return node

    def list_value(self, const: bool) -> ListValueNode:
        start = self.position
        self.position += 1
        self.enter()
        values = []
        while self.kinds[self.position] != "]":
            values.append(self.value(const))
        self.position += 1
        self.depth -= 1
        node = _new(ListValueNode)
        fields = node.__dict__
        fields["values"] = tuple(values)
        fields["loc"] = self.loc(start)
        return node

    def object_value(self, const: bool) -> ObjectValueNode:
        start = self.position
        self.position += 1
        self.enter()
        object_fields = []
        while self.kinds[self.position] != "}":
            field_start = self.position
            field = _new(ObjectFieldNode)
            fields = field.__dict__
            fields["name"] = self.name()
            self.expect(":")
            fields["value"] = self.value(const)
            fields["loc"] = self.loc(field_start)
            object_fields.append(field)
        self.position += 1
        self.depth -= 1
        node = _new(ObjectValueNode)
        fields = node.__dict__
        fields["fields"] = tuple(object_fields)
        fields["loc"] = self.loc(start)
        return node
