"""Relay cursor connections over any sequence: the one cursor codec and page-size limit.

Cursors are opaque to clients; inside they are offsets into the ordered list of matches.
A loaded graph never changes (a reload builds a new one), so an offset names the same
item for as long as the graph lives.

`hasPreviousPage` and `hasNextPage` tell the truth about the whole list whichever
arguments were given: the Relay specification lets a server answer them exactly when it
can do so cheaply, and with offsets it always can.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from resolvers.errors import InputError

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

_CURSOR_PREFIX = "cursor:"

S = TypeVar("S")
T = TypeVar("T")


def encode_cursor(offset: int) -> str:
    return base64.b64encode(f"{_CURSOR_PREFIX}{offset}".encode()).decode("ascii")


def decode_cursor(cursor: str, argument: str = "after") -> int:
    """The offset inside `cursor`; an InputError naming `argument` when it does not decode."""
    try:
        text = base64.b64decode(cursor.encode("ascii"), validate=True).decode("ascii")
    except (UnicodeError, binascii.Error, ValueError):
        text = ""
    digits = text.removeprefix(_CURSOR_PREFIX)
    if not text.startswith(_CURSOR_PREFIX) or not digits.isdigit() or not digits.isascii():
        raise InputError(
            f"Invalid cursor in `{argument}`: {cursor!r} is not a cursor this API handed out."
        )
    return int(digits)


def check_page_size(argument: str, value: int | None) -> int | None:
    """`value` when it is None or 0..MAX_PAGE_SIZE; otherwise an InputError that says the limit."""
    if value is not None and not 0 <= value <= MAX_PAGE_SIZE:
        raise InputError(f"`{argument}` must be between 0 and {MAX_PAGE_SIZE}, got {value}.")
    return value


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Validated paging arguments: page sizes in range, cursors decoded to offsets."""

    first: int | None = DEFAULT_PAGE_SIZE
    after: int | None = None
    last: int | None = None
    before: int | None = None


def page_request(
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> PageRequest:
    """Validate connection arguments; with neither `first` nor `last`, `first` is 20."""
    check_page_size("first", first)
    check_page_size("last", last)
    if first is None and last is None:
        first = DEFAULT_PAGE_SIZE
    return PageRequest(
        first=first,
        after=None if after is None else decode_cursor(after, "after"),
        last=last,
        before=None if before is None else decode_cursor(before, "before"),
    )


class Edge(Generic[T]):
    __slots__ = ("cursor", "node")

    def __init__(self, cursor: str, node: T) -> None:
        self.cursor = cursor
        self.node = node


class Connection(Generic[T]):
    """One page of a list, shaped like a Relay connection (and its own `pageInfo`)."""

    __slots__ = ("has_next_page", "has_previous_page", "nodes", "start", "total_count")

    def __init__(
        self,
        nodes: list[T],
        start: int,
        total_count: int,
        has_previous_page: bool,
        has_next_page: bool,
    ) -> None:
        self.nodes = nodes
        self.start = start
        self.total_count = total_count
        self.has_previous_page = has_previous_page
        self.has_next_page = has_next_page

    @property
    def edges(self) -> list[Edge[T]]:
        return [
            Edge(encode_cursor(self.start + offset), node) for offset, node in enumerate(self.nodes)
        ]

    @property
    def page_info(self) -> Connection[T]:
        return self

    @property
    def start_cursor(self) -> str | None:
        return encode_cursor(self.start) if self.nodes else None

    @property
    def end_cursor(self) -> str | None:
        return encode_cursor(self.start + len(self.nodes) - 1) if self.nodes else None


def paginate(
    items: Sequence[S],
    request: PageRequest,
    node: Callable[[S], T] | None = None,
) -> Connection[T]:
    """The page of `items` that `request` asks for; only that page goes through `node`.

    As the Relay specification says: the items after `after` and before `before`, then
    the first `first` of those, then the last `last` of what is left.
    """
    total = len(items)
    start = 0 if request.after is None else min(request.after + 1, total)
    end = total if request.before is None else max(min(request.before, total), start)
    if request.first is not None:
        end = min(end, start + request.first)
    if request.last is not None:
        start = max(start, end - request.last)
    page = items[start:end]
    nodes = list(page) if node is None else [node(item) for item in page]
    return Connection(nodes, start, total, start > 0, end < total)
