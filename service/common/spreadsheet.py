"""Cells of every CSV or XLSX the service or its command line writes.

Spreadsheet formula injection: a bidder named ``=HYPERLINK(...)``, or a listed name another
organisation's contributor wrote as ``@SUM(...)``, must stay text when a procurement officer
opens the report. A cell starting with a formula trigger is prefixed with an apostrophe
(OWASP's advice), which spreadsheets show as text and do not evaluate.
"""

from __future__ import annotations

from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def neutralise_row(row: dict[str, Any]) -> dict[str, Any]:
    return {key: neutralise(value) for key, value in row.items()}
