"""The resolvers' speed-ups for compiled execution give the very same text as before."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta, timezone
from unittest.mock import patch

import orjson
from hypothesis import given
from hypothesis import strategies as st

from resolvers import ordering
from resolvers.ordering import iso_moment
from resolvers.pagination import Keyset

OFFSETS = st.one_of(
    st.just(UTC),
    st.builds(
        timezone,
        st.timedeltas(min_value=timedelta(hours=-23), max_value=timedelta(hours=23)),
    ),
)


@given(st.datetimes(timezones=OFFSETS))
def test_iso_moment_is_isoformat(moment: datetime) -> None:
    assert iso_moment(moment) == moment.isoformat()
    assert iso_moment(moment) == moment.isoformat()  # as written, or as remembered


# Away from year 1 and 9999, where another offset is out of range.
INNER = st.datetimes(datetime(2, 1, 1), datetime(9998, 1, 1), timezones=OFFSETS)


@given(st.lists(INNER, max_size=12))
def test_iso_moment_remembers_within_its_bound(moments: list[datetime]) -> None:
    # The same instant at another offset has another text: never the remembered one.
    with patch.object(ordering, "REMEMBERED_MOMENTS", 3), patch.dict(ordering._WRITTEN, clear=True):
        for moment in moments + [m.astimezone(timezone(timedelta(hours=2))) for m in moments]:
            assert iso_moment(moment) == moment.isoformat()
            assert len(ordering._WRITTEN) <= 3


@given(
    st.text(),
    st.one_of(st.none(), st.text(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False)),
)
def test_keyset_cursor_is_base64_of_its_json(order: str, value: object) -> None:
    # The cursor text clients hold must not change: "k1:" and the JSON, base64-encoded.
    keyset = Keyset(order, lambda item: (value, item), lambda values: values)
    cursor = keyset.encode("https://example.com/a")
    expected = b"k1:" + orjson.dumps([order, value, "https://example.com/a"])
    assert cursor == base64.b64encode(expected).decode("ascii")
