"""Relay cursor connections over any sequence: the one cursor codec and page-size limit.

Cursors are opaque to clients. A list that knows its order (a `Keyset`) hands out
keyset cursors: the order's name and the item's sort key (the ordered value, then the
tie-breaking URL, slug or domain), versioned (`k1:`). `after:`/`before:` then find
their place by bisection in the ordered list of the graph being served, so a client
paging through a list while a reload adds or removes items neither skips nor repeats
an item that is on both sides: the key says where the item was, not how many came
before it. The item itself need not exist any more.

Offset cursors (`cursor:<n>`, what this API handed out before) still decode and still
count items: a client holding one keeps paging, but across a reload it may skip or
repeat, as before. A keyset cursor of another order (say, from a list by title given
to one by date) is an error that says so.

`hasPreviousPage` and `hasNextPage` tell the truth about the whole list whichever
arguments were given: the Relay specification lets a server answer them exactly when it
can do so cheaply, and with positions found by bisection it always can.
"""

from __future__ import annotations

import base64
import binascii
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import orjson

from resolvers.errors import InputError

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

_CURSOR_PREFIX = "cursor:"
_KEYSET_PREFIX = "k1:"
_KEYSET_BYTES = _KEYSET_PREFIX.encode()

S = TypeVar("S")
T = TypeVar("T")


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode("ascii")


def decode_cursor(cursor: str, argument: str = "after") -> int:
    """The offset inside an offset cursor; an InputError naming `argument` otherwise."""
    decoded = _decode(cursor, argument)
    if not isinstance(decoded, int):
        raise _invalid(cursor, argument)
    return decoded


@dataclass(frozen=True, slots=True)
class KeyCursor:
    """A decoded keyset cursor: the name of its order and the item's key values."""

    order: str
    values: tuple[Any, ...]


class Descending:
    """Wraps a value so that it sorts in reverse: keys of descending orders stay tuples."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Descending) and self.value == other.value

    def __lt__(self, other: Descending) -> bool:
        return other.value < self.value

    __hash__ = None  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class Keyset(Generic[S]):
    """The order of one list, for keyset cursors.

    `values` gives an item's sort key as JSON values (what the cursor carries); `key`
    turns such values into something that compares exactly as the list is sorted. The
    list must be sorted by `key(values(item))`, ties impossible (the key ends with a
    unique name such as the URL).
    """

    order: str
    values: Callable[[S], tuple[Any, ...]]
    key: Callable[[tuple[Any, ...]], Any]

    def encode(self, item: S) -> str:
        text = orjson.dumps([self.order, *self.values(item)])
        return binascii.b2a_base64(_KEYSET_BYTES + text, newline=False).decode("ascii")

    def position(self, items: Sequence[S], cursor: KeyCursor, argument: str) -> int:
        """The index of `cursor`'s item in `items`, or of the first item after its key."""
        return self._bisect(bisect_left, items, cursor, argument)

    def position_after(self, items: Sequence[S], cursor: KeyCursor, argument: str) -> int:
        """The index of the first item after `cursor`'s key."""
        return self._bisect(bisect_right, items, cursor, argument)

    def _bisect(
        self, bisect: Callable[..., int], items: Sequence[S], cursor: KeyCursor, argument: str
    ) -> int:
        if cursor.order != self.order:
            raise InputError(
                f"The cursor in `{argument}` comes from a list in another order "
                f"({cursor.order}, not {self.order}); page with this list's own cursors."
            )
        try:
            return bisect(items, self.key(cursor.values), key=self._item_key)
        except (TypeError, ValueError, IndexError, AttributeError) as error:
            # A forged key of the wrong shape: its values do not compare with the list's.
            raise InputError(f"Invalid cursor in `{argument}`: its key does not decode.") from error

    def _item_key(self, item: S) -> Any:
        return self.key(self.values(item))


Cursor = int | KeyCursor


def _decode(cursor: str, argument: str) -> Cursor:
    try:
        raw = base64.b64decode(cursor.encode("ascii"), validate=True)
    except (UnicodeError, binascii.Error, ValueError):
        raise _invalid(cursor, argument) from None
    if raw.startswith(_KEYSET_PREFIX.encode()):
        try:
            payload = orjson.loads(raw[len(_KEYSET_PREFIX) :])
        except orjson.JSONDecodeError:
            payload = None
        if not isinstance(payload, list) or not payload or not isinstance(payload[0], str):
            raise _invalid(cursor, argument)
        return KeyCursor(payload[0], tuple(payload[1:]))
    try:
        text = raw.decode("ascii")
    except UnicodeError:
        text = ""
    digits = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not digits.isdigit() or not digits.isascii():
        raise _invalid(cursor, argument)
    return int(digits)


def _invalid(cursor: str, argument: str) -> InputError:
    return InputError(
        f"Invalid cursor in `{argument}`: {cursor!r} is not a cursor this API handed out."
    )


def cursor_text(value: object) -> str:
    """A string part of a keyset cursor; anything else means the cursor was forged."""
    if not isinstance(value, str):
        raise TypeError("expected a string")
    return value


def check_page_size(argument: str, value: int | None) -> int | None:
    """`value` when it is None or 0..MAX_PAGE_SIZE; otherwise an InputError that says the limit."""
    if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
        raise InputError(f"`{argument}` must be between 0 and {MAX_PAGE_SIZE}, got {value}.")
    return value


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Validated paging arguments: page sizes in range, cursors decoded."""

    first: int | None = DEFAULT_PAGE_SIZE
    after: Cursor | None = None
    last: int | None = None
    before: Cursor | None = None


def page_request(
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> PageRequest:
    """Validate connection arguments; with neither `first` nor `last`, `first` is 20."""
    plain = after is None and before is None
    if plain:
        known = _PLAIN_REQUESTS.get((first, last))
        if known is not None:
            return known
    check_page_size("first", first)
    check_page_size("last", last)
    request = PageRequest(
        first=DEFAULT_PAGE_SIZE if first is None and last is None else first,
        after=None if after is None else _decode(after, "after"),
        last=last,
        before=None if before is None else _decode(before, "before"),
    )
    if plain:
        # At most (MAX_PAGE_SIZE + 2) ** 2 of them, as only valid sizes get here.
        _PLAIN_REQUESTS[(first, last)] = request
    return request


# The requests without cursors, by (first, last): a nested connection asks for the same
# page size once per parent, and a frozen dataclass is slow to make.
_PLAIN_REQUESTS: dict[tuple[int | None, int | None], PageRequest] = {}


class Edge(Generic[T]):
    __slots__ = ("cursor", "node")

    def __init__(self, cursor: str, node: T) -> None:
        self.cursor = cursor
        self.node = node


class Connection(Generic[T]):
    """One page of a list, shaped like a Relay connection (and its own `pageInfo`)."""

    __slots__ = ("cursors", "has_next_page", "has_previous_page", "nodes", "total_count")

    def __init__(
        self,
        nodes: list[T],
        cursors: Callable[[int], str],
        total_count: int,
        has_previous_page: bool,
        has_next_page: bool,
    ) -> None:
        self.nodes = nodes
        self.cursors = cursors  # the cursor of the page's n-th node
        self.total_count = total_count
        self.has_previous_page = has_previous_page
        self.has_next_page = has_next_page

    @property
    def edges(self) -> list[Edge[T]]:
        return [Edge(self.cursors(offset), node) for offset, node in enumerate(self.nodes)]

    @property
    def page_info(self) -> Connection[T]:
        return self

    @property
    def start_cursor(self) -> str | None:
        return self.cursors(0) if self.nodes else None

    @property
    def end_cursor(self) -> str | None:
        return self.cursors(len(self.nodes) - 1) if self.nodes else None


def paginate(
    items: Sequence[S],
    request: PageRequest,
    node: Callable[[S], T] | None = None,
    keyset: Keyset[S] | None = None,
) -> Connection[T]:
    """The page of `items` that `request` asks for; only that page goes through `node`.

    As the Relay specification says: the items after `after` and before `before`, then
    the first `first` of those, then the last `last` of what is left. With a `keyset`
    (the order `items` are in), the page's cursors are keyset cursors.
    """
    total = len(items)
    first = request.first
    if request.after is None and request.before is None and request.last is None:
        # The usual request: the first page.
        start, end = 0, total if first is None or first >= total else first
    else:
        start = 0 if request.after is None else min(_after(items, request.after, keyset), total)
        end = total
        if request.before is not None:
            end = max(min(_before(items, request.before, keyset), total), start)
        if first is not None:
            end = min(end, start + first)
        if request.last is not None:
            start = max(start, end - request.last)
    page = items[start:end]
    nodes = list(page) if node is None else list(map(node, page))
    if keyset is None:
        cursors: Callable[[int], str] = lambda offset: encode_cursor(start + offset)  # noqa: E731
    else:
        cursors = lambda offset: keyset.encode(page[offset])  # noqa: E731
    return Connection(nodes, cursors, total, start > 0, end < total)


def _after(items: Sequence[S], cursor: Cursor, keyset: Keyset[S] | None) -> int:
    if isinstance(cursor, int):
        return cursor + 1
    if keyset is None:
        raise InputError("This list pages by offset; its cursors are not keyset cursors.")
    return keyset.position_after(items, cursor, "after")


def _before(items: Sequence[S], cursor: Cursor, keyset: Keyset[S] | None) -> int:
    if isinstance(cursor, int):
        return cursor
    if keyset is None:
        raise InputError("This list pages by offset; its cursors are not keyset cursors.")
    return keyset.position(items, cursor, "before")
