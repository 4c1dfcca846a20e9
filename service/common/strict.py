"""Input types that take only what the JSON means: a date is an ISO 8601 string, never a
number (``starts_on: 0`` is not 1970-01-01), and a flag is ``true`` or ``false``, never a
string or a number. Used by every request body."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BeforeValidator, Strict


def _date_text(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        raise ValueError("a date is written as an ISO 8601 string (YYYY-MM-DD), not a number")
    return value


def _datetime_text(value: Any) -> Any:
    if isinstance(value, bool | int | float):
        raise ValueError("a date and time is written as an ISO 8601 string (2026-03-15T09:30:00Z), not a number")
    return value


Day = Annotated[date, BeforeValidator(_date_text)]
Instant = Annotated[datetime, BeforeValidator(_datetime_text)]
Flag = Annotated[bool, Strict()]
