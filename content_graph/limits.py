"""What a query may ask for, checked before anything runs: tokens, aliases, depth and cost.

A document is checked once: its parse, its validation and its token, alias and depth
limits depend on the text alone, so the outcome is kept per document text
(`DocumentChecks`), from the second time the text comes on. Its cost may depend on
variables (`first: $n`); it is kept per operation too when it does not.

The cost of a query
-------------------
The cost is the largest number of nodes (articles, providers and topics) that the query
could return, like GitHub's node limit. Every field that returns nodes counts how many
it could return, multiplied by the sizes of all the lists it is nested in; the counts
are summed over every path of the query, with fragments (named and inline) expanded
where they are spread, aliases counted as the separate fields they are, `@skip` and
`@include` ignored (the cost is an upper bound), and variables read from the request.

    cost(selection, m) = Σ over fields f of the selection:
                           m * n(f) if f counts, else 0
                         + cost(f's selection, m * n(f))

    and the query's cost is cost(operation's selection, 1), where n(f) is how many
    items f can return for one parent:

    - a connection (`articles`, `search`, `providers`, `topics`, `relatedFrom`, a
      provider's or topic's `articles`): its page size, `first` or `last`, the smaller
      when both are given, 20 (the default page) when neither is; capped at 100, the
      most a page can hold. It counts whether or not its nodes are selected.
    - `related`, and `Article.topics`: the longest such list in the loaded data.
    - `similar(first)`, `Provider.topics(first)`, `Topic.relatedTopics(first)`,
      `Topic.providers(first)`: `first`, or the field's default (5 or 10); capped at 100.
    - `nodes(ids)`: the number of IDs. `path(maxHops)`: maxHops + 1 (a path of k
      hops has k + 1 nodes); the default 6 when not given.
    - `_entities(representations)` (federation, docs/federation.md): the number of
      representations, each of which may return one node.
    - a field that returns one node (`article`, `node`, `provider`, `topic`,
      `Article.provider`): 1.
    - the parts of an item that is already counted (a connection's `edges`, `nodes`
      and `pageInfo`, an edge's `node`, `ScoredArticle.article`, `TopicCount.topic`,
      `ProviderCount.provider`) have n = 1 and do not count again.
    - introspection lists (`__schema { types { fields … } }`) count as many items as the
      schema's longest such list, so that introspection cannot be nested into
      exponential work either; other fields (scalars, `stats`, `images`) count nothing.

For example, with a longest `related` list of 8:

    { providers(first: 10) { nodes { articles(first: 5) { nodes { related { title } } } } } }

costs 10 (providers) + 10 * 5 (articles) + 10 * 5 * 8 (related) = 460.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Generic, NamedTuple, TypeVar

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_interface_type,
    is_leaf_type,
    is_list_type,
    is_object_type,
    parse,
    specified_rules,
    validate,
    value_from_ast_untyped,
)
from graphql.error import GraphQLSyntaxError
from graphql.type import (
    GraphQLField,
    GraphQLNamedType,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    introspection_types,
)
from graphql.validation import NoSchemaIntrospectionCustomRule
from graphql.validation.rules import overlapping_fields_can_be_merged
from graphql.validation.validate import ValidationAbortedError
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from content_graph.fast_parse import parse_document
from content_graph.fast_validation import FastValidator
from content_graph.settings import Limits
from content_graph.sightings import Sightings
from content_graph.validation_rules import rules_for
from graph.model import ContentGraph
from resolvers.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from resolvers.path import MAX_HOPS

K = TypeVar("K")
V = TypeVar("V")

# Objects that stand for one node already counted by the list or connection they are in.
ITEM_TYPES = frozenset({"ScoredArticle", "TopicCount", "ProviderCount"})
# Documents longer than this are checked every time rather than kept: the cache holds
# the documents clients repeat, which are short.
CACHED_DOCUMENT_LENGTH = 20_000
CACHED_DOCUMENTS = 1_000
# And at most this many characters of them. A kept document costs 60-130 bytes a
# character of its text here, and its compiled plan (compiled.py, bounded alike) as much
# again: 43 KiB for the benchmark's Q1, 1.9 MiB for a 6,300-character query of 45
# aliased lists. Counted alone, 1,000 documents near the length limit would hold GBs.
CACHED_DOCUMENT_CHARS = 500_000
# graphql-core's budget for comparing the fields that share a response name (its
# `MAX_COMPLEXITY_BUDGET`, read as each validation starts; 500,000 units by default).
# Comparisons grow with the square of a name's repeats: a 5,000-token document of one
# field repeated 1,240 times took 0.8 s of CPU to refuse at graphql-core's budget,
# 0.12-0.15 s at this one. The benchmark's queries and the introspection query spend no
# units; a query whose three fragments overlap spends 60.
VALIDATION_BUDGET = 50_000
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = VALIDATION_BUDGET
# What graphql-core says when it stops a validation over its budget, or on a recursion.
ABORTED = "Validation aborted."


class KeptTexts(OrderedDict[K, V], Generic[K, V]):
    """What is kept per document text, least recently used first out: at most `entries`
    of them, and at most `CACHED_DOCUMENT_CHARS` characters of their texts (`size`
    gives a key's). The document checks and the compiled plans keep theirs so."""

    def __init__(self, entries: int, size: Callable[[K], int]) -> None:
        super().__init__()
        self.entries = entries
        self.size = size
        self.chars = 0

    def keep(self, key: K, value: V) -> None:
        if key not in self:
            self.chars += self.size(key)
        self[key] = value
        while len(self) > self.entries or self.chars > CACHED_DOCUMENT_CHARS:
            evicted, _ = self.popitem(last=False)
            self.chars -= self.size(evicted)


class LimitError(GraphQLError):
    """A request refused by a limit; `extensions` say which (`code`) and its value."""

    def __init__(self, message: str, code: str, limit: int | float) -> None:
        super().__init__(message, extensions={"code": code, "limit": limit})


@dataclass(slots=True)
class CheckedDocument:
    """A document text checked once: parsed, validated and within the document limits.

    `document` is None when the text does not parse; `errors` are the parse, validation
    or limit errors, empty when the document may run. `costs` keeps the cost of each
    operation (by name) whose cost does not depend on variables.
    """

    document: DocumentNode | None
    errors: list[GraphQLError]
    costs: dict[str | None, int] = field(default_factory=dict)


class DocumentChecks:
    """Parses, validates and applies the token, alias and depth limits, once per text."""

    def __init__(self, schema: GraphQLSchema, limits: Limits) -> None:
        self.schema = schema
        self.limits = limits
        rules = [*specified_rules, MaybeNullValidationRule, OneOfInputValidationRule]
        if not limits.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        self.rules = tuple(rules)
        self.fast = FastValidator(schema, introspection=limits.introspection)
        self._checked: KeptTexts[str, CheckedDocument] = KeptTexts(CACHED_DOCUMENTS, len)
        self._sightings = Sightings()

    def check(self, text: str) -> CheckedDocument:
        checked = self._checked.get(text)
        if checked is not None:
            self._checked.move_to_end(text)
            return checked
        checked = self._check(text)
        if len(text) <= CACHED_DOCUMENT_LENGTH and self._seen_before(text):
            # Documents are checked on the event loop's thread only, before any execution
            # moves to a worker thread: keeping one needs no lock.
            self._checked.keep(text, checked)
        return checked

    def _seen_before(self, text: str) -> bool:
        """Whether `text` came before (and so is worth keeping), remembering it if not.

        Documents sent once (a client that writes its values into the text, or numbers
        an alias) are most of a stream of new documents. Kept, each parsed tree (a few
        hundred objects, tokens linked both ways) would outlive several collections and
        be promoted to the oldest generation, which the collector then walks whole, a
        thousand such trees at a time; unkept, it dies young, in a cheap collection.
        """
        return self._sightings.seen_before(text)

    def _check(self, text: str) -> CheckedDocument:
        limits = self.limits
        # The fast parser reads most documents at a third of `parse`'s cost; on the
        # others, and on every syntax error, `parse` runs and writes the error
        # (fast_parse.py).
        document = parse_document(text, limits.max_tokens)
        try:
            if document is None:
                document = parse(text, max_tokens=limits.max_tokens)
        except GraphQLSyntaxError as error:
            if "tokens. Parsing aborted" in error.message:
                error = LimitError(
                    f"The document has more than {limits.max_tokens} tokens, "
                    f"over the token limit of {limits.max_tokens}.",
                    "MAX_TOKENS_EXCEEDED",
                    limits.max_tokens,
                )
            return CheckedDocument(None, [error])
        # Aliases first: validation compares fields pairwise, so a document of many
        # aliased fields is refused before it can make validation slow.
        aliases = count_aliases(document)
        if aliases > limits.max_aliases:
            message = (
                f"The document has {aliases} aliases, over the alias limit of {limits.max_aliases}."
            )
            return CheckedDocument(
                document, [LimitError(message, "MAX_ALIASES_EXCEEDED", limits.max_aliases)]
            )
        # The fast pass proves most documents valid at a tenth of `validate`'s cost; on
        # the others `validate` runs and writes the errors (fast_validation.py).
        errors = (
            []
            if self.fast.is_valid(document)
            else validate(self.schema, document, rules_for(document, self.rules))
        )
        if errors:
            if type(errors[-1]) is ValidationAbortedError and errors[-1].message == ABORTED:
                errors[-1] = LimitError(
                    "Validation stopped: the document takes more work to validate than "
                    f"the limit of {VALIDATION_BUDGET:,} steps allows (fields that share a "
                    "name are compared pairwise; select each one once per selection).",
                    "MAX_VALIDATION_WORK_EXCEEDED",
                    VALIDATION_BUDGET,
                )
            return CheckedDocument(document, errors)
        depth = query_depth(document)
        if depth > limits.max_depth:
            message = (
                f"The query is {depth} fields deep, over the depth limit of {limits.max_depth}."
            )
            return CheckedDocument(
                document, [LimitError(message, "MAX_DEPTH_EXCEEDED", limits.max_depth)]
            )
        return CheckedDocument(document, [])


def count_aliases(document: DocumentNode) -> int:
    """Every aliased field written in the document (a fragment's count once)."""
    count = 0
    stack: list[Any] = [
        definition.selection_set
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode)
    ]
    while stack:
        selection_set = stack.pop()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode) and selection.alias is not None:
                count += 1
            if getattr(selection, "selection_set", None) is not None:
                stack.append(selection.selection_set)
    return count


def query_depth(document: DocumentNode) -> int:
    """The deepest nesting of fields in any operation, fragments expanded.

    `{ stats { articles } }` is 2 deep. Each fragment's depth is computed once, so
    fragments that spread each other many times cost no more than their text.
    """
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    known: dict[str, int] = {}

    def depth(selection_set: SelectionSetNode | None) -> int:
        deepest = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                deepest = max(deepest, 1 + depth(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in known:
                    known[name] = 0  # a cycle (refused by validation) adds nothing
                    fragment = fragments.get(name)
                    known[name] = depth(fragment.selection_set) if fragment else 0
                deepest = max(deepest, known[name])
        return deepest

    return max(
        (
            depth(definition.selection_set)
            for definition in document.definitions
            if isinstance(definition, OperationDefinitionNode)
        ),
        default=0,
    )


class Size(Enum):
    """How a field's number of items is found (see the module docstring)."""

    ONE = "one"  # one object
    PAGE = "page"  # a connection: first/last
    FIRST = "first"  # a list with a `first` argument and its default
    IDS = "ids"  # as many as the `ids` argument lists
    REPRESENTATIONS = "representations"  # `_entities`: one node per representation
    HOPS = "hops"  # a path: maxHops + 1
    DATA = "data"  # a list without arguments: the longest one in the data or schema


class FieldRule(NamedTuple):
    size: Size
    counted: bool
    default: int = 1
    key: str = ""


class CostModel:
    """The cost formula of the module docstring, over one schema."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        node = schema.get_type("Node")
        self.node_types = frozenset(
            {"Node", *(t.name for t in schema.get_possible_types(node))}  # type: ignore[arg-type]
            if node is not None and is_interface_type(node)
            else ()
        )
        self.rules: dict[tuple[str, str], FieldRule] = {}
        for named in schema.type_map.values():
            if is_object_type(named) or is_interface_type(named):
                for name, definition in named.fields.items():  # type: ignore[union-attr]
                    rule = self._rule(named, name, definition)
                    if rule is not None:
                        self.rules[named.name, name] = rule
        self.schema_sizes = _schema_list_sizes(schema)

    def _rule(
        self, parent: GraphQLNamedType, name: str, definition: GraphQLField
    ) -> FieldRule | None:
        item = get_named_type(definition.type)
        if is_leaf_type(item):
            return None
        if _stands_for_its_item(parent.name):
            return FieldRule(Size.ONE, counted=False)
        counts = (
            item.name in self.node_types
            or item.name in ITEM_TYPES
            or item.name in introspection_types
        )
        if item.name.endswith("Connection"):
            return FieldRule(Size.PAGE, counted=True)
        if not is_list_type(get_nullable_type(definition.type)):  # type: ignore[arg-type]
            return FieldRule(Size.ONE, counted=item.name in self.node_types)
        arguments = definition.args
        if "first" in arguments:
            default = arguments["first"].default_value
            size = default if isinstance(default, int) else DEFAULT_PAGE_SIZE
            return FieldRule(Size.FIRST, counts, size)
        if "ids" in arguments:
            return FieldRule(Size.IDS, counts)
        if "representations" in arguments:
            # Its items are a union of node types (`_Entity`), each one node.
            return FieldRule(Size.REPRESENTATIONS, counted=True)
        if "maxHops" in arguments:
            default = arguments["maxHops"].default_value
            return FieldRule(Size.HOPS, counts, default if isinstance(default, int) else MAX_HOPS)
        return FieldRule(Size.DATA, counts, key=f"{parent.name}.{name}")

    def cost(
        self,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
        data_sizes: Mapping[str, int],
    ) -> tuple[int, bool]:
        """The operation's cost, and whether it depended on the variables' values."""
        walk = _CostWalk(self, document, operation, variables, data_sizes)
        root = self.schema.get_root_type(operation.operation)
        total = walk.selection_cost(operation.selection_set, root) if root else 0
        return total, walk.read_variables


def _stands_for_its_item(type_name: str) -> bool:
    return (
        type_name.endswith(("Connection", "Edge"))
        or type_name in ITEM_TYPES
        or type_name == "PageInfo"
    )


class _CostWalk:
    """One cost computation: the variables in force and each fragment's cost so far."""

    def __init__(
        self,
        model: CostModel,
        document: DocumentNode,
        operation: OperationDefinitionNode,
        variables: Mapping[str, Any] | None,
        data_sizes: Mapping[str, int],
    ) -> None:
        self.model = model
        self.data_sizes = data_sizes
        self.fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        values: dict[str, Any] = {}
        for definition in operation.variable_definitions or ():
            if definition.default_value is not None:
                values[definition.variable.name.value] = value_from_ast_untyped(
                    definition.default_value
                )
        values.update(variables or {})
        self.variables = values
        self.read_variables = False
        self.fragment_costs: dict[str, int] = {}

    def selection_cost(self, selection_set: SelectionSetNode, parent: Any) -> int:
        total = 0
        schema = self.model.schema
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field_cost(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = schema.get_type(condition.name.value) if condition else parent
                total += self.selection_cost(selection.selection_set, on)
            elif isinstance(selection, FragmentSpreadNode):
                total += self.fragment_cost(selection.name.value)
        return total

    def fragment_cost(self, name: str) -> int:
        # A fragment's cost is the same wherever it is spread (the multiplier is applied
        # by the caller), so it is computed once: fragments spreading fragments cannot
        # make this walk exponential, only the number it returns.
        known = self.fragment_costs.get(name)
        if known is not None:
            return known
        self.fragment_costs[name] = 0  # a cycle (refused by validation) adds nothing
        fragment = self.fragments.get(name)
        cost = 0
        if fragment is not None:
            on = self.model.schema.get_type(fragment.type_condition.name.value)
            cost = self.selection_cost(fragment.selection_set, on)
        self.fragment_costs[name] = cost
        return cost

    def field_cost(self, node: FieldNode, parent: Any) -> int:
        name = node.name.value
        if name == "__typename" or parent is None:
            return 0
        if name == "__schema":
            definition: GraphQLField | None = SchemaMetaFieldDef
            rule: FieldRule | None = FieldRule(Size.ONE, counted=False)
        elif name == "__type":
            definition, rule = TypeMetaFieldDef, FieldRule(Size.ONE, counted=False)
        else:
            definition = getattr(parent, "fields", {}).get(name)
            rule = self.model.rules.get((parent.name, name))
        if definition is None or rule is None:
            return 0
        size = self.size(rule, node)
        total = size if rule.counted else 0
        if node.selection_set is not None and size:
            inner = self.selection_cost(node.selection_set, get_named_type(definition.type))
            total += size * inner
        return total

    def size(self, rule: FieldRule, node: FieldNode) -> int:
        kind = rule.size
        if kind is Size.ONE:
            return 1
        if kind is Size.PAGE:
            sizes = [
                _page_size(value)
                for value in (self.argument(node, "first"), self.argument(node, "last"))
                if _is_int(value)
            ]
            return min(sizes) if sizes else DEFAULT_PAGE_SIZE
        if kind is Size.FIRST:
            value = self.argument(node, "first")
            return _page_size(value) if _is_int(value) else rule.default
        if kind is Size.IDS:
            value = self.argument(node, "ids")
            if isinstance(value, list):
                return len(value)
            return 0 if value is None else 1  # a single ID is coerced to a list of one
        if kind is Size.REPRESENTATIONS:
            value = self.argument(node, "representations")
            if isinstance(value, list):
                return len(value)
            return 0 if value is None else 1  # coerced to a list of one, as for ids
        if kind is Size.HOPS:
            value = self.argument(node, "maxHops")
            hops = value if _is_int(value) else rule.default
            return min(max(hops, 0), MAX_HOPS) + 1
        sizes = self.data_sizes
        if rule.key in sizes:
            return sizes[rule.key]
        return self.model.schema_sizes.get(rule.key, MAX_PAGE_SIZE)

    def argument(self, node: FieldNode, name: str) -> Any:
        for argument in node.arguments or ():
            if argument.name.value == name:
                return self.value(argument.value)
        return None

    def value(self, node: Any) -> Any:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, VariableNode):
            self.read_variables = True
            return self.variables.get(node.name.value)
        if isinstance(node, ListValueNode):
            return [self.value(item) for item in node.values]
        if isinstance(node, NullValueNode):
            return None
        return value_from_ast_untyped(node, self.variables)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _page_size(value: int) -> int:
    # Larger pages are refused by the resolvers, so they can never return more.
    return min(max(value, 0), MAX_PAGE_SIZE)


def _schema_list_sizes(schema: GraphQLSchema) -> dict[str, int]:
    """The longest introspection lists this schema can return."""
    named = list(schema.type_map.values())
    fields = [f for t in named for f in getattr(t, "fields", {}).values()]
    return {
        "__Schema.types": len(named),
        "__Schema.directives": len(schema.directives),
        "__Type.fields": max((len(getattr(t, "fields", {})) for t in named), default=0),
        "__Type.inputFields": max(
            (len(getattr(t, "fields", {})) for t in named if hasattr(t, "out_type")), default=0
        ),
        "__Type.interfaces": max((len(getattr(t, "interfaces", ())) for t in named), default=0),
        "__Type.possibleTypes": max(
            (len(schema.get_possible_types(t)) for t in named if is_interface_type(t)),
            default=0,
        ),
        "__Type.enumValues": max((len(getattr(t, "values", {})) for t in named), default=0),
        "__Field.args": max((len(getattr(f, "args", {})) for f in fields), default=0),
        "__Directive.args": max((len(d.args) for d in schema.directives), default=0),
        # A subscription event is sent in pages of at most MAX_PAGE_SIZE new articles.
        "ArticlesAdded.articles": MAX_PAGE_SIZE,
    }


def data_list_sizes(graph: ContentGraph) -> dict[str, int]:
    """The longest lists of the loaded data, computed once per graph."""
    sizes = graph.caches.get("limits:list-sizes")
    if sizes is None:
        articles, providers = graph.articles, graph.providers
        sizes = graph.caches["limits:list-sizes"] = {
            "Article.related": max((len(a.related) for a in articles), default=0),
            "Article.topics": max((len(a.topics) for a in articles), default=0),
            "Article.images": max((len(a.images) for a in articles), default=0),
            "Provider.images": max((len(p.images) for p in providers), default=0),
        }
    return sizes  # type: ignore[return-value]
