"""EBRD, "Ineligible Entities" (CSV as downloaded).

UTF-8 with a byte-order mark; header "Firm Name, Address, Nationality, Ineligible From,
 Ineligible Until, Notice Effective At EBRD, Originating Institution, Prohibited Practice" (note
the space before "Ineligible Until").  Cells may span lines (names and nationalities with embedded
newlines), some quotes are unbalanced (``""Supper Fortuna" LLC"``).

Decisions:
* row_number is the CSV line on which the record starts (as a text editor shows it).
* Ineligible From is empty for many old cross-debarments: the period then starts on the date the
  notice took effect at EBRD; ``decided_on`` is always that notice date.
* Ineligible Until "Ongoing" / "Indefinite" / "Permanent" / empty -> open-ended (None).
* kind: person only with a clear sign (Mr./Ms./Dr. title, "SURNAME, Given", "representative of").
* Originating Institution "EBRD"/"European Bank for Reconstruction and Development" -> None
  (EBRD's own decision), others -> WBG / ADB / IDB / AfDB.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

from .common import (
    ImportFormatError,
    ParsedRow,
    RefMaker,
    RowError,
    check_period,
    clean,
    is_blank_row,
    iso,
    make_entry,
    originating,
    parse_date,
    take_row,
)
from .countries import first_country
from .grounds import map_grounds
from .limits import Budget
from .names import dedupe_identifiers, finish_aliases, looks_like_person, parse_name

PUBLISHER = "EBRD"
LIST_TITLE = "EBRD Ineligible Entities"
EVIDENCE = {
    "title": "EBRD list of ineligible entities",
    "url": "https://www.ebrd.com/ineligible-entities.html",
}
_COLUMNS = (
    "firm name",
    "address",
    "nationality",
    "ineligible from",
    "ineligible until",
    "notice effective at ebrd",
    "originating institution",
    "prohibited practice",
)


def parse_ebrd(path: str | Path, budget: Budget | None = None) -> Iterator[ParsedRow]:
    budget = budget or Budget()
    budget.check_file_size(os.stat(path).st_size)
    # Python's csv refuses fields over 128 KiB by raising in the middle of the file; the file is
    # already bounded by max_bytes, so the reader may take any field and cells are checked here,
    # one row at a time, against max_cell_chars.
    with _field_size_limit(budget.limits.max_bytes), open(path, "rb") as handle:
        reader = csv.reader(_text_lines(handle))
        records = _records(reader, budget)
        first = next(records, None)
        if first is None:
            raise ImportFormatError("empty file: no EBRD header")
        found = tuple(clean(h).casefold() for h in first[2])
        if found[: len(_COLUMNS)] != _COLUMNS:
            raise ImportFormatError(
                f"not an EBRD ineligible-entities CSV: expected columns {_COLUMNS!r}, found {found!r}"
            )
        refs = RefMaker(PUBLISHER)
        for row, last, values in records:  # row: the line the record starts on; records may span lines
            if is_blank_row(values):
                continue
            yield take_row(row, _checked_entry, values, row, last, refs, budget)


def _checked_entry(values: list[str], row: int, last: int, refs: RefMaker, budget: Budget) -> dict[str, Any]:
    budget.check_cells(values, _COLUMNS, span=f" (the record runs from line {row:,} to {last:,})" if last > row else "")
    if len(values) < len(_COLUMNS):
        raise RowError(f"only {len(values)} of {len(_COLUMNS)} columns")
    return _entry(values, row, refs)


def _text_lines(handle: BinaryIO) -> Iterator[str]:
    """The file's lines as text, each decoded on its own so a bad byte names its line."""
    for number, raw in enumerate(handle, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFormatError(
                f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
                "save the list as CSV UTF-8 and import it again", row=number) from None
        yield line.removeprefix("\ufeff") if number == 1 else line


def _records(reader: Any, budget: Budget) -> Iterator[tuple[int, int, list[str]]]:
    """``(first line, last line, cells)`` of each CSV record, each counted against the budget."""
    previous_end = 0
    while True:
        start = previous_end + 1
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFormatError(f"the CSV cannot be read from line {start:,} on ({exc}); "
                                    "fix the file and import it again", row=start) from None
        previous_end = reader.line_num
        budget.row(start)
        yield start, previous_end, values


@contextmanager
def _field_size_limit(size: int) -> Iterator[None]:
    old = csv.field_size_limit()
    csv.field_size_limit(max(old, size))
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _entry(values: list[str], row: int, refs: RefMaker) -> dict[str, Any]:
    raw_name, address_cell, nationality, start_cell, end_cell, notice_cell, origin_cell, practice = values[:8]
    address = clean(address_cell)
    parts = parse_name(raw_name, address=address)
    if not parts.name:
        raise RowError("no firm name")
    notice = parse_date(notice_cell, field="Notice Effective At EBRD") if clean(notice_cell) else None
    starts = parse_date(start_cell, field="Ineligible From") if clean(start_cell) else None
    starts = starts or notice
    ends = parse_date(end_cell, field="Ineligible Until", open_ended_ok=True)
    check_period(starts, ends)
    country, unmapped = first_country(nationality)
    kind = "person" if looks_like_person(parts, raw_name) else "company"
    practice_text = clean(practice)
    origin = originating(origin_cell, PUBLISHER)
    if origin:
        basis = (
            f"{practice_text}; cross-debarment ({clean(origin_cell)}) "
            "under the EBRD Enforcement Policy and Procedures"
        )
    else:
        basis = f"{practice_text}; EBRD Enforcement Policy and Procedures"
    if parts.notes:
        basis = "; ".join([basis, *parts.notes])
    return make_entry(
        kind=kind,
        name=parts.name,
        aliases=finish_aliases(kind, parts.name, parts.aliases),
        country=country,
        addresses=[a for a in [address, *parts.addresses, *unmapped] if a],
        identifiers=dedupe_identifiers(parts.identifiers),
        listing="debarred",
        grounds=map_grounds(practice_text),
        legal_basis=basis,
        decision_ref=None,
        decided_on=iso(notice),
        evidence=[dict(EVIDENCE)],
        source={"publisher": PUBLISHER, "list": LIST_TITLE, "originating_institution": origin, "row": row},
        starts_on=iso(starts),
        ends_on=iso(ends),
        external_ref=refs.make(parts.name, country, iso(starts)),
    )
