"""Compiled execution: each operation turned once into a tree of closures over the graph.

graphql-core executes an operation by walking its document for every object it
completes: it looks up each field's definition, builds a `GraphQLResolveInfo` and a
`Path` for every field, calls the resolver through Strawberry's wrapper (which builds an
`Info` and converts arguments even for a plain attribute), and dispatches on the return
type to complete the value. For the benchmark's Q2 that machinery was about 15 times the
cost of the traversal itself (issue 10).

Here the walk happens once per operation (graphql-jit's idea): every field of every
selection becomes a closure that knows how to resolve it and how to complete what it
returns. A field Strawberry reads as an attribute becomes an attribute read; a resolver
that takes only its parent is called directly; standard scalars are completed inline; an
`info` is built only for the resolvers that take one. The result is the same dict
graphql-core would build, in the same order, with the same errors: the same messages,
paths and locations, null propagation to the nearest nullable parent, and the deadline
checked before each object's fields as `execution.DeadlineExecutor` does.

Fields are collected with graphql-core's own `collect_fields`, so fragments, aliases and
merging are exactly its own. `@skip` and `@include` depend on variables, so a plan is
compiled per combination of the variables those directives read. What this does not
compile it refuses with `Unsupported`, and the operation runs on graphql-core as before:
operations other than queries, directives other than `@skip`/`@include`, fragment
variables, and type checks (`is_type_of`, `resolve_type`) that read their `info`.

Compiling a new document costs 0.05 to 0.2 ms (bench/EXECUTION.md), less than it saves
on a single execution of each of the benchmark's queries (graphql-core's execution of
the smallest, Q1 and Q4, is 0.2 ms, compiled 0.02 to 0.05 ms): the objects' code is
generated once per shape (`compiled_source.py`) and reused by any document that differs
only in aliases or literals. So every query is compiled on its first use
(`COMPILE_NOW_COST`, a cost of 0). Its plan is kept only from the document's second use
(`KEEP_AFTER`): a document sent once leaves nothing behind, neither in the bounded cache
(where it would evict the plans of documents clients repeat) nor for the garbage
collector to walk.
"""

from __future__ import annotations

import dis
import math
from collections import OrderedDict
from collections.abc import Callable, Mapping
from enum import Enum
from operator import attrgetter
from threading import Lock
from typing import Any

from graphql import (
    GRAPHQL_MAX_INT,
    GRAPHQL_MIN_INT,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLAbstractType,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    VariableNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_abstract_type,
    is_input_object_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
    located_error,
)
from graphql.execution.collect_fields import (
    FieldDetails,
    FragmentDetails,
    collect_fields,
    collect_subfields,
)
from graphql.execution.executor import default_field_resolver, invalid_return_type_error
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from graphql.pyutils import Path, inspect, is_iterable
from graphql.type import TypeNameMetaFieldDef
from strawberry.execution import optimized_is_awaitable
from strawberry.schema.schema import _OperationContextAwareGraphQLResolveInfo
from strawberry.types import ExecutionResult
from strawberry.types.arguments import convert_arguments

from content_graph.argument_values import argument_values, has_variable
from content_graph.compiled_arguments import arguments_converter
from content_graph.compiled_source import FieldCode, field_closure, object_completer
from content_graph.compiled_variables import SimpleVariables, simple_variables
from content_graph.limits import CACHED_DOCUMENT_LENGTH, KeptTexts

# A document's plan is kept from this use on; a document not kept yet is compiled for
# its one run when its cost (the nodes it may return) is at least COMPILE_NOW_COST, and
# runs on graphql-core otherwise (see the module docstring).
KEEP_AFTER = 2
COMPILE_NOW_COST = 0
# Operations kept compiled, and operations counted; the least recently used go first.
# The plans kept are bounded by their texts' characters too (`CACHED_DOCUMENT_CHARS`).
CACHED_OPERATIONS = 1_000
# Plans kept per operation, one per combination of @skip/@include variable values.
PLANS_PER_OPERATION = 8
# graphql-core's `execute` default: variable errors reported before it gives up.
MAX_COERCION_ERRORS = 50
STRAWBERRY_FIELD = "strawberry-definition"

_new_tuple = tuple.__new__

# A response path while executing: (previous, key, typename) tuples, turned into
# graphql-core's `Path` only for an error or an `info` (most fields need neither).
PathTuple = tuple[Any, str | int, str | None] | None
Completer = Callable[["_Run", Any, PathTuple], Any]


class Unsupported(Exception):
    """The operation uses something the compiler does not handle; graphql-core runs it."""


class _Run:
    """The state of one execution of a plan: what graphql-core keeps on its executor."""

    __slots__ = ("context", "deadline", "errors", "extensions", "paths", "variables")

    def __init__(
        self, context: Any, variables: VariableValues, deadline: float, extensions: Any
    ) -> None:
        self.context = context
        self.variables = variables
        self.deadline = deadline
        self.extensions = extensions
        self.errors: list[GraphQLError] = []
        self.paths: dict[int, tuple[PathTuple, Path]] = {}  # see `_as_path`


def _as_path(
    path: PathTuple, known: dict[int, tuple[PathTuple, Path]] | None = None
) -> Path | None:
    """graphql-core's `Path` of a path tuple. `known` keeps, during one run, the paths
    already built, by the id of their tuple, so that the infos of a list's items share
    their prefix. It keeps each tuple too: a tuple freed during the run could leave its
    id to another one."""
    keys = []
    result = None
    while path is not None:
        if known is not None:
            entry = known.get(id(path))
            if entry is not None:
                result = entry[1]
                break
        keys.append(path)
        path = path[0]
    for tail in reversed(keys):
        # tuple.__new__ directly: Path's own __new__ is a Python function.
        result = _new_tuple(Path, (result, tail[1], tail[2]))
        if known is not None:
            known[id(tail)] = (tail, result)
    return result


class _Info(_OperationContextAwareGraphQLResolveInfo):
    """The `info` Strawberry's executor gives a resolver, its `path` built when read.

    Our resolvers read `info.context` (the graph) and hardly ever the path: building
    graphql-core's `Path` for each call was a tenth of a nested query's execution."""

    __slots__ = ()

    @property  # type: ignore[misc]
    def path(self) -> Path | None:  # type: ignore[override]
        path, known = tuple.__getitem__(self, 4)
        return _as_path(path, known)


def _as_list(path: PathTuple) -> list[str | int]:
    keys: list[str | int] = []
    while path is not None:
        keys.append(path[1])
        path = path[0]
    keys.reverse()
    return keys


_READS_ARGUMENT: dict[tuple[Any, int], bool] = {}


def _reads_argument(function: Any, index: int) -> bool:
    """`_reads_code_argument`, once per function (disassembling is slow)."""
    if hasattr(function, "__func__"):  # a bound method: its first parameter is bound
        function, index = function.__func__, index + 1
    key = (function, index)
    known = _READS_ARGUMENT.get(key)
    if known is None:
        known = _READS_ARGUMENT[key] = _reads_code_argument(function, index)
    return known


def _reads_code_argument(function: Any, index: int) -> bool:
    """Whether `function` reads its positional parameter `index` (False only when sure).

    Type checks and type resolvers are given an `info` by graphql-core; building one per
    object would cost more than the rest of the object's completion, so it is built only
    for the functions whose code reads it.
    """
    code = getattr(function, "__code__", None)
    if code is None or index >= code.co_argcount:
        return True
    name = code.co_varnames[index]
    if name in code.co_cellvars:
        return True
    return any(
        instruction.opname.startswith("LOAD_FAST") and instruction.argval == name
        for instruction in dis.get_instructions(code)
    )


def _fast_scalar(type_: GraphQLLeafType) -> type | None:
    """The Python type a standard scalar returns unchanged, so completion can skip it."""
    if type_ is GraphQLString or type_ is GraphQLID:
        return str
    if type_ is GraphQLBoolean:
        return bool
    if type_ is GraphQLFloat:
        return float
    if type_ is GraphQLInt:
        return int
    return None


def _complete_leaf(type_: GraphQLLeafType, value: Any) -> Any:
    # graphql-core's complete_leaf_value, with its message.
    coerced = type_.coerce_output_value(value)
    if coerced is Undefined or coerced is None:
        msg = (
            f"Expected `{inspect(type_)}.coerce_output_value("
            f"{inspect(value)})` to return non-nullable value, returned:"
            f" {inspect(coerced)}"
        )
        raise TypeError(msg)
    return coerced


class _Field:
    """What one field of one selection needs at compile time."""

    __slots__ = ("definition", "details", "key", "name", "nodes", "parent")

    def __init__(
        self,
        parent: GraphQLObjectType,
        key: str,
        definition: GraphQLField,
        details: list[FieldDetails],
    ) -> None:
        self.parent = parent
        self.key = key
        self.definition = definition
        self.details = details
        self.nodes = [detail.node for detail in details]
        self.name = self.nodes[0].name.value


class Plan:
    """One operation compiled for one combination of @skip/@include variable values."""

    def __init__(self, compiler: _Compiler, operation: OperationDefinitionNode) -> None:
        root = compiler.schema.query_type
        assert root is not None
        collected = collect_fields(
            compiler.schema, compiler.fragments, compiler.variables, root, operation
        )
        self.root = compiler.root(root, collected.grouped_field_set)

    def execute(self, run: _Run) -> ExecutionResult:
        try:
            data = self.root(run, None, None)
        except GraphQLError as error:
            run.errors.append(error)
            data = None
        return ExecutionResult(data=data, errors=run.errors or None)


class _Compiler:
    """Turns one operation's selections into closures (see the module docstring)."""

    def __init__(
        self,
        compiled: CompiledOperations,
        operation: OperationDefinitionNode,
        fragment_definitions: dict[str, FragmentDefinitionNode],
        variables: VariableValues,
        *,
        generate: bool | None = True,
    ) -> None:
        self.schema = compiled.schema
        self.deadline_error = compiled.deadline_error
        # Strawberry's schema, whose resolvers are called directly (None for a schema
        # that is not Strawberry's: its resolvers get graphql-core's call).
        self.strawberry = getattr(self.schema, "_strawberry_schema", None)
        self.operation = operation
        self.fragment_definitions = fragment_definitions
        self.fragments = {
            name: FragmentDetails(definition) for name, definition in fragment_definitions.items()
        }
        self.variables = variables
        self.converters = compiled.converters
        # Whether objects get generated code or run as closures (compiled_source.py).
        self.generate = generate

    # Selections --------------------------------------------------------------------

    def fields(
        self, type_: GraphQLObjectType, grouped: Mapping[str, list[FieldDetails]]
    ) -> list[FieldCode]:
        """How each field of an object is read and completed, in order, by response key."""
        fields: list[FieldCode] = []
        for key, details in grouped.items():
            definition = self.schema.get_field(type_, details[0].node.name.value)
            if definition is None:  # graphql-core leaves such a field out
                continue
            fields.append(self.field(_Field(type_, key, definition, details)))
        return fields

    def root(
        self, type_: GraphQLObjectType, grouped: Mapping[str, list[FieldDetails]]
    ) -> Completer:
        """The root's fields: graphql-core checks no deadline and no type there."""
        fields = [
            (code.key, field_closure(type_.name, code)) for code in self.fields(type_, grouped)
        ]

        def complete_root(run: _Run, source: Any, path: PathTuple) -> dict[str, Any]:
            return {key: complete_field(run, source, path) for key, complete_field in fields}

        return complete_root

    def field(self, field: _Field) -> FieldCode:
        """How one field of an object is resolved and completed (compiled_source.py)."""
        definition, key, nodes = field.definition, field.key, field.nodes
        if definition is TypeNameMetaFieldDef:
            return FieldCode(key, typename=True)
        return_type = definition.type
        complete = self.completer(field, return_type)
        non_null = is_non_null_type(return_type)

        def fail(run: _Run, raw: Exception, field_path: PathTuple) -> None:
            error = located_error(raw, nodes, _as_list(field_path))
            if non_null:
                raise error from None
            run.errors.append(error)

        named = get_nullable_type(return_type)
        fast = _fast_scalar(named) if is_leaf_type(named) else None
        if fast is not str and fast is not bool:
            fast = None
        attribute = self.attribute(field)
        if attribute is not None:
            read = attrgetter(attribute)
            return FieldCode(
                key,
                attribute=attribute,
                fast=fast,
                complete=complete,
                resolve=lambda run, source, path: read(source),
                fail=fail,
            )
        function = self.parent_function(field)
        if function is not None:
            return FieldCode(
                key, function=True, fast=fast, complete=complete, resolve=function, fail=fail
            )
        return FieldCode(key, complete=complete, resolve=self.resolver(field), fail=fail)

    # Resolvers ---------------------------------------------------------------------

    def attribute(self, field: _Field) -> str | None:
        """The attribute a field reads when it is Strawberry's basic field,
        `getattr(source, python_name)` and nothing else; None for any other field."""
        definition = field.definition
        strawberry_field = (definition.extensions or {}).get(STRAWBERRY_FIELD)
        if (
            strawberry_field is not None
            and getattr(definition.resolve, "_is_default", False)
            and strawberry_field.default_resolver is getattr
        ):
            return str(strawberry_field.python_name)
        return None

    def parent_function(self, field: _Field) -> Callable[[Any], Any] | None:
        """A Strawberry resolver that takes only its parent (as `self`, `root` or
        `parent`) and no arguments, as a function of the parent; None for any other."""
        resolver = self.plain_resolver(field)
        if resolver is None or resolver.arguments or resolver.info_parameter is not None:
            return None
        if field.definition.args:
            return None
        function = resolver.wrapped_func
        parents = [
            parameter.name
            for parameter in (resolver.parent_parameter, resolver.root_parameter)
            if parameter is not None
        ]
        if resolver.self_parameter is not None and not parents:
            return function  # type: ignore[no-any-return]
        if len(parents) == 1 and resolver.self_parameter is None:
            parent = parents[0]
            return lambda source: function(**{parent: source})
        return None

    def plain_resolver(self, field: _Field) -> Any:
        """The field's Strawberry resolver when Strawberry's wrapper would only convert
        arguments, build an `Info` and call it (no field extensions, no exception
        handlers, not async); None otherwise."""
        strawberry_field = (field.definition.extensions or {}).get(STRAWBERRY_FIELD)
        if strawberry_field is None or self.strawberry is None:
            return None
        resolver = strawberry_field.base_resolver
        if (
            resolver is None
            or strawberry_field.extensions
            or resolver.is_async
            or getattr(self.strawberry.schema_converter, "_exception_handler_specs", True)
        ):
            return None
        return resolver

    def resolver(self, field: _Field) -> Callable[[_Run, Any, PathTuple], Any]:
        """How to get a field's value: the cheapest call that does what graphql-core's does."""
        definition = field.definition
        resolve = definition.resolve
        strawberry_field = (definition.extensions or {}).get(STRAWBERRY_FIELD)
        direct = self.strawberry_call(field, strawberry_field)
        if direct is not None:
            return direct
        return self.resolver_with_info(field, resolve or default_field_resolver)

    def strawberry_call(
        self, field: _Field, strawberry_field: Any
    ) -> Callable[[_Run, Any, PathTuple], Any] | None:
        """A Strawberry resolver called as Strawberry's wrapper calls it, minus the wrapper.

        Without field extensions or exception handlers the wrapper converts the
        arguments, builds an `Info` and calls the function with the parent (as `self`,
        `root` or `parent`) and `info` where it asks for them. Here an `Info` is built
        only for a function that asks for one (`Article.id` needs none), and constant
        arguments that convert to immutable values are converted once.
        """
        resolver = self.plain_resolver(field)
        if resolver is None:
            return None
        function = resolver.wrapped_func
        as_self = resolver.self_parameter is not None
        parents = [
            parameter.name
            for parameter in (resolver.parent_parameter, resolver.root_parameter)
            if parameter is not None
        ]
        info_name = resolver.info_parameter.name if resolver.info_parameter else None
        make_info = self.info(field) if info_name else None
        info_class = self.strawberry.config.info_class
        raw_arguments = self.arguments(field)
        arguments = strawberry_field.arguments
        registry, config = self.strawberry.schema_converter.scalar_registry, self.strawberry.config
        converted: dict[str, Any] | None = None
        constant = raw_arguments(None) if _is_constant(raw_arguments) else None
        # `info` reaches only input types that build their own value: without input
        # types among the arguments, conversion does not depend on it.
        scalar_arguments = not any(
            is_input_object_type(get_named_type(argument.type))
            for argument in field.definition.args.values()
        )
        if constant is not None and (info_name is None or scalar_arguments):
            try:
                converted = convert_arguments(constant, arguments, registry, config)
            except Exception:  # raised again when the field runs
                converted = None
            if converted is not None and not all(map(_is_immutable, converted.values())):
                converted = None

        convert = self.converter(strawberry_field)

        def call(run: _Run, source: Any, path: PathTuple) -> Any:
            info = None if make_info is None else info_class(make_info(run, path), strawberry_field)
            if converted is not None:
                kwargs = dict(converted)
            elif convert is not None:
                kwargs = convert(raw_arguments(run))
            else:
                kwargs = convert_arguments(raw_arguments(run), arguments, registry, config, info)
            for name in parents:
                kwargs[name] = source
            if info_name is not None:
                kwargs[info_name] = info
            return function(source, **kwargs) if as_self else function(**kwargs)

        return call

    def converter(
        self, strawberry_field: Any
    ) -> Callable[[Mapping[str, Any]], dict[str, Any]] | None:
        """The field's arguments converter (compiled_arguments.py), built once per field
        of the schema; None where Strawberry's own conversion is needed."""
        known = self.converters.get(id(strawberry_field))
        if known is None:
            assert self.strawberry is not None
            convert = arguments_converter(
                strawberry_field.arguments,
                self.strawberry.schema_converter.scalar_registry,
                self.strawberry.config,
            )
            # The field is kept with its converter, so that its id stays its own.
            known = self.converters[id(strawberry_field)] = (strawberry_field, convert)
        return known[1]  # type: ignore[no-any-return]

    def arguments(self, field: _Field) -> Callable[[_Run | None], dict[str, Any]]:
        """A field's argument values, as graphql-core's `get_argument_values` gives them;
        computed once when the document gives them as constants."""
        definition, node = field.definition, field.nodes[0]
        fragment_variables = field.details[0].fragment_variable_values
        if not (definition.args or node.arguments):
            constant: dict[str, Any] = {}
            return _constant(constant)
        if not _uses_variables(node):
            try:
                constant = get_argument_values(definition, node, self.variables)
            except Exception:  # raised again, located, when the field runs
                pass
            else:
                return _constant(constant)

        if self.generate is not True:
            # A plan run once (not kept): deciding per argument would cost it more than
            # graphql-core's walk does.
            def walked(run: _Run | None) -> dict[str, Any]:
                assert run is not None
                return get_argument_values(definition, node, run.variables, fragment_variables)

            return walked
        values = argument_values(definition, node, fragment_variables)

        def from_variables(run: _Run | None) -> dict[str, Any]:
            assert run is not None
            return values(run.variables)

        return from_variables

    def info(self, field: _Field) -> Callable[[_Run, PathTuple], GraphQLResolveInfo]:
        """The `info` graphql-core (through Strawberry's executor) would give the field."""
        definition = field.definition
        name, nodes, return_type, parent = field.name, field.nodes, definition.type, field.parent
        schema, fragments, operation = self.schema, self.fragment_definitions, self.operation

        def make_info(run: _Run, path: PathTuple) -> GraphQLResolveInfo:
            # tuple.__new__ directly, as the named tuple's own __new__ is a Python function.
            return _new_tuple(  # type: ignore[no-any-return]
                _Info,
                (
                    name,
                    nodes,
                    return_type,
                    parent,
                    (path, run.paths),  # the path, built if read (`_Info.path`)
                    schema,
                    fragments,
                    None,
                    operation,
                    run.variables.coerced,
                    run.context,
                    optimized_is_awaitable,
                    None,
                    None,
                    run.extensions,
                ),
            )

        return make_info

    def resolver_with_info(
        self, field: _Field, resolve: Callable[..., Any]
    ) -> Callable[[_Run, Any, PathTuple], Any]:
        """graphql-core's call: the resolver with a full `info` and the arguments."""
        make_info, arguments = self.info(field), self.arguments(field)

        def resolve_with_info(run: _Run, source: Any, path: PathTuple) -> Any:
            return resolve(source, make_info(run, path), **arguments(run))

        return resolve_with_info

    # Completion --------------------------------------------------------------------

    def completer(self, field: _Field, type_: GraphQLOutputType) -> Completer:
        """graphql-core's complete_value for `type_`, specialised once."""
        if is_non_null_type(type_):
            return self.non_null(field, type_)
        if is_leaf_type(type_):
            return self.leaf(type_)  # type: ignore[arg-type]
        if is_list_type(type_):
            return self.list(field, type_)  # type: ignore[arg-type]
        if is_abstract_type(type_):
            return self.abstract(field, type_)  # type: ignore[arg-type]
        if is_object_type(type_):
            return self.object(field, type_)  # type: ignore[arg-type]
        raise Unsupported(f"output type {type_}")

    def non_null(self, field: _Field, type_: GraphQLNonNull[Any]) -> Completer:
        message = f"Cannot return null for non-nullable field {field.parent}.{field.name}."
        inner_type = type_.of_type
        if is_object_type(inner_type):
            return self.object_selection(field, inner_type, "non_null", message)
        inner = self.completer(field, inner_type)
        fast = _fast_scalar(inner_type) if is_leaf_type(inner_type) else None
        if fast is str or fast is bool:
            # The common case, a String!, ID! or Boolean! read as such: returned as is.

            def complete_scalar(run: _Run, value: Any, path: PathTuple) -> Any:
                if type(value) is fast:
                    return value
                completed = inner(run, value, path)
                if completed is None:
                    raise TypeError(message)
                return completed

            return complete_scalar

        def complete_non_null(run: _Run, value: Any, path: PathTuple) -> Any:
            completed = inner(run, value, path)
            if completed is None:
                raise TypeError(message)
            return completed

        return complete_non_null

    def leaf(self, type_: GraphQLLeafType) -> Completer:
        fast = _fast_scalar(type_)

        def complete_leaf(run: _Run, value: Any, path: PathTuple) -> Any:
            if value is None or value is Undefined:
                return None
            if type(value) is fast:
                if fast is str or fast is bool:
                    return value
                # An Int is 32-bit: a Python int outside goes through graphql-core's error.
                if fast is int and GRAPHQL_MIN_INT <= value <= GRAPHQL_MAX_INT:
                    return value
                if fast is float and math.isfinite(value):
                    return value
            if isinstance(value, Exception):
                raise value
            return _complete_leaf(type_, value)

        return complete_leaf

    def list(self, field: _Field, type_: GraphQLList[Any]) -> Completer:
        item_type = type_.of_type
        item = self.completer(field, item_type)
        item_non_null = is_non_null_type(item_type)
        nodes = field.nodes
        message = (
            f"Expected Iterable, but did not find one for field '{field.parent}.{field.name}'."
        )

        def item_failed(run: _Run, raw: Exception, item_path: PathTuple) -> None:
            error = located_error(raw, nodes, _as_list(item_path))
            if item_non_null:
                raise error from None
            run.errors.append(error)

        # A list of objects whose code is generated completes its items in that code.
        items = getattr(item, "items", None)

        def complete_list(run: _Run, value: Any, path: PathTuple) -> Any:
            if type(value) is not list and type(value) is not tuple:
                if value is None or value is Undefined:
                    return None
                if isinstance(value, Exception):
                    raise value
                if not is_iterable(value):
                    raise GraphQLError(message)
            if items is not None:
                return items(run, value, path, item_failed)
            completed = []
            append = completed.append
            for index, element in enumerate(value):
                item_path = (path, index, None)
                try:
                    append(item(run, element, item_path))
                except Exception as raw:
                    append(item_failed(run, raw, item_path))
            return completed

        return complete_list

    def object(self, field: _Field, type_: GraphQLObjectType) -> Completer:
        return self.object_selection(field, type_, "nullable")

    def object_selection(
        self, field: _Field, type_: GraphQLObjectType, nulls: str = "bare", message: str = ""
    ) -> Completer:
        """An object's null check (`nulls`, see compiled_source.py), type check and
        deadline, then its fields into a dict: one generated function."""
        is_type_of = type_.is_type_of
        if is_type_of is not None and _reads_argument(is_type_of, 1):
            raise Unsupported(f"{type_.name}.is_type_of reads its info")
        details = field.details
        collected = collect_subfields(
            self.schema, self.fragments, self.variables, self.operation, type_, details
        )
        return object_completer(
            type_.name,
            self.fields(type_, collected.grouped_field_set),
            nulls=nulls,
            non_null_message=message,
            is_type_of=is_type_of,
            type_error=lambda value: invalid_return_type_error(type_, value, details),
            deadline_error=self.deadline_error,
            generate=self.generate,
        )

    def abstract(self, field: _Field, type_: GraphQLAbstractType) -> Completer:
        resolve_type = type_.resolve_type
        if resolve_type is None or _reads_argument(resolve_type, 1):
            raise Unsupported(f"{type_.name}.resolve_type reads its info")
        schema, nodes = self.schema, field.nodes
        where = f"for field '{field.parent}.{field.name}'"
        branches = {
            runtime.name: self.object_selection(field, runtime)
            for runtime in schema.get_possible_types(type_)
        }

        def invalid(name: Any, value: Any) -> GraphQLError:
            # graphql-core's ensure_valid_runtime_type, with its messages.
            if name is None:
                return GraphQLError(
                    f"Abstract type '{type_}' must resolve to an Object type at runtime"
                    f" {where}. Either the '{type_}' type should provide a 'resolve_type'"
                    " function or each possible type should provide an 'is_type_of'"
                    " function.",
                    nodes,
                )
            if not isinstance(name, str):
                return GraphQLError(
                    f"Abstract type '{type_}' must resolve to an Object type at runtime"
                    f" {where} with value {inspect(value)}, received '{inspect(name)}',"
                    " which is not a valid Object type name.",
                    nodes,
                )
            runtime = schema.get_type(name)
            if runtime is None:
                return GraphQLError(
                    f"Abstract type '{type_}' was resolved to a type '{name}'"
                    " that does not exist inside the schema.",
                    nodes,
                )
            if not is_object_type(runtime):
                return GraphQLError(
                    f"Abstract type '{type_}' was resolved to a non-object type '{name}'.",
                    nodes,
                )
            return GraphQLError(
                f"Runtime Object type '{runtime}' is not a possible type for '{type_}'.",
                nodes,
            )

        def complete_abstract(run: _Run, value: Any, path: PathTuple) -> Any:
            if value is None or value is Undefined:
                return None
            if isinstance(value, Exception):
                raise value
            name = resolve_type(value, None, type_)
            branch = branches.get(name) if isinstance(name, str) else None
            if branch is None:
                raise invalid(name, value)
            return branch(run, value, path)

        return complete_abstract


def _text_size(key: tuple[str, str | None]) -> int:
    return len(key[0])


def _constant(arguments: dict[str, Any]) -> Callable[[_Run | None], dict[str, Any]]:
    def constant(run: _Run | None) -> dict[str, Any]:
        return arguments

    constant.is_constant = True  # type: ignore[attr-defined]
    return constant


def _is_constant(arguments: Callable[[_Run | None], dict[str, Any]]) -> bool:
    return getattr(arguments, "is_constant", False)


def _is_immutable(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool | Enum)


def _uses_variables(node: FieldNode) -> bool:
    return any(has_variable(argument.value) for argument in node.arguments or ())


def _directive_variables(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[str, ...]:
    """The variables that @skip and @include read; refuses any other directive.

    A plain walk over the selections: graphql-core's `visit` cost a third of compiling.
    """
    names: set[str] = set()

    def directives(node: Any) -> None:
        for directive in node.directives or ():
            if directive.name.value not in ("skip", "include"):
                raise Unsupported(f"directive @{directive.name.value}")
            for argument in directive.arguments or ():
                if isinstance(argument.value, VariableNode):
                    names.add(argument.value.name.value)

    def selections(selection_set: SelectionSetNode | None) -> None:
        for selection in selection_set.selections if selection_set else ():
            directives(selection)
            selections(getattr(selection, "selection_set", None))

    for definition in (operation, *fragments.values()):
        if definition.variable_definitions and definition is not operation:
            raise Unsupported("fragment variables")
        directives(definition)
        for variable in definition.variable_definitions or ():
            directives(variable)
        selections(definition.selection_set)
    return tuple(sorted(names))


class _Operation:
    """One (document, operation name) prepared: its plans, or that it is unsupported."""

    __slots__ = (
        "directive_variables",
        "fragments",
        "operation",
        "plans",
        "simple_variables",
        "unsupported",
    )

    def __init__(self) -> None:
        self.unsupported = False
        self.operation: OperationDefinitionNode | None = None
        self.fragments: dict[str, FragmentDefinitionNode] = {}
        self.directive_variables: tuple[str, ...] = ()
        self.plans: dict[tuple[Any, ...], Plan] = {}
        # Its variables' coercion when they are plain built-in scalars (compiled_variables).
        self.simple_variables: SimpleVariables | None = None


class CompiledOperations:
    """Compiled plans per (document text, operation name), bounded, least recent out."""

    def __init__(
        self,
        schema: GraphQLSchema,
        deadline_error: type[BaseException],
        *,
        keep_after: float = KEEP_AFTER,
        compile_now_cost: float = COMPILE_NOW_COST,
        generated_code: bool | None = None,
    ) -> None:
        """`generated_code`: objects always as generated code (True), always as closures
        (False), or as `compiled_source.object_completer` decides (None: generated for
        kept plans and shapes seen before)."""
        self.schema = schema
        self.deadline_error = deadline_error
        self.keep_after = keep_after
        self.generated_code = generated_code
        self.compile_now_cost = compile_now_cost
        self._operations: KeptTexts[tuple[str, str | None], _Operation] = KeptTexts(
            CACHED_OPERATIONS, _text_size
        )
        self._uses: OrderedDict[tuple[str, str | None], int] = OrderedDict()
        self._lock = Lock()
        # Argument converters by Strawberry field (see `_Compiler.converter`).
        self.converters: dict[int, tuple[Any, Any]] = {}

    def execute(
        self,
        text: str,
        document: DocumentNode,
        operation_name: str | None,
        *,
        context: Any,
        variables: Mapping[str, Any] | None,
        deadline: float = math.inf,
        operation_extensions: Any = None,
        cost: int = 0,
    ) -> ExecutionResult | None:
        """The result of the operation run compiled; None when graphql-core should run it
        (not supported, or not kept and below `compile_now_cost`)."""
        key = (text, operation_name)
        entry = self._compiled(key)
        keep = True
        if entry is None:
            # As limits.DocumentChecks: long texts are not repeats, never kept.
            uses = 1 if len(text) > CACHED_DOCUMENT_LENGTH else self._count_use(key)
            keep = uses >= self.keep_after
            if not keep and cost < self.compile_now_cost:
                return None
            entry = _Operation()
            try:
                self._prepare(entry, document, operation_name)
            except Unsupported:
                entry.unsupported = True
            if keep:
                self._keep(key, entry)
        if entry.unsupported:
            return None
        operation = entry.operation
        assert operation is not None
        coerced = self._coerce(entry, variables)
        if isinstance(coerced, list):
            return ExecutionResult(data=None, errors=coerced)
        switches = tuple(coerced.coerced.get(name) for name in entry.directive_variables)
        plan = entry.plans.get(switches)
        if plan is None:
            try:
                generate = self.generated_code
                if generate is None and keep:
                    generate = True
                compiler = _Compiler(self, operation, entry.fragments, coerced, generate=generate)
                plan = Plan(compiler, operation)
            except Unsupported:
                entry.unsupported = True
                return None
            if len(entry.plans) >= PLANS_PER_OPERATION:
                entry.plans.clear()
            entry.plans[switches] = plan
        return plan.execute(_Run(context, coerced, deadline, operation_extensions))

    def compile(
        self,
        document: DocumentNode,
        operation_name: str | None,
        variables: Mapping[str, Any] | None,
    ) -> Plan:
        """A new plan of the operation for these variables, not kept: what compiling
        costs (bench/execution.py). Raises `Unsupported`, or ValueError for variables
        that do not coerce."""
        entry = _Operation()
        self._prepare(entry, document, operation_name)
        assert entry.operation is not None
        coerced = self._coerce(entry, variables)
        if isinstance(coerced, list):
            raise ValueError(coerced[0].message)
        generate = True if self.generated_code is None else self.generated_code
        compiler = _Compiler(self, entry.operation, entry.fragments, coerced, generate=generate)
        return Plan(compiler, entry.operation)

    def _coerce(
        self, entry: _Operation, variables: Mapping[str, Any] | None
    ) -> VariableValues | list[GraphQLError]:
        if entry.simple_variables is not None:
            coerced = entry.simple_variables.coerce(variables)
            if coerced is not None:
                return coerced
        assert entry.operation is not None
        return get_variable_values(
            self.schema,
            entry.operation.variable_definitions or (),
            dict(variables or {}),
            max_errors=MAX_COERCION_ERRORS,
        )

    def has_plan(self, text: str, operation_name: str | None) -> bool:
        """Whether the operation has been compiled (and is supported)."""
        entry = self._operations.get((text, operation_name))
        return entry is not None and not entry.unsupported

    def _compiled(self, key: tuple[str, str | None]) -> _Operation | None:
        # Without the lock: each of the two calls is atomic (C, under the GIL), and a plan
        # evicted in between by another thread is still the one to run this time.
        entry = self._operations.get(key)
        if entry is not None:
            try:  # noqa: SIM105 (contextlib.suppress costs more, on every request)
                self._operations.move_to_end(key)
            except KeyError:
                pass
        return entry

    def _count_use(self, key: tuple[str, str | None]) -> int:
        """How many times the operation has been asked for, this time included.

        Counted apart from the compiled plans, so that a flood of one-off documents
        evicts other counts, never the plans of the documents clients repeat."""
        with self._lock:
            uses = self._uses.pop(key, 0) + 1
            self._uses[key] = uses
            if len(self._uses) > CACHED_OPERATIONS:
                self._uses.popitem(last=False)
            return uses

    def _keep(self, key: tuple[str, str | None], entry: _Operation) -> None:
        with self._lock:
            self._uses.pop(key, None)
            self._operations.keep(key, entry)

    def _prepare(
        self, entry: _Operation, document: DocumentNode, operation_name: str | None
    ) -> None:
        operation = get_operation_ast(document, operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            raise Unsupported("only queries are compiled")
        fragments = {
            definition.name.value: definition
            for definition in document.definitions
            if isinstance(definition, FragmentDefinitionNode)
        }
        entry.directive_variables = _directive_variables(operation, fragments)
        entry.fragments = fragments
        entry.operation = operation
        entry.simple_variables = simple_variables(self.schema, operation)
