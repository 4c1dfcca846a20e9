"""World Bank Group, "Listing of Ineligible Firms and Individuals" (xlsx as downloaded).

Layout: row 1 "Downloaded on: MM/DD/YYYY HH:MM" (merged A1:F1); rows 2-3 a two-level header
(Firm Name | Additional Firm Info | Address | Country | Ineligibility Period: From Date, To Date |
Grounds); data from row 4.  To Date 2999-12-31 means open-ended.

Decisions:
* kind: the list has no firm/individual column.  A row is a person only with a clear sign: a title
  (MR./MS./DR.), a national ID in Additional Firm Info, or a representative-of phrase, and no
  organisation word in the name.  Everything else is a company (e.g. "JUAN JOSÉ ACOSTA GONZÁLEZ"
  stays a company: a wrong "person" would switch off company matching, a wrong "company" only
  loses the person-specific scoring).
* Additional Firm Info carries aliases (aka / f/k/a / d/b/a / Chinese names / the un-truncated
  name), registration numbers, scope limits and the "*NNN" case marker shared by the firms and
  people sanctioned together; the marker becomes ``decision_ref``.
* Names are cut at 80 characters; when Additional Firm Info holds the full name, it becomes the name.
* "Cross Debarment: ADB" grounds -> originating institution ADB, grounds "other" (the list does
  not say which practice the other bank found).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .common import (
    ImportFormatError,
    ParsedRow,
    RefMaker,
    RowError,
    clean,
    fold,
    is_blank_row,
    iso,
    make_entry,
    originating,
    parse_date,
    required_period,
    take_row,
)
from .countries import first_country
from .grounds import map_grounds
from .limits import Budget
from .names import dedupe_identifiers, finish_aliases, looks_like_person, parse_extra_info, parse_name
from .xlsx import sheet_rows

PUBLISHER = "WBG"
LIST_TITLE = "World Bank Group Listing of Ineligible Firms and Individuals"
EVIDENCE = {
    "title": "World Bank listing of ineligible firms and individuals",
    "url": "https://www.worldbank.org/en/projects-operations/procurement/debarred-firms",
}
_COLUMNS = ("Firm Name", "Additional Firm Info", "Address", "Country", "From Date", "To Date", "Grounds")
_HEADER = ("firm name", "additional firm info", "address", "country", "ineligibility period", "", "grounds")
_SUBHEADER = ("from date", "to date")
_FIRST_DATA_ROW = 4
_TRUNCATED_AT = 79  # the download cuts names at 80 characters


def parse_worldbank(path: str | Path, budget: Budget | None = None) -> Iterator[ParsedRow]:
    budget = budget or Budget()
    with sheet_rows(path, budget, columns=len(_COLUMNS)) as rows:
        title = LIST_TITLE
        head: list[tuple[Any, ...]] = [next(rows, (0, ()))[1] for _ in range(_FIRST_DATA_ROW - 1)]
        _check_header(head)
        downloaded = re.search(r"(\d{1,2}/\d{1,2}/\d{4})", clean(head[0][0] if head[0] else ""))
        if downloaded:
            try:
                title = f"{LIST_TITLE} (downloaded {parse_date(downloaded.group(1), field='Downloaded on')})"
            except RowError as exc:
                raise ImportFormatError(f"{exc} (row 1 says when the list was downloaded)", row=1) from None
        refs = RefMaker(PUBLISHER)
        for number, values in rows:
            if is_blank_row(values):
                continue
            yield take_row(number, _checked_entry, values, number, title, refs, budget)


def _checked_entry(values: tuple[Any, ...], row: int, title: str, refs: RefMaker, budget: Budget) -> dict[str, Any]:
    budget.check_cells(values, _COLUMNS)
    return _entry(list(values) + [None] * 7, row, title, refs)


def _check_header(head: list[tuple[Any, ...]]) -> None:
    found = tuple(clean(v).casefold() for v in (list(head[1]) + [None] * 7)[:7]) if len(head) > 1 else ()
    sub = tuple(clean(v).casefold() for v in (list(head[2]) + [None] * 7)[4:6]) if len(head) > 2 else ()
    if found != _HEADER or sub != _SUBHEADER:
        raise ImportFormatError(
            "not a World Bank ineligible-firms download: expected the header "
            f"{_HEADER!r} in row 2 and {_SUBHEADER!r} in row 3, found {found!r} / {sub!r}"
        )


def _entry(values: list[Any], row: int, title: str, refs: RefMaker) -> dict[str, Any]:
    raw_name, info, address_cell, country_cell, start_cell, end_cell, grounds_cell = values[:7]
    address = clean(address_cell)
    parts = parse_name(clean(raw_name), address=address)
    markers = parse_extra_info(clean(info), parts, address=address)
    if not parts.name:
        raise RowError("no firm name")
    name = parts.name
    for alias in parts.aliases:
        # Names are cut at 80 characters; "Additional Firm Info" often repeats the full name.
        if len(name) >= _TRUNCATED_AT and len(alias) > len(name) and fold(alias).startswith(fold(name)[:60]):
            name = alias
            break
    starts, ends = required_period(start_cell, end_cell, starts_field="Ineligibility From Date",
                                   ends_field="Ineligibility To Date")
    country, unmapped = first_country(clean(country_cell))
    grounds_text = clean(grounds_cell)
    cross = re.search(r"cross[-\s]*deb", grounds_text, re.IGNORECASE)
    person_id = any(i["scheme"] == "national_id" for i in parts.identifiers)
    if person_id:
        parts.person_signal = True
    kind = "person" if looks_like_person(parts, clean(raw_name)) else "company"
    legal_basis = grounds_text or None
    if parts.notes:
        legal_basis = "; ".join([grounds_text or "World Bank sanction", *parts.notes])
    return make_entry(
        kind=kind,
        name=name,
        aliases=finish_aliases(kind, name, parts.aliases),
        country=country,
        addresses=[a for a in [address, *parts.addresses, *unmapped] if a],
        identifiers=dedupe_identifiers(parts.identifiers),
        listing="debarred",
        grounds=map_grounds(grounds_text),
        legal_basis=legal_basis,
        decision_ref=", ".join(markers) or None,
        decided_on=None,
        evidence=[dict(EVIDENCE)],
        source={
            "publisher": PUBLISHER,
            "list": title,
            "originating_institution": originating(grounds_text, PUBLISHER) if cross else None,
            "row": row,
        },
        starts_on=iso(starts),
        ends_on=iso(ends),
        external_ref=refs.make(name, country, iso(starts)),
    )
