"""Shared pieces of the importers: the row type, text cleaning, dates, refs and the entry shape."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from service.common.text import fold as accent_fold

GROUNDS = (
    "trafficking_in_human_beings",
    "forced_labour",
    "child_labour",
    "unethical_recruitment",
    "fraud",
    "corruption",
    "collusion",
    "coercion",
    "obstruction",
    "other",
)
KINDS = ("company", "person")
ENTRY_KEYS = (
    "kind",
    "name",
    "aliases",
    "country",
    "addresses",
    "identifiers",
    "listing",
    "grounds",
    "legal_basis",
    "decision_ref",
    "decided_on",
    "evidence",
    "source",
    "starts_on",
    "ends_on",
    "visibility",
    "external_ref",
)


@dataclass(frozen=True, slots=True)
class ParsedRow:
    row_number: int  # 1-based row as a human sees it (spreadsheet row / CSV line where the record starts)
    entry: dict[str, Any] | None  # None when the row could not be taken
    error: str | None  # why it was rejected, None when ok
    # Set (with entry and error None) when the row repeats an earlier one of the file exactly.
    duplicate_of: int | None = None


class ImportFormatError(ValueError):
    """The file as a whole cannot be taken (wrong headers, unreadable, over a limit).

    ``row`` is the row/line where reading stopped, when there is one; ``str()`` is one line.
    """

    def __init__(self, message: str, *, row: int | None = None) -> None:
        super().__init__(one_line(message))
        self.message = one_line(message)
        self.row = row


class RowError(ValueError):
    """One row cannot be taken; the message is shown to the person importing."""


def one_line(message: str, limit: int = 400) -> str:
    """A message as one printable line of at most ``limit`` characters (cells can be huge)."""
    text = " ".join(str(message).split())
    if len(text) > limit:
        text = text[: limit - 40] + " ... " + text[-35:]
    return text


def take_row(number: int, build: Callable[..., dict[str, Any]], *args: Any) -> ParsedRow:
    """``build(*args)``, one row's entry; any failure of that row (expected or not) rejects only that row."""
    try:
        return ParsedRow(number, build(*args), None)
    except RowError as exc:
        return ParsedRow(number, None, one_line(str(exc)))
    except (ImportFormatError, MemoryError):
        raise
    except Exception as exc:  # a cell shape the parser has not met: report the row, keep going
        return ParsedRow(number, None, one_line(
            f"could not be read ({type(exc).__name__}: {exc}); check this row, and report the file if it looks right"))


# --------------------------------------------------------------------------- text

_QUOTES = '"“”„‟«»″'
_SPACES = re.compile(r"\s+")


def clean(value: Any) -> str:
    """Cell -> text: NFC, no control characters, whitespace (incl. NBSP, newlines) collapsed."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFC", str(value)).replace("\ufeff", "")
    text = "".join(" " if unicodedata.category(c) in ("Cc", "Zs", "Zl", "Zp") else c for c in text)
    return _SPACES.sub(" ", text).strip()


def strip_quotes(text: str) -> str:
    """Drop double-quote characters.

    They only wrap the distinctive word of CIS company names (LLC “CONMARKS”) and some EBRD CSV
    cells are mis-quoted (``""Supper Fortuna" LLC"`` reads as ``Supper Fortuna" LLC"``), so keeping
    them would make the same firm spell differently per publisher.  Apostrophes stay: they are
    letters in names like L’ENTREPRISE or XI'AN.
    """
    return clean("".join(" " if c in _QUOTES else c for c in text))


def is_blank_row(values: Iterable[Any]) -> bool:
    return all(clean(v) == "" for v in values)


def fold(text: str) -> str:
    """Comparison key: accents removed, case folded (the service's one fold), punctuation collapsed."""
    return re.sub(r"[\W_]+", " ", accent_fold(text)).strip()


# --------------------------------------------------------------------------- dates

# Words the lists use for "no end date".
OPEN_ENDED = frozenset({"", "ongoing", "indefinite", "indefinitely", "permanent", "permanently", "n/a", "-"})
# The World Bank writes open-ended periods as 2999-12-31; any far-future year means the same.
_OPEN_YEAR = 2900

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%b %d, %Y",  # IDB: "Jul 03, 2024"
    "%B %d, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%b-%Y",
    "%d.%m.%Y",
    "%m/%d/%Y",  # US order: the World Bank's own "Downloaded on: 07/01/2025"
    "%Y/%m/%d",
)


def parse_date(value: Any, *, field: str, open_ended_ok: bool = False) -> date | None:
    """Cell -> date.  None for an empty/open-ended cell; RowError when unreadable.

    ``open_ended_ok`` allows the "Ongoing"/"Permanent"/2999-12-31 spellings (end dates only).
    """
    if isinstance(value, datetime):
        result = value.date()
    elif isinstance(value, date):
        result = value
    else:
        text = clean(value)
        if text.casefold() in OPEN_ENDED:
            if text and not open_ended_ok:
                raise RowError(f"{field} is {text!r}, a date is needed")
            return None
        result = _parse_date_text(text, field)
    if result.year >= _OPEN_YEAR:
        if not open_ended_ok:
            raise RowError(f"{field} {result.isoformat()} is not a real date")
        return None
    return result


def _parse_date_text(text: str, field: str) -> date:
    # ISO datetimes ("2024-07-01T12:00:59Z"): the calendar date as published, no timezone shift.
    match = re.match(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}", text)
    if match:
        text = match.group(1)
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise RowError(f"{field} {text!r} is not a date")


def iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


# --------------------------------------------------------------------------- refs


def ref_key(name: str, country: str | None, starts_on: str | None) -> str:
    return f"{fold(name)}|{country or ''}|{starts_on or ''}"


class RefMaker:
    """Stable, file-unique external refs.

    The ref hashes what identifies a listing (folded name, country, start date) and not the row
    number, so a re-download with rows inserted above keeps the refs.  Identical keys within one file
    (the World Bank repeats some firms verbatim) get ":2", ":3"... in file order.
    """

    def __init__(self, publisher: str) -> None:
        self.publisher = publisher
        self._seen: dict[str, int] = {}

    def make(self, name: str, country: str | None, starts_on: str | None) -> str:
        digest = hashlib.sha1(ref_key(name, country, starts_on).encode("utf-8")).hexdigest()[:16]
        base = f"{self.publisher}:{digest}"
        count = self._seen.get(base, 0) + 1
        self._seen[base] = count
        return base if count == 1 else f"{base}:{count}"


# --------------------------------------------------------------------------- institutions

# Cross-debarment sources, normalised to the short codes the banks use for each other
# (Agreement for Mutual Enforcement of Debarment Decisions, 2010).
_INSTITUTIONS: tuple[tuple[str, str], ...] = (
    (r"^(?:wbg?|world\s*bank(?:\s*group)?|ibrd|ida)$", "WBG"),
    (r"^(?:adb|asian\s+development\s+bank)$", "ADB"),
    (r"^(?:afdb|african\s+development\s+bank(?:\s+group)?)$", "AfDB"),
    (r"^(?:idb|iadb|idb\s*group|inter-?\s*american\s+development\s+bank(?:\s+group)?)$", "IDB"),
    (r"^(?:ebrd|european\s+bank\s+for\s+reconstruction\s+and\s+development)$", "EBRD"),
    (r"^(?:eib|european\s+investment\s+bank)$", "EIB"),
)


def institution_code(value: str | None) -> str | None:
    """ "Asian Development Bank" / "ADB cross debarment" / "Cross Debarment: AFDB" -> "ADB"/"AfDB"."""
    text = clean(value)
    text = re.sub(r"(?i)\bcross[-\s]*deb\w*(?:\s*:)?", " ", text)
    text = clean(text).strip(" :.")
    if not text:
        return None
    for pattern, code in _INSTITUTIONS:
        if re.match(pattern, text, re.IGNORECASE):
            return code
    return text


def originating(value: str | None, publisher: str) -> str | None:
    """Originating institution, None when the publisher itself decided."""
    code = institution_code(value)
    return None if code == publisher else code


# --------------------------------------------------------------------------- entries


def dedupe(values: Iterable[str], *, exclude: Iterable[str] = ()) -> list[str]:
    """Keep first spelling of each value (compared folded), dropping empties and ``exclude``."""
    seen = {fold(x) for x in exclude}
    out: list[str] = []
    for value in values:
        key = fold(value) or value.strip()
        if not value.strip() or key in seen:
            continue
        seen.add(key)
        out.append(value.strip())
    return out


def make_entry(
    *,
    kind: str,
    name: str,
    aliases: list[str],
    country: str | None,
    addresses: list[str],
    identifiers: list[dict[str, str]],
    listing: str,
    grounds: list[str],
    legal_basis: str | None,
    decision_ref: str | None,
    decided_on: str | None,
    evidence: list[dict[str, str]],
    source: dict[str, Any],
    starts_on: str | None,
    ends_on: str | None,
    external_ref: str,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "name": name,
        "aliases": dedupe(aliases, exclude=[name]),
        "country": country,
        "addresses": dedupe(addresses),
        "identifiers": identifiers,
        "listing": listing,
        "grounds": [g for g in GROUNDS if g in grounds] or ["other"],
        "legal_basis": legal_basis or None,
        "decision_ref": decision_ref or None,
        "decided_on": decided_on,
        "evidence": evidence,
        "source": source,
        "starts_on": starts_on,
        "ends_on": ends_on,
        "visibility": "public",
        "external_ref": external_ref,
    }


def required_period(start_cell: Any, end_cell: Any, *, starts_field: str, ends_field: str) -> tuple[date, date | None]:
    """A row's period: the start required, the end open-ended when blank, and not before the start."""
    starts = parse_date(start_cell, field=starts_field)
    if starts is None:
        raise RowError(f"{starts_field} is empty")
    ends = parse_date(end_cell, field=ends_field, open_ended_ok=True)
    check_period(starts, ends)
    return starts, ends


def check_period(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on and ends_on and ends_on < starts_on:
        raise RowError(
            f"ineligibility ends ({ends_on.isoformat()}) before it starts ({starts_on.isoformat()})"
        )
