"""`with_stack_room`: run a deeply recursive call without CPython 3.11's frame-chunk churn.

CPython 3.11 keeps Python frames in 16 KiB chunks per thread. When a call needs a frame
past the end of the current chunk it maps a new chunk (mmap), and when that frame
returns it unmaps it again (munmap) at once. GraphQL execution recurses a few frames per
field and returns to the same depth for every item of a list, so a query whose
recursion happens to straddle a chunk boundary pays an mmap, page faults and a munmap
for every item it completes there. Where the boundary falls depends only on how deep
the stack already is, so the same query is fast or up to twice as slow by luck: py-spy
with `--native` showed 30% of a server's time in mmap and munmap on the benchmark's Q2.

`with_stack_room(function, ...)` calls `function` from a frame that is larger than a
whole chunk: CPython gives that frame a chunk of its own, twice its size, and every
frame of the call below it fits in the half left over. That is one mmap and one munmap
per call, instead of one pair per list item. The frame's size comes from local
variables that are never assigned: the compiler reserves a slot for every name a
function assigns, even in a branch that never runs.

That one mmap and munmap, and the page faults of a fresh chunk, cost about 55 us a call:
half of what a small query costs in all. So the server's event loop runs in such a
frame once, for good (`RoomyLoop`, the loop uvicorn is given, `server.py`): on its thread
`with_stack_room` is a plain call, as every request's execution already has room below
it. Other threads (those running large queries) pay for the frame per call, which their
queries' size makes small.
"""

from __future__ import annotations

import asyncio
import functools
import threading
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar, cast

P = ParamSpec("P")
R = TypeVar("R")

# Slots (8 bytes each) reserved by the big frame: 64 KiB, so CPython maps a 128 KiB chunk
# for it and about 64 KiB, room for some 400 frames, is left for the call below it.
RESERVED_SLOTS = 8192


def _compile_trampoline(slots: int) -> Callable[..., Any]:
    names = " = ".join(f"_{index}" for index in range(slots))
    source = (
        "def trampoline(function, args, kwargs):\n"
        "    if False:\n"
        f"        {names} = None\n"
        "    return function(*args, **kwargs)\n"
    )
    namespace: dict[str, Any] = {}
    exec(compile(source, "<stack_room>", "exec"), namespace)
    return cast(Callable[..., Any], namespace["trampoline"])


# The event loop's frame: 256 KiB, so its chunk (512 KiB) leaves about 1,500 frames of
# room below it for everything the loop runs, far past the deepest query the limits allow.
LOOP_RESERVED_SLOTS = 32768

_trampoline = _compile_trampoline(RESERVED_SLOTS)


@functools.cache
def _loop_trampoline() -> Callable[..., Any]:
    # Made when a loop first runs, not on import: compiling it takes about 50 ms.
    return _compile_trampoline(LOOP_RESERVED_SLOTS)


class _Room(threading.local):
    below = False  # this thread runs inside a frame with room below it


_room = _Room()


def with_stack_room(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`function(*args, **kwargs)`, called from a frame with room for a deep recursion."""
    if _room.below:
        return function(*args, **kwargs)
    return cast(R, _trampoline(function, args, kwargs))


def _with_room_below(function: Callable[[], R]) -> R:
    if _room.below:
        return function()
    _room.below = True
    try:
        return cast(R, _loop_trampoline()(function, (), {}))
    finally:
        _room.below = False


try:
    from uvloop import Loop as _BaseLoop
except ImportError:  # uvicorn[standard] brings uvloop; without it, asyncio's own loop
    _BaseLoop = asyncio.SelectorEventLoop  # type: ignore[misc,assignment]


class RoomyLoop(_BaseLoop):  # type: ignore[misc,valid-type]
    """The event loop uvicorn picks (uvloop when installed), run from a frame with room
    below it, so that the requests it runs need no frame of their own for it."""

    def run_forever(self) -> None:
        _with_room_below(super().run_forever)
