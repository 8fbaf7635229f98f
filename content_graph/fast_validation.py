"""Proving a document valid in one pass, so that graphql-core's `validate` runs only on
documents that may be invalid.

graphql-core validates by visiting the document once with some thirty rules side by
side, each called at every node through a type-tracking visitor: 0.7-1.1 ms of CPU for
the benchmark's small queries, four fifths of what a never-seen document costs before it
runs (bench/PEER.md). `FastValidator.is_valid` walks the document once with the schema
and answers True only when it has checked every condition of every rule `DocumentChecks`
runs (graphql-core's `specified_rules`, Strawberry's `MaybeNullValidationRule` and
`OneOfInputValidationRule`, and `NoSchemaIntrospectionCustomRule` when introspection is
off). Whatever it does not handle, or finds wrong, it answers False ("not sure"), and
graphql-core's `validate` then runs exactly as before and writes the errors: a client sees
the same errors, and the only risk, accepting an invalid document, is what
tests/test_fast_validation.py probes against graphql-core on generated documents.

Handled, rule by rule (each a condition that must hold, else "not sure"):

- executable definitions only; operation types with a root type; unique operation
  names; an anonymous operation only when alone; no subscription (its one-root-field rule
  is left to graphql-core);
- fields that exist on their parent (`__typename` on any composite type, `__schema` and
  `__type` on the query type when introspection is on, with introspection lists nested
  fewer than three deep, without named fragments below them); leaves without selections,
  composite fields with a non-empty one;
- arguments: known, unique, required ones given, literals of the right type (lists,
  input objects with known, unique and required fields, enum values, scalars through
  the scalar's own literal parser, as graphql-core does), no null where Strawberry's
  `Maybe` refuses it, no OneOf input objects;
- variables: unique, of known input types, valid default values, each used and each
  usage defined and of an allowed type (graphql-core's `allowed_variable_usage`), through
  the fragments an operation spreads; no variable inside a scalar's literal;
- directives: only `@skip` and `@include` where they belong, once each per place, with
  their `if` argument checked as any argument; none on operations, variables or fragment
  definitions;
- fragments: unique names, known, on existing composite types that can overlap the
  parent type, no cycles, every one used, no fragment variables;
- overlapping fields: all the fields sharing a response name at one level (inline and
  named fragments flattened, as graphql-core collects them) are compared pairwise as
  graphql-core's `find_conflict` does: same field and same arguments unless their
  parents are distinct object types, no conflicting return types, and their
  sub-selections compared in turn;
- and a work budget far below graphql-core's own abort thresholds (its complexity and
  fragment budgets, its nesting limit), so that a document graphql-core would abort on
  is never accepted here.
"""

from __future__ import annotations

from typing import Any, TypeAlias

from graphql import (
    BooleanValueNode,
    DocumentNode,
    EnumValueNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLID,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLString,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    NullValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    Undefined,
    ValueNode,
    VariableNode,
    get_named_type,
    is_composite_type,
    is_enum_type,
    is_input_object_type,
    is_input_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    is_required_argument,
    is_required_input_field,
    type_from_ast,
)
from graphql.type import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef
from graphql.type.definition import GraphQLArgument, GraphQLInputField
from graphql.utilities.validate_input_value import validate_input_literal
from graphql.validation.rules.variables_in_allowed_position import allowed_variable_usage
from strawberry.types.base import StrawberryMaybe, StrawberryOptional
from strawberry.utils.str_converters import to_camel_case

from content_graph.argument_values import has_variable

# Work units (fields visited, fragment fields merged, field pairs compared) one document
# may take before the answer is "not sure". graphql-core aborts a validation after
# 500,000 units of its overlap budget or 50,000 of its fragment budget; a document
# within this one stays far below both.
WORK_BUDGET = 20_000
# Nesting of selection sets (fields and inline fragments, fragments expanded) past which
# the answer is "not sure". graphql-core aborts past 200 (`MAX_NESTING_DEPTH`).
MAX_NESTING = 100
# graphql-core's `MaxIntrospectionDepthRule`: introspection lists nested this deep fail.
MAX_INTROSPECTION_LISTS = 3
INTROSPECTION_LISTS = frozenset({"fields", "interfaces", "possibleTypes", "inputFields"})
# Scalars whose literals are checked here rather than by their parser; each accepts a
# subset of what its graphql-core parser accepts.
INT_RANGE = range(-(2**31), 2**31)


class _NotSure(Exception):
    """The document uses something this pass does not prove valid (or is invalid)."""


# One field as the overlap rule sees it: the type it is selected on, its node, its
# definition, and the fields of its own selection by response name (None for a leaf).
_Entry: TypeAlias = tuple[GraphQLNamedType, FieldNode, GraphQLField, dict[str, list[Any]] | None]
# A variable as used: its name, the type of the place it is in, that place's default.
_Usage: TypeAlias = tuple[str, GraphQLInputType, Any]


class FastValidator:
    """Answers whether a document is valid against one schema, when it can tell quickly."""

    def __init__(self, schema: GraphQLSchema, *, introspection: bool = True) -> None:
        self.schema = schema
        self.introspection = introspection
        roots = {
            OperationType.QUERY: schema.query_type,
            OperationType.MUTATION: schema.mutation_type,
        }
        self.roots = {kind: root for kind, root in roots.items() if root is not None}
        self.types = schema.type_map
        self.possible: dict[str, frozenset[str]] = {}
        for named in self.types.values():
            if is_object_type(named):
                self.possible[named.name] = frozenset({named.name})
            elif is_composite_type(named):
                names = {t.name for t in schema.get_possible_types(named)}  # type: ignore[arg-type]
                self.possible[named.name] = frozenset(names)
        self.directives = {
            name: directive
            for name in ("skip", "include")
            if (directive := schema.get_directive(name)) is not None and not directive.is_repeatable
        }
        self.refused_nulls = _null_refusals(schema)

    def is_valid(self, document: DocumentNode) -> bool:
        """True when the document is valid; False when it may not be (then ask graphql-core)."""
        try:
            _Walk(self, document).run()
        except (_NotSure, RecursionError):
            return False
        return True


def _null_refusals(schema: GraphQLSchema) -> tuple[set[int], dict[str, frozenset[str]]]:
    """Where Strawberry's `MaybeNullValidationRule` refuses a null literal: the arguments
    (by id) and input object fields (by type name) declared `Maybe[T]`, named as the rule
    names them."""

    def refuses(definition: Any) -> bool:
        kind = getattr(definition, "type", None)
        return isinstance(kind, StrawberryMaybe) and not isinstance(
            kind.of_type, StrawberryOptional
        )

    arguments: set[int] = set()
    fields: dict[str, frozenset[str]] = {}
    for named in schema.type_map.values():
        for field in getattr(named, "fields", {}).values():
            for argument in getattr(field, "args", {}).values():
                if refuses(argument.extensions.get("strawberry-definition")):
                    arguments.add(id(argument))
        if is_input_object_type(named):
            definition = named.extensions.get("strawberry-definition")
            if definition is None or getattr(definition, "from_input", None) is not None:
                continue
            fields[named.name] = frozenset(
                field.graphql_name or to_camel_case(field.python_name)
                for field in getattr(definition, "fields", ())
                if refuses(field)
            )
    return arguments, fields


def _default(definition: GraphQLArgument | GraphQLInputField) -> Any:
    """A place's default as graphql-core's TypeInfo gives it to the variables rule."""
    default = definition.default
    return default if default is not None else definition.default_value


def _types_conflict(type1: Any, type2: Any) -> bool:
    """graphql-core's `do_types_conflict`: lists and non-nulls must match, leaves be one."""
    if type1 is type2:
        return False
    if is_list_type(type1) or is_list_type(type2):
        both = is_list_type(type1) and is_list_type(type2)
        return not both or _types_conflict(type1.of_type, type2.of_type)
    if is_non_null_type(type1) or is_non_null_type(type2):
        both = is_non_null_type(type1) and is_non_null_type(type2)
        return not both or _types_conflict(type1.of_type, type2.of_type)
    if is_leaf_type(type1) or is_leaf_type(type2):
        return type1 is not type2
    return False


def _value_key(node: ValueNode) -> Any:
    """What graphql-core compares of two argument values (`get_value_structure`)."""
    if isinstance(node, ObjectValueNode):
        fields = sorted(node.fields, key=lambda field: field.name.value)
        return ("object", tuple((field.name.value, _value_key(field.value)) for field in fields))
    if isinstance(node, ListValueNode):
        return ("list", tuple(_value_key(value) for value in node.values))
    if isinstance(node, VariableNode):
        return ("variable", node.name.value)
    if isinstance(node, StringValueNode):
        return ("string", node.value, node.block is True)
    if isinstance(node, NullValueNode):
        return ("null",)
    return (type(node).__name__, node.value)  # type: ignore[attr-defined]


def _same_arguments(node1: FieldNode, node2: FieldNode) -> bool:
    arguments1, arguments2 = node1.arguments or (), node2.arguments or ()
    if len(arguments1) != len(arguments2):
        return False
    values2 = {argument.name.value: argument.value for argument in arguments2}
    for argument in arguments1:
        value2 = values2.get(argument.name.value)
        if value2 is None or _value_key(argument.value) != _value_key(value2):
            return False
    return True


def _introspection_lists(selection_set: SelectionSetNode | None) -> int:
    """The most introspection lists nested along one path below an introspection field."""
    deepest = 0
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FragmentSpreadNode):
            raise _NotSure  # graphql-core follows it; not worth following here
        below = _introspection_lists(selection.selection_set)  # type: ignore[union-attr]
        if isinstance(selection, FieldNode) and selection.name.value in INTROSPECTION_LISTS:
            below += 1
        deepest = max(deepest, below)
    return deepest


class _Fragment:
    """A fragment definition checked once: its type, its fields, its variables, its nesting."""

    __slots__ = ("fields", "nesting", "type", "usages")

    def __init__(
        self,
        type_: GraphQLNamedType,
        fields: dict[str, list[_Entry]],
        usages: list[_Usage],
        nesting: int,
    ) -> None:
        self.type = type_
        self.fields = fields
        self.usages = usages
        self.nesting = nesting


class _Walk:
    """One document's check; raises `_NotSure` at the first thing it cannot prove."""

    def __init__(self, validator: FastValidator, document: DocumentNode) -> None:
        self.validator = validator
        self.types = validator.types
        self.operations: list[OperationDefinitionNode] = []
        self.fragments: dict[str, FragmentDefinitionNode] = {}
        for definition in document.definitions:
            if type(definition) is OperationDefinitionNode:
                self.operations.append(definition)
            elif type(definition) is FragmentDefinitionNode:
                name = definition.name.value
                if name in self.fragments:
                    raise _NotSure
                self.fragments[name] = definition
            else:
                raise _NotSure
        # None while a fragment is being checked: met again then, it is a cycle.
        self.checked: dict[str, _Fragment | None] = {}
        self.budget = WORK_BUDGET

    def spend(self, work: int) -> None:
        self.budget -= work
        if self.budget < 0:
            raise _NotSure

    def run(self) -> None:
        operations = self.operations
        if not operations:
            raise _NotSure
        if len(operations) > 1:
            names = {operation.name.value for operation in operations if operation.name}
            if len(names) != len(operations):
                raise _NotSure  # an anonymous operation among others, or a name twice
        for operation in operations:
            self.operation(operation)
        if len(self.checked) != len(self.fragments):
            raise _NotSure  # a fragment no operation spreads

    def operation(self, operation: OperationDefinitionNode) -> None:
        root = self.validator.roots.get(operation.operation)
        if root is None or operation.directives:
            raise _NotSure
        schema = self.validator.schema
        defined: dict[str, Any] = {}
        for definition in operation.variable_definitions or ():
            name = definition.variable.name.value
            if name in defined or definition.directives:
                raise _NotSure
            kind = type_from_ast(schema, definition.type)
            if kind is None or not is_input_type(kind):
                raise _NotSure
            if definition.default_value is not None:
                self.literal(definition.default_value, kind, None)  # type: ignore[arg-type]
            defined[name] = (kind, definition)
        usages: list[_Usage] = []
        _, nesting = self.selection_set(root, operation.selection_set, usages)
        if nesting > MAX_NESTING:
            raise _NotSure
        used = set()
        for name, location, location_default in usages:
            variable = defined.get(name)
            if variable is None:
                raise _NotSure
            kind, definition = variable
            if not allowed_variable_usage(
                schema, kind, definition.default_value, location, location_default
            ):
                raise _NotSure
            used.add(name)
        if len(used) != len(defined):
            raise _NotSure

    def selection_set(
        self,
        parent: GraphQLNamedType,
        selection_set: SelectionSetNode | None,
        usages: list[_Usage],
    ) -> tuple[dict[str, list[_Entry]], int]:
        """The fields selected (fragments flattened) by response name, checked, and how
        deeply the selection nests (fields and inline fragments along one path)."""
        if selection_set is None or not selection_set.selections:
            raise _NotSure
        fields: dict[str, list[_Entry]] = {}
        nesting = 0
        overlaps = False
        for selection in selection_set.selections:
            self.spend(1)
            kind = type(selection)
            if kind is FieldNode:
                entry, below = self.field(parent, selection, usages)  # type: ignore[arg-type]
                name = selection.alias.value if selection.alias else selection.name.value  # type: ignore[union-attr]
                same = fields.get(name)
                if same is None:
                    fields[name] = [entry]
                else:
                    same.append(entry)
                    overlaps = True
                nesting = max(nesting, below)
                continue
            self.directives(selection.directives, usages)
            if kind is InlineFragmentNode:
                condition = selection.type_condition  # type: ignore[union-attr]
                on = self.type_condition(parent, condition.name.value) if condition else parent
                inner, below = self.selection_set(on, selection.selection_set, usages)  # type: ignore[union-attr]
                below += 1
            elif kind is FragmentSpreadNode:
                fragment = self.fragment(selection.name.value)  # type: ignore[union-attr]
                if selection.arguments:  # type: ignore[union-attr]
                    raise _NotSure
                self.overlap(parent, fragment.type)
                usages.extend(fragment.usages)
                inner, below = fragment.fields, fragment.nesting
            else:
                raise _NotSure
            nesting = max(nesting, below)
            for name, entries in inner.items():
                self.spend(len(entries))
                same = fields.get(name)
                if same is None:
                    fields[name] = list(entries)
                else:
                    same.extend(entries)
                    overlaps = True
        if overlaps:
            for entries in fields.values():
                for index, first in enumerate(entries):
                    for second in entries[index + 1 :]:
                        self.mergeable(first, second, False)
        return fields, nesting

    def field(
        self, parent: GraphQLNamedType, node: FieldNode, usages: list[_Usage]
    ) -> tuple[_Entry, int]:
        name = node.name.value
        if name == "__typename":
            definition: GraphQLField | None = TypeNameMetaFieldDef
        elif name in ("__schema", "__type"):
            validator = self.validator
            if not validator.introspection or parent is not validator.schema.query_type:
                raise _NotSure
            if _introspection_lists(node.selection_set) >= MAX_INTROSPECTION_LISTS:
                raise _NotSure
            definition = SchemaMetaFieldDef if name == "__schema" else TypeMetaFieldDef
        else:
            definition = getattr(parent, "fields", {}).get(name)
            if definition is None:
                raise _NotSure
        if node.directives:
            self.directives(node.directives, usages)
        if node.arguments or definition.args:
            self.arguments(definition.args, node, usages)
        named = get_named_type(definition.type)
        if node.selection_set is None:
            if not is_leaf_type(named):
                raise _NotSure
            return (parent, node, definition, None), 1
        if is_leaf_type(named):
            raise _NotSure
        fields, nesting = self.selection_set(named, node.selection_set, usages)
        return (parent, node, definition, fields), nesting + 1

    def type_condition(self, parent: GraphQLNamedType, name: str) -> GraphQLNamedType:
        on = self.types.get(name)
        if on is None or not is_composite_type(on):
            raise _NotSure
        self.overlap(parent, on)
        return on

    def overlap(self, parent: GraphQLNamedType, on: GraphQLNamedType) -> None:
        """graphql-core's `do_types_overlap`: some object type can be of both types."""
        if parent is not on:
            possible = self.validator.possible
            if not possible[parent.name] & possible[on.name]:
                raise _NotSure

    def fragment(self, name: str) -> _Fragment:
        if name in self.checked:
            fragment = self.checked[name]
            if fragment is None:
                raise _NotSure  # a cycle
            return fragment
        definition = self.fragments.get(name)
        if definition is None or definition.directives or definition.variable_definitions:
            raise _NotSure
        self.checked[name] = None
        on = self.types.get(definition.type_condition.name.value)
        if on is None or not is_composite_type(on):
            raise _NotSure
        usages: list[_Usage] = []
        fields, nesting = self.selection_set(on, definition.selection_set, usages)
        if nesting > MAX_NESTING:
            raise _NotSure
        fragment = self.checked[name] = _Fragment(on, fields, usages, nesting)
        return fragment

    def directives(self, directives: Any, usages: list[_Usage]) -> None:
        seen = set()
        for directive in directives or ():
            name = directive.name.value
            definition = self.validator.directives.get(name)
            if definition is None or name in seen:
                raise _NotSure
            seen.add(name)
            self.arguments(definition.args, directive, usages)

    def arguments(
        self, definitions: dict[str, GraphQLArgument], node: Any, usages: list[_Usage]
    ) -> None:
        given = set()
        refused_nulls = self.validator.refused_nulls[0]
        for argument in node.arguments or ():
            name = argument.name.value
            definition = definitions.get(name)
            if definition is None or name in given:
                raise _NotSure
            given.add(name)
            value = argument.value
            if type(value) is VariableNode:
                usages.append((value.name.value, definition.type, _default(definition)))
            else:
                if type(value) is NullValueNode and id(definition) in refused_nulls:
                    raise _NotSure
                self.literal(value, definition.type, usages)
        if len(given) != len(definitions):
            for name, definition in definitions.items():
                if name not in given and is_required_argument(definition):
                    raise _NotSure

    def literal(self, node: ValueNode, kind: Any, usages: list[_Usage] | None) -> None:
        """graphql-core's `validate_input_literal` when it finds nothing wrong; variables
        within are recorded (`usages` None: none may occur, as in a default value)."""
        if type(node) is VariableNode:
            raise _NotSure  # the callers record variables where they may stand
        if type(kind) is GraphQLNonNull:
            if type(node) is NullValueNode:
                raise _NotSure
            kind = kind.of_type
        if type(node) is NullValueNode:
            return
        if type(kind) is GraphQLList:
            item = kind.of_type
            values = node.values if type(node) is ListValueNode else (node,)  # type: ignore[attr-defined]
            for value in values:
                if type(value) is VariableNode:
                    if usages is None:
                        raise _NotSure
                    usages.append((value.name.value, item, Undefined))  # lists have no defaults
                else:
                    self.literal(value, item, usages)
            return
        if is_input_object_type(kind):
            self.input_object(node, kind, usages)
            return
        self.leaf(node, kind)

    def input_object(self, node: ValueNode, kind: Any, usages: list[_Usage] | None) -> None:
        if type(node) is not ObjectValueNode or kind.is_one_of:
            raise _NotSure
        strawberry = kind.extensions.get("strawberry-definition")
        if strawberry is not None and getattr(strawberry, "is_one_of", False):
            raise _NotSure
        definitions = kind.fields
        refused_nulls = self.validator.refused_nulls[1].get(kind.name, ())
        given = set()
        for field in node.fields:
            name = field.name.value
            definition = definitions.get(name)
            if definition is None or name in given:
                raise _NotSure
            given.add(name)
            value = field.value
            if type(value) is VariableNode:
                if usages is None:
                    raise _NotSure
                usages.append((value.name.value, definition.type, _default(definition)))
            else:
                if type(value) is NullValueNode and name in refused_nulls:
                    raise _NotSure
                self.literal(value, definition.type, usages)
        if len(given) != len(definitions):
            for name, definition in definitions.items():
                if name not in given and is_required_input_field(definition):
                    raise _NotSure

    def leaf(self, node: ValueNode, kind: Any) -> None:
        """A scalar's or enum's literal, as its own parser judges it."""
        node_type = type(node)
        if kind is GraphQLString or kind is GraphQLID:
            if node_type is StringValueNode or (kind is GraphQLID and node_type is IntValueNode):
                return
        elif kind is GraphQLInt:
            if node_type is IntValueNode and int(node.value) in INT_RANGE:  # type: ignore[attr-defined]
                return
        elif kind is GraphQLBoolean:
            if node_type is BooleanValueNode:
                return
        elif is_enum_type(kind):
            if node_type is EnumValueNode and node.value in kind.values:  # type: ignore[attr-defined]
                return
        elif not has_variable(node):
            self.parsed_by_scalar(node, kind)
            return
        raise _NotSure

    def parsed_by_scalar(self, node: ValueNode, kind: Any) -> None:
        # graphql-core's own check of a leaf literal, which asks the scalar's parser
        # (a custom scalar may accept any literal, or refuse some strings).
        def refuse(_error: GraphQLError, _path: Any) -> None:
            raise _NotSure

        validate_input_literal(node, kind, refuse)

    def mergeable(self, first: _Entry, second: _Entry, exclusive: bool) -> None:
        """graphql-core's `find_conflict` finding none between two same-named fields."""
        self.spend(1)
        parent1, node1, definition1, fields1 = first
        parent2, node2, definition2, fields2 = second
        exclusive = exclusive or (
            parent1 is not parent2 and is_object_type(parent1) and is_object_type(parent2)
        )
        if not exclusive and (
            node1.name.value != node2.name.value or not _same_arguments(node1, node2)
        ):
            raise _NotSure
        if _types_conflict(definition1.type, definition2.type):
            raise _NotSure
        if fields1 is not None and fields2 is not None:
            for name, entries1 in fields1.items():
                entries2 = fields2.get(name)
                for entry1 in entries1 if entries2 else ():
                    for entry2 in entries2:  # type: ignore[union-attr]
                        self.mergeable(entry1, entry2, exclusive)
