"""An object's completion as one generated Python function, its code shared by shape.

`compiled.py` first built every object of a plan from closures: one to check the
object and build its dict, one per field to read and complete it. For the benchmark's
Q2 (330 objects, 900 fields) those calls were half of a compiled execution. Here an
object selection becomes one function, written as Python source and compiled: the null
and type checks, the deadline, then each field inline, an attribute read where
Strawberry would read an attribute, and strings and booleans returned as they are. Only
what is not that simple (completing an object or a list, a resolver call, an error)
calls the closures `compiled.py` builds, which do exactly what graphql-core does.
A list of such objects has its items completed by a loop generated with the object's
code inlined in it: one call per list rather than per item.

The source depends only on the selection's shape (how many fields, which attribute each
reads, whether it is a string); response keys, closures and type names are the
arguments of the factory it defines. So a new document that differs only in aliases or
argument values, the usual new document, reuses the compiled code. Compiling the source
costs about 0.3 ms an object, ten times the rest of compiling it, and more than it saves
on one execution of a small document: an object of a shape not seen before runs as
closures (`field_closure`, as slow as before, as cheap to build), unless its plan is kept
(a document used again) or its shape is seen a second time (`GENERATE_AFTER`), when its
code is generated once for every later document.
"""

from __future__ import annotations

import keyword
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from threading import Lock
from typing import Any

from graphql import Undefined

Completer = Callable[[Any, Any, Any], Any]
# Factories kept by shape (the source's only inputs): a schema has few shapes; this
# bounds a hostile mix of them.
CACHED_SOURCES = 4_096


@dataclass(slots=True)
class FieldCode:
    """One field of an object selection, as the generated code handles it.

    - `typename`: the field is `__typename`, answered with the object's type name.
    - `attribute`: the value is `getattr(object, attribute)`.
    - `function`: the value is `resolve(object)` (a resolver that takes only its parent).
    - otherwise the value is `resolve(run, object, path)`.

    `fast` is `str` or `bool` when a value of exactly that type is returned as it is;
    anything else goes through `complete(run, value, path)`. An exception goes to
    `fail(run, error, path)`, which returns the field's value (None) or raises.
    """

    key: str
    typename: bool = False
    attribute: str | None = None
    function: bool = False
    fast: type | None = None
    complete: Completer | None = None
    resolve: Callable[..., Any] | None = None
    fail: Callable[[Any, Exception, Any], Any] | None = None


# An object shape's code is generated on this sighting (or for a plan that is kept).
GENERATE_AFTER = 2

# What a value that is not an object may be; an object type's class is none of them.
_NOT_OBJECTS = (Exception, type(None), type(Undefined))

_FACTORIES: dict[tuple[Any, ...], Callable[..., Completer]] = {}
_SEEN: dict[tuple[Any, ...], int] = {}
_LOCK = Lock()


def object_completer(
    typename: str,
    fields: Sequence[FieldCode],
    *,
    nulls: str,
    non_null_message: str,
    is_type_of: Callable[[Any, Any], bool] | None,
    type_error: Callable[[Any], Exception],
    deadline_error: type[BaseException],
    generate: bool | None = True,
) -> Completer:
    """The completion of one object selection.

    `nulls` says what a None value gives: "bare" (never given one: a branch of an
    abstract type), "nullable" (None) or "non_null" (a TypeError with `non_null_message`,
    which the caller locates, as graphql-core's non-null completion does).

    `generate`: True, the object's code is generated (or reused); False, it runs as
    closures; None, the code is reused when it exists and generated when its shape is
    seen for the `GENERATE_AFTER`th time, else closures: compiling the source of a shape
    seen once is not worth it for a document that may be sent once.
    """
    # An `is_type_of` that says it is an isinstance check (schema/types.py,
    # `instance_of`) is done inline, without a call.
    instance_of = getattr(is_type_of, "instance_of", None)
    if isinstance(instance_of, type) and issubclass(instance_of, _NOT_OBJECTS):
        instance_of = None  # the generated code takes an instance for an object
    check = None if is_type_of is None else "call" if instance_of is None else "instance"
    shape = (
        nulls,
        check,
        *((field.typename, field.attribute, field.function, field.fast) for field in fields),
    )
    factory = None if generate is False else _FACTORIES.get(shape)
    if factory is None and generate is not True:
        seen = 1
        if generate is None:
            with _LOCK:
                seen = _SEEN.get(shape, 0) + 1
                if len(_SEEN) >= CACHED_SOURCES:
                    _SEEN.clear()
                _SEEN[shape] = seen
        if generate is False or seen < GENERATE_AFTER:
            return _closures(
                typename,
                [(field.key, field_closure(typename, field)) for field in fields],
                nulls,
                non_null_message,
                is_type_of,
                type_error,
                deadline_error,
            )
    if factory is None:
        source = _source(fields, nulls, check)
        namespace: dict[str, Any] = {}
        exec(compile(source, f"<object {len(fields)} fields>", "exec"), namespace)
        factory = namespace["make"]
        with _LOCK:
            if len(_FACTORIES) >= CACHED_SOURCES:
                _FACTORIES.clear()
            _FACTORIES[shape] = factory
    parts = tuple((field.key, field.complete, field.resolve, field.fail) for field in fields)
    return factory(
        typename,
        time.monotonic,
        deadline_error,
        is_type_of if instance_of is None else instance_of,
        type_error,
        non_null_message,
        Undefined,
        parts,
    )


def _closures(
    typename: str,
    fields: list[tuple[str, Completer]],
    nulls: str,
    message: str,
    is_type_of: Callable[[Any, Any], bool] | None,
    type_error: Callable[[Any], Exception],
    deadline_error: type[BaseException],
) -> Completer:
    """What the generated code does, as closures: the same checks in the same order."""
    monotonic = time.monotonic

    def complete(run: Any, value: Any, path: Any) -> Any:
        if nulls != "bare":
            if value is None or value is Undefined:
                if nulls == "nullable":
                    return None
                raise TypeError(message)
            if isinstance(value, Exception):
                raise value
        if is_type_of is not None and not is_type_of(value, None):
            raise type_error(value)
        if monotonic() > run.deadline:
            raise deadline_error
        return {key: complete_field(run, value, path) for key, complete_field in fields}

    return complete


def field_closure(typename: str, code: FieldCode) -> Completer:
    """One field read and completed, as the generated code does it."""
    if code.typename:
        return lambda run, source, path: typename
    key, complete, resolve, fail = code.key, code.complete, code.resolve, code.fail
    assert complete is not None and resolve is not None and fail is not None
    function, fast = code.function, code.fast

    def complete_field(run: Any, source: Any, path: Any) -> Any:
        field_path = (path, key, typename)
        try:
            value = resolve(source) if function else resolve(run, source, field_path)
            if type(value) is fast:
                return value
            return complete(run, value, field_path)
        except Exception as raw:
            return fail(run, raw, field_path)

    return complete_field


def _source(fields: Sequence[FieldCode], nulls: str, type_check: str | None) -> str:
    """The factory's source. `type_check`: None, "call" (`is_type_of(value, None)`) or
    "instance" (`isinstance(value, is_type_of)`, the factory's `is_type_of` a class).

    It defines `complete(run, value, path)`, one object, and `complete.items(run, values,
    path, item_failed)`: a list's items, the same code inlined in the loop (a call per
    item saved), each item's exception given to `item_failed(run, raw, item_path)`, which
    returns the item's value (None) or raises, as a list's completion does.
    """
    lines = [
        "def make(typename, monotonic, deadline_error, is_type_of, type_error, message,"
        " Undefined, parts):"
    ]
    if fields:
        names = ", ".join(f"(k{i}, c{i}, r{i}, f{i})" for i in range(len(fields)))
        lines.append(f"    {names}, = parts")
    lines.append("    def complete(run, value, path):")
    body = _object_body(fields, nulls, type_check, "path", lambda result: [f"return {result}"])
    lines += [f"        {line}" for line in body]
    lines += [
        "    def items(run, values, path, item_failed):",
        "        completed = []",
        "        append = completed.append",
        "        for index, value in enumerate(values):",
    ]
    # An item's path is made once per item when a field always reads it (a resolver
    # call, a value to complete), else only where something fails.
    item_path = "(path, index, None)"
    if any(_reads_path(field) for field in fields):
        lines.append(f"            item_path = {item_path}")
        item_path = "item_path"
    lines.append("            try:")
    body = _object_body(
        fields, nulls, type_check, item_path, lambda result: [f"append({result})", "continue"]
    )
    lines += [f"                {line}" for line in body]
    lines += [
        "            except Exception as raw:",
        f"                append(item_failed(run, raw, {item_path}))",
        "        return completed",
        "    complete.items = items",
        "    return complete",
    ]
    return "\n".join(lines) + "\n"


def _object_body(
    fields: Sequence[FieldCode],
    nulls: str,
    type_check: str | None,
    path: str,
    finish: Callable[[str], list[str]],
) -> list[str]:
    """One object's code: `path` is the expression of its path, `finish(result)` the
    statements that end it with `result`."""
    body: list[str] = []
    checks: list[str] = []
    if nulls != "bare":
        on_null = finish("None") if nulls == "nullable" else ["raise TypeError(message)"]
        checks += [
            "if value is None or value is Undefined:",
            *(f"    {line}" for line in on_null),
            "if isinstance(value, Exception):",
            "    raise value",
        ]
    if type_check == "instance":
        # An instance of the type is neither None, Undefined nor an exception (the
        # factory is given no such type), so the one isinstance comes first and the
        # other checks run, in their order, only for a value that fails it.
        body += ["if not isinstance(value, is_type_of):", *(f"    {c}" for c in checks)]
        body.append("    raise type_error(value)")
    else:
        body += checks
    if type_check == "call":
        body += ["if not is_type_of(value, None):", "    raise type_error(value)"]
    body += ["if monotonic() > run.deadline:", "    raise deadline_error"]
    for index, field in enumerate(fields):
        body += _field_source(index, field, path)
    items = ", ".join(f"k{i}: v{i}" for i in range(len(fields)))
    return body + finish(f"{{{items}}}")


def _field_source(index: int, field: FieldCode, parent_path: str) -> list[str]:
    value, path = f"v{index}", f"({parent_path}, k{index}, typename)"
    if field.typename:
        return [f"{value} = typename"]
    if field.attribute is not None and _is_name(field.attribute):
        read = f"value.{field.attribute}"
    elif field.function:
        read = f"r{index}(value)"
    else:
        read = None
    if read is not None and field.fast is not None:
        fast = field.fast.__name__
        lines = [
            f"{value} = {read}",
            f"if type({value}) is not {fast}:",
            f"    {value} = c{index}(run, {value}, {path})",
        ]
    elif read is not None:
        lines = [f"{value} = c{index}(run, {read}, {path})"]
    else:
        lines = [f"p = {path}", f"{value} = c{index}(run, r{index}(run, value, p), p)"]
    return [
        "try:",
        *(f"    {line}" for line in lines),
        "except Exception as raw:",
        f"    {value} = f{index}(run, raw, {path})",
    ]


def _reads_path(field: FieldCode) -> bool:
    """Whether the field's code uses its object's path when nothing fails."""
    if field.typename:
        return False
    inline = field.function or (field.attribute is not None and _is_name(field.attribute))
    return not inline or field.fast is None


def _is_name(attribute: str) -> bool:
    return attribute.isidentifier() and not keyword.iskeyword(attribute)


def forget_shapes() -> None:
    """Drops every generated factory: what the first document of its shapes costs
    (bench/execution.py)."""
    with _LOCK:
        _FACTORIES.clear()
        _SEEN.clear()
