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
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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
)
from .countries import first_country
from .grounds import map_grounds
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


def parse_ebrd(path: str | Path) -> Iterator[ParsedRow]:
    # utf-8-sig drops the byte-order mark so the first header reads "Firm Name".
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            raise ImportFormatError("empty file: no EBRD header")
        found = tuple(clean(h).casefold() for h in header)
        if found[: len(_COLUMNS)] != _COLUMNS:
            raise ImportFormatError(
                f"not an EBRD ineligible-entities CSV: expected columns {_COLUMNS!r}, found {found!r}"
            )
        refs = RefMaker(PUBLISHER)
        previous_end = reader.line_num
        for values in reader:
            row = previous_end + 1  # the line the record starts on; records may span lines
            previous_end = reader.line_num
            if is_blank_row(values):
                continue
            try:
                if len(values) < len(_COLUMNS):
                    raise RowError(f"only {len(values)} of {len(_COLUMNS)} columns")
                entry = _entry(values, row, refs)
            except RowError as exc:
                yield ParsedRow(row, None, str(exc))
            else:
                yield ParsedRow(row, entry, None)


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
