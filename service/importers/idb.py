"""Inter-American Development Bank, "Sanctioned Firms and Individuals" (xlsx export).

One header row (Title, Entity, Nationality, Country, From, To, Grounds, Source, IDB Sanction Type,
IDB Sanction Source, Other Name); dates as text "Jul 03, 2024", To "Ongoing"; the export ends with
a blank row and a filter note ("Zastosowane filtry: ...", Polish for "applied filters"), which is
not a data row and is skipped.

Decisions:
* kind from the Entity column (Individual -> person, Firm -> company).
* country from Nationality (the entity's own country).  The "Country" column is where the
  sanctioned practice happened (often several countries or "Regional"), so it is not used.
* listing: "Letter of reprimand" is a public censure without ineligibility -> "flagged"; every other
  type (Debarment, Debarment w/ conditional release, cross-debarments) -> "debarred".
* Source "IDB" -> no originating institution; "WBG cross debarment" -> "WBG" etc.
* Grounds "Nonspecified" or empty -> "other"; "Extortion" -> coercion.
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
    is_blank_row,
    iso,
    make_entry,
    originating,
    required_period,
    take_row,
)
from .countries import first_country
from .grounds import map_grounds
from .limits import Budget
from .names import (
    clean_script_name,
    dedupe_identifiers,
    finish_aliases,
    is_non_latin,
    looks_like_person,
    parse_name,
)
from .xlsx import sheet_rows

PUBLISHER = "IDB"
LIST_TITLE = "IDB Sanctioned Firms and Individuals"
EVIDENCE = {
    "title": "IDB list of sanctioned firms and individuals",
    "url": "https://www.iadb.org/en/transparency/sanctioned-firms-and-individuals",
}
_COLUMNS = (
    "title",
    "entity",
    "nationality",
    "country",
    "from",
    "to",
    "grounds",
    "source",
    "idb sanction type",
    "idb sanction source",
    "other name",
)
_FOOTER = re.compile(r"^(?:zastosowane filtry|applied filters|filters applied|filtros aplicados)\b", re.I)


def parse_idb(path: str | Path, budget: Budget | None = None) -> Iterator[ParsedRow]:
    budget = budget or Budget()
    with sheet_rows(path, budget, columns=len(_COLUMNS)) as rows:
        header = next(rows, (0, ()))[1]
        found = tuple(clean(v).casefold() for v in header)[: len(_COLUMNS)]
        if found != _COLUMNS:
            raise ImportFormatError(
                f"not an IDB sanctioned-firms export: expected columns {_COLUMNS!r}, found {found!r}"
            )
        refs = RefMaker(PUBLISHER)
        for number, values in rows:
            cells = list(values) + [None] * len(_COLUMNS)
            if is_blank_row(cells) or _is_footer(cells):
                continue
            yield take_row(number, _checked_entry, cells, number, refs, budget)


def _checked_entry(cells: list[Any], row: int, refs: RefMaker, budget: Budget) -> dict[str, Any]:
    budget.check_cells(cells, _COLUMNS)
    return _entry(cells, row, refs)


def _is_footer(cells: list[Any]) -> bool:
    return bool(_FOOTER.match(clean(cells[0]))) and is_blank_row(cells[1:])


def _entry(cells: list[Any], row: int, refs: RefMaker) -> dict[str, Any]:
    title, entity, nationality, _where, start_cell, end_cell, grounds_cell, source, stype, ssource, other = (
        cells[:11]
    )
    parts = parse_name(clean(title))
    if not parts.name:
        raise RowError("no name (Title is empty)")
    entity_text = clean(entity).casefold()
    if entity_text == "individual":
        kind = "person"
    elif entity_text == "firm":
        kind = "company"
    else:
        kind = "person" if looks_like_person(parts, clean(title)) else "company"
    other_names = _other_names(clean(other))
    starts, ends = required_period(start_cell, end_cell, starts_field="From", ends_field="To")
    country, unmapped = first_country(clean(nationality))
    sanction_type = clean(stype)
    listing = "flagged" if "reprimand" in sanction_type.casefold() else "debarred"
    origin = originating(clean(source), PUBLISHER)
    grounds_text = clean(grounds_cell)
    basis_parts = [grounds_text or "Grounds not stated"]
    if origin:
        basis_parts.append(f"{clean(source)} (Agreement for Mutual Enforcement of Debarment Decisions)")
    else:
        basis_parts.append("IDB Sanctions Procedures")
    basis_parts += [x for x in (sanction_type, clean(ssource)) if x]
    basis_parts += parts.notes
    return make_entry(
        kind=kind,
        name=parts.name,
        aliases=finish_aliases(kind, parts.name, [*parts.aliases, *other_names]),
        country=country,
        addresses=[*parts.addresses, *unmapped],
        identifiers=dedupe_identifiers(parts.identifiers),
        listing=listing,
        grounds=map_grounds(grounds_text),
        legal_basis="; ".join(basis_parts),
        decision_ref=None,
        decided_on=None,
        evidence=[dict(EVIDENCE)],
        source={"publisher": PUBLISHER, "list": LIST_TITLE, "originating_institution": origin, "row": row},
        starts_on=iso(starts),
        ends_on=iso(ends),
        external_ref=refs.make(parts.name, country, iso(starts)),
    )


def _other_names(text: str) -> list[str]:
    """ "Other Name": Chinese/Vietnamese spellings; several Chinese names are comma-separated."""
    if not text:
        return []
    if is_non_latin(text):
        return [n for n in (clean_script_name(p) for p in re.split(r"\s*[,，、;]\s*", text)) if n]
    return [n for n in [*parse_name(text).aliases, parse_name(text).name] if n]
