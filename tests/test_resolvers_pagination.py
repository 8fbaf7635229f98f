"""The cursor codec and page windows, against the Relay algorithm written out plainly."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from resolvers.errors import InputError
from resolvers.pagination import (
    MAX_PAGE_SIZE,
    decode_cursor,
    encode_cursor,
    page_request,
    paginate,
)


def relay_window(
    n: int, first: int | None, after: int | None, last: int | None, before: int | None
) -> list[int]:
    """Relay Cursor Connections, "Pagination algorithm", on the list 0..n-1."""
    edges = list(range(n))
    if after is not None and after < n:
        edges = [e for e in edges if e > after]
    elif after is not None:
        edges = []
    if before is not None and before < n:
        edges = [e for e in edges if e < before]
    if first is None and last is None:
        first = 20
    if first is not None:
        edges = edges[:first]
    if last is not None:
        edges = edges[-last:] if last else []
    return edges


sizes = st.none() | st.integers(0, MAX_PAGE_SIZE)


@given(
    n=st.integers(0, 60),
    first=sizes,
    last=sizes,
    after=st.none() | st.integers(0, 70),
    before=st.none() | st.integers(0, 70),
)
def test_windows_follow_relay(
    n: int, first: int | None, last: int | None, after: int | None, before: int | None
) -> None:
    request = page_request(
        first,
        None if after is None else encode_cursor(after),
        last,
        None if before is None else encode_cursor(before),
    )
    page = paginate(range(n), request, lambda i: f"item {i}")
    want = relay_window(n, first, after, last, before)
    assert page.nodes == [f"item {i}" for i in want]
    assert [decode_cursor(edge.cursor) for edge in page.edges] == want
    assert page.total_count == n
    if want:
        assert page.has_previous_page is (want[0] > 0)
        assert page.has_next_page is (want[-1] < n - 1)
        assert decode_cursor(page.start_cursor or "") == want[0]
        assert decode_cursor(page.end_cursor or "") == want[-1]
    else:
        assert page.start_cursor is None and page.end_cursor is None


@given(st.integers(0, 10**12))
def test_cursor_round_trip(offset: int) -> None:
    assert decode_cursor(encode_cursor(offset)) == offset


@pytest.mark.parametrize("argument", ["first", "last"])
@pytest.mark.parametrize("value", [-1, MAX_PAGE_SIZE + 1, 10_000])
def test_page_size_out_of_range_says_the_limit(argument: str, value: int) -> None:
    with pytest.raises(InputError, match=rf"`{argument}` must be between 0 and 100, got {value}"):
        page_request(**{argument: value})


@pytest.mark.parametrize(
    "cursor",
    ["", "garbage", "!!!", "Y3Vyc29yOi0x", "Y3Vyc29yOg==", "aGVsbG8=", "Y3Vyc29yOu+8kQ=="],
)
def test_cursor_that_does_not_decode(cursor: str) -> None:
    # Y3Vyc29yOi0x is "cursor:-1"; Y3Vyc29yOg== "cursor:"; the last one a full-width digit.
    with pytest.raises(InputError, match="Invalid cursor in `after`"):
        page_request(after=cursor)
    with pytest.raises(InputError, match="Invalid cursor in `before`"):
        page_request(before=cursor)


def test_only_the_page_is_materialized() -> None:
    seen: list[int] = []

    def node(item: int) -> int:
        seen.append(item)
        return item

    paginate(range(1_000_000), page_request(first=3, after=encode_cursor(10)), node)
    assert seen == [11, 12, 13]
