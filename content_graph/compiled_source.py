"""An object's completion as one generated Python function, its code shared by shape.

`compiled.py` first built every object of a plan from closures: one to check the
object and build its dict, one per field to read and complete it. For the benchmark's
Q2 (330 objects, 900 fields) those calls were half of a compiled execution. Here an
object selection becomes one function, written as Python source and compiled: the null
and type checks, the deadline, then each field inline, an attribute read where
Strawberry would read an attribute, and strings and booleans returned as they are. Only
what is not that simple (completing an object or a list, a resolver call, an error)
calls the closures `compiled.py` builds, which do exactly what graphql-core does.

The source depends only on the selection's shape (how many fields, which attribute each
reads, whether it is a string); response keys, closures and type names are the
arguments of the factory it defines. So a new document that differs only in aliases or
argument values, the usual new document, reuses the compiled code: compiling source
costs tens of microseconds, more than the rest of compiling an object.
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


_FACTORIES: dict[tuple[Any, ...], Callable[..., Completer]] = {}
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
) -> Completer:
    """The completion of one object selection.

    `nulls` says what a None value gives: "bare" (never given one: a branch of an
    abstract type), "nullable" (None) or "non_null" (a TypeError with `non_null_message`,
    which the caller locates, as graphql-core's non-null completion does).
    """
    shape = (
        nulls,
        is_type_of is not None,
        *((field.typename, field.attribute, field.function, field.fast) for field in fields),
    )
    factory = _FACTORIES.get(shape)
    if factory is None:
        source = _source(fields, nulls, is_type_of is not None)
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
        is_type_of,
        type_error,
        non_null_message,
        Undefined,
        parts,
    )


def _source(fields: Sequence[FieldCode], nulls: str, type_check: bool) -> str:
    lines = [
        "def make(typename, monotonic, deadline_error, is_type_of, type_error, message,"
        " Undefined, parts):"
    ]
    if fields:
        names = ", ".join(f"(k{i}, c{i}, r{i}, f{i})" for i in range(len(fields)))
        lines.append(f"    {names}, = parts")
    lines.append("    def complete(run, value, path):")
    body: list[str] = []
    if nulls != "bare":
        on_null = "return None" if nulls == "nullable" else "raise TypeError(message)"
        body += [
            "if value is None or value is Undefined:",
            f"    {on_null}",
            "if isinstance(value, Exception):",
            "    raise value",
        ]
    if type_check:
        body += ["if not is_type_of(value, None):", "    raise type_error(value)"]
    body += ["if monotonic() > run.deadline:", "    raise deadline_error"]
    for index, field in enumerate(fields):
        body += _field_source(index, field)
    items = ", ".join(f"k{i}: v{i}" for i in range(len(fields)))
    body.append(f"return {{{items}}}")
    lines += [f"        {line}" for line in body]
    lines.append("    return complete")
    return "\n".join(lines) + "\n"


def _field_source(index: int, field: FieldCode) -> list[str]:
    value, path = f"v{index}", f"(path, k{index}, typename)"
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


def _is_name(attribute: str) -> bool:
    return attribute.isidentifier() and not keyword.iskeyword(attribute)


def forget_shapes() -> None:
    """Drops every generated factory: what the first document of its shapes costs
    (bench/execution.py)."""
    with _LOCK:
        _FACTORIES.clear()
