"""`with_stack_room` calls through a frame bigger than CPython's 16 KiB frame chunk, except
on the thread of a `RoomyLoop`, whose own frame leaves room below it once and for all."""

from __future__ import annotations

import asyncio
import resource
import threading
from pathlib import Path

import pytest
from starlette.applications import Starlette

from content_graph.server import LOOP, worker_config
from content_graph.settings import Settings
from content_graph.stack_room import (
    RESERVED_SLOTS,
    RoomyLoop,
    _trampoline,
    with_stack_room,
)

CALLS = 200


def test_it_calls_the_function_with_its_arguments() -> None:
    assert with_stack_room(divmod, 17, 5) == (3, 2)
    assert with_stack_room(sorted, [3, 1, 2], reverse=True) == [3, 2, 1]


def test_exceptions_pass_through() -> None:
    with pytest.raises(ZeroDivisionError):
        with_stack_room(divmod, 1, 0)


def test_a_deep_recursion_below_it_works() -> None:
    def depth(n: int) -> int:
        return 0 if n == 0 else 1 + depth(n - 1)

    assert with_stack_room(depth, 500) == 500


def test_its_frame_is_larger_than_a_chunk() -> None:
    # 16 KiB chunks of 8-byte slots: the frame must not fit in one, or no chunk of its
    # own would be mapped for it.
    code = _trampoline.__code__
    assert code.co_nlocals >= RESERVED_SLOTS
    assert code.co_nlocals * 8 > 16 * 1024


def page_faults(calls: int) -> int:
    """Minor page faults of the process over `calls` calls of `with_stack_room` (a fresh
    frame chunk is mapped, and its pages faulted in, for each call that needs one)."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(calls):
        with_stack_room(len, ())
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_on_the_loops_thread_it_maps_no_memory_per_call() -> None:
    async def on_the_loop() -> int:
        return page_faults(CALLS)

    elsewhere = page_faults(CALLS)
    with asyncio.Runner(loop_factory=RoomyLoop) as runner:
        on_loop = runner.run(on_the_loop())
    # Elsewhere each call maps a chunk of its own and touches its 64 KiB (16 pages).
    assert elsewhere > CALLS * 8
    assert on_loop < CALLS // 4


def test_the_loop_leaves_room_for_a_deep_recursion_and_other_threads_keep_their_frame() -> None:
    def depth(n: int) -> int:
        return 0 if n == 0 else 1 + depth(n - 1)

    async def deep() -> tuple[int, int]:
        thread_faults: list[int] = []
        worker = threading.Thread(target=lambda: thread_faults.append(page_faults(CALLS)))
        worker.start()
        worker.join()
        return with_stack_room(depth, 900), thread_faults[0]

    with asyncio.Runner(loop_factory=RoomyLoop) as runner:
        reached, thread_faults = runner.run(deep())
    assert reached == 900
    assert thread_faults > CALLS * 8  # a thread the loop runs work on is not the loop's


def test_the_servers_uvicorn_config_runs_it(tmp_path: Path) -> None:
    config = worker_config(Settings(data_dir=tmp_path), Starlette())
    assert config.loop == LOOP
    assert config.get_loop_factory() is RoomyLoop
