"""The `DateTime` scalar: ISO-8601 with an offset, e.g. `2020-07-01T16:50:00+00:00`."""

from __future__ import annotations

from datetime import UTC, datetime

import strawberry
from strawberry.types.scalar import ScalarDefinition

from resolvers.ordering import aware, iso_moment


def serialize_datetime(value: datetime) -> str:
    return iso_moment(aware(value))


def parse_datetime(value: object) -> datetime:
    """An ISO-8601 date-time; without an offset it is UTC (SEMANTICS.md)."""
    if not isinstance(value, str):
        raise ValueError("A DateTime must be a string such as 2020-07-01T16:50:00+00:00.")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(
            f"{value!r} is not an ISO-8601 date-time such as 2020-07-01T16:50:00+00:00."
        ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


DATETIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="An ISO-8601 date-time with offset, e.g. 2020-07-01T16:50:00+00:00.",
    specified_by_url="https://datatracker.ietf.org/doc/html/rfc3339#section-5.6",
    serialize=serialize_datetime,
    parse_value=parse_datetime,
)
