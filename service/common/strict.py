"""Input types that take only what the JSON means: a date is an ISO 8601 string, never a
number (``starts_on: 0`` is not 1970-01-01), and a flag is ``true`` or ``false``, never a
string or a number. Used by every request body."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Strict, StringConstraints


def _date_text(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        raise ValueError("a date is written as an ISO 8601 string (YYYY-MM-DD), not a number")
    return value


def _datetime_text(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        raise ValueError("a date and time is written as an ISO 8601 string (2026-03-15T09:30:00Z), not a number")
    return value


def _iso_instant_text(value: Any) -> Any:
    # pydantic reads "0.5" or "1700000000" as a Unix time; the document says ISO 8601 only.
    value = _datetime_text(value)
    if isinstance(value, str):
        try:
            float(value)
        except ValueError:
            return value
        raise ValueError("a date and time is written in ISO 8601 (2026-03-15T09:30:00Z), not as a number")
    return value


def _in_utc(value: datetime) -> datetime:
    """Aware and in UTC; a time without an offset is read as UTC, the service's clock. An
    instant within hours of the calendar's ends (0001-01-01T00:00:00+14:00,
    9999-12-31T23:59:59-14:00) has no UTC form in ``datetime``: it lies before (after) anything
    stored, so as a filter bound it means what the first (last) representable instant means."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return (datetime.min if value.year == datetime.min.year else datetime.max).replace(tzinfo=UTC)


Day = Annotated[date, BeforeValidator(_date_text)]
# Query parameters and filters compared with stored instants: always aware, always UTC.
UtcInstant = Annotated[datetime, BeforeValidator(_iso_instant_text), AfterValidator(_in_utc)]
Instant = Annotated[datetime, BeforeValidator(_datetime_text)]
Flag = Annotated[bool, Strict()]


def _json_number(value: Any) -> Any:
    # Lax pydantic takes true as 1 and "5" as 5; JSON Schema's integer and number take neither
    # (an integer written 19.0 is still an integer, so strict mode would refuse too much).
    if isinstance(value, bool | str):
        raise ValueError("a number is written as a JSON number")
    return value


Integer = Annotated[int, BeforeValidator(_json_number)]
Number = Annotated[float, BeforeValidator(_json_number)]


# A reason given for a decision (a withdrawal, a rejection), kept in the audit log: trimmed, then
# 3 to 2,000 characters; the pattern says so to the document (something non-blank, at least one
# character, something non-blank).
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000,
                                          pattern=r"\S[\s\S]+\S")]
