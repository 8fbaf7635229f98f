"""`with_stack_room` calls through a frame bigger than CPython's 16 KiB frame chunk."""

from __future__ import annotations

import pytest

from content_graph.stack_room import RESERVED_SLOTS, _trampoline, with_stack_room


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
